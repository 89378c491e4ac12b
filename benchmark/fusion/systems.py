"""``bench run`` for any retriever name: the one entry point above the single-retriever harness and fusion.

A ``hybrid:A+B`` name goes to :func:`benchmark.fusion.run.run_fused`, any other to
:func:`benchmark.pipeline.harness.run_benchmark`. The choice lives here, not in the harness, because fusion is built on
the harness (its parts are searched by :func:`benchmark.pipeline.harness.search_split`): the harness must not import it
back. Both paths apply the leakage guard (:func:`benchmark.pipeline.harness.refuse_leaky_split`) before loading anything.
"""

from __future__ import annotations

from benchmark.fusion.run import run_fused
from benchmark.fusion.settings import is_fused_name
from benchmark.pipeline.harness import RunOutcome, RunRequest, run_benchmark
from benchmark.store.base import Store


def run_any(request: RunRequest, store: Store | None = None) -> RunOutcome:
    """One ``bench run`` of one retriever, single or fused, on one dataset split."""
    if is_fused_name(request.retriever):
        return run_fused(request, store)
    return run_benchmark(request, store)

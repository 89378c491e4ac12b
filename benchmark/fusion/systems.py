"""``bench run`` for any retriever name: the one entry point above the single-retriever harness and fusion.

A fused name (``hybrid:A+B``, or a preset such as ``hybrid``) goes to :func:`benchmark.fusion.run.run_fused`, a
single retriever's to
:func:`benchmark.pipeline.harness.run_benchmark`. The choice lives here, not in the harness, because fusion is built on
the harness (its parts are searched by :func:`benchmark.pipeline.harness.search_split`): the harness must not import it
back. Both paths apply the leakage guard (:func:`benchmark.pipeline.harness.refuse_leaky_split`) before loading anything.
"""

from __future__ import annotations

from benchmark.core.errors import UnknownNameError
from benchmark.fusion.presets import is_preset
from benchmark.fusion.resolve import is_known, names
from benchmark.fusion.run import run_fused
from benchmark.fusion.settings import is_fused_name
from benchmark.pipeline.harness import RunOutcome, RunRequest, run_benchmark
from benchmark.store.base import Store


def run_any(request: RunRequest, store: Store | None = None) -> RunOutcome:
    """One ``bench run`` of one retriever, single or fused, on one dataset split."""
    if not is_known(request.retriever):
        raise UnknownNameError("retriever", request.retriever, names())
    if is_fused_name(request.retriever) or is_preset(request.retriever):
        return run_fused(request, store)
    return run_benchmark(request, store)

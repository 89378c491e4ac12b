"""``bench`` as the crash-safety and concurrency tests run it: the real CLI, in its own process.

Only two sizes are made small, so that the tiny test catalogs span several encoded chunks and
several upsert batches (the default 4,096-document chunks and 1,000-point batches would each hold
a whole test catalog, leaving nothing to resume): ``$SHOPBENCH_TEST_CHUNK`` documents per encoded
chunk (default 64) and ``$SHOPBENCH_TEST_UPSERT`` points per upsert batch (default 40).

``$SHOPBENCH_TEST_PAUSE=POINT:N:FILE`` holds the process at the N-th hit of the fault point POINT
(:mod:`benchmark.core.faults`): it creates ``FILE.reached`` and waits until ``FILE`` exists, so a test
can act while this process is in a known state (mid-build, result not yet renamed) without timing.

    python tests/crash_cli.py run -r bm25 -d demo --cache-dir C --output-dir R
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from benchmark.app.cli import run
from benchmark.core import faults
from benchmark.store import edge
from retrievers import retriever

retriever.CHUNK = int(os.environ.get("SHOPBENCH_TEST_CHUNK", "64"))
edge.UPSERT_BATCH = int(os.environ.get("SHOPBENCH_TEST_UPSERT", "40"))
_kill_point = faults.point
_hits: dict[str, int] = {}


def _point(name: str) -> None:
    target, _, rest = os.environ.get("SHOPBENCH_TEST_PAUSE", "").partition(":")
    nth, _, file = rest.partition(":")
    if name == target:
        _hits[name] = _hits.get(name, 0) + 1
    if name == target and _hits[name] == int(nth):
        release = Path(file)
        release.with_name(release.name + ".reached").touch()
        deadline = time.monotonic() + 120
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    _kill_point(name)


faults.point = _point

if __name__ == "__main__":
    run()

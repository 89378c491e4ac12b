"""Fault injection for the crash-safety tests: a no-op unless ``$SHOPBENCH_FAULT`` is set.

``SHOPBENCH_FAULT=NAME:N`` makes the process kill itself with SIGKILL the N-th time (default 1) it
reaches the point called NAME (several: ``A:1,B:3``). SIGKILL runs no handler, no ``finally`` and no
``atexit``: the process stops exactly as if the machine had lost power for it, so whatever it leaves
on disk is what a real crash leaves. The points (``tests/test_crash_safety.py`` kills at each):

==========================  =========================================================================
``dataset.cache.tables``    dataset cache tables written, not yet renamed into place
``vectors.chunk_saved``     an encoded chunk of document vectors saved to the vector cache
``store.upserted``          one upsert batch written into a Qdrant collection (more may follow)
``store.flushed``           the last upsert flushed, the completion marker not yet written
``train.checkpoint_saved``  a training checkpoint fully saved
``train.published``         the trained model's folder published, not yet registered
``result.before_rename``    a result file (TREC run, then JSON) written, not yet moved into place
==========================  =========================================================================
"""

from __future__ import annotations

import os
import signal

ENV = "SHOPBENCH_FAULT"
_hits: dict[str, int] = {}


def point(name: str) -> None:
    """Kill this process here if ``$SHOPBENCH_FAULT`` names this point and this is its N-th hit."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    for item in spec.split(","):
        target, _, nth = item.strip().partition(":")
        if target == name:
            _hits[name] = _hits.get(name, 0) + 1
            if _hits[name] == int(nth or 1):
                os.kill(os.getpid(), signal.SIGKILL)

"""The parts' runs of a fused retriever, kept between fused runs (so trying another fusion re-searches nothing).

A part's run depends only on its index (the index key: dataset checksum, text format, encoder
fingerprints), the queries (ids and texts of the split), the depth and the self-hit rule; the file is
named from a hash of all of them (and of the Qdrant deployment, whose latency it records), under ``<cache>/fusion-runs/``
(:mod:`benchmark.core.cache_layout`); a missing run is searched under its key's exclusive lock (:meth:`PartRuns.get`),
so two processes fusing the same parts search each part once. It keeps the run (doc ids and the
exact float32 scores, in run order) and what building and searching cost when it was made, so the fused
result's efficiency figures stay honest. Files are written atomically; an unreadable one is a miss.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from benchmark.core import atomic
from benchmark.core.cache_layout import FUSION_RUNS, CacheLayout
from benchmark.datasets.base import Dataset
from benchmark.pipeline.harness import Searched, SplitSearch, index_key
from benchmark.ranking.runs import Run
from retrievers.retriever import Retriever, SearchStats

VERSION = 3  # 3: no per-batch latency (2: exact float32 scores; 1 held scores rounded to 5 significant digits)


def run_key(dataset: Dataset, retriever: Retriever, split: str, depth: int, drop_self: bool,
            deployment: str = "edge") -> str:
    """Names a part's run: its index, the split's queries, depth, self-hit rule and the Qdrant deployment."""
    queries = dataset.split(split).queries
    payload = json.dumps([VERSION, index_key(dataset, retriever), split, sorted(queries.items()), depth, drop_self,
                          deployment])
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class PartRuns:
    def __init__(self, layout: CacheLayout) -> None:
        self.layout = layout
        self.root = layout.area(FUSION_RUNS)

    def get(self, key: str, search: Callable[[], SplitSearch]) -> tuple[SplitSearch, bool]:
        """The kept run of ``key`` (True: it was kept), else ``search()``'s, kept for next time. The search runs
        under the key's exclusive lock; a process that waited for it finds the run the other one kept."""
        found = self.load(key)
        if found is not None:
            return found, True
        lock = self.layout.lock(FUSION_RUNS, key, f"searching the part run {key}")
        lock.acquire(exclusive=True)
        try:
            found = self.load(key)
            if found is not None:
                return found, True
            found = search()
            self.save(key, found)
            return found, False
        finally:
            lock.release()

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def load(self, key: str) -> SplitSearch | None:
        try:
            data = json.loads(self._path(key).read_text())
            run = Run({q: [(d, s) for d, s in hits] for q, hits in data["run"].items()})
            s = data["search"]
            search = SearchStats(s["queries"], s["encode_s"], s["search_s"], s["nnz_query"])
            searched = Searched([], search, dict(data["meta"]), True, int(data["index_bytes"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return SplitSearch(run, searched)

    def save(self, key: str, found: SplitSearch) -> None:
        s, done = found.searched.search, found.searched
        data = {
            "run": {q: [[d, score] for d, score in hits] for q, hits in found.run.items()},
            "search": {"queries": s.queries, "encode_s": s.encode_s, "search_s": s.search_s,
                       "nnz_query": s.nnz_query},
            "meta": done.meta, "index_bytes": done.index_bytes,
        }
        atomic.write_json(self._path(key), data, default=str, overwrite=True, wrap_errors=False)

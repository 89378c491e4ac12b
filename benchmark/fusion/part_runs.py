"""The parts' runs of a fused retriever, kept between fused runs (so trying another fusion re-searches nothing).

A part's run depends only on its index (the index key: dataset checksum, text format, encoder
fingerprints), the queries (ids and texts of the split), the depth and the self-hit rule; the file is
named from a hash of all of them (and of the Qdrant deployment, whose latency it records), under ``<cache>/fusion-runs/``. It keeps the run (doc ids and the
exact float32 scores, in run order) and what building and searching cost when it was made, so the fused
result's efficiency figures stay honest. Files are written atomically; an unreadable one is a miss.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from benchmark.core import atomic
from benchmark.datasets.base import Dataset
from benchmark.pipeline.harness import Searched, SplitSearch, index_key
from benchmark.ranking.runs import Run
from retrievers.retriever import Retriever, SearchStats

VERSION = 2  # 2: scores are the exact float32 rescoring (1 held scores rounded to 5 significant digits)


def run_key(dataset: Dataset, retriever: Retriever, split: str, depth: int, drop_self: bool,
            deployment: str = "edge") -> str:
    """Names a part's run: its index, the split's queries, depth, self-hit rule and the Qdrant deployment."""
    queries = dataset.split(split).queries
    payload = json.dumps([VERSION, index_key(dataset, retriever), split, sorted(queries.items()), depth, drop_self,
                          deployment])
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class PartRuns:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def load(self, key: str) -> SplitSearch | None:
        try:
            data = json.loads(self._path(key).read_text())
            run = Run({q: [(d, s) for d, s in hits] for q, hits in data["run"].items()})
            s = data["search"]
            search = SearchStats(s["queries"], s["encode_s"], s["search_s"], tuple(s["batch_ms_per_query"]),
                                 s["nnz_query"])
            searched = Searched([], search, dict(data["meta"]), True, int(data["index_bytes"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return SplitSearch(run, searched)

    def save(self, key: str, found: SplitSearch) -> None:
        s, done = found.searched.search, found.searched
        data = {
            "run": {q: [[d, score] for d, score in hits] for q, hits in found.run.items()},
            "search": {"queries": s.queries, "encode_s": s.encode_s, "search_s": s.search_s,
                       "batch_ms_per_query": list(s.batch_ms_per_query), "nnz_query": s.nnz_query},
            "meta": done.meta, "index_bytes": done.index_bytes,
        }
        atomic.write_json(self._path(key), data, default=str, overwrite=True, wrap_errors=False)

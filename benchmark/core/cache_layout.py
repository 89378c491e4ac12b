"""The shopbench cache: every folder named once, and the one rule for writing into it.

``<cache>/`` (``--cache-dir``, ``$SHOPBENCH_CACHE_DIR`` or the user cache folder; :func:`benchmark.core.paths.cache_dir`)::

    datasets/<name>-<key>/      parsed datasets (parquet + meta.json)           benchmark.datasets.cache
    qdrant-edge/<index key>/    embedded Qdrant collections                     benchmark.store.edge
    lucene/<index key>/         bm25-lucene's Lucene indexes                    retrievers.lucene
    rank-bm25/<index key>/      bm25-rank's pickled indexes                     retrievers.rank_bm25
    index-state/<index key>.json  encoder state an index needs at query time (BM25 IDF)
    vectors/<corpus>/<encoder>/   encoded document chunks                       benchmark.store.vector_cache
    query-vectors/<queries>/<encoder>/  encoded queries                         benchmark.store.vector_cache
    fusion-runs/<run key>.json  fused retrievers' part runs                     benchmark.fusion.part_runs
    models/registry.json        models registered by ``bench train``            retrievers.trained_models
    train-runs/<name>/          training runs (rounds, checkpoints)             benchmark.train.trainer

Every key is a content hash (or a name the user chose): the same inputs find the same entry, other inputs never
do. The rule every area follows:

* **complete or absent**: an entry is complete once its last piece (a marker file, or the file itself) is in
  place, written atomically (:mod:`benchmark.core.atomic`); anything else is a miss and is built again;
* **one builder**: an entry that is built (an index, a part run, a training run, the model registry) is written
  under its key's exclusive lock ``<area>/.locks/<key>.lock`` (:meth:`CacheLayout.lock`); readers of a complete
  index hold it shared, so it is never rebuilt under them (a second ``bench train`` of the same name is refused
  rather than kept waiting). Entries any process writes identically (dataset caches, encoded vector chunks) need
  no lock: the complete-or-absent rule makes the last rename harmless;
* **no leftovers**: the temporary files and folders a killed process left (``.tmp-*.tmp``) are never read as
  entries, and the first process that opens an area removes those older than :data:`STALE_TEMP_S`
  (:meth:`CacheLayout.area`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmark.core import atomic
from benchmark.core.locking import FileLock
from benchmark.core.paths import cache_dir

DATASETS = "datasets"
QDRANT_EDGE = "qdrant-edge"
LUCENE = "lucene"
RANK_BM25 = "rank-bm25"
INDEX_STATE = "index-state"
VECTORS = "vectors"
QUERY_VECTORS = "query-vectors"
FUSION_RUNS = "fusion-runs"
MODELS = "models"
TRAIN_RUNS = "train-runs"
MODAL_LOCAL = "modal-local"  # the Volume of `--encode-on modal-local` (model copies by weights sha256)
AREAS = (DATASETS, QDRANT_EDGE, LUCENE, RANK_BM25, INDEX_STATE, VECTORS, QUERY_VECTORS, FUSION_RUNS, MODELS,
         TRAIN_RUNS, MODAL_LOCAL)
LOCK_DIR = ".locks"
STALE_TEMP_S = atomic.STALE_TEMP_S

_swept: set[Path] = set()  # areas this process has already cleaned


@dataclass(frozen=True)
class CacheLayout:
    """The cache under ``root``; :meth:`of` finds the root the way every command does."""

    root: Path

    @classmethod
    def of(cls, override: Path | str | None = None) -> CacheLayout:
        return cls(cache_dir(override))

    def area(self, name: str, *, create: bool = False) -> Path:
        """The folder of area ``name`` (one of :data:`AREAS`). The first call of a process removes the stale
        temporary files and folders killed processes left there; ``create`` makes the folder."""
        if name not in AREAS:
            raise ValueError(f"unknown cache area {name!r}; areas: {', '.join(AREAS)}")
        folder = self.root / name
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        sweep(folder)
        return folder

    def lock(self, area: str, key: str, what: str) -> FileLock:
        """The lock of entry ``key`` of ``area`` (``<area>/.locks/<key>.lock``); ``what`` is said while waiting."""
        return FileLock(self.root / area / LOCK_DIR / f"{key}.lock", what)

    def dataset(self, name: str, key: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        return self.area(DATASETS) / f"{safe}-{key[:20]}"

    def index_state(self, index_key: str) -> Path:
        return self.area(INDEX_STATE) / f"{index_key}.json"

    def train_run(self, name: str) -> Path:
        return self.area(TRAIN_RUNS) / name


def sweep(folder: Path) -> int:
    """Remove the stale temporary files and folders directly in ``folder``, once per process and folder."""
    if folder in _swept:
        return 0
    _swept.add(folder)
    return atomic.remove_stale_temp_files(folder, STALE_TEMP_S)

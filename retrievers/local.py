"""What every retriever that searches outside Qdrant shares (``bm25-lucene``, ``bm25-rank``).

Such retrievers subclass :class:`LocalRetriever`. They keep the harness's contract: the harness asks
``retriever.own_store(cache_root)`` for their own :class:`LocalStore` instead of the Qdrant store,
opens the "collection" under the same content-keyed index key (dataset checksum + text format +
retriever fingerprint), reuses it when its completion marker is present, and writes the same result
records and efficiency fields. A :class:`LocalIndex` is a folder ``<cache>/<area>/<key>/`` (area ``lucene`` or
``rank-bm25``, :mod:`benchmark.core.cache_layout`) whose ``complete.json`` marker is written last, under the
cache's one rule: built under the key's exclusive lock, read under a shared one, so a second process waits for
a build in progress and then reuses it, and never deletes an index another process is reading.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from benchmark.core import atomic
from benchmark.core.cache_layout import CacheLayout
from benchmark.core.errors import ShopbenchError
from benchmark.core.locking import FileLock, open_entry
from benchmark.core.timing import ENCODE, SEARCH, StageClock
from benchmark.store.base import CollectionInfo, CollectionSchema, Hits, VectorSpec
from retrievers.base import EncoderIdentity
from retrievers.retriever import SEARCH_BATCH, IndexStats, Retriever, SearchStats

MARKER = "complete.json"


class MissingExtraError(ShopbenchError):
    """An optional dependency of a retriever is not installed."""


# ---------------------------------------------------------------------------------------------------
# Retrievers that search outside Qdrant


@dataclass(frozen=True)
class NativeIdentity:
    """Stands in for an encoder: what the index key, ``describe()`` and result files need."""

    identity: EncoderIdentity
    spec: VectorSpec

    def prepare(self, documents: Sequence[str]) -> None:  # the retriever builds its own index
        return None

    def load(self, documents: bool = False) -> None:
        return None

    def encode_documents(self, texts, progress=None):  # type: ignore[no-untyped-def]
        raise TypeError(f"{self.identity.kind} does not encode vectors; it searches its own index")

    encode_queries = encode_documents


class LocalIndex:
    """A folder holding one retriever's own index; complete once ``complete.json`` is written."""

    def __init__(self, key: str, folder: Path, lock: FileLock | None = None) -> None:
        self.key = key
        self.folder = folder
        self.lock = lock

    def is_complete(self) -> bool:
        return (self.folder / MARKER).is_file()

    def mark_complete(self, meta: Mapping[str, object]) -> None:
        atomic.write_json(self.folder / MARKER, dict(meta), default=str, overwrite=True, wrap_errors=False)
        if self.lock is not None:
            self.lock.downgrade()  # complete: other processes may read it now

    def meta(self) -> dict[str, Any]:
        return json.loads((self.folder / MARKER).read_text()) if self.is_complete() else {}

    def info(self) -> CollectionInfo:
        meta = self.meta()
        size = sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())
        return CollectionInfo(self.key, int(meta.get("documents", 0)), size, meta)

    def _not_qdrant(self, *_: object, **__: object) -> Any:
        raise TypeError(f"{self.key} is not a Qdrant collection: its retriever indexes and searches it")

    upsert = search = fused_search = vectors = _not_qdrant


class LocalStore:
    """Store-shaped access to the index folders of one cache area (what ``Store.open`` promises: a complete index
    is reused, anything else is wiped and created empty, under the key's lock)."""

    def __init__(self, layout: CacheLayout, area: str) -> None:
        self.layout = layout
        self.area = area
        self.root = layout.area(area)
        self._locks: list[FileLock] = []

    def open(self, key: str, schema: CollectionSchema | None = None) -> LocalIndex:
        lock = self.layout.lock(self.area, key, f"building index {key}")
        folder = self.root / key

        def reuse() -> LocalIndex | None:
            index = LocalIndex(key, folder, lock)
            return index if index.is_complete() else None

        def create() -> LocalIndex:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            return LocalIndex(key, folder, lock)

        index = open_entry(lock, reuse, create)
        self._locks.append(lock)
        return index

    def drop(self, key: str) -> None:
        lock = self.layout.lock(self.area, key, f"using index {key}")
        lock.acquire(exclusive=True)
        try:
            shutil.rmtree(self.root / key, ignore_errors=True)
        finally:
            lock.release()

    def exists_complete(self, key: str) -> bool:
        return LocalIndex(key, self.root / key).is_complete()

    def close(self) -> None:
        for lock in self._locks:
            lock.release()
        self._locks.clear()


@dataclass
class LocalRetriever(Retriever):
    """A :class:`Retriever` that builds and searches its own index (not Qdrant).

    Subclasses set ``cache_area`` and implement ``_build``, ``_open`` and ``_search_batch``.
    ``encode_s`` of the index stats is the whole build time; query encoding is part of search.
    """

    cache_area: ClassVar[str]  # its area of the cache (benchmark.core.cache_layout)
    _loaded: object = field(default=None, init=False, repr=False, compare=False)

    def own_store(self, cache_root: Path) -> LocalStore:  # type: ignore[override]
        return LocalStore(CacheLayout(cache_root), self.cache_area)

    def _build(self, documents: Sequence[str], folder: Path, progress: Callable[[int], None] | None) -> None:
        raise NotImplementedError

    def _open(self, folder: Path) -> object:
        raise NotImplementedError

    def _analyze(self, handle: object, queries: Sequence[str]) -> list[object]:
        """Query analysis, timed as the encode stage; default: none here (the engine analyzes inside its search,
        so for ``bm25-lucene`` the search stage includes Lucene's analysis)."""
        return list(queries)

    def _search_batch(self, handle: object, queries: Sequence[object], k: int) -> list[Hits]:
        """Search analyzed queries (what :meth:`_analyze` returned)."""
        raise NotImplementedError

    def index(self, documents: Sequence[str], collection: LocalIndex,  # type: ignore[override]
              progress: Callable[[int], None] | None = None, cache: object = None) -> IndexStats:
        t0 = time.perf_counter()
        self._build(documents, collection.folder, progress)
        return IndexStats(len(documents), time.perf_counter() - t0, 0.0, None)

    def search(self, queries: Sequence[str], k: int,  # type: ignore[override]
               collection: LocalIndex, cache: object = None) -> tuple[list[Hits], SearchStats]:
        handle = self._open(collection.folder)
        t0 = time.perf_counter()
        analyzed = self._analyze(handle, queries)
        encode_s = time.perf_counter() - t0
        hits: list[Hits] = []
        t0 = time.perf_counter()
        for start in range(0, len(queries), SEARCH_BATCH):
            hits.extend(self._search_batch(handle, analyzed[start : start + SEARCH_BATCH], k))
        return hits, SearchStats(len(queries), encode_s, time.perf_counter() - t0, None)

    def answer_one(self, query: str, k: int, collection: LocalIndex,  # type: ignore[override]
                   clock: StageClock) -> Hits:
        handle = self._open(collection.folder)
        with clock.stage(ENCODE):
            analyzed = self._analyze(handle, [query])
        with clock.stage(SEARCH):
            return self._search_batch(handle, analyzed, k)[0]

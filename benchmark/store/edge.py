"""Embedded Qdrant (qdrant-edge-py): one on-disk shard per collection key, no server.

Layout under ``root``::

    <key>/shard/          the EdgeShard (segments, config; no WAL: durability comes from flush)
    <key>/COMPLETE.json   the completion marker: schema + meta, written last

``mark_complete`` flushes, runs the segment optimizers (so a bulk load does not stay in unoptimized
appendable segments), flushes again and only then writes the marker atomically (temp file, fsync,
``os.replace``). A build that fails or is interrupted at any point leaves no marker, and ``open``
drops any directory without a valid marker (or with a marker for another schema) before creating
the shard afresh (the marker is deleted before anything else, so a half-deleted directory is never
taken for a complete one). An upsert into a complete collection removes its marker first.

Several processes (two ``bench run`` on one cache) coordinate through a lock file per key,
``<root>/.locks/<key>.lock`` (:mod:`benchmark.core.locking`; qdrant-edge itself does not lock a shard):
a process building, changing or dropping a collection holds it exclusively, readers of a complete
collection hold it shared. A second process that finds the index being built waits (saying so)
and then reuses the finished index; it never deletes or writes into another process's build. A
builder that is killed loses its lock with its life, and the next process rebuilds.

Disk full: qdrant-edge writes segments through mmap, and a write to a mapped page that the file
system cannot back kills the process with SIGBUS, which no Python code can catch; such a build is
an interrupted one (no marker: rebuilt next time). ``open`` therefore refuses to start a build with
less than 64 MiB free, and other write errors become a ``StoreError`` naming the collection.

Dense vectors are searched exactly (``SearchParams(exact=True)``; HNSW is disabled with ``m=0`` so
the optimizer does not spend time building a graph nobody uses). Sparse vectors are searched through
Qdrant's inverted index, which is exact. No IDF modifier is used: BM25 queries arrive weighted by the
corpus IDF (:class:`benchmark.store.base.VectorKind`). Empty sparse vectors are left out of a point (as the
server store does).
"""

from __future__ import annotations

import json
import logging
import operator
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from benchmark.core import atomic, faults
from benchmark.core.cache_layout import LOCK_DIR
from benchmark.core.locking import FileLock, open_entry
from benchmark.store.base import (
    CollectionInfo,
    CollectionSchema,
    Distance,
    FusionRequest,
    Hits,
    QdrantFusion,
    Vector,
    VectorKind,
    VectorSpec,
)
from benchmark.store.checks import (
    check_fusion,
    check_key,
    check_schema,
    check_upsert,
    chunks,
    dense_array,
    schema_json,
    sparse_parts,
    spec_of,
    stored_vector,
)
from benchmark.store.errors import StoreError

log = logging.getLogger(__name__)

MARKER = "COMPLETE.json"
SHARD_DIR = "shard"
MIN_FREE_BYTES = 64 * 2**20  # refuse to start a build with less free space than this
UPSERT_BATCH = 1_000
QUERY_BATCH = 256
RETRIEVE_BATCH = 4_096
_DISTANCES = {Distance.COSINE: qe.Distance.Cosine, Distance.DOT: qe.Distance.Dot}
_EXACT = qe.SearchParams(exact=True)


def _edge_config(schema: CollectionSchema) -> qe.EdgeConfig:
    no_hnsw = qe.HnswIndexConfig(m=0, ef_construct=100, full_scan_threshold=10_000)
    dense = {
        v.name: qe.EdgeVectorParams(size=v.size, distance=_DISTANCES[v.distance], hnsw_config=no_hnsw)
        for v in schema.vectors
        if v.kind is VectorKind.DENSE
    }
    sparse = {
        v.name: qe.EdgeSparseVectorParams(modifier=None)  # SPARSE_IDF: the client weighs the query (base.VectorKind)
        for v in schema.vectors
        if v.kind is not VectorKind.DENSE
    }
    return qe.EdgeConfig(vectors=dense or None, sparse_vectors=sparse or None, wal_enabled=False)


def _edge_vector(vector: Vector, spec: VectorSpec) -> Any:
    """The vector as qdrant-edge takes it, or None for an empty sparse vector (left out of the point). Lists, not
    arrays: the binding converts a list of Python numbers several times faster than a numpy array (same values:
    float32 -> float -> f32 and uint32 -> int -> u32 are exact)."""
    if spec.kind is VectorKind.DENSE:
        return dense_array(vector, spec).tolist()
    indices, values = sparse_parts(vector, spec.name)
    return qe.SparseVector(indices.tolist(), values.tolist()) if len(indices) else None


def _query(vector: Vector, spec: VectorSpec) -> Any:
    edge = _edge_vector(vector, spec)
    return qe.Query.Nearest(edge if edge is not None else qe.SparseVector([], []), using=spec.name)


def _params(spec: VectorSpec) -> qe.SearchParams | None:
    return _EXACT if spec.kind is VectorKind.DENSE else None


_ID_SCORE = operator.attrgetter("id", "score")  # ids are the ints upserted, scores floats


def _hits(points: Sequence[Any]) -> Hits:
    return list(map(_ID_SCORE, points))


@contextmanager
def _writing(directory: Path, action: str) -> Iterator[None]:
    """qdrant-edge and file-system errors while writing (disk full, read-only cache) as a StoreError."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - qdrant-edge raises plain Exceptions
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"embedded Qdrant collection {directory}: cannot {action}: {text}") from None


def _write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    atomic.write_json(path, dict(data), sort_keys=True, overwrite=True, fsync_dir=True, wrap_errors=False)


def _read_marker(directory: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("complete") is True else None


def _dir_bytes(directory: Path) -> int:
    """Bytes the files under ``directory`` take on disk (like ``du``).

    Allocated blocks rather than apparent sizes: qdrant preallocates 32 MiB sparse pages per
    segment, so apparent sizes would report ~130 MiB for a collection of a few hundred points.
    """
    total = 0
    for path in directory.rglob("*"):
        if path.is_file():
            st = path.stat()
            blocks = getattr(st, "st_blocks", None)
            total += blocks * 512 if blocks is not None else st.st_size
    return total


class EdgeCollection:
    """One collection: an open EdgeShard in ``<root>/<key>/shard``."""

    def __init__(self, key: str, directory: Path, schema: CollectionSchema, shard: qe.EdgeShard,
                 lock: FileLock | None = None) -> None:
        self.key = key
        self.directory = directory
        self.schema = schema
        self._shard: Any = shard
        self._lock = lock
        marker = _read_marker(directory)
        self._meta: dict[str, Any] | None = marker["meta"] if marker else None

    def __repr__(self) -> str:
        return f"EdgeCollection(key={self.key!r}, directory={str(self.directory)!r}, complete={self.is_complete()})"

    def is_complete(self) -> bool:
        return self._meta is not None

    def upsert(self, ids: Sequence[int], vectors: Mapping[str, Sequence[Vector]]) -> None:
        check_upsert(self.schema, ids, vectors)
        self._invalidate()
        specs = [spec_of(self.schema, name) for name in vectors]
        for part in chunks(len(ids), UPSERT_BATCH):
            points = [self._point(int(ids[i]), i, vectors, specs) for i in part]
            with _writing(self.directory, "upsert"):
                self._shard.update(qe.UpdateOperation.upsert_points(points))
            faults.point("store.upserted")

    @staticmethod
    def _point(point_id: int, i: int, vectors: Mapping[str, Sequence[Vector]], specs: list[VectorSpec]) -> Any:
        named = {spec.name: _edge_vector(vectors[spec.name][i], spec) for spec in specs}
        return qe.Point(point_id, {name: v for name, v in named.items() if v is not None})

    def mark_complete(self, meta: Mapping[str, object]) -> None:
        record = {"complete": True, "key": self.key, "schema": schema_json(self.schema), "meta": dict(meta)}
        try:
            record = json.loads(json.dumps(record))
        except (TypeError, ValueError) as exc:
            raise StoreError(f"collection '{self.key}': meta is not JSON-serialisable: {exc}") from exc
        self._invalidate()
        with _writing(self.directory, "flush and optimise"):
            self._shard.flush()
            self._shard.optimize()
            self._shard.flush()
        faults.point("store.flushed")
        with _writing(self.directory, "write the completion marker"):
            _write_json_atomic(self.directory / MARKER, record)
        self._meta = record["meta"]
        if self._lock is not None:
            self._lock.downgrade()  # complete: other processes may read it now

    def _invalidate(self) -> None:
        """Forget completeness before any change, on disk first (taking the key's lock exclusively)."""
        if self._lock is not None and self._lock.mode != "exclusive":
            # a complete collection opened for reading is about to change: wait until no one else reads it
            self._lock.what = f"using index {self.key}"
            self._lock.acquire(exclusive=True)
        (self.directory / MARKER).unlink(missing_ok=True)
        self._meta = None

    def search(self, vector_name: str, queries: Sequence[Vector], k: int) -> list[Hits]:
        spec = spec_of(self.schema, vector_name)
        requests = [
            qe.QueryRequest(limit=k, query=_query(q, spec), params=_params(spec), with_payload=False) for q in queries
        ]
        return self._run(requests)

    def fused_search(self, queries: Mapping[str, Sequence[Vector]], k: int, fusion: FusionRequest) -> list[Hits]:
        n = check_fusion(queries, k, fusion)
        specs = [spec_of(self.schema, name) for name in queries]
        fuse = qe.Fusion.Rrf(k=fusion.rrf_k) if fusion.method is QdrantFusion.RRF else qe.Fusion.Dbsf()
        requests = []
        for i in range(n):
            prefetches = [
                qe.Prefetch(limit=fusion.prefetch_limit, query=_query(queries[s.name][i], s), params=_params(s))
                for s in specs
            ]
            requests.append(qe.QueryRequest(limit=k, query=fuse, prefetches=prefetches, with_payload=False))
        return self._run(requests)

    def vectors(self, vector_name: str, ids: Sequence[int]) -> dict[int, Vector]:
        spec = spec_of(self.schema, vector_name)
        out: dict[int, Vector] = {}
        for part in chunks(len(ids), RETRIEVE_BATCH):
            for record in self._shard.retrieve([int(ids[i]) for i in part], False, True):
                stored = (record.vector or {}).get(vector_name)
                if stored is not None:
                    out[int(record.id)] = stored_vector(stored, spec)
        return out

    def _run(self, requests: list[Any]) -> list[Hits]:
        if len(requests) == 1:  # one user request (the latency path): no batch wrapper
            return [_hits(self._shard.query(requests[0]))]
        results: list[Hits] = []
        for part in chunks(len(requests), QUERY_BATCH):
            batch = qe.QueryBatchRequest([requests[i] for i in part])
            results.extend(_hits(points) for points in self._shard.query_batch(batch))
        return results

    def info(self) -> CollectionInfo:
        points = int(self._shard.info().points_count)
        return CollectionInfo(self.key, points, _dir_bytes(self.directory), dict(self._meta or {}))

    def close(self) -> None:
        try:
            self._shard.close()
        finally:
            if self._lock is not None:
                self._lock.release()


class EdgeStore:
    """Collections as qdrant-edge shards under ``root`` (one directory per key)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._open: dict[str, EdgeCollection] = {}

    def __repr__(self) -> str:
        return f"EdgeStore(root={str(self.root)!r})"

    def open(self, key: str, schema: CollectionSchema) -> EdgeCollection:
        check_key(key)
        check_schema(schema)
        current = self._open.get(key)
        if current is not None and current.is_complete() and current.schema == schema:
            return current
        self._close(key)
        directory = self.root / key
        lock = self._lock(key, f"building index {key}")
        shard = open_entry(lock, lambda: self._load_reusable(key, directory, schema),
                           lambda: self._create(directory, schema))
        return self._remember(EdgeCollection(key, directory, schema, shard, lock))

    def drop(self, key: str) -> None:
        check_key(key)
        self._close(key)
        lock = self._lock(key, f"using index {key}")
        lock.acquire(exclusive=True)
        try:
            self._remove(self.root / key)
        finally:
            lock.release()

    def exists_complete(self, key: str) -> bool:
        check_key(key)
        return _read_marker(self.root / key) is not None

    def close(self) -> None:
        for key in list(self._open):
            self._close(key)

    def _lock(self, key: str, what: str) -> FileLock:
        return FileLock(self.root / LOCK_DIR / f"{key}.lock", what)  # = CacheLayout.lock(QDRANT_EDGE, key)

    def _load_reusable(self, key: str, directory: Path, schema: CollectionSchema) -> Any | None:
        if not self._reusable(directory, schema):
            return None
        try:
            return qe.EdgeShard.load(str(directory / SHARD_DIR))
        except Exception as exc:  # noqa: BLE001 - a damaged shard is rebuilt, not fatal
            log.warning("collection %s: cannot load (%s); rebuilding", key, exc)
            return None

    def _create(self, directory: Path, schema: CollectionSchema) -> Any:
        free = shutil.disk_usage(self.root).free
        if free < MIN_FREE_BYTES:  # qdrant-edge writes through mmap: a full disk would kill us with SIGBUS
            raise StoreError(f"not enough free disk space to build an index in {self.root}: {free / 2**20:.0f} MiB "
                             f"free, at least {MIN_FREE_BYTES // 2**20} MiB needed")
        with _writing(directory, "create the collection"):
            self._remove(directory)
            directory.mkdir(parents=True)
            return qe.EdgeShard.create(str(directory / SHARD_DIR), _edge_config(schema))

    def _reusable(self, directory: Path, schema: CollectionSchema) -> bool:
        marker = _read_marker(directory)
        if marker is None:
            return False
        if marker.get("schema", {}).get("vectors") != schema_json(schema)["vectors"]:
            log.warning("collection %s: stored for another schema; rebuilding", directory.name)
            return False
        return (directory / SHARD_DIR).is_dir()

    def _remember(self, collection: EdgeCollection) -> EdgeCollection:
        self._open[collection.key] = collection
        return collection

    def _close(self, key: str) -> None:
        collection = self._open.pop(key, None)
        if collection is not None:
            collection.close()

    @staticmethod
    def _remove(directory: Path) -> None:
        (directory / MARKER).unlink(missing_ok=True)  # first: a half-removed directory is never "complete"
        if directory.exists():
            shutil.rmtree(directory)

"""What both store implementations check and share: key validation, the schema's JSON form, the checks on an
upsert batch and a fused search, and the conversions of vectors to and from the stores' forms."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from benchmark.store.base import (
    CollectionSchema,
    FusionRequest,
    QdrantFusion,
    SparseVector,
    Vector,
    VectorKind,
    VectorSpec,
)
from benchmark.store.errors import StoreError

_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def check_key(key: str) -> str:
    """A collection key must be usable as a directory and a collection name: ``[A-Za-z0-9._-]``, <= 200."""
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key) or key in {".", ".."}:
        raise StoreError(f"invalid collection key {key!r}: use letters, digits, '.', '_' and '-' (at most 200)")
    return key


def schema_json(schema: CollectionSchema) -> dict[str, Any]:
    """The schema as plain JSON, for markers: compared on reopen to tell a stale collection."""
    vectors = [
        {"name": v.name, "kind": v.kind.value, "size": v.size, "distance": v.distance.value} for v in schema.vectors
    ]
    return {"vectors": vectors, "shards": schema.shards, "replication_factor": schema.replication_factor}


def check_schema(schema: CollectionSchema) -> None:
    names = [v.name for v in schema.vectors]
    if not names:
        raise StoreError("a collection schema needs at least one vector")
    if len(set(names)) != len(names):
        raise StoreError(f"duplicate vector names in schema: {names}")
    for v in schema.vectors:
        if v.kind is VectorKind.DENSE and v.size <= 0:
            raise StoreError(f"dense vector '{v.name}' needs a positive size")
    if schema.shards < 1 or schema.replication_factor < 1:
        raise StoreError("shards and replication_factor must be at least 1")


def spec_of(schema: CollectionSchema, name: str) -> VectorSpec:
    for v in schema.vectors:
        if v.name == name:
            return v
    raise StoreError(f"unknown vector '{name}'; schema has: {', '.join(v.name for v in schema.vectors)}")


def check_upsert(schema: CollectionSchema, ids: Sequence[int], vectors: Mapping[str, Sequence[Vector]]) -> None:
    """Every schema vector given, one per id, of the right kind (and size for dense)."""
    expected = {v.name for v in schema.vectors}
    if set(vectors) != expected:
        raise StoreError(f"upsert needs exactly the vectors {sorted(expected)}, got {sorted(vectors)}")
    for name, vs in vectors.items():
        if len(vs) != len(ids):
            raise StoreError(f"vector '{name}': {len(vs)} vectors for {len(ids)} ids")
    if any(int(i) < 0 for i in ids):
        raise StoreError("point ids must be non-negative integers")


def check_fusion(queries: Mapping[str, Sequence[Vector]], k: int, fusion: FusionRequest) -> int:
    """Validate a fused search; returns the number of queries (the same for each vector)."""
    counts = {len(q) for q in queries.values()}
    if not queries or len(counts) != 1:
        raise StoreError("fused search needs one or more vectors with the same number of queries each")
    if k < 1 or fusion.prefetch_limit < 1:
        raise StoreError("k and prefetch_limit must be positive")
    if fusion.method is QdrantFusion.RRF and fusion.rrf_k < 1:
        raise StoreError(f"rrf_k must be a positive integer, got {fusion.rrf_k}")
    return counts.pop()


def dense_array(vector: Vector, spec: VectorSpec) -> np.ndarray:
    arr = np.asarray(vector, dtype=np.float32)
    if arr.ndim != 1 or arr.shape[0] != spec.size or not np.isfinite(arr).all():
        raise StoreError(f"vector '{spec.name}' needs finite 1-d dense vectors of size {spec.size}")
    return arr


def sparse_parts(vector: Vector, name: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(vector, SparseVector):
        raise StoreError(f"vector '{name}' is sparse: pass SparseVector objects")
    indices = np.asarray(vector.indices, dtype=np.uint32)
    values = np.asarray(vector.values, dtype=np.float32)
    if indices.shape != values.shape or indices.ndim != 1:
        raise StoreError(f"sparse vector '{name}': indices and values differ in length")
    return indices, values


def stored_vector(stored: Any, spec: VectorSpec) -> Vector:
    """A vector read back from either store (an object with ``indices``/``values``, or a list of floats)."""
    if spec.kind is VectorKind.DENSE:
        return np.asarray(stored, dtype=np.float32)
    order = np.argsort(np.asarray(stored.indices, dtype=np.uint32), kind="stable")
    return SparseVector(np.asarray(stored.indices, dtype=np.uint32)[order],
                        np.asarray(stored.values, dtype=np.float32)[order])


def chunks(n: int, size: int) -> list[range]:
    return [range(start, min(n, start + size)) for start in range(0, n, size)] if n else []

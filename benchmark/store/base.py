"""The vector-store interface the harness and retrievers use, whatever Qdrant deployment is behind it.

Points are identified by integer ids: a document's position in the sorted doc-id list of the
corpus (the harness keeps that mapping; the collection key includes the dataset checksum, so the
mapping is fixed for a collection). Two implementations: ``edge.EdgeStore`` (embedded
qdrant-edge-py, on disk, the default) and ``server.ServerStore`` (qdrant-client, for a Qdrant
server or cluster, or ``QdrantClient(":memory:")`` in tests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol, runtime_checkable

import numpy as np


class VectorKind(str, Enum):
    DENSE = "dense"  # float32 vectors, exact (no HNSW) cosine or dot search
    SPARSE = "sparse"  # sparse vectors, dot product
    # BM25: documents hold the term-frequency part; a query term weighs its count x the corpus IDF, applied by the
    # client to the query sent to the store (never Qdrant's Modifier.IDF, which counts per shard), so the store's
    # scores do not depend on the number of shards. ("sparse-idf", the old value, named Modifier.IDF indexes.)
    SPARSE_IDF = "sparse-client-idf"


class Distance(str, Enum):
    COSINE = "cosine"
    DOT = "dot"


class QdrantFusion(str, Enum):
    """The fusions Qdrant's Prefetch + Fusion query offers (the store's API; users choose a
    :class:`benchmark.fusion.methods.FuseMethod`, which maps onto these)."""

    RRF = "rrf"
    DBSF = "dbsf"


@dataclass(frozen=True, slots=True)
class VectorSpec:
    name: str
    kind: VectorKind
    size: int = 0  # dense dimension; 0 for sparse
    distance: Distance = Distance.DOT


@dataclass(frozen=True, slots=True)
class CollectionSchema:
    vectors: tuple[VectorSpec, ...]
    shards: int = 1  # server/cluster only
    replication_factor: int = 1  # server/cluster only


@dataclass(frozen=True, slots=True)
class SparseVector:
    indices: np.ndarray  # uint32, strictly increasing
    values: np.ndarray  # float32, same length


Vector = SparseVector | np.ndarray  # a dense vector is a 1-d float32 array
Hits = list[tuple[int, float]]  # (point id, score), best first


@dataclass(frozen=True, slots=True)
class FusionRequest:
    """Fuse several vector searches inside Qdrant (Prefetch + Fusion)."""

    method: QdrantFusion = QdrantFusion.RRF
    prefetch_limit: int = 100
    rrf_k: int = 60


@dataclass(frozen=True, slots=True)
class CollectionInfo:
    key: str
    points: int
    disk_bytes: int  # 0 where the deployment cannot tell (a remote server)
    meta: Mapping[str, object] = field(default_factory=dict)


@runtime_checkable
class Collection(Protocol):
    key: str

    def is_complete(self) -> bool:
        """True only once ``mark_complete`` has run after the last upsert."""

    def upsert(self, ids: Sequence[int], vectors: Mapping[str, Sequence[Vector]]) -> None:
        """Insert or replace points; ``vectors`` maps each vector name of the schema to one vector per id."""

    def mark_complete(self, meta: Mapping[str, object]) -> None:
        """Flush, then record that the collection is whole (written last)."""

    def search(self, vector_name: str, queries: Sequence[Vector], k: int) -> list[Hits]:
        """Exact top-k per query (batched), best first."""

    def fused_search(
        self, queries: Mapping[str, Sequence[Vector]], k: int, fusion: FusionRequest
    ) -> list[Hits]:
        """Top-k per query after fusing one prefetch per named vector (same number of queries each)."""

    def vectors(self, vector_name: str, ids: Sequence[int]) -> dict[int, Vector]:
        """The stored ``vector_name`` vector of each id, as the store keeps it (cosine vectors normalised);
        a point without that vector (an empty sparse vector) is left out."""

    def info(self) -> CollectionInfo: ...


class Store(Protocol):
    def open(self, key: str, schema: CollectionSchema) -> Collection:
        """The collection named ``key``: reused if complete, otherwise dropped and created empty."""

    def drop(self, key: str) -> None: ...

    def exists_complete(self, key: str) -> bool: ...

    def close(self) -> None:
        """Release open shards / client connections."""

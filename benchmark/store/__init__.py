"""Vector stores: the interface (``base``), embedded qdrant-edge (``edge``), Qdrant server (``server``).

``EdgeStore``, ``ServerStore`` and ``make_store`` are imported lazily, so that importing this package
(for the types or ``StoreError``) does not load qdrant-client or qdrant-edge. The helpers both
implementations share live in ``checks`` and ``StoreError`` in ``errors``: the implementations import those,
never this package, so that the package can name them without an import cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from benchmark.store.base import (
    Collection,
    CollectionInfo,
    CollectionSchema,
    Distance,
    FusionRequest,
    Hits,
    QdrantFusion,
    SparseVector,
    Store,
    Vector,
    VectorKind,
    VectorSpec,
)
from benchmark.store.errors import StoreError

if TYPE_CHECKING:
    from benchmark.store.edge import EdgeStore
    from benchmark.store.factory import make_store
    from benchmark.store.server import ServerStore

__all__ = [
    "Collection",
    "CollectionInfo",
    "CollectionSchema",
    "Distance",
    "EdgeStore",
    "FusionRequest",
    "Hits",
    "QdrantFusion",
    "ServerStore",
    "SparseVector",
    "Store",
    "StoreError",
    "Vector",
    "VectorKind",
    "VectorSpec",
    "make_store",
]

_LAZY = {
    "EdgeStore": "benchmark.store.edge",
    "ServerStore": "benchmark.store.server",
    "make_store": "benchmark.store.factory",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

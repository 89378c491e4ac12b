"""Pick the vector store: embedded qdrant-edge by default, a Qdrant server when a URL is given."""

from __future__ import annotations

import os
from pathlib import Path

from benchmark.core.cache_layout import QDRANT_EDGE, CacheLayout
from benchmark.store.base import Store


def make_store(qdrant_url: str | None, cache_root: Path) -> Store:
    """``ServerStore`` for ``qdrant_url`` (or ``$QDRANT_URL``), else ``EdgeStore(<cache_root>/qdrant-edge)`` (:mod:`benchmark.core.cache_layout`).

    The API key, if any, comes from ``$QDRANT_API_KEY``. Each implementation is imported only when
    chosen, so the edge path never loads qdrant-client and vice versa.
    """
    url = qdrant_url or os.environ.get("QDRANT_URL") or None
    if url:
        from benchmark.store import server

        return server.ServerStore(url=url)
    from benchmark.store import edge

    return edge.EdgeStore(CacheLayout(Path(cache_root)).area(QDRANT_EDGE))

"""The error every vector store raises."""

from __future__ import annotations

from benchmark.core.errors import ShopbenchError


class StoreError(ShopbenchError):
    """A vector store cannot do what was asked: unreachable server, bad key, wrong vectors, ..."""

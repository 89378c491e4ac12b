"""The error a retriever config raises; its own module so that the registry and the modules it builds from
(fused retrievers, fusion settings) can all raise it without importing one another."""

from __future__ import annotations

from benchmark.core.errors import ShopbenchError


class ConfigError(ShopbenchError):
    """A retriever config or override is invalid."""

"""A fused retriever (``hybrid:A+B``): its parts, built as stand-alone retrievers, and how they are fused.

Client-side (default), each part searches its own index (the one ``-r PART`` builds and reuses) and
:mod:`benchmark.fusion.run` fuses the parts' runs. Server-side, :func:`benchmark.fusion.server_side.shared_collection`
puts every part's encoder into one collection (vectors taken from the vector cache, so nothing is
re-encoded) and Qdrant fuses with Prefetch + Fusion, one request per query, batched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from benchmark.fusion.methods import FusionParams, FusionSite
from benchmark.fusion.settings import FusionSettings
from retrievers.retriever import Retriever


@dataclass
class FusedRetriever:
    name: str
    settings: FusionSettings
    parts: tuple[tuple[str, Retriever], ...]  # (part name, its retriever), in the order of the name

    @property
    def site(self) -> FusionSite:
        return self.settings.where

    def part_description(self, part: str, retriever: Retriever) -> dict[str, Any]:
        """A part as the result file records it: ``retriever`` is exactly what ``-r PART`` records as its
        config, so the leaderboard can point at the part's own row."""
        return {"name": part, "retriever": retriever.describe(), "index_fingerprint": retriever.index_fingerprint(),
                "encoders": [e.identity.fingerprint for e in retriever.encoders]}

    def describe(self, params: FusionParams, tuning: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Everything about this fused retriever that a result file records (``RetrieverInfo.config``)."""
        settings = self.settings.model_dump(mode="json")
        return {
            "name": self.name,
            "kind": "fusion",
            "config": settings,
            "fusion": {**params.as_dict(), "where": self.site.value, "depth": self.settings.depth,
                       "tuning": dict(tuning) if tuning else None},
            "parts": [self.part_description(part, r) for part, r in self.parts],
            "encoders": [e.identity.as_dict() for _, r in self.parts for e in r.encoders],
            "text": self._text(),
        }

    def _text(self) -> dict[str, Any]:
        configs = [r.text_builder.config() for _, r in self.parts]
        if all(c == configs[0] for c in configs):
            return configs[0]
        return {"parts": {part: r.text_builder.config() for part, r in self.parts}}

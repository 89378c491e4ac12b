"""Named fusions: a short name that stands for a fused retriever and its settings.

``hybrid`` is the classic sparse + dense hybrid: SPLADE (or ``splade-ft``, or ``bm25``) and the dense model in one
Qdrant collection, fused by Qdrant with RRF. It is exactly ``hybrid:splade+dense --set where=server``, resolved,
built, run and recorded in that shape (the parts, their configs and index fingerprints, the fusion); its own
settings are shorthands for the fused retriever's:

=================  ==========================================================
``sparse``         the first part: ``splade`` (default), ``splade-ft``, ``bm25``
``sparse_model``   that part's ``model``
``dense_model``    the dense part's ``model``
``fusion``         ``method`` (``rrf`` default, or ``dbsf``)
``rrf_k``          ``rrf_k`` (60)
``prefetch_limit`` ``depth``: hits per part that Qdrant fuses (100)
``batch_size``     both neural parts' ``batch_size``
``device``         both neural parts' ``device``
``text_format``    every part's ``text_format``
=================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from benchmark.datasets.text import TextFormat
from benchmark.fusion.methods import FuseMethod, FusionSite
from benchmark.fusion.settings import FUSION_PREFIX, ConfigError


class HybridPreset(BaseModel):
    """The settings of ``hybrid`` (see the module docstring for what each one sets)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sparse: Literal["splade", "splade-ft", "bm25"] = "splade"
    sparse_model: str | None = None
    dense_model: str | None = None
    fusion: Literal[FuseMethod.RRF, FuseMethod.DBSF] = FuseMethod.RRF
    rrf_k: int = 60
    prefetch_limit: int = 100
    batch_size: int = 64
    device: str = "auto"
    text_format: TextFormat | None = None

    def fused_name(self) -> str:
        return f"{FUSION_PREFIX}{self.sparse}+dense"

    def expand(self) -> dict[str, Any]:
        """The fused retriever's settings: fusion settings, and each part's under its name."""
        neural = {"batch_size": self.batch_size, "device": self.device}
        text = {"text_format": self.text_format.value} if self.text_format else {}
        sparse = {**(neural if self.sparse != "bm25" else {}), **text}
        if self.sparse_model:
            sparse["model"] = self.sparse_model
        dense = {**neural, **text, **({"model": self.dense_model} if self.dense_model else {})}
        return {"method": self.fusion.value, "rrf_k": self.rrf_k, "depth": self.prefetch_limit,
                "where": FusionSite.SERVER.value, self.sparse: sparse, "dense": dense}


PRESETS: dict[str, type[HybridPreset]] = {"hybrid": HybridPreset}


def is_preset(name: str) -> bool:
    return name in PRESETS


def expand_preset(name: str, overrides: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``hybrid`` + its settings -> (``hybrid:splade+dense``, the fused retriever's settings)."""
    preset = PRESETS[name]
    try:
        chosen = preset.model_validate(dict(overrides))
    except ValidationError as err:
        fields = ", ".join(preset.model_fields)
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise ConfigError(f"retriever {name}: {problems} (settings: {fields})") from None
    if chosen.rrf_k < 1 or chosen.prefetch_limit < 1:
        raise ConfigError(f"{name} needs prefetch_limit >= 1 and rrf_k >= 1")
    return chosen.fused_name(), chosen.expand()

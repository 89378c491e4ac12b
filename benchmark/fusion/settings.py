"""The settings of a fused retriever, ``hybrid:A+B[+C]``: which parts, which fusion, where, tuned or not.

A fused name lists named retrievers joined by ``+`` after ``hybrid:`` (``hybrid:bm25+splade-ft``,
``hybrid:bm25+splade-ft@hd-cpu+dense``). Each part is resolved exactly as ``-r PART`` would be, so a
part and the stand-alone run of that retriever are the same system, with the same index.

Fusion settings (``--set key=value``, or the mapping under the fused name in a ``--config`` file):
``method`` (``rrf`` default, ``dbsf``, ``wsum``, ``combsum``, ``combmnz``), ``rrf_k`` (60), ``norm``
(score-based methods: ``min-max`` default, ``zmuv``, ``max``, ``sum``, ``none``), ``weights`` (``wsum``:
one per part, in part order, or a mapping part -> weight in a config file), ``depth`` (hits per part that
are fused; 100), ``where`` (``client`` default, ``server``) and ``tune`` (``dev``: choose ``rrf_k`` or the
``wsum`` weights on the dev split).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from benchmark.fusion.methods import FuseMethod, FusionParams, FusionSite, Normalization
from retrievers.errors import ConfigError

FUSION_PREFIX = "hybrid:"
TUNE_SPLIT = "dev"
TUNE_REFUSED = ("tuning on the test split is refused: parameters chosen on test make the test numbers "
                "optimistic; tune on the dev split (--set tune=dev)")


def is_fused_name(name: str) -> bool:
    return name.startswith(FUSION_PREFIX)


def part_names(name: str) -> tuple[str, ...]:
    """``hybrid:bm25+splade-ft`` -> ``("bm25", "splade-ft")``; structural checks only (see the registry)."""
    parts = tuple(p.strip() for p in name[len(FUSION_PREFIX):].split("+"))
    if len(parts) < 2 or not all(parts):
        raise ConfigError(f"'{name}': a fused retriever lists two or more retrievers, e.g. hybrid:bm25+splade-ft")
    if len(set(parts)) != len(parts):
        raise ConfigError(f"'{name}': a retriever is listed twice")
    return parts


class FusionSettings(BaseModel):
    """The fusion part of a fused retriever's config (the parts' own settings live in their configs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    parts: tuple[str, ...]
    method: FuseMethod = FuseMethod.RRF
    rrf_k: int = 60
    norm: Normalization | None = None  # None: min-max for score-based methods, unused otherwise
    weights: tuple[float, ...] | None = None
    depth: int = 100
    where: FusionSite = FusionSite.CLIENT
    tune: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _weights_by_name(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("weights"), Mapping):
            weights, parts = data["weights"], list(data.get("parts", ()))
            unknown = sorted(set(weights) - set(parts))
            if unknown or len(weights) != len(parts):
                raise ValueError(f"weights must name each part once ({', '.join(parts)}); got {', '.join(weights)}")
            data = {**data, "weights": [weights[p] for p in parts]}
        return data

    @field_validator("weights", mode="before")
    @classmethod
    def _weights_from_text(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (float(value),)
        if isinstance(value, str):  # --set weights=0.7,0.3 or weights=[0.7,0.3]
            try:
                return tuple(float(v) for v in value.strip().strip("[]()").split(",") if v.strip())
            except ValueError:
                raise ValueError(f"weights must be numbers separated by commas, got {value!r}") from None
        return value

    @field_validator("tune", mode="before")
    @classmethod
    def _tune_split(cls, value: Any) -> Any:
        if value is True:
            return TUNE_SPLIT
        if value in (False, None, "", "none", "no"):
            return None
        if value == "test":
            raise ValueError(TUNE_REFUSED)
        if value != TUNE_SPLIT:
            raise ValueError(f"tune takes 'dev' (the split the parameters are chosen on), got {value!r}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FusionSettings:
        method = self.method
        if self.rrf_k < 1 or self.depth < 1:
            raise ValueError("rrf_k and depth must be >= 1")
        if self.norm is not None and not method.uses_norm:
            raise ValueError(f"norm applies to wsum, combsum and combmnz, not {method.value}")
        if self.weights is not None:
            if method is not FuseMethod.WSUM:
                raise ValueError(f"weights apply to method=wsum, not {method.value}")
            if len(self.weights) != len(self.parts):
                raise ValueError(f"{len(self.weights)} weights for {len(self.parts)} parts ({', '.join(self.parts)})")
            if any(w < 0 for w in self.weights) or not any(self.weights):
                raise ValueError("weights must be >= 0 and not all 0")
        if self.where is FusionSite.SERVER and (method.server is None or self.weights is not None):
            raise ValueError(f"where=server fuses with Qdrant's rrf or dbsf (unweighted), not {method.value}")
        if self.tune and method.tunable is None:
            raise ValueError(f"method={method.value} has no parameter to tune (tunable: rrf (rrf_k), wsum (weights))")
        if self.tune and self.weights is not None:
            raise ValueError("tune=dev chooses the weights; do not also set weights")
        return self

    def params(self) -> FusionParams:
        """The fusion these settings describe (before any tuning)."""
        norm = self.norm or (Normalization.MIN_MAX if self.method.uses_norm else Normalization.NONE)
        weights = self.weights
        if self.method is FuseMethod.WSUM and weights is None:
            weights = tuple(1.0 / len(self.parts) for _ in self.parts)
        return FusionParams(self.method, self.rrf_k, norm, weights)


@dataclass(frozen=True)
class FusedConfig:
    """A fused retriever resolved: its fusion settings and each part's resolved config, in part order."""

    settings: FusionSettings
    parts: tuple[tuple[str, Any], ...]  # (part name as typed, its registry config)

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        return self.settings.model_dump(mode=mode)

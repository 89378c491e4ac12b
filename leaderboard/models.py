"""Which model a result used, as shared output shows it: a name that means the same on every machine.

A hub id (``naver/splade-v3``) and a bundled alias (``bundled:splade-tiny``) are shown as they are. A local
model folder is shown by its registered name when the retriever names one (``splade-ft@demo-cpu``: ``bench
train`` registered it), else by the folder's last component, plus the first hex digits of its weights' sha256
(``demo-cpu sha256:e7abe571``): the hash, not the path, identifies the weights. Old result files that
recorded the folder's absolute path render the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from benchmark.ranking.results import ResultRecord
from leaderboard.portable import is_machine_path, path_tail

BUNDLED_PREFIX = "bundled:"
VARIANT_SEPARATOR = "@"
SHA_SHOWN = 8
JOIN = " + "


@dataclass(frozen=True, slots=True)
class ModelRef:
    """One encoder's model as a result file records it (``RetrieverInfo.config["encoders"][i]["model"]``)."""

    name: str
    revision: str = ""
    weights_sha256: str = ""
    architecture: str = ""  # "inference-free" when the encoder recorded it (a static query table, no query model)

    @property
    def is_folder(self) -> bool:
        """A local folder (its weights were hashed, or its name is a path); a bundled alias is not one."""
        if self.name.startswith(BUNDLED_PREFIX):
            return False
        return bool(self.weights_sha256) or is_machine_path(self.name) or self.name.startswith((".", "~"))

    @property
    def sha(self) -> str:
        """``sha256:e7abe571`` (empty when the weights were not hashed)."""
        return f"sha256:{self.weights_sha256[:SHA_SHOWN]}" if self.weights_sha256 else ""

    def name_shown(self, registered: str | None = None) -> str:
        """The registered name or the folder's last component for a folder; else the name as recorded."""
        if not self.is_folder:
            return self.name
        return registered or path_tail(self.name)

    def shown(self, registered: str | None = None) -> str:
        """:meth:`name_shown`, plus the weights' hash for a folder (``demo-cpu sha256:e7abe571``) and the
        architecture where it is not plain SPLADE/dense (``… · inference-free``)."""
        name = self.name_shown(registered)
        shown = f"{name} {self.sha}" if self.is_folder and self.sha else name
        return f"{shown} · {self.architecture}" if self.architecture else shown


def registered_name(retriever: str) -> str | None:
    """``splade-ft@demo-cpu`` names a model registered by ``bench train``; a plain ``splade-ft`` does not."""
    return retriever if VARIANT_SEPARATOR in retriever else None


def model_refs(description: Mapping[str, Any]) -> list[ModelRef]:
    """The models of a retriever description (``{"encoders": [{"model": {...}}, ...]}``), in encoder order."""
    refs = []
    for encoder in description.get("encoders") or []:
        model = encoder.get("model") if isinstance(encoder, Mapping) else None
        if isinstance(model, Mapping) and model.get("name"):
            config = encoder.get("config")
            architecture = config.get("architecture") if isinstance(config, Mapping) else None
            refs.append(ModelRef(str(model["name"]), str(model.get("revision") or ""),
                                 str(model.get("weights_sha256") or ""), str(architecture or "")))
    return refs


def _refs_from_ids(model_id: str | None, weights_sha256: str | None) -> list[ModelRef]:
    """Fallback for a record whose config lists no encoders: the joined ``model_id`` (hashes when aligned)."""
    if not model_id:
        return []
    names = model_id.split(JOIN)
    hashes = (weights_sha256 or "").split(JOIN)
    if len(hashes) != len(names):
        hashes = [""] * len(names)
    return [ModelRef(name, weights_sha256=sha) for name, sha in zip(names, hashes, strict=True)]


def _registered_for(retriever: str, refs: Sequence[ModelRef]) -> str | None:
    """The registered name applies to the retriever's one model folder (``splade-ft@NAME`` has one model)."""
    return registered_name(retriever) if sum(r.is_folder for r in refs) == 1 else None


def models_text(retriever: str, refs: Sequence[ModelRef]) -> str | None:
    """``splade-ft@demo-cpu sha256:e7abe571``, ``bundled:splade-tiny + bundled:all-MiniLM-L6-v2``; None: no model."""
    registered = _registered_for(retriever, refs)
    return JOIN.join(r.shown(registered) for r in refs) or None


def model_names(retriever: str, refs: Sequence[ModelRef]) -> str | None:
    """:func:`models_text` without the hashes (for labels)."""
    registered = _registered_for(retriever, refs)
    return JOIN.join(r.name_shown(registered) for r in refs) or None


def record_refs(record: ResultRecord) -> list[ModelRef]:
    info = record.retriever
    return model_refs(info.config) or _refs_from_ids(info.model_id, info.weights_sha256)


def record_models(record: ResultRecord) -> str | None:
    """The model column of a (not fused) result: no machine path, the registered name when known."""
    return models_text(record.retriever.name, record_refs(record))


def part_models(part: Mapping[str, Any]) -> str | None:
    """The models of one part of a fused result (``RetrieverInfo.config["parts"][i]``)."""
    description = part.get("retriever")
    if not isinstance(description, Mapping):
        return None
    return models_text(str(part.get("name", "")), model_refs(description))

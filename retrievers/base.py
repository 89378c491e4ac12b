"""What every retriever adapter provides: an encoder from texts to one kind of vector.

A retriever (see :mod:`retrievers.retriever`) is one encoder searched directly, or several encoders
in one collection fused by Qdrant. Everything that can change a result is in the encoder's
``identity`` (configuration + model identity); it is hashed into the index key and written into
every result file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from benchmark.store.base import Vector, VectorSpec

Progress = Callable[[int], None]  # called with the number of items just finished


@dataclass(frozen=True, slots=True)
class ModelIdentity:
    """Which weights produced the vectors: a hub id + revision, or a local path + weights hash."""

    name: str
    revision: str = ""
    weights_sha256: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "revision": self.revision, "weights_sha256": self.weights_sha256}


@dataclass(frozen=True, slots=True)
class EncoderIdentity:
    kind: str  # "bm25", "splade", "dense"
    config: Mapping[str, object]
    model: ModelIdentity | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "config": dict(self.config)}
        if self.model:
            out["model"] = self.model.as_dict()
        return out

    @property
    def fingerprint(self) -> str:
        """Hash of what changes document vectors (the model *name* is left out when weights are hashed,
        so the same weights found at two paths share an index)."""
        data = self.as_dict()
        if self.model and self.model.weights_sha256:
            data["model"] = {"weights_sha256": self.model.weights_sha256}
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class Encoder(Protocol):
    spec: VectorSpec

    @property
    def identity(self) -> EncoderIdentity: ...

    def prepare(self, documents: Sequence[str]) -> None:
        """Learn corpus statistics before encoding documents (BM25: vocabulary, average length)."""

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> list[Vector]: ...

    def encode_queries(self, texts: Sequence[str]) -> list[Vector]: ...

    def load(self, documents: bool = False) -> None:
        """Make ready to encode queries, and documents too with ``documents`` (load the model, import torch): called
        before any encoding is timed, so that throughput figures never include one-time start-up. (An
        inference-free SPLADE encodes queries without its document model: only ``documents`` loads that.)"""

"""SPLADE through sentence-transformers' ``SparseEncoder``: off-the-shelf or fine-tuned.

Sparse vectors go to Qdrant as sparse vectors and are scored by dot product. Any
``SparseEncoder``-loadable model works (a hub id, a local folder, a fine-tuned output folder), and
so does a plain masked-LM checkpoint (sentence-transformers builds MLM + SPLADE max pooling).

An *inference-free* model (a static query table + a SPLADE document model, :mod:`retrievers.static_query`) is
detected from its files: its queries are encoded by table lookup, without torch or the document model, and its
identity says ``architecture: inference-free`` (results and leaderboards show it).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from benchmark.store.base import SparseVector, VectorKind, VectorSpec
from retrievers import models
from retrievers.base import EncoderIdentity, ModelIdentity, Progress
from retrievers.neural import ModelSettings, encode_sorted, load_model
from retrievers.sparse_rows import sparse_rows
from retrievers.splade_fast import FastSplade, is_routed, unsupported_reason
from retrievers.static_query import ARCHITECTURE, StaticQueryTable, StaticRoute, detect
from retrievers.vocabulary import TokenVocabulary

EncodePath = Literal["fast", "plain"]


@dataclass(frozen=True, slots=True)
class SpladeSettings(ModelSettings):
    """``encode_path``: ``fast`` (:mod:`retrievers.splade_fast`, same vectors, used when the model allows it)
    or ``plain`` (sentence-transformers' ``encode_query`` / ``encode_document``). Not part of the index
    key: both give the same vectors (checked on probe texts when the encoder is built)."""

    encode_path: EncodePath = "fast"


class SpladeEncoder:
    """A SPLADE model behind the :class:`~retrievers.base.Encoder` protocol.

    A local or bundled model is loaded on first use: its identity (weights hash) is known without
    loading it, so a run that reuses a complete index and cached query vectors never imports torch.
    A hub model is loaded at once (its revision is known once it is downloaded).
    """

    def __init__(self, settings: SpladeSettings, vector_name: str = "splade") -> None:
        self.settings = settings
        self.spec = VectorSpec(vector_name, VectorKind.SPARSE)
        self._model = None
        self._fast: FastSplade | None = None
        self._table: StaticQueryTable | None = None
        self._route: StaticRoute | None = None
        self.inference_free = False
        resolved = models.resolve(settings.model)
        if Path(resolved).exists():
            self._route = detect(resolved)
            self.inference_free = self._route is not None
            self.model_identity = models.identity(settings.model, resolved)
        else:
            self.model_identity = self._load()

    @property
    def model(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            self._load()
        return self._model

    @property
    def fast(self) -> FastSplade | None:
        self.model  # noqa: B018 - loads the model (and decides the encode path) on first use
        return self._fast

    def _load(self) -> ModelIdentity:
        from sentence_transformers import SparseEncoder

        model, identity = load_model(SparseEncoder, self.settings, "SPLADE / SparseEncoder")
        _require_splade(model, self.settings.model)
        self._fast = _fast_path(model, self.settings)
        self._model = model
        if self._route is None and is_routed(model):
            static = _static_module(model)
            if static is not None:
                self.inference_free = True
                self._table = StaticQueryTable.of_module(static, (model.prompts or {}).get("query") or "")
        return identity

    @property
    def table(self) -> StaticQueryTable | None:
        """The query table of an inference-free model (read from its folder on first use; None otherwise)."""
        if self._table is None and self._route is not None:
            self._table = StaticQueryTable.load(self._route)
        return self._table

    @property
    def identity(self) -> EncoderIdentity:
        config: dict[str, object] = {"max_length": self.settings.max_length}
        if self.inference_free:
            config["architecture"] = ARCHITECTURE
        return EncoderIdentity("splade", config, self.model_identity)

    def prepare(self, documents: Sequence[str]) -> None:
        """SPLADE needs no corpus statistics."""

    def load(self, documents: bool = False) -> None:
        """Ready to encode queries (and documents with ``documents``): for queries alone an inference-free model
        reads its query table only."""
        if self.inference_free and self.settings.encode_path == "fast" and not documents:
            self.table  # noqa: B018 - reads the table
            return
        self.model  # noqa: B018 - loads the model (and decides the encode path)

    @property
    def encode_path(self) -> EncodePath:
        return "fast" if self.fast else "plain"

    def _encode(self, texts: list[str], query: bool) -> list[SparseVector]:
        if query and self.inference_free and self.settings.encode_path == "fast":
            return self.table.encode(texts)  # type: ignore[union-attr] - no transformer, no torch
        if self.fast and (self.fast.encodes_queries or not query):
            return self.fast.encode(texts, self.settings.batch_size, query)
        encode = self.model.encode_query if query else self.model.encode_document
        tensor = encode(texts, batch_size=self.settings.batch_size, convert_to_sparse_tensor=True,
                        show_progress_bar=False)
        return sparse_rows(tensor, len(texts))

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> list[SparseVector]:
        return encode_sorted(texts, lambda chunk: self._encode(chunk, query=False), progress)

    def vocabulary(self) -> TokenVocabulary:
        """The word piece of each dimension (an inference-free model's query table tokenizer, or the model's)."""
        from tokenizers import Tokenizer

        if self.inference_free and self.table is not None:
            return TokenVocabulary(self.table.tokenizer)
        return TokenVocabulary(Tokenizer.from_str(self.model.tokenizer.backend_tokenizer.to_str()))

    def encode_queries(self, texts: Sequence[str]) -> list[SparseVector]:
        return encode_sorted(texts, lambda chunk: self._encode(chunk, query=True), None)


def _fast_path(model, settings: SpladeSettings) -> FastSplade | None:
    """The fast encoder where asked for and possible (it must reproduce the plain path on probe texts)."""
    if settings.encode_path == "plain" or unsupported_reason(model):
        return None
    fast = FastSplade(model)
    difference = fast.check()
    if difference:
        warnings.warn(f"{settings.model}: fast SPLADE encoding disagrees with sentence-transformers "
                      f"({difference}); using the plain path", stacklevel=3)
        return None
    return fast


def _static_module(model):  # type: ignore[no-untyped-def]
    """The ``SparseStaticEmbedding`` that is a routed model's whole query route, if it is one."""
    from sentence_transformers.sparse_encoder.modules import SparseStaticEmbedding

    router = model[0]
    route = list(router.sub_modules["query"]) if "query" in router.sub_modules else []
    if len(route) == 1 and isinstance(route[0], SparseStaticEmbedding) and model.max_active_dims is None:
        return route[0]
    return None


def _require_splade(model, name: str) -> None:
    kinds = {type(m).__name__ for m in model.modules()}
    if not kinds & {"SpladePooling", "SparseStaticEmbedding", "Router"}:
        raise models.ModelError(f"{name}: not a SPLADE model (modules: {', '.join(sorted(kinds)[:6])})")

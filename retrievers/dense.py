"""Dense retrieval through sentence-transformers' ``SentenceTransformer`` (cosine similarity)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from benchmark.store.base import Distance, VectorKind, VectorSpec
from retrievers import models
from retrievers.base import EncoderIdentity, Progress
from retrievers.neural import ModelSettings, encode_sorted, load_model

DenseSettings = ModelSettings


class DenseEncoder:
    def __init__(self, settings: DenseSettings, vector_name: str = "dense") -> None:
        from sentence_transformers import SentenceTransformer

        self.settings = settings
        self.model, self.model_identity = load_model(SentenceTransformer, settings, "SentenceTransformer")
        if any(type(m).__name__ == "SpladePooling" for m in self.model.modules()):
            raise models.ModelError(f"{settings.model}: this is a SPLADE model; use the splade retriever")
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            raise models.ModelError(f"{settings.model}: the model does not declare an embedding dimension")
        self.spec = VectorSpec(vector_name, VectorKind.DENSE, size=int(dim), distance=Distance.COSINE)

    @property
    def identity(self) -> EncoderIdentity:
        return EncoderIdentity("dense", {"max_length": self.settings.max_length}, self.model_identity)

    def prepare(self, documents: Sequence[str]) -> None:
        """Dense encoders need no corpus statistics."""

    def load(self, documents: bool = False) -> None:
        """The model is loaded when the encoder is built."""

    def _encode(self, texts: list[str], query: bool) -> list[np.ndarray]:
        encode = self.model.encode_query if query else self.model.encode_document
        matrix = encode(texts, batch_size=self.settings.batch_size, normalize_embeddings=True,
                        convert_to_numpy=True, show_progress_bar=False)
        return list(matrix.astype(np.float32))

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> list[np.ndarray]:
        return encode_sorted(texts, lambda chunk: self._encode(chunk, query=False), progress)

    def encode_queries(self, texts: Sequence[str]) -> list[np.ndarray]:
        return encode_sorted(texts, lambda chunk: self._encode(chunk, query=True), None)

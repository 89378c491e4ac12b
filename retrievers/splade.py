"""SPLADE through sentence-transformers' ``SparseEncoder``: off-the-shelf or fine-tuned.

Sparse vectors go to Qdrant as sparse vectors and are scored by dot product. Any
``SparseEncoder``-loadable model works (a hub id, a local folder, a fine-tuned output folder), and
so does a plain masked-LM checkpoint (sentence-transformers builds MLM + SPLADE max pooling).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from benchmark.store.base import SparseVector, VectorKind, VectorSpec
from retrievers import models
from retrievers.base import EncoderIdentity, Progress
from retrievers.neural import ModelSettings, encode_sorted, load_model

SpladeSettings = ModelSettings


class SpladeEncoder:
    def __init__(self, settings: SpladeSettings, vector_name: str = "splade") -> None:
        from sentence_transformers import SparseEncoder

        self.settings = settings
        self.model, self.model_identity = load_model(SparseEncoder, settings, "SPLADE / SparseEncoder")
        _require_splade(self.model, settings.model)
        self.spec = VectorSpec(vector_name, VectorKind.SPARSE)

    @property
    def identity(self) -> EncoderIdentity:
        config = {"max_length": self.settings.max_length}
        return EncoderIdentity("splade", config, self.model_identity)

    def prepare(self, documents: Sequence[str]) -> None:
        """SPLADE needs no corpus statistics."""

    def _encode(self, texts: list[str], query: bool) -> list[SparseVector]:
        encode = self.model.encode_query if query else self.model.encode_document
        tensor = encode(texts, batch_size=self.settings.batch_size, convert_to_sparse_tensor=True,
                        show_progress_bar=False)
        return sparse_rows(tensor, len(texts))

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> list[SparseVector]:
        return encode_sorted(texts, lambda chunk: self._encode(chunk, query=False), progress)

    def encode_queries(self, texts: Sequence[str]) -> list[SparseVector]:
        return encode_sorted(texts, lambda chunk: self._encode(chunk, query=True), None)


def sparse_rows(tensor, n_rows: int) -> list[SparseVector]:
    """A (n_rows x vocab) torch sparse COO tensor -> one SparseVector per row (indices ascending)."""
    coo = tensor.coalesce()
    rows, cols = coo.indices().cpu().numpy()
    values = coo.values().detach().float().cpu().numpy()
    keep = values > 0
    rows, cols, values = rows[keep], cols[keep], values[keep]
    bounds = np.searchsorted(rows, np.arange(n_rows + 1))
    return [
        SparseVector(cols[a:b].astype(np.uint32), values[a:b].astype(np.float32))
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]


def _require_splade(model, name: str) -> None:
    kinds = {type(m).__name__ for m in model.modules()}
    if not kinds & {"SpladePooling", "SparseStaticEmbedding", "Router"}:
        raise models.ModelError(f"{name}: not a SPLADE model (modules: {', '.join(sorted(kinds)[:6])})")

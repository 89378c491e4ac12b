"""Teacher scores for margin distillation: how a teacher retriever scores each training row's texts.

With ``loss.distill_weight > 0`` every training row (query, positive, negative_1..n) gets a ``label``
column ``[s(q, positive), s(q, negative_1), ...]`` from the teacher, and a ``SparseMarginMSELoss`` term
pulls the student's score margins towards the teacher's (labels of length n + 1 are turned into
margins by that loss). Teachers:

* ``bm25``: the harness's BM25 (Lucene-like analyzer, k1 0.9, b 0.4) with its IDF computed over the
  dataset's whole catalog in the training text format, as Qdrant computes it for ``bench run -r bm25``:
  ``ln(1 + (N - df + 0.5) / (df + 0.5))``, times ``k1 + 1``;
* anything else: a SPLADE model (``bundled:splade-tiny``, a folder, a hub id, or ``splade-ft@NAME``'s
  folder), scored by the dot product of its sparse vectors.

``loss.teacher_scale`` multiplies the teacher's scores (their margins set the student's score scale).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from benchmark.core.console import stage
from benchmark.datasets.base import Dataset
from benchmark.datasets.text import TextBuilder, build_texts
from benchmark.store.base import SparseVector

BM25 = "bm25"


def dot(a: SparseVector, b: SparseVector, weights: np.ndarray | None = None) -> float:
    """Sparse dot product (both index arrays strictly increasing); ``weights`` scales per index (IDF)."""
    common, ia, ib = np.intersect1d(a.indices, b.indices, assume_unique=True, return_indices=True)
    if not len(common):
        return 0.0
    products = a.values[ia].astype(np.float64) * b.values[ib]
    if weights is not None:
        products = products * weights[common]
    return float(products.sum())


class Scorer:
    """Scores (query, document) texts; encodes each distinct text once."""

    def __init__(self, encode_queries, encode_documents, weights: np.ndarray | None = None) -> None:
        self._queries, self._documents, self.weights = encode_queries, encode_documents, weights

    def score_rows(self, columns: Mapping[str, Sequence[str]]) -> list[list[float]]:
        doc_columns = [name for name in columns if name != "query"]
        queries = sorted(set(columns["query"]))
        documents = sorted({t for name in doc_columns for t in columns[name]})
        query_vectors = dict(zip(queries, self._queries(queries), strict=True))
        doc_vectors = dict(zip(documents, self._documents(documents), strict=True))
        return [[dot(query_vectors[q], doc_vectors[columns[name][i]], self.weights) for name in doc_columns]
                for i, q in enumerate(columns["query"])]


def bm25_scorer(dataset: Dataset, builder: TextBuilder) -> Scorer:
    from retrievers.analyzer import AnalyzerConfig
    from retrievers.bm25 import BM25Encoder, BM25Params

    params = BM25Params()  # retrievers.bm25's DEFAULT_K1, DEFAULT_B
    encoder = BM25Encoder(params, AnalyzerConfig())
    catalog = list(build_texts(dataset, builder).values())
    encoder.prepare(catalog)
    df = np.zeros(len(encoder.vocab), dtype=np.float64)
    for vector in encoder.encode_documents(catalog):
        df[vector.indices] += 1
    n = len(catalog)
    idf = np.log1p((n - df + 0.5) / (df + 0.5)) * (params.k1 + 1)
    return Scorer(encoder.encode_queries, encoder.encode_documents, idf)


def splade_scorer(model: str, batch_size: int, device: str) -> Scorer:
    from retrievers.splade import SpladeEncoder, SpladeSettings

    encoder = SpladeEncoder(SpladeSettings(model, batch_size, 256, device))
    return Scorer(encoder.encode_queries, encoder.encode_documents)


def teacher_labels(teacher: str, scale: float, dataset: Dataset, builder: TextBuilder,
                   columns: Mapping[str, Sequence[str]], *, batch_size: int = 64,
                   device: str = "cpu") -> list[list[float]]:
    """``[s(q, pos), s(q, neg_1), ...]`` per row, times ``scale``."""
    if len(columns) < 3:
        raise ValueError("margin distillation needs hard negatives: set datasets.<i>.judged_negatives or "
                         "mining.rounds >= 1")
    with stage(f"teacher scores ({teacher}) for {len(columns['query']):,} rows"):
        scorer = bm25_scorer(dataset, builder) if teacher == BM25 else splade_scorer(teacher, batch_size, device)
        rows = scorer.score_rows(columns)
    out = [[scale * s for s in row] for row in rows]
    bad = next((i for i, row in enumerate(out) if not all(math.isfinite(s) for s in row)), None)
    if bad is not None:
        raise ValueError(f"teacher {teacher} gave a non-finite score for training row {bad}")
    return out

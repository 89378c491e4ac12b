"""Exact scores of a store's candidates: the same number for the same (query, document) on every index build.

A vector store sums a query's products in whatever order its segments and posting lists hold them,
so the same document can score a few float32 ulps differently after another build of the same
collection (or on another number of shards), and documents that tie in exact arithmetic come back
in the order the build left them. The store is therefore used to find candidates only: every
candidate is scored again here, from the query vector and the document vector the store holds,
in float64 with a fixed summation order, and the result is rounded once to float32. Equal scores
are then real ties, and :class:`~benchmark.ranking.runs.Run` breaks them by doc id.

* sparse: ``sum(q_t * d_t)`` over the shared terms (``math.fsum``: correctly rounded);
* sparse with IDF (BM25): ``sum(q_t * idf_t * d_t)``, ``idf_t = ln(1 + (N - n_t + 0.5) / (n_t + 0.5))``
  (Qdrant's ``Modifier.IDF`` formula), with ``N`` and ``n_t`` counted over the whole corpus by the encoder; the
  store is asked with ``q_t * idf_t`` (:func:`idf_weighted`) and holds no IDF of its own, so neither its
  candidates nor these scores depend on how the points are spread over shards;
* dense: cosine (both vectors normalised in float64) or dot product.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from benchmark.store.base import Distance, Hits, SparseVector, Vector, VectorKind, VectorSpec

TIE_MARGIN = 20  # candidates fetched beyond the cut-off, so that a tie group at the cut-off is seen whole
# Store scores within this relative distance of each other may be one tie in exact arithmetic.
NEAR_TIE_REL = 1e-5


class TermWeights(Protocol):
    """What an encoder whose vectors use Qdrant's IDF modifier provides for exact scoring."""

    def idf(self, indices: np.ndarray) -> np.ndarray:
        """float64 IDF of each term index, computed over the whole corpus."""


def near(a: float, b: float) -> bool:
    """Whether two store scores are close enough to be equal after exact rescoring."""
    return abs(a - b) <= NEAR_TIE_REL * max(abs(a), abs(b), 1e-30)


def idf_weighted(query: SparseVector, idf: TermWeights) -> SparseVector:
    """A BM25 query as the store is asked it: each term's count times its corpus IDF (float64, then float32)."""
    weights = query.values.astype(np.float64) * idf.idf(query.indices)
    return SparseVector(query.indices, weights.astype(np.float32))


def sparse_score(query: SparseVector, doc: SparseVector, idf: TermWeights | None) -> float:
    _, qi, di = np.intersect1d(query.indices, doc.indices, assume_unique=True, return_indices=True)
    if not len(qi):
        return 0.0
    products = query.values[qi].astype(np.float64) * doc.values[di].astype(np.float64)
    if idf is not None:
        products = products * idf.idf(query.indices[qi])
    return math.fsum(products.tolist())


def dense_scores(query: np.ndarray, docs: np.ndarray, distance: Distance) -> np.ndarray:
    q = np.asarray(query, dtype=np.float64)
    d = np.asarray(docs, dtype=np.float64).reshape(-1, len(q))
    if distance is Distance.COSINE:
        qn = math.sqrt(math.fsum((q * q).tolist()))
        q = q / qn if qn else q
        norms = np.sqrt((d * d).sum(axis=1))
        d = d / np.where(norms == 0, 1.0, norms)[:, None]
    return (d * q).sum(axis=1)


def exact_scores(spec: VectorSpec, query: Vector, docs: Sequence[Vector | None],
                 idf: TermWeights | None = None) -> list[float]:
    """float32-rounded exact scores of ``docs`` for ``query`` (a missing document vector scores 0)."""
    if spec.kind is VectorKind.DENSE:
        present = [i for i, d in enumerate(docs) if d is not None]
        out = np.zeros(len(docs), dtype=np.float64)
        if present:
            out[present] = dense_scores(np.asarray(query), np.stack([np.asarray(docs[i]) for i in present]),
                                        spec.distance)
        return out.astype(np.float32).astype(np.float64).tolist()
    if spec.kind is VectorKind.SPARSE_IDF and idf is None:
        raise ValueError(f"vector '{spec.name}' uses IDF weights: exact scoring needs the encoder's idf()")
    weights = idf if spec.kind is VectorKind.SPARSE_IDF else None
    scores = [0.0 if d is None else sparse_score(query, d, weights) for d in docs]  # type: ignore[arg-type]
    return np.asarray(scores, dtype=np.float32).astype(np.float64).tolist()


def ordered(hits: Sequence[tuple[int, float]]) -> Hits:
    """Score descending, then point id descending (point ids follow doc-id order: trec_eval's tie order)."""
    return sorted(hits, key=lambda h: (-h[1], -h[0]))


def rescore(spec: VectorSpec, queries: Sequence[Vector], hits: Sequence[Hits],
            stored: Mapping[int, Vector], idf: TermWeights | None = None) -> list[Hits]:
    """Every candidate of every query scored exactly from ``stored`` vectors, in the deterministic order."""
    out: list[Hits] = []
    for query, found in zip(queries, hits, strict=True):
        ids = [p for p, _ in found]
        scores = exact_scores(spec, query, [stored.get(p) for p in ids], idf)
        out.append(ordered(list(zip(ids, scores, strict=True))))
    return out

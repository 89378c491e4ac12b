"""A sparse score, term by term: each shared dimension's part of a (query, document) score.

The harness scores a candidate exactly (:func:`retrievers.exact.sparse_score`): ``sum(q_t * d_t)`` over the
shared terms, times Qdrant's IDF for BM25, summed in float64 with ``math.fsum``. The contributions here are those
same products, so they add up to the score the run file holds (rounded once to float32 there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from benchmark.store.base import SparseVector
from retrievers.exact import TermWeights
from retrievers.vocabulary import Vocabulary


@dataclass(frozen=True, slots=True)
class Contribution:
    """One term's part of a score: ``query_weight x document_weight [x idf]``."""

    term: str
    index: int
    query_weight: float
    document_weight: float
    idf: float | None  # BM25 (Qdrant's IDF of the term over the catalog); None for SPLADE
    value: float
    expansion: bool  # the query's own tokens do not produce this term (SPLADE query expansion)


def contributions(query: SparseVector, document: SparseVector, vocabulary: Vocabulary, own: set[int],
                  idf: TermWeights | None = None) -> list[Contribution]:
    """The shared terms of ``query`` and ``document``, largest contribution first (ties: by term)."""
    _, qi, di = np.intersect1d(query.indices, document.indices, assume_unique=True, return_indices=True)
    indices = query.indices[qi].astype(np.int64)
    q = query.values[qi].astype(np.float64)
    d = document.values[di].astype(np.float64)
    weights = idf.idf(indices) if idf is not None else None
    out = []
    for j, index in enumerate(indices.tolist()):
        value = q[j] * d[j] * (weights[j] if weights is not None else 1.0)
        out.append(Contribution(vocabulary.term(index), index, float(q[j]), float(d[j]),
                                float(weights[j]) if weights is not None else None, float(value), index not in own))
    return sorted(out, key=lambda c: (-c.value, c.term))


def total(parts: Sequence[Contribution]) -> float:
    """The score the parts make up, summed as the harness sums it."""
    return math.fsum(c.value for c in parts)


def query_terms(query: SparseVector, vocabulary: Vocabulary, own: set[int]) -> list[tuple[str, float, bool]]:
    """(term, weight, expansion) of every query dimension, largest weight first."""
    rows = [(vocabulary.term(i), float(w), i not in own) for i, w in zip(query.indices.tolist(), query.values.tolist(),
                                                                          strict=True)]
    return sorted(rows, key=lambda r: (-r[1], r[0]))

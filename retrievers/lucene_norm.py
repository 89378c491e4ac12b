"""Lucene's BM25 length normalisation, float for float (``length_norm=lucene`` of the ``bm25`` retriever).

Lucene's ``BM25Similarity`` scores a term of a document as ``w - w / (1 + tf * inv[code(|d|)])`` with
``w = qtf * idf`` and, for each of the 256 one-byte length codes (:mod:`retrievers.smallfloat`),

    inv[c] = 1 / (k1 * ((1 - b) + b * length(c) / avgdl))       (float32 arithmetic throughout)

where ``avgdl = (float) (sum of document lengths / documents with at least one term)``. The stored
term weight ``1 - 1 / (1 + tf * inv)`` is that score divided by ``w``: Qdrant multiplies it by the IDF
and the query-term count.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from retrievers.smallfloat import LENGTH_TABLE, int_to_byte4

_ONE = np.float32(1.0)


def lucene_avgdl(total_length: int, documents_with_terms: int) -> float:
    """Lucene's ``avgFieldLength``: documents without any term are not in its document count."""
    return float(np.float32(total_length / documents_with_terms)) if documents_with_terms else 0.0


@lru_cache(maxsize=16)
def norm_inverses(k1: float, b: float, avgdl: float) -> tuple[np.float32, ...]:
    """``1 / (k1 * ((1 - b) + b * length / avgdl))`` for each of the 256 length codes, in float32."""
    k1_, b_, avgdl_ = np.float32(k1), np.float32(b), np.float32(avgdl)
    lengths = np.array(LENGTH_TABLE, dtype=np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):  # k1 = 0: inverse inf, weight 1 (as in Lucene)
        inverses = _ONE / (k1_ * ((_ONE - b_) + b_ * lengths / avgdl_))
    return tuple(inverses)


def term_weight(tf: int, inverse: np.float32) -> np.float32:
    """``1 - 1 / (1 + tf * inv)``: Lucene's ``tf / (tf + norm)`` in its monotone float32 form."""
    return _ONE - _ONE / (_ONE + np.float32(tf) * inverse)


def lucene_norm_inverse(length: int, k1: float, b: float, avgdl: float) -> np.float32:
    """The inverse norm Lucene scores a document of ``length`` tokens with."""
    return norm_inverses(k1, b, avgdl)[int_to_byte4(length)]

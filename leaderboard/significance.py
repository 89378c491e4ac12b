"""Paired two-sided tests on per-query score differences: a seeded randomization test and the t-test.

Randomization (permutation) test: under the null hypothesis the two systems are exchangeable on every
query, so each difference ``d_i = a_i - b_i`` keeps or flips its sign with probability 1/2. The statistic
is the mean difference; the two-sided p-value is the share of sign assignments whose ``|mean|`` is at least
the observed one. A query with ``d_i = 0`` is unchanged by a flip. When the ``2**n`` assignments of the
``n`` non-zero differences are no more than the permutations asked for, all are enumerated and the
p-value is exact; otherwise ``B`` random assignments are drawn and ``p = (1 + hits) / (1 + B)``, which is
never zero (Phipson & Smyth 2010).

All pairs compared on the same queries, on every metric, share one matrix of random signs (common
random numbers): the sums of every pair come from one matrix product, which is what makes 10,000
permutations over 10,000 queries and dozens of pairs take about a second. The signs come from a
:class:`numpy.random.Generator` derived from the user's seed and the query ids (:func:`query_set_rng`),
so a pair's p-value does not depend on which other systems or metrics are compared, nor on their order.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import numpy as np

from leaderboard.options import TestMethod

CHUNK_CELLS = 2_000_000
"""Sign flips generated per block (rows x queries); bounds memory at ~16 MB of float64 per block."""
RELATIVE_TOLERANCE = 1e-9
"""Permuted statistics within this fraction of sum(|d|) below the observed one count as ties (>=)."""


def query_set_rng(seed: int, purpose: str, query_ids: Sequence[str]) -> np.random.Generator:
    """A generator that depends only on the seed, what it is for and the (sorted) query ids."""
    digest = hashlib.sha256("\0".join([purpose, *query_ids]).encode()).digest()
    words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)]
    return np.random.default_rng([seed, *words])


def permutation_test(diffs: np.ndarray, permutations: int, rng: np.random.Generator) -> float:
    """Two-sided p-value of the paired sign-flip test on ``mean(diffs)``."""
    return float(permutation_tests(np.asarray(diffs, dtype=np.float64)[:, None], permutations, rng)[0])


def permutation_tests(diffs: np.ndarray, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """Two-sided p-values for each column of ``diffs`` (queries x pairs), with shared random signs."""
    d = np.asarray(diffs, dtype=np.float64)
    d = d.reshape(d.shape[0], -1) if d.ndim != 2 else d
    p = np.ones(d.shape[1])
    sampled = []
    for column in range(d.shape[1]):
        nonzero = d[:, column][d[:, column] != 0.0]
        if nonzero.size and nonzero.size < 63 and 2**nonzero.size <= permutations:
            p[column] = _exact(nonzero, *_observed(nonzero))
        elif nonzero.size:
            sampled.append(column)
    if sampled:
        p[sampled] = _sampled(d[:, sampled], permutations, rng)
    return p


def _observed(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column sums and the |sum| a permuted sum must reach (ties within float noise count)."""
    total = d.sum(axis=0)
    return total, np.abs(total) - RELATIVE_TOLERANCE * np.abs(d).sum(axis=0)


def _sampled(d: np.ndarray, permutations: int, rng: np.random.Generator) -> np.ndarray:
    n = d.shape[0]
    total, threshold = _observed(d)
    hits = np.zeros(d.shape[1], dtype=np.int64)
    rows = max(1, CHUNK_CELLS // n)
    nbytes = (n + 7) // 8
    for start in range(0, permutations, rows):
        size = min(rows, permutations - start)
        bits = np.unpackbits(rng.integers(0, 256, size=(size, nbytes), dtype=np.uint8), axis=1, count=n)
        # sum(s_i d_i) with s_i = 2 b_i - 1 in {-1, +1}: one matrix product for every pair
        sums = 2.0 * (bits.astype(np.float64) @ d) - total
        hits += np.count_nonzero(np.abs(sums) >= threshold, axis=0)
    return (1 + hits) / (1 + permutations)


def _exact(d: np.ndarray, total: float, threshold: float) -> float:
    """Share of all ``2**n`` sign assignments reaching the threshold (``n < 63``)."""
    n = d.size
    codes = np.arange(2**n, dtype=np.int64)[:, None]
    bits = ((codes >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)
    sums = 2.0 * (bits @ d) - total
    return int(np.count_nonzero(np.abs(sums) >= threshold)) / 2**n


def t_test(diffs: np.ndarray) -> float:
    """Two-sided p-value of the paired t-test (as :func:`scipy.stats.ttest_rel` on the two score arrays).

    Degenerate cases, where scipy answers NaN: fewer than two queries or all differences zero give 1.0;
    identical non-zero differences (zero variance) give 0.0.
    """
    from scipy.stats import t as student_t

    d = np.asarray(diffs, dtype=np.float64)
    n = int(d.size)
    mean = float(d.mean()) if n else 0.0
    if n < 2 or not np.any(d):
        return 1.0
    sd = float(d.std(ddof=1))
    if sd == 0.0:
        return 0.0 if mean != 0.0 else 1.0
    statistic = mean / (sd / math.sqrt(n))
    return float(min(1.0, 2.0 * student_t.sf(abs(statistic), n - 1)))


def paired_p_values(diffs: np.ndarray, method: TestMethod, permutations: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Two-sided p-values of ``method`` for each column of paired differences (queries x pairs)."""
    if method is TestMethod.PERMUTATION:
        return permutation_tests(diffs, permutations, rng)
    return np.array([t_test(diffs[:, column]) for column in range(diffs.shape[1])])

"""Paired two-sided tests on per-query score differences: a seeded randomization test and the t-test.

Randomization (permutation) test: under the null hypothesis the two systems are exchangeable on every
query, so each difference ``d_i = a_i - b_i`` keeps or flips its sign with probability 1/2. The statistic
is the mean difference; the two-sided p-value is the share of sign assignments whose ``|mean|`` is at least
the observed one. Queries with ``d_i = 0`` are unchanged by a flip and are dropped (the p-value is the
same). When ``2**n`` assignments are no more than the permutations asked for, all are enumerated and the
p-value is exact; otherwise ``B`` random assignments are drawn and ``p = (1 + hits) / (1 + B)``, which is
never zero (Phipson & Smyth 2010). Random signs come from a :class:`numpy.random.Generator` derived from
the user's seed and the names of the metric and the two systems (:func:`pair_rng`), so a pair's p-value does
not depend on which other systems are compared, nor on their order.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from leaderboard.options import TestMethod

CHUNK_CELLS = 2_000_000
"""Sign flips generated per block (rows x queries); bounds memory at ~16 MB of float64 per block."""
RELATIVE_TOLERANCE = 1e-9
"""Permuted statistics within this fraction of sum(|d|) below the observed one count as ties (>=)."""


def pair_rng(seed: int, metric: str, first: str, second: str) -> np.random.Generator:
    """A generator that depends only on the seed, the metric and the unordered pair of system ids."""
    low, high = sorted((first, second))
    digest = hashlib.sha256(f"{metric}\0{low}\0{high}".encode()).digest()
    words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)]
    return np.random.default_rng([seed, *words])


def permutation_test(diffs: np.ndarray, permutations: int, rng: np.random.Generator) -> float:
    """Two-sided p-value of the paired sign-flip test on ``mean(diffs)``."""
    d = np.asarray(diffs, dtype=np.float64)
    d = d[d != 0.0]
    n = int(d.size)
    if n == 0:
        return 1.0
    total = float(d.sum())
    threshold = abs(total) - RELATIVE_TOLERANCE * float(np.abs(d).sum())
    if n < 63 and 2**n <= permutations:
        return _exact(d, total, threshold)
    hits = 0
    rows = max(1, CHUNK_CELLS // n)
    nbytes = (n + 7) // 8
    for start in range(0, permutations, rows):
        size = min(rows, permutations - start)
        bits = np.unpackbits(rng.integers(0, 256, size=(size, nbytes), dtype=np.uint8), axis=1, count=n)
        # sum(s_i d_i) with s_i = 2 b_i - 1 in {-1, +1}
        sums = 2.0 * (bits.astype(np.float64) @ d) - total
        hits += int(np.count_nonzero(np.abs(sums) >= threshold))
    return (1 + hits) / (1 + permutations)


def _exact(d: np.ndarray, total: float, threshold: float) -> float:
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


def paired_p_value(diffs: np.ndarray, method: TestMethod, permutations: int, rng: np.random.Generator) -> float:
    """The two-sided p-value of ``method`` for the paired differences ``diffs``."""
    if method is TestMethod.PERMUTATION:
        return permutation_test(diffs, permutations, rng)
    return t_test(diffs)

"""Effect sizes for a pair of systems: mean difference with a bootstrap confidence interval, win/tie/loss."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHUNK_CELLS = 2_000_000
TIE_TOLERANCE = 1e-12
"""Per-query scores closer than this count as a tie (they come from the same float computation)."""


@dataclass(frozen=True, slots=True)
class WinTieLoss:
    wins: int
    ties: int
    losses: int

    def __str__(self) -> str:
        return f"{self.wins}/{self.ties}/{self.losses}"


def win_tie_loss(diffs: np.ndarray) -> WinTieLoss:
    """Queries where the first system scores higher / the same / lower than the second."""
    d = np.asarray(diffs, dtype=np.float64)
    wins = int(np.count_nonzero(d > TIE_TOLERANCE))
    losses = int(np.count_nonzero(d < -TIE_TOLERANCE))
    return WinTieLoss(wins, int(d.size) - wins - losses, losses)


def bootstrap_ci(diffs: np.ndarray, resamples: int, confidence: float, rng: np.random.Generator) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean difference (queries resampled with replacement)."""
    return bootstrap_cis(np.asarray(diffs, dtype=np.float64)[:, None], resamples, confidence, rng)[0]


def bootstrap_cis(diffs: np.ndarray, resamples: int, confidence: float,
                  rng: np.random.Generator) -> list[tuple[float, float]]:
    """:func:`bootstrap_ci` for each column of ``diffs`` (queries x pairs), all on the same resamples.

    A resample is a row of counts (how often each query was drawn); the resampled means of every pair
    are one matrix product of the counts with the differences.
    """
    d = np.asarray(diffs, dtype=np.float64)
    d = d.reshape(d.shape[0], -1) if d.ndim != 2 else d
    n = d.shape[0]
    if n == 0:
        return [(0.0, 0.0)] * d.shape[1]
    means = np.empty((resamples, d.shape[1]), dtype=np.float64)
    rows = max(1, CHUNK_CELLS // n)
    for start in range(0, resamples, rows):
        size = min(rows, resamples - start)
        drawn = rng.integers(0, n, size=(size, n)) + (np.arange(size) * n)[:, None]
        counts = np.bincount(drawn.ravel(), minlength=size * n).reshape(size, n)
        means[start:start + size] = (counts.astype(np.float64) @ d) / n
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail], axis=0)
    return [(float(a), float(b)) for a, b in zip(low, high, strict=True)]

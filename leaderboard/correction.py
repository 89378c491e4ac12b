"""Multiple-comparison corrections: adjusted p-values that control the family-wise error rate."""

from __future__ import annotations

from collections.abc import Sequence

from leaderboard.options import Correction


def adjust(p_values: Sequence[float], correction: Correction) -> list[float]:
    """Adjusted p-values in the input order (compare each with alpha)."""
    if correction is Correction.BONFERRONI:
        return bonferroni(p_values)
    return holm(p_values)


def bonferroni(p_values: Sequence[float]) -> list[float]:
    """``min(1, m * p)`` for a family of ``m`` tests."""
    m = len(p_values)
    return [min(1.0, m * p) for p in p_values]


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment: the i-th smallest p (from 1) becomes ``max_{j<=i} min(1, (m-j+1) p_(j))``.

    Ties keep their input order (a stable sort), which does not change the adjusted values.
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted

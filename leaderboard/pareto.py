"""The quality/latency Pareto front: systems no other system beats on both at once."""

from __future__ import annotations

from collections.abc import Sequence


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indexes of the ``(latency, score)`` points that no other point dominates (latency at most as high and
    score at least as high, one of them strictly), ordered by latency. Equal points are all on the front."""
    front = []
    for i, (latency, score) in enumerate(points):
        dominated = any(other_latency <= latency and other_score >= score
                        and (other_latency < latency or other_score > score)
                        for j, (other_latency, other_score) in enumerate(points) if j != i)
        if not dominated:
            front.append(i)
    return sorted(front, key=lambda i: (points[i][0], -points[i][1], i))

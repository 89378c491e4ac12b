"""Speed of the paired permutation test and the bootstrap interval (not a test).

Times :func:`leaderboard.significance.permutation_test` (default: 10,000 random sign flips over 10,000
queries, the issue's target: seconds, not minutes), the bootstrap interval of the mean difference with
as many resamples, and, for reference, scipy's ``permutation_test`` on the same data (``--scipy``; slow).
Each timing is the best of ``--repeats`` runs; the p-values show that the runs agree.

    python benchmarks/permutation_speed.py [--queries 10000] [--permutations 10000] [--repeats 3] [--scipy]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from leaderboard.effect import bootstrap_ci
from leaderboard.significance import permutation_test

TARGET_S = 10.0


def best_of(repeats: int, work: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--permutations", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scipy", action="store_true", help="also time scipy.stats.permutation_test")
    args = parser.parse_args()

    data = np.random.default_rng(0)
    y = data.uniform(0, 1, args.queries)
    x = np.clip(y + data.normal(0.005, 0.2, args.queries), 0, 1)
    d = x - y
    print(f"{args.queries:,} queries, {args.permutations:,} permutations, best of {args.repeats}")

    seconds, p = best_of(args.repeats, lambda: permutation_test(d, args.permutations, np.random.default_rng(42)))
    verdict = "ok" if seconds < TARGET_S else f"SLOWER than the {TARGET_S:.0f} s target"
    print(f"  permutation test: {seconds:6.2f} s  p = {p:.4f}  ({verdict})")
    seconds, ci = best_of(args.repeats, lambda: bootstrap_ci(d, args.permutations, 0.95, np.random.default_rng(42)))
    print(f"  bootstrap 95% CI: {seconds:6.2f} s  [{ci[0]:+.5f}, {ci[1]:+.5f}]")  # type: ignore[index]
    if args.scipy:
        from scipy import stats

        def reference() -> float:
            result = stats.permutation_test((x, y), lambda a, b, axis: np.mean(a - b, axis=axis),
                                            permutation_type="samples", vectorized=True,
                                            n_resamples=args.permutations, alternative="two-sided")
            return float(result.pvalue)

        seconds, p = best_of(1, reference)
        print(f"  scipy reference:  {seconds:6.2f} s  p = {p:.4f}")


if __name__ == "__main__":
    main()

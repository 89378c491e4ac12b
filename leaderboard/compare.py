"""All-pairs paired comparison of systems on per-query scores, with correction and significance letters.

The family for the multiple-comparison correction is every pair of systems, per metric (as in ranx):
``k`` systems give ``k (k - 1) / 2`` tests per metric. Row ``x`` gets the letter of system ``y`` for a
metric when the corrected two-sided p-value is below alpha and ``x`` has the higher mean on the queries
both systems were evaluated on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from leaderboard.correction import adjust
from leaderboard.effect import WinTieLoss, bootstrap_ci, win_tie_loss
from leaderboard.errors import LeaderboardError
from leaderboard.options import StatOptions
from leaderboard.significance import pair_rng, paired_p_value


@dataclass(frozen=True, slots=True)
class SystemScores:
    """One system's per-query scores: ``scores[metric][query id]``; ``key`` identifies it for seeding."""

    label: str
    key: str
    scores: Mapping[str, Mapping[str, float]]


@dataclass(frozen=True, slots=True)
class PairResult:
    """System ``first`` vs ``second`` (indices into :attr:`Comparison.systems`) on one metric."""

    metric: str
    first: int
    second: int
    queries: int
    mean_first: float
    mean_second: float
    p_value: float
    p_adjusted: float
    win_tie_loss: WinTieLoss
    ci: tuple[float, float] | None

    @property
    def difference(self) -> float:
        return self.mean_first - self.mean_second


@dataclass(frozen=True, slots=True)
class Comparison:
    systems: tuple[SystemScores, ...]
    metrics: tuple[str, ...]
    pairs: tuple[PairResult, ...]
    options: StatOptions
    notes: tuple[str, ...]

    def pair(self, metric: str, first: int, second: int) -> PairResult | None:
        for result in self.pairs:
            if result.metric == metric and {result.first, result.second} == {first, second}:
                return result
        return None

    def beats(self, metric: str, index: int) -> tuple[int, ...]:
        """Systems that system ``index`` is significantly better than on ``metric``, in index order."""
        better = []
        for result in self.pairs:
            if result.metric != metric or result.p_adjusted >= self.options.alpha or result.difference == 0:
                continue
            winner, loser = (result.first, result.second) if result.difference > 0 else (result.second, result.first)
            if winner == index:
                better.append(loser)
        return tuple(sorted(better))

    def letters(self, metric: str, index: int) -> str:
        """``"bc"``; with more than 26 systems letters have two characters, so they are comma-separated."""
        separator = "," if len(self.systems) > 26 else ""
        return separator.join(letter(i) for i in self.beats(metric, index))

    def family_size(self, metric: str) -> int:
        return sum(1 for result in self.pairs if result.metric == metric)


def letter(index: int) -> str:
    """``a`` .. ``z``, then ``aa``, ``ab``, ... (spreadsheet-style)."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def compare_systems(systems: Sequence[SystemScores], metrics: Sequence[str], options: StatOptions,
                    *, effects: bool = True) -> Comparison:
    """Test every pair of ``systems`` on each metric; ``effects`` adds bootstrap intervals of the difference."""
    if len({s.key for s in systems}) != len(systems):
        raise LeaderboardError("the same system was given twice: " + ", ".join(s.label for s in systems))
    pairs: list[PairResult] = []
    notes: list[str] = []
    for metric in metrics:
        raw: list[PairResult] = []
        for i, j in combinations(range(len(systems)), 2):
            result = _pair(systems, i, j, metric, options, effects, notes)
            if result is not None:
                raw.append(result)
        adjusted = adjust([r.p_value for r in raw], options.correction)
        pairs.extend(_with_adjusted(r, p) for r, p in zip(raw, adjusted))
    return Comparison(tuple(systems), tuple(metrics), tuple(pairs), options, tuple(dict.fromkeys(notes)))


def _pair(systems: Sequence[SystemScores], i: int, j: int, metric: str, options: StatOptions, effects: bool,
          notes: list[str]) -> PairResult | None:
    a, b = systems[i], systems[j]
    scores_a, scores_b = a.scores.get(metric), b.scores.get(metric)
    if not scores_a or not scores_b:
        missing = ", ".join(s.label for s, sc in ((a, scores_a), (b, scores_b)) if not sc)
        notes.append(f"{metric}: no per-query scores for {missing}; not tested")
        return None
    common = sorted(set(scores_a) & set(scores_b))
    if len(common) != len(scores_a) or len(common) != len(scores_b):
        notes.append(f"{metric}: {a.label} and {b.label} were evaluated on different queries "
                     f"({len(scores_a)} and {len(scores_b)}); paired on the {len(common)} they share")
    if not common:
        return None
    first = np.fromiter((scores_a[q] for q in common), dtype=np.float64, count=len(common))
    second = np.fromiter((scores_b[q] for q in common), dtype=np.float64, count=len(common))
    diffs = first - second
    rng = pair_rng(options.seed, metric, a.key, b.key)
    # the seed ignores pair order, so flip to a canonical order: swapping the systems negates the differences
    swap = a.key > b.key
    oriented = -diffs if swap else diffs
    p = paired_p_value(oriented, options.test, options.permutations, rng)
    ci = None
    if effects:
        low, high = bootstrap_ci(oriented, options.bootstrap, options.confidence, rng)
        ci = (-high, -low) if swap else (low, high)
    return PairResult(metric, i, j, len(common), float(first.mean()), float(second.mean()), p, p,
                      win_tie_loss(diffs), ci)


def _with_adjusted(result: PairResult, p_adjusted: float) -> PairResult:
    return PairResult(result.metric, result.first, result.second, result.queries, result.mean_first,
                      result.mean_second, result.p_value, p_adjusted, result.win_tie_loss, result.ci)

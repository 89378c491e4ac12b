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
from leaderboard.effect import WinTieLoss, bootstrap_cis, win_tie_loss
from leaderboard.errors import LeaderboardError
from leaderboard.options import StatOptions
from leaderboard.significance import paired_p_values, query_set_rng


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
    """Test every pair of ``systems`` on each metric; ``effects`` adds bootstrap intervals of the difference.

    Pairs evaluated on the same queries are tested together, all metrics at once (shared random signs
    and resamples, see :mod:`leaderboard.significance`); each pair's figures depend only on its own
    scores, the seed and the queries.
    """
    if len({s.key for s in systems}) != len(systems):
        raise LeaderboardError("the same system was given twice: " + ", ".join(s.label for s in systems))
    pairs: list[PairResult] = []
    notes: list[str] = []
    aligned = [a for metric in metrics for i, j in combinations(range(len(systems)), 2)
               if (a := _aligned(systems, i, j, metric, notes)) is not None]
    tested = _test(aligned, options, effects)
    for metric in metrics:
        raw = [r for r in tested if r.metric == metric]
        adjusted = adjust([r.p_value for r in raw], options.correction)
        pairs.extend(_with_adjusted(r, p) for r, p in zip(raw, adjusted, strict=True))
    return Comparison(tuple(systems), tuple(metrics), tuple(pairs), options, tuple(dict.fromkeys(notes)))


@dataclass(frozen=True, slots=True)
class _Aligned:
    metric: str
    first: int
    second: int
    queries: tuple[str, ...]
    scores_first: np.ndarray
    scores_second: np.ndarray


def _aligned(systems: Sequence[SystemScores], i: int, j: int, metric: str, notes: list[str]) -> _Aligned | None:
    """Both systems' scores on the queries they share (None, with a note, when there are none)."""
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
    return _Aligned(metric, i, j, tuple(common), first, second)


def _test(aligned: Sequence[_Aligned], options: StatOptions, effects: bool) -> list[PairResult]:
    """p-values (and intervals) of every pair, one batch per shared query set; results in input order."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, pair in enumerate(aligned):
        groups.setdefault(pair.queries, []).append(index)
    p_values: dict[int, float] = {}
    intervals: dict[int, tuple[float, float] | None] = dict.fromkeys(range(len(aligned)))
    for queries, members in groups.items():
        diffs = np.stack([aligned[m].scores_first - aligned[m].scores_second for m in members], axis=1)
        rng = query_set_rng(options.seed, "permutation", queries)
        p_values.update(zip(members, map(float, paired_p_values(diffs, options.test, options.permutations, rng)),
                            strict=True))
        if effects:
            rng = query_set_rng(options.seed, "bootstrap", queries)
            intervals.update(zip(members, bootstrap_cis(diffs, options.bootstrap, options.confidence, rng),
                                 strict=True))
    return [PairResult(pair.metric, pair.first, pair.second, len(pair.queries), float(pair.scores_first.mean()),
                       float(pair.scores_second.mean()), p_values[index], p_values[index],
                       win_tie_loss(pair.scores_first - pair.scores_second), intervals[index])
            for index, pair in enumerate(aligned)]


def _with_adjusted(result: PairResult, p_adjusted: float) -> PairResult:
    return PairResult(result.metric, result.first, result.second, result.queries, result.mean_first,
                      result.mean_second, result.p_value, p_adjusted, result.win_tie_loss, result.ci)

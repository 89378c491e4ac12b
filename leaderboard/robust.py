"""Incomplete judgements: the table of metrics that do not count unjudged products as irrelevant, and the
pool-bias warning.

Standard metrics (nDCG@10, ...) read every unjudged product as irrelevant. On collections judged shallowly from a
pool of lexical systems (Home Depot: about a quarter of a top 10 is judged), that penalises systems unlike the
pool. Beside the standard table the leaderboard shows, with the same rows and letters, ``NDCG'@10`` (the run
without its unjudged products), ``bpref`` (judged products only) and ``Judged@10`` (the share of the top 10 that
carries a judgement), with the same paired tests; and under the standard table a one-line warning when Judged@10
differs by more than :data:`SPREAD` between its systems. Result files older than these metrics show "—" (never
recomputed); their Judged@10 comes from the record's ``judged_at_10``.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmark.ranking.evaluation import BPREF, CONDENSED_NDCG_10, JUDGED_10
from leaderboard.compare import Comparison, SystemScores, compare_systems
from leaderboard.options import StatOptions
from leaderboard.table import Row, Table

TESTED: tuple[str, ...] = (CONDENSED_NDCG_10.name, BPREF.name)  # paired tests like the standard metrics
JUDGED = JUDGED_10.name
SPREAD = 0.05  # 5 points of Judged@10 between two systems of one table: warn


def judged(row: Row) -> float | None:
    """The row's Judged@10: its metric where the file has one, else the record's ``judged_at_10``."""
    record = row.result.record
    value = record.metrics.get(JUDGED)
    return value if value is not None else record.judged_at_10


@dataclass(frozen=True, slots=True)
class RobustTable:
    table: Table
    comparison: Comparison

    @property
    def metrics(self) -> tuple[str, ...]:
        return self.comparison.metrics


def robust_table(tab: Table, options: StatOptions) -> RobustTable | None:
    """The robust metrics of ``tab``'s rows (same order and letters), tested pairwise; None when no row has any."""
    if not any(row.metric(name) is not None for row in tab.rows for name in TESTED):
        return None
    metrics = tuple(m for m in TESTED if any(row.metric(m) is not None for row in tab.rows))
    systems = [SystemScores(row.label, row.result.system, row.result.record.per_query) for row in tab.rows]
    return RobustTable(tab, compare_systems(systems, metrics, options, effects=False))


def pool_bias_warning(tab: Table) -> str | None:
    """One line naming the less-judged systems when Judged@10 spreads over more than :data:`SPREAD`, else None."""
    values = [(row, judged(row)) for row in tab.rows]
    known = [(row, v) for row, v in values if v is not None]
    if len(known) < 2:
        return None
    top = max(v for _, v in known)
    low = min(v for _, v in known)
    if not _apart(top, low):
        return None
    best = [row for row, v in known if v == top]
    behind = [row for row, v in known if _apart(top, v)]
    return (f"Warning: Judged@10 ranges from {low:.0%} to {top:.0%} in this table: "
            f"{_names(behind)} {'has' if len(behind) == 1 else 'have'} more unjudged products in the top 10 than "
            f"{_names(best)}. The standard metrics count unjudged products as irrelevant and so favour the systems "
            "closest to the judging pool; compare NDCG'@10 and bpref below.")


def _apart(high: float, low: float) -> bool:
    """More than :data:`SPREAD` apart (a mean of 0.2s that sums to 0.19999999999999998 is 0.2)."""
    return round(high - low, 9) > SPREAD


def _names(rows: list[Row]) -> str:
    return ", ".join(f"{row.label} ({row.letter}, {judged(row):.0%})" for row in rows)

"""What the leaderboard says around its tables, as plain text (one home; each renderer escapes it)."""

from __future__ import annotations

from collections.abc import Sequence

from benchmark.ranking.cost import Prices
from leaderboard import efficiency
from leaderboard.cells import MISSING, Point
from leaderboard.options import StatOptions
from leaderboard.robust import RobustTable, pool_bias_warning
from leaderboard.table import PRIMARY, Table

MATRIX = (f"{MISSING}: no result for this system on this dataset and split. Bold: best in row. "
          "Values from different rows are different test collections and are not compared.")


def reading_guide(options: StatOptions) -> str:
    return (f"How to read: rows are sorted by {PRIMARY}. Each row has a letter; a superscript letter x on a "
            "value means the row is significantly better than row x on that metric: "
            f"{options.describe()}, over all pairs of systems in the table, per metric. "
            "No letter does not mean equal, only not shown to differ. Results whose dataset checksum, split, "
            "gain map, protocol or metric set differ are never put in one table.")


def efficiency_notes(tab: Table, prices: Prices | None) -> list[str]:
    """What the efficiency columns mean and which machine(s) measured them."""
    records = [row.result.record for row in tab.rows]
    lines = [efficiency.legend(prices)]
    machines = efficiency.machines(records).legend()
    if machines:
        lines.append(machines)
    if any(r.efficiency.legacy for r in records):
        lines.append(efficiency.LEGACY_NOTE)
    return lines


def table_notes(tab: Table, prices: Prices | None) -> list[str]:
    """The lines under a standard table: tests, bold and letters, efficiency, notes, the pool-bias warning."""
    per_metric = ", ".join(f"{m}: {tab.comparison.family_size(m)}" for m in tab.metrics)
    lines = [(f"{len(tab.rows)} systems; tests per metric ({per_metric}). "
             "Bold: best in column. Superscript x: significantly better than row x.")]
    lines.extend(efficiency_notes(tab, prices))
    lines.extend(f"Note: {note}." for note in tab.comparison.notes)
    if tab.baseline is None:
        lines.append("Note: no bm25 row in this table, so no relative change is shown.")
    warning = pool_bias_warning(tab)
    if warning:
        lines.append(warning)
    return lines


def robust_notes(robust: RobustTable) -> list[str]:
    per_metric = ", ".join(f"{m}: {robust.comparison.family_size(m)}" for m in robust.metrics)
    legend = (f"NDCG'@10: nDCG@10 of the run without its unjudged products; bpref: judged products only; "
              f"Judged@10: share of the top 10 with a judgement. Tests per metric ({per_metric}); superscript x: "
              "significantly better than row x. —: the result file predates the metric.")
    return [legend, *(f"Note: {note}." for note in robust.comparison.notes)]


def plot_notes(tab: Table, points: Sequence[Point]) -> tuple[str, ...]:
    """Which systems are on the quality/latency front, which are not plotted, and on what machine(s)."""
    notes = [(f"On the Pareto front (no other system is both faster and better): "
              f"{', '.join(p.letter for p in points if p.front)}.")]
    missing = [row.letter for row in tab.rows if row.letter not in {p.letter for p in points}]
    if missing:
        notes.append(f"Not plotted (no per-query latency in the result file): {', '.join(missing)}.")
    found = efficiency.machines([row.result.record for row in tab.rows if row.letter in {p.letter for p in points}])
    if found.mixed:
        notes.append("Latencies from different machines are in this plot: " + found.legend())
    return tuple(notes)

"""One leaderboard table as data: its rows in order (with letters), the baseline and the paired tests."""

from __future__ import annotations

from dataclasses import dataclass

from benchmark.ranking.evaluation import MRR_10, NDCG_10, PRIMARY_METRIC, RECALL_100
from leaderboard.collect import Group, LoadedResult, Scan
from leaderboard.compare import Comparison, SystemScores, compare_systems, letter
from leaderboard.options import StatOptions

TABLE_METRICS: tuple[str, ...] = (NDCG_10.name, MRR_10.name, RECALL_100.name)
PRIMARY = PRIMARY_METRIC.name
BASELINE_RETRIEVER = "bm25"


@dataclass(frozen=True, slots=True)
class Row:
    letter: str
    label: str
    result: LoadedResult

    def metric(self, name: str) -> float | None:
        return self.result.record.metrics.get(name)


@dataclass(frozen=True, slots=True)
class Table:
    group: Group
    rows: tuple[Row, ...]
    comparison: Comparison
    baseline: Row | None

    @property
    def metrics(self) -> tuple[str, ...]:
        return self.comparison.metrics

    def letters(self, metric: str, row: int) -> str:
        return self.comparison.letters(metric, row)


def _primary(result: LoadedResult) -> float:
    value = result.record.metrics.get(PRIMARY)
    return float("-inf") if value is None else value


def build_table(group: Group, scan: Scan, options: StatOptions) -> Table:
    """Rows sorted by the primary metric (best first, then by label); letters follow the row order."""
    labelled = [(scan.labels[r.system], r) for r in group.results]
    labelled.sort(key=lambda item: (-_primary(item[1]), item[0]))
    rows = tuple(Row(letter(i), label, result) for i, (label, result) in enumerate(labelled))
    metrics = tuple(m for m in TABLE_METRICS if m in group.key.metrics)
    systems = [SystemScores(row.label, row.result.system, row.result.record.per_query) for row in rows]
    comparison = compare_systems(systems, metrics, options, effects=False)
    baselines = [row for row in rows if row.result.record.retriever.name == BASELINE_RETRIEVER]
    baseline = min(baselines, key=lambda row: row.label) if baselines else None
    return Table(group, rows, comparison, baseline)

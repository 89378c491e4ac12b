"""The plain-text cells of a leaderboard table, shared by its renderers (markdown, HTML): each renderer escapes
them its own way. Also the points of the quality-vs-latency plot, with the Pareto front marked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from benchmark.fusion.record import is_fused
from leaderboard.efficiency import end_to_end_p50
from leaderboard.fused import parts_text
from leaderboard.models import record_models
from leaderboard.pareto import pareto_front
from leaderboard.table import PRIMARY, Row, Table

MISSING = "—"
SCORE = "{:.4f}"


def best_texts(values: Sequence[float | None], fmt: str = SCORE, lower_is_better: bool = False) -> set[str]:
    """The best value as shown (a set: empty when there is no value); equal texts are equally best."""
    present = [v for v in values if v is not None]
    if not present:
        return set()
    return {fmt.format(min(present) if lower_is_better else max(present))}


def model_text(tab: Table, row: Row) -> str:
    """The model (a registered name or folder name with its weights' hash, never a machine path); for a fused
    system its parts, with the letters of their own rows (``bm25 (c) + dense (a)``)."""
    record = row.result.record
    if is_fused(record):
        return parts_text(record, [(r.letter, r.result.record) for r in tab.rows])
    return record_models(record) or MISSING


def relative_change(tab: Table, index: int) -> str:
    """The primary metric of row ``index`` relative to the table's bm25 row (``+2.3%``, ``baseline`` or —)."""
    row = tab.rows[index]
    if tab.baseline is None:
        return MISSING
    if row is tab.baseline:
        return "baseline"
    base, value = tab.baseline.metric(PRIMARY), row.metric(PRIMARY)
    if base is None or value is None or base == 0:
        return MISSING
    return f"{(value - base) / base:+.1%}"


@dataclass(frozen=True, slots=True)
class Point:
    label: str
    letter: str
    latency_ms: float
    score: float
    front: bool = False  # on the quality/latency Pareto front (leaderboard.pareto)


def latency_points(tab: Table) -> list[Point]:
    """The rows with a per-query end-to-end p50 and a primary metric, in row order, front marked."""
    plotted = [(row, latency, score) for row in tab.rows
               if (latency := end_to_end_p50(row.result.record)) is not None
               and (score := row.metric(PRIMARY)) is not None]
    front = set(pareto_front([(latency, score) for _, latency, score in plotted]))
    return [Point(row.label, row.letter, latency, score, i in front) for i, (row, latency, score) in enumerate(plotted)]

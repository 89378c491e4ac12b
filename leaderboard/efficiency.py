"""The efficiency columns of a leaderboard or comparison, the machines that produced them, and their cost.

Latency columns are per-query percentiles, end to end (query encoding, store search, fusion), from the result
file's latency sample; throughput is the batched end-to-end rate. A schema-1 file knows only the mean per batch of
64 queries with query encoding excluded: its value is shown with :data:`LEGACY_MARK` and never marked best.
Figures from different machines are never put in one column silently: the table gets a ``hw`` column and the
machines are listed under it (:func:`machines`). With a price per hour, two cost columns follow
(:mod:`benchmark.ranking.cost`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchmark.ranking import cost
from benchmark.ranking.cost import Prices
from benchmark.ranking.results import LEGACY_LATENCY, ResultRecord

LEGACY_MARK = "†"
LEGACY_NOTE = (f"{LEGACY_MARK}: from a schema-1 result file, which timed the {LEGACY_LATENCY} "
               "(not comparable with per-query latency).")


@dataclass(frozen=True, slots=True)
class Cell:
    value: float | None
    legacy: bool = False


@dataclass(frozen=True, slots=True)
class EfficiencyColumn:
    header: str
    value: Callable[[ResultRecord], Cell]
    fmt: str
    lower_is_better: bool


def _latency(percentile: str) -> Callable[[ResultRecord], Cell]:
    def value(record: ResultRecord) -> Cell:
        eff = record.efficiency
        if eff.latency is not None:
            return Cell(getattr(eff.latency.end_to_end, percentile))
        legacy = {"p50": eff.batch_ms_p50, "p95": eff.batch_ms_p95}.get(percentile)
        return Cell(legacy, legacy=legacy is not None)
    return value


def _field(get: Callable[[ResultRecord], float | None]) -> Callable[[ResultRecord], Cell]:
    return lambda record: Cell(get(record))


def columns(prices: Prices | None = None) -> tuple[EfficiencyColumn, ...]:
    found = [
        EfficiencyColumn("p50 ms", _latency("p50"), "{:.2f}", True),
        EfficiencyColumn("p95 ms", _latency("p95"), "{:.2f}", True),
        EfficiencyColumn("QPS", _field(lambda r: r.efficiency.throughput_qps), "{:,.0f}", False),
        EfficiencyColumn("encode docs/s", _field(lambda r: r.efficiency.encode_docs_per_s), "{:,.0f}", False),
        EfficiencyColumn("index MB", _field(lambda r: None if r.efficiency.index_bytes is None
                                            else r.efficiency.index_bytes / 2**20), "{:.1f}", True),
        EfficiencyColumn("nnz/doc", _field(lambda r: r.efficiency.nnz_doc), "{:.1f}", True),
    ]
    if prices is not None:
        found.extend([
            EfficiencyColumn("$/1M queries", _field(lambda r: cost.per_million_queries(r, prices)),
                             "{:,.3f}", True),
            EfficiencyColumn("$/1M docs", _field(lambda r: cost.per_million_documents(r, prices)),
                             "{:,.3f}", True),
        ])
    return tuple(found)


def machine_of(record: ResultRecord) -> str:
    """The line naming the machine behind a record's efficiency figures (a schema-1 file: its environment)."""
    if record.efficiency.hardware is not None:
        return record.efficiency.hardware.line()
    env = record.environment
    cores = f", {env.cpu_count} cores" if env.cpu_count else ""
    gpu = f", {env.gpu}" if env.gpu else ""
    return f"{env.cpu}{cores}{gpu}"


@dataclass(frozen=True, slots=True)
class Machines:
    """The machines of a table's rows: ``marks[i]`` is row i's (``H1``, ``H2``, ... only when there are several)."""

    lines: tuple[str, ...]
    marks: tuple[str, ...]

    @property
    def mixed(self) -> bool:
        return len(self.lines) > 1

    def legend(self) -> str:
        if not self.lines:
            return ""
        if not self.mixed:
            return f"Efficiency measured on: {self.lines[0]}."
        named = "; ".join(f"H{i + 1} = {line}" for i, line in enumerate(self.lines))
        return (f"Efficiency figures come from {len(self.lines)} machines (column hw: {named}); compare them only "
                "between rows of the same machine.")


def machines(records: Sequence[ResultRecord]) -> Machines:
    per_row = [machine_of(r) for r in records]
    lines = tuple(dict.fromkeys(per_row))
    marks = tuple(f"H{lines.index(m) + 1}" for m in per_row) if len(lines) > 1 else ("",) * len(per_row)
    return Machines(lines, marks)


def best(cells: Sequence[Cell], column: EfficiencyColumn, comparable: bool) -> str | None:
    """The formatted best value of a column (None when the rows' machines differ or fewer than two compare)."""
    values = [c.value for c in cells if c.value is not None and not c.legacy]
    if not comparable or len(values) < 2:
        return None
    return column.fmt.format(min(values) if column.lower_is_better else max(values))


def text(cell: Cell, column: EfficiencyColumn) -> str | None:
    if cell.value is None:
        return None
    return column.fmt.format(cell.value) + (LEGACY_MARK if cell.legacy else "")


def end_to_end_p50(record: ResultRecord) -> float | None:
    """The x of the quality-vs-latency plot: per-query end-to-end p50 (schema-1 files have none)."""
    latency = record.efficiency.latency
    return latency.end_to_end.p50 if latency is not None else None


def legend(prices: Prices | None) -> str:
    text = ("p50/p95 ms: per-query end-to-end latency (query encoding, search and fusion; one query at a time on a "
            "seeded sample); QPS: batched end-to-end throughput; encode docs/s: catalog encoding rate.")
    if prices is not None:
        text += (f" $/1M: at {prices.describe()}: a million queries at the batched throughput, a million documents "
                 "at the index build's rate")
        text += ("; a catalog encoded elsewhere: its GPU seconds at the GPU price, the rest of the build at the "
                 "machine's." if prices.gpu is not None else
                 " (a catalog encoded elsewhere has no $/1M docs without --gpu-price-per-hour).")
    return text


@dataclass(frozen=True, slots=True)
class PlainTable:
    """The efficiency columns of some records as plain text cells (the caller escapes), with their legends."""

    header: list[str]
    rows: list[list[str]]
    notes: list[str]


def plain_table(records: Sequence[ResultRecord], prices: Prices | None = None,
                missing: str = "—") -> PlainTable:
    found, chosen = machines(records), columns(prices)
    header = [c.header for c in chosen] + (["hw"] if found.mixed else [])
    rows = [[text(c.value(r), c) or missing for c in chosen] + ([found.marks[i]] if found.mixed else [])
            for i, r in enumerate(records)]
    notes = [legend(prices)] + ([found.legend()] if found.lines else [])
    if any(r.efficiency.legacy for r in records):
        notes.append(LEGACY_NOTE)
    return PlainTable(header, rows, notes)

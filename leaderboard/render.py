"""The leaderboard as markdown: per-setting tables with letters and provenance, the cross-dataset matrix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from benchmark.ranking.cost import Prices
from leaderboard import efficiency, legends
from leaderboard.cells import MISSING, best_texts, model_text, relative_change
from leaderboard.collect import BadFile, Scan
from leaderboard.markdown import bold, code, escape, sup, table
from leaderboard.options import StatOptions
from leaderboard.portable import shorten_paths
from leaderboard.provenance import provenance_lines
from leaderboard.robust import JUDGED, RobustTable, judged, robust_table
from leaderboard.table import PRIMARY, Table


@dataclass(frozen=True, slots=True)
class PlotLink:
    """A plot's relative link and its key: (mark in the plot, system label), in the plot's order."""

    path: str
    keys: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()  # plain text, escaped when rendered


@dataclass(frozen=True, slots=True)
class Plots:
    """The plots (or why there are none)."""

    matrix: PlotLink | None = None
    per_table: Mapping[str, PlotLink] | None = None
    missing_reason: str | None = None


def plot_lines(alt: str, plot: PlotLink) -> list[str]:
    """The image, then its key: the plots mark systems by letter, since full names do not fit in a figure."""
    lines = [f"![{alt}]({plot.path})", ""]
    if plot.keys:
        lines.extend(["Key: " + "; ".join(f"{key} = {escape(label)}" for key, label in plot.keys) + ".", ""])
    if plot.notes:
        lines.extend([" ".join(escape(note) for note in plot.notes), ""])
    return lines


def _cell(text: str, best: set[str], letters: str = "") -> str:
    return (bold(text) if text in best else text) + sup(letters)


def table_lines(tab: Table, prices: Prices | None = None) -> list[str]:
    records = [row.result.record for row in tab.rows]
    hardware = efficiency.machines(records)
    header = ["", "system", "model", *tab.metrics]
    if PRIMARY in tab.metrics:
        header.append(f"Δ% {PRIMARY} vs {escape(tab.baseline.label) if tab.baseline else 'bm25'}")
    eff_columns = efficiency.columns(prices)
    header.extend(escape(c.header) for c in eff_columns)
    if hardware.mixed:
        header.append("hw")
    columns: list[list[str]] = [[row.letter for row in tab.rows], [escape(row.label) for row in tab.rows],
                                [escape(model_text(tab, row)) for row in tab.rows]]
    for metric in tab.metrics:
        values = [row.metric(metric) for row in tab.rows]
        best = best_texts(values) if len(tab.rows) > 1 else set()
        columns.append([MISSING if v is None else _cell(f"{v:.4f}", best, tab.letters(metric, i))
                        for i, v in enumerate(values)])
    if PRIMARY in tab.metrics:
        columns.append([relative_change(tab, i) for i in range(len(tab.rows))])
    for column in eff_columns:
        cells = [column.value(record) for record in records]
        top = efficiency.best(cells, column, comparable=not hardware.mixed)
        texts = [efficiency.text(cell, column) for cell in cells]
        columns.append([MISSING if t is None else (bold(t) if t == top and not c.legacy else t)
                        for t, c in zip(texts, cells, strict=True)])
    if hardware.mixed:
        columns.append(list(hardware.marks))
    rows = [list(cells) for cells in zip(*columns)]
    return table(header, rows, ["l", "l", "l", *"r" * (len(header) - 3)])


def robust_lines(robust: RobustTable) -> list[str]:
    """The same rows (letters, systems) with the metrics robust to incomplete judgements."""
    tab = robust.table
    header = ["", "system", *robust.metrics, JUDGED]
    columns: list[list[str]] = [[row.letter for row in tab.rows], [escape(row.label) for row in tab.rows]]
    for metric in robust.metrics:
        values = [row.metric(metric) for row in tab.rows]
        best = best_texts(values) if len(tab.rows) > 1 else set()
        columns.append([MISSING if v is None else _cell(f"{v:.4f}", best, robust.comparison.letters(metric, r))
                        for r, v in enumerate(values)])
    shares = [judged(row) for row in tab.rows]
    columns.append([MISSING if v is None else f"{v:.0%}" for v in shares])
    lines = ["Robust to incomplete judgements (unjudged products are not counted as irrelevant):", ""]
    lines.extend(table(header, [list(cells) for cells in zip(*columns)], ["l", "l", *"r" * (len(header) - 2)]))
    legend, *notes = legends.robust_notes(robust)
    lines.extend(["", escape(legend)])
    lines.extend(escape(note) for note in notes)
    lines.append("")
    return lines


def section_lines(tab: Table, scan: Scan, plot: PlotLink | None, prices: Prices | None = None) -> list[str]:
    group = tab.group
    lines = [f"## {escape(group.title)}", ""]
    if group.differences:
        lines.extend(["Kept apart from the other variants of this dataset and split: "
                      + " / ".join(escape(d) for d in group.differences) + ".", ""])
    lines.extend(table_lines(tab, prices))
    lines.append("")
    lines.extend(escape(line) for line in legends.table_notes(tab, prices))
    lines.append("")
    robust = robust_table(tab, tab.comparison.options)
    if robust is not None:
        lines.extend(robust_lines(robust))
    if plot:
        lines.extend(plot_lines(f"{escape(PRIMARY)} vs end-to-end latency, {escape(group.title)}", plot))
    lines.extend(provenance_lines(tab, scan.relative))
    lines.append("")
    return lines


def matrix_lines(tables: Sequence[Table], labels: Sequence[str]) -> list[str]:
    """Settings (rows) x systems (columns) on the primary metric; a missing result shows as —."""
    header = ["dataset / split", *(escape(label) for label in labels)]
    rows = []
    for tab in tables:
        values = {row.label: row.metric(PRIMARY) for row in tab.rows}
        best = best_texts(list(values.values()))
        rows.append([escape(tab.group.title), *(
            MISSING if values.get(label) is None else _cell(f"{values[label]:.4f}", best) for label in labels)])
    lines = [f"## {PRIMARY} across datasets", ""]
    lines.extend(table(header, rows, ["l", *"r" * len(labels)]))
    lines.extend(["", escape(legends.MATRIX), ""])
    return lines


def document(tables: Sequence[Table], scan: Scan, options: StatOptions, plots: Plots, source: str,
             prices: Prices | None = None) -> str:
    """The whole LEADERBOARD.md."""
    labels = sorted({row.label for tab in tables for row in tab.rows})
    lines = [
        "# shopbench leaderboard",
        "",
        (f"Generated by `bench leaderboard` from the result files in {code(source)} "
         f"({_count(sum(len(t.rows) for t in tables), 'result')} in {_count(len(tables), 'table')}). "
         "Regenerating from the same files gives the same bytes."),
        "",
        escape(legends.reading_guide(options)),
        "",
    ]
    if plots.missing_reason:
        lines.extend([f"Plots: not drawn ({escape(plots.missing_reason)}).", ""])
    lines.extend(matrix_lines(tables, labels))
    if plots.matrix:
        lines.extend(plot_lines(f"{escape(PRIMARY)} per system and dataset", plots.matrix))
    for tab in tables:
        lines.extend(section_lines(tab, scan, (plots.per_table or {}).get(tab.group.title), prices))
    lines.extend(bad_file_lines(scan.bad_files, scan))
    return "\n".join(lines).rstrip("\n") + "\n"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def bad_file_lines(bad: Sequence[BadFile], scan: Scan) -> list[str]:
    if not bad:
        return []
    lines = ["## Files not used", "", "These files could not be read as result records and are not counted:", ""]
    lines.extend(f"- {code(scan.relative(b.path))}: {escape(shorten_paths(b.reason))}" for b in bad)
    return [*lines, ""]

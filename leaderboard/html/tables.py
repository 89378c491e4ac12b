"""A leaderboard table as a sortable HTML table: the same rows, letters, cells and legends as the markdown.

Every cell carries ``data-sort`` (the number behind it, or its text), which the page's script sorts on; a
missing value has an empty key and sorts last either way. Significance letters are ``<sup>`` elements whose
title spells out the rows they beat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from benchmark.ranking.cost import Prices
from leaderboard import efficiency
from leaderboard.cells import MISSING, SCORE, best_texts, model_text, relative_change
from leaderboard.html.markup import Html, el
from leaderboard.robust import JUDGED, RobustTable, judged
from leaderboard.table import PRIMARY, Table


@dataclass(frozen=True, slots=True)
class Cell:
    content: Html | str
    sort: str | float | None  # None: missing
    numeric: bool = True
    kind: str | None = None  # a CSS class for the column (text columns)


def _td(cell: Cell) -> Html:
    key = "" if cell.sort is None else (repr(float(cell.sort)) if cell.numeric else str(cell.sort))
    return el("td", cell.content, data_sort=key, class_="num" if cell.numeric else cell.kind)


def _th(header: str, numeric: bool, title: str | None = None) -> Html:
    return el("th", el("button", header, type="button", class_="sort", title=title or f"sort by {header}"),
              scope="col", data_type="number" if numeric else "text")


def _letters(letters: str) -> Html | None:
    if not letters:
        return None
    rows = letters.split(",") if "," in letters else list(letters)
    return el("sup", letters, class_="sig", title="significantly better than row " + ", ".join(rows))


def _score(value: float | None, best: set[str], letters: str) -> Cell:
    if value is None:
        return Cell(MISSING, None)
    shown = SCORE.format(value)
    content = el("strong", shown) if shown in best else shown
    return Cell(Html(el("span", content) + (_letters(letters) or "")), value)


def render_table(header: Sequence[tuple[str, bool]], rows: Sequence[Sequence[Cell]], caption: str | None,
                 table_id: str) -> Html:
    head = el("thead", el("tr", [_th(name, numeric) for name, numeric in header]))
    body = el("tbody", [el("tr", [_td(c) for c in row], data_row=str(i)) for i, row in enumerate(rows)])
    return el("div", el("table", el("caption", caption) if caption else None, head, body, class_="board sortable", id=table_id),
              class_="scroll")


def _pct(text: str) -> float | None:
    try:
        return float(text.rstrip("%")) / 100
    except ValueError:
        return None


def main_table(tab: Table, table_id: str, prices: Prices | None = None) -> Html:
    """The standard table: letter, system, model, metrics (with letters), Δ% vs bm25, efficiency, hw."""
    records = [row.result.record for row in tab.rows]
    hardware = efficiency.machines(records)
    header: list[tuple[str, bool]] = [("", False), ("system", False), ("model", False)]
    header.extend((m, True) for m in tab.metrics)
    columns: list[list[Cell]] = [
        [Cell(row.letter, row.letter, False) for row in tab.rows],
        [Cell(el("span", row.label, class_="system"), row.label, False) for row in tab.rows],
        [Cell(model_text(tab, row), model_text(tab, row), False, "model") for row in tab.rows],
    ]
    for metric in tab.metrics:
        values = [row.metric(metric) for row in tab.rows]
        best = best_texts(values) if len(tab.rows) > 1 else set()
        columns.append([_score(v, best, tab.letters(metric, i)) for i, v in enumerate(values)])
    if PRIMARY in tab.metrics:
        base = tab.baseline.label if tab.baseline else "bm25"
        header.append((f"Δ% {PRIMARY} vs {base}", True))
        shown = [relative_change(tab, i) for i in range(len(tab.rows))]
        columns.append([Cell(t, 0.0 if t == "baseline" else _pct(t)) for t in shown])
    for column in efficiency.columns(prices):
        header.append((column.header, True))
        cells = [column.value(record) for record in records]
        top = efficiency.best(cells, column, comparable=not hardware.mixed)
        texts = [efficiency.text(cell, column) for cell in cells]
        columns.append([Cell(MISSING, None) if t is None else
                        Cell(el("strong", t) if t == top and not c.legacy else t, c.value)
                        for t, c in zip(texts, cells, strict=True)])
    if hardware.mixed:
        header.append(("hw", False))
        columns.append([Cell(mark, mark, False) for mark in hardware.marks])
    rows = [list(cells) for cells in zip(*columns, strict=True)]
    return render_table(header, rows, f"{tab.group.title}: {len(tab.rows)} systems, sorted by {PRIMARY}", table_id)


def robust_table_html(robust: RobustTable, table_id: str) -> Html:
    """The same rows with the metrics robust to incomplete judgements and Judged@10."""
    tab = robust.table
    header: list[tuple[str, bool]] = [("", False), ("system", False), *((m, True) for m in robust.metrics),
                                      (JUDGED, True)]
    columns: list[list[Cell]] = [[Cell(row.letter, row.letter, False) for row in tab.rows],
                                 [Cell(el("span", row.label, class_="system"), row.label, False) for row in tab.rows]]
    for metric in robust.metrics:
        values = [row.metric(metric) for row in tab.rows]
        best = best_texts(values) if len(tab.rows) > 1 else set()
        columns.append([_score(v, best, robust.comparison.letters(metric, r)) for r, v in enumerate(values)])
    shares = [judged(row) for row in tab.rows]
    columns.append([Cell(MISSING, None) if v is None else Cell(f"{v:.0%}", v) for v in shares])
    rows = [list(cells) for cells in zip(*columns, strict=True)]
    return render_table(header, rows, "Robust to incomplete judgements (unjudged products are not counted "
                                      "as irrelevant)", table_id)


def matrix_table(tables: Sequence[Table], labels: Sequence[str]) -> Html:
    """Settings (rows) x systems (columns) on the primary metric."""
    header = [("dataset / split", False), *((label, True) for label in labels)]
    rows = []
    for tab in tables:
        values = {row.label: row.metric(PRIMARY) for row in tab.rows}
        best = best_texts(list(values.values()))
        cells = [Cell(tab.group.title, tab.group.title, False)]
        for label in labels:
            value = values.get(label)
            cells.append(_score(value, best, ""))
        rows.append(cells)
    return render_table(header, rows, None, "matrix")

"""The leaderboard page: one HTML document, its style and script inlined, data in JSON blocks.

The Content-Security-Policy allows only the page's own inline script and style (by hash) and, when the per-query
data is in a sibling file, that file: text from the data can never run, even if it got past the escaping.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from benchmark.ranking.cost import Prices
from leaderboard import legends
from leaderboard.cells import latency_points
from leaderboard.collect import Scan
from leaderboard.html.markup import Html, el, json_script, json_text, text
from leaderboard.html.queries import QueryData
from leaderboard.html.svg import quality_vs_latency
from leaderboard.html.tables import main_table, matrix_table, robust_table_html
from leaderboard.options import StatOptions
from leaderboard.portable import shorten_paths
from leaderboard.provenance import provenance
from leaderboard.robust import robust_table
from leaderboard.table import PRIMARY, Table


def asset(name: str) -> str:
    return resources.files("leaderboard.html").joinpath(name).read_text(encoding="utf-8")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


@dataclass(frozen=True, slots=True)
class PageInputs:
    tables: Sequence[Table]
    scan: Scan
    options: StatOptions
    source: str  # the results folder as shown
    prices: Prices | None = None
    queries: Mapping[str, QueryData] | None = None  # per table id; None: no per-query view
    sibling: str | None = None  # file name of the per-query data beside the page, when not embedded
    hits_note: str = ""


def table_id(index: int) -> str:
    return f"t{index + 1}"


def data_id(tid: str) -> str:
    """The id of a table's per-query data: its JSON block, or its key in the sibling file."""
    return f"{tid}-queries"


def _paragraphs(lines: Sequence[str], class_: str | None = None) -> list[Html]:
    return [el("p", line, class_="warning" if line.startswith("Warning:") else class_) for line in lines]


def _plot(tab: Table) -> list[Html]:
    points = latency_points(tab)
    if not points:
        return []
    key = el("p", "Key: ", "; ".join(f"{p.letter} = {p.label}" for p in points), ".", class_="note")
    return [el("h3", f"{PRIMARY} vs latency"), el("figure", quality_vs_latency(points, PRIMARY, tab.group.title)),
            key, *_paragraphs(legends.plot_notes(tab, points), "note")]


def _provenance(tab: Table, scan: Scan, tid: str) -> list[Html]:
    found = provenance(tab, scan.relative)
    facts = [el("dt", "dataset"), el("dd", f"{found.dataset} / {found.split}, checksum ", el("code", found.checksum)),
             el("dt", "gains"), el("dd", f"{found.gains}; relevant at gain >= {found.relevant_level}; "
                                          f"queries: {found.queries}")]
    for name, value in found.facts:
        facts.extend([el("dt", name), el("dd", el("code", value) if name == "protocol" else value)])
    rows = []
    for command, row in zip(found.commands, tab.rows, strict=True):
        record = row.result.record
        details = [el("dt", "result file"), el("dd", el("code", command.path)),
                   el("dt", "retriever"), el("dd", record.retriever.name),
                   el("dt", "model"), el("dd", record.retriever.model_id or "—"),
                   el("dt", "weights sha256"), el("dd", el("code", record.retriever.weights_sha256 or "—")),
                   el("dt", "run"), el("dd", f"{record.started_at:%Y-%m-%d %H:%M:%SZ} to "
                                             f"{record.finished_at:%Y-%m-%d %H:%M:%SZ}")]
        rows.append(el("details", el("summary", el("strong", row.letter), ": ", el("span", row.label, class_="system")),
                       el("dl", details, class_="facts"), el("pre", el("code", command.command)),
                       class_="row-provenance", id=f"{tid}-{row.letter}"))
    out = [el("h3", "Provenance"), el("dl", facts, class_="facts"),
           el("p", found.commands_title.replace("`bench run`", "bench run")), *rows]
    if found.superseded:
        out.append(el("p", "Superseded by a newer result of the same system (not shown):"))
        out.append(el("ul", [el("li", el("code", old.path), f" (started {old.started})") for old in found.superseded]))
    return out


def _per_query(tab: Table, tid: str, data: QueryData, hits_note: str) -> list[Html]:
    systems = data.data["systems"]
    letters = [s["letter"] for s in systems]
    base = tab.baseline.letter if tab.baseline else (letters[1] if len(letters) > 1 else letters[0])
    other = letters[0] if letters[0] != base else (letters[1] if len(letters) > 1 else letters[0])

    def select(name: str, chosen: str, label: str) -> Html:
        options = [el("option", f"{s['letter']}: {s['label']}", value=s["letter"], selected=s["letter"] == chosen)
                   for s in systems]
        return el("label", f"{label} ", el("select", options, class_=name))

    metrics = [el("option", m, value=m, selected=m == PRIMARY) for m in data.data["metrics"]]
    show = [el("option", label, value=value) for value, label in
            (("all", "all queries"), ("wins", "B better"), ("losses", "A better"), ("ties", "ties"))]
    controls = el("div", select("pq-a", base, "System A"), select("pq-b", other, "System B"),
                  el("label", "Metric ", el("select", metrics, class_="pq-metric")),
                  el("label", "Show ", el("select", show, class_="pq-show")), class_="controls")
    notes = [*data.notes, hits_note] if hits_note else data.notes
    return [el("section", el("h3", "Per query"),
               el("p", "Pick two systems: the queries both were scored on, sorted by the difference in the metric "
                       "(B minus A). Open a query to see both systems' top hits with their judgements.",
                  class_="muted"),
               *_paragraphs([f"Note: {n}." for n in notes], "note"), controls,
               el("p", class_="pq-summary"), el("ol", class_="pq-list"),
               el("button", "show more", type="button", class_="more", hidden=True),
               class_="per-query", data_source=data_id(tid), id=f"{tid}-per-query")]


def _section(index: int, tab: Table, inputs: PageInputs) -> Html:
    tid = table_id(index)
    parts: list[Html | None] = [el("h2", tab.group.title, id=tid)]
    if tab.group.differences:
        parts.append(el("p", "Kept apart from the other variants of this dataset and split: "
                        + " / ".join(tab.group.differences) + "."))
    parts.append(main_table(tab, f"{tid}-table", inputs.prices))
    parts.extend(_paragraphs(legends.table_notes(tab, inputs.prices), "note"))
    robust = robust_table(tab, tab.comparison.options)
    if robust is not None:
        parts.append(el("h3", "Robust to incomplete judgements"))
        parts.append(robust_table_html(robust, f"{tid}-robust"))
        parts.extend(_paragraphs(legends.robust_notes(robust), "note"))
    parts.extend(_plot(tab))
    parts.extend(_provenance(tab, inputs.scan, tid))
    if inputs.queries and tid in inputs.queries:
        parts.extend(_per_query(tab, tid, inputs.queries[tid], inputs.hits_note))
    return el("section", parts, class_="setting")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def document(inputs: PageInputs) -> str:
    """The whole page (``data_blocks`` embedded unless ``inputs.sibling`` names the file that holds them)."""
    tables, scan = inputs.tables, inputs.scan
    labels = sorted({row.label for tab in tables for row in tab.rows})
    css, js = asset("page.css"), asset("page.js")
    script_src = [_hash(js)] + (["'self'", "file:"] if inputs.sibling else [])
    policy = (f"default-src 'none'; style-src {_hash(css)}; script-src {' '.join(script_src)}; img-src data:; "
              "base-uri 'none'; form-action 'none'")
    nav = el("nav", el("ul", el("li", el("a", f"{PRIMARY} across datasets", href="#matrix-section")),
                       [el("li", el("a", tab.group.title, href=f"#{table_id(i)}")) for i, tab in enumerate(tables)]))
    body: list[Html] = [
        el("h1", "shopbench leaderboard"),
        el("p", "Generated by ", el("code", "bench leaderboard"), " from the result files in ",
           el("code", inputs.source), f" ({_count(sum(len(t.rows) for t in tables), 'result')} in "
           f"{_count(len(tables), 'table')}). Regenerating from the same files gives the same bytes. "
           "Click a column header to sort."),
        el("p", legends.reading_guide(inputs.options), class_="muted"),
        nav,
        el("section", el("h2", f"{PRIMARY} across datasets"), matrix_table(tables, labels),
           el("p", legends.MATRIX, class_="note"), id="matrix-section"),
    ]
    body.extend(_section(i, tab, inputs) for i, tab in enumerate(tables))
    if scan.bad_files:
        body.append(el("section", el("h2", "Files not used"),
                       el("p", "These files could not be read as result records and are not counted:"),
                       el("ul", [el("li", el("code", scan.relative(b.path)), ": ", shorten_paths(b.reason))
                                 for b in scan.bad_files])))
    data_blocks: list[str] = []
    if inputs.queries and not inputs.sibling:
        data_blocks = [json_script(data_id(tid), q.data) for tid, q in sorted(inputs.queries.items())]
    sibling = [f'<script src="{text(inputs.sibling)}"></script>'] if inputs.sibling else []
    head = ['<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta http-equiv="Content-Security-Policy" content="{text(policy)}">',
            '<meta name="generator" content="shopbench bench leaderboard --html">',
            "<title>shopbench leaderboard</title>", f"<style>{css}</style>"]
    lines = ["<!DOCTYPE html>", '<html lang="en">', "<head>", *head, "</head>", "<body>", *body, *data_blocks,
             *sibling, f"<script>{js}</script>", "</body>", "</html>"]
    return "\n".join(lines) + "\n"


def sibling_script(queries: Mapping[str, QueryData]) -> str:
    """The per-query data as a script the page loads (works from file:// where fetch() does not)."""
    payload = json_text({data_id(tid): q.data for tid, q in sorted(queries.items())})
    return f"window.shopbenchQueries = {payload};\n"

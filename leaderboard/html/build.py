"""``bench leaderboard RESULTS --html OUT.html``: scan, test, gather the per-query data, write the page.

The page embeds everything (style, script, SVG plots, per-query data) unless it would pass :data:`EMBED_LIMIT`;
then the per-query data goes to ``<OUT stem>.queries.js`` beside it, which the page loads (a script, so it works
from ``file://``), and the page says so. Both files are written atomically, the data file first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmark.ranking.cost import Prices
from leaderboard.build import shown_source, write_file
from leaderboard.collect import BadFile, scan
from leaderboard.errors import LeaderboardError
from leaderboard.html.page import PageInputs, document, sibling_script, table_id
from leaderboard.html.queries import Caps, DataSource, QueryData, load_texts, query_data
from leaderboard.options import StatOptions
from leaderboard.table import build_table

EMBED_LIMIT = 5 * 1024 * 1024  # bytes: a bigger page keeps its per-query data in a sibling file


@dataclass(frozen=True, slots=True)
class HtmlReport:
    output: Path
    tables: int
    results: int
    bytes: int
    sibling: Path | None
    sibling_bytes: int
    bad_files: tuple[BadFile, ...]
    notes: tuple[str, ...]


def sibling_path(output: Path) -> Path:
    return output.with_name(f"{output.stem}.queries.js")


def build_html(results_dir: Path | str, output: Path | str, options: StatOptions, *,
               source: DataSource | None = None, caps: Caps | None = None, prices: Prices | None = None,
               embed_limit: int = EMBED_LIMIT) -> HtmlReport:
    """Write the page for ``results_dir`` to ``output`` (and its per-query data file when over ``embed_limit``)."""
    results_dir, output = Path(results_dir), Path(output)
    source, caps = source or DataSource(), caps or Caps()
    found = scan(results_dir)
    if not found.groups:
        raise LeaderboardError(f"no usable result files in {results_dir}")
    tables = [build_table(group, found, options) for group in found.groups]
    queries: dict[str, QueryData] = {}
    notes: list[str] = []
    for index, tab in enumerate(tables):
        dataset, why = load_texts(tab, source)
        data = query_data(tab, dataset, caps, found.relative)
        if why:
            data.notes.insert(0, why)
        notes.extend(f"{tab.group.title}: {n}" for n in data.notes)
        queries[table_id(index)] = data
    inputs = PageInputs(tables, found, options, shown_source(results_dir, output), prices, queries)
    page = document(inputs).encode("utf-8")
    sibling: Path | None = None
    extra = 0
    if len(page) > embed_limit:
        sibling = sibling_path(output)
        payload = sibling_script(queries).encode("utf-8")
        note = (f"the per-query data ({len(payload) / 2**20:.1f} MB) is in {sibling.name} beside this page, "
                "which loads it: keep the two files together")
        inputs = PageInputs(tables, found, options, inputs.source, prices, queries, sibling.name, note)
        page = document(inputs).encode("utf-8")
        write_file(sibling, payload)
        extra = len(payload)
        notes.append(note)
    write_file(output, page)
    return HtmlReport(output, len(tables), sum(len(t.rows) for t in tables), len(page), sibling, extra,
                      found.bad_files, tuple(notes))

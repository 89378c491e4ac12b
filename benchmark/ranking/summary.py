"""The rich tables printed at the end of `bench run`: quality, then efficiency."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from benchmark.core.console import console
from benchmark.ranking.evaluation import BPREF, CONDENSED_NDCG_10, STANDARD_METRICS
from benchmark.ranking.results import ResultRecord


def _num(value: float | None, fmt: str = "{:.4f}") -> str:
    return "—" if value is None else fmt.format(value)


def _table(title: str, columns: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        if i == 0:
            table.add_column(column, overflow="fold", min_width=12)
        else:
            table.add_column(column, justify="right", no_wrap=True)
    return table


def quality_table(results: Sequence[ResultRecord]) -> Table:
    table = _table("quality", ["system", *(m.name for m in STANDARD_METRICS), "queries"])
    for record in results:
        evaluated = len(next(iter(record.per_query.values()), {}))
        excluded = f" (-{len(record.excluded_queries)})" if record.excluded_queries else ""
        table.add_row(
            f"{record.retriever.name} {record.dataset.name}/{record.dataset.split}",
            *(_num(record.metrics.get(m.name)) for m in STANDARD_METRICS), f"{evaluated:,}{excluded}",
        )
    return table


def judgements_table(results: Sequence[ResultRecord]) -> Table:
    """The metrics robust to incomplete judgements, and how much of each top 10 is judged."""
    table = _table("incomplete judgements", ["system", CONDENSED_NDCG_10.name, BPREF.name, "judged@10"])
    for record in results:
        table.add_row(
            f"{record.retriever.name} {record.dataset.name}/{record.dataset.split}",
            _num(record.metrics.get(CONDENSED_NDCG_10.name)), _num(record.metrics.get(BPREF.name)),
            _num(record.judged_at_10, "{:.0%}"),
        )
    return table


def efficiency_table(results: Sequence[ResultRecord]) -> Table:
    table = _table("efficiency", ["system", "index s", "docs/s", "q/s", "ms/q p50", "ms/q p95", "MB",
                                  "nnz d", "nnz q"])
    for record in results:
        eff = record.efficiency
        table.add_row(
            f"{record.retriever.name} {record.dataset.name}",
            _num(eff.index_s, "{:.1f}") + (" reused" if record.reused_index else ""),
            _num(eff.encode_docs_per_s, "{:,.0f}"), _num(eff.qps, "{:,.0f}"),
            _num(eff.search_ms_p50, "{:.2f}"), _num(eff.search_ms_p95, "{:.2f}"),
            _num(None if eff.index_bytes is None else eff.index_bytes / 2**20, "{:.1f}"),
            _num(eff.nnz_doc, "{:.0f}"), _num(eff.nnz_query, "{:.0f}"),
        )
    return table


def render_summary(results: Sequence[tuple[ResultRecord, Path]]) -> None:
    records = [r for r, _ in results]
    console.print(quality_table(records))
    console.print("[dim]queries: evaluated (-excluded: no judgement at or above the relevance level)[/]")
    console.print(judgements_table(records))
    console.print("[dim]NDCG'@10: the run without its unjudged products; bpref: judged products only; "
                  "judged@10: share of the top 10 that carries any judgement[/]")
    console.print(efficiency_table(records))
    console.print("[dim]index s: build time when the index was built (reused: from the earlier build); "
                  "ms/q: search wall time per query, per batch of 64 queries[/]")
    for record, path in results:
        console.print(f"[green]wrote[/] {path} (+ {record.run_file})")

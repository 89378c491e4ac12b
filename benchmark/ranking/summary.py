"""The rich tables printed at the end of `bench run`: quality, then efficiency."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from benchmark.core.console import console
from benchmark.core.timing import STAGES
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


def latency_table(results: Sequence[ResultRecord]) -> Table:
    """Per-query milliseconds (one query at a time, query encoding included): end to end, then per stage."""
    table = _table("latency ms/query (end to end; stages: p50)", ["system", "p50", "p95", "p99", *STAGES, "n"])
    for record in results:
        latency = record.efficiency.latency
        if latency is None:
            table.add_row(_system(record), *["—"] * (4 + len(STAGES)))
            continue
        e2e = latency.end_to_end
        stages = [_num(latency.stages[s].p50 if s in latency.stages else None, "{:.2f}") for s in STAGES]
        table.add_row(_system(record), *(_num(v, "{:.2f}") for v in (e2e.p50, e2e.p95, e2e.p99)), *stages,
                      f"{latency.queries:,}")
    return table


def efficiency_table(results: Sequence[ResultRecord]) -> Table:
    table = _table("efficiency", ["system", "index s", "docs/s", "q/s", "MB", "RSS MB", "nnz d", "nnz q"])
    for record in results:
        eff = record.efficiency
        table.add_row(
            _system(record),
            _num(eff.index_s, "{:.1f}") + (" reused" if record.reused_index else ""),
            _num(eff.encode_docs_per_s, "{:,.0f}"), _num(eff.throughput_qps, "{:,.0f}"),
            _num(None if eff.index_bytes is None else eff.index_bytes / 2**20, "{:.1f}"),
            _num(None if eff.peak_rss_bytes is None else eff.peak_rss_bytes / 2**20, "{:,.0f}"),
            _num(eff.nnz_doc, "{:.0f}"), _num(eff.nnz_query, "{:.0f}"),
        )
    return table


def _system(record: ResultRecord) -> str:
    return f"{record.retriever.name} {record.dataset.name}"


def hardware_lines(results: Sequence[ResultRecord]) -> list[str]:
    """The machines that produced the figures (one line each)."""
    return sorted({r.efficiency.hardware.line() for r in results if r.efficiency.hardware is not None})


def render_summary(results: Sequence[tuple[ResultRecord, Path]]) -> None:
    records = [r for r, _ in results]
    console.print(quality_table(records))
    console.print("[dim]queries: evaluated (-excluded: no judgement at or above the relevance level)[/]")
    console.print(judgements_table(records))
    console.print("[dim]NDCG'@10: the run without its unjudged products; bpref: judged products only; "
                  "judged@10: share of the top 10 that carries any judgement[/]")
    console.print(latency_table(records))
    console.print("[dim]one query at a time after a warm-up, on a seeded sample (n) of the split: end to end "
                  "(what a user waits for), encode (query analysis or model inference), search (the store), "
                  "fuse (combining the parts' lists)[/]")
    console.print(efficiency_table(records))
    console.print("[dim]index s: build time when the index was built (reused: from the earlier build); q/s: "
                  "batched throughput, query encoding + search; RSS: the process's peak resident memory[/]")
    for line in hardware_lines(records):
        console.print(f"[dim]measured on: {escape(line)}[/]")
    for record, path in results:
        console.print(f"[green]wrote[/] {path} (+ {record.run_file})")

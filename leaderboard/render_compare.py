"""`bench compare` output: markdown (ranx-style letters) and rich tables with the same content."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape as rich_escape
from rich.table import Table as RichTable

from benchmark.fusion.record import is_fused
from benchmark.ranking.cost import Prices
from leaderboard import efficiency
from leaderboard.compare import Comparison, PairResult, letter
from leaderboard.fused import fusion_note
from leaderboard.markdown import code, escape, signed, sup, table
from leaderboard.options import StatOptions
from leaderboard.resolve import Selection


def fmt_p(p: float) -> str:
    return "<0.0001" if p < 0.0001 else f"{p:.4f}"


def _ci(result: PairResult) -> str:
    return "—" if result.ci is None else f"[{signed(result.ci[0])}, {signed(result.ci[1])}]"


def _pair_cells(comparison: Comparison, result: PairResult) -> list[str]:
    significant = result.p_adjusted < comparison.options.alpha
    return [f"{letter(result.first)} vs {letter(result.second)}", signed(result.difference), _ci(result),
            str(result.win_tie_loss), f"{result.queries:,}", fmt_p(result.p_value), fmt_p(result.p_adjusted),
            "yes" if significant else "no"]


def _pair_header(options: StatOptions) -> list[str]:
    return ["pair", "Δ mean", f"{options.confidence:.0%} CI", "W/T/L", "queries", "p", f"p ({options.correction.value})",
            f"p < {options.alpha:g}"]


def explanation(comparison: Comparison) -> str:
    o = comparison.options
    family = comparison.family_size(comparison.metrics[0]) if comparison.metrics else 0
    return (f"Test: {o.describe()}; the family is the {family} pair{'' if family == 1 else 's'} of systems, "
            f"per metric. Δ mean: first minus second system, on the queries both were evaluated on; "
            f"CI: {o.confidence:.0%} percentile bootstrap over queries ({o.bootstrap:,} resamples). "
            "W/T/L: queries where the first system scores higher / the same / lower. "
            "A superscript x: significantly better than system x.")


def fusion_notes(selection: Selection) -> list[str]:
    """For each fused system: its parts (with their letters when they are compared too) and its fusion."""
    rows = [(letter(i), r.record) for i, r in enumerate(selection.results)]
    return [fusion_note(label, letter(i), r.record, rows)
            for i, (label, r) in enumerate(zip(selection.labels, selection.results)) if is_fused(r.record)]


def markdown(comparison: Comparison, selection: Selection, relative: Sequence[str],
             prices: Prices | None = None) -> str:
    key = selection.key
    lines = [f"# Paired comparison: {escape(key.dataset)} / {escape(key.split)}", "",
             escape(explanation(comparison)), ""]
    systems = [[letter(i), escape(label), code(path, in_table=True)] for i, (label, path) in enumerate(zip(selection.labels, relative))]
    lines.extend(table(["", "system", "result file"], systems, ["l", "l", "l"]))
    notes = fusion_notes(selection)
    if notes:
        lines.extend(["", *(f"- {escape(note)}" for note in notes)])
    for metric in comparison.metrics:
        lines.extend(["", f"## {escape(metric)}", ""])
        rows = []
        for i, label in enumerate(selection.labels):
            value = selection.results[i].record.metrics.get(metric)
            rows.append([letter(i), escape(label), ("—" if value is None else f"{value:.4f}")
                         + sup(comparison.letters(metric, i))])
        lines.extend(table(["", "system", escape(metric)], rows, ["l", "l", "r"]))
        lines.append("")
        pairs = [[c.replace("<", "&lt;") for c in _pair_cells(comparison, r)] for r in comparison.pairs
                 if r.metric == metric]
        lines.extend(table([escape(h) for h in _pair_header(comparison.options)], pairs, ["l", *"r" * 7]))
    lines.extend(["", "## Efficiency", ""])
    found = efficiency.plain_table([r.record for r in selection.results], prices)
    rows = [[letter(i), escape(label), *map(escape, cells)]
            for i, (label, cells) in enumerate(zip(selection.labels, found.rows, strict=True))]
    lines.extend(table(["", "system", *map(escape, found.header)], rows, ["l", "l", *"r" * len(found.header)]))
    lines.extend(["", *(escape(note) for note in found.notes)])
    if comparison.notes:
        lines.append("")
        lines.extend(f"Note: {escape(note)}." for note in comparison.notes)
    return "\n".join(lines) + "\n"


def rich_tables(comparison: Comparison, selection: Selection) -> list[RichTable]:
    tables = []
    for metric in comparison.metrics:
        title = rich_escape(f"{selection.key.dataset}/{selection.key.split} {metric}")
        scores = RichTable(title=title, title_justify="left")
        for name, justify in (("", "left"), ("system", "left"), (metric, "right"), ("better than", "left")):
            scores.add_column(name, justify=justify)  # type: ignore[arg-type]
        for i, label in enumerate(selection.labels):
            value = selection.results[i].record.metrics.get(metric)
            scores.add_row(letter(i), rich_escape(label), "—" if value is None else f"{value:.4f}",
                           ", ".join(letter(j) for j in comparison.beats(metric, i)) or "—")
        pairs = RichTable(title=rich_escape(f"{metric}: pairs"), title_justify="left")
        for i, name in enumerate(_pair_header(comparison.options)):
            pairs.add_column(name, justify="left" if i == 0 else "right", no_wrap=True)
        for result in comparison.pairs:
            if result.metric == metric:
                pairs.add_row(*_pair_cells(comparison, result))
        tables.extend([scores, pairs])
    return tables


def rich_efficiency(selection: Selection, prices: Prices | None = None) -> tuple[RichTable, list[str]]:
    """The systems' efficiency columns as a rich table, and its legends (plain text)."""
    found = efficiency.plain_table([r.record for r in selection.results], prices)
    out = RichTable(title="efficiency", title_justify="left")
    for name in ("", "system", *found.header):
        out.add_column(rich_escape(name), justify="left" if name in ("", "system") else "right")
    for i, (label, cells) in enumerate(zip(selection.labels, found.rows, strict=True)):
        out.add_row(letter(i), rich_escape(label), *map(rich_escape, cells))
    return out, found.notes

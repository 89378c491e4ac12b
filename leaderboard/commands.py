"""What `bench compare` and `bench leaderboard` do, minus option parsing (the CLI stays thin)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from benchmark.core.console import console as log
from benchmark.ranking.cost import Prices
from leaderboard.build import build_leaderboard, write_file
from leaderboard.compare import Comparison, SystemScores, compare_systems
from leaderboard.html.build import build_html
from leaderboard.html.queries import Caps, DataSource
from leaderboard.options import StatOptions
from leaderboard.portable import shorten_paths
from leaderboard.render_compare import explanation, fusion_notes, markdown, rich_efficiency, rich_tables
from leaderboard.resolve import Selection, choose_metrics, select


@dataclass(frozen=True, slots=True)
class CompareOutcome:
    comparison: Comparison
    selection: Selection
    markdown: str


def compare_results(items: Sequence[str], results_dir: Path, dataset: str | None, split: str,
                    metrics: Sequence[str] | None, options: StatOptions,
                    prices: Prices | None = None) -> CompareOutcome:
    """Select the results, test every pair on each metric, and render the markdown."""
    selection = select(items, results_dir, dataset, split)
    chosen = choose_metrics(metrics, selection.key, [r.record for r in selection.results])
    systems = [SystemScores(label, r.system, r.record.per_query) for label, r in zip(selection.labels, selection.results)]
    comparison = compare_systems(systems, chosen, options)
    paths = [_shown_path(r.path, results_dir) for r in selection.results]
    return CompareOutcome(comparison, selection, markdown(comparison, selection, paths, prices))


def _shown_path(path: Path, results_dir: Path) -> str:
    """Relative to the results folder, else to the working folder, else shortened (no machine path)."""
    for base in (results_dir, Path.cwd()):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return shorten_paths(path.as_posix())


def compare_command(items: Sequence[str], results_dir: Path, dataset: str | None, split: str,
                    metrics: Sequence[str] | None, options: StatOptions, markdown_path: str | None,
                    prices: Prices | None = None) -> None:
    """`bench compare`: rich tables on stdout, or markdown on stdout (``-``) or in a file."""
    outcome = compare_results(items, results_dir, dataset, split, metrics, options, prices)
    for bad in outcome.selection.bad_files:
        log.print(f"[yellow]skipped[/] {escape(str(bad))}", highlight=False)
    if markdown_path == "-":
        print(outcome.markdown, end="")
        return
    out = Console(highlight=False)
    for table in rich_tables(outcome.comparison, outcome.selection):
        out.print(table)
    for note in fusion_notes(outcome.selection):
        out.print(note, markup=False)
    out.print(explanation(outcome.comparison), markup=False)
    table, notes = rich_efficiency(outcome.selection, prices)
    out.print(table)
    for note in notes:
        out.print(note, markup=False)
    for note in outcome.comparison.notes:
        out.print(f"note: {note}", markup=False)
    if markdown_path:
        write_file(Path(markdown_path), outcome.markdown.encode("utf-8"))
        log.print(f"[green]wrote[/] {escape(markdown_path)}", highlight=False)


def leaderboard_command(results_dir: Path, output: Path, options: StatOptions, plots: bool,
                        prices: Prices | None = None) -> None:
    """`bench leaderboard`: write the file, then say what was skipped or superseded."""
    report = build_leaderboard(results_dir, output, options, draw_plots=plots, prices=prices)
    for bad in report.bad_files:
        log.print(f"[yellow]skipped[/] {escape(str(bad))}", highlight=False)
    if report.plots_missing_reason:
        log.print(f"[yellow]no plots:[/] {escape(report.plots_missing_reason)}", highlight=False)
    log.print(f"[green]wrote[/] {escape(str(report.output))}: {report.results} results in {report.tables} table(s), "
              f"{len(report.plots)} plot(s); {report.superseded} superseded, {len(report.bad_files)} skipped",
              highlight=False, soft_wrap=True)


def html_command(results_dir: Path, output: Path, options: StatOptions, source: DataSource, caps: Caps,
                 prices: Prices | None = None) -> None:
    """`bench leaderboard --html`: write the page, then say its size, what was skipped and what was not embedded."""
    report = build_html(results_dir, output, options, source=source, caps=caps, prices=prices)
    for bad in report.bad_files:
        log.print(f"[yellow]skipped[/] {escape(str(bad))}", highlight=False)
    for note in report.notes:
        log.print(f"[dim]note:[/] {escape(note)}", highlight=False, soft_wrap=True)
    extra = f" + {report.sibling.name} ({report.sibling_bytes / 2**20:.2f} MB)" if report.sibling else ""
    log.print(f"[green]wrote[/] {escape(str(report.output))} ({report.bytes / 2**20:.2f} MB){escape(extra)}: "
              f"{report.results} results in {report.tables} table(s)", highlight=False, soft_wrap=True)

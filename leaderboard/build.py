"""`bench leaderboard`: result files in, LEADERBOARD.md and its plots out, written atomically."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO

from benchmark.core.atomic import atomic_write
from benchmark.ranking.cost import Prices
from leaderboard import legends
from leaderboard import plots as plotting
from leaderboard.cells import latency_points
from leaderboard.collect import BadFile, scan
from leaderboard.errors import LeaderboardError
from leaderboard.markdown import slug
from leaderboard.options import StatOptions
from leaderboard.portable import shorten_paths
from leaderboard.render import PlotLink, Plots, document
from leaderboard.table import PRIMARY, Table, build_table


@dataclass(frozen=True, slots=True)
class LeaderboardReport:
    output: Path
    tables: int
    results: int
    superseded: int
    bad_files: tuple[BadFile, ...]
    plots: tuple[Path, ...] = field(default_factory=tuple)
    plots_missing_reason: str | None = None


def plots_dir(output: Path) -> Path:
    """``LEADERBOARD.md`` -> ``leaderboard_plots/`` beside it."""
    return output.parent / f"{output.stem.lower()}_plots"


def build_leaderboard(results_dir: Path | str, output: Path | str, options: StatOptions,
                      *, draw_plots: bool = True, prices: Prices | None = None) -> LeaderboardReport:
    """Scan ``results_dir``, test, render and write ``output`` (and PNGs beside it) atomically."""
    results_dir, output = Path(results_dir), Path(output)
    found = scan(results_dir)
    if not found.groups:
        detail = f"; {len(found.bad_files)} unreadable file(s): " + "; ".join(map(str, found.bad_files[:3])) \
            if found.bad_files else ""
        raise LeaderboardError(f"no usable result files in {results_dir}{detail}")
    tables = [build_table(group, found, options) for group in found.groups]
    written: list[Path] = []
    plot_links = Plots(missing_reason=None if draw_plots else "disabled with --no-plots")
    if draw_plots:
        if plotting.available():
            plot_links, written = _write_plots(tables, output)
        else:
            plot_links = Plots(missing_reason="matplotlib is not installed; pip install 'shopbench[plots]'")
    text = document(tables, found, options, plot_links, source=shown_source(results_dir, output),
                    prices=prices)
    write_file(output, text.encode("utf-8"))
    return LeaderboardReport(output, len(tables), sum(len(t.rows) for t in tables),
                             sum(len(g.superseded) for g in found.groups), found.bad_files, tuple(written),
                             plot_links.missing_reason)


def shown_source(results_dir: Path, output: Path) -> str:
    """The results folder as the leaderboard names it: as given when relative; an absolute one relative to
    the leaderboard's folder when it is inside it, else shortened to ``…/<name>`` (no machine path)."""
    if not results_dir.is_absolute():
        return results_dir.as_posix()
    try:
        return results_dir.resolve().relative_to(output.parent.resolve()).as_posix()
    except ValueError:
        return shorten_paths(results_dir.as_posix())


def write_file(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically: readers see the old file or the new one, never a partial one."""
    atomic_write(path, partial(_write, data), overwrite=True)


def _write(data: bytes, handle: IO[bytes]) -> None:
    handle.write(data)


def _write_plots(tables: Sequence[Table], output: Path) -> tuple[Plots, list[Path]]:
    folder = plots_dir(output)
    written: list[Path] = []
    per_table: dict[str, PlotLink] = {}

    def save(name: str, png: bytes, keys: tuple[tuple[str, str], ...], notes: tuple[str, ...] = ()) -> PlotLink:
        stem, number = name.removesuffix(".png"), 1
        while folder / name in written:  # two titles with the same slug
            number += 1
            name = f"{stem}-{number}.png"
        path = folder / name
        write_file(path, png)
        written.append(path)
        return PlotLink(f"{folder.name}/{name}", keys, notes)

    settings = [t.group.title for t in tables]
    labels = sorted({row.label for t in tables for row in t.rows})
    values = {(t.group.title, row.label): score for t in tables for row in t.rows
              if (score := row.metric(PRIMARY)) is not None}
    keys = plotting.system_keys(labels)
    matrix = save(f"{slug(PRIMARY)}-by-dataset.png", plotting.bars_by_dataset(settings, keys, values, PRIMARY),
                  tuple((key, label) for label, key in keys.items()))
    for tab in tables:
        points = latency_points(tab)
        if points:
            name = f"{slug(tab.group.title)}-{slug(PRIMARY)}-vs-latency.png"
            png = plotting.quality_vs_latency(points, PRIMARY, tab.group.title, labels)
            per_table[tab.group.title] = save(name, png, tuple((p.letter, p.label) for p in points),
                                              legends.plot_notes(tab, points))
    return Plots(matrix, per_table), written

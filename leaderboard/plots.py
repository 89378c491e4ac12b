"""Deterministic PNG plots (matplotlib, Agg canvas, default style, fixed size and dpi, no metadata).

No pyplot and no global backend switch: figures are drawn on their own Agg canvas with matplotlib's
default style, so a user's matplotlibrc cannot change the bytes, and the PNG carries no software or
time stamp. Same inputs and the same matplotlib give byte-identical files.

Systems are marked by letters, never by their names: a fused system's label (``hybrid:bm25+splade-ft+dense
(method=wsum, bm25=0.4, splade-ft=0.4, dense=0.2)``) is wider than the axes. The markdown gives the key under
each plot (see :mod:`leaderboard.render`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from leaderboard.cells import Point
from leaderboard.compare import letter

FIGSIZE = (8.0, 4.5)
DPI = 100
PNG_METADATA: dict[str, str | None] = {"Software": None}


__all__ = ["PlotsUnavailable", "Point", "available", "bars_by_dataset", "quality_vs_latency", "system_keys"]


class PlotsUnavailable(RuntimeError):
    """matplotlib is not installed."""


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _figure():  # type: ignore[no-untyped-def]
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise PlotsUnavailable("matplotlib is not installed; pip install 'shopbench[plots]'") from exc
    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata=PNG_METADATA)
    return buffer.getvalue()


def _text(text: str) -> str:
    """Plain text for matplotlib: ``$`` would start mathtext, control characters would break lines."""
    return "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in str(text)).replace("$", r"\$")


def _colors(labels: Sequence[str]) -> dict[str, str]:
    palette = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C",
               "#CCB974", "#64B5CD"]
    return {label: palette[i % len(palette)] for i, label in enumerate(labels)}


@contextmanager
def _default_style() -> Iterator[None]:
    """matplotlib's default style for drawing and saving (a user's matplotlibrc cannot change the bytes)."""
    import matplotlib.style

    with matplotlib.style.context("default"):
        yield


def draw_bars_by_dataset(settings: Sequence[str], keys: Mapping[str, str],
                         values: Mapping[tuple[str, str], float], metric: str):  # type: ignore[no-untyped-def]
    """Grouped bars: one group per dataset/split, one bar per system (a missing result leaves a gap), each bar
    marked with its system's key (``keys``: label -> ``A``, ``B``, ...; the names are in the markdown)."""
    figure = _figure()
    axes = figure.add_subplot()
    labels = list(keys)
    colors = _colors(labels)
    width = 0.8 / max(1, len(labels))
    for j, label in enumerate(labels):
        xs = [i + (j - (len(labels) - 1) / 2) * width for i, s in enumerate(settings) if (s, label) in values]
        ys = [values[(s, label)] for s in settings if (s, label) in values]
        bars = axes.bar(xs, ys, width=width, color=colors[label])
        axes.bar_label(bars, fmt="%.3f", fontsize="x-small", padding=2)
        for x in xs:
            axes.annotate(_text(keys[label]), (x, 0), xytext=(0, 3), textcoords="offset points", ha="center",
                          va="bottom", fontsize="small", fontweight="bold", color="white")
    axes.set_xticks(range(len(settings)), [_text(s) for s in settings])
    axes.set_ylabel(metric)
    axes.set_ylim(0, 1.05)
    axes.set_title(f"{metric} per system and dataset")
    axes.grid(axis="y", alpha=0.3)
    return figure


def bars_by_dataset(settings: Sequence[str], keys: Mapping[str, str], values: Mapping[tuple[str, str], float],
                    metric: str) -> bytes:
    """:func:`draw_bars_by_dataset` as PNG bytes."""
    with _default_style():
        return _png(draw_bars_by_dataset(settings, keys, values, metric))


def draw_quality_vs_latency(points: Sequence[Point], metric: str, title: str,
                            all_labels: Sequence[str] = ()):  # type: ignore[no-untyped-def]
    """Scatter of the metric against per-query end-to-end latency (log x), the Pareto front as a dashed step line
    (front points outlined), each point marked with its row letter only:
    the table above the plot (and the key under it) names the systems, however long their names are.

    ``all_labels`` fixes each system's colour (as in :func:`draw_bars_by_dataset`); default: the points' order.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    figure = _figure()
    axes = figure.add_subplot()
    colors = _colors(list(all_labels) or [p.label for p in points])
    front = sorted((p for p in points if p.front), key=lambda p: (p.latency_ms, -p.score))
    if len(front) > 1:
        axes.step([p.latency_ms for p in front], [p.score for p in front], where="post", color="#8C8C8C",
                  linestyle="--", linewidth=1, zorder=0, label="Pareto front")
        axes.legend(loc="lower right", fontsize="small")
    for p in points:
        axes.scatter([p.latency_ms], [p.score], color=colors[p.label], s=40,
                     edgecolors="black" if p.front else "none", linewidths=1.2)
        axes.annotate(_text(p.letter), (p.latency_ms, p.score), textcoords="offset points", xytext=(5, 5),
                      fontweight="bold")
    if points and all(p.latency_ms > 0 for p in points):
        axes.set_xscale("log")
        low, high = min(p.latency_ms for p in points), max(p.latency_ms for p in points)
        axes.set_xlim(10 ** (math.log10(low) - 0.3), 10 ** (math.log10(high) + 0.3))
        axes.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axes.xaxis.set_minor_formatter(NullFormatter())
    axes.set_xlabel("end-to-end ms/query, p50 (query encoding included)")
    axes.set_ylabel(metric)
    axes.set_title(_text(f"{metric} vs latency: {title}"))
    axes.grid(alpha=0.3)
    return figure


def quality_vs_latency(points: Sequence[Point], metric: str, title: str, all_labels: Sequence[str] = ()) -> bytes:
    """:func:`draw_quality_vs_latency` as PNG bytes."""
    with _default_style():
        return _png(draw_quality_vs_latency(points, metric, title, all_labels))


def system_keys(labels: Sequence[str]) -> dict[str, str]:
    """Label -> ``A``, ``B``, ... ``Z``, ``AA``, ... in the given order: what marks a system in the bar plot
    (capitals, so they are not mistaken for a table's row letters)."""
    return {label: letter(index).upper() for index, label in enumerate(labels)}

"""Deterministic PNG plots (matplotlib, Agg canvas, default style, fixed size and dpi, no metadata).

No pyplot and no global backend switch: figures are drawn on their own Agg canvas with matplotlib's
default style, so a user's matplotlibrc cannot change the bytes, and the PNG carries no software or
time stamp. Same inputs and the same matplotlib give byte-identical files.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

FIGSIZE = (8.0, 4.5)
DPI = 100
PNG_METADATA: dict[str, str | None] = {"Software": None}


class PlotsUnavailable(RuntimeError):
    """matplotlib is not installed."""


@dataclass(frozen=True, slots=True)
class Point:
    label: str
    letter: str
    latency_ms: float
    score: float


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


def bars_by_dataset(settings: Sequence[str], labels: Sequence[str],
                    values: Mapping[tuple[str, str], float], metric: str) -> bytes:
    """Grouped bars: one group per dataset/split, one bar per system (missing results leave a gap)."""
    import matplotlib.style

    with matplotlib.style.context("default"):
        figure = _figure()
        axes = figure.add_subplot()
        colors = _colors(labels)
        width = 0.8 / max(1, len(labels))
        for j, label in enumerate(labels):
            xs = [i + (j - (len(labels) - 1) / 2) * width for i, s in enumerate(settings) if (s, label) in values]
            ys = [values[(s, label)] for s in settings if (s, label) in values]
            bars = axes.bar(xs, ys, width=width, label=_text(label), color=colors[label])
            axes.bar_label(bars, fmt="%.3f", fontsize="x-small", padding=2)
        axes.set_xticks(range(len(settings)), [_text(s) for s in settings])
        axes.set_ylabel(metric)
        axes.set_ylim(0, 1.05)
        axes.set_title(f"{metric} per system and dataset")
        axes.grid(axis="y", alpha=0.3)
        figure.legend(fontsize="small", ncols=min(5, max(1, len(labels))), loc="outside lower center")
        return _png(figure)


def quality_vs_latency(points: Sequence[Point], metric: str, title: str, all_labels: Sequence[str] = ()) -> bytes:
    """Scatter of the metric against search latency (log x), each point labelled with its row letter.

    ``all_labels`` fixes each system's colour (as in :func:`bars_by_dataset`); default: the points' order.
    """
    import matplotlib.style
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    with matplotlib.style.context("default"):
        figure = _figure()
        axes = figure.add_subplot()
        colors = _colors(list(all_labels) or [p.label for p in points])
        for p in points:
            axes.scatter([p.latency_ms], [p.score], color=colors[p.label], label=_text(f"{p.letter}: {p.label}"), s=40)
            axes.annotate(p.letter, (p.latency_ms, p.score), textcoords="offset points", xytext=(5, 5))
        if points and all(p.latency_ms > 0 for p in points):
            axes.set_xscale("log")
            low, high = min(p.latency_ms for p in points), max(p.latency_ms for p in points)
            axes.set_xlim(10 ** (math.log10(low) - 0.3), 10 ** (math.log10(high) + 0.3))
            axes.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
            axes.xaxis.set_minor_formatter(NullFormatter())
        axes.set_xlabel("search ms/query (p50)")
        axes.set_ylabel(metric)
        axes.set_title(_text(f"{metric} vs latency: {title}"))
        axes.grid(alpha=0.3)
        figure.legend(fontsize="small", loc="outside right upper")
        return _png(figure)

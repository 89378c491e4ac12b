"""The quality-vs-latency plot as inline SVG: one point per system (its letter), the Pareto front joined.

Latency is on a log axis (systems span 0.1 ms to 100 ms). Hovering a point shows its full label and values (an
SVG ``<title>``, no script). Coordinates are printed with fixed decimals, so the same points give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from leaderboard.cells import Point
from leaderboard.html.markup import Html, el

WIDTH, HEIGHT = 720, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 16, 52


def _f(value: float) -> str:
    return f"{value:.2f}"


def _log_ticks(low: float, high: float) -> list[float]:
    ticks = []
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for mantissa in (1, 2, 5):
            value = mantissa * 10.0 ** exponent
            if low <= value <= high:
                ticks.append(value)
    return ticks


def _linear_ticks(low: float, high: float) -> list[float]:
    raw = (high - low) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step - 1e-9)
    return [round(k * step, 10) for k in range(first, math.floor(high / step + 1e-9) + 1)]


def _tick_text(value: float) -> str:
    return f"{value:g}"


def quality_vs_latency(points: Sequence[Point], metric: str, title: str) -> Html:
    """An ``<svg>`` of ``points`` (at least one): x = end-to-end p50 ms (log), y = ``metric``."""
    lat_low, lat_high = min(p.latency_ms for p in points), max(p.latency_ms for p in points)
    x_low, x_high = max(lat_low / 1.6, 1e-4), max(lat_high * 1.6, lat_low * 10)
    s_low, s_high = min(p.score for p in points), max(p.score for p in points)
    pad = max((s_high - s_low) * 0.12, 0.01)
    y_low, y_high = max(s_low - pad, 0.0), s_high + pad
    span_x, span_y = math.log10(x_high) - math.log10(x_low), y_high - y_low
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(value: float) -> float:
        return LEFT + (math.log10(value) - math.log10(x_low)) / span_x * plot_w

    def y(value: float) -> float:
        return TOP + (1 - (value - y_low) / span_y) * plot_h

    parts: list[Html] = [el("title", f"{metric} vs end-to-end p50 latency, {title}")]
    grid = []
    for tick in _log_ticks(x_low, x_high):
        grid.append(el("line", x1=_f(x(tick)), x2=_f(x(tick)), y1=str(TOP), y2=str(TOP + plot_h), class_="grid"))
        grid.append(el("text", _tick_text(tick), x=_f(x(tick)), y=str(TOP + plot_h + 18), class_="tick",
                       text_anchor="middle"))
    for tick in _linear_ticks(y_low, y_high):
        grid.append(el("line", x1=str(LEFT), x2=str(LEFT + plot_w), y1=_f(y(tick)), y2=_f(y(tick)), class_="grid"))
        grid.append(el("text", f"{tick:.3f}".rstrip("0").rstrip("."), x=str(LEFT - 8), y=_f(y(tick) + 4),
                       class_="tick", text_anchor="end"))
    parts.append(el("g", grid))
    parts.append(el("rect", x=str(LEFT), y=str(TOP), width=str(plot_w), height=str(plot_h), class_="frame"))
    parts.append(el("text", "end-to-end p50 latency, ms (log scale)", x=_f(LEFT + plot_w / 2), y=str(HEIGHT - 10),
                    class_="axis", text_anchor="middle"))
    parts.append(el("text", metric, x=str(-(TOP + plot_h // 2)), y="16", transform="rotate(-90)", class_="axis",
                    text_anchor="middle"))
    front = sorted((p for p in points if p.front), key=lambda p: (p.latency_ms, -p.score))
    if len(front) > 1:
        path = " ".join(f"{_f(x(p.latency_ms))},{_f(y(p.score))}" for p in front)
        parts.append(el("polyline", points=path, class_="front"))
    for point in points:
        cx, cy = x(point.latency_ms), y(point.score)
        where = "on the Pareto front" if point.front else "not on the Pareto front"
        tip = f"{point.letter}: {point.label}\n{metric} {point.score:.4f}, p50 {point.latency_ms:.2f} ms, {where}"
        parts.append(el("g", el("title", tip),
                        el("circle", cx=_f(cx), cy=_f(cy), r="6", class_="point front" if point.front else "point"),
                        el("text", point.letter, x=_f(cx + 9), y=_f(cy - 8), class_="label"),
                        class_="mark", tabindex="0", data_letter=point.letter))
    return el("svg", parts, viewBox=f"0 0 {WIDTH} {HEIGHT}", width=str(WIDTH), height=str(HEIGHT), role="img",
              xmlns="http://www.w3.org/2000/svg", class_="plot")

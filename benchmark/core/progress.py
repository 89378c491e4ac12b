"""Progress of a counted job (training steps, documents indexed) that reaches any sink.

In a terminal: a rich progress bar (description, bar, done/total, the job's own fields, rate, ETA). Anywhere else
(a pipe, a file, CI, Modal's logs), where a bar renders nothing until the end: one plain line per report, flushed
at once, e.g. ``train: step 20/200 (10%) | loss 1.2345 | lr 2.0e-05 | 2.31 steps/s | ETA 1m18s``, and one summary
line at the end. :meth:`Meter.report` always writes a line (a training logging step); :meth:`Meter.advance` moves
the bar and writes a line only every ``every_s`` seconds (an index build's chunks).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import IO, Any, Self

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from benchmark.core.console import console as default_console

Fields = Mapping[str, Any]


def duration(seconds: float) -> str:
    """``1h02m``, ``3m07s``, ``42s``."""
    seconds = max(round(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def number(value: Any) -> str:
    """A field's value as a progress line shows it: 4 significant digits, tiny ones (a learning rate) in
    e-notation, 1,000 and more as whole numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value == 0 or not math.isfinite(value):
        return str(value)
    if abs(value) < 1e-3:
        return f"{value:.3e}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def short(value: Any) -> str:
    """A field as the terminal bar shows it (room is short there): 3 significant digits."""
    if isinstance(value, float) and value and math.isfinite(value) and abs(value) < 1000:
        return f"{value:.3g}"
    return number(value)


class Meter:
    """One job's progress: ``total`` units called ``unit`` (``step``, ``docs``)."""

    def __init__(self, description: str, total: int | None, unit: str, *, console: Console | None = None,
                 every_s: float = 30.0, start_at: int = 0) -> None:
        self.console = console or default_console
        self.description, self.total, self.unit, self.every_s = description, total, unit, every_s
        self.done = start_at
        self.started = time.perf_counter()
        self._first = start_at  # a resumed job: the rate counts this process's units only
        self._last_line = self.started
        self._fields: dict[str, Any] = {}
        self._bar: Progress | None = None
        if self.console.is_terminal:
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(bar_width=12), MofNCompleteColumn(),
                                 TextColumn("{task.fields[shown]}"), TextColumn("ETA"), TimeRemainingColumn(),
                                 console=self.console, transient=False)
            self._task = self._bar.add_task(description, total=total, completed=start_at, shown="")
            self._bar.start()

    @property
    def units(self) -> str:
        return self.unit if self.unit.endswith("s") else f"{self.unit}s"

    @property
    def rate(self) -> float | None:
        """Units per second in this process so far."""
        elapsed = time.perf_counter() - self.started
        units = self.done - self._first
        return units / elapsed if units > 0 and elapsed > 0 else None

    def line(self) -> str:
        """The plain progress line of now."""
        parts = [f"{self.description}: {self.unit} {self.done:,}" + (f"/{self.total:,}" if self.total else "")
                 + (f" ({100 * self.done / self.total:.0f}%)" if self.total else "")]
        parts.extend(f"{name} {number(value)}" for name, value in self._fields.items() if value is not None)
        rate = self.rate
        if rate:
            parts.append(f"{number(rate)} {self.units}/s")
            if self.total:
                parts.append(f"ETA {duration((self.total - self.done) / rate)}")
        return " | ".join(parts)

    def _write(self, text: str) -> None:
        file: IO[str] = self.console.file
        file.write(text + "\n")
        file.flush()

    def _refresh(self) -> None:
        if self._bar is not None:
            shown = [f"{k} {short(v)}" for k, v in self._fields.items() if v is not None]
            rate = self.rate
            shown += [f"{short(rate)} {self.units}/s"] if rate else []
            self._bar.update(self._task, completed=self.done, shown=" ".join(shown))

    def advance(self, units: int = 1, **fields: Any) -> None:
        """``units`` more done; a plain line at most every ``every_s`` seconds (none in a terminal)."""
        self.update(self.done + units, **fields)

    def update(self, done: int, **fields: Any) -> None:
        self.done = done
        self._fields.update(fields)
        self._refresh()
        now = time.perf_counter()
        if self._bar is None and now - self._last_line >= self.every_s:
            self._last_line = now
            self._write(self.line())

    def report(self, done: int | None = None, **fields: Any) -> None:
        """A logging point: the fields of now; outside a terminal always one line."""
        if done is not None:
            self.done = done
        self._fields.update(fields)
        self._refresh()
        if self._bar is None:
            self._last_line = time.perf_counter()
            self._write(self.line())

    def close(self, summary: str | None = None) -> None:
        """Stop the bar; print ``summary`` (default: units done, time, rate) as the last line."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        elapsed = time.perf_counter() - self.started
        rate = self.rate
        text = summary or (f"{self.description}: {self.done:,} {self.units} in {duration(elapsed)}"
                           + (f" ({number(rate)} {self.units}/s)" if rate else ""))
        self._write(text)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

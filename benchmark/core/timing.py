"""One clock for everything shopbench times: per-query latency, batched throughput, the machine that ran it.

Two measurements, used by every retriever, by fusion and by the performance suite:

- *latency* (:func:`measure_latency`): queries answered one at a time, as a user's search runs them. The
  caller's ``answer(query, clock)`` does the whole request and marks its stages on ``clock``
  (:data:`ENCODE`: query analysis or model inference; :data:`SEARCH`: the store; :data:`FUSE`: combining the
  parts' lists). The end-to-end time is the wall time around ``answer``, so it includes whatever happens
  between stages. Percentiles are over queries (:class:`Percentiles`), never over batch means.
- *throughput* (:func:`timed`): the wall time of a batched call; queries/s is what a bulk job gets.

:func:`sample` picks a fixed, seeded sample of a split's queries; :func:`machine` says what hardware produced
the figures; :func:`peak_rss_bytes` is the process's peak resident memory.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ENCODE, SEARCH, FUSE = "encode", "search", "fuse"
STAGES = (ENCODE, SEARCH, FUSE)
DEFAULT_SAMPLE = 200
DEFAULT_SEED = 0
WARMUP = 10  # queries answered (and not recorded) before the sample: model and caches warm


class StageClock:
    """The stages of one query: ``with clock.stage(SEARCH): ...``; a stage entered twice adds up (a fusion
    searches each part). A plain class, not a generator context manager: it sits on every timed query."""

    __slots__ = ("ns",)

    def __init__(self) -> None:
        self.ns: dict[str, int] = {}

    def stage(self, name: str) -> _Stage:
        return _Stage(self.ns, name)


class _Stage:
    __slots__ = ("name", "ns", "start")

    def __init__(self, ns: dict[str, int], name: str) -> None:
        self.ns, self.name, self.start = ns, name, 0

    def __enter__(self) -> None:
        self.start = time.perf_counter_ns()

    def __exit__(self, *_: object) -> None:
        self.ns[self.name] = self.ns.get(self.name, 0) + time.perf_counter_ns() - self.start


@dataclass(frozen=True, slots=True)
class Percentiles:
    """Milliseconds at the 50th, 95th and 99th percentile (linear interpolation, numpy's default) and the mean."""

    p50: float
    p95: float
    p99: float
    mean: float

    @classmethod
    def of(cls, samples_ms: Sequence[float]) -> Percentiles:
        if not len(samples_ms):
            raise ValueError("no samples")
        import numpy as np  # lazily: the CLI reads this module's defaults at start-up

        values = np.asarray(samples_ms, dtype=np.float64)
        p50, p95, p99 = (float(v) for v in np.percentile(values, [50, 95, 99]))
        return cls(p50, p95, p99, float(values.mean()))


@dataclass(frozen=True, slots=True)
class LatencySample:
    """Per-query milliseconds of the sampled queries: end to end and per stage."""

    total_ms: tuple[float, ...]
    stage_ms: dict[str, tuple[float, ...]] = field(default_factory=dict)
    warmup: int = 0
    wall_s: float = 0.0  # what measuring cost, warm-up included

    @property
    def queries(self) -> int:
        return len(self.total_ms)

    def end_to_end(self) -> Percentiles:
        return Percentiles.of(self.total_ms)

    def stages(self) -> dict[str, Percentiles]:
        """The stages some query went through, in :data:`STAGES` order (a query that skips one counts 0)."""
        return {name: Percentiles.of(self.stage_ms[name]) for name in STAGES if name in self.stage_ms}


def sample(count: int, size: int, seed: int = DEFAULT_SEED) -> list[int]:
    """``size`` distinct positions out of ``count`` (all of them when ``size >= count``), in a seeded order."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return [int(i) for i in rng.permutation(count)[: max(0, min(size, count))]]


def measure_latency(queries: Sequence[T], answer: Callable[[T, StageClock], object],
                    warmup: int = WARMUP) -> LatencySample:
    """Answer each query alone; the first ``warmup`` answers (cycling over ``queries``) are not recorded."""
    started = time.perf_counter()
    for i in range(min(warmup, len(queries)) if queries else 0):
        answer(queries[i], StageClock())
    totals: list[float] = []
    per_stage: dict[str, list[float]] = {}
    for position, query in enumerate(queries):
        clock = StageClock()
        t0 = time.perf_counter_ns()
        answer(query, clock)
        totals.append((time.perf_counter_ns() - t0) / 1e6)
        for name, ns in clock.ns.items():
            per_stage.setdefault(name, [0.0] * position).append(ns / 1e6)
        for name, values in per_stage.items():
            if len(values) < len(totals):
                values.append(0.0)
    return LatencySample(tuple(totals), {k: tuple(v) for k, v in per_stage.items()},
                         min(warmup, len(queries)), time.perf_counter() - started)


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """``work()``'s result and its wall seconds."""
    t0 = time.perf_counter()
    result = work()
    return result, time.perf_counter() - t0


def peak_rss_bytes() -> int:
    """The process's peak resident set size so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


@dataclass(frozen=True, slots=True)
class Machine:
    """What produced a timing: CPU model, the cores this process may use, compute threads, device."""

    cpu: str
    cores: int | None
    threads: int | None  # torch's intra-op threads when torch ran; else None
    device: str  # "cpu", or the GPU's name

    def line(self) -> str:
        cores = f", {self.cores} cores" if self.cores else ""
        threads = f", {self.threads} threads" if self.threads else ""
        where = "" if self.device == "cpu" else f", {self.device}"
        return f"{self.cpu}{cores}{threads}{where}"


def machine(device: str | None = None) -> Machine:
    """This process's machine; ``device``: where the models ran (default: a GPU when torch uses one)."""
    torch = sys.modules.get("torch")  # only when something already imported it: timing never loads torch
    threads = int(torch.get_num_threads()) if torch is not None else None
    if device is None:
        device = "cpu"
        if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
            device = str(torch.cuda.get_device_name(0))
    try:
        cores: int | None = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count()
    return Machine(cpu_name(), cores, threads, device)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()

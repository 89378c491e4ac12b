"""Shared output carries no path of the machine that ran: a leaderboard, `bench compare` (markdown and
tables) and a model card name a fine-tuned model by its registered name and weights' hash, and shorten every
other absolute path to its last component. Result files written before this (absolute model folders in
``model_id`` and the config) render the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_labels import fused_config, part
from test_leaderboard import FAST, make_record, table_rows, write_record

from benchmark.ranking.results import ResultRecord
from leaderboard.build import build_leaderboard
from leaderboard.commands import compare_command
from leaderboard.portable import shorten_paths

SHA = "e7abe5717ad996d40e6a8b0170467389b5f9d9b22a4293912a41fa65cc26801d"


def model_folder(root: Path, name: str = "demo-cpu") -> Path:
    """A registered model's folder as `bench train` lays it out: ``<cache>/models/<name>``."""
    folder = root / "cache" / "models" / name
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"weights")
    (folder / "shopbench_train.json").write_text(json.dumps({"name": name}))
    return folder


def splade_description(folder: Path, name: str) -> dict:
    """``RetrieverInfo.config`` of `bench run -r NAME` with the model in ``folder`` (its absolute path)."""
    model = {"name": str(folder), "revision": "", "weights_sha256": SHA}
    return {"name": name, "config": {"kind": "splade", "model": str(folder), "max_length": 256},
            "encoders": [{"kind": "splade", "config": {"max_length": 256}, "model": model}], "fusion": None}


def splade_ft_record(folder: Path, name: str, tmp_path: Path, shift: float = 0.1) -> ResultRecord:
    """What `bench run -r splade-ft@NAME --cache-dir ... --output-dir ...` records (absolute folder included)."""
    record = make_record(name, shift=shift, config=splade_description(folder, name), model_id=str(folder))
    command = ["/venv/bin/bench", "run", "-r", name, "-d", "toy", "--cache-dir", str(tmp_path / "cache"),
               "--output-dir", str(tmp_path / "results"), "--set", f"splade-ft.model={folder}"]
    return record.model_copy(update={"command": command, "retriever": record.retriever.model_copy(
        update={"weights_sha256": SHA})})


def bm25_record() -> ResultRecord:
    return make_record("bm25", config=part("bm25")["retriever"])


def fused_with(folder: Path, name: str) -> ResultRecord:
    splade = {"name": name, "retriever": splade_description(folder, name), "index_fingerprint": "0" * 64,
              "encoders": ["1" * 64]}
    config = fused_config([part("bm25"), splade, part("dense")], method="wsum", weights=[0.4, 0.4, 0.2])
    return make_record(config["name"], shift=0.15, config=config, model_id=f"{folder} + bundled:all-MiniLM-L6-v2")


def assert_no_machine_path(text: str, tmp_path: Path) -> None:
    assert str(tmp_path) not in text
    assert f"/{tmp_path.parts[1]}/" not in text  # no other absolute path under the same root either
    assert shorten_paths(text) == text


def results_with_a_registered_model(tmp_path: Path) -> tuple[Path, list[Path]]:
    folder = model_folder(tmp_path)
    results = tmp_path / "results"
    paths = [write_record(results, bm25_record()),
             write_record(results, splade_ft_record(folder, "splade-ft@demo-cpu", tmp_path)),
             write_record(results, fused_with(folder, "splade-ft@demo-cpu"), "fused")]
    return results, paths


def test_leaderboard_names_the_registered_model_and_its_hash(tmp_path):
    pytest.importorskip("matplotlib")
    results, _ = results_with_a_registered_model(tmp_path)
    write_record(results, splade_ft_record(tmp_path / "elsewhere" / "hd-cpu", "splade-ft", tmp_path, 0.05))
    out = tmp_path / "site" / "LEADERBOARD.md"
    build_leaderboard(results, out, FAST)
    text = out.read_text()
    assert_no_machine_path(text, tmp_path)
    models = {row.split(" | ")[1]: row.split(" | ")[2] for row in table_rows(text, "toy / test")}
    assert models["splade-ft@demo-cpu"] == "splade-ft@demo-cpu sha256:e7abe571"
    assert models["splade-ft"] == "hd-cpu sha256:e7abe571"  # not registered by name: the folder's name
    assert "from the result files in `…/results`" in text
    assert "--cache-dir '…/cache' --output-dir '…/results' --set 'splade-ft.model=…/demo-cpu'" in text
    assert "absolute paths of the machine that ran it shortened" in text


def test_results_inside_the_leaderboards_folder_are_named_relative_to_it(tmp_path):
    results, _ = results_with_a_registered_model(tmp_path)
    build_leaderboard(results, tmp_path / "LEADERBOARD.md", FAST, draw_plots=False)
    assert "from the result files in `results` (3 results" in (tmp_path / "LEADERBOARD.md").read_text()


def test_compare_output_has_no_machine_path(tmp_path, capsys, monkeypatch):
    _, paths = results_with_a_registered_model(tmp_path)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")  # results given by absolute path, outside the working folder
    markdown = tmp_path / "COMPARE.md"
    compare_command([str(p) for p in paths], tmp_path / "other", None, "test", None, FAST, str(markdown))
    printed = capsys.readouterr().out
    text = markdown.read_text()
    for output in (printed, text):
        assert_no_machine_path(output, tmp_path)
    assert "fuses bm25 (a) + splade-ft@demo-cpu (b) + dense \\[bundled:all-MiniLM-L6-v2\\]" in text
    assert "bm25=0.4, splade-ft@demo-cpu=0.4, dense=0.2" in text
    assert f"`…/{paths[1].name}`" in text


def test_fused_part_without_its_own_row_shows_the_models_name_and_hash(tmp_path):
    folder = model_folder(tmp_path)
    results = tmp_path / "results"
    write_record(results, bm25_record())
    write_record(results, fused_with(folder, "splade-ft"), "fused")
    build_leaderboard(results, tmp_path / "LEADERBOARD.md", FAST, draw_plots=False)
    text = (tmp_path / "LEADERBOARD.md").read_text()
    assert_no_machine_path(text, tmp_path)
    assert "bm25 (b) + splade-ft \\[demo-cpu sha256:e7abe571\\] + dense \\[bundled:all-MiniLM-L6-v2\\]" in text


def test_model_card_names_a_local_base_model_without_its_path(tmp_path):
    from benchmark.train.card import render
    from benchmark.train.config import build_config
    from benchmark.train.trainer import RoundResult, TrainResult
    from retrievers.models import weights_sha256

    base = model_folder(tmp_path, "demo-cpu")
    data_dir = tmp_path / "data" / "homedepot"
    config = build_config({"name": "demo-cpu-2", "base_model": str(base), "loss": {"teacher": str(base)},
                           "datasets": [{"name": "demo", "data_dir": str(data_dir), "dev_split": None}]})
    rounds = [RoundResult(round=0, model_dir=str(tmp_path / "round-0"), train_s=60.0, steps=3, rows={"demo": 10})]
    data = [{"dataset": "demo", "positive_rule": "gain >= 1", "train_split_queries": 40, "queries": 40,
             "pairs": 360, "leaked_dropped": 0, "dev_queries": 0}]
    card = render(TrainResult("demo-cpu-2", tmp_path / "cache" / "models" / "demo-cpu-2", config, rounds, data,
                              61.0, {"cpu": "x86_64", "cpu_count": 2}))
    assert_no_machine_path(card, tmp_path)
    sha = weights_sha256(base)[:8]  # the prefix of the hash `bench run` records for that folder
    assert f"from `splade-ft@demo-cpu sha256:{sha}` (a local model folder)." in card
    assert "base_model:" not in card.split("---\n", 2)[1]  # the hub's metadata takes hub ids only
    assert "data_dir: …/homedepot" in card and "base_model: …/demo-cpu" in card


def test_model_card_keeps_a_hub_or_bundled_base_model(tmp_path):
    from benchmark.train.card import render
    from benchmark.train.config import build_config
    from benchmark.train.trainer import TrainResult

    config = build_config({"name": "x", "base_model": "bundled:splade-tiny", "datasets": [{"name": "demo"}]})
    card = render(TrainResult("x", tmp_path, config, [], [], 1.0, {}))
    assert "base_model: bundled:splade-tiny" in card and "from `bundled:splade-tiny`." in card

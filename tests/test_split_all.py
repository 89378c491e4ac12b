"""Split ``all``: every query of a dataset without an official split (WANDS, Home Depot), as published WANDS
numbers evaluate; refused for datasets with an official split and for models trained on the dataset."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES, shared
from typer.testing import CliRunner

from benchmark.app.cli import app
from benchmark.core.errors import ShopbenchError
from benchmark.datasets import wands
from benchmark.datasets.registry import load_dataset
from benchmark.datasets.splits import ALL_SPLIT, HashSplit
from benchmark.fusion.systems import run_any
from benchmark.pipeline.harness import RunRequest
from benchmark.pipeline.trained_on import TrainedOnEvaluationError, refuse_trained_on
from leaderboard.build import build_leaderboard
from leaderboard.options import StatOptions
from retrievers.models import TRAIN_RECORD_FILE
from retrievers.trained_models import ModelRegistry, RegisteredModel, now_iso

JUDGED = {"0", "2", "5", "9"}  # every query of the fixture is judged; the hash split puts all four in train


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def wands_dir(tmp_path) -> Path:
    target = tmp_path / "wands"
    shutil.copytree(FIXTURES / "wands", target)
    return target


def run(tmp_path: Path, data_dir: Path | None, split: str = ALL_SPLIT, retriever: str = "bm25",
        dataset: str = "wands", overrides: tuple[str, ...] = ()):
    return run_any(RunRequest(retriever=retriever, dataset=dataset, split=split, data_dir=data_dir,
                                    output_dir=tmp_path / "results", overrides=overrides, command=("test",)))


def trained_model(folder: Path, name: str, datasets: list[str], base_model: str = "bundled:splade-tiny") -> Path:
    """A model folder as `bench train` leaves it, as far as the guard reads it: the training record."""
    folder.mkdir(parents=True)
    config = {"base_model": base_model, "datasets": [{"name": d, "train_split": "train"} for d in datasets]}
    (folder / TRAIN_RECORD_FILE).write_text(json.dumps({"name": name, "config": config, "data": []}))
    return folder


# --- every query ----------------------------------------------------------------------------------


def test_split_all_of_wands_evaluates_every_judged_query(tmp_path, wands_dir):
    ds = wands.load(wands_dir)
    assert ds.derived_splits and {len(ds.splits[s]) for s in ("dev", "test")} == {0}  # test alone: nothing
    assert set(ds.split(ALL_SPLIT).queries) == JUDGED and dict(ds.split(ALL_SPLIT).qrels) == dict(ds.qrels)
    record = run(tmp_path, wands_dir).record
    assert record.dataset.split == ALL_SPLIT
    assert set(record.per_query["NDCG@10"]) == JUDGED and record.excluded_queries == []
    assert record.dataset.counts.queries == 4 and record.dataset.counts.judgements == 12


def test_the_cli_runs_split_all_and_data_info_shows_it(tmp_path, wands_dir):
    out = tmp_path / "cli-results"
    result = CliRunner().invoke(app, ["run", "-r", "bm25", "-d", "wands", "--data-dir", str(wands_dir), "--split",
                                      "all", "--output-dir", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    (path,) = out.glob("wands__all__bm25__*.json")
    assert set(json.loads(path.read_text())["per_query"]["NDCG@10"]) == JUDGED
    info = CliRunner().invoke(app, ["data", "info", "wands", "--data-dir", str(wands_dir), "--json"])
    summary = json.loads(info.stdout)
    assert summary["split_all"] == {"queries": 4, "judgements": 12} and ALL_SPLIT not in summary["splits"]
    demo = json.loads(CliRunner().invoke(app, ["data", "info", "demo", "--json"]).stdout)
    assert demo["split_all"] is None


def test_a_cached_dataset_keeps_split_all(wands_dir, cache_dir):
    first = load_dataset("wands", data_dir=wands_dir, cache_dir=cache_dir)
    again = load_dataset("wands", data_dir=wands_dir, cache_dir=cache_dir)  # from the binary cache
    assert first.derived_splits and again.derived_splits
    assert again.split(ALL_SPLIT).queries == first.split(ALL_SPLIT).queries
    assert again.checksum == first.checksum and dict(again.corpus) == dict(first.corpus)  # class and category too


def test_a_dataset_with_an_official_split_refuses_all(tmp_path):
    with pytest.raises(ShopbenchError, match="comes with its own splits") as info:
        load_dataset("demo").split(ALL_SPLIT)
    assert "--split test" in str(info.value)
    with pytest.raises(ShopbenchError, match="comes with its own splits"):
        run(tmp_path, None, dataset="demo")
    assert not (tmp_path / "results").exists()


def test_an_unknown_split_lists_all_where_it_is_allowed(wands_dir):
    with pytest.raises(ShopbenchError, match="splits: dev, test, train, all$"):
        wands.load(wands_dir).split("validation")


@pytest.mark.realdata
def test_the_real_wands_queries_all_480_against_60_in_the_hash_test_split():
    queries = wands.read_queries(shared("wands", "query.csv"))
    splits = HashSplit().split_queries(queries)
    assert len(queries) == 480
    assert Counter({name: len(ids) for name, ids in splits.items()}) == Counter(train=373, dev=47, test=60)


# --- the leakage guard ----------------------------------------------------------------------------


def test_a_model_trained_on_wands_is_refused_on_its_split_all(tmp_path, wands_dir):
    model = trained_model(tmp_path / "models" / "wands-ft", "wands-ft", ["wands", "homedepot"])
    with pytest.raises(TrainedOnEvaluationError) as info:
        run(tmp_path, wands_dir, retriever="splade-ft", overrides=(f"model={model}",))
    message = str(info.value)
    assert "splade-ft@wands-ft" in message and "wands/all" in message and "split 'train' of wands" in message
    assert "--split test" in message and str(tmp_path) not in message
    assert not (tmp_path / "results").exists()
    with pytest.raises(TrainedOnEvaluationError, match="split 'train' is the split it was trained on"):
        run(tmp_path, wands_dir, split="train", retriever="splade-ft", overrides=(f"model={model}",))


def test_the_guard_reads_registered_names_fused_parts_and_base_models(tmp_path, wands_dir, cache_dir):
    on_wands = trained_model(tmp_path / "models" / "wands-ft", "wands-ft", ["wands"])
    ModelRegistry(cache_dir).register(RegisteredModel(name="wands-ft", path=str(on_wands),
                                                      base_model="bundled:splade-tiny", registered_at=now_iso(),
                                                      datasets=["wands"]))
    for retriever, overrides in (("splade-ft@wands-ft", ()), ("splade-ft", ()),
                                 ("hybrid:bm25+splade-ft", (f"splade-ft.model={on_wands}",))):
        with pytest.raises(TrainedOnEvaluationError, match="wands/all"):
            run(tmp_path, wands_dir, retriever=retriever, overrides=overrides)
    further = trained_model(tmp_path / "models" / "demo-ft", "demo-ft", ["demo"], base_model=str(on_wands))
    with pytest.raises(TrainedOnEvaluationError, match="split 'train' of wands"):  # through its base model
        run(tmp_path, wands_dir, retriever="splade-ft", overrides=(f"model={further}",))


def test_the_guard_lets_held_out_splits_and_other_datasets_through(tmp_path):
    on_wands = {"model": str(trained_model(tmp_path / "wands-ft", "wands-ft", ["wands"]))}
    for dataset, split in (("wands", "test"), ("wands", "dev"), ("homedepot", ALL_SPLIT), ("beir:/x/wands", "test")):
        refuse_trained_on(dataset, split, on_wands)  # no error
    refuse_trained_on("wands", ALL_SPLIT, {"model": str(tmp_path / "not-a-trained-model")})
    on_folder = {"model": str(trained_model(tmp_path / "beir-ft", "beir-ft", ["beir:/data/scifact"]))}
    with pytest.raises(TrainedOnEvaluationError):
        refuse_trained_on("beir:scifact", "train", on_folder)  # one BEIR dataset, named two ways
    refuse_trained_on("beir:nfcorpus", "train", on_folder)


# --- the leaderboard says which text format a row used ---------------------------------------------


def test_the_leaderboard_shows_each_rows_text_format(tmp_path, wands_dir):
    run(tmp_path, wands_dir)
    run(tmp_path, wands_dir, overrides=("text_format=full",))
    out = tmp_path / "LEADERBOARD.md"
    build_leaderboard(tmp_path / "results", out, StatOptions(permutations=200, bootstrap=100), draw_plots=False)
    text = out.read_text()
    assert "wands / all" in text
    (line,) = [x for x in text.splitlines() if x.startswith("- text format:")]
    assert "full (" in line and "title-brand-bullets (" in line

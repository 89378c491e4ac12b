"""bm25-rank: rank-bm25's BM25Okapi through the harness (its own index folder, reused by content key)."""

from __future__ import annotations

import pytest

from benchmark.app.reproduce import overlap_at_k
from benchmark.pipeline.harness import RunRequest, run_benchmark
from benchmark.ranking.runs import read_trec
from retrievers.registry import ConfigError, build, resolve_config

pytest.importorskip("rank_bm25", reason="rank-bm25 is not installed (pip install rank-bm25)")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def request(tmp_path, retriever="bm25-rank", **kw) -> RunRequest:
    return RunRequest(retriever=retriever, dataset="demo", output_dir=tmp_path / "results", command=("test",), **kw)


def test_bm25_rank_writes_records_reuses_its_index_and_agrees_with_bm25(tmp_path, cache_dir):
    first = run_benchmark(request(tmp_path))
    record = first.record
    assert not record.reused_index and record.retriever.name == "bm25-rank"
    assert record.retriever.config["encoders"][0]["kind"] == "bm25-rank"
    assert record.efficiency.index_bytes > 0 and record.efficiency.throughput_qps > 0 and record.efficiency.index_s >= 0
    folders = [p for p in (cache_dir / "rank-bm25").iterdir() if p.name != ".locks"]  # + the key locks
    assert len(folders) == 1 and (folders[0] / "complete.json").is_file()
    assert not (cache_dir / "qdrant-edge").exists() or not any("bm25-rank" in p.name for p in (cache_dir / "qdrant-edge").iterdir())
    second = run_benchmark(request(tmp_path))
    assert second.record.reused_index
    assert second.record.metrics == pytest.approx(record.metrics)

    bm25 = run_benchmark(request(tmp_path, retriever="bm25")).record
    assert abs(bm25.metrics["NDCG@10"] - record.metrics["NDCG@10"]) < 0.05  # different IDF; same analyzer
    results = tmp_path / "results"
    overlap = overlap_at_k(read_trec(results / record.run_file), read_trec(results / bm25.run_file))
    assert overlap > 0.8


def test_bm25_rank_settings_change_the_index_key_and_are_validated():
    a = build("bm25-rank", resolve_config("bm25-rank"))
    b = build("bm25-rank", resolve_config("bm25-rank", {"k1": 1.2}))
    assert a.index_fingerprint() != b.index_fingerprint()
    with pytest.raises(ConfigError, match="epsilon"):
        resolve_config("bm25-rank", {"nope": 1})


def test_bm25_rank_warns_on_large_corpora(tmp_path, monkeypatch):
    from retrievers import rank_bm25

    monkeypatch.setattr(rank_bm25, "SLOW_ABOVE", 2)
    retriever = build("bm25-rank", resolve_config("bm25-rank"))
    with pytest.warns(UserWarning, match="slow above"):
        retriever._build(["red drill", "blue drill", "garden hose"], tmp_path, None)
    handle = retriever._open(tmp_path)
    hits = retriever._search_batch(handle, retriever._analyze(handle, ["drill", "the"]), 10)
    assert {d for d, _ in hits[0]} == {0, 1} and hits[1] == []

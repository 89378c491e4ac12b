"""Per-query latency (benchmark.core.timing) and what a run records: percentiles over queries, not batch means."""

from __future__ import annotations

import time

import pytest

from benchmark.core import timing
from benchmark.core.timing import ENCODE, FUSE, SEARCH, Percentiles, StageClock, measure_latency
from benchmark.datasets.registry import load_dataset
from benchmark.pipeline.harness import RunRequest, run_benchmark
from benchmark.ranking.results import load_result
from retrievers.bm25 import BM25Encoder

SLOW_S = 0.08


def test_percentiles_are_numpys_linear_ones():
    found = Percentiles.of([1.0, 2.0, 3.0, 4.0, 100.0])
    assert (found.p50, found.mean) == (3.0, 22.0)
    assert found.p95 == pytest.approx(4 + 0.8 * 96) and found.p99 == pytest.approx(4 + 0.96 * 96)
    with pytest.raises(ValueError):
        Percentiles.of([])


def test_sample_is_seeded_distinct_and_capped():
    assert timing.sample(1000, 200, seed=0) == timing.sample(1000, 200, seed=0)
    assert timing.sample(1000, 200, seed=0) != timing.sample(1000, 200, seed=1)
    assert len(set(timing.sample(1000, 200))) == 200
    assert sorted(timing.sample(5, 200)) == [0, 1, 2, 3, 4] and timing.sample(5, 0) == []


def test_stages_add_up_and_a_missing_stage_counts_zero():
    def answer(query: str, clock: StageClock) -> None:
        with clock.stage(ENCODE):
            time.sleep(0.002)
        for _ in range(2):  # a fusion searches each part: the stage adds up
            with clock.stage(SEARCH):
                time.sleep(0.002)
        if query == "fused":
            with clock.stage(FUSE):
                time.sleep(0.001)

    measured = measure_latency(["a", "fused", "b"], answer, warmup=2)
    assert measured.queries == 3 and measured.warmup == 2
    assert measured.stage_ms[FUSE][0] == 0.0 and measured.stage_ms[FUSE][1] >= 1.0
    assert all(s >= 4.0 for s in measured.stage_ms[SEARCH])
    for i in range(3):  # end to end is the wall time around the answer: at least the sum of its stages
        assert measured.total_ms[i] >= sum(measured.stage_ms[s][i] for s in measured.stage_ms)
    assert list(measured.stages()) == [ENCODE, SEARCH, FUSE]


def test_one_slow_query_shows_in_the_tail_not_in_the_median(tmp_path, monkeypatch):
    """The acceptance case: one deliberately slow query among the demo's 20 test queries. Per-query
    percentiles put it at p99 and leave p50 fast; a mean over the batch (what schema 1 recorded, 64 queries
    per batch) spreads it over every query, so it reads as neither."""
    dataset = load_dataset("demo")
    slow_text = next(iter(dataset.split("test").queries.values()))
    original = BM25Encoder.encode_queries

    def encode(self, texts):
        if list(texts) == [slow_text]:  # only the single-query path: the batched run stays fast
            time.sleep(SLOW_S)
        return original(self, texts)

    monkeypatch.setattr(BM25Encoder, "encode_queries", encode)
    outcome = run_benchmark(RunRequest(retriever="bm25", dataset="demo", output_dir=tmp_path / "r",
                                       cache_dir=tmp_path / "cache", command=("test",)))
    latency = load_result(outcome.path).efficiency.latency
    assert latency is not None and latency.queries == 20 and latency.k == 100
    e2e, encode_stage = latency.end_to_end, latency.stages[ENCODE]
    batch_mean = e2e.mean  # one batch of 20: the batch mean is the mean over queries
    assert e2e.p99 >= 0.8 * SLOW_S * 1000 and encode_stage.p99 >= 0.8 * SLOW_S * 1000
    assert e2e.p50 < 10  # ms: the median query is fast
    assert e2e.p50 < batch_mean / 2 and e2e.p99 > 5 * batch_mean
    assert set(latency.stages) == {ENCODE, SEARCH}


def test_latency_sample_zero_skips_it(tmp_path):
    outcome = run_benchmark(RunRequest(retriever="bm25", dataset="demo", output_dir=tmp_path / "r",
                                       cache_dir=tmp_path / "cache", latency_sample=0, command=("test",)))
    efficiency = outcome.record.efficiency
    assert efficiency.latency is None and efficiency.throughput_qps > 0 and efficiency.hardware is not None

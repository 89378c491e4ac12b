"""Helpers for the tests that run ``bench`` in real processes (crash safety, concurrency)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = REPO / "tests" / "crash_cli.py"
KILLED = -signal.SIGKILL


def env(**extra: str) -> dict[str, str]:
    """The test environment for a child: offline, short lock waits, no fault unless given."""
    base = {k: v for k, v in os.environ.items() if k not in ("SHOPBENCH_FAULT", "SHOPBENCH_TEST_PAUSE")}
    base.update({"HF_HUB_OFFLINE": "1", "SHOPBENCH_LOCK_TIMEOUT_S": "120", "PYTHONPATH": str(REPO),
                 "COLUMNS": "200"})
    base.update(extra)
    return base


def bench_args(*args: str | Path) -> list[str]:
    return [sys.executable, str(CLI), *map(str, args)]


def bench(*args: str | Path, timeout: float = 240, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``bench ARGS`` (through tests/crash_cli.py) to the end; ``extra`` goes into its environment."""
    return subprocess.run(bench_args(*args), check=False, env=env(**extra), capture_output=True, text=True, timeout=timeout,
                          cwd=REPO)


def start(*args: str | Path, log: Path, **extra: str) -> subprocess.Popen[str]:
    """Start ``bench ARGS`` in the background, stdout and stderr into ``log``."""
    handle = log.open("w")
    return subprocess.Popen(bench_args(*args), env=env(**extra), stdout=handle, stderr=subprocess.STDOUT,
                            text=True, cwd=REPO)


def wait_for(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def results(out: Path) -> list[Path]:
    return sorted(out.glob("*.json")) if out.is_dir() else []


def metrics(path: Path) -> dict[str, float]:
    return json.loads(path.read_text())["metrics"]


def record(path: Path) -> dict:
    return json.loads(path.read_text())


def chunk_files(cache: Path) -> dict[str, int]:
    """Encoded-vector chunk files under a cache, by name, with their inode (a re-encoded chunk gets a new one)."""
    root = cache / "vectors"
    return {str(p.relative_to(root)): p.stat().st_ino for p in root.rglob("*.npz")} if root.is_dir() else {}


def complete_markers(cache: Path) -> list[Path]:
    return sorted((cache / "qdrant-edge").glob("*/COMPLETE.json"))

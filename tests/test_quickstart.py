"""The README quickstart, for real: a fresh venv made by the README's install command, then `bench demo`.

Runs in CI (``CI`` is set there) and wherever ``SHOPBENCH_QUICKSTART=1``; skipped otherwise (it takes
a few minutes: the install, then the demo with real training). The venv is created by
``make -C <repo> install VENV=<tmp>/venv`` (what ``make demo`` runs first); pip's own cache makes the
install quick on a machine that installed the project before. The demo runs offline
(``HF_HUB_OFFLINE=1``) with its output under a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SYSTEMS = {"bm25", "splade", "splade-ft", "dense", "hybrid"}


def _enabled() -> bool:
    return any(os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
               for name in ("CI", "SHOPBENCH_QUICKSTART"))


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not _enabled(), reason="the quickstart test (fresh venv + bench demo, a few minutes) runs in "
                                              "CI, or with SHOPBENCH_QUICKSTART=1"),
]


def _env(tmp: Path) -> dict[str, str]:
    # Nothing of the outer venv, cache or make (`make test` runs this: MAKEFLAGS would pass its VENV= on).
    dropped = ("SHOPBENCH_", "VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env["HF_HUB_OFFLINE"] = "1"  # the demo must not need the network
    env["HOME"] = env.get("HOME", str(tmp))
    env["COLUMNS"] = "120"
    return env


def _run(cmd: list[str], tmp: Path, log: Path, timeout: float) -> tuple[int, str, float]:
    start = time.perf_counter()
    with log.open("w") as handle:
        proc = subprocess.run(cmd, check=False, cwd=tmp, env=_env(tmp), stdout=handle, stderr=subprocess.STDOUT,
                              timeout=timeout)
    return proc.returncode, log.read_text(errors="replace"), time.perf_counter() - start


def test_readme_quickstart_fresh_venv_then_bench_demo(tmp_path):
    if shutil.which("make") is None:
        pytest.fail("make is needed for the README quickstart")
    venv = tmp_path / "venv"
    # The README's install step (`make demo` runs it first), into a fresh venv outside the repository.
    code, out, install_s = _run(["make", "-C", str(REPO), "install", f"VENV={venv}", f"PYTHON={sys.executable}"],
                                tmp_path, tmp_path / "install.log", timeout=900)
    assert code == 0, f"make install failed:\n{out[-4000:]}"
    bench = venv / "bin" / "bench"
    assert bench.is_file()

    output = tmp_path / "demo"
    code, out, demo_s = _run([str(bench), "demo", "--output-dir", str(output)], tmp_path, tmp_path / "demo.log",
                             timeout=900)
    print(f"quickstart: install {install_s:.0f} s, bench demo {demo_s:.0f} s")
    assert code == 0, f"bench demo failed:\n{out[-6000:]}"

    # results for all five retrievers, each with its TREC run
    runs = sorted((output / "results").iterdir())
    assert len(runs) == 1
    records = {json.loads(p.read_text())["retriever"]["name"]: p for p in runs[0].glob("*.json")}
    assert set(records) == SYSTEMS
    assert all(p.with_suffix(".trec").is_file() for p in records.values())
    ft = json.loads(records["splade-ft"].read_text())
    model = output / "cache" / "models" / "demo-cpu"
    assert ft["retriever"]["config"]["encoders"][0]["model"]["name"] == "splade-ft@demo-cpu"  # never a path
    assert (model / "model.safetensors").is_file() and (model / "README.md").is_file()
    assert json.loads((output / "cache" / "models" / "registry.json").read_text())["models"][0]["name"] == "demo-cpu"

    # the leaderboard: all five retrievers, significance letters, the plots
    board = (output / "LEADERBOARD.md").read_text()
    for system in SYSTEMS:
        assert f"| {system} |" in board
    assert "<sup>" in board
    plots = sorted((output / "leaderboard_plots").glob("*.png"))
    assert len(plots) >= 2 and all(p.stat().st_size > 1000 for p in plots)
    assert (output / "COMPARE.md").is_file()

    # what it printed: the summary, the comparison, where things went, the next steps
    for text in ("step 5/5", "quality", "better than", "where everything went", "demo finished",
                 "bench data fetch esci", "bench run --retriever splade-ft --dataset esci", "--on modal"):
        assert text in out, text

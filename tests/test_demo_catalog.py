"""The bundled demo collection is exactly what scripts/make_demo_catalog.py makes from scripts/demo_catalog/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_demo_catalog.py"
DEMO = ROOT / "benchmark" / "datasets" / "demo"
FILES = ["corpus.jsonl", "queries.jsonl", "qrels/train.tsv", "qrels/test.tsv", "README.md"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], check=False, capture_output=True, text=True,
                          timeout=120)


def test_regenerating_gives_the_committed_files_byte_for_byte(tmp_path):
    done = run("--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(FILES)
    for rel in FILES:
        assert (tmp_path / rel).read_bytes() == (DEMO / rel).read_bytes(), (
            f"{rel} differs from the committed file: run python scripts/make_demo_catalog.py")


def test_check_reports_up_to_date():
    done = run("--check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "up to date"


def test_check_reports_a_stale_file(tmp_path):
    assert run("--out", str(tmp_path)).returncode == 0
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n")
    done = run("--out", str(tmp_path), "--check")
    assert done.returncode == 1
    assert done.stdout.strip() == "out of date: qrels/test.tsv"

"""The import contract (``[tool.importlinter]`` in pyproject.toml): each layer imports only the layers below it.

core < datasets < store < ranking < retrievers < pipeline < fusion < leaderboard < train < app. import-linter
reads every import from the source (function-level ones included; ``if TYPE_CHECKING:`` ones left out), so an
upward import anywhere fails here, in CI. The second test shows the check failing on a deliberate violation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("benchmark", "retrievers", "leaderboard")
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed (pip install -e .[dev])")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1"}
    return subprocess.run([str(LINT), "--no-cache", str(root / "pyproject.toml")], cwd=root, env=env,
                          capture_output=True, text=True, check=False)


def copy_project(to: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(REPO / package, to / package, ignore=shutil.ignore_patterns("__pycache__", "demo"))
    shutil.copy(REPO / "pyproject.toml", to / "pyproject.toml")
    return to


def test_the_layers_import_one_way():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    """A lazy import of the CLI from the lowest layer (inside a function, as a shortcut would be written)."""
    root = copy_project(tmp_path)
    errors = root / "benchmark" / "core" / "errors.py"
    errors.write_text(errors.read_text() + "\n\ndef shortcut():\n    from benchmark.app import cli\n    return cli\n")
    result = lint(root)
    assert result.returncode != 0
    assert "benchmark.core is not allowed to import benchmark.app" in result.stdout
    assert "benchmark.core.errors -> benchmark.app.cli" in result.stdout

"""Shared test fixtures: isolated cache/data folders and paths to fixtures and real data."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_DATA = REPO.parent / "shared" / "data"
DEMO = REPO / "benchmark" / "datasets" / "demo"


def demo_as_beir(root: Path, splits: Mapping[str, str]) -> str:
    """The demo catalog as a BEIR folder whose qrels files are demo qrels files (``{"dev": "test"}``: the
    demo's test judgements as qrels/dev.tsv); returns the ``beir:PATH`` dataset name."""
    (root / "qrels").mkdir(parents=True)
    for name in ("corpus.jsonl", "queries.jsonl"):
        shutil.copy(DEMO / name, root / name)
    for split, source in splits.items():
        shutil.copy(DEMO / "qrels" / f"{source}.tsv", root / "qrels" / f"{split}.tsv")
    return f"beir:{root}"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's real data or cache folders."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("SHOPBENCH_CACHE_DIR", str(cache))
    monkeypatch.setenv("SHOPBENCH_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    return cache


@pytest.fixture
def cache_dir(isolated_dirs) -> Path:
    return isolated_dirs


def dataset_caches(cache: Path) -> list[Path]:
    """Every dataset cache folder (complete or not) under a cache root."""
    root = cache / "datasets"
    return sorted(root.iterdir()) if root.exists() else []


def shared(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (it lives in ../shared/data beside the repository)")
    return path

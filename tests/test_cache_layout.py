"""One cache layout (benchmark/core/cache_layout.py): every folder named once, one lock and completion rule,
leftovers of killed processes removed."""

from __future__ import annotations

import ast
import os
import time
from pathlib import Path

import pytest

from benchmark.core import atomic, cache_layout
from benchmark.core.cache_layout import AREAS, FUSION_RUNS, LUCENE, STALE_TEMP_S, CacheLayout
from benchmark.core.locking import LockTimeoutError
from benchmark.fusion.part_runs import PartRuns
from benchmark.pipeline.harness import Searched, SplitSearch
from benchmark.ranking.runs import Run
from retrievers.local import LocalStore
from retrievers.retriever import SearchStats

REPO = Path(__file__).resolve().parents[1]


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_an_area_is_swept_of_a_killed_writers_files_and_folders_once(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_layout, "_swept", set())
    folder = tmp_path / FUSION_RUNS
    folder.mkdir()
    (folder / "kept.json").write_text("{}")
    stale_file = folder / ".tmp-abc.json.x1.tmp"
    stale_file.write_text("half")
    stale_dir = atomic.temp_dir(folder, "demo-123")  # a dataset cache / download folder being built
    (stale_dir / "corpus.parquet").write_text("half")
    fresh = folder / ".tmp-def.json.x2.tmp"  # a live writer's: young
    fresh.write_text("writing")
    for path in (stale_file, stale_dir):
        _age(path, STALE_TEMP_S + 60)
    assert CacheLayout(tmp_path).area(FUSION_RUNS) == folder
    assert sorted(p.name for p in folder.iterdir()) == [fresh.name, "kept.json"]
    stale_again = folder / ".tmp-ghi.json.x3.tmp"
    stale_again.write_text("half")
    _age(stale_again, STALE_TEMP_S + 60)
    CacheLayout(tmp_path).area(FUSION_RUNS)  # once per process and folder: not swept again
    assert stale_again.exists()


def test_unknown_areas_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown cache area 'vector'"):
        CacheLayout(tmp_path).area("vector")


def test_no_cache_folder_is_named_outside_the_layout():
    """``something / "vectors"`` (an area name joined onto a path) appears only in cache_layout.py."""
    found = []
    for package in ("benchmark", "retrievers", "leaderboard"):
        for path in sorted((REPO / package).rglob("*.py")):
            if path.name == "cache_layout.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
                        and isinstance(node.right, ast.Constant) and node.right.value in AREAS):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno} / {node.right.value!r}")
    assert not found, "cache folders named outside benchmark/core/cache_layout.py:\n" + "\n".join(found)


def test_a_local_index_is_built_under_its_lock_and_read_under_a_shared_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPBENCH_LOCK_TIMEOUT_S", "1")
    layout = CacheLayout(tmp_path)
    builder, reader = LocalStore(layout, LUCENE), LocalStore(layout, LUCENE)
    index = builder.open("key")  # absent: built, the key's lock held exclusively
    assert (tmp_path / LUCENE / ".locks" / "key.lock").is_file() and index.lock.mode == "exclusive"
    with pytest.raises(LockTimeoutError):  # a second opener waits for the build (here: the same process)
        reader.open("key")
    (index.folder / "segment").write_text("data")
    index.mark_complete({"documents": 1})
    assert index.lock.mode == "shared"
    again = reader.open("key")  # complete: reused under a shared lock, not rebuilt
    assert again.is_complete() and (again.folder / "segment").read_text() == "data"
    with pytest.raises(LockTimeoutError):  # never dropped under a reader
        LocalStore(layout, LUCENE).drop("key")
    builder.close()
    reader.close()
    LocalStore(layout, LUCENE).drop("key")
    assert not (tmp_path / LUCENE / "key").exists()


def _found(doc: str) -> SplitSearch:
    search = SearchStats(1, 0.1, 0.2, None)
    return SplitSearch(Run({"q1": [(doc, 1.0)]}), Searched([], search, {"index_s": 1.0}, False, 10))


def test_a_part_run_is_searched_once_under_its_lock_and_kept(tmp_path):
    runs = PartRuns(CacheLayout(tmp_path))
    calls = []

    def search() -> SplitSearch:
        calls.append(1)
        lock = tmp_path / FUSION_RUNS / ".locks" / "k1.lock"
        assert lock.is_file()  # searched while holding the key's lock
        return _found("d1")

    first, kept_first = runs.get("k1", search)
    second, kept_second = runs.get("k1", search)
    assert calls == [1] and (kept_first, kept_second) == (False, True)
    assert dict(second.run.items()) == dict(first.run.items()) == {"q1": (("d1", 1.0),)}


def test_a_training_run_folder_has_one_writer(tmp_path):
    from benchmark.core.cache_layout import TRAIN_RUNS
    from benchmark.core.errors import ShopbenchError
    from benchmark.train import trainer
    from benchmark.train.config import DatasetSpec, TrainConfig

    config = TrainConfig(name="busy", datasets=[DatasetSpec(name="demo")], device="cpu")
    other = CacheLayout(tmp_path).lock(TRAIN_RUNS, "busy", "training busy")  # another process's bench train
    assert other.try_acquire(exclusive=True)
    try:
        with pytest.raises(ShopbenchError, match="another bench train is writing .*train-runs/busy"):
            trainer.train(config, cache_dir=tmp_path)
    finally:
        other.release()
    assert not (tmp_path / TRAIN_RUNS / "busy").exists()  # refused before anything was written


def test_the_model_registry_is_updated_under_the_cache_lock(tmp_path, monkeypatch):
    from benchmark.core.cache_layout import MODELS
    from retrievers.trained_models import ModelRegistry, RegisteredModel

    monkeypatch.setenv("SHOPBENCH_LOCK_TIMEOUT_S", "0.5")
    registry = ModelRegistry(tmp_path)
    entry = RegisteredModel(name="m", path=str(tmp_path / "m"), base_model="b", registered_at="2026-01-01T00:00:00Z")
    held = CacheLayout(tmp_path).lock(MODELS, "registry", "another registration")
    held.acquire(exclusive=True)
    with pytest.raises(LockTimeoutError):
        registry.register(entry)
    held.release()
    registry.register(entry)
    assert registry.names() == ["m"] and (tmp_path / MODELS / ".locks" / "registry.lock").is_file()

from __future__ import annotations

import sys
import types

import pytest

from benchmark.core.errors import NetworkError
from benchmark.datasets import fetch_hf


def test_unreachable_hub_fails_fast_and_writes_nothing(tmp_path, monkeypatch):
    def refuse(*_a, **_k):
        raise OSError("Name or service not known")

    monkeypatch.setattr(fetch_hf.socket, "create_connection", refuse)
    with pytest.raises(NetworkError, match="cannot reach huggingface.co"):
        fetch_hf.fetch_esci_hf(tmp_path / "data")
    assert not (tmp_path / "data").exists()


class _Conn:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _fake_hub(monkeypatch, snapshot):
    monkeypatch.setattr(fetch_hf.socket, "create_connection", lambda *a, **k: _Conn())
    module = types.ModuleType("huggingface_hub")
    module.snapshot_download = snapshot
    monkeypatch.setitem(sys.modules, "huggingface_hub", module)


def test_complete_download_is_moved_into_place(tmp_path, monkeypatch):
    def snapshot(repo_id, repo_type, local_dir, allow_patterns):
        assert repo_id == "tasksource/esci" and repo_type == "dataset"
        (local_dir / "data").mkdir()
        (local_dir / "data" / "train-00000-of-00001.parquet").write_bytes(b"x")

    _fake_hub(monkeypatch, snapshot)
    target = fetch_hf.fetch_esci_hf(tmp_path)
    assert target == tmp_path / "esci" / "hf"
    assert (target / "data" / "train-00000-of-00001.parquet").is_file()
    assert [p.name for p in (tmp_path / "esci").iterdir()] == ["hf"]


def test_failed_download_leaves_nothing(tmp_path, monkeypatch):
    def snapshot(repo_id, repo_type, local_dir, allow_patterns):
        (local_dir / "data").mkdir()
        (local_dir / "data" / "train-00000-of-00002.parquet").write_bytes(b"half")
        raise ConnectionError("reset by peer")

    _fake_hub(monkeypatch, snapshot)
    with pytest.raises(NetworkError, match="reset by peer"):
        fetch_hf.fetch_esci_hf(tmp_path)
    assert list((tmp_path / "esci").iterdir()) == []


def test_fetched_shards_are_loaded_until_the_official_files_arrive(tmp_path, monkeypatch, cache_dir):
    from esci_fixtures import HF_SHARDS, hf_frames, write_official

    from benchmark.datasets.registry import load_dataset

    def snapshot(repo_id, repo_type, local_dir, allow_patterns):
        for split, frame in hf_frames().items():
            (local_dir / HF_SHARDS[split]).parent.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(local_dir / HF_SHARDS[split], index=False)

    _fake_hub(monkeypatch, snapshot)
    fetch_hf.fetch_esci_hf(tmp_path)
    hf = load_dataset("esci", data_dir=tmp_path, cache_dir=cache_dir)
    assert hf.source["layout"] == "huggingface"
    write_official(tmp_path / "esci")  # then `bench data fetch esci`
    official = load_dataset("esci", data_dir=tmp_path, cache_dir=cache_dir)
    assert official.source["layout"] == "official" and official.checksum == hf.checksum

from __future__ import annotations

import shutil

import pytest
from conftest import FIXTURES, dataset_caches

from benchmark.datasets import cache
from benchmark.datasets.base import content_checksum
from benchmark.datasets.beir import load as load_beir
from benchmark.datasets.registry import load_dataset


@pytest.fixture
def beir_dir(tmp_path):
    target = tmp_path / "cat"
    shutil.copytree(FIXTURES / "beir", target)
    return target


def test_round_trip_preserves_everything(beir_dir, tmp_path):
    ds = load_beir(beir_dir)
    target = tmp_path / "c" / "ds"
    cache.save_cached(target, ds)
    back = cache.load_cached(target)
    assert back == ds
    assert content_checksum(back.corpus, back.queries, back.qrels, back.splits, back.gains) == ds.checksum


def test_failed_write_leaves_nothing(beir_dir, tmp_path, monkeypatch):
    ds = load_beir(beir_dir)

    def boom(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cache, "_meta", boom)
    with pytest.raises(KeyboardInterrupt):
        cache.save_cached(tmp_path / "c" / "ds", ds)
    assert list((tmp_path / "c").iterdir()) == []
    assert cache.load_cached(tmp_path / "c" / "ds") is None


def test_changed_source_file_gives_a_new_cache(beir_dir, cache_dir):
    first = load_dataset(f"beir:{beir_dir}")
    with (beir_dir / "qrels" / "test.tsv").open("a") as handle:
        handle.write("q1\td3\t1\n")
    second = load_dataset(f"beir:{beir_dir}")
    assert second.checksum != first.checksum and second.qrels["q1"]["d3"] == 1
    assert len(dataset_caches(cache_dir)) == 2


def test_options_are_part_of_the_key(beir_dir, cache_dir):
    a = load_dataset(f"beir:{beir_dir}")
    b = load_dataset(f"beir:{beir_dir}", options=["relevant_level=2"])
    assert a.gains.relevant_level == 1 and b.gains.relevant_level == 2
    assert len(dataset_caches(cache_dir)) == 2


def test_cache_is_used_on_second_load(beir_dir, cache_dir, monkeypatch):
    load_dataset(f"beir:{beir_dir}")
    from benchmark.datasets import registry

    def fail(*_a, **_k):
        raise AssertionError("loader ran although a complete cache exists")

    monkeypatch.setitem(registry.LOADERS, "beir", registry.LOADERS["beir"].__class__(
        **{**{f: getattr(registry.LOADERS["beir"], f) for f in registry.LoaderEntry.__slots__}, "loader": fail}))
    assert load_dataset(f"beir:{beir_dir}").name == "beir:cat"


def test_file_checksum_memo_notices_changes(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("one")
    first = cache.file_sha256(path, tmp_path / "memo")
    assert cache.file_sha256(path, tmp_path / "memo") == first
    path.write_text("two!")
    assert cache.file_sha256(path, tmp_path / "memo") != first

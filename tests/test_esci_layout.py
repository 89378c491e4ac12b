"""ESCI file layouts: official files first, and only the expected places (issue 18, item 8)."""

from __future__ import annotations

import pytest
from conftest import shared
from esci_fixtures import EXAMPLES_FILE, PRODUCTS_FILE, hf_frames, write_hf, write_official

from benchmark.core.errors import MissingDataError
from benchmark.datasets import esci
from benchmark.datasets.esci_layout import HfShards, OfficialFiles, find_layout
from benchmark.datasets.registry import DatasetRef, load_dataset, resolve_root


def both_fetched(data_dir):
    """What `bench data fetch esci` and `bench data fetch esci --hf` leave: DATA/esci/ and DATA/esci/hf/data/."""
    write_official(data_dir / "esci")
    write_hf(data_dir / "esci" / "hf")
    return data_dir


def test_after_both_fetches_the_official_files_win(tmp_path, cache_dir):
    data = both_fetched(tmp_path / "data")
    ds = load_dataset("esci", data_dir=data, cache_dir=cache_dir)
    assert ds.source["layout"] == "official"
    assert ds.source["root"] == str(data / "esci")
    assert find_layout(data / "esci") == OfficialFiles(data / "esci" / EXAMPLES_FILE, data / "esci" / PRODUCTS_FILE)


def test_the_shards_alone_are_found_where_fetch_hf_writes_them(tmp_path, cache_dir):
    data = tmp_path / "data"
    write_hf(data / "esci" / "hf")
    ds = load_dataset("esci", data_dir=data, cache_dir=cache_dir)
    assert ds.source["layout"] == "huggingface" and ds.source["root"] == str(data / "esci")
    assert ds.checksum == esci.load(write_official(tmp_path / "official")).checksum
    # and --data-dir at the snapshot itself
    assert esci.load(data / "esci" / "hf").checksum == ds.checksum


def test_a_stray_train_parquet_elsewhere_is_not_taken_for_esci(tmp_path, cache_dir):
    data = tmp_path / "data"
    write_official(data / "esci")
    for stray in ("other/train-00000-of-00001.parquet", "wands/data/train-00000-of-00001.parquet",
                  "train-00000-of-00001.parquet", "esci/old/data/train-00000-of-00001.parquet"):
        path = data / stray
        path.parent.mkdir(parents=True, exist_ok=True)
        hf_frames()["train"].to_parquet(path, index=False)
    assert resolve_root(DatasetRef("esci"), data) == data / "esci"
    ds = load_dataset("esci", data_dir=data, cache_dir=cache_dir)
    assert ds.source["layout"] == "official"
    assert ds.checksum == esci.load(write_official(tmp_path / "clean")).checksum


def test_a_stray_shard_alone_is_no_esci_data(tmp_path, cache_dir):
    data = tmp_path / "data"
    path = data / "other" / "train-00000-of-00001.parquet"
    path.parent.mkdir(parents=True)
    hf_frames()["train"].to_parquet(path, index=False)
    with pytest.raises(MissingDataError, match="bench data fetch esci"):
        load_dataset("esci", data_dir=data, cache_dir=cache_dir)


def test_official_files_in_the_official_repository_folder(tmp_path):
    root = tmp_path / "esci"
    write_official(root / "shopping_queries_dataset")
    write_hf(root / "hf")
    layout = find_layout(root)
    assert isinstance(layout, OfficialFiles) and layout.examples.parent == root / "shopping_queries_dataset"


def test_examples_without_products_is_an_error_not_a_fall_back_to_the_shards(tmp_path):
    root = both_fetched(tmp_path / "data") / "esci"
    (root / PRODUCTS_FILE).unlink()
    with pytest.raises(MissingDataError, match=f"{EXAMPLES_FILE} is here but no shopping_queries_dataset_products"):
        esci.load(root)


def test_an_incomplete_set_of_shards_is_reported(tmp_path):
    root = tmp_path / "esci"
    write_hf(root / "hf")
    (root / "hf" / "data" / "train-00000-of-00001.parquet").rename(root / "hf" / "data" / "train-00001-of-00002.parquet")
    with pytest.raises(MissingDataError, match="train shards of tasksource/esci are incomplete"):
        esci.load(root)
    (root / "hf" / "data" / "test-00000-of-00001.parquet").unlink()
    (root / "hf" / "data" / "train-00001-of-00002.parquet").rename(root / "hf" / "data" / "train-00000-of-00001.parquet")
    with pytest.raises(MissingDataError, match="test shards of tasksource/esci are incomplete"):
        esci.load(root)


def test_shards_in_hub_order_train_then_test(tmp_path):
    root = tmp_path / "esci"
    frames = hf_frames()
    data = root / "hf" / "data"
    data.mkdir(parents=True)
    halves = {"train": (frames["train"].iloc[:3], frames["train"].iloc[3:]), "test": (frames["test"],)}
    for split, parts in halves.items():
        for i, part in enumerate(parts):
            part.to_parquet(data / f"{split}-{i:05d}-of-{len(parts):05d}-0a1b2c.parquet", index=False)
    layout = find_layout(root)
    assert isinstance(layout, HfShards)
    assert [(s.split, s.path.name[:19]) for s in layout.shards] == [
        ("train", "train-00000-of-0000"), ("train", "train-00001-of-0000"), ("test", "test-00000-of-00001")]
    assert esci.load(root).checksum == esci.load(write_official(tmp_path / "official")).checksum


@pytest.mark.realdata
def test_the_shipped_sample_names_are_an_official_layout():
    layout = find_layout(shared("esci"))
    assert isinstance(layout, OfficialFiles) and layout.examples.name.endswith(".sample.parquet")

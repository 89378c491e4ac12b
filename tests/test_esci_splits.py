"""ESCI: a query judged in both train and test (US query 79706 in the official large version) is kept in test,
its train judgements dropped, and the anomaly reported (issue 18, item 7)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import dataset_caches
from esci_fixtures import append_copy, write_hf, write_official

from benchmark.datasets import esci
from benchmark.datasets.esci import EsciOptions
from benchmark.datasets.info import dataset_summary
from benchmark.datasets.registry import load_dataset

LARGE = EsciOptions("us", "large")


def both_splits(frame: pd.DataFrame) -> pd.DataFrame:
    """As the official file does for query 79706: query 103 (train, large version) gets two test rows too, one
    of them a product it also has in train (B06, judged again) and one new (B05)."""
    frame = append_copy(9, split="test", esci_label="S")(frame)  # (103, B06): E in train, S in test
    return append_copy(10, split="test", product_id="B05", esci_label="C")(frame)  # (103, B05): test only


def test_query_in_both_splits_is_kept_in_test_and_its_train_rows_dropped(tmp_path, cache_dir):
    root = write_official(tmp_path / "esci", both_splits)
    ds = load_dataset("esci", data_dir=root, cache_dir=cache_dir, options=["version=large"])
    assert set(ds.splits["test"]) == {"102", "103"} and set(ds.splits["train"]) == {"101"}
    assert dict(ds.qrels["103"]) == {"B06": 10, "B05": 1}  # the test judgements only
    (anomaly,) = ds.anomalies
    assert (anomaly.kind, anomaly.count, anomaly.examples) == ("query-in-both-splits", 1, ("103",))
    assert "kept in test" in anomaly.detail and "2 train judgement(s) dropped" in anomaly.detail
    assert {"kind": "query-in-both-splits", "count": 1, "detail": anomaly.detail, "examples": ["103"]} in (
        dataset_summary(ds)["anomalies"])  # what `bench data info` prints
    cached = load_dataset("esci", data_dir=root, cache_dir=cache_dir, options=["version=large"])
    assert cached.anomalies == ds.anomalies and len(dataset_caches(cache_dir)) == 1


def test_every_query_in_both_splits_is_counted_with_examples(tmp_path):
    def edit(frame):
        frame = both_splits(frame)
        return append_copy(1, split="test", product_id="B09")(frame)  # 101 too: now in both

    ds = esci.load(write_official(tmp_path / "esci", edit), LARGE)
    (anomaly,) = ds.anomalies
    assert (anomaly.count, anomaly.examples) == (2, ("101", "103"))
    assert "6 train judgement(s) dropped" in anomaly.detail  # 101: 4 rows, 103: 2 rows
    assert set(ds.splits["train"]) == set() and set(ds.splits["test"]) == {"101", "102", "103"}
    assert dict(ds.qrels["101"]) == {"B09": 100}


def test_a_version_without_the_overlap_reports_nothing(tmp_path):
    root = write_official(tmp_path / "esci", both_splits)  # 103 is only in the large version
    assert esci.load(root, EsciOptions("us", "small")).anomalies == ()


def test_query_in_both_hugging_face_shards_is_kept_in_test(tmp_path):
    def move(split, frame):
        if split != "test":
            return frame
        extra = frame.iloc[[2]].assign(query_id=101, query="red running shoes")  # (102, B02) as query 101
        return pd.concat([frame, extra], ignore_index=True)

    ds = esci.load(write_hf(tmp_path / "hf", move))
    assert "101" in ds.splits["test"] and "101" not in ds.splits["train"]
    assert dict(ds.qrels["101"]) == {"B02": 100}
    (anomaly,) = ds.anomalies
    assert (anomaly.kind, anomaly.count, anomaly.examples) == ("query-in-both-splits", 1, ("101",))


@pytest.mark.parametrize("version", ["small", "large"])
def test_the_unmodified_fixture_has_no_query_in_both_splits(tmp_path, version):
    ds = esci.load(write_official(tmp_path / "esci"), EsciOptions("us", version))
    assert not any(a.kind == "query-in-both-splits" for a in ds.anomalies)

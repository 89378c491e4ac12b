"""ESCI, Hugging Face layout: the rows a join on product_id alone adds (a product present in several locales)
are dropped, counted and reported; the repaired shards give the official dataset (issue 18, item 10)."""

from __future__ import annotations

import pandas as pd
import pytest
from esci_fixtures import HF_SHARDS, hf_frames, hf_frames_joined_on_product_id, write_hf_frames, write_official

from benchmark.core.errors import DataFormatError
from benchmark.datasets import esci
from benchmark.datasets.esci import EsciOptions

VARIANTS = [("us", "small"), ("us", "large"), ("es", "small"), ("es", "large")]


def joined(tmp_path):
    return write_hf_frames(tmp_path / "hf", hf_frames_joined_on_product_id())


def test_the_fixture_has_the_extra_rows_of_a_join_without_the_locale():
    frames, clean = hf_frames_joined_on_product_id(), hf_frames()
    assert {s: len(f) for s, f in frames.items()} == {"train": 10, "test": 6}
    assert {s: len(f) for s, f in clean.items()} == {"train": 7, "test": 4}
    first = frames["train"].iloc[0]  # the es row of (101, B01) comes before the us one
    assert (first["query_id"], first["product_id"], first["product_locale"]) == (101, "B01", "es")


@pytest.mark.parametrize(("locale", "version"), VARIANTS)
def test_repaired_shards_give_the_official_dataset(tmp_path, locale, version):
    options = EsciOptions(locale, version)
    hf = esci.load(joined(tmp_path), options)
    official = esci.load(write_official(tmp_path / "esci"), options)
    assert hf.checksum == official.checksum
    assert dict(hf.corpus) == dict(official.corpus)  # e.g. us B01 keeps its us title
    assert [a.kind for a in hf.anomalies] == ["hf-extra-rows"]


def test_the_dropped_rows_are_counted_per_locale_and_version_with_examples(tmp_path):
    root = joined(tmp_path)
    us_small = esci.load(root, EsciOptions("us", "small")).anomalies[0]
    # us, small version: es rows of 101 (B01, B02) and of 102 (B02), and the us row of B01 for es query 202
    assert us_small.count == 4
    assert us_small.examples == ("query 101 / product B01 (es)", "query 101 / product B02 (es)",
                                 "query 102 / product B02 (es)", "query 202 / product B01 (us)")
    assert "5 of 16 rows in all the shards" in us_small.detail
    assert esci.load(root, EsciOptions("us", "large")).anomalies[0].count == 5  # + (103, B01, es)
    # es: the es rows of us queries would have entered the es dataset (as es queries 101, 102), and the us row
    # belongs to its query 202
    assert esci.load(root, EsciOptions("es", "small")).anomalies[0].count == 4


def test_clean_shards_report_nothing(tmp_path):
    ds = esci.load(write_hf_frames(tmp_path / "hf", hf_frames()))
    assert ds.anomalies == ()


def test_a_repeated_row_is_dropped_once_and_reported(tmp_path):
    frames = hf_frames()
    frames["test"] = pd.concat([frames["test"], frames["test"].iloc[[3]]], ignore_index=True)  # (102, B05) twice
    ds = esci.load(write_hf_frames(tmp_path / "hf", frames))
    assert dict(ds.qrels["102"]) == {"B02": 100, "B05": 0}
    (anomaly,) = ds.anomalies
    assert (anomaly.kind, anomaly.count, anomaly.examples) == ("hf-extra-rows", 1, ("query 102 / product B05 (us)",))


def test_a_repeat_with_another_label_is_refused_naming_the_shard_and_row(tmp_path):
    frames = hf_frames()
    frames["test"] = pd.concat([frames["test"], frames["test"].iloc[[3]].assign(esci_label="Exact")],
                               ignore_index=True)
    root = write_hf_frames(tmp_path / "hf", frames)
    with pytest.raises(DataFormatError, match="query_id 102 and product_id B05 .* different labels") as info:
        esci.load(root)
    assert info.value.path == root / HF_SHARDS["test"] and info.value.field == "esci_label"
    assert info.value.row == 4


def test_a_query_whose_locale_cannot_be_told_is_dropped_and_reported(tmp_path):
    frames = hf_frames()
    # query 102 (us): B02 exists in es too; give B05 an es row as well -> us and es tie for 102
    extra = frames["test"].iloc[[2, 3]].assign(product_locale="es")
    frames["test"] = pd.concat([frames["test"], extra], ignore_index=True)
    ds = esci.load(write_hf_frames(tmp_path / "hf", frames))
    assert "102" not in ds.queries
    (anomaly,) = ds.anomalies
    assert (anomaly.kind, anomaly.count, anomaly.examples) == ("hf-ambiguous-query-locale", 1, ("102",))
    assert "dropped" in anomaly.detail

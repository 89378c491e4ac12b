"""ESCI loader: official parquet files and the Hugging Face layout, built at test time (see esci_fixtures)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import dataset_caches, shared
from esci_fixtures import (
    EXAMPLES_FILE,
    HF_SHARDS,
    PRODUCTS_FILE,
    Edit,
    append_copy,
    drop_column,
    drop_rows,
    set_cell,
    write_hf,
    write_official,
)

from benchmark.core.errors import DataFormatError, MissingDataError, ShopbenchError
from benchmark.datasets import esci, registry
from benchmark.datasets.base import content_checksum
from benchmark.datasets.esci import EsciOptions
from benchmark.datasets.registry import load_dataset

# What each (locale, version) of the fixture must load as.
EXPECTED = {
    ("us", "small"): {
        "queries": {"101": "red running shoes", "102": "wireless mouse"},
        "splits": {"train": {"101"}, "test": {"102"}},
        "qrels": {"101": {"B01": 100, "B02": 10, "B03": 1, "B04": 0}, "102": {"B02": 100, "B05": 0}},
    },
    ("us", "large"): {
        "queries": {"101": "red running shoes", "102": "wireless mouse", "103": "phone case"},
        "splits": {"train": {"101", "103"}, "test": {"102"}},
        "qrels": {"101": {"B01": 100, "B02": 10, "B03": 1, "B04": 0}, "102": {"B02": 100, "B05": 0},
                  "103": {"B06": 100, "B01": 0}},
    },
    ("es", "small"): {
        "queries": {"202": "zapatillas rojas"},
        "splits": {"train": set(), "test": {"202"}},
        "qrels": {"202": {"B01": 100, "B07": 10}},
    },
    ("es", "large"): {
        "queries": {"202": "zapatillas rojas", "203": "funda movil"},
        "splits": {"train": {"203"}, "test": {"202"}},
        "qrels": {"202": {"B01": 100, "B07": 10}, "203": {"B08": 1}},
    },
}
VARIANTS = list(EXPECTED)


@pytest.fixture
def official(tmp_path) -> Path:
    return write_official(tmp_path / "esci")


def as_plain(ds) -> dict:
    """Everything that can change a metric, as plain, comparable Python values."""
    return {
        "corpus": dict(ds.corpus),
        "queries": dict(ds.queries),
        "qrels": {q: dict(d) for q, d in ds.qrels.items()},
        "splits": {s: set(ids) for s, ids in ds.splits.items()},
    }


# --- the fixture really is in the official format -------------------------------------------------


def test_fixture_files_carry_the_stray_pandas_index_column(official):
    for name in (EXAMPLES_FILE, PRODUCTS_FILE):
        assert "__index_level_0__" in pq.read_schema(official / name).names


# --- good input -----------------------------------------------------------------------------------


def test_gains_are_official_scaled_by_100_and_relevant_means_exact_or_substitute(official):
    ds = esci.load(official)
    assert dict(ds.gains.labels) == {"E": 100, "S": 10, "C": 1, "I": 0}
    assert ds.gains.relevant_level == 10
    assert dict(ds.qrels["101"]) == {"B01": 100, "B02": 10, "B03": 1, "B04": 0}


@pytest.mark.parametrize(("locale", "version"), VARIANTS)
def test_locale_and_version_select_queries_judgements_and_official_split(official, locale, version):
    ds = esci.load(official, EsciOptions(locale=locale, version=version))
    want = EXPECTED[(locale, version)]
    got = as_plain(ds)
    assert got["queries"] == want["queries"]
    assert got["qrels"] == want["qrels"]
    assert got["splits"] == want["splits"]  # the official train/test, no invented dev split
    assert ds.source["layout"] == "official"


@pytest.mark.parametrize(("locale", "version"), VARIANTS)
def test_corpus_is_every_judged_product_of_the_locale_and_version(official, locale, version):
    ds = esci.load(official, EsciOptions(locale=locale, version=version))
    judged = {pid for docs in EXPECTED[(locale, version)]["qrels"].values() for pid in docs}
    assert set(ds.corpus) == judged  # B09 (never judged) and other locales' products stay out
    assert ds.counts.products == len(judged)


def test_default_options_are_us_small(official):
    assert esci.load(official).checksum == esci.load(official, EsciOptions("us", "small")).checksum


def test_merge_is_on_locale_and_product_id(official):
    us = esci.load(official, EsciOptions(locale="us"))
    es = esci.load(official, EsciOptions(locale="es"))
    assert us.corpus["B01"].title == "Nike Red Running Shoes"
    assert es.corpus["B01"].title == "Zapatillas Nike rojas"
    assert es.corpus["B01"].color == "Rojo"


def test_product_fields(official):
    corpus = esci.load(official).corpus
    shoes = corpus["B01"]
    assert shoes.brand == "Nike"
    assert shoes.description == "Lightweight trainers."
    assert shoes.bullets == ("Breathable mesh", "Rubber sole")  # "\n"-separated, blanks and padding dropped
    assert shoes.color == "Red"
    assert corpus["B02"].bullets == ("2.4 GHz", "USB receiver")
    kit = corpus["B03"]  # every optional field null
    assert (kit.brand, kit.description, kit.bullets, kit.color) == ("", "", (), "")
    assert corpus["B04"].bullets == () and corpus["B04"].brand == ""


def test_stray_and_unknown_columns_are_ignored(tmp_path, official):
    def add_junk(frame):
        return frame.assign(product_text="junk", gender="n/a")

    plain = tmp_path / "plain"
    plain.mkdir()
    for name in (EXAMPLES_FILE, PRODUCTS_FILE):  # the same tables without the pandas index column
        pq.write_table(pq.read_table(official / name).drop_columns(["__index_level_0__"]), plain / name)
    junk = write_official(tmp_path / "junk", add_junk, add_junk)
    reference = esci.load(official).checksum
    assert esci.load(plain).checksum == reference
    assert esci.load(junk).checksum == reference


@pytest.mark.parametrize(("locale", "version"), VARIANTS)
def test_hugging_face_layout_gives_the_same_dataset(tmp_path, official, locale, version):
    options = EsciOptions(locale=locale, version=version)
    hf = esci.load(write_hf(tmp_path / "hf"), options)
    assert hf.source["layout"] == "huggingface"
    assert hf.checksum == esci.load(official, options).checksum
    assert as_plain(hf)["splits"] == EXPECTED[(locale, version)]["splits"]  # split = the shard's HF split


def test_registry_load_twice_second_from_cache(tmp_path, cache_dir, monkeypatch):
    write_official(tmp_path / "esci")
    options = ["locale=es", "version=large"]
    first = load_dataset("esci", data_dir=tmp_path, cache_dir=cache_dir, options=options)  # finds tmp/esci
    assert first.checksum == esci.load(tmp_path / "esci", EsciOptions("es", "large")).checksum
    assert len(dataset_caches(cache_dir)) == 1

    def no_loading(*args, **kwargs):
        raise AssertionError("the second load should come from the cache, not the loader")

    monkeypatch.setattr(registry, "_run_loader", no_loading)
    second = load_dataset("esci", data_dir=tmp_path, cache_dir=cache_dir, options=options)
    assert second.checksum == first.checksum
    assert as_plain(second) == as_plain(first)
    assert content_checksum(second.corpus, second.queries, second.qrels, second.splits, second.gains) == first.checksum
    assert dict(second.gains.labels) == dict(first.gains.labels)
    assert second.gains.relevant_level == 10


def test_options_are_part_of_the_cache_key(official, cache_dir):
    us = load_dataset("esci", data_dir=official, cache_dir=cache_dir, options=["locale=us"])
    es = load_dataset("esci", data_dir=official, cache_dir=cache_dir, options=["locale=es"])
    assert us.checksum != es.checksum
    assert set(es.queries) == {"202"}
    assert len(dataset_caches(cache_dir)) == 2


def test_a_judged_product_missing_from_the_products_file_stays_judged_and_is_reported(tmp_path, cache_dir):
    # B02 is judged in locale us (for 101 and 102); the es row of B02 must not stand in for it
    root = write_official(tmp_path / "esci", None,
                          drop_rows(lambda f: (f.product_id == "B02") & (f.product_locale == "us")))
    ds = load_dataset("esci", data_dir=root, cache_dir=cache_dir)
    assert as_plain(ds)["qrels"] == EXPECTED[("us", "small")]["qrels"]  # as trec_eval: still judgements
    assert "B02" not in ds.corpus and set(ds.corpus) == {"B01", "B03", "B04", "B05"}
    (anomaly,) = ds.anomalies
    assert (anomaly.kind, anomaly.count, anomaly.examples) == ("qrels-missing-docs", 2, ("B02",))
    assert "kept, cannot be retrieved" in anomaly.detail
    cached = load_dataset("esci", data_dir=root, cache_dir=cache_dir)
    assert as_plain(cached) == as_plain(ds) and cached.anomalies == ds.anomalies and len(dataset_caches(cache_dir)) == 1


# --- bad input ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    id: str
    examples: Edit | None  # edit of the examples table
    products: Edit | None  # edit of the products table
    file: str  # the file the error must name
    field: str
    words: str  # must appear in the message
    row: int | None = None  # data row (from 1) the error must name, where one is to blame


BAD = [
    Bad("no-label-column", drop_column("esci_label"), None, EXAMPLES_FILE, "esci_label", "missing column"),
    Bad("no-title-column", None, drop_column("product_title"), PRODUCTS_FILE, "product_title", "missing column"),
    Bad("unknown-label", set_cell(8, "esci_label", "X"), None, EXAMPLES_FILE, "esci_label", "'X'", row=8),
    Bad("empty-query", set_cell(7, "query", "  "), None, EXAMPLES_FILE, "query", "empty", row=7),
    Bad("null-query", set_cell(2, "query", None), None, EXAMPLES_FILE, "query", "empty", row=2),
    Bad("unknown-split", set_cell(9, "split", "validation"), None, EXAMPLES_FILE, "split", "'validation'", row=9),
    Bad("two-texts-one-query-id", set_cell(8, "query", "wireless mice"), None, EXAMPLES_FILE, "query", "102"),
    # rows 7 and 8 are both (102, B02); they are rows 5 and 6 of the us rows
    Bad("duplicate-judgement", set_cell(8, "product_id", "B02"), None, EXAMPLES_FILE, "query_id", "duplicate",
        row=8),
    # row 12 repeats row 3 (B02, us); they are rows 2 and 6 of the judged us products
    Bad("duplicate-product", None, append_copy(3, product_title="Logitech Mouse v2"), PRODUCTS_FILE,
        "product_id", "duplicate", row=12),
    Bad("empty-product-title", None, set_cell(6, "product_title", ""), PRODUCTS_FILE, "product_title", "empty",
        row=6),
]


def load_bad(tmp_path: Path, cache_dir: Path, case: Bad) -> DataFormatError:
    root = write_official(tmp_path / "esci", case.examples, case.products)
    with pytest.raises(DataFormatError) as info:
        load_dataset("esci", data_dir=root, cache_dir=cache_dir, options=["locale=us", "version=small"])
    assert dataset_caches(cache_dir) == []  # a failed load leaves no cache a later run could trust
    return info.value


@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_bad_input_names_file_and_field_and_leaves_no_cache(tmp_path, cache_dir, case):
    err = load_bad(tmp_path, cache_dir, case)
    message = str(err)
    assert str(tmp_path / "esci" / case.file) in message
    assert err.field == case.field and f"field '{case.field}'" in message
    assert case.words in message


ROW_CASES = [pytest.param(c, id=c.id) for c in BAD if c.row is not None]


@pytest.mark.parametrize("case", ROW_CASES)
def test_bad_input_names_the_file_row(tmp_path, cache_dir, case):
    err = load_bad(tmp_path, cache_dir, case)
    assert err.row == case.row
    assert re.search(rf"\brow {case.row}\b", str(err))


def test_hugging_face_unknown_label_names_the_shard_and_its_row(tmp_path):
    def edit(split, frame):
        return set_cell(2, "esci_label", "Relevant")(frame) if split == "test" else frame

    root = write_hf(tmp_path / "hf", edit)
    with pytest.raises(DataFormatError) as info:
        esci.load(root)
    assert info.value.path == root / HF_SHARDS["test"]
    assert info.value.row == 2 and info.value.field == "esci_label"
    assert str(root / HF_SHARDS["test"]) in str(info.value) and "'Relevant'" in str(info.value)


def test_hugging_face_empty_query_names_the_test_shard_and_its_row(tmp_path):
    def edit(split, frame):
        return set_cell(1, "query", "")(frame) if split == "test" else frame

    root = write_hf(tmp_path / "hf", edit)
    with pytest.raises(DataFormatError) as info:
        esci.load(root)
    assert info.value.path == root / HF_SHARDS["test"]
    assert info.value.row == 1 and info.value.field == "query"


def test_locale_without_examples_is_a_format_error(official):
    with pytest.raises(DataFormatError, match=rf"{EXAMPLES_FILE}.*no examples for locale 'jp'"):
        esci.load(official, EsciOptions(locale="jp"))


@pytest.mark.parametrize("option", ["locale=fr", "version=medium", "colour=red"])
def test_invalid_options_are_rejected(official, option):
    with pytest.raises(ShopbenchError, match=option.split("=")[0]):
        load_dataset("esci", data_dir=official, options=[option])


# --- missing files --------------------------------------------------------------------------------


def test_no_files_points_to_fetch(tmp_path, cache_dir):
    empty = tmp_path / "esci"
    empty.mkdir()
    with pytest.raises(MissingDataError, match="bench data fetch esci") as info:
        esci.load(empty)
    assert str(empty) in str(info.value)
    for data_dir in (tmp_path, tmp_path / "nowhere"):  # an empty esci/ folder, and no folder at all
        with pytest.raises(MissingDataError, match="bench data fetch esci"):
            load_dataset("esci", data_dir=data_dir, cache_dir=cache_dir)
    assert dataset_caches(cache_dir) == []


def test_examples_without_products_is_missing_data(official, cache_dir):
    (official / PRODUCTS_FILE).unlink()
    with pytest.raises(MissingDataError, match="bench data fetch esci"):
        load_dataset("esci", data_dir=official, cache_dir=cache_dir)
    assert dataset_caches(cache_dir) == []


# --- real data ------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_esci_sample(cache_dir):
    root = shared("esci")
    ds = esci.load(root)
    counts = ds.counts
    assert (counts.queries, counts.products, counts.judgements) == (1, 16, 16)
    assert dict(counts.queries_per_split) == {"train": 0, "test": 1}
    assert set(ds.splits["test"]) == {"535"}
    assert load_dataset("esci", data_dir=root, cache_dir=cache_dir).checksum == ds.checksum

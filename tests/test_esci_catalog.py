"""ESCI catalogs: ``judged`` (the default) and ``locale`` (every product of the locale), built column by column,
recorded in result files and kept apart in leaderboards (issue 18, item 9)."""

from __future__ import annotations

import tracemalloc

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import shared
from esci_fixtures import PRODUCTS_FILE, append_copy, set_cell, write_hf, write_official
from test_leaderboard import build, make_record, table_rows, write_record

from benchmark.core.errors import DataFormatError, ShopbenchError
from benchmark.datasets import corpus as corpus_module
from benchmark.datasets import esci
from benchmark.datasets.corpus_builder import CorpusBuilder
from benchmark.datasets.esci import Catalog, EsciOptions
from benchmark.datasets.esci_catalog import build_catalog, official_batches
from benchmark.datasets.registry import load_dataset
from benchmark.ranking.results import dataset_info, load_result
from leaderboard.collect import scan
from leaderboard.identity import ComparabilityKey

LOCALE = EsciOptions(catalog=Catalog.LOCALE)


@pytest.fixture
def official(tmp_path):
    return write_official(tmp_path / "esci")


def test_default_catalog_is_judged(official):
    assert EsciOptions().catalog is Catalog.JUDGED
    ds = esci.load(official)
    assert set(ds.corpus) == {"B01", "B02", "B03", "B04", "B05"} and ds.source["catalog"] == "judged"


@pytest.mark.parametrize(("locale", "products"), [("us", {"B01", "B02", "B03", "B04", "B05", "B06", "B09"}),
                                                  ("es", {"B01", "B02", "B07", "B08"})])
def test_locale_catalog_is_every_product_of_the_locale(official, locale, products):
    ds = esci.load(official, EsciOptions(locale=locale, catalog="locale"))
    assert set(ds.corpus) == products  # unjudged B09 (us) and B02 (es) too; nothing of another locale
    assert ds.source["catalog"] == "locale"
    judged = esci.load(official, EsciOptions(locale=locale))
    assert dict(ds.qrels) == dict(judged.qrels) and dict(ds.splits) == dict(judged.splits)
    assert ds.checksum != judged.checksum  # more products: another corpus
    assert ds.corpus["B01"] == judged.corpus["B01"]
    assert ds.corpus["B09" if locale == "us" else "B02"].title in ("Desk Lamp", "Raton inalambrico")


def test_catalog_option_from_the_command_line_and_in_the_cache_key(official, cache_dir):
    judged = load_dataset("esci", data_dir=official, cache_dir=cache_dir)
    full = load_dataset("esci", data_dir=official, cache_dir=cache_dir, options=["catalog=locale"])
    assert len(full.corpus) == 7 and len(judged.corpus) == 5
    again = load_dataset("esci", data_dir=official, cache_dir=cache_dir, options=["catalog=locale"])
    assert again.checksum == full.checksum and again.source["catalog"] == "locale"


@pytest.mark.parametrize("given", [["catalog=all"], {"catalog": "full"}])
def test_an_unknown_catalog_names_the_valid_ones(official, given):
    with pytest.raises(ShopbenchError, match="catalog.*judged, locale"):
        load_dataset("esci", data_dir=official, options=given)


def test_locale_catalog_needs_the_official_products_file(tmp_path):
    root = write_hf(tmp_path / "hf")
    with pytest.raises(ShopbenchError, match="catalog=locale needs the official products file"):
        esci.load(root, LOCALE)


def test_an_untitled_unjudged_product_is_kept_and_reported(tmp_path):
    root = write_official(tmp_path / "esci", None, set_cell(10, "product_title", None))  # B09: us, never judged
    ds = esci.load(root, LOCALE)
    assert ds.corpus["B09"].title == "" and ds.corpus["B09"].brand == "Ikea"
    (anomaly,) = ds.anomalies
    assert (anomaly.kind, anomaly.count, anomaly.examples) == ("untitled-products", 1, ("B09",))
    assert esci.load(root).anomalies == ()  # not in the judged catalog


def test_an_untitled_judged_product_is_an_error_in_both_catalogs(tmp_path):
    root = write_official(tmp_path / "esci", None, set_cell(6, "product_title", " "))  # B05, judged for 102
    for options in (EsciOptions(), LOCALE):
        with pytest.raises(DataFormatError) as info:
            esci.load(root, options)
        assert (info.value.row, info.value.field) == (6, "product_title")


def test_a_duplicate_product_of_the_locale_names_both_rows(tmp_path):
    root = write_official(tmp_path / "esci", None, append_copy(10, product_title="Desk Lamp v2"))  # B09 twice
    esci.load(root)  # unjudged: not in the judged catalog
    with pytest.raises(DataFormatError, match=r"duplicate product_id 'B09' \(rows \[10, 12\]\)") as info:
        esci.load(root, LOCALE)
    assert info.value.row == 12 and info.value.path == root / PRODUCTS_FILE


def test_an_empty_product_id_of_the_locale_is_an_error(tmp_path):
    root = write_official(tmp_path / "esci", None, set_cell(10, "product_id", ""))
    with pytest.raises(DataFormatError) as info:
        esci.load(root, LOCALE)
    assert (info.value.row, info.value.field) == (10, "product_id")


# --- built column by column ------------------------------------------------------------------------------------


def test_record_batches_of_any_size_give_the_same_corpus_and_rows(official):
    whole, _ = build_catalog(official_batches(official / PRODUCTS_FILE), "us", {"B01"}, Catalog.LOCALE)
    small, _ = build_catalog(official_batches(official / PRODUCTS_FILE, rows_per_batch=2), "us", {"B01"},
                             Catalog.LOCALE)
    assert whole == small and len(whole) == 7
    dup = write_official(official.parent / "dup", None, append_copy(3))  # B02 us again, row 12
    with pytest.raises(DataFormatError, match=r"rows \[3, 12\]"):
        build_catalog(official_batches(dup / PRODUCTS_FILE, rows_per_batch=2), "us", {"B02"}, Catalog.LOCALE)


def test_no_python_object_is_made_per_product(tmp_path, monkeypatch):
    n = 200_000  # rows of both locales: 100,000 us products
    products = pd.DataFrame({
        "product_id": [f"P{i:06d}" for i in range(n)], "product_title": [f"product number {i}" for i in range(n)],
        "product_description": ["a description"] * n, "product_bullet_point": ["one\ntwo\n three "] * n,
        "product_brand": ["brand"] * n, "product_color": [None] * n, "product_locale": ["us", "es"] * (n // 2)})
    path = tmp_path / PRODUCTS_FILE
    pq.write_table(pa.Table.from_pandas(products, preserve_index=False), path, row_group_size=50_000)
    del products

    def refuse(*_args, **_kwargs):
        raise AssertionError("a Python object per product")

    monkeypatch.setattr(CorpusBuilder, "add", refuse)
    monkeypatch.setattr(corpus_module, "_product", refuse)
    tracemalloc.start()
    try:
        corpus, _ = build_catalog(official_batches(path), "us", {"P000000"}, Catalog.LOCALE)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(corpus) == n // 2
    # a Python string alone costs 50 bytes and more; arrow buffers are not traced, numpy ones (offsets) are
    assert peak < 20 * (n // 2), f"{peak:,} bytes traced for {n // 2:,} products"
    monkeypatch.undo()
    assert corpus["P000002"].bullets == ("one", "two", "three")


# --- recorded and kept apart -----------------------------------------------------------------------------------


def test_the_result_record_names_the_catalog(official):
    assert dataset_info(esci.load(official, LOCALE), "test").catalog == "locale"
    assert dataset_info(esci.load(official), "test").catalog == "judged"
    assert dataset_info(load_dataset("demo"), "test").catalog is None


def esci_record(catalog: str | None, name: str = "bm25", shift: float = 0.0):
    record = make_record(name, dataset="esci", shift=shift)
    return record.model_copy(update={"dataset": record.dataset.model_copy(update={"catalog": catalog})})


def test_results_over_different_catalogs_are_never_ranked_together(tmp_path):
    # the same checksum (as on a sample whose products are all judged): only the catalog tells them apart
    results = tmp_path / "results"
    for catalog in ("judged", "locale"):
        write_record(results / catalog, esci_record(catalog, "bm25"))
        write_record(results / catalog, esci_record(catalog, "dense", shift=0.05))
    keys = {ComparabilityKey.of(load_result(p)) for p in results.rglob("*.json")}
    assert len(keys) == 2
    groups = scan(results).groups
    assert sorted(g.title for g in groups) == ["esci (judged catalog) / test (variant A)",
                                               "esci (locale catalog) / test (variant B)"]
    assert all(len(g.results) == 2 for g in groups)
    assert any("catalog judged vs locale" in d for g in groups for d in g.differences)
    text = build(results, tmp_path / "LEADERBOARD.md", draw_plots=False)
    assert len(table_rows(text, "esci (judged catalog) / test (variant A)")) == 2


def test_a_record_without_a_catalog_keeps_its_plain_label(tmp_path):
    record = esci_record(None)
    key = ComparabilityKey.of(record)
    assert (key.dataset, key.catalog, key.setting) == ("esci", "", ("esci", "test"))
    path = write_record(tmp_path, esci_record("locale"))
    assert load_result(path).dataset.catalog == "locale"
    assert ComparabilityKey.of(load_result(path)).setting == ("esci", "test")  # --dataset esci still selects it


# --- real data -------------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_catalogs_of_the_shipped_sample(cache_dir):
    root = shared("esci")
    judged = load_dataset("esci", data_dir=root, cache_dir=cache_dir)
    full = load_dataset("esci", data_dir=root, cache_dir=cache_dir, options=["catalog=locale"])
    # the sample's products file holds exactly the 16 judged products: the two catalogs coincide
    assert (len(judged.corpus), len(full.corpus)) == (16, 16)
    assert judged.checksum == full.checksum and judged.source["catalog"] != full.source["catalog"]

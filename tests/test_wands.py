"""WANDS loader, on hand-written files in the published tab-separated layout (tests/fixtures/wands)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, dataset_caches, shared

from benchmark.core.errors import DataFormatError, MissingDataError
from benchmark.datasets import wands
from benchmark.datasets.registry import load_dataset
from benchmark.datasets.splits import HashSplit
from benchmark.datasets.text import TextBuilder, TextFormat, dropped_fields
from benchmark.datasets.wands import WandsOptions

QRELS = {
    "0": {"0": 0, "1": 0, "3": 1},
    "2": {"7": 2, "12": 0, "0": 1},
    "5": {"8": 2, "12": 1, "3": 0},
    "9": {"12": 2, "8": 1, "1": 0},
}
QUERIES = {"0": "salon chair", "2": "dinosaur", "5": "blue area rug", "9": "turquoise pillows"}


@pytest.fixture
def wands_dir(tmp_path) -> Path:
    target = tmp_path / "wands"
    shutil.copytree(FIXTURES / "wands", target)
    return target


def replace_line(path: Path, number: int, new: str | bytes) -> None:
    """Replace physical line ``number`` (the header is line 1) of a file."""
    lines = path.read_bytes().split(b"\n")
    lines[number - 1] = new if isinstance(new, bytes) else new.encode("utf-8")
    path.write_bytes(b"\n".join(lines))


def test_fixture_is_in_the_published_layout():
    header = (FIXTURES / "wands" / "product.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split("\t")[:6] == wands.PRODUCT_COLUMNS  # tab-separated, "category hierarchy" with a space
    assert (FIXTURES / "wands" / "query.csv").read_text(encoding="utf-8").splitlines()[3] == "5\tblue area rug\t"


# --- good input -----------------------------------------------------------------------------------


def test_loads_queries_products_and_judgements(wands_dir):
    ds = wands.load(wands_dir)
    assert dict(ds.queries) == QUERIES  # ids kept as written, gaps and all
    assert set(ds.corpus) == {"0", "1", "3", "7", "8", "12"}
    assert {q: dict(d) for q, d in ds.qrels.items()} == QRELS
    assert ds.counts.judgements == 12


def test_gains(wands_dir):
    gains = wands.load(wands_dir).gains
    assert dict(gains.labels) == {"Exact": 2, "Partial": 1, "Irrelevant": 0}
    assert gains.relevant_level == 1


def test_product_fields(wands_dir):
    corpus = wands.load(wands_dir).corpus
    bed = corpus["0"]
    assert bed.title == "solid wood platform bed"
    assert bed.description.startswith("good , deep sleep")
    assert bed.category == "Furniture / Bedroom Furniture / Beds & Headboards / Beds"
    assert bed.product_class == "Beds"
    # "name:value|name:value"; a feature with an empty value ("assembly:") is dropped
    assert bed.bullets == ("overallwidth-sidetoside: 64.7", "dsprimaryproductstyle: modern", "material: solid wood")
    assert corpus["7"].title == "dinosaur wall d\u00e9cor"  # UTF-8
    assert corpus["7"].bullets == ("theme: dinosaur", 'dimensions: 12" h x 8" w')  # inner quotes kept
    assert corpus["3"].title == 'outdoor lounge chair set 36" wide'
    assert corpus["3"].category == "" and corpus["3"].product_class == "Patio Sofas"  # no category hierarchy
    assert corpus["8"].description == ""


def test_class_and_category_path_are_in_the_full_text_and_their_own_format(wands_dir):
    ds = wands.load(wands_dir)
    bed, chairs = ds.corpus["0"], ds.corpus["3"]
    assert TextBuilder(TextFormat.FULL).build(bed) == (
        "solid wood platform bed | Beds | Furniture / Bedroom Furniture / Beds & Headboards / Beds | good , deep sleep "
        "can be quite difficult to have in this busy age . | overallwidth-sidetoside: 64.7 | "
        "dsprimaryproductstyle: modern | material: solid wood")
    assert TextBuilder(TextFormat.TITLE_BRAND_CATEGORY_BULLETS).build(chairs) == (
        'outdoor lounge chair set 36" wide | Patio Sofas | color: gray | frame material: aluminum')
    assert dropped_fields(ds, TextBuilder(TextFormat.FULL)) == ()
    left_out = {d.field: d.products for d in dropped_fields(ds, TextBuilder(TextFormat.TITLE_BRAND_BULLETS))}
    assert left_out == {"description": 5, "product_class": 6, "category": 5}  # product 3 has no hierarchy


# The texts of the formats that did not change, pinned before class and category were parsed apart:
# product 0 has a class and a category path, product 3 a class only. Byte for byte the same (same corpus texts).
UNCHANGED = {
    ("0", "title"): "solid wood platform bed",
    ("0", "title-brand-bullets"): "solid wood platform bed | overallwidth-sidetoside: 64.7 | "
                                  "dsprimaryproductstyle: modern | material: solid wood",
    ("0", "series"): "solid wood platform bed | good , deep sleep can be quite difficult to have in this busy age . | "
                     "overallwidth-sidetoside: 64.7 | dsprimaryproductstyle: modern | material: solid wood",
    ("3", "title-brand-bullets"): 'outdoor lounge chair set 36" wide | color: gray | frame material: aluminum',
    ("3", "series"): 'outdoor lounge chair set 36" wide | weather-resistant aluminum frame . | color: gray | '
                     "frame material: aluminum",
    ("7", "title-brand-bullets"): 'dinosaur wall d\u00e9cor | theme: dinosaur | dimensions: 12" h x 8" w',
}


@pytest.mark.parametrize(("pid", "fmt"), list(UNCHANGED))
def test_formats_without_class_or_category_build_the_same_texts_as_before(wands_dir, pid, fmt):
    assert TextBuilder(fmt).build(wands.load(wands_dir).corpus[pid]) == UNCHANGED[pid, fmt]


def test_hash_split_is_deterministic_and_a_partition(wands_dir):
    options = WandsOptions(train_ratio=0.5, dev_ratio=0.25)
    ds = wands.load(wands_dir, options)
    assert set(ds.splits) == {"train", "dev", "test"}
    assigned = sorted(q for ids in ds.splits.values() for q in ids)
    assert assigned == sorted(QUERIES)  # every query in exactly one split
    splitter = HashSplit(0.5, 0.25)
    assert {q: s for s, ids in ds.splits.items() for q in ids} == {q: splitter.assign(t) for q, t in QUERIES.items()}
    assert wands.load(wands_dir, options).splits == ds.splits
    default = wands.load(wands_dir)
    assert {q: s for s, ids in default.splits.items() for q in ids} == {q: HashSplit().assign(t) for q, t in QUERIES.items()}


def test_split_options_through_the_registry(wands_dir, cache_dir):
    ds = load_dataset("wands", data_dir=wands_dir, cache_dir=cache_dir, options=["train_ratio=0", "dev_ratio=0"])
    assert set(ds.splits["test"]) == set(QUERIES) and not ds.splits["train"] and not ds.splits["dev"]


def test_dataset_subfolder_layout_is_found(tmp_path, wands_dir, cache_dir):
    nested = tmp_path / "data" / "wands" / "dataset"  # as in a clone of github.com/wayfair/WANDS
    shutil.copytree(FIXTURES / "wands", nested)
    flat = wands.load(wands_dir).checksum
    assert wands.load(nested.parent).checksum == flat
    assert [p.parent for p in wands.source_files(nested.parent)] == [nested] * 3
    assert load_dataset("wands", data_dir=tmp_path / "data", cache_dir=cache_dir).checksum == flat


def test_registry_load_twice_gives_the_same_dataset(wands_dir, cache_dir):
    first = load_dataset("wands", data_dir=wands_dir, cache_dir=cache_dir)
    second = load_dataset("wands", data_dir=wands_dir, cache_dir=cache_dir)
    assert len(dataset_caches(cache_dir)) == 1
    assert second.checksum == first.checksum == wands.load(wands_dir).checksum
    assert dict(second.corpus) == dict(first.corpus) and dict(second.queries) == QUERIES


def test_na_like_text_is_kept_as_text(wands_dir):
    replace_line(wands_dir / "query.csv", 5, "9\tNA\tAccent Pillows")
    replace_line(wands_dir / "product.csv", 6, "8\tnull\tArea Rugs\t\t\tcolor:None\t\t\t")
    ds = wands.load(wands_dir)
    assert ds.queries["9"] == "NA"
    assert ds.corpus["8"].title == "null" and ds.corpus["8"].bullets == ("color: None",)


def test_a_label_of_a_product_absent_from_the_catalog_stays_a_judgement(wands_dir, cache_dir):
    replace_line(wands_dir / "label.csv", 10, "11\t5\t4\tExact")  # product 4 is a gap in product.csv
    ds = load_dataset("wands", data_dir=wands_dir, cache_dir=cache_dir)
    assert dict(ds.qrels["5"]) == {"8": 2, "12": 1, "4": 2}  # as trec_eval: kept, cannot be retrieved
    assert "4" not in ds.corpus and ds.counts.judgements == 12
    (anomaly,) = ds.anomalies
    assert (anomaly.kind, anomaly.count, anomaly.examples) == ("qrels-missing-docs", 1, ("4",))
    again = load_dataset("wands", data_dir=wands_dir, cache_dir=cache_dir)  # from the cache
    assert dict(again.qrels["5"]) == dict(ds.qrels["5"]) and again.anomalies == ds.anomalies
    assert len(dataset_caches(cache_dir)) == 1


# --- bad input ------------------------------------------------------------------------------------

BAD_LINES = [
    # (file, physical line to replace (header = 1), new content, data row, field, words in the message)
    ("label.csv", 6, "6\t2\t0\tRelevant", 5, "label", "'Relevant'"),
    ("label.csv", 8, "9\t99\t8\tExact", 7, "query_id", "unknown query id '99'"),
    ("label.csv", 13, "15\t9\t12\tPartial", 12, "query_id", "duplicate"),  # (9, 12) again
    ("label.csv", 4, "2\t0\t3\t", 3, "label", "empty"),
    ("product.csv", 7, "0\tturquoise throw pillow\tAccent Pillows\t\t\t\t\t\t", 6, "product_id", "duplicate"),
    ("product.csv", 3, "1\t \tSlow Cookers\t\t\t\t\t\t", 2, "product_name", "empty"),
    ("query.csv", 4, "5\t   \t", 3, "query", "empty"),
    ("query.csv", 5, "2\tturquoise pillows\tAccent Pillows", 4, "query_id", "duplicate"),
]


@pytest.mark.parametrize(("name", "line", "content", "row", "field", "words"), BAD_LINES)
def test_bad_rows_name_file_row_field_and_leave_no_cache(wands_dir, cache_dir, name, line, content, row, field, words):
    path = wands_dir / name
    replace_line(path, line, content)
    with pytest.raises(DataFormatError) as info:
        load_dataset("wands", data_dir=wands_dir, cache_dir=cache_dir)
    err, message = info.value, str(info.value)
    assert err.path == path and str(path) in message
    assert err.row == row and re.search(rf"\brow {row}\b", message)
    assert err.field == field and f"field '{field}'" in message
    assert words in message
    assert dataset_caches(cache_dir) == []


@pytest.mark.parametrize(
    ("name", "header", "field"),
    [
        ("product.csv", "category hierarchy", "category hierarchy"),  # e.g. re-saved as category_hierarchy
        ("label.csv", "label", "label"),
        ("query.csv", "query_id", "query_id"),
    ],
)
def test_missing_column_names_file_and_field(wands_dir, cache_dir, name, header, field):
    path = wands_dir / name
    raw = path.read_bytes()
    first, rest = raw.split(b"\n", 1)
    path.write_bytes(first.replace(header.encode(), header.replace(" ", "_").encode() + b"_x", 1) + b"\n" + rest)
    with pytest.raises(DataFormatError) as info:
        load_dataset("wands", data_dir=wands_dir, cache_dir=cache_dir)
    message = str(info.value)
    assert info.value.path == path and str(path) in message
    assert f"field '{field}'" in message and "missing column" in message
    assert dataset_caches(cache_dir) == []


def test_undecodable_bytes_name_the_line(wands_dir, cache_dir):
    path = wands_dir / "query.csv"
    replace_line(path, 3, b"2\tdinosaur d\xe9cor\tKids Wall Decor")  # a latin-1 byte in a UTF-8 file
    with pytest.raises(DataFormatError) as info:
        load_dataset("wands", data_dir=wands_dir, cache_dir=cache_dir)
    message = str(info.value)
    assert info.value.path == path and str(path) in message
    assert info.value.line == 3 and "line 3" in message and info.value.row == 2
    assert "undecodable" in message and r"\xe9" in message
    assert dataset_caches(cache_dir) == []


@pytest.mark.parametrize("name", ["product.csv", "query.csv", "label.csv"])
def test_missing_file_is_named(wands_dir, cache_dir, name):
    (wands_dir / name).unlink()
    with pytest.raises(MissingDataError, match=re.escape(name)):
        wands.load(wands_dir)


def test_missing_folder_points_to_fetch(tmp_path, cache_dir):
    with pytest.raises(MissingDataError, match="bench data fetch wands"):
        load_dataset("wands", data_dir=tmp_path / "nowhere", cache_dir=cache_dir)
    assert dataset_caches(cache_dir) == []


# --- real data ------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_query_file_parses_all_queries():
    queries = wands.read_queries(shared("wands", "query.csv"))
    assert len(queries) == 480
    assert queries["0"] == "salon chair"
    assert all(text.strip() for text in queries.values())
    ids = sorted(int(q) for q in queries)
    assert ids[0] == 0 and ids[-1] == 487  # ids with gaps

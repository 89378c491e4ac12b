from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, dataset_caches

from benchmark.core.errors import DataFormatError, MissingDataError
from benchmark.datasets import beir
from benchmark.datasets.registry import load_dataset


@pytest.fixture
def beir_dir(tmp_path) -> Path:
    target = tmp_path / "mycat"
    shutil.copytree(FIXTURES / "beir", target)
    return target


def test_loads_corpus_queries_qrels_and_splits_from_qrels_files(beir_dir):
    ds = beir.load(beir_dir)
    assert ds.name == "beir:mycat"
    assert len(ds.corpus) == 4 and len(ds.queries) == 4
    assert set(ds.splits) == {"test", "train"}
    assert ds.splits["test"] == {"q1", "q2"} and ds.splits["train"] == {"q3"}
    assert dict(ds.qrels["q1"]) == {"d1": 2, "d2": 1}
    assert ds.gains.relevant_level == 1 and dict(ds.gains.labels) == {"0": 0, "1": 1, "2": 2}


def test_header_is_optional_and_title_falls_back_to_text(beir_dir):
    ds = beir.load(beir_dir)
    assert dict(ds.qrels["q3"]) == {"d3": 1, "d4": 0}  # train.tsv has no header
    assert ds.corpus["d2"].title == "Replacement 18V battery pack" and ds.corpus["d2"].description == ""
    assert ds.corpus["d4"].title == "Café Table"


def test_metadata_fields_map_to_product_fields(beir_dir):
    d1, d3 = beir.load(beir_dir).corpus["d1"], beir.load(beir_dir).corpus["d3"]
    assert d1.brand == "Voltix" and d1.bullets == ("18V", "2 batteries")
    assert d3.bullets == ("WaterSense certified",) and d3.color == "brushed nickel"


def test_qrels_for_missing_docs_are_kept_counted_and_reported(beir_dir):
    ds = beir.load(beir_dir)
    (anomaly,) = ds.anomalies
    assert anomaly.kind == "qrels-missing-docs" and anomaly.count == 1 and anomaly.examples == ("missing-doc",)
    assert "kept, cannot be retrieved" in anomaly.detail
    assert dict(ds.qrels["q2"]) == {"d2": 2, "missing-doc": 1}  # as trec_eval: still a judgement
    assert "missing-doc" not in ds.corpus and ds.counts.judgements == 6


def test_a_query_judged_only_on_absent_documents_stays_in_its_split(beir_dir):
    _append(beir_dir / "queries.jsonl", '{"_id": "q5", "text": "gone"}\n')
    _append(beir_dir / "qrels" / "test.tsv", "q5\tgone-1\t1\nq5\tgone-2\t2\nq5\tgone-1\t1\n")
    ds = beir.load(beir_dir)
    assert dict(ds.qrels["q5"]) == {"gone-1": 1, "gone-2": 2} and "q5" in ds.split("test").qrels
    kinds = {a.kind: a for a in ds.anomalies}
    assert kinds["qrels-missing-docs"].count == 3 and kinds["duplicate-qrels"].count == 1
    assert kinds["qrels-missing-docs"].examples == ("gone-1", "gone-2", "missing-doc")


def test_beir_collections_default_to_title_plus_text(beir_dir, cache_dir):
    assert beir.load(beir_dir).default_text_format == "full"
    assert load_dataset(f"beir:{beir_dir}").default_text_format == "full"
    assert load_dataset(f"beir:{beir_dir}").default_text_format == "full"  # from the cache
    assert load_dataset("demo").default_text_format == "title-brand-bullets"  # a product catalog in BEIR layout
    assert load_dataset("demo").default_text_format == "title-brand-bullets"


def test_duplicate_and_negative_qrels_are_tolerated_and_reported(beir_dir):
    with (beir_dir / "qrels" / "test.tsv").open("a") as handle:
        handle.write("q1\td1\t1\nq2\td3\t-1\n")
    ds = beir.load(beir_dir)
    kinds = {a.kind: a.count for a in ds.anomalies}
    assert kinds["duplicate-qrels"] == 1 and kinds["negative-scores"] == 1
    assert ds.qrels["q1"]["d1"] == 2 and ds.qrels["q2"]["d3"] == 0


def test_trec_style_four_column_qrels(beir_dir):
    (beir_dir / "qrels" / "train.tsv").write_text("q3\t0\td3\t1\n")
    assert dict(beir.load(beir_dir).qrels["q3"]) == {"d3": 1}


def test_registry_loads_a_beir_path_and_caches(beir_dir, cache_dir):
    first = load_dataset(f"beir:{beir_dir}")
    assert len(dataset_caches(cache_dir)) == 1
    second = load_dataset(f"beir:{beir_dir}")
    assert second.checksum == first.checksum and second.name == "beir:mycat"
    assert second.anomalies == first.anomalies


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


BAD = [
    ("corpus.jsonl", '{"_id": "d1", "title": "again"}\n', "line 5", "'_id'", "duplicate id"),
    ("corpus.jsonl", '{"title": "no id"}\n', "line 5", "'_id'", "missing or empty id"),
    ("corpus.jsonl", '{"_id": "d9", "title": "", "text": " "}\n', "line 5", "'title'", "empty document"),
    ("corpus.jsonl", '{"_id": "d9", "title": 5}\n', "line 5", "'title'", "expected a string"),
    ("corpus.jsonl", '{"_id": "d9", "title": "x"\n', "line 5", None, "invalid JSON"),
    ("queries.jsonl", '{"_id": "q9", "text": ""}\n', "line 5", "'text'", "empty query"),
    ("queries.jsonl", '{"_id": "q1", "text": "x"}\n', "line 5", "'_id'", "duplicate id"),
    ("qrels/test.tsv", "q9\td1\t1\n", "line 6", "'query-id'", "unknown query id"),
    ("qrels/test.tsv", "q1\td3\thigh\n", "line 6", "'score'", "integer"),
    ("qrels/test.tsv", "q1 d3 1\n", "line 6", None, "3 tab-separated fields"),
    ("qrels/train.tsv", "q1\td3\t1\n", None, "'query-id'", "judged in another split"),
]


@pytest.mark.parametrize(("name", "text", "where", "field", "words"), BAD)
def test_bad_input_names_file_line_and_field_and_leaves_no_cache(beir_dir, cache_dir, name, text, where, field, words):
    path = beir_dir / name
    _append(path, text)
    with pytest.raises(DataFormatError) as info:
        load_dataset(f"beir:{beir_dir}", cache_dir=cache_dir)
    message = str(info.value)
    assert str(path) in message and words in message
    if where:
        assert where in message
    if field:
        assert f"field {field}" in message
    assert dataset_caches(cache_dir) == []


def test_undecodable_bytes_name_the_line(beir_dir):
    path = beir_dir / "queries.jsonl"
    path.write_bytes(path.read_bytes() + b'{"_id": "q9", "text": "caf\xe9"}\n')
    with pytest.raises(DataFormatError, match=r"queries\.jsonl, line 5: undecodable bytes"):
        beir.load(beir_dir)


def test_undecodable_qrels_name_the_line(beir_dir):
    path = beir_dir / "qrels" / "test.tsv"
    path.write_bytes(path.read_bytes() + b"q1\td\xff\t1\n")
    with pytest.raises(DataFormatError, match=r"test\.tsv, line 6: undecodable bytes"):
        beir.load(beir_dir)


def test_missing_files_are_clear(beir_dir):
    (beir_dir / "corpus.jsonl").unlink()
    with pytest.raises(MissingDataError, match=r"corpus\.jsonl not found"):
        beir.load(beir_dir)
    shutil.rmtree(beir_dir / "qrels")
    with pytest.raises(MissingDataError, match=r"no qrels/<split>\.tsv"):
        beir.load(beir_dir)

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, dataset_caches, shared

from benchmark.core.errors import DataFormatError, MissingDataError
from benchmark.datasets import homedepot
from benchmark.datasets.registry import load_dataset
from benchmark.datasets.splits import HashSplit, normalise_query, stable_query_id


@pytest.fixture
def hd_dir(tmp_path) -> Path:
    target = tmp_path / "homedepot"
    shutil.copytree(FIXTURES / "homedepot", target)
    return target


def test_fixture_is_latin1_crlf():
    raw = (FIXTURES / "homedepot" / "train.csv").read_bytes()
    assert b"\r\n" in raw and b"\xb0" in raw  # the Kaggle file's encoding and line endings
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_loads_judgements_queries_products(hd_dir):
    ds = homedepot.load(hd_dir)
    assert ds.counts.judgements == 16
    assert len(ds.queries) == 16  # distinct search_term strings, case-sensitive
    assert len(ds.corpus) == 10
    assert "90\u00b0" in ds.corpus["100006"].title  # latin-1 decoded, not mojibake
    assert all(not t.endswith("\r") for t in ds.queries.values())


def test_gain_mapping_is_round_half_up_of_three_times_relevance_minus_one(hd_dir):
    ds = homedepot.load(hd_dir)
    gain = {(ds.queries[q], d): g for q, docs in ds.qrels.items() for d, g in docs.items()}
    assert gain[("angle bracket", "100001")] == 6  # 3
    assert gain[("l bracket", "100001")] == 5  # 2.5 -> 4.5 -> 5 (half up, not banker's 4)
    assert gain[("rain shower head", "100005")] == 4  # 2.33
    assert gain[("shower only faucet", "100005")] == 5  # 2.67
    assert gain[("mdf 3/4", "100009")] == 0  # 1
    assert gain[("Angle Bracket", "100011")] == 1  # 1.33
    assert gain[("steele stake", "100010")] == 2  # 1.67
    assert gain[("patio set", "100012")] == 2  # 1.5 -> 1.5 -> 2
    assert gain[("cafe table", "100012")] == 2  # 1.75 -> 2.25 -> 2
    assert gain[("metal stakes", "100013")] == 4  # 2.25 -> 3.75 -> 4
    assert gain[("lawn mower", "100011")] == 3  # 2: relevant threshold
    assert ds.gains.relevant_level == 3


def test_relevant_level_matches_relevance_at_least_two():
    import pandas as pd

    rel = pd.Series([1, 1.25, 1.33, 1.5, 1.67, 1.75, 2, 2.25, 2.33, 2.5, 2.67, 2.75, 3])
    gains = homedepot.gain_of(rel)
    assert list(gains) == [0, 1, 1, 2, 2, 2, 3, 4, 4, 5, 5, 5, 6]
    assert list(gains >= homedepot.GAINS.relevant_level) == list(rel >= 2)


def test_enrichment_from_descriptions_and_attributes(hd_dir):
    p = homedepot.load(hd_dir).corpus["100001"]
    assert p.brand == "Simpson Strong-Tie"
    assert p.bullets == ("Versatile connector for various 90\u00b0 connections", "Stands up to hammer drive")
    assert p.description.startswith("Not only do angles")
    assert homedepot.load(hd_dir).corpus["100002"].brand == ""


def test_enrichment_files_are_optional(hd_dir):
    (hd_dir / "attributes.csv").unlink()
    (hd_dir / "product_descriptions.csv").unlink()
    ds = homedepot.load(hd_dir)
    assert ds.corpus["100001"].brand == "" and ds.corpus["100001"].description == ""


def test_conflicting_titles_are_a_counted_anomaly_first_title_wins(hd_dir):
    ds = homedepot.load(hd_dir)
    (anomaly,) = ds.anomalies
    assert anomaly.kind == "conflicting-titles" and anomaly.count == 1 and anomaly.examples == ("100011",)
    assert ds.corpus["100011"].title.endswith("Gas Lawn Mower")


def test_query_ids_are_stable_hashes_of_the_text(hd_dir):
    ds = homedepot.load(hd_dir)
    assert ds.queries[stable_query_id("hd-", "deck over")] == "deck over"
    (hd_dir / "train.csv").write_bytes(_drop_lines((hd_dir / "train.csv").read_bytes(), 2, 3))
    subset = homedepot.load(hd_dir)
    assert all(ds.queries[q] == t for q, t in subset.queries.items())


def test_split_is_deterministic_and_keeps_case_variants_together(hd_dir):
    ds = homedepot.load(hd_dir)
    assert set(ds.splits) == {"train", "dev", "test"}
    assigned = [q for ids in ds.splits.values() for q in ids]
    assert sorted(assigned) == sorted(ds.queries)  # a partition
    split_of = {q: s for s, ids in ds.splits.items() for q in ids}
    by_text = {}
    for qid, text in ds.queries.items():
        by_text.setdefault(normalise_query(text), set()).add(split_of[qid])
    assert all(len(s) == 1 for s in by_text.values())
    assert homedepot.load(hd_dir).splits == ds.splits


def test_split_assignment_is_pinned():
    """Golden values: a change here moves queries between train and test on every machine."""
    split = HashSplit()
    golden = {"angle bracket": "train", "ANGLE  bracket ": "train", "deck over": "test", "Deck Over": "test",
              "lawn mower": "train", "query 6": "dev", "query 8": "test"}
    assert {t: split.assign(t) for t in golden} == golden
    counts = {"train": 0, "dev": 0, "test": 0}
    for i in range(10_000):
        counts[split.assign(f"query {i}")] += 1
    assert 7_700 < counts["train"] < 8_300 and 800 < counts["dev"] < 1_200 and 800 < counts["test"] < 1_200


def test_utf8_copy_is_accepted(hd_dir):
    text = (hd_dir / "train.csv").read_bytes().decode("latin-1")
    (hd_dir / "train.csv").write_bytes(text.replace("\r\n", "\n").encode("utf-8"))
    ds = homedepot.load(hd_dir)
    assert "90\u00b0" in ds.corpus["100006"].title and ds.counts.judgements == 16


def _drop_lines(raw: bytes, *numbers: int) -> bytes:
    lines = raw.split(b"\r\n")
    return b"\r\n".join(line for i, line in enumerate(lines, start=1) if i not in numbers)


def _replace_line(raw: bytes, number: int, new: str) -> bytes:
    lines = raw.split(b"\r\n")
    lines[number - 1] = new.encode("latin-1")
    return b"\r\n".join(lines)


BAD_ROWS = [
    # (line to replace (2 = first data row), new content, row, field, words in the message)
    (3, '3,100001,"Simpson","l bracket",4.5', 2, "relevance", "[1, 3]"),
    (3, '3,100001,"Simpson","l bracket",high', 2, "relevance", "'high'"),
    (4, '9,100002,"BEHR","   ",3', 3, "search_term", "empty"),
    (4, '9,100002,"","deck over",3', 3, "product_title", "empty"),
    (5, '3,100005,"Delta","rain shower head",2.33', 4, "id", "duplicate"),
    (5, '99,100001,"Simpson","angle bracket",2', 4, "search_term", "duplicate"),
    (5, 'x,100005,"Delta","rain shower head",2.33', 4, "id", "integer"),
]


@pytest.mark.parametrize(("line", "content", "row", "field", "words"), BAD_ROWS)
def test_bad_rows_name_file_row_field_and_leave_no_cache(hd_dir, cache_dir, line, content, row, field, words):
    path = hd_dir / "train.csv"
    path.write_bytes(_replace_line(path.read_bytes(), line, content))
    with pytest.raises(DataFormatError) as info:
        load_dataset("homedepot", data_dir=hd_dir, cache_dir=cache_dir)
    message = str(info.value)
    assert str(path) in message and f"row {row}" in message and f"field '{field}'" in message
    assert words in message
    assert dataset_caches(cache_dir) == []


def test_missing_column_names_file_and_field(hd_dir, cache_dir):
    path = hd_dir / "train.csv"
    raw = path.read_bytes().replace(b'"relevance"', b'"score"', 1)
    path.write_bytes(raw)
    with pytest.raises(DataFormatError, match=r"train\.csv.*field 'relevance'.*missing column"):
        load_dataset("homedepot", data_dir=hd_dir, cache_dir=cache_dir)
    assert dataset_caches(cache_dir) == []


def test_malformed_csv_names_the_file(hd_dir):
    path = hd_dir / "train.csv"
    path.write_bytes(path.read_bytes() + b'50,100001,"unterminated,angle,3\r\n')
    with pytest.raises(DataFormatError, match=r"train\.csv: malformed CSV"):
        homedepot.load(hd_dir)


def test_missing_train_file(tmp_path):
    with pytest.raises(MissingDataError, match=r"homedepot.*train\.csv not found"):
        homedepot.load(tmp_path / "homedepot")


def test_missing_folder_points_to_fetch_instructions(tmp_path):
    with pytest.raises(MissingDataError, match="bench data fetch homedepot"):
        load_dataset("homedepot", data_dir=tmp_path / "nowhere")


def test_duplicate_description_rows_are_an_error(hd_dir):
    path = hd_dir / "product_descriptions.csv"
    path.write_bytes(path.read_bytes() + b'100001,"again"\r\n')
    with pytest.raises(DataFormatError, match=r"product_descriptions\.csv, row 3, field 'product_uid': duplicate"):
        homedepot.load(hd_dir)


@pytest.mark.realdata
def test_real_homedepot_subset_counts():
    root = shared("homedepot")
    ds = load_dataset("homedepot", data_dir=root)
    counts = ds.counts
    assert counts.judgements == 59_262
    assert counts.queries == 9_435
    import pandas as pd

    frame = pd.read_csv(root / "train.csv", encoding="latin-1")
    assert counts.products == frame["product_uid"].nunique() == 45_753
    assert sum(counts.queries_per_split.values()) == 9_435
    assert set(counts.queries_per_split) == {"train", "dev", "test"}
    again = homedepot.load(root)  # parsed afresh, no cache: same content, same split
    assert again.checksum == ds.checksum and again.splits == ds.splits

"""Hostile and malformed input (issue 9, part 3): property-based tests over every loader and the result reader.

Each example starts from a valid fixture in the original format, damages it (hostile cell values, wrong types,
huge fields, NUL bytes, wrong encodings, truncation, inserted or flipped bytes, missing/extra columns and
rows), loads it through the real entry point, and asserts the only outcomes are a clean load or a
:class:`ShopbenchError` with a one-line message that names the file, and that a failed load leaves no dataset
cache behind (a successful one leaves exactly one complete cache that reloads to the same checksum).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FIXTURES, dataset_caches
from esci_fixtures import HF_SHARDS, examples_frame, hf_frames, products_frame
from hostile import (
    ENCODINGS,
    HOSTILE_TEXT,
    JSON_VALUE,
    apply_byte_ops,
    byte_ops,
    encode,
    examples,
    mutated_table_bytes,
)
from hypothesis import given
from hypothesis import strategies as st

from benchmark.core.errors import DataFormatError, ShopbenchError
from benchmark.datasets.base import Dataset, Product
from benchmark.datasets.registry import load_dataset
from benchmark.ranking.results import ResultRecord, load_result

RESULT_FIXTURE = FIXTURES / "results" / "v1" / "demo__test__bm25__20261125T191109Z.json"
MAX_MESSAGE = 600  # characters: an error names the file, row and field, and quotes a value shortly


@contextmanager
def workspace(fixture: str | None = None):
    """A fresh folder (with a copy of a fixture dataset) and a fresh, empty cache folder."""
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        root = Path(tmp)
        data = root / "data"
        if fixture:
            shutil.copytree(FIXTURES / fixture, data)
        else:
            data.mkdir()
        yield data, root / "cache"


def check_dataset(ds: Dataset) -> None:
    """What every loaded dataset must satisfy, whatever the input was."""
    assert all(isinstance(q, str) and isinstance(t, str) and t.strip() for q, t in ds.queries.items())
    for doc_id, product in ds.corpus.items():
        assert isinstance(doc_id, str) and isinstance(product, Product)
        assert all(isinstance(getattr(product, f), str) for f in ("title", "brand", "description", "color", "category"))
        assert all(isinstance(b, str) for b in product.bullets)
    absent = 0
    for qid, docs in ds.qrels.items():
        assert qid in ds.queries
        assert all(isinstance(d, str) and isinstance(g, int) for d, g in docs.items())
        absent += sum(1 for d in docs if d not in ds.corpus)  # kept as in trec_eval, and reported
    reported = sum(a.count for a in ds.anomalies if a.kind == "qrels-missing-docs")
    assert reported == absent
    assert {q for ids in ds.splits.values() for q in ids} <= set(ds.queries)


def outcome(name: str, data: Path, cache: Path, files: list[Path]) -> str:
    """Load ``name`` from ``data``; 'ok' or 'error', after checking the cache and the error's message."""
    try:
        ds = load_dataset(name, data_dir=data, cache_dir=cache)
    except ShopbenchError as err:
        message = str(err)
        assert "\n" not in message and "\r" not in message, message[:300]
        assert len(message) <= MAX_MESSAGE, message[:300]
        if isinstance(err, DataFormatError):
            assert err.path.resolve() in {f.resolve() for f in files}, message
            assert str(err.path) in message
        assert dataset_caches(cache) == [], "a failed load left a dataset cache"
        return "error"
    check_dataset(ds)
    caches = dataset_caches(cache)
    assert len(caches) == 1 and (caches[0] / "meta.json").is_file()
    again = load_dataset(name, data_dir=data, cache_dir=cache)
    assert again.checksum == ds.checksum and dict(again.queries) == dict(ds.queries)
    return "ok"


# --- Home Depot (CSV, latin-1 as published) ----------------------------------------------------------------


@examples(60)
@given(st.data())
def test_homedepot_train_csv_damaged(data) -> None:
    with workspace("homedepot") as (root, cache):
        path = root / "train.csv"
        path.write_bytes(mutated_table_bytes(data.draw, path, ",", "latin-1"))
        outcome("homedepot", root, cache, [path])


@examples(40)
@given(st.data(), st.sampled_from(["product_descriptions.csv", "attributes.csv"]))
def test_homedepot_optional_files_damaged(data, name: str) -> None:
    with workspace("homedepot") as (root, cache):
        path = root / name
        path.write_bytes(mutated_table_bytes(data.draw, path, ",", "latin-1"))
        outcome("homedepot", root, cache, [path, root / "train.csv"])


# --- WANDS (tab-separated) -----------------------------------------------------------------------------


@examples(60)
@given(st.data(), st.sampled_from(["product.csv", "query.csv", "label.csv"]))
def test_wands_tsv_damaged(data, name: str) -> None:
    with workspace("wands") as (root, cache):
        path = root / name
        path.write_bytes(mutated_table_bytes(data.draw, path, "\t"))
        outcome("wands", root, cache, [root / n for n in ("product.csv", "query.csv", "label.csv")])


# --- BEIR (JSONL + qrels TSV) --------------------------------------------------------------------------


@st.composite
def jsonl_ops(draw, n_lines: int) -> list[tuple]:
    """1-3 edits of JSONL records; field-level edits (the likely real-world faults) are drawn most often."""
    ops = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["set", "set", "meta", "meta", "meta", "del", "replace", "raw", "dup"]))
        at = draw(st.integers(0, n_lines - 1))
        if kind == "set":
            ops.append((kind, at, draw(st.sampled_from(["_id", "title", "text", "metadata"])), draw(JSON_VALUE)))
        elif kind == "meta":
            ops.append((kind, at, draw(st.sampled_from(["brand", "bullets", "color", "category"])), draw(JSON_VALUE)))
        elif kind == "del":
            ops.append((kind, at, draw(st.sampled_from(["_id", "title", "text", "metadata"]))))
        elif kind == "replace":
            ops.append((kind, at, draw(JSON_VALUE)))
        elif kind == "raw":
            ops.append((kind, at, draw(HOSTILE_TEXT)))
        else:
            ops.append((kind, at))
    return ops


def damaged_jsonl(draw, path: Path) -> bytes:
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    lines: list[str] = [json.dumps(r) for r in records]
    for op in draw(jsonl_ops(len(records))):
        kind, at = op[0], op[1]
        record = records[at] if isinstance(records[at], dict) else {}
        if kind == "set":
            record = {**record, op[2]: op[3]}
        elif kind == "meta":
            meta = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
            record = {**record, "metadata": {**meta, op[2]: op[3]}}
        elif kind == "del":
            record = {k: v for k, v in record.items() if k != op[2]}
        elif kind == "replace":
            record = op[2]
        elif kind == "dup":
            lines.append(lines[at])
            continue
        if kind == "raw":
            lines[at] = op[2]
            continue
        records[at] = record
        lines[at] = json.dumps(record, allow_nan=True)
    return apply_byte_ops(encode("\n".join(lines) + "\n", draw(ENCODINGS)), draw(byte_ops()))


def beir_files(root: Path) -> list[Path]:
    return [root / "corpus.jsonl", root / "queries.jsonl", *sorted((root / "qrels").glob("*.tsv"))]


@examples(60)
@given(st.data(), st.sampled_from(["corpus.jsonl", "queries.jsonl"]))
def test_beir_jsonl_damaged(data, name: str) -> None:
    with workspace("beir") as (root, cache):
        path = root / name
        path.write_bytes(damaged_jsonl(data.draw, path))
        outcome(f"beir:{root}", root, cache, beir_files(root))


@examples(40)
@given(st.data(), st.sampled_from(["train.tsv", "test.tsv"]))
def test_beir_qrels_damaged(data, name: str) -> None:
    with workspace("beir") as (root, cache):
        path = root / "qrels" / name
        path.write_bytes(mutated_table_bytes(data.draw, path, "\t"))
        outcome(f"beir:{root}", root, cache, beir_files(root))


# --- ESCI (parquet, official and Hugging Face layouts) ---------------------------------------------------

ARROW_VALUES = {
    "int": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "float": (pa.float64(), st.floats(allow_nan=True, allow_infinity=True)),
    "bool": (pa.bool_(), st.booleans()),
    "binary": (pa.binary(), st.binary(max_size=10)),
    "list": (pa.list_(pa.string()), st.lists(st.text(max_size=5), max_size=3)),
    "string": (pa.string(), HOSTILE_TEXT),
}


@st.composite
def frame_ops(draw, columns: list[str], n_rows: int) -> list[tuple]:
    column = st.sampled_from(columns)
    row = st.integers(0, n_rows - 1)
    op = st.one_of(
        st.tuples(st.just("cell"), row, column, HOSTILE_TEXT),
        st.tuples(st.just("null"), row, column),
        st.tuples(st.just("retype"), column, st.sampled_from(sorted(ARROW_VALUES)), st.data()),
        st.tuples(st.just("drop"), column),
        st.tuples(st.just("dup"), row),
        st.tuples(st.just("all_null"), column),
    )
    return draw(st.lists(op, min_size=1, max_size=3))


def damaged_table(draw, frame: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for op in draw(frame_ops(list(frame.columns), len(frame))):
        kind = op[0]
        column = {"cell": 2, "null": 2, "retype": 1, "drop": 1, "all_null": 1}.get(kind)
        if column is not None and op[column] not in table.column_names:
            continue
        if kind == "cell":
            values = table.column(op[2]).to_pylist()
            values[op[1]] = op[3]
            table = table.set_column(table.column_names.index(op[2]), op[2], pa.array([None if v is None else str(v) for v in values], pa.string()))
        elif kind == "null":
            values = table.column(op[2]).to_pylist()
            values[op[1]] = None
            i = table.column_names.index(op[2])
            table = table.set_column(i, op[2], pa.array(values, table.schema.field(i).type))
        elif kind == "retype":
            arrow_type, values = ARROW_VALUES[op[2]]
            new = op[3].draw(st.lists(values, min_size=table.num_rows, max_size=table.num_rows))
            table = table.set_column(table.column_names.index(op[1]), op[1], pa.array(new, arrow_type))
        elif kind == "drop":
            table = table.drop_columns([op[1]])
        elif kind == "all_null":
            i = table.column_names.index(op[1])
            table = table.set_column(i, op[1], pa.nulls(table.num_rows, table.schema.field(i).type))
        elif kind == "dup":
            table = pa.concat_tables([table, table.slice(op[1], 1)])
    return table


def write_parquet(draw, table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    ops = draw(byte_ops())
    if ops:
        path.write_bytes(apply_byte_ops(path.read_bytes(), ops))


@examples(60)
@given(st.data(), st.sampled_from(["examples", "products"]))
def test_esci_official_parquet_damaged(data, which: str) -> None:
    with workspace() as (root, cache):
        frames = {"examples": examples_frame(), "products": products_frame()}
        files = {k: root / f"shopping_queries_dataset_{k}.parquet" for k in frames}
        for key, frame in frames.items():
            if key == which:
                write_parquet(data.draw, damaged_table(data.draw, frame), files[key])
            else:
                frame.to_parquet(files[key], index=False)
        outcome("esci", root, cache, list(files.values()))


@examples(40)
@given(st.data(), st.sampled_from(sorted(HF_SHARDS)))
def test_esci_hf_shard_damaged(data, split: str) -> None:
    with workspace() as (root, cache):
        files = []
        for name, frame in hf_frames().items():
            path = root / HF_SHARDS[name]
            files.append(path)
            if name == split:
                write_parquet(data.draw, damaged_table(data.draw, frame), path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                frame.to_parquet(path, index=False)
        outcome("esci", root, cache, files)


# --- whole-file garbage, for every loader ------------------------------------------------------------------

LOADER_FILES = {
    "homedepot": ("homedepot", ["train.csv", "product_descriptions.csv", "attributes.csv"]),
    "wands": ("wands", ["product.csv", "query.csv", "label.csv"]),
    "beir": ("beir", ["corpus.jsonl", "queries.jsonl", "qrels/test.tsv"]),
}
GARBAGE = st.one_of(
    st.sampled_from([b"", b"\x00", b"\x00" * 4096, b"\xff\xfe", "ÿ".encode("utf-16"), b"PAR1", b"\n\n\n",
                     b"\r", b'"', b"a" * 200_000, b"{}", b"[]", b"null"]),
    st.binary(max_size=200),
)


@examples(60)
@given(st.sampled_from(sorted(LOADER_FILES)), st.data(), GARBAGE)
def test_any_source_file_replaced_by_garbage(loader: str, data, garbage: bytes) -> None:
    fixture, names = LOADER_FILES[loader]
    with workspace(fixture) as (root, cache):
        path = root / data.draw(st.sampled_from(names))
        path.write_bytes(garbage)
        name = f"beir:{root}" if loader == "beir" else loader
        files = beir_files(root) if loader == "beir" else [root / n for n in names]
        outcome(name, root, cache, files)  # e.g. a qrels file of one header-like line is a valid, empty split


@examples(30)
@given(st.sampled_from(["examples", "products"]), GARBAGE)
def test_esci_parquet_replaced_by_garbage(which: str, garbage: bytes) -> None:
    with workspace() as (root, cache):
        files = {k: root / f"shopping_queries_dataset_{k}.parquet" for k in ("examples", "products")}
        examples_frame().to_parquet(files["examples"], index=False)
        products_frame().to_parquet(files["products"], index=False)
        files[which].write_bytes(garbage)
        assert outcome("esci", root, cache, list(files.values())) == "error"


# --- result files -------------------------------------------------------------------------------------------


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:3]):
            yield from _paths(item, (*prefix, i))


def _set(doc, path, value):
    if not path:
        return value
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return doc


def _delete(doc, path):
    if path:
        target = doc
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]
    return doc


@st.composite
def damaged_result(draw) -> bytes:
    doc = json.loads(RESULT_FIXTURE.read_text())
    for _ in range(draw(st.integers(1, 3))):
        where = list(_paths(doc)) if isinstance(doc, (dict, list)) else [()]
        path = draw(st.sampled_from(where))
        if draw(st.booleans()) or not path:
            doc = _set(doc, path, draw(JSON_VALUE))
        else:
            doc = _delete(doc, path)
    text = json.dumps(doc, allow_nan=True)
    return apply_byte_ops(encode(text, draw(ENCODINGS)), draw(byte_ops()))


@examples(80)
@given(damaged_result())
def test_result_file_damaged(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.json"
        path.write_bytes(raw)
        try:
            record = load_result(path)
        except ShopbenchError as err:
            assert "\n" not in str(err) and str(path) in str(err) and len(str(err)) <= 2000
        else:
            assert isinstance(record, ResultRecord)
            json.loads(record.model_dump_json())  # what loads can be written back


@pytest.mark.parametrize("raw", [
    b"[" * 100_000 + b"]" * 100_000,  # nesting deeper than the JSON parser's recursion limit
    b'{"schema_version": 1, "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b"\x00" * 64, b"", b"\xef\xbb\xbf{}", '{"schema_version": 1}'.encode("utf-16"),
    b'{"schema_version": 1e999}', b'{"schema_version": true}', b'{"schema_version": "1"}',
    b'{"schema_version": 99999999999999999999999999999}', b"NaN", b'"just a string"',
], ids=["deep-array", "deep-field", "nul", "empty", "bom-object", "utf16", "version-inf", "version-bool",
        "version-str", "version-huge", "nan", "string"])
def test_result_file_pathological(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(raw)
    with pytest.raises(ShopbenchError) as info:
        load_result(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_result_path_that_is_a_folder_is_a_named_error(tmp_path: Path) -> None:
    folder = tmp_path / "x.json"
    folder.mkdir()
    with pytest.raises(ShopbenchError, match="x.json"):
        load_result(folder)


@examples(15)
@given(st.lists(damaged_result(), min_size=1, max_size=3))
def test_leaderboard_skips_damaged_result_files(raws: list[bytes]) -> None:
    from leaderboard.collect import load_all

    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / f"bad{i}.json" for i in range(len(raws))]
        for path, raw in zip(paths, raws, strict=True):
            path.write_bytes(raw)
        good = Path(tmp) / RESULT_FIXTURE.name
        shutil.copy(RESULT_FIXTURE, good)
        loaded, bad = load_all([*paths, good])
        assert len(loaded) + len(bad) == len(paths) + 1
        assert any(item.path == good for item in loaded)


# --- dataset names ---------------------------------------------------------------------------------------------

NAME_PARTS = st.sampled_from(["beir:", "esci", "wands", "homedepot", "demo", ":", "/", "..", ".", "~", "\x00", "\n",
                              "a" * 300, "scifact", "\\", "BEIR", " ", "%2e%2e", "$HOME"])


@examples(60)
@given(st.one_of(st.text(max_size=40), st.lists(NAME_PARTS, max_size=5).map("".join)))
def test_any_dataset_name_loads_or_is_a_named_error(name: str) -> None:
    with workspace() as (root, cache):
        try:
            load_dataset(name, data_dir=root, cache_dir=cache)
        except ShopbenchError as err:
            assert "\n" not in str(err) and len(str(err)) <= MAX_MESSAGE
            assert dataset_caches(cache) == []
        assert not any(p for p in root.rglob("*")), "loading wrote into the data folder"


# --- through the command line: one line, exit status 2, no traceback ------------------------------------------


@pytest.mark.parametrize("damage", ["nul", "deep-json"])
def test_cli_reports_damaged_input_in_one_line(tmp_path: Path, damage: str) -> None:
    import os
    import subprocess
    import sys

    bench = str(Path(sys.executable).with_name("bench"))
    env = {**os.environ, "SHOPBENCH_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "400"}
    if damage == "nul":
        shutil.copytree(FIXTURES / "beir", tmp_path / "b")
        (tmp_path / "b" / "queries.jsonl").write_bytes(b'{"_id": "q1", "text": "a\x00b"}\n\x00\x00\n')
        args = [bench, "data", "info", f"beir:{tmp_path / 'b'}"]
        named = tmp_path / "b" / "queries.jsonl"
    else:
        (tmp_path / "r").mkdir()
        named = tmp_path / "r" / "deep.json"
        named.write_bytes(b"[" * 100_000 + b"]" * 100_000)
        args = [bench, "compare", str(named), str(RESULT_FIXTURE)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 2 and "Traceback" not in output, output[-2000:]
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(named) in errors[0] and output.endswith(errors[0])
    assert dataset_caches(tmp_path / "cache") == []


@pytest.mark.parametrize("pandas_meta", [b'{"columns": [{}]}', b'{"index_columns": ["x"], "columns": []}', b"not json"])
def test_esci_parquet_with_damaged_pandas_metadata_loads(pandas_meta: bytes) -> None:
    # found by hypothesis (seed 2): a damaged b"pandas" schema entry made to_pandas raise KeyError('name')
    import pyarrow as pa
    import pyarrow.parquet as pq

    with workspace() as (root, cache):
        frames = {"examples": examples_frame(), "products": products_frame()}
        for key, frame in frames.items():
            table = pa.Table.from_pandas(frame, preserve_index=False)
            table = table.replace_schema_metadata({b"pandas": pandas_meta})
            pq.write_table(table, root / f"shopping_queries_dataset_{key}.parquet")
        files = [root / f"shopping_queries_dataset_{k}.parquet" for k in frames]
        assert outcome("esci", root, cache, files) == "ok"

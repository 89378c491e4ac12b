"""Shared pieces of the hostile-input property tests: hypothesis profiles, hostile values, file mutations.

Profiles, chosen with the environment variable ``HYPOTHESIS_PROFILE``: ``ci`` (the default: a modest number
of examples per test, so the hostile and security suites together stay around a minute on 2 CPU cores) and
``thorough`` (10x the examples, ~5 min, for a local soak: ``HYPOTHESIS_PROFILE=thorough pytest
tests/test_hostile_input.py``). (``pytest --hypothesis-profile`` cannot name them: they are registered when this
module is imported, after pytest has configured hypothesis.) No example database is written (nothing appears in
the tree).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile(
    "ci", max_examples=40, deadline=None, database=None, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
if "HYPOTHESIS_PROFILE" in os.environ:
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif settings.get_current_profile_name() == "default":  # not chosen with pytest --hypothesis-profile
    settings.load_profile("ci")


def examples(n: int) -> Callable:
    """``n`` examples under the ci profile, scaled up with the thorough one."""
    return settings(max_examples=n * (10 if settings.default.max_examples >= 1000 else 1))


HUGE = "x" * 300_000
HOSTILE_STRINGS = [
    "", " ", "\x00", "a\x00b", "\x00" * 10, "nan", "NaN", "NA", "null", "None", "inf", "-inf", "1e400", "-1e400",
    "99999999999999999999999999", "-1", "0", "1", "3.0000001", "0.999", "2.5", "1,5", '"', '""', '"unterminated',
    "\t", ",", "\n", "\r\n", "\r", "|", "\\", "'", "\ufeff", "\u2028", "\u202e", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "é", "\x7f", HUGE,
    "<script>alert(1)</script>", "../../etc/passwd", "True", "[]", "{}", "Exact", "exact", "E", "train", "test",
    '{"_id": "x", "text": "\\ud800"}', '{"_id": 1e999}', '{"_id": "d1"}', "[" * 5000,
]
HOSTILE_TEXT = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(max_size=30),
    st.binary(max_size=12).map(lambda b: b.decode("latin-1")),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8", "utf-8", "latin-1", "utf-16", "utf-8-sig", "cp1252"])
JSON_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), HOSTILE_TEXT,
)
JSON_VALUE = st.recursive(
    JSON_SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)


# --- delimited text files ---------------------------------------------------------------------------


def read_rows(path: Path, sep: str, encoding: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline=""), delimiter=sep))


@st.composite
def table_ops(draw, n_rows: int, n_cols: int) -> list[tuple]:
    """1-3 edits of a table whose row 0 is the header."""
    row = st.integers(0, n_rows - 1)
    col = st.integers(0, n_cols - 1)
    op = st.one_of(
        st.tuples(st.just("cell"), row, col, HOSTILE_TEXT),
        st.tuples(st.just("cell"), st.integers(1, n_rows - 1), col, HOSTILE_TEXT),
        st.tuples(st.just("drop_col"), col),
        st.tuples(st.just("dup_row"), row),
        st.tuples(st.just("drop_row"), row),
        st.tuples(st.just("extra_cells"), row, st.integers(1, 3)),
        st.tuples(st.just("short_row"), row),
        st.tuples(st.just("raw_line"), row, HOSTILE_TEXT),
    )
    return draw(st.lists(op, min_size=1, max_size=3))


def apply_table_ops(rows: list[list[str]], ops: list[tuple]) -> tuple[list[list[str]], list[tuple[int, str]]]:
    rows = [list(r) for r in rows]
    raw: list[tuple[int, str]] = []
    for op in ops:
        kind = op[0]
        if kind == "cell" and op[1] < len(rows) and op[2] < len(rows[op[1]]):
            rows[op[1]][op[2]] = op[3]
        elif kind == "drop_col":
            rows = [[c for i, c in enumerate(r) if i != op[1]] for r in rows]
        elif kind == "dup_row" and op[1] < len(rows):
            rows.append(list(rows[op[1]]))
        elif kind == "drop_row" and op[1] < len(rows):
            del rows[op[1]]
        elif kind == "extra_cells" and op[1] < len(rows):
            rows[op[1]].extend(["extra"] * op[2])
        elif kind == "short_row" and op[1] < len(rows) and rows[op[1]]:
            rows[op[1]].pop()
        elif kind == "raw_line":
            raw.append((op[1], op[2]))
    return rows, raw


def write_table(rows: list[list[str]], raw: list[tuple[int, str]], sep: str, newline: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=newline).writerows(rows)
    lines = buf.getvalue().split(newline)
    for at, text in raw:
        lines.insert(min(at, len(lines)), text)
    return newline.join(lines)


@st.composite
def byte_ops(draw) -> list[tuple]:
    """Byte-level damage after encoding: truncation, inserted bytes, a flipped byte."""
    op = st.one_of(
        st.tuples(st.just("truncate"), st.floats(0, 1)),
        st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=8)),
        st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
    )
    return draw(st.lists(op, max_size=2))


def apply_byte_ops(data: bytes, ops: list[tuple]) -> bytes:
    for op in ops:
        at = int(op[1] * len(data))
        if op[0] == "truncate":
            data = data[:at]
        elif op[0] == "insert":
            data = data[:at] + op[2] + data[at:]
        elif op[0] == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ op[2]]) + data[at + 1 :]
    return data


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


def mutated_table_bytes(draw, path: Path, sep: str, source_encoding: str = "utf-8") -> bytes:
    """A hypothesis-chosen corruption of the delimited file at ``path`` (its bytes, ready to write)."""
    rows = read_rows(path, sep, source_encoding)
    ops = draw(table_ops(len(rows), max(len(r) for r in rows)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = write_table(*apply_table_ops(rows, ops), sep=sep, newline=newline)
    return apply_byte_ops(encode(text, draw(ENCODINGS)), draw(byte_ops()))

"""Reading original files into string tables, with errors that name the file, row and field.

Rows are counted from 1 over data rows (a header is not a row), as a user sees them in a
spreadsheet; byte-level problems (undecodable text) are reported by physical line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from benchmark.core.errors import DataFormatError, MissingDataError, short


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise MissingDataError(f"{path}: {what} not found")
    return path


def decode(path: Path, encoding: str, *, header: bool | None = True) -> str:
    """Decode a whole text file strictly; an undecodable byte is reported with its line.

    ``header``: True if the first line is a header (data rows count from line 2), False if there
    is none, None if unknown (then only the line is reported).
    """
    raw = path.read_bytes()
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        row = None if header is None else line - 1 if header else line
        bad = raw[err.start : err.end]
        raise DataFormatError(
            path,
            f"undecodable bytes {bad!r} at byte {err.start} (file is not valid {encoding})",
            row=row if row else None,
            line=line,
        ) from None


def read_delimited(
    path: Path,
    columns: Sequence[str],
    *,
    sep: str,
    encoding: str = "utf-8",
    quoting: int = csv.QUOTE_MINIMAL,
) -> pd.DataFrame:
    """A CSV/TSV file as a string DataFrame holding ``columns`` (extra columns are dropped)."""
    text = decode(path, encoding)
    kind = "TSV" if sep == "\t" else "CSV"
    try:
        header = pd.read_csv(io.StringIO(text), sep=sep, nrows=0, quoting=quoting).columns
    except pd.errors.EmptyDataError:
        raise DataFormatError(path, "file is empty (no header row)") from None
    except (pd.errors.ParserError, ValueError, csv.Error) as err:
        raise DataFormatError(path, f"malformed {kind} header: {err}", line=1) from None
    missing = [c for c in columns if c not in header]
    if missing:
        shown = ", ".join(short(str(c), 40) for c in list(header)[:12]) + (", ..." if len(header) > 12 else "")
        raise DataFormatError(path, f"missing column(s) {missing}; header has [{shown}]", field=missing[0])
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            usecols=list(columns),
            dtype=str,
            keep_default_na=False,
            quoting=quoting,
        )
    except (pd.errors.ParserError, ValueError, csv.Error) as err:
        raise DataFormatError(path, f"malformed {kind}: {err}") from None
    return frame[list(columns)].reset_index(drop=True)


class Kind:
    """What a parquet column must hold: ``TEXT`` (strings), ``ID`` (strings or integers, read as strings),
    ``FLAG`` (integers or booleans)."""

    TEXT, ID, FLAG = "text", "id", "flag"


def _type_ok(kind: str, arrow_type: pa.DataType) -> bool:
    view = getattr(pa.types, "is_string_view", lambda _t: False)
    textual = (pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or view(arrow_type)
               or pa.types.is_null(arrow_type))
    if kind == Kind.TEXT:
        return textual or pa.types.is_dictionary(arrow_type) and pa.types.is_string(arrow_type.value_type)
    if kind == Kind.ID:
        return textual or pa.types.is_integer(arrow_type)
    return pa.types.is_integer(arrow_type) or pa.types.is_boolean(arrow_type) or pa.types.is_null(arrow_type)


def require_columns(path: Path, schema: pa.Schema, columns: Sequence[str]) -> None:
    """A :class:`DataFormatError` naming the first of ``columns`` that a parquet file's ``schema`` lacks."""
    missing = [c for c in columns if c not in schema.names]
    if missing:
        shown = ", ".join(short(str(c), 40) for c in schema.names[:20]) + (", ..." if len(schema.names) > 20 else "")
        raise DataFormatError(path, f"missing column(s) {missing}; file has [{shown}]", field=missing[0])


def read_parquet(
    path: Path, columns: Sequence[str], optional: Sequence[str] = (), kinds: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The named columns of a parquet file; unknown extra columns are ignored.

    ``kinds`` (column -> :class:`Kind`) types the columns: a column of another type (numbers where text is
    expected, lists, binary) is an error naming it; ``ID`` columns of integers are read as strings. The
    data is fully validated (corrupt pages, invalid UTF-8) before anything is converted.
    """
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError, ValueError) as err:
        raise DataFormatError(path, f"not a readable parquet file: {err}") from None
    require_columns(path, schema, columns)
    wanted = [*columns, *(c for c in optional if c in schema.names)]
    for name in wanted:
        kind = (kinds or {}).get(name)
        arrow_type = schema.field(name).type
        if kind is not None and not _type_ok(kind, arrow_type):
            expected = {Kind.TEXT: "strings", Kind.ID: "strings or integers", Kind.FLAG: "integers or booleans"}[kind]
            raise DataFormatError(path, f"column holds {arrow_type}, expected {expected}", field=name)
    try:
        table = pq.read_table(path, columns=wanted)
        table.validate(full=True)  # invalid UTF-8 in a string column fails here, not later in pandas
        for name in wanted:
            if (kinds or {}).get(name) == Kind.ID and pa.types.is_integer(table.schema.field(name).type):
                i = table.column_names.index(name)
                table = table.set_column(i, name, table.column(name).cast(pa.string()))
        # pandas' own schema metadata is not needed (only the named columns are read) and, when damaged,
        # makes to_pandas fail with a KeyError: drop it
        return table.replace_schema_metadata(None).to_pandas()
    except (pa.ArrowException, OSError, UnicodeDecodeError, ValueError) as err:
        raise DataFormatError(path, f"cannot decode parquet data: {err}") from None


ROW, FILE = "_row", "_file"  # optional provenance columns: a row's number and file in the original


def with_origin(frame: pd.DataFrame, path: Path | None = None) -> pd.DataFrame:
    """Remember each row's 1-based number (and file) so errors after filtering still name the original."""
    extra = {ROW: range(1, len(frame) + 1)}
    if path is not None:
        extra[FILE] = str(path)
    return frame.assign(**extra)


def first_row(mask: pd.Series) -> int | None:
    """1-based position of the first True in a boolean mask over a 0-based RangeIndex frame."""
    hits = mask.to_numpy().nonzero()[0]
    return int(hits[0]) + 1 if len(hits) else None


def fail(frame: pd.DataFrame, position: int, path: Path, message: str, field: str | None = None) -> DataFormatError:
    """The error for the row at 1-based ``position`` of ``frame``, named as in the original file."""
    row = int(frame[ROW].iat[position - 1]) if ROW in frame else position
    where = Path(frame[FILE].iat[position - 1]) if FILE in frame else path
    return DataFormatError(where, message, row=row, field=field)


def value_at(frame: pd.DataFrame, position: int, column: str) -> object:
    value = frame[column].iat[position - 1]
    return value.item() if hasattr(value, "item") else value


def reject(frame: pd.DataFrame, bad: pd.Series, path: Path, column: str, template: str) -> None:
    """Raise for the first row where ``bad`` holds; ``template`` may use ``{value!r}`` (quoted shortly)."""
    row = first_row(bad)
    if row is not None:
        value = _Quoted(value_at(frame, row, column))
        raise fail(frame, row, path, template.format(value=value), column)


class _Quoted:
    """A value whose ``!r`` is :func:`~benchmark.core.errors.short`: a huge field never floods a message."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return short(self.value)

    def __str__(self) -> str:
        return short(self.value)[1:-1] if isinstance(self.value, str) else short(self.value)


def require_nonempty(frame: pd.DataFrame, column: str, path: Path) -> None:
    values = frame[column]
    mask = values.isna() | (values.astype(str).str.strip() == "")
    row = first_row(mask)
    if row is not None:
        raise fail(frame, row, path, "empty value", column)


def require_unique(frame: pd.DataFrame, columns: Sequence[str], path: Path) -> None:
    dup = frame.duplicated(list(columns), keep=False)
    first = first_row(dup)
    if first is None:
        return
    key = tuple(value_at(frame, first, c) for c in columns)
    same = (frame[list(columns)] == pd.Series(key, index=list(columns))).all(axis=1)
    positions = [int(i) + 1 for i in same.to_numpy().nonzero()[0][:3]]
    rows = [int(frame[ROW].iat[p - 1]) if ROW in frame else p for p in positions]
    shown = key[0] if len(key) == 1 else key
    message = f"duplicate {'/'.join(columns)} {short(shown)} (rows {rows})"
    raise fail(frame, positions[1], path, message, columns[0])


def parse_int(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    bad = values.isna() | ~np.isfinite(values) | (values != values.round()) | (values.abs() >= 2.0**63)
    row = first_row(bad)
    if row is not None:
        raise fail(frame, row, path, f"expected an integer, got {short(value_at(frame, row, column))}", column)
    return values.astype("int64")

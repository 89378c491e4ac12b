"""Reading original files into string tables, with errors that name the file, row and field.

Rows are counted from 1 over data rows (a header is not a row), as a user sees them in a
spreadsheet; byte-level problems (undecodable text) are reported by physical line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from benchmark.errors import DataFormatError, MissingDataError


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
    try:
        header = pd.read_csv(io.StringIO(text), sep=sep, nrows=0, quoting=quoting).columns
    except pd.errors.EmptyDataError:
        raise DataFormatError(path, "file is empty (no header row)") from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataFormatError(
            path, f"missing column(s) {missing}; header has {list(header)}", row=None, field=missing[0]
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            usecols=list(columns),
            dtype=str,
            keep_default_na=False,
            quoting=quoting,
        )
    except pd.errors.ParserError as err:
        raise DataFormatError(path, f"malformed {('TSV' if sep == chr(9) else 'CSV')}: {err}") from None
    return frame[list(columns)].reset_index(drop=True)


def read_parquet(path: Path, columns: Sequence[str], optional: Sequence[str] = ()) -> pd.DataFrame:
    """The named columns of a parquet file; unknown extra columns are ignored."""
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError) as err:
        raise DataFormatError(path, f"not a readable parquet file: {err}") from None
    missing = [c for c in columns if c not in schema.names]
    if missing:
        raise DataFormatError(
            path, f"missing column(s) {missing}; file has {schema.names}", field=missing[0]
        )
    wanted = [*columns, *(c for c in optional if c in schema.names)]
    try:
        return pq.read_table(path, columns=wanted).to_pandas()
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        raise DataFormatError(path, f"cannot decode parquet data: {err}") from None


def first_row(mask: pd.Series) -> int | None:
    """1-based row number of the first True in a boolean mask over a 0-based RangeIndex frame."""
    hits = mask.to_numpy().nonzero()[0]
    return int(hits[0]) + 1 if len(hits) else None


def require_nonempty(frame: pd.DataFrame, column: str, path: Path) -> None:
    values = frame[column]
    mask = values.isna() | (values.astype(str).str.strip() == "")
    row = first_row(mask)
    if row is not None:
        raise DataFormatError(path, "empty value", row=row, field=column)


def require_unique(frame: pd.DataFrame, columns: Sequence[str], path: Path) -> None:
    dup = frame.duplicated(list(columns), keep=False)
    row = first_row(dup)
    if row is None:
        return
    key = tuple(frame.iloc[row - 1][list(columns)])
    same = (frame[list(columns)] == pd.Series(key, index=list(columns))).all(axis=1)
    rows = [int(i) + 1 for i in same.to_numpy().nonzero()[0][:3]]
    shown = key[0] if len(key) == 1 else key
    raise DataFormatError(
        path, f"duplicate {'/'.join(columns)} {shown!r} (rows {rows})", row=rows[1], field=columns[0]
    )


def parse_int(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values != values.round())
    row = first_row(bad)
    if row is not None:
        raise DataFormatError(
            path, f"expected an integer, got {frame[column].iloc[row - 1]!r}", row=row, field=column
        )
    return values.astype("int64")

"""Errors a user can cause. The CLI prints them on one line and exits non-zero."""

from __future__ import annotations

from pathlib import Path

MAX_DETAIL = 400  # characters of a data error's message after the location (values are quoted shortly)


class ShopbenchError(Exception):
    """Base class for every error caused by user input, configuration or environment."""


def one_line(text: str, limit: int = MAX_DETAIL) -> str:
    """``text`` on one line (line breaks shown as ``\\n``) and at most ``limit`` characters."""
    flat = str(text).replace("\r", "\\r").replace("\n", "\\n")
    return flat if len(flat) <= limit else f"{flat[: limit - 30]}... ({len(flat):,} characters in all)"


def short(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for quoting a value from a data file in a message."""
    text = repr(value)
    if len(text) <= limit:
        return text
    quote = text[-1] if text[:1] in ("'", '"') else ""
    return f"{text[: limit - 3 - len(quote)]}...{quote}"


class DataFormatError(ShopbenchError):
    """A data file is malformed. The message names the file, and the row and field where known.

    ``row`` counts data rows from 1 (the header of a CSV/TSV file is not a row); ``line`` is the
    physical line in a text file, where that differs or is the only thing known.
    """

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        row: int | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.row = row
        self.field = field
        self.line = line
        self.detail = one_line(message)
        where = [str(self.path)]
        if row is not None:
            where.append(f"row {row}")
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {self.detail}")


class MissingDataError(ShopbenchError):
    """A dataset's files are not where they were looked for."""


class UnknownNameError(ShopbenchError):
    """A name (dataset, retriever, text format, ...) is not known; the message lists the valid ones."""

    def __init__(self, kind: str, name: str, valid: list[str] | tuple[str, ...]) -> None:
        self.kind, self.name, self.valid = kind, name, tuple(valid)
        super().__init__(f"unknown {kind} '{one_line(name, 100)}'; valid: {', '.join(self.valid)}")


class NetworkError(ShopbenchError):
    """A download failed: no network, an unreachable host, or a bad answer from the server."""


class ChecksumError(ShopbenchError):
    """A downloaded or cached file does not have the checksum it should."""

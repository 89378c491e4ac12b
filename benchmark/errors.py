"""Errors a user can cause. The CLI prints them on one line and exits non-zero."""

from __future__ import annotations

from pathlib import Path


class ShopbenchError(Exception):
    """Base class for every error caused by user input, configuration or environment."""


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
        self.detail = message
        where = [str(self.path)]
        if row is not None:
            where.append(f"row {row}")
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}")


class MissingDataError(ShopbenchError):
    """A dataset's files are not where they were looked for."""


class UnknownNameError(ShopbenchError):
    """A name (dataset, retriever, text format, ...) is not known; the message lists the valid ones."""

    def __init__(self, kind: str, name: str, valid: list[str] | tuple[str, ...]) -> None:
        self.kind, self.name, self.valid = kind, name, tuple(valid)
        super().__init__(f"unknown {kind} '{name}'; valid: {', '.join(self.valid)}")


class NetworkError(ShopbenchError):
    """A download failed: no network, an unreachable host, or a bad answer from the server."""


class ChecksumError(ShopbenchError):
    """A downloaded or cached file does not have the checksum it should."""

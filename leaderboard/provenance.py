"""Provenance for a table: dataset checksum, product-text format, run dates, versions, hardware, and a command per row.

Everything comes from the result files (never from the clock or the machine building the leaderboard),
so the same files give the same text. Absolute paths in the recorded commands are shortened to ``…/NAME``
(:mod:`leaderboard.portable`): a leaderboard is shared.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from benchmark.ranking.results import ResultRecord
from leaderboard.markdown import code, escape, fenced, shell_join
from leaderboard.portable import shorten_paths
from leaderboard.table import Row, Table

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_OPTIONS = {"retriever": ("-r", "--retriever"), "dataset": ("-d", "--dataset")}


def row_command(record: ResultRecord) -> list[str]:
    """The recorded ``bench run`` argv narrowed to this record's retriever (and dataset, when it is named
    literally), with the executable path shortened to ``bench``. Other options are kept as recorded."""
    argv = list(record.command)
    if not argv:
        return []
    if PurePath(argv[0]).name == "bench":
        argv[0] = "bench"
    argv = _narrow(argv, "retriever", record.retriever.name)
    return _narrow(argv, "dataset", record.dataset.name)


def _narrow(argv: list[str], option: str, keep: str) -> list[str]:
    """Drop the occurrences of ``option`` whose value is not ``keep`` (unchanged when none has that value)."""
    short, long = _OPTIONS[option]
    spans: list[tuple[int, int, str]] = []  # (start, end, value)
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in (short, long) and i + 1 < len(argv):
            spans.append((i, i + 2, argv[i + 1]))
            i += 2
            continue
        if token.startswith(long + "="):
            spans.append((i, i + 1, token.split("=", 1)[1]))
        elif token.startswith(short) and len(token) > len(short) and not token.startswith("--"):
            spans.append((i, i + 1, token[len(short):]))
        i += 1
    if not any(value == keep for _, _, value in spans):
        return argv
    dropped = {k for start, end, value in spans if value != keep for k in range(start, end)}
    return [token for k, token in enumerate(argv) if k not in dropped]


def _distinct(rows: Sequence[Row], value: Callable[[ResultRecord], str]) -> str:
    """``value`` if all rows agree, else ``v1 (a, b); v2 (c)`` (plain text)."""
    by_value: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_value[value(row.result.record)].append(row.letter)
    if len(by_value) == 1:
        return next(iter(by_value))
    return "; ".join(f"{v} ({', '.join(letters)})" for v, letters in sorted(by_value.items()))


def text_format(record: ResultRecord) -> str:
    """The product-text format a result's texts were built with (``text_builder.format``); a fused result's
    parts as ``part: format`` where they differ."""
    builder = record.text_builder
    parts = builder.get("parts")
    if isinstance(parts, Mapping):
        formats = {str(name): _format(cfg) for name, cfg in parts.items()}
        if len(set(formats.values())) == 1:
            return next(iter(formats.values()))
        return ", ".join(f"{name}: {fmt}" for name, fmt in formats.items())
    return _format(builder)


def _format(builder: object) -> str:
    value = builder.get("format") if isinstance(builder, Mapping) else None
    return str(value) if value else "not recorded"


def _hardware(record: ResultRecord) -> str:
    env = record.environment
    cpus = f" x{env.cpu_count}" if env.cpu_count else ""
    return f"{env.cpu}{cpus}, GPU: {env.gpu or 'none'}, {env.platform}, Python {env.python}"


def _versions(rows: Sequence[Row]) -> str:
    names = sorted({name for row in rows for name in row.result.record.environment.packages})
    parts = [f"{name} " + _distinct(rows, lambda r, n=name: r.environment.packages.get(n, "absent"))
             for name in names]
    return ", ".join(parts) or "not recorded"


@dataclass(frozen=True, slots=True)
class RowCommand:
    """How to reproduce one row: the recorded ``bench run`` narrowed to it, paths shortened (empty: none recorded)."""

    letter: str
    label: str
    path: str  # the result file, relative to the results folder
    argv: tuple[str, ...]

    @property
    def comment(self) -> str:
        return _CONTROL.sub(" ", f"# {self.letter}: {self.label} <- {self.path}")

    @property
    def command(self) -> str:
        return shell_join(list(self.argv)) if self.argv else "# (no command recorded)"


@dataclass(frozen=True, slots=True)
class Superseded:
    path: str
    started: str


@dataclass(frozen=True, slots=True)
class Provenance:
    """A table's provenance as plain text (each renderer escapes): facts, one command per row, superseded files."""

    dataset: str
    split: str
    checksum: str
    gains: str  # label=gain, ...
    relevant_level: int
    queries: str  # evaluated and excluded
    facts: tuple[tuple[str, str], ...]  # (name, plain text) after the dataset and gains lines
    commands: tuple[RowCommand, ...]
    shortened: bool  # some absolute path in a command was shortened to …/NAME
    superseded: tuple[Superseded, ...]

    @property
    def commands_title(self) -> str:
        paths = "; the absolute paths of the machine that ran it shortened to …/NAME" if self.shortened else ""
        return f"Reproduce each row (`bench run` as recorded, narrowed to the row's retriever{paths}):"


def provenance(table: Table, relative: Callable[[PurePath], str]) -> Provenance:
    """Everything the footer of a table says, from the result files only."""
    key, rows = table.group.key, table.rows
    records = [row.result.record for row in rows]
    start = min(r.started_at for r in records).strftime("%Y-%m-%d %H:%M:%SZ")
    end = max(r.finished_at for r in records).strftime("%Y-%m-%d %H:%M:%SZ")
    queries = _distinct(rows, lambda r: f"{len(next(iter(r.per_query.values()), {}))} evaluated, "
                                        f"{len(r.excluded_queries)} excluded")
    gains = ", ".join(f"{label}={gain}" for label, gain in key.gains)
    facts = (
        ("text format", _distinct(rows, text_format)),
        ("protocol", key.protocol),
        ("runs", f"{start} to {end} (UTC)"),
        ("packages", _versions(rows)),
        ("hardware", _distinct(rows, _hardware)),
    )
    commands = []
    for row in rows:
        argv = row_command(row.result.record)
        commands.append(RowCommand(row.letter, row.label, relative(row.result.path),
                                   tuple(shorten_paths(token) for token in argv)))
    shortened = any(list(c.argv) != row_command(r.result.record) for c, r in zip(commands, rows, strict=True))
    superseded = tuple(Superseded(relative(old.path), old.record.started_at.strftime("%Y-%m-%d %H:%M:%SZ"))
                       for old in table.group.superseded)
    return Provenance(key.dataset, key.split, key.checksum, gains, key.relevant_level, queries, facts, tuple(commands), shortened, superseded)


def provenance_lines(table: Table, relative: Callable[[PurePath], str]) -> list[str]:
    """The footer under a table: a bullet list, then the reproduction commands in a code block."""
    found = provenance(table, relative)
    lines = ["Provenance:", "",
             f"- dataset: {escape(found.dataset)} / {escape(found.split)}, checksum {code(found.checksum)}",
             (f"- gains: {escape(found.gains)}; relevant at gain >= {found.relevant_level}; "
             f"queries: {escape(found.queries)}")]
    for name, text in found.facts:
        lines.append(f"- {name}: {code(text) if name == 'protocol' else escape(text)}")
    lines.extend(["", found.commands_title, ""])
    lines.extend(fenced([line for c in found.commands for line in (c.comment, c.command)], "bash"))
    if found.superseded:
        lines.extend(["", "Superseded by a newer result of the same system (not shown):", ""])
        lines.extend(f"- {code(old.path)} (started {old.started})" for old in found.superseded)
    return lines

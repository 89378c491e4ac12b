"""Provenance for a table: dataset checksum, product-text format, run dates, versions, hardware, and a command per row.

Everything comes from the result files (never from the clock or the machine building the leaderboard),
so the same files give the same text. Absolute paths in the recorded commands are shortened to ``…/NAME``
(:mod:`leaderboard.portable`): a leaderboard is shared.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
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
    """``value`` if all rows agree, else ``v1 (a, b); v2 (c)``."""
    by_value: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_value[value(row.result.record)].append(row.letter)
    if len(by_value) == 1:
        return escape(next(iter(by_value)))
    return "; ".join(f"{escape(v)} ({', '.join(letters)})" for v, letters in sorted(by_value.items()))


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
    parts = [f"{escape(name)} " + _distinct(rows, lambda r, n=name: r.environment.packages.get(n, "absent"))
             for name in names]
    return ", ".join(parts) or "not recorded"


def provenance_lines(table: Table, relative: Callable[[PurePath], str]) -> list[str]:
    """The footer under a table: a bullet list, then the reproduction commands in a code block."""
    key, rows = table.group.key, table.rows
    records = [row.result.record for row in rows]
    start = min(r.started_at for r in records).strftime("%Y-%m-%d %H:%M:%SZ")
    end = max(r.finished_at for r in records).strftime("%Y-%m-%d %H:%M:%SZ")
    queries = _distinct(rows, lambda r: f"{len(next(iter(r.per_query.values()), {}))} evaluated, "
                                        f"{len(r.excluded_queries)} excluded")
    gains = ", ".join(f"{label}={gain}" for label, gain in key.gains)
    lines = [
        "Provenance:",
        "",
        f"- dataset: {escape(key.dataset)} / {escape(key.split)}, checksum {code(key.checksum)}",
        f"- gains: {escape(gains)}; relevant at gain >= {key.relevant_level}; queries: {queries}",
        f"- text format: {_distinct(rows, text_format)}",
        f"- protocol: {code(key.protocol)}",
        f"- runs: {start} to {end} (UTC)",
        f"- packages: {_versions(rows)}",
        f"- hardware: {_distinct(rows, _hardware)}",
        "",
    ]
    commands = []
    shortened = False
    for row in rows:
        comment = _CONTROL.sub(" ", f"# {row.letter}: {row.label} <- {relative(row.result.path)}")
        argv = row_command(row.result.record)
        shown = [shorten_paths(token) for token in argv]
        shortened |= shown != argv
        commands.extend([comment, shell_join(shown) if shown else "# (no command recorded)"])
    paths = "; the absolute paths of the machine that ran it shortened to …/NAME" if shortened else ""
    lines.extend([f"Reproduce each row (`bench run` as recorded, narrowed to the row's retriever{paths}):", ""])
    lines.extend(fenced(commands, "bash"))
    if table.group.superseded:
        lines.extend(["", "Superseded by a newer result of the same system (not shown):", ""])
        for old in table.group.superseded:
            lines.append(f"- {code(relative(old.path))} "
                         f"(started {old.record.started_at.strftime('%Y-%m-%d %H:%M:%SZ')})")
    return lines

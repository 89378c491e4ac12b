"""Scan a results folder: load every result file, report the bad ones, group the rest into comparable tables.

A file that cannot be used (corrupt, truncated, a newer schema, invalid fields, non-finite scores) becomes a
:class:`BadFile` naming its path and the reason; it is never counted and never stops the scan. Valid results
are grouped by :class:`~leaderboard.identity.ComparabilityKey`; inside a group the newest result of each
system (by start time, then file name) is used and the older ones are listed as superseded.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.core.errors import DataFormatError, ShopbenchError
from benchmark.ranking.results import ResultRecord, load_result
from leaderboard.identity import ComparabilityKey, labels_for, system_id


@dataclass(frozen=True, slots=True)
class LoadedResult:
    path: Path
    record: ResultRecord
    system: str

    @property
    def key(self) -> ComparabilityKey:
        return ComparabilityKey.of(self.record)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        r = self.record
        return (r.started_at.isoformat(), r.finished_at.isoformat(), self.path.name)


@dataclass(frozen=True, slots=True)
class BadFile:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Group:
    """One table: comparable results, newest per system, and the older results they replaced."""

    key: ComparabilityKey
    results: tuple[LoadedResult, ...]
    superseded: tuple[LoadedResult, ...]
    variant: str = ""
    differences: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        base = f"{self.key.dataset} / {self.key.split}"
        return f"{base} (variant {self.variant})" if self.variant else base


@dataclass(frozen=True, slots=True)
class Scan:
    root: Path
    groups: tuple[Group, ...]
    bad_files: tuple[BadFile, ...]
    labels: dict[str, str] = field(default_factory=dict)

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def scan(root: Path | str) -> Scan:
    """Load every ``*.json`` under ``root`` (recursively, hidden files skipped) and group the results."""
    root = Path(root)
    if not root.is_dir():
        raise ShopbenchError(f"results folder not found: {root}")
    paths = sorted(p for p in root.rglob("*.json")
                   if not any(part.startswith(".") for part in p.relative_to(root).parts))
    loaded, bad = load_all(paths)
    return collect(root, loaded, bad)


def load_all(paths: Iterable[Path]) -> tuple[list[LoadedResult], list[BadFile]]:
    loaded: list[LoadedResult] = []
    bad: list[BadFile] = []
    for path in paths:
        try:
            record = load_result(path)
            check_usable(record, path)
        except DataFormatError as exc:
            bad.append(BadFile(path, exc.detail))
        except (ShopbenchError, OSError, ValueError, RecursionError) as exc:
            bad.append(BadFile(path, str(exc) or type(exc).__name__))
        else:
            loaded.append(LoadedResult(path, record, system_id(record)))
    return loaded, bad


def check_usable(record: ResultRecord, path: Path) -> None:
    """Reject records that load but cannot be shown honestly: non-finite scores, per-query metrics not in metrics."""
    for name, value in record.metrics.items():
        if not math.isfinite(value):
            raise DataFormatError(path, f"metric {name} is {value}", field=f"metrics.{name}")
    for name, scores in record.per_query.items():
        if name not in record.metrics:
            raise DataFormatError(path, f"per-query scores for {name}, which is not in metrics",
                                  field=f"per_query.{name}")
        if not all(math.isfinite(v) for v in scores.values()):
            raise DataFormatError(path, f"non-finite per-query score for {name}", field=f"per_query.{name}")


def collect(root: Path, loaded: Sequence[LoadedResult], bad: Sequence[BadFile]) -> Scan:
    by_key: dict[ComparabilityKey, list[LoadedResult]] = defaultdict(list)
    for result in loaded:
        by_key[result.key].append(result)
    groups = [_group(key, results) for key, results in by_key.items()]
    groups = _name_variants(sorted(groups, key=lambda g: g.key))
    labels = labels_for(r.record for r in loaded)
    return Scan(root, tuple(groups), tuple(sorted(bad, key=lambda b: b.path)), labels)


def _group(key: ComparabilityKey, results: Sequence[LoadedResult]) -> Group:
    by_system: dict[str, list[LoadedResult]] = defaultdict(list)
    for result in results:
        by_system[result.system].append(result)
    current, superseded = [], []
    for system in sorted(by_system):
        ordered = sorted(by_system[system], key=lambda r: r.sort_key, reverse=True)
        current.append(ordered[0])
        superseded.extend(ordered[1:])
    return Group(key, tuple(current), tuple(sorted(superseded, key=lambda r: (r.system, r.sort_key))))


def _name_variants(groups: list[Group]) -> list[Group]:
    """Groups sharing dataset and split get variants A, B, ... and name what differs from the others."""
    by_setting: dict[tuple[str, str], list[Group]] = defaultdict(list)
    for group in groups:
        by_setting[group.key.setting].append(group)
    named: list[Group] = []
    for group in groups:
        siblings = by_setting[group.key.setting]
        if len(siblings) == 1:
            named.append(group)
            continue
        index = siblings.index(group)
        differences = []
        for j, other in enumerate(siblings):
            if j != index:
                differences.append(f"vs variant {_variant(j)}: " + "; ".join(group.key.differences(other.key)))
        named.append(Group(group.key, group.results, group.superseded, _variant(index), tuple(differences)))
    return named


def _variant(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)

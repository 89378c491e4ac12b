"""Turn `bench compare` arguments (result files, or retriever names for one dataset and split) into results.

Every chosen result must share one comparability key; otherwise the difference is named and nothing is
compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmark.core.errors import MissingDataError
from benchmark.ranking.evaluation import Metric
from benchmark.ranking.results import ResultRecord, load_result
from leaderboard.collect import BadFile, LoadedResult, check_usable, scan
from leaderboard.errors import IncomparableResultsError, LeaderboardError, SystemSelectionError
from leaderboard.identity import ComparabilityKey, labels_for, system_id
from leaderboard.table import TABLE_METRICS


@dataclass(frozen=True, slots=True)
class Selection:
    results: tuple[LoadedResult, ...]
    labels: tuple[str, ...]
    key: ComparabilityKey
    bad_files: tuple[BadFile, ...] = ()


def _looks_like_path(item: str) -> bool:
    return item.endswith(".json") or "/" in item or "\\" in item


def select(items: Sequence[str], results_dir: Path, dataset: str | None, split: str) -> Selection:
    """Results for ``items`` (paths or retriever names/labels), checked to be comparable, in the given order."""
    if len(items) < 2:
        raise LeaderboardError("compare needs at least two result files or retriever names")
    chosen: list[LoadedResult] = []
    bad: tuple[BadFile, ...] = ()
    candidates: list[LoadedResult] | None = None
    for item in items:
        path = Path(item)
        if path.is_file():
            record = load_result(path)
            check_usable(record, path)
            chosen.append(LoadedResult(path, record, system_id(record)))
            continue
        if _looks_like_path(item):
            raise MissingDataError(f"result file not found: {item}")
        if dataset is None:
            raise LeaderboardError(f"'{item}' is not a file; to compare by retriever name pass --dataset (and --split)")
        if candidates is None:
            found = scan(results_dir)
            bad = found.bad_files
            candidates = [r for g in found.groups for r in g.results if g.key.setting == (dataset, split)]
        chosen.append(_by_name(item, candidates, results_dir, dataset, split))
    return _checked(chosen, bad)


def _by_name(name: str, candidates: Sequence[LoadedResult], results_dir: Path, dataset: str,
             split: str) -> LoadedResult:
    labels = labels_for(r.record for r in candidates)
    matches = [r for r in candidates if r.record.retriever.name == name or labels[r.system] == name]
    if not matches:
        known = sorted({labels[r.system] for r in candidates})
        raise SystemSelectionError(f"no result for '{name}' on {dataset}/{split} in {results_dir}; found: "
                                   + (", ".join(known) or "none"))
    systems = sorted({labels[r.system] for r in matches})
    if len(systems) > 1:
        raise SystemSelectionError(f"'{name}' matches {len(systems)} systems on {dataset}/{split}: "
                                   f"{', '.join(systems)}; name one of these labels or pass its result file")
    return max(matches, key=lambda r: r.sort_key)


def _checked(chosen: Sequence[LoadedResult], bad: tuple[BadFile, ...]) -> Selection:
    keys = [r.key for r in chosen]
    for result, key in zip(chosen[1:], keys[1:]):
        if key != keys[0]:
            raise IncomparableResultsError(
                f"{result.path} cannot be compared with {chosen[0].path}: " + "; ".join(key.differences(keys[0])))
    seen: dict[str, Path] = {}
    for result in chosen:
        if result.system in seen:
            raise LeaderboardError(f"{result.path} and {seen[result.system]} are results of the same system; "
                                   "compare different systems (the newest result is the one to use)")
        seen[result.system] = result.path
    labels = labels_for(r.record for r in chosen)
    return Selection(tuple(chosen), tuple(labels[r.system] for r in chosen), keys[0], bad)


def choose_metrics(asked: Sequence[str] | None, key: ComparabilityKey,
                   records: Sequence[ResultRecord] = ()) -> tuple[str, ...]:
    """Canonical metric names: those asked for (each must be in every one of ``records``, or in the key's standard
    set when no records are given), else the table metrics."""
    if not asked:
        return tuple(m for m in TABLE_METRICS if m in key.metrics) or key.metrics
    names = tuple(dict.fromkeys(Metric.parse(m).name for m in asked))
    available = [m for m in records[0].metrics if all(m in r.metrics for r in records)] if records else key.metrics
    missing = [m for m in names if m not in available]
    if missing:
        older = " (a result file written before a metric existed does not have it)" if records else ""
        raise LeaderboardError(f"metric(s) {', '.join(missing)} not in these results{older}; available: "
                               + ", ".join(available))
    return names

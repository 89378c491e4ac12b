"""``bench reproduce``: a known-answer regression matrix (conditions x datasets -> expected metrics).

The matrix is a YAML file (``regressions/matrix.yaml``)::

    tolerance:
      ok: 1.0e-4              # |delta| <= ok                      -> OK
      okish:                  # |delta| <= okish[retriever kind]   -> OKish (CPU/GPU numerics differ)
        splade: 0.002
    rows:
      - id: homedepot-bm25
        retriever: bm25
        dataset: homedepot
        split: test
        settings: {k1: 0.9}   # retriever --set values
        drop_self_hits: false # BEIR ArguAna: drop hits whose id equals the query id
        expected: {NDCG@10: 0.4120}
        source: measured with shopbench 0.x on 2026-11-25
        blocked: ""           # a reason makes the row SKIP (e.g. a missing feature)

Every row is run with :func:`benchmark.fusion.systems.run_any`; a row whose data is missing or whose
optional extra is not installed is SKIP with the reason, never FAIL. Anything else that fails is
ERROR. ``--update`` rewrites the expected values of the rows that ran (after a diff).
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from benchmark.core.errors import MissingDataError, ShopbenchError
from benchmark.core.overrides import read_yaml_mapping

DEFAULT_MATRIX = Path(__file__).resolve().parents[2] / "regressions" / "matrix.yaml"
OK, OKISH, FAIL, SKIP, ERROR = "OK", "OKish", "FAIL", "SKIP", "ERROR"


class MatrixError(ShopbenchError):
    """The regression matrix file is malformed."""


@dataclass(frozen=True)
class Tolerance:
    ok: float = 1e-4
    okish: Mapping[str, float] = field(default_factory=dict)  # retriever name (before '@') -> tolerance

    def status(self, retriever: str, delta: float) -> str:
        if abs(delta) <= self.ok:
            return OK
        if abs(delta) <= self.okish.get(retriever.partition("@")[0], 0.0):
            return OKISH
        return FAIL


@dataclass(frozen=True)
class Row:
    id: str
    retriever: str
    dataset: str
    expected: Mapping[str, float]
    split: str = "test"
    settings: Mapping[str, Any] = field(default_factory=dict)
    dataset_options: Sequence[str] = ()
    drop_self_hits: bool = False
    source: str = ""
    blocked: str = ""


@dataclass(frozen=True)
class Matrix:
    tolerance: Tolerance
    rows: tuple[Row, ...]
    raw: dict[str, Any]

    def select(self, pattern: str | None) -> list[Row]:
        """Rows whose id, retriever or dataset matches the glob (or substring) ``pattern``."""
        if not pattern:
            return list(self.rows)
        glob = pattern if any(c in pattern for c in "*?[") else f"*{pattern}*"
        return [r for r in self.rows if any(fnmatch.fnmatch(v, glob) for v in (r.id, r.retriever, r.dataset))]


ROW_KEYS = {"id", "retriever", "dataset", "expected", "split", "settings", "dataset_options", "drop_self_hits",
            "source", "blocked"}


def load_matrix(path: Path) -> Matrix:
    raw = read_yaml_mapping(path, "the regression matrix", MatrixError)
    if not isinstance(raw.get("rows"), list):
        raise MatrixError(f"{path}: expected a mapping with a 'rows' list")
    tol = raw.get("tolerance") or {}
    tolerance = Tolerance(float(tol.get("ok", 1e-4)), {str(k): float(v) for k, v in (tol.get("okish") or {}).items()})
    rows, seen = [], set()
    for i, item in enumerate(raw["rows"]):
        if not isinstance(item, dict):
            raise MatrixError(f"{path}: row {i} is not a mapping")
        unknown = set(item) - ROW_KEYS
        missing = {"id", "retriever", "dataset", "expected"} - set(item)
        if unknown or missing:
            raise MatrixError(f"{path}: row {item.get('id', i)}: unknown keys {sorted(unknown)}, "
                              f"missing keys {sorted(missing)} (keys: {sorted(ROW_KEYS)})")
        if item["id"] in seen:
            raise MatrixError(f"{path}: duplicate row id {item['id']!r}")
        seen.add(item["id"])
        expected = item["expected"]
        if not isinstance(expected, dict) or not expected:
            raise MatrixError(f"{path}: row {item['id']}: 'expected' must map metric names to values")
        rows.append(Row(**{**item, "expected": {str(k): float(v) for k, v in expected.items()},
                           "dataset_options": tuple(item.get("dataset_options") or ()),
                           "settings": dict(item.get("settings") or {})}))
    return Matrix(tolerance, tuple(rows), raw)


@dataclass(frozen=True)
class MetricCheck:
    metric: str
    expected: float
    actual: float | None
    status: str

    @property
    def delta(self) -> float | None:
        return None if self.actual is None else self.actual - self.expected


@dataclass(frozen=True)
class RowResult:
    row: Row
    status: str
    checks: tuple[MetricCheck, ...] = ()
    reason: str = ""
    metrics: Mapping[str, float] = field(default_factory=dict)


RANK = {OK: 0, SKIP: 0, OKISH: 1, FAIL: 2, ERROR: 3}


def check_row(row: Row, metrics: Mapping[str, float], tolerance: Tolerance) -> RowResult:
    checks = []
    for metric, expected in row.expected.items():
        actual = metrics.get(metric)
        status = ERROR if actual is None else tolerance.status(row.retriever, actual - expected)
        checks.append(MetricCheck(metric, expected, actual, status))
    worst = max((c.status for c in checks), key=RANK.__getitem__)
    reason = "" if all(c.actual is not None for c in checks) else f"metric missing (have {sorted(metrics)})"
    return RowResult(row, worst, tuple(checks), reason, dict(metrics))


Runner = Callable[[Row], Mapping[str, float]]


def harness_runner(data_dir: Path | None, cache_dir: Path | None, output_dir: Path) -> Runner:
    def run(row: Row) -> Mapping[str, float]:
        from benchmark.fusion.systems import run_any
        from benchmark.pipeline.harness import RunRequest

        request = RunRequest(retriever=row.retriever, dataset=row.dataset, split=row.split,
                             overrides=dict(row.settings), dataset_options=tuple(row.dataset_options),
                             data_dir=data_dir, cache_dir=cache_dir, output_dir=output_dir,
                             drop_self_hits=row.drop_self_hits)
        return run_any(request).record.metrics

    return run


def run_matrix(matrix: Matrix, runner: Runner, pattern: str | None = None,
               on_result: Callable[[RowResult], None] | None = None) -> list[RowResult]:
    from retrievers.local import MissingExtraError

    results = []
    for row in matrix.select(pattern):
        if row.blocked:
            result = RowResult(row, SKIP, reason=row.blocked)
        else:
            try:
                result = check_row(row, runner(row), matrix.tolerance)
            except (MissingDataError, MissingExtraError) as err:
                result = RowResult(row, SKIP, reason=str(err))
            except ShopbenchError as err:
                result = RowResult(row, ERROR, reason=str(err))
        results.append(result)
        if on_result:
            on_result(result)
    return results


def updated_text(matrix: Matrix, results: Sequence[RowResult], digits: int = 4) -> str:
    """The matrix YAML with the expected values of every row that ran replaced by its measured values."""
    measured = {r.row.id: r for r in results if r.checks}
    raw = yaml.safe_load(yaml.safe_dump(matrix.raw, sort_keys=False))
    for item in raw["rows"]:
        result = measured.get(item["id"])
        if result is None:
            continue
        for metric in list(item["expected"]):
            if result.metrics.get(metric) is not None:
                item["expected"][metric] = round(float(result.metrics[metric]), digits)
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=110)


def diff_text(old: str, new: str, path: Path) -> str:
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), str(path), f"{path} (updated)"))


def exit_code(results: Sequence[RowResult]) -> int:
    return 1 if any(r.status in (FAIL, ERROR) for r in results) else 0


def render(results: Sequence[RowResult]) -> None:
    from rich.table import Table

    from benchmark.core.console import console

    table = Table(title="regression matrix", show_lines=False)
    for column in ("row", "retriever", "dataset", "metric", "expected", "actual", "delta", "status"):
        table.add_column(column, justify="right" if column in ("expected", "actual", "delta") else "left")
    colour = {OK: "green", OKISH: "yellow", FAIL: "red", ERROR: "red", SKIP: "dim"}
    for result in results:
        row = result.row
        if not result.checks:
            table.add_row(row.id, row.retriever, f"{row.dataset}/{row.split}", "", "", "", "",
                          f"[{colour[result.status]}]{result.status}[/]: {result.reason}")
            continue
        for check in result.checks:
            delta = "" if check.delta is None else f"{check.delta:+.4f}"
            actual = "—" if check.actual is None else f"{check.actual:.4f}"
            table.add_row(row.id, row.retriever, f"{row.dataset}/{row.split}", check.metric, f"{check.expected:.4f}",
                          actual, delta, f"[{colour[check.status]}]{check.status}[/]")
    console.print(table)
    counts = {s: sum(1 for r in results if r.status == s) for s in (OK, OKISH, FAIL, ERROR, SKIP)}
    console.print("  ".join(f"{s}: {n}" for s, n in counts.items()))


def overlap_at_k(run_a: Mapping[str, Sequence[tuple[str, float]]], run_b: Mapping[str, Sequence[tuple[str, float]]],
                 k: int = 10) -> float:
    """Mean over queries (either run) of |top-k(a) & top-k(b)| / k' where k' = min(k, longer list)."""
    shares = []
    for qid in set(run_a) | set(run_b):
        top_a = {d for d, _ in list(run_a.get(qid, ()))[:k]}
        top_b = {d for d, _ in list(run_b.get(qid, ()))[:k]}
        size = min(k, max(len(top_a), len(top_b)))
        shares.append(len(top_a & top_b) / size if size else 1.0)
    return sum(shares) / len(shares) if shares else 1.0

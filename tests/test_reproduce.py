"""`bench reproduce`: the regression matrix, its tolerance policy, SKIP rules and --update."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from benchmark.app import reproduce as rp
from benchmark.app.cli import app
from benchmark.core.errors import MissingDataError
from retrievers.local import MissingExtraError


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


MATRIX = {
    "tolerance": {"ok": 1e-4, "okish": {"dense": 0.002}},
    "rows": [
        {"id": "a-bm25", "retriever": "bm25", "dataset": "a", "expected": {"NDCG@10": 0.5}},
        {"id": "a-dense", "retriever": "dense", "dataset": "a", "expected": {"NDCG@10": 0.5}},
        {"id": "a-dense-far", "retriever": "dense", "dataset": "a", "expected": {"NDCG@10": 0.4}},
        {"id": "missing-data", "retriever": "bm25", "dataset": "b", "expected": {"NDCG@10": 0.5}},
        {"id": "missing-extra", "retriever": "bm25-lucene", "dataset": "a", "expected": {"NDCG@10": 0.5}},
        {"id": "blocked", "retriever": "bm25", "dataset": "a", "expected": {"NDCG@10": 0.5}, "blocked": "not yet"},
    ],
}


def fake_runner(row: rp.Row):
    if row.dataset == "b":
        raise MissingDataError("no b data here; run `bench data fetch b`")
    if row.retriever == "bm25-lucene":
        raise MissingExtraError("bm25-lucene needs pyserini")
    return {"NDCG@10": 0.50005 if row.retriever == "bm25" else 0.501}


def write(tmp_path: Path, data=MATRIX) -> Path:
    path = tmp_path / "matrix.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_statuses_follow_the_tolerance_policy_and_missing_things_skip(tmp_path):
    matrix = rp.load_matrix(write(tmp_path))
    results = {r.row.id: r for r in rp.run_matrix(matrix, fake_runner)}
    assert {k: r.status for k, r in results.items()} == {
        "a-bm25": rp.OK, "a-dense": rp.OKISH, "a-dense-far": rp.FAIL,
        "missing-data": rp.SKIP, "missing-extra": rp.SKIP, "blocked": rp.SKIP}
    assert "bench data fetch" in results["missing-data"].reason and results["blocked"].reason == "not yet"
    assert results["a-dense"].checks[0].delta == pytest.approx(0.001)
    assert rp.exit_code(list(results.values())) == 1
    assert rp.exit_code([results["a-bm25"], results["missing-data"]]) == 0


def test_only_selects_by_glob_or_substring(tmp_path):
    matrix = rp.load_matrix(write(tmp_path))
    assert [r.id for r in matrix.select("dense")] == ["a-dense", "a-dense-far"]
    assert [r.id for r in matrix.select("missing-*")] == ["missing-data", "missing-extra"]


def test_malformed_matrices_are_explained(tmp_path):
    with pytest.raises(rp.MatrixError, match="unknown keys"):
        rp.load_matrix(write(tmp_path, {"rows": [{**MATRIX["rows"][0], "typo": 1}]}))
    with pytest.raises(rp.MatrixError, match="duplicate"):
        rp.load_matrix(write(tmp_path, {"rows": [MATRIX["rows"][0]] * 2}))


def test_update_rewrites_only_rows_that_ran(tmp_path):
    path = write(tmp_path)
    matrix = rp.load_matrix(path)
    results = rp.run_matrix(matrix, fake_runner)
    new = rp.updated_text(matrix, results)
    diff = rp.diff_text(path.read_text(), new, path)
    assert "+    NDCG@10: 0.501" in diff and "-    NDCG@10: 0.4" in diff
    rows = {r["id"]: r for r in yaml.safe_load(new)["rows"]}
    assert rows["missing-data"]["expected"]["NDCG@10"] == 0.5 and rows["a-dense-far"]["expected"]["NDCG@10"] == 0.501


def test_shipped_matrix_loads_and_declares_the_policy():
    matrix = rp.load_matrix(rp.DEFAULT_MATRIX)
    assert matrix.tolerance.ok == 1e-4
    ids = {r.id for r in matrix.rows}
    assert {"homedepot-bm25", "homedepot-bm25-lucene", "beir-arguana-bm25-lucene"} <= ids
    arguana = next(r for r in matrix.rows if r.id == "beir-arguana-bm25-lucene")
    assert arguana.drop_self_hits and arguana.expected["NDCG@10"] == 0.397


def test_cli_runs_the_matrix_on_demo_and_updates_it(tmp_path):
    pytest.importorskip("rank_bm25")
    data = {"rows": [
        {"id": "demo-bm25-rank", "retriever": "bm25-rank", "dataset": "demo", "expected": {"NDCG@10": 0.1}},
        {"id": "absent", "retriever": "bm25", "dataset": "beir:nfcorpus", "expected": {"NDCG@10": 0.3218}},
    ]}
    path = write(tmp_path, data)
    args = ["reproduce", "--matrix", str(path), "--output-dir", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "FAIL: 1" in result.output and "SKIP: 1" in result.output  # the reason is checked above (tables wrap)
    result = CliRunner().invoke(app, [*args, "--update", "--yes"])
    assert result.exit_code == 0 and "@@" in result.output, result.output
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and "OK: 1" in result.output, result.output

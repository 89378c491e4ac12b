"""`bench compare`: choosing results by file or name, refusing incomparable ones, deterministic output."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import REPO
from test_leaderboard import FAST, HISTORIC, make_record, write_record
from typer.testing import CliRunner

from benchmark.app.cli import app
from leaderboard.commands import compare_results
from leaderboard.errors import IncomparableResultsError, LeaderboardError, SystemSelectionError


def _results(folder):
    paths = [write_record(folder, make_record(name, shift=shift, seed=seed))
             for name, shift, seed in (("bm25", 0.0, 1), ("splade", 0.1, 2), ("dense", 0.0, 3))]
    return folder, paths


def test_compare_files_gives_letters_effects_and_identical_markdown(tmp_path):
    folder, paths = _results(tmp_path / "r")
    items = [str(p) for p in paths]
    first = compare_results(items, folder, None, "test", None, FAST)
    again = compare_results(items, folder, None, "test", None, FAST)
    assert first.markdown == again.markdown
    assert first.comparison.metrics == ("NDCG@10", "MRR@10", "Recall@100")
    assert first.comparison.letters("NDCG@10", 1) == "ac"  # splade beats bm25 (a) and dense (c)
    pair = first.comparison.pair("NDCG@10", 0, 1)
    assert pair.ci is not None and pair.ci[0] < pair.difference < pair.ci[1] < 0
    assert pair.win_tie_loss.losses > 50
    assert "| b | splade | " in first.markdown and "<sup>ac</sup>" in first.markdown
    assert "Holm step-down correction" in first.markdown and "the 3 pairs of systems" in first.markdown


def test_compare_by_name_uses_the_newest_result(tmp_path):
    folder, _ = _results(tmp_path / "r")
    older = make_record("bm25", shift=0.3, started=make_record().started_at.replace(year=2024))
    write_record(folder, older)
    outcome = compare_results(["bm25", "splade"], folder, "toy", "test", ["ndcg@10"], FAST)
    assert outcome.selection.labels == ("bm25", "splade")
    assert outcome.selection.results[0].record.started_at.year == 2025
    assert outcome.comparison.metrics == ("NDCG@10",)


def test_incomparable_results_are_refused_with_the_difference_named(tmp_path):
    a = write_record(tmp_path, make_record("bm25"))
    b = write_record(tmp_path, make_record("splade", checksum="cd" * 32))
    with pytest.raises(IncomparableResultsError, match="dataset checksum cdcdcdcdcdcd… vs abababababab…"):
        compare_results([str(a), str(b)], tmp_path, None, "test", None, FAST)


def test_name_matching_several_systems_is_ambiguous(tmp_path):
    write_record(tmp_path, make_record("bm25", config={"k1": 0.9}), "a")
    write_record(tmp_path, make_record("bm25", config={"k1": 1.2}), "b")
    write_record(tmp_path, make_record("splade"), "c")
    with pytest.raises(SystemSelectionError, match=r"matches 2 systems.*bm25 \(k1=0.9\), bm25 \(k1=1.2\)"):
        compare_results(["bm25", "splade"], tmp_path, "toy", "test", None, FAST)
    chosen = compare_results(["bm25 (k1=1.2)", "splade"], tmp_path, "toy", "test", None, FAST)
    assert chosen.selection.results[0].record.retriever.config == {"k1": 1.2}


def test_user_errors(tmp_path):
    folder, paths = _results(tmp_path / "r")
    with pytest.raises(LeaderboardError, match="at least two"):
        compare_results([str(paths[0])], folder, None, "test", None, FAST)
    with pytest.raises(LeaderboardError, match="pass --dataset"):
        compare_results(["bm25", "splade"], folder, None, "test", None, FAST)
    with pytest.raises(SystemSelectionError, match="no result for 'colbert'.*found: bm25, dense, splade"):
        compare_results(["bm25", "colbert"], folder, "toy", "test", None, FAST)
    with pytest.raises(LeaderboardError, match="P@10 not in these results"):
        compare_results([str(p) for p in paths[:2]], folder, None, "test", ["P@10"], FAST)
    with pytest.raises(LeaderboardError, match="same system"):
        compare_results([str(paths[0]), str(paths[0])], folder, None, "test", None, FAST)


def test_different_query_sets_are_paired_on_the_shared_queries(tmp_path):
    a = write_record(tmp_path, make_record("bm25"))
    short = make_record("splade", shift=0.1)
    per_query = {m: dict(list(v.items())[:50]) for m, v in short.per_query.items()}
    b = write_record(tmp_path, short.model_copy(update={"per_query": per_query}))
    outcome = compare_results([str(a), str(b)], tmp_path, None, "test", ["NDCG@10"], FAST)
    assert outcome.comparison.pairs[0].queries == 50
    assert "evaluated on different queries (60 and 50); paired on the 50 they share" in outcome.markdown


def test_cli_compare_prints_tables_and_writes_markdown(tmp_path):
    md = tmp_path / "compare.md"
    args = ["compare", "bm25", "splade", "--dataset", "demo", "--results-dir", str(HISTORIC),
            "--permutations", "1000", "--markdown", str(md)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "demo/test NDCG@10" in result.output and "W/T/L" in result.output
    first = md.read_bytes()
    assert CliRunner().invoke(app, args, env={"COLUMNS": "200"}).exit_code == 0
    assert md.read_bytes() == first


def test_cli_errors_are_one_line(tmp_path):
    folder, paths = _results(tmp_path / "r")
    other = write_record(tmp_path / "o", make_record("dense", split="dev"))
    run = subprocess.run([sys.executable, "-m", "benchmark.app.cli", "compare", str(paths[0]), str(other)],
                         check=False, capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "COLUMNS": "300"}, timeout=120)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "dataset/split toy/dev vs toy/test" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    bad = subprocess.run([sys.executable, "-m", "benchmark.app.cli", "leaderboard", str(folder), "--test", "wilcoxon"],
                         check=False, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert bad.returncode == 2 and "unknown test 'wilcoxon'; valid: permutation, t-test" in bad.stderr


def test_cli_leaderboard(tmp_path):
    out = tmp_path / "LB.md"
    args = ["leaderboard", str(HISTORIC), "--output", str(out), "--permutations", "1000", "--no-plots"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "## demo / test" in out.read_text()

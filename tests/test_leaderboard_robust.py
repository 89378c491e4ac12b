"""The leaderboard and `bench compare` with the metrics for incomplete judgements (issue 20)."""

from __future__ import annotations

import numpy as np
import pytest
from test_leaderboard import FAST, build, make_record, write_record

from benchmark.ranking.results import ResultRecord
from leaderboard.commands import compare_results
from leaderboard.errors import LeaderboardError


def robust_record(name: str, *, shift: float, seed: int, judged: float, condensed_shift: float = 0.0,
                  queries: int = 60) -> ResultRecord:
    """A record with NDCG'@10, bpref and Judged@10 per query (what bench run writes since issue 20)."""
    record = make_record(name, shift=shift, seed=seed, queries=queries)
    data = record.model_dump(mode="json")
    rng = np.random.default_rng(seed + 100)
    qids = sorted(data["per_query"]["NDCG@10"])
    ndcg = np.array([data["per_query"]["NDCG@10"][q] for q in qids])
    extra = {"NDCG'@10": np.clip(ndcg + 0.3 + condensed_shift + rng.normal(0, 0.02, len(qids)), 0, 1),
             "bpref": np.clip(ndcg + 0.25 + condensed_shift + rng.normal(0, 0.02, len(qids)), 0, 1),
             "Judged@10": np.full(len(qids), judged)}
    for metric, values in extra.items():
        data["per_query"][metric] = dict(zip(qids, map(float, values)))
        data["metrics"][metric] = float(values.mean())
    data["judged_at_10"] = judged
    return ResultRecord.model_validate(data)


def test_robust_table_and_pool_bias_warning(tmp_path):
    results = tmp_path / "r"
    # the lexical baseline is the most judged; the neural system loses on nDCG@10 but wins once unjudged are removed
    write_record(results, robust_record("bm25", shift=0.0, seed=1, judged=0.25))
    write_record(results, robust_record("dense", shift=-0.05, seed=2, judged=0.17, condensed_shift=0.1))
    write_record(results, robust_record("splade", shift=0.0, seed=3, judged=0.24))
    text = build(results, tmp_path / "LEADERBOARD.md")
    assert "Robust to incomplete judgements" in text
    robust = text.split("Robust to incomplete judgements", 1)[1]
    header = next(line for line in robust.splitlines() if line.startswith("| "))
    assert "NDCG'@10" in header and "bpref" in header and "Judged@10" in header
    dense_row = next(line for line in robust.splitlines() if "| dense |" in line)
    assert "17%" in dense_row and "<sup>" in dense_row  # significantly better than the others on NDCG'@10
    warnings = [line for line in text.splitlines() if line.startswith("Warning: Judged@10")]
    assert len(warnings) == 1
    assert "dense (" in warnings[0] and "17%" in warnings[0] and "bm25 (" in warnings[0]
    assert "splade (" not in warnings[0]  # within 5 points of the most judged system


@pytest.mark.parametrize(("judged", "warned"), [((0.25, 0.20), False), ((0.25, 0.199), True), ((0.30, 0.31), False)])
def test_the_warning_appears_exactly_when_judged_spreads_over_five_points(tmp_path, judged, warned):
    results = tmp_path / "r"
    write_record(results, robust_record("bm25", shift=0.0, seed=1, judged=judged[0]))
    write_record(results, robust_record("dense", shift=0.1, seed=2, judged=judged[1]))
    text = build(results, tmp_path / "LEADERBOARD.md")
    assert ("Warning: Judged@10" in text) is warned


def test_files_without_the_new_metrics_share_the_table_and_show_a_dash(tmp_path):
    results = tmp_path / "r"
    write_record(results, robust_record("bm25", shift=0.0, seed=1, judged=0.25))
    old = make_record("splade", shift=0.1, seed=2)  # written before NDCG'@10 / bpref / Judged@10 existed
    assert "NDCG'@10" not in old.metrics
    write_record(results, old)
    text = build(results, tmp_path / "LEADERBOARD.md")
    assert text.count("## toy / test") == 1  # one table: the robust metrics do not split comparability
    robust = text.split("Robust to incomplete judgements", 1)[1]
    splade_row = next(line for line in robust.splitlines() if "| splade |" in line)
    assert splade_row.count("—") >= 2  # NDCG'@10 and bpref: shown as missing, never recomputed
    assert "no per-query scores for splade" in robust


def test_compare_tests_the_new_metrics_like_any_other(tmp_path):
    results = tmp_path / "r"
    paths = [write_record(results, robust_record(n, shift=s, seed=i, judged=j, condensed_shift=c))
             for i, (n, s, j, c) in enumerate((("bm25", 0.0, 0.25, 0.0), ("dense", -0.05, 0.17, 0.1)))]
    outcome = compare_results([str(p) for p in paths], results, None, "test", ["nDCG'@10", "bpref"], FAST)
    assert outcome.comparison.metrics == ("NDCG'@10", "bpref")
    assert outcome.comparison.letters("NDCG'@10", 1) == "a"  # dense beats bm25 once unjudged are removed
    assert "NDCG'@10" in outcome.markdown
    old = write_record(results, make_record("splade", shift=0.1, seed=5))
    with pytest.raises(LeaderboardError, match="written before a metric existed"):
        compare_results([str(paths[0]), str(old)], results, None, "test", ["NDCG'@10"], FAST)

"""Metrics for incomplete judgements (issue 20): condensed nDCG' (Sakai 2007), bpref (Buckley & Voorhees 2004) and
Judged@k, against trec_eval (pytrec_eval) on runs with ties, unjudged documents and queries without results."""

from __future__ import annotations

import random

import pytest

from benchmark.core.errors import UnknownNameError
from benchmark.ranking.evaluation import (
    BPREF,
    CONDENSED_NDCG_10,
    JUDGED_10,
    EvaluationError,
    Metric,
    MetricKind,
    evaluate,
    judged_at_k,
)
from benchmark.ranking.runs import Run, write_trec

pytrec_eval = pytest.importorskip("pytrec_eval")

TOL = 1e-6


def _case(seed: int, level_top: int = 3) -> tuple[dict, dict]:
    """Product-search-like: a few judged products per query, most retrieved products unjudged, scores with many
    ties (identical titles), some queries without results, some judged only relevant, some only non-relevant."""
    rng = random.Random(seed)
    qrels: dict[str, dict[str, int]] = {}
    hits: dict[str, list[tuple[str, float]]] = {}
    for i in range(300):
        qid = f"q{i:03d}"
        pool = [f"p{j}" for j in rng.sample(range(3000), 150)]
        judged = rng.sample(pool, rng.randint(1, 12))
        kind = rng.random()
        if kind < 0.1:
            qrels[qid] = {d: rng.randint(level_top, 6) for d in judged}  # only relevant judgements
        elif kind < 0.15:
            qrels[qid] = {d: 0 for d in judged}  # nothing relevant: excluded by the rules
        else:
            qrels[qid] = {d: rng.choice([0, 0, 1, 2, 3, 4, 5, 6]) for d in judged}
        if rng.random() < 0.1:
            continue  # judged, but the system returned nothing
        docs = rng.sample(pool, rng.randint(1, 100))
        hits[qid] = [(d, round(rng.uniform(0, 2), 1)) for d in docs]  # ties
    return qrels, hits


def _stored(run: Run, tmp_path) -> dict:
    path = write_trec(run, tmp_path / "run.trec", tag="t")
    with path.open() as handle:
        return pytrec_eval.parse_run(handle)


def _check(ours: dict[str, float], theirs: dict[str, dict[str, float]], measure: str) -> None:
    for qid, value in ours.items():
        expected = theirs.get(qid, {}).get(measure, 0.0)  # a query trec_eval never saw scores 0 (trec_eval -c)
        assert value == pytest.approx(expected, abs=TOL), (qid, measure)


@pytest.mark.parametrize("level", [1, 3])
def test_condensed_ndcg_and_bpref_match_trec_eval(tmp_path, level):
    qrels, hits = _case(seed=7 + level)
    run = Run.from_hits(hits)
    ev = evaluate(qrels, run, level)
    assert ev.missing_from_run and ev.excluded_queries
    stored = _stored(run, tmp_path)
    condensed = {q: {d: s for d, s in docs.items() if d in qrels.get(q, {})} for q, docs in stored.items()}
    ndcg = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut_10"}).evaluate(condensed)
    bpref = pytrec_eval.RelevanceEvaluator(qrels, {"bpref"}, relevance_level=level).evaluate(stored)
    _check(ev.per_query["NDCG'@10"], ndcg, "ndcg_cut_10")
    _check(ev.per_query["bpref"], bpref, "bpref")
    only_relevant = [q for q in ev.query_ids if q in hits and all(g >= level for g in qrels[q].values())]
    assert only_relevant  # the case ranx alone gets wrong (it divides by zero) is covered
    assert ev.metrics["bpref"] == pytest.approx(sum(ev.per_query["bpref"].values()) / ev.num_queries, abs=1e-12)


def test_condensed_differs_from_standard_only_through_unjudged_documents():
    qrels = {"q": {"a": 3, "b": 0, "c": 2}}
    run = Run.from_hits({"q": [("u1", 9.0), ("a", 8.0), ("u2", 7.0), ("c", 7.0), ("b", 1.0)]})
    ev = evaluate(qrels, run, 1, ["NDCG@10", "NDCG'@10"])
    assert ev.per_query["NDCG'@10"]["q"] == pytest.approx(1.0)  # a, c, b: the ideal order once u1, u2 are gone
    assert ev.per_query["NDCG@10"]["q"] < 1.0
    assert run.condensed(qrels)["q"] == (("a", 8.0), ("c", 7.0), ("b", 1.0))
    judged_run = Run.from_hits({"q": [("a", 2.0), ("b", 1.0)]})  # nothing unjudged: both agree
    both = evaluate(qrels, judged_run, 1, ["NDCG@10", "NDCG'@10"]).metrics
    assert both["NDCG@10"] == both["NDCG'@10"]


def test_judged_at_10_per_query_matches_the_mean():
    qrels, hits = _case(seed=3)
    run = Run.from_hits(hits)
    ev = evaluate(qrels, run, 1, [JUDGED_10])
    assert ev.metrics["Judged@10"] == pytest.approx(judged_at_k(qrels, run, 10, queries=ev.query_ids), abs=1e-12)
    q = next(q for q in ev.query_ids if q not in hits)
    assert ev.per_query["Judged@10"][q] == 0.0


def test_names_and_parsing():
    assert (CONDENSED_NDCG_10.name, BPREF.name, JUDGED_10.name) == ("NDCG'@10", "bpref", "Judged@10")
    assert Metric.parse("nDCG'@10") == CONDENSED_NDCG_10 and Metric.parse("BPREF") == BPREF
    assert Metric.parse("judged@10") == JUDGED_10 and Metric.parse("P'@5") == Metric(MetricKind.PRECISION, 5, True)
    for bad in ("bpref@10", "bpref'", "Judged'@10", "NDCG'"):
        with pytest.raises(UnknownNameError):
            Metric.parse(bad)
    with pytest.raises(EvaluationError):
        Metric(MetricKind.BPREF, 10)
    assert BPREF.ranx_name(2) == "bpref-l2"


def test_bench_run_prints_the_robust_metrics_in_their_own_table():
    from rich.console import Console
    from test_leaderboard import make_record

    from benchmark.ranking.summary import judgements_table

    new = make_record("bm25").model_copy(update={"metrics": {"NDCG@10": 0.4, "NDCG'@10": 0.7385, "bpref": 0.6287},
                                                 "judged_at_10": 0.27})
    old = make_record("dense")  # a result file from before these metrics: dashes, nothing recomputed
    console = Console(record=True, width=100)
    console.print(judgements_table([new, old]))
    text = console.export_text()
    assert "0.7385" in text and "0.6287" in text and "27%" in text
    dense = next(line for line in text.splitlines() if "dense" in line)
    assert dense.count("—") == 3

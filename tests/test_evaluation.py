from __future__ import annotations

import math
import random
import time

import pytest

from benchmark.core.errors import UnknownNameError
from benchmark.ranking.evaluation import (
    DEFAULT_METRICS,
    NDCG_10,
    PRIMARY_METRIC,
    EvaluationError,
    Metric,
    MetricKind,
    evaluable_queries,
    evaluate,
    judged_at_k,
)
from benchmark.ranking.runs import Run, write_trec

pytrec_eval = pytest.importorskip("pytrec_eval")
ir_measures = pytest.importorskip("ir_measures")

LEVEL = 3
TOL = 1e-6


def _log2(x: float) -> float:
    return math.log2(x)


# ---------------------------------------------------------------------------------------------------
# Hand-computed cases

HAND_QRELS = {
    "q1": {"a": 3, "b": 2, "c": 4, "d": 1, "z": 0},
    "q2": {"e": 5},               # judged and relevant, absent from the run: scores 0 (trec_eval -c)
    "q3": {"f": 2, "g": 0},       # nothing with gain >= 3: excluded at level 3
}
HAND_RUN = Run.from_hits({
    "q1": [("x", 5.0), ("b", 4.0), ("a", 3.0), ("y", 2.0), ("c", 1.0)],
    "q3": [("f", 1.0)],
    "q9": [("e", 1.0)],          # not in the split: ignored
})


def test_hand_computed_metrics_at_relevance_level_3():
    ev = evaluate(HAND_QRELS, HAND_RUN, LEVEL, queries=["q1", "q2", "q3", "q4"])
    dcg = 2 / _log2(3) + 3 / _log2(4) + 4 / _log2(6)
    idcg = 4 + 3 / _log2(3) + 2 / _log2(4) + 1 / _log2(5)
    expected_q1 = {"NDCG@10": dcg / idcg, "MRR@10": 1 / 3, "Recall@100": 1.0, "P@10": 0.2,
                   "MAP@100": (1 / 3 + 2 / 5) / 2}
    for name, value in expected_q1.items():
        assert ev.per_query[name] == {"q1": pytest.approx(value, abs=1e-12), "q2": 0.0}
        assert ev.metrics[name] == pytest.approx(value / 2, abs=1e-12)
    assert ev.excluded_queries == ("q3", "q4") and ev.missing_from_run == ("q2",)
    assert ev.query_ids == ("q1", "q2") and ev.num_queries == 2 and ev.relevant_level == LEVEL


def test_relevance_level_changes_binary_metrics_only():
    low = evaluate(HAND_QRELS, HAND_RUN, 1, queries=["q1"])
    high = evaluate(HAND_QRELS, HAND_RUN, 3, queries=["q1"])
    assert low.metrics["MRR@10"] == pytest.approx(1 / 2) and high.metrics["MRR@10"] == pytest.approx(1 / 3)
    assert low.metrics["Recall@100"] == pytest.approx(3 / 4) and high.metrics["Recall@100"] == 1.0
    assert low.metrics["NDCG@10"] == high.metrics["NDCG@10"]
    truncated = Run.from_hits({"q1": [("x", 2.0), ("a", 1.0)]})
    assert evaluate(HAND_QRELS, truncated, 3, ["Recall@100"], queries=["q1"]).metrics == {"Recall@100": 0.5}


def test_excluded_query_rule():
    evaluated, excluded = evaluable_queries(HAND_QRELS, 3, queries=["q3", "q1", "q2", "q4"])
    assert evaluated == ("q1", "q2") and excluded == ("q3", "q4")
    assert evaluable_queries(HAND_QRELS, 2) == (("q1", "q2", "q3"), ())
    with pytest.raises(EvaluationError, match="nothing to evaluate"):
        evaluate({"q": {"a": 1}}, HAND_RUN, 2)


def test_judged_at_k():
    assert judged_at_k(HAND_QRELS, HAND_RUN, k=10, queries=["q1"]) == pytest.approx(3 / 5)
    assert judged_at_k(HAND_QRELS, HAND_RUN, k=2, queries=["q1"]) == pytest.approx(1 / 2)
    # q2 has no results and scores 0; q3's single result is judged
    assert judged_at_k(HAND_QRELS, HAND_RUN, k=10) == pytest.approx((3 / 5 + 0 + 1) / 3)
    assert judged_at_k(HAND_QRELS, Run(), k=10) == 0.0


def test_bad_inputs():
    with pytest.raises(EvaluationError, match="relevant_level"):
        evaluate(HAND_QRELS, HAND_RUN, 0)
    with pytest.raises(EvaluationError, match="gain"):
        evaluate({"q": {"a": 2, "b": -1}}, HAND_RUN, 1)
    with pytest.raises(UnknownNameError, match="ndcg_burges"):
        evaluate(HAND_QRELS, HAND_RUN, 1, ["ndcg_burges@10"])
    with pytest.raises(TypeError):
        evaluate(HAND_QRELS, {"q1": {"a": 1.0}}, 1)  # type: ignore[arg-type]


def test_metric_names_and_parsing():
    assert [m.name for m in DEFAULT_METRICS] == ["NDCG@10", "MRR@10", "Recall@100", "P@10", "MAP@100",
                                                 "NDCG'@10", "bpref", "Judged@10"]
    assert PRIMARY_METRIC is NDCG_10 and Metric.parse("ndcg@10") == NDCG_10
    assert Metric(MetricKind.MRR, 10).ranx_name(3) == "mrr@10-l3" and NDCG_10.ranx_name(3) == "ndcg@10"
    with pytest.raises(EvaluationError):
        Metric(MetricKind.NDCG, 0)


# ---------------------------------------------------------------------------------------------------
# Parity with trec_eval (pytrec_eval) on a stored run file, and with ir_measures


def _random_case(seed: int, n: int = 400, ties: bool = True) -> tuple[dict, dict]:
    rng = random.Random(seed)
    qrels: dict[str, dict[str, int]] = {}
    hits: dict[str, list[tuple[str, float]]] = {}
    for i in range(n):
        qid = f"q{i:03d}"
        pool = [f"d{j}" for j in rng.sample(range(5000), 180)]
        top_gain = 6 if rng.random() > 0.1 else 2          # ~10 % of queries have nothing >= 3
        qrels[qid] = {d: rng.choice([0, 0, 1, 2, rng.randint(0, top_gain)]) for d in rng.sample(pool, rng.randint(1, 30))}
        if rng.random() < 0.15:
            continue                                         # judged query missing from the run
        docs = rng.sample(pool, rng.randint(1, 150))
        hits[qid] = [(d, round(rng.uniform(0, 3), 1) if ties else rng.uniform(0, 100)) for d in docs]
    hits["extra"] = [("d1", 1.0)]                            # a run query outside the qrels
    return qrels, hits


def _pytrec(qrels: dict, run: dict, measures: set[str], level: int = 1) -> dict:
    return pytrec_eval.RelevanceEvaluator(qrels, measures, relevance_level=level).evaluate(run)


def _max_diff(ours: dict[str, float], theirs: dict[str, float]) -> float:
    return max(abs(value - theirs.get(qid, 0.0)) for qid, value in ours.items())  # absent: 0 (trec_eval -c)


def test_stored_run_matches_trec_eval(tmp_path):
    qrels, hits = _random_case(seed=11)
    run = Run.from_hits(hits)
    ev = evaluate(qrels, run, LEVEL)
    assert len(ev.excluded_queries) > 10 and len(ev.missing_from_run) > 10
    path = write_trec(run, tmp_path / "run.trec", tag="test")
    with path.open() as handle:
        stored = pytrec_eval.parse_run(handle)
    graded = _pytrec(qrels, stored, {"ndcg_cut_10"})
    binary = _pytrec(qrels, stored, {"recall_100", "P_10", "map_cut_100"}, LEVEL)
    top10 = {q: {d: s for d, s in docs.items() if d in set(run.doc_ids(q)[:10])} for q, docs in stored.items()}
    rr = _pytrec(qrels, top10, {"recip_rank"}, LEVEL)
    pairs = {"NDCG@10": (graded, "ndcg_cut_10"), "Recall@100": (binary, "recall_100"), "P@10": (binary, "P_10"),
             "MAP@100": (binary, "map_cut_100"), "MRR@10": (rr, "recip_rank")}
    for name, (result, measure) in pairs.items():
        theirs = {q: m[measure] for q, m in result.items()}
        assert _max_diff(ev.per_query[name], theirs) < TOL, name
        mean = sum(theirs.get(q, 0.0) for q in ev.query_ids) / ev.num_queries
        assert ev.metrics[name] == pytest.approx(mean, abs=TOL), name


def test_matches_ir_measures_with_relevance_level():
    qrels, hits = _random_case(seed=5, ties=False)  # no ties: every implementation agrees on the order
    run = Run.from_hits(hits)
    ev = evaluate(qrels, run, LEVEL)
    plain = run.to_dict()
    M = ir_measures
    checks = [
        (M.msmarco, M.RR(rel=LEVEL) @ 10, "MRR@10"),
        (M.pytrec_eval, M.R(rel=LEVEL) @ 100, "Recall@100"),
        (M.pytrec_eval, M.P(rel=LEVEL) @ 10, "P@10"),
        (M.pytrec_eval, M.AP(rel=LEVEL) @ 100, "MAP@100"),
        (M.pytrec_eval, M.nDCG @ 10, "NDCG@10"),
    ]
    for provider, measure, name in checks:
        theirs = {m.query_id: m.value for m in provider.iter_calc([measure], qrels, plain)}
        assert _max_diff(ev.per_query[name], theirs) < TOL, name
    judged = {m.query_id: m.value for m in M.judged.iter_calc([M.Judged @ 10], qrels, plain)}
    assert len(judged) == len(qrels)  # ir_measures scores queries without results too (0)
    assert judged_at_k(qrels, run, 10) == pytest.approx(sum(judged.values()) / len(judged), abs=TOL)


def test_ranx_results_are_deterministic_with_ties():
    qrels, hits = _random_case(seed=3)
    first = evaluate(qrels, Run.from_hits(hits), LEVEL)
    for _ in range(3):
        shuffled = {q: random.Random(len(h)).sample(h, len(h)) for q, h in hits.items()}
        again = evaluate(qrels, Run.from_hits(shuffled), LEVEL)
        assert again.per_query == first.per_query and again.metrics == first.metrics


@pytest.mark.slow
def test_ten_thousand_queries_take_seconds():
    rng = random.Random(0)
    evaluate({"q": {"a": 1}}, Run.from_hits({"q": [("a", 1.0)]}), 1)  # numba compilation, cached afterwards
    qrels = {f"q{i}": {f"d{rng.randrange(50_000)}": rng.randint(0, 3) for _ in range(20)} for i in range(10_000)}
    hits = {q: [(f"d{j}", rng.random()) for j in rng.sample(range(50_000), 100)] for q in qrels}
    run = Run.from_hits(hits)
    start = time.perf_counter()
    evaluate(qrels, run, 2)
    judged_at_k(qrels, run)
    assert time.perf_counter() - start < 15

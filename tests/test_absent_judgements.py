"""Judgements naming documents absent from the catalog stay judgements, as in trec_eval -c.

Known answers from external tools: a small BEIR-format collection (written here) whose qrels name documents
that are not in corpus.jsonl, loaded by shopbench, a run over the catalog, and per-query nDCG@10 and Recall@100
from shopbench's ``evaluate`` compared with pytrec_eval (trec_eval) and ir_measures, including queries whose
relevant documents are all absent. Then what else meets such judgements: ``bench data info``, the dataset
cache and the training pairs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.datasets import beir
from benchmark.datasets.info import dataset_summary
from benchmark.datasets.registry import load_dataset
from benchmark.ranking.evaluation import NDCG_10, RECALL_100, evaluate
from benchmark.ranking.runs import Run
from benchmark.train.config import DatasetSpec
from benchmark.train.data import build_pairs, judged_negatives

pytrec_eval = pytest.importorskip("pytrec_eval")
ir_measures = pytest.importorskip("ir_measures")

TOL = 1e-9
CORPUS = {f"d{i}": f"document {i}" for i in range(1, 8)}
QUERIES = {"q1": "partly absent", "q2": "all relevant absent", "q3": "all present", "q4": "all absent, no run",
           "q5": "training query"}
TEST_QRELS = [
    ("q1", "d1", 2), ("q1", "d2", 1), ("q1", "gone-a", 2), ("q1", "d5", 0),
    ("q2", "gone-b", 1), ("q2", "gone-c", 2), ("q2", "d3", 0),
    ("q3", "d3", 1), ("q3", "d4", 2),
    ("q4", "gone-d", 1),
]
TRAIN_QRELS = [("q5", "d6", 1), ("q5", "gone-e", 2), ("q5", "d7", 0), ("q5", "gone-f", 0)]
RUN = {
    "q1": ["d2", "d5", "d1", "d3", "d4"],
    "q2": ["d3", "d1", "d2"],  # nothing relevant can be retrieved
    "q3": ["d1", "d4", "d2", "d3"],
}


def write_beir(root: Path) -> Path:
    (root / "qrels").mkdir(parents=True)
    with (root / "corpus.jsonl").open("w") as handle:
        for doc_id, text in CORPUS.items():
            handle.write(json.dumps({"_id": doc_id, "title": f"title {doc_id}", "text": text}) + "\n")
    with (root / "queries.jsonl").open("w") as handle:
        for qid, text in QUERIES.items():
            handle.write(json.dumps({"_id": qid, "text": text}) + "\n")
    for split, rows in (("test", TEST_QRELS), ("train", TRAIN_QRELS)):
        lines = ["query-id\tcorpus-id\tscore", *(f"{q}\t{d}\t{g}" for q, d, g in rows)]
        (root / "qrels" / f"{split}.tsv").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture
def collection(tmp_path) -> Path:
    return write_beir(tmp_path / "absent")


def _run() -> Run:
    return Run.from_hits({q: [(d, float(len(docs) - i)) for i, d in enumerate(docs)] for q, docs in RUN.items()})


def _trec_qrels(qrels) -> dict[str, dict[str, int]]:
    return {q: dict(docs) for q, docs in qrels.items()}


def _trec_run() -> dict[str, dict[str, float]]:
    return {q: {d: float(len(docs) - i) for i, d in enumerate(docs)} for q, docs in RUN.items()}


def test_absent_documents_are_judged_and_evaluated_as_trec_eval_does(collection):
    view = beir.load(collection).split("test")
    assert dict(view.qrels["q2"]) == {"gone-b": 1, "gone-c": 2, "d3": 0}
    ours = evaluate(view.qrels, _run(), 1, [NDCG_10, RECALL_100], queries=list(view.queries))
    assert ours.query_ids == ("q1", "q2", "q3", "q4") and ours.excluded_queries == ()  # nothing excluded

    trec = pytrec_eval.RelevanceEvaluator(_trec_qrels(view.qrels), {"ndcg_cut.10", "recall.100"}, relevance_level=1)
    theirs = trec.evaluate(_trec_run())
    ndcg, recall = ir_measures.nDCG @ 10, ir_measures.R(rel=1) @ 100
    calc = {(m.query_id, m.measure): m.value
            for m in ir_measures.iter_calc([ndcg, recall], _trec_qrels(view.qrels), _trec_run())}
    assert set(theirs) == {"q1", "q2", "q3"} <= {q for q, _ in calc}  # trec_eval scores the queries of the run
    for qid in ours.query_ids:  # a query absent from the run scores 0 (trec_eval -c)
        assert ours.per_query["NDCG@10"][qid] == pytest.approx(theirs.get(qid, {}).get("ndcg_cut_10", 0.0), abs=TOL)
        assert ours.per_query["Recall@100"][qid] == pytest.approx(theirs.get(qid, {}).get("recall_100", 0.0), abs=TOL)
        assert ours.per_query["NDCG@10"][qid] == pytest.approx(calc.get((qid, ndcg), 0.0), abs=TOL)
        assert ours.per_query["Recall@100"][qid] == pytest.approx(calc.get((qid, recall), 0.0), abs=TOL)

    # the known answers, by hand: the absent document counts in the ideal ranking and in recall's denominator
    assert ours.per_query["Recall@100"] == pytest.approx({"q1": 2 / 3, "q2": 0.0, "q3": 1.0, "q4": 0.0})
    assert ours.per_query["NDCG@10"]["q2"] == ours.per_query["NDCG@10"]["q4"] == 0.0
    mean = sum(theirs[q]["ndcg_cut_10"] for q in theirs) / 4  # trec_eval -c: every judged query, 4 of them
    assert ours.metrics["NDCG@10"] == pytest.approx(mean, abs=TOL)


def test_dropping_such_judgements_would_change_the_number(collection):
    """What shopbench did before: the absent judgements dropped, q2 and q4 then excluded (a higher, wrong mean)."""
    view = beir.load(collection).split("test")
    present = {q: {d: g for d, g in docs.items() if d in CORPUS} for q, docs in view.qrels.items()}
    kept = evaluate(view.qrels, _run(), 1, [NDCG_10], queries=list(view.queries))
    dropped = evaluate(present, _run(), 1, [NDCG_10], queries=list(view.queries))
    assert dropped.excluded_queries == ("q2", "q4")
    assert dropped.metrics["NDCG@10"] > kept.metrics["NDCG@10"]


def test_data_info_reports_them_as_kept(collection, cache_dir):
    from typer.testing import CliRunner

    from benchmark.app.cli import app

    ds = load_dataset(f"beir:{collection}")
    (anomaly,) = dataset_summary(ds)["anomalies"]
    assert anomaly == {"kind": "qrels-missing-docs", "count": 6,
                       "detail": "judgements naming documents absent from the catalog (kept, cannot be retrieved)",
                       "examples": ["gone-a", "gone-b", "gone-c", "gone-d", "gone-e"]}
    assert dataset_summary(ds)["judgements"] == len(TEST_QRELS) + len(TRAIN_QRELS)
    result = CliRunner().invoke(app, ["data", "info", f"beir:{collection}"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "qrels-missing-docs: 6" in result.output and "kept, cannot be retrieved" in result.output


def test_the_dataset_cache_keeps_them(collection, cache_dir):
    first = load_dataset(f"beir:{collection}")
    second = load_dataset(f"beir:{collection}")  # from the cache
    assert _trec_qrels(second.qrels) == _trec_qrels(first.qrels) and second.checksum == first.checksum
    assert second.anomalies == first.anomalies and "gone-d" in second.qrels["q4"]


def test_training_skips_positives_without_text_and_counts_them(collection):
    ds = beir.load(collection)
    pairs = build_pairs(DatasetSpec(name="absent", train_split="train", holdout_splits=[], dev_split=None), ds, seed=1)
    assert [(p.qid, p.doc_id) for p in pairs.pairs] == [("q5", "d6")]  # gone-e (gain 2) has no text
    assert pairs.stats["positives_absent"] == 1
    spec = DatasetSpec(name="absent", train_split="train", holdout_splits=[], dev_split=None, judged_negatives=3)
    negatives, counts = judged_negatives(build_pairs(spec, ds, seed=1), seed=1)
    assert negatives["q5"][0] == "d7" and "gone-f" not in negatives["q5"]  # the absent one is never a negative
    assert all(d in ds.corpus for d in negatives["q5"]) and counts["judged"] == 1

"""Metrics over a :class:`~benchmark.ranking.runs.Run`, computed by ranx with trec_eval ``-c`` semantics.

Rules (also recorded as :data:`EVAL_PROTOCOL` in every result file):

* **Gains.** nDCG is graded with linear gains (trec_eval ``ndcg_cut``, ranx ``ndcg``; not the
  exponential ``ndcg_burges``): every judged gain counts. MRR, Recall, P and MAP are binary: a document
  is relevant iff ``gain >= relevant_level``; ranx applies this through the metric-name suffix
  ``-l<level>`` (e.g. ``mrr@10-l2``), its documented relevance-level option.
* **Query set.** Every query of the split is evaluated (trec_eval ``-c``): a query without results
  scores 0 on every metric. A query with no judged document of ``gain >= relevant_level`` cannot be
  scored by the binary metrics and is **excluded from every metric**; its id is reported in
  :attr:`Evaluation.excluded_queries`. Run queries outside the split are ignored.
* **Order.** ranx receives the :class:`Run` order as strictly decreasing synthetic scores
  (``n, n-1, ..., 1``), so its own sort cannot reorder ties; the ``Run`` already broke them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from benchmark.core.errors import ShopbenchError, UnknownNameError
from benchmark.ranking.runs import TIE_BREAK, Run

Qrels = Mapping[str, Mapping[str, int]]

EVAL_PROTOCOL = (
    "shopbench-eval-v2: ranx, trec_eval -c; nDCG linear gains; binary metrics gain >= relevant_level; "
    "queries without a relevant judgement excluded; judgements of documents absent from the catalog kept; "
    "store candidates rescored exactly (float64, rounded once to float32), never rounded further; "
    f"ties: {TIE_BREAK}"
)


class EvaluationError(ShopbenchError):
    """Inputs that cannot be evaluated: bad gains, a bad relevance level, no evaluable query."""


class MetricKind(Enum):
    """A family of metrics: its display label, its ranx name and whether it uses graded gains."""

    NDCG = ("NDCG", "ndcg", True)
    MRR = ("MRR", "mrr", False)
    RECALL = ("Recall", "recall", False)
    PRECISION = ("P", "precision", False)
    MAP = ("MAP", "map", False)

    def __init__(self, label: str, ranx_name: str, graded: bool) -> None:
        self.label = label
        self.ranx_name = ranx_name
        self.graded = graded


@dataclass(frozen=True, slots=True)
class Metric:
    """One metric at a cutoff, e.g. ``Metric(MetricKind.NDCG, 10)`` named ``"NDCG@10"``."""

    kind: MetricKind
    k: int

    def __post_init__(self) -> None:
        if not isinstance(self.k, int) or self.k < 1:
            raise EvaluationError(f"metric cutoff must be a positive integer, got {self.k!r}")

    @property
    def name(self) -> str:
        return f"{self.kind.label}@{self.k}"

    def __str__(self) -> str:
        return self.name

    def ranx_name(self, relevant_level: int) -> str:
        """The ranx metric string; binary metrics carry the relevance level as ``-l<level>``."""
        base = f"{self.kind.ranx_name}@{self.k}"
        return base if self.kind.graded else f"{base}-l{relevant_level}"

    @classmethod
    def parse(cls, text: str) -> Metric:
        """Parse ``"NDCG@10"``, ``"mrr@10"``, ``"Recall@100"`` ... (labels are case-insensitive)."""
        label, _, cutoff = text.strip().partition("@")
        kinds = {kind.label.lower(): kind for kind in MetricKind}
        if label.lower() not in kinds or not cutoff.isdigit():
            valid = [f"{kind.label}@<k>" for kind in MetricKind]
            raise UnknownNameError("metric", text, valid)
        return cls(kinds[label.lower()], int(cutoff))


NDCG_10 = Metric(MetricKind.NDCG, 10)
MRR_10 = Metric(MetricKind.MRR, 10)
RECALL_100 = Metric(MetricKind.RECALL, 100)
P_10 = Metric(MetricKind.PRECISION, 10)
MAP_100 = Metric(MetricKind.MAP, 100)
PRIMARY_METRIC = NDCG_10
DEFAULT_METRICS: tuple[Metric, ...] = (NDCG_10, MRR_10, RECALL_100, P_10, MAP_100)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Mean and per-query scores (keyed by metric name) and the queries the rules excluded."""

    metrics: Mapping[str, float]
    per_query: Mapping[str, Mapping[str, float]]
    excluded_queries: tuple[str, ...]
    missing_from_run: tuple[str, ...]
    relevant_level: int

    @property
    def query_ids(self) -> tuple[str, ...]:
        """The evaluated queries, sorted."""
        first = next(iter(self.per_query.values()), {})
        return tuple(first)

    @property
    def num_queries(self) -> int:
        return len(self.query_ids)


def evaluable_queries(
    qrels: Qrels, relevant_level: int, queries: Iterable[str] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split the query set (``queries``, default: the qrels' queries) into (evaluated, excluded), sorted."""
    _check_level(relevant_level)
    ids = sorted(set(queries) if queries is not None else set(qrels))
    evaluated: list[str] = []
    excluded: list[str] = []
    for qid in ids:
        has_relevant = any(gain >= relevant_level for gain in qrels.get(qid, {}).values())
        (evaluated if has_relevant else excluded).append(qid)
    return tuple(evaluated), tuple(excluded)


def evaluate(
    qrels: Qrels,
    run: Run,
    relevant_level: int,
    metrics: Iterable[Metric | str] = DEFAULT_METRICS,
    *,
    queries: Iterable[str] | None = None,
) -> Evaluation:
    """Score ``run`` against ``qrels`` under the module's rules.

    ``queries`` is the split's full query set (default: the queries in ``qrels``); queries in it
    without any relevant judgement are excluded and reported.
    """
    if not isinstance(run, Run):
        raise TypeError("evaluate() needs a benchmark.ranking.runs.Run (its order is the tie-broken order)")
    chosen = _metrics(metrics)
    evaluated, excluded = evaluable_queries(qrels, relevant_level, queries)
    if not evaluated:
        raise EvaluationError(f"no query has a judged document with gain >= {relevant_level}; nothing to evaluate")
    scores = _ranx_scores(qrels, run, evaluated, [m.ranx_name(relevant_level) for m in chosen])
    per_query = {m.name: dict(zip(evaluated, scores[i].tolist())) for i, m in enumerate(chosen)}
    means = {m.name: float(np.mean(scores[i])) for i, m in enumerate(chosen)}
    missing = tuple(q for q in evaluated if not run.get(q))
    return Evaluation(means, per_query, excluded, missing, relevant_level)


def judged_at_k(qrels: Qrels, run: Run, k: int = 10, *, queries: Iterable[str] | None = None) -> float:
    """Mean over queries of the fraction of the top-``k`` results that carry any judgement (gain 0 included).

    Queries are ``queries`` (default: those in ``qrels``). As in ir_measures' ``Judged@k``, a query with
    fewer than ``k`` results divides by its result count, and a query without results scores 0
    (trec_eval ``-c``). Returns 0.0 for an empty query set.
    """
    if k < 1:
        raise EvaluationError(f"k must be at least 1, got {k}")
    fractions = []
    for qid in sorted(set(queries) if queries is not None else set(qrels)):
        top = run.get(qid, ())[:k]
        judged = qrels.get(qid, {})
        fractions.append(sum(doc in judged for doc, _ in top) / len(top) if top else 0.0)
    return float(np.mean(fractions)) if fractions else 0.0


def _metrics(metrics: Iterable[Metric | str]) -> list[Metric]:
    chosen = [m if isinstance(m, Metric) else Metric.parse(m) for m in metrics]
    if not chosen:
        raise EvaluationError("no metric asked for")
    if len({m.name for m in chosen}) != len(chosen):
        raise EvaluationError(f"a metric is listed twice: {', '.join(m.name for m in chosen)}")
    return chosen


def _check_level(relevant_level: int) -> None:
    if not isinstance(relevant_level, int) or relevant_level < 1:
        raise EvaluationError(f"relevant_level must be an integer >= 1, got {relevant_level!r}")


def _ranx_scores(qrels: Qrels, run: Run, qids: Sequence[str], ranx_metrics: list[str]) -> list[np.ndarray]:
    """Per-query scores from ranx, one array per metric, aligned with ``qids``.

    Doc ids become exact integer ids (no hashing), qrels rows are sorted by gain descending (ranx's
    ideal DCG expects that), and run rows carry ``n..1`` so ranx sees the ``Run`` order unchanged.
    A query missing from the run gets an empty result list (ranx ``make_comparable``).
    """
    import numba
    from numba.typed import List as TypedList
    from ranx import evaluate as ranx_evaluate

    ids: dict[str, int] = {}
    qrels_rows, run_rows = [], []
    for qid in qids:
        judged = sorted(qrels[qid].items(), key=lambda item: -item[1])
        _check_gains(qid, judged)
        qrels_rows.append(_rows(ids, [d for d, _ in judged], [float(g) for _, g in judged]))
        docs = run.doc_ids(qid)
        run_rows.append(_rows(ids, docs, np.arange(len(docs), 0, -1, dtype=np.float64)))
    # ranx 0.3.21 fails on a single metric with return_mean=False (KeyError): always ask for two or more.
    asked = ranx_metrics if len(ranx_metrics) > 1 else ranx_metrics * 2
    out = ranx_evaluate(TypedList(qrels_rows), TypedList(run_rows), asked, return_mean=False,
                        threads=numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    return [np.asarray(out[name], dtype=np.float64) for name in ranx_metrics]


def _rows(ids: dict[str, int], docs: Sequence[str], values: Sequence[float] | np.ndarray) -> np.ndarray:
    rows = np.empty((len(docs), 2), dtype=np.float64)
    rows[:, 0] = [ids.setdefault(doc, len(ids)) for doc in docs]
    rows[:, 1] = values
    return rows


def _check_gains(qid: str, judged: list[tuple[str, int]]) -> None:
    for doc, gain in judged:
        if not isinstance(gain, (int, np.integer)) or gain < 0:
            raise EvaluationError(f"query '{qid}', doc '{doc}': gain {gain!r} is not a non-negative integer")

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

Metrics for incomplete judgements (Home Depot judges about a quarter of a top 10, and less for systems unlike
the lexical engines that built its pool):

* **Condensed** metrics (Sakai 2007), named with a prime (``NDCG'@10``): the run with every unjudged document
  removed (ranks closed up, order otherwise kept) goes through the same ranx path; they score what a system
  ranks among the documents someone judged.
* **bpref** (Buckley & Voorhees 2004; trec_eval ``bpref``, no cutoff): over the whole run, each relevant
  document is penalised by the judged non-relevant ones ranked above it; unjudged documents are ignored. A query
  whose judgements are all relevant scores relevant-retrieved / relevant (trec_eval; ranx divides by zero).
* **Judged@k**: the fraction of the top ``k`` that carries any judgement (gain 0 included): how far the other
  metrics can be trusted for this system.
"""

from __future__ import annotations

import warnings
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
    """A family of metrics: its display label, its ranx name (None: computed here), whether it uses graded gains
    and whether it takes a cutoff."""

    NDCG = ("NDCG", "ndcg", True, True)
    MRR = ("MRR", "mrr", False, True)
    RECALL = ("Recall", "recall", False, True)
    PRECISION = ("P", "precision", False, True)
    MAP = ("MAP", "map", False, True)
    BPREF = ("bpref", "bpref", False, False)
    JUDGED = ("Judged", None, False, True)

    def __init__(self, label: str, ranx_name: str | None, graded: bool, cutoff: bool) -> None:
        self.label = label
        self.ranx_name = ranx_name
        self.graded = graded
        self.cutoff = cutoff


@dataclass(frozen=True, slots=True)
class Metric:
    """One metric, e.g. ``Metric(MetricKind.NDCG, 10)`` named ``"NDCG@10"``; ``condensed=True`` scores the run
    without its unjudged documents (``"NDCG'@10"``); bpref has no cutoff (``Metric(MetricKind.BPREF)``)."""

    kind: MetricKind
    k: int | None = None
    condensed: bool = False

    def __post_init__(self) -> None:
        if not self.kind.cutoff:
            if self.k is not None:
                raise EvaluationError(f"{self.kind.label} has no cutoff, got @{self.k}")
        elif not isinstance(self.k, int) or self.k < 1:
            raise EvaluationError(f"metric cutoff must be a positive integer, got {self.k!r}")
        if self.condensed and (self.kind.ranx_name is None or self.kind is MetricKind.BPREF):
            raise EvaluationError(f"{self.kind.label} cannot be condensed (it already ignores unjudged documents)")

    @property
    def name(self) -> str:
        label = self.kind.label + ("'" if self.condensed else "")
        return label if self.k is None else f"{label}@{self.k}"

    def __str__(self) -> str:
        return self.name

    def ranx_name(self, relevant_level: int) -> str:
        """The ranx metric string; binary metrics carry the relevance level as ``-l<level>``."""
        if self.kind.ranx_name is None:
            raise EvaluationError(f"{self.name} is not a ranx metric")
        base = self.kind.ranx_name if self.k is None else f"{self.kind.ranx_name}@{self.k}"
        return base if self.kind.graded else f"{base}-l{relevant_level}"

    @classmethod
    def parse(cls, text: str) -> Metric:
        """Parse ``"NDCG@10"``, ``"mrr@10"``, ``"nDCG'@10"``, ``"bpref"``, ``"Judged@10"`` ... (labels are
        case-insensitive; a prime after the label means condensed)."""
        label, at, cutoff = text.strip().partition("@")
        condensed = label.endswith("'")
        label = label.removesuffix("'").lower()
        kinds = {kind.label.lower(): kind for kind in MetricKind}
        kind = kinds.get(label)
        valid = [f"{k.label}@<k>" if k.cutoff else k.label for k in MetricKind] + ["NDCG'@<k> (condensed)"]
        if kind is None or (kind.cutoff and not cutoff.isdigit()) or (not kind.cutoff and at):
            raise UnknownNameError("metric", text, valid)
        try:
            return cls(kind, int(cutoff) if kind.cutoff else None, condensed)
        except EvaluationError:
            raise UnknownNameError("metric", text, valid) from None


NDCG_10 = Metric(MetricKind.NDCG, 10)
MRR_10 = Metric(MetricKind.MRR, 10)
RECALL_100 = Metric(MetricKind.RECALL, 100)
P_10 = Metric(MetricKind.PRECISION, 10)
MAP_100 = Metric(MetricKind.MAP, 100)
CONDENSED_NDCG_10 = Metric(MetricKind.NDCG, 10, condensed=True)
BPREF = Metric(MetricKind.BPREF)
JUDGED_10 = Metric(MetricKind.JUDGED, 10)
PRIMARY_METRIC = NDCG_10
STANDARD_METRICS: tuple[Metric, ...] = (NDCG_10, MRR_10, RECALL_100, P_10, MAP_100)
# robust to incomplete judgements; result files before these existed lack them (shown as "—", never recomputed)
ROBUST_METRICS: tuple[Metric, ...] = (CONDENSED_NDCG_10, BPREF, JUDGED_10)
DEFAULT_METRICS: tuple[Metric, ...] = STANDARD_METRICS + ROBUST_METRICS


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
    scores: dict[str, np.ndarray] = {}
    for condensed in (False, True):
        asked = [m for m in chosen if m.condensed == condensed and m.kind.ranx_name is not None]
        if asked:
            scored = run.condensed(qrels) if condensed else run
            found = _ranx_scores(qrels, scored, evaluated, [m.ranx_name(relevant_level) for m in asked])
            scores.update({m.name: values for m, values in zip(asked, found, strict=True)})
    for m in chosen:
        if m.kind is MetricKind.BPREF:
            scores[m.name] = _trec_bpref(qrels, run, evaluated, relevant_level, scores[m.name])
        elif m.kind is MetricKind.JUDGED:
            scores[m.name] = np.asarray([_judged(qrels.get(q, {}), run.get(q, ()), m.k) for q in evaluated])
    per_query = {m.name: dict(zip(evaluated, scores[m.name].tolist())) for m in chosen}
    means = {m.name: float(np.mean(scores[m.name])) for m in chosen}
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
    fractions = [_judged(qrels.get(qid, {}), run.get(qid, ()), k)
                 for qid in sorted(set(queries) if queries is not None else set(qrels))]
    return float(np.mean(fractions)) if fractions else 0.0


def _judged(judged: Mapping[str, int], hits: Sequence[tuple[str, float]], k: int) -> float:
    top = hits[:k]
    return sum(doc in judged for doc, _ in top) / len(top) if top else 0.0


def _trec_bpref(qrels: Qrels, run: Run, qids: Sequence[str], relevant_level: int, ranx: np.ndarray) -> np.ndarray:
    """ranx's bpref, except where a query has no judged non-relevant document: there ranx divides by zero and
    trec_eval counts each relevant retrieved document fully (relevant retrieved / relevant)."""
    out = ranx.copy()
    for i, qid in enumerate(qids):
        judged = qrels[qid]
        if any(gain < relevant_level for gain in judged.values()):
            continue
        retrieved = sum(doc in judged for doc in run.doc_ids(qid))
        out[i] = retrieved / len(judged)
    return out


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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", numba.NumbaTypeSafetyWarning)  # ranx's bpref: an index cast it does safely
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

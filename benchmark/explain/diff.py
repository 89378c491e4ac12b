"""``bench diff A B``: where two systems' runs differ, query by query, from their result files.

The per-query scores are the result files' own (``per_query``), so the deltas are exactly what the leaderboard's
paired tests see. The hits come from each result's TREC run file and the judgements from the dataset's qrels.
Wins, ties and losses (B against A) are split by simple query traits (:mod:`benchmark.explain.traits`). When both
systems are single SPLADE models, the split's queries are encoded with both (only the queries) and the terms
whose weight moved most, the share of weight on expansion terms and the non-zeros per query and per document
are compared: what fine-tuning changed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmark.core.errors import ShopbenchError
from benchmark.datasets.base import Dataset
from benchmark.explain import traits
from benchmark.explain.explain import Judgement, judgement
from benchmark.ranking.results import ResultRecord, run_path
from benchmark.ranking.runs import Run, read_trec

TIE = 1e-9  # per-query scores closer than this are a tie


class DiffError(ShopbenchError):
    """Two result files that cannot be diffed (another dataset, split or metric), or a missing run file."""


@dataclass(frozen=True)
class TopHit:
    doc_id: str
    title: str
    judgement: Judgement


@dataclass(frozen=True)
class QueryDelta:
    qid: str
    query: str
    a: float
    b: float
    traits: Mapping[str, str]
    top_a: tuple[TopHit, ...] = ()
    top_b: tuple[TopHit, ...] = ()

    @property
    def delta(self) -> float:
        return self.b - self.a

    @property
    def outcome(self) -> str:
        return "tie" if abs(self.delta) < TIE else ("win" if self.delta > 0 else "loss")


@dataclass(frozen=True)
class TraitRow:
    trait: str
    bucket: str
    queries: int
    wins: int
    ties: int
    losses: int
    mean_delta: float


@dataclass(frozen=True)
class TermShift:
    """What changed between two SPLADE models' query vectors over the split's queries."""

    grew: tuple[tuple[str, float], ...]  # term, mean weight change per query (B - A)
    shrank: tuple[tuple[str, float], ...]
    expansion_share: tuple[float, float]  # of all query weight, on expansion terms: A, B
    nnz_query: tuple[float, float]
    nnz_doc: tuple[float | None, float | None]


@dataclass(frozen=True)
class Diff:
    a: str
    b: str
    dataset: str
    split: str
    metric: str
    mean_a: float
    mean_b: float
    deltas: tuple[QueryDelta, ...]  # every query, by delta (largest win first)
    top: int
    by_trait: tuple[TraitRow, ...]
    terms: TermShift | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def wins(self) -> tuple[QueryDelta, ...]:
        return tuple(d for d in self.deltas if d.outcome == "win")[: self.top]

    @property
    def losses(self) -> tuple[QueryDelta, ...]:
        return tuple(reversed([d for d in self.deltas if d.outcome == "loss"]))[: self.top]

    def counts(self) -> Counter[str]:
        return Counter(d.outcome for d in self.deltas)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["counts"] = dict(self.counts())
        out["wins"] = [d.qid for d in self.wins]
        out["losses"] = [d.qid for d in self.losses]
        for row, delta in zip(out["deltas"], self.deltas, strict=True):
            row["delta"] = delta.delta
        return out


def run_of(path: Path, record: ResultRecord) -> Run:
    trec = run_path(path, record)
    if not trec.is_file():
        raise DiffError(f"{path}: its run file {trec.name} is missing (it is written beside the result file)")
    return read_trec(trec)


def check_pair(a: ResultRecord, b: ResultRecord, metric: str) -> None:
    for what, x, y in (("dataset", a.dataset.name, b.dataset.name), ("split", a.dataset.split, b.dataset.split),
                       ("dataset checksum", a.dataset.checksum, b.dataset.checksum)):
        if x != y:
            raise DiffError(f"the two results differ in {what} ({x} vs {y}): their queries cannot be paired")
    for record in (a, b):
        if metric not in record.per_query:
            raise DiffError(f"{record.retriever.name}: no per-query {metric} in its result file (it has "
                            f"{', '.join(sorted(record.per_query)) or 'none'})")


def diff(a: tuple[str, Path, ResultRecord], b: tuple[str, Path, ResultRecord], dataset: Dataset, metric: str,
         top: int = 20, term_shift: TermShift | None = None) -> Diff:
    """``a`` and ``b``: (label, result file, record)."""
    (label_a, path_a, rec_a), (label_b, path_b, rec_b) = a, b
    check_pair(rec_a, rec_b, metric)
    scores_a, scores_b = rec_a.per_query[metric], rec_b.per_query[metric]
    qids = sorted(set(scores_a) & set(scores_b))
    run_a, run_b = run_of(path_a, rec_a), run_of(path_b, rec_b)
    rows = []
    for qid in qids:
        text = dataset.queries.get(qid, "")
        judged = dataset.qrels.get(qid, {})
        ids_a = [d for d, _ in run_a.get(qid, ())]
        ids_b = [d for d, _ in run_b.get(qid, ())]
        row_traits = {
            "length": traits.words(text), "number or unit": traits.number_or_unit(text),
            f"judged@10 {label_a}": traits.judged_bucket(traits.judged_at_10(ids_a, judged)),
            f"judged@10 {label_b}": traits.judged_bucket(traits.judged_at_10(ids_b, judged)),
        }
        rows.append(QueryDelta(qid, text, scores_a[qid], scores_b[qid], row_traits,
                               _top3(dataset, qid, ids_a), _top3(dataset, qid, ids_b)))
    rows.sort(key=lambda d: (-d.delta, d.qid))
    notes = []
    missing = len(set(scores_a) ^ set(scores_b))
    if missing:
        notes.append(f"{missing} queries are scored in one result only and left out")
    return Diff(label_a, label_b, dataset.name, rec_a.dataset.split, metric, _mean(scores_a, qids),
                _mean(scores_b, qids), tuple(rows), top, tuple(_by_trait(rows)), term_shift, tuple(notes))


def _mean(scores: Mapping[str, float], qids: Sequence[str]) -> float:
    return sum(scores[q] for q in qids) / len(qids) if qids else 0.0


def _top3(dataset: Dataset, qid: str, ids: Sequence[str]) -> tuple[TopHit, ...]:
    return tuple(TopHit(d, dataset.corpus[d].title if d in dataset.corpus else "(not in the catalog)",
                        judgement(dataset, qid, d)) for d in ids[:3])


def _by_trait(rows: Sequence[QueryDelta]) -> list[TraitRow]:
    groups: dict[tuple[str, str], list[QueryDelta]] = defaultdict(list)
    for row in rows:
        for trait, bucket in row.traits.items():
            groups[(trait, bucket)].append(row)
    out = []
    for (trait, bucket), members in sorted(groups.items()):
        counts = Counter(m.outcome for m in members)
        out.append(TraitRow(trait, bucket, len(members), counts["win"], counts["tie"], counts["loss"],
                            sum(m.delta for m in members) / len(members)))
    return out

"""Fusing the ranked lists of several retrievers into one list per query: methods, parameters, math.

Client-side fusion works on the parts' deterministic runs (:class:`~benchmark.ranking.runs.Run` order: score
descending, then doc id descending), each cut to ``depth`` hits. Rank-based methods (RRF) see the
rank order only, so a tie inside a part is ranked by doc id, never by chance; score-based methods
(``wsum``, ``combsum``, ``combmnz``) normalise each part's scores with ranx (``min-max``, ``zmuv``,
``max``, ``sum``), then combine with ranx. DBSF is Qdrant's (ranx has none): per list, scores are
mapped through ``(s - (mean - 3 sd)) / (6 sd)`` with the sample sd (a single hit or a zero sd gives
0.5), then summed.

RRF follows Qdrant's convention so that server-side and client-side fusion agree: a document at
rank ``r`` (counted from 0) adds ``1 / (rrf_k + r)``, so the top hit adds ``1 / rrf_k`` (the paper's
and ranx's ``k`` is ``rrf_k - 1``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from benchmark.store.base import QdrantFusion

Hit = tuple[str, float]


class FuseMethod(str, Enum):
    """How the parts' lists are combined (value: the name users type)."""

    RRF = "rrf"  # reciprocal rank fusion (rank-based); parameter rrf_k
    DBSF = "dbsf"  # distribution-based score fusion (Qdrant's)
    WSUM = "wsum"  # weighted sum of normalised scores; parameters weights, norm
    COMBSUM = "combsum"  # sum of normalised scores
    COMBMNZ = "combmnz"  # sum of normalised scores x number of lists that found the document

    @property
    def uses_norm(self) -> bool:
        return self in (FuseMethod.WSUM, FuseMethod.COMBSUM, FuseMethod.COMBMNZ)

    @property
    def server(self) -> QdrantFusion | None:
        """The Qdrant fusion that computes the same thing server-side, if any."""
        return {FuseMethod.RRF: QdrantFusion.RRF, FuseMethod.DBSF: QdrantFusion.DBSF}.get(self)

    @property
    def tunable(self) -> str | None:
        """The parameter that dev-split tuning searches, if any."""
        return {FuseMethod.RRF: "rrf_k", FuseMethod.WSUM: "weights"}.get(self)


class Normalization(str, Enum):
    """Per-list score normalisation before a score-based fusion (ranx's normalisers)."""

    MIN_MAX = "min-max"
    ZMUV = "zmuv"
    MAX = "max"
    SUM = "sum"
    NONE = "none"


class FusionSite(str, Enum):
    """Where the fusion happens."""

    CLIENT = "client"  # each part searches its own index; the lists are fused here
    SERVER = "server"  # one collection holding every part's vectors; Qdrant fuses (Prefetch + Fusion)


_EMPTY = "\x00empty"  # stands in for the hits of a list that found nothing (never a real doc id)
_RANX_METHOD = {FuseMethod.WSUM: "wsum", FuseMethod.COMBSUM: "sum", FuseMethod.COMBMNZ: "mnz"}


@dataclass(frozen=True, slots=True)
class FusionParams:
    """One fully specified fusion: what the result file records and what :func:`fuse` computes."""

    method: FuseMethod = FuseMethod.RRF
    rrf_k: int = 60
    norm: Normalization = Normalization.NONE
    weights: tuple[float, ...] | None = None

    def as_dict(self) -> dict[str, object]:
        """The parameters that matter for this method (nothing else, so equal fusions record equal dicts)."""
        out: dict[str, object] = {"method": self.method.value}
        if self.method is FuseMethod.RRF:
            out["rrf_k"] = self.rrf_k
        if self.method.uses_norm:
            out["norm"] = self.norm.value
        if self.method is FuseMethod.WSUM:
            out["weights"] = list(self.weights or ())
        return out


def fuse(parts: Sequence[Mapping[str, Sequence[Hit]]], params: FusionParams) -> dict[str, list[Hit]]:
    """Fuse the parts' ranked lists (qid -> hits in rank order) into unsorted hits per query.

    Every query of any part is in the output; the caller builds a :class:`Run` (which sorts and breaks
    ties) from the result.
    """
    if len(parts) < 2:
        raise ValueError("fusion needs at least two lists")
    if params.weights is not None and len(params.weights) != len(parts):
        raise ValueError(f"{len(params.weights)} weights for {len(parts)} lists")
    qids = sorted(set().union(*parts))
    if not qids:
        return {}
    if params.method is FuseMethod.DBSF:
        return {qid: dbsf([part.get(qid, ()) for part in parts]) for qid in qids}
    if params.method is FuseMethod.RRF:
        return {qid: rrf([part.get(qid, ()) for part in parts], params.rrf_k) for qid in qids}
    return _ranx_fuse(parts, qids, params)


def warm_up(params: FusionParams, parts: int) -> None:
    """Fuse a tiny input once, so that ranx's compiled functions are loaded before anything is timed."""
    tiny = [{"q": (("a", 1.0), ("b", 0.5))} for _ in range(parts)]
    weights = (1.0 / parts,) * parts if params.weights is not None else None
    fuse(tiny, FusionParams(params.method, params.rrf_k, params.norm, weights))


def rrf(lists: Sequence[Sequence[Hit]], rrf_k: int) -> list[Hit]:
    """Reciprocal rank fusion of one query's lists (rank = position in the list, from 0): sum of
    ``1 / (rrf_k + rank)`` over the lists, added in list order. The same float64 operations as ranx's ``rrf``
    (``1 / (k + i + 1)`` with ``k = rrf_k - 1``, then ``comb_sum``), so the same bits (tests/test_fusion.py), without
    ranx's per-call conversion, which costs milliseconds for one query."""
    fused: dict[str, float] = {}
    for hits in lists:
        for rank, (doc, _) in enumerate(hits):
            fused[doc] = fused.get(doc, 0.0) + 1 / (rrf_k + rank)
    return list(fused.items())


def dbsf(lists: Sequence[Sequence[Hit]]) -> list[Hit]:
    """Qdrant's distribution-based score fusion of one query's lists."""
    fused: dict[str, float] = {}
    for hits in lists:
        if not hits:
            continue
        scores = np.array([score for _, score in hits], dtype=np.float64)
        sd = float(scores.std(ddof=1)) if len(scores) > 1 else 0.0
        if sd == 0.0:
            normalised = np.full(len(scores), 0.5)
        else:
            low = scores.mean() - 3 * sd
            normalised = (scores - low) / (6 * sd)
        for (doc, _), value in zip(hits, normalised.tolist(), strict=True):
            fused[doc] = fused.get(doc, 0.0) + value
    return list(fused.items())


def _ranx_fuse(parts: Sequence[Mapping[str, Sequence[Hit]]], qids: list[str],
               params: FusionParams) -> dict[str, list[Hit]]:
    from ranx import Run as RanxRun
    from ranx import fuse as ranx_fuse

    rank_based = params.method is FuseMethod.RRF
    runs = []
    for part in parts:
        data: dict[str, dict[str, float]] = {}
        for qid in qids:
            hits = part.get(qid, ())
            # rank-based: strictly decreasing synthetic scores, so ranx keeps the Run's tie order
            values = range(len(hits), 0, -1) if rank_based else (score for _, score in hits)
            data[qid] = {doc: float(v) for (doc, _), v in zip(hits, values, strict=True)}
        if not any(data.values()):  # ranx cannot hold a run without any hit; this one adds nothing
            data[qids[0]] = {_EMPTY: 0.0}
        runs.append(RanxRun(data))
    if rank_based:
        method, norm, kwargs = "rrf", None, {"k": params.rrf_k - 1}
    else:
        method = _RANX_METHOD[params.method]
        norm = None if params.norm is Normalization.NONE else params.norm.value
        kwargs = {"weights": list(params.weights)} if params.method is FuseMethod.WSUM else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's "unsafe cast" notes from inside ranx
        fused = ranx_fuse(runs, norm=norm, method=method, params=kwargs).to_dict()
    return {qid: [(doc, score) for doc, score in fused.get(qid, {}).items() if doc != _EMPTY] for qid in qids}

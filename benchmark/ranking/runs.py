"""Ranked result lists (runs): one deterministic order, TREC run files, atomic no-clobber writes.

The order of a :class:`Run` is the order trec_eval uses, so a stored run file evaluates the same in
shopbench (ranx), trec_eval, pytrec_eval and ir_measures:

* scores are held at float32 precision (trec_eval reads scores into a C ``float``; two doubles that
  differ only beyond float32 precision are a tie there, so they are a tie here too);
* hits are sorted by score descending, then by doc id descending (trec_eval's ``strcmp`` tie-break;
  Python compares code points, which orders UTF-8 the same way as ``strcmp``).

The order is applied on every construction; there is no way to build an unsorted ``Run``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import itemgetter
from pathlib import Path
from types import MappingProxyType
from typing import IO, TypeAlias

import numpy as np

from benchmark.core import atomic as _atomic
from benchmark.core.atomic import OutputExistsError, OutputWriteError  # noqa: F401 - re-exported
from benchmark.core.errors import DataFormatError, MissingDataError, ShopbenchError

Hit: TypeAlias = tuple[str, float]
HitsInput: TypeAlias = Iterable[tuple[str, float]] | Mapping[str, float]

FLOAT32_MAX = float(np.finfo(np.float32).max)
TIE_BREAK = "score desc at float32 precision, then doc id desc (trec_eval order)"


class RunError(ShopbenchError):
    """Hits that cannot form a run: a duplicate doc id, a non-finite score, an id that is not a string."""


class Run(Mapping[str, tuple[Hit, ...]]):
    """Immutable mapping qid -> ((doc_id, score), ...), sorted as described in the module docstring."""

    __slots__ = ("_data",)

    def __init__(self, hits: Mapping[str, HitsInput] | None = None, k: int | None = None) -> None:
        if k is not None and k < 1:
            raise RunError(f"k must be at least 1, got {k}")
        data = {qid: _rank(qid, raw, k) for qid, raw in sorted((hits or {}).items(), key=itemgetter(0))}
        self._data: Mapping[str, tuple[Hit, ...]] = MappingProxyType(data)

    @classmethod
    def from_hits(cls, hits: Mapping[str, HitsInput], k: int | None = None) -> Run:
        """Build a run from unsorted hits per query, keeping the top ``k`` per query when ``k`` is given."""
        return cls(hits, k)

    def __getitem__(self, qid: str) -> tuple[Hit, ...]:
        return self._data[qid]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Run({len(self)} queries, {self.num_hits} hits)"

    @property
    def num_hits(self) -> int:
        return sum(len(h) for h in self._data.values())

    def doc_ids(self, qid: str) -> tuple[str, ...]:
        """The ranked doc ids of one query (empty when the query has no hits)."""
        return tuple(doc for doc, _ in self._data.get(qid, ()))

    def condensed(self, judged: Mapping[str, Mapping[str, object]]) -> Run:
        """The run without the documents ``judged`` has no judgement for (any gain, 0 included): Sakai's condensed
        list. The order of the rest is unchanged, their ranks closed up; a query left without hits keeps none."""
        return Run({qid: [(doc, score) for doc, score in hits if doc in judged.get(qid, {})]
                    for qid, hits in self._data.items()})

    def to_dict(self) -> dict[str, dict[str, float]]:
        """Plain ``{qid: {doc_id: score}}`` (insertion order = rank order)."""
        return {qid: dict(hits) for qid, hits in self._data.items()}


def _rank(qid: str, raw: HitsInput, k: int | None) -> tuple[Hit, ...]:
    if not isinstance(qid, str):
        raise RunError(f"query id {qid!r} is not a string")
    pairs: list[tuple[object, object]] = list(raw.items()) if isinstance(raw, Mapping) else [
        (doc, score) for doc, score in raw]
    if not pairs:
        return ()
    docs: list[str] = []
    for doc, _ in pairs:
        if not isinstance(doc, str):
            raise RunError(f"query '{qid}': doc id {doc!r} is not a string")
        docs.append(doc)
    if len(set(docs)) != len(docs):
        seen: set[str] = set()
        for doc in docs:
            if doc in seen:
                raise RunError(f"query '{qid}': doc id '{doc}' appears more than once")
            seen.add(doc)
    scores = _float32(qid, [score for _, score in pairs])
    hits = sorted(zip(docs, scores), key=itemgetter(0), reverse=True)
    hits.sort(key=itemgetter(1), reverse=True)  # stable: equal scores keep doc id descending
    return tuple(hits[:k] if k is not None else hits)


def _float32(qid: str, scores: list[object]) -> list[float]:
    try:
        with np.errstate(over="ignore"):
            arr = np.asarray(scores, dtype=np.float64).astype(np.float32)
    except (TypeError, ValueError) as exc:
        raise RunError(f"query '{qid}': scores must be numbers ({exc})") from None
    if not np.isfinite(arr).all():
        raise RunError(f"query '{qid}': scores must be finite and within float32 range")
    return arr.astype(np.float64).tolist()


def drop_self(run: Run) -> Run:
    """Remove hits whose doc id equals the query id (BEIR ArguAna / Quora convention)."""
    return Run({qid: [h for h in hits if h[0] != qid] for qid, hits in run.items()})


# ---------------------------------------------------------------------------------------------------
# Atomic, no-clobber file writes


def atomic_write(path: Path | str, write: Callable[[IO[bytes]], None], *, overwrite: bool = False) -> Path:
    """A result file's write: :func:`benchmark.core.atomic.atomic_write` (no-clobber unless ``overwrite``), with
    the ``result.before_rename`` fault point between the synced temporary file and its move into place."""
    return _atomic.atomic_write(path, write, overwrite=overwrite, fault="result.before_rename")


# ---------------------------------------------------------------------------------------------------
# TREC run files: "qid Q0 docid rank score tag"


def format_score(score: float) -> str:
    """Nine significant digits: enough to reproduce any float32 score exactly."""
    return f"{score:.9g}"


def write_trec(run: Run, path: Path | str, tag: str, *, overwrite: bool = False) -> Path:
    """Write ``run`` as a TREC run file (ranks from 1), atomically; queries without hits are not written."""
    _check_token("tag", tag)
    for qid, hits in run.items():
        _check_token("query id", qid)
        for doc, _ in hits:
            _check_token(f"doc id (query '{qid}')", doc)

    def write(handle: IO[bytes]) -> None:
        for qid, hits in run.items():
            lines = [f"{qid} Q0 {doc} {rank} {format_score(score)} {tag}\n" for rank, (doc, score) in
                     enumerate(hits, start=1)]
            handle.write("".join(lines).encode("utf-8"))

    return atomic_write(path, write, overwrite=overwrite)


def _check_token(what: str, value: str) -> None:
    if not value or any(ch.isspace() for ch in value):
        raise RunError(f"{what} {value!r} cannot be written to a TREC run file (empty or contains whitespace)")


def read_trec(path: Path | str) -> Run:
    """Read a TREC run file. Like trec_eval, the order comes from the scores; the rank column is checked only."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissingDataError(f"run file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise DataFormatError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    hits: dict[str, dict[str, float]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        qid, doc, score = _parse_line(path, number, line)
        docs = hits.setdefault(qid, {})
        if doc in docs:
            raise DataFormatError(path, f"doc '{doc}' appears twice for query '{qid}'", line=number)
        docs[doc] = score
    try:
        return Run(hits)
    except RunError as exc:
        raise DataFormatError(path, str(exc)) from None


def _parse_line(path: Path, number: int, line: str) -> tuple[str, str, float]:
    fields = line.split()
    if len(fields) != 6:
        raise DataFormatError(path, f"expected 6 fields 'qid Q0 docid rank score tag', found {len(fields)}",
                              line=number)
    qid, _, doc, rank, score, _ = fields
    try:
        int(rank)
    except ValueError:
        raise DataFormatError(path, f"rank {rank!r} is not an integer", line=number, field="rank") from None
    try:
        value = float(score)
    except ValueError:
        raise DataFormatError(path, f"score {score!r} is not a number", line=number, field="score") from None
    if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
        raise DataFormatError(path, f"score {score!r} is not finite at float32 precision", line=number,
                              field="score")
    return qid, doc, value

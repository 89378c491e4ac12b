"""The data behind the per-query view: per-query scores of every row, each row's top hits (its TREC run file)
and their judgements, the query texts and product titles (the dataset, when it is on this machine and its
checksum is the results').

What is embedded is capped (:class:`Caps`): the top ``hits`` per system and query, titles cut at
``title_chars``; the page says so. Documents are listed once and referenced by index, so a product in several
systems' top 10 costs its title once. Everything is ordered (queries by id, documents by first appearance in
row order), so the same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.core.errors import ShopbenchError
from benchmark.datasets.base import Dataset
from benchmark.datasets.registry import load_dataset
from benchmark.ranking.results import ResultRecord, run_path
from benchmark.ranking.runs import Run, read_trec
from leaderboard.portable import shorten_paths
from leaderboard.robust import TESTED
from leaderboard.table import Table

NOT_IN_CATALOG = "(not in the catalog)"


@dataclass(frozen=True, slots=True)
class Caps:
    """How much of the runs the page embeds."""

    hits: int = 10
    title_chars: int = 160
    query_chars: int = 500

    def __post_init__(self) -> None:
        if self.hits < 1:
            raise ShopbenchError(f"--hits must be at least 1, got {self.hits}")


@dataclass(frozen=True, slots=True)
class DataSource:
    """Where the dataset (texts, titles, qrels) comes from; both None: the default data folder."""

    data_dir: Path | None = None
    cache_dir: Path | None = None
    enabled: bool = True


@dataclass
class QueryData:
    """The per-query view of one table, as the JSON the page's script reads, and what the page should say."""

    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def recorded(record: ResultRecord, *names: str) -> list[str]:
    """The values of an option (``-o x``, ``--option x``, ``--option=x``) in the recorded ``bench run`` command."""
    argv, found = record.command, []
    for i, token in enumerate(argv):
        if token in names and i + 1 < len(argv):
            found.append(argv[i + 1])
        else:
            found.extend(token.split("=", 1)[1] for name in names if name.startswith("--")
                         and token.startswith(name + "="))
    return found


def _candidates(record: ResultRecord, name: str, source: DataSource) -> list[tuple[str, Path | None]]:
    """Where the dataset may be: the ``-d`` values of the recorded command that name it (a BEIR path is recorded
    as ``beir:<folder name>``), then the name itself; in the given data folder, else the recorded one, else the
    default. The checksum decides which, if any, is the results' dataset."""
    specs = [v for v in recorded(record, "-d", "--dataset")
             if v == name or (name.startswith("beir:") and v.startswith("beir:") and Path(v[5:]).name == name[5:])]
    folders: list[Path | None] = [source.data_dir] if source.data_dir else \
        [*(Path(v) for v in recorded(record, "--data-dir")), None]
    return list(dict.fromkeys((spec, folder) for spec in [*specs, name] for folder in folders))


def load_texts(tab: Table, source: DataSource) -> tuple[Dataset | None, str | None]:
    """The table's dataset, or None and why (not here, unreadable, or other content than the results')."""
    if not source.enabled:
        return None, "query texts, titles and judgements not embedded (--no-dataset)"
    key, record = tab.group.key, tab.rows[0].result.record
    problems: list[str] = []
    for spec, folder in _candidates(record, key.dataset, source):
        try:
            dataset = load_dataset(spec, data_dir=folder, cache_dir=source.cache_dir,
                                   options=recorded(record, "-o", "--option"))
        except ShopbenchError as exc:
            problems.append(shorten_paths(str(exc)))
            continue
        if dataset.checksum == key.checksum:
            return dataset, None
        problems.append(f"{spec} found here has checksum {dataset.checksum[:12]}…, the results were computed on "
                        f"{key.checksum[:12]}…")
    return None, (f"query texts, titles and judgements not embedded: dataset {key.dataset} not found here "
                  f"({_telling(problems)}); pass --data-dir")


def _run(path: Path, record: ResultRecord, relative: Callable[[Path], str]) -> tuple[Run | None, str | None]:
    trec = run_path(path, record)
    if not trec.is_file():
        return None, f"its run file {relative(trec)} is not beside its result file"
    try:
        return read_trec(trec), None
    except ShopbenchError as exc:
        return None, shorten_paths(str(exc))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def per_query_metrics(tab: Table) -> tuple[str, ...]:
    """The table's metrics, then the robust ones, that some row has per-query scores for."""
    names = [*tab.metrics, *(m for m in TESTED if m not in tab.metrics)]
    return tuple(m for m in names if any(m in row.result.record.per_query for row in tab.rows))


def query_data(tab: Table, dataset: Dataset | None, caps: Caps,
               relative: Callable[[Path], str] = shorten_paths) -> QueryData:
    """Everything the per-query view of ``tab`` shows (``relative`` names a file for the notes)."""
    notes: list[str] = []
    metrics = per_query_metrics(tab)
    qids = sorted({q for row in tab.rows for m in metrics for q in row.result.record.per_query.get(m, {})})
    scores: dict[str, dict[str, list[float | None]]] = {}
    for metric in metrics:
        scores[metric] = {row.letter: [row.result.record.per_query.get(metric, {}).get(q) for q in qids]
                          for row in tab.rows}
    docs: dict[str, int] = {}
    hits: dict[str, list[list[int]] | None] = {}
    deepest = 0
    for row in tab.rows:
        run, problem = _run(row.result.path, row.result.record, relative)
        if run is None:
            hits[row.letter] = None
            notes.append(f"no hits for row {row.letter}: {problem}")
            continue
        per_query = []
        for qid in qids:
            ranked = run.get(qid, ())
            deepest = max(deepest, len(ranked))
            per_query.append([docs.setdefault(doc, len(docs)) for doc, _ in ranked[: caps.hits]])
        hits[row.letter] = per_query
    doc_ids = list(docs)
    data: dict[str, Any] = {
        "metrics": list(metrics),
        "systems": [{"letter": row.letter, "label": row.label} for row in tab.rows],
        "qids": qids,
        "scores": scores,
        "hits": hits,
        "docs": doc_ids,
        "caps": {"hits": caps.hits, "titleChars": caps.title_chars, "deepest": deepest},
    }
    if deepest > caps.hits:
        notes.append(f"the top {caps.hits} hits per system and query are embedded (the run files hold up to "
                     f"{deepest}); titles are cut at {caps.title_chars} characters")
    if dataset is not None:
        titles = [_cut(dataset.corpus[d].title, caps.title_chars) if d in dataset.corpus else NOT_IN_CATALOG
                  for d in doc_ids]
        labels: dict[int, str] = {}
        for label, gain in dataset.gains.labels.items():
            labels.setdefault(gain, label)
        qrels: list[Mapping[str, int]] = [dataset.qrels.get(qid, {}) for qid in qids]
        relevant = [sum(1 for g in judged.values() if g >= dataset.gains.relevant_level) for judged in qrels]
        data.update({
            "texts": [_cut(dataset.queries.get(q, ""), caps.query_chars) for q in qids],
            "titles": titles,
            "gainLabels": {str(g): label for g, label in sorted(labels.items())},
            "relevantLevel": dataset.gains.relevant_level,
            "relevant": relevant,
        })
        data["judged"] = _judged_of_embedded(qids, hits, doc_ids, qrels)
    return QueryData(data, notes)


def _judged_of_embedded(qids: Sequence[str], hits: Mapping[str, list[list[int]] | None], doc_ids: Sequence[str],
                        qrels: Sequence[Mapping[str, int]]) -> list[list[list[int]]]:
    """Per query: ``[doc index, gain]`` for the embedded hits that carry a judgement (sorted by doc index)."""
    out = []
    for position in range(len(qids)):
        shown = sorted({i for per_query in hits.values() if per_query for i in per_query[position]})
        out.append([[i, qrels[position][doc_ids[i]]] for i in shown if doc_ids[i] in qrels[position]])
    return out


def _telling(problems: Sequence[str]) -> str:
    """The most useful of the reasons: a checksum mismatch says more than a missing folder."""
    return next((p for p in problems if "checksum" in p), problems[0] if problems else "no candidate")

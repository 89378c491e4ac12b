"""BEIR-format collections: any BEIR dataset, or a user's own catalog exported that way.

``corpus.jsonl`` (``{"_id", "title", "text", "metadata"?}``), ``queries.jsonl`` (``{"_id", "text"}``)
and ``qrels/{split}.tsv`` (``query-id  corpus-id  score``, header optional). Each qrels file names a
split. A product's title is ``title`` (or ``text`` where the title is empty); ``text`` is its
description; ``metadata`` may carry ``brand``, ``bullets`` (list or string), ``color``, ``category``.

A BEIR collection's default text format is ``full`` (:data:`DEFAULT_TEXT_FORMAT`): title + text, what
BEIR's own baselines and Pyserini's BM25-flat index. The product formats (``title-brand-bullets``, the
default of the product datasets) leave ``text`` out, which ruins every BEIR number; a retriever config that
names a format still gets that format (and the run warns about the fields it leaves out).

Tolerated, counted and reported (as in the official BEIR data): qrels naming documents that are not
in the corpus (kept, as trec_eval keeps them: the query is evaluated, the document counts in nDCG's
ideal ranking and in recall's denominator, and it cannot be retrieved; ArguAna has 5 such lines),
repeated qrels lines (first kept), negative scores (gain 0). Everything else malformed is an error
naming the file, line and field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from benchmark.core.errors import DataFormatError, MissingDataError, short
from benchmark.datasets.base import Anomaly, Dataset, GainScheme, Product, absent_judgements, make_dataset
from benchmark.datasets.corpus import Corpus, DuplicateId
from benchmark.datasets.corpus_builder import CorpusBuilder
from benchmark.datasets.readers import decode, require_file

LOADER_VERSION = "2"  # 2: qrels naming documents absent from the corpus are kept (1 dropped them)
DEFAULT_TEXT_FORMAT = "full"  # title + text (a TextFormat value)
SCORE = re.compile(r"-?[0-9]{1,9}")  # an integer gain of at most 9 digits (ASCII, no '_' or '+')


@dataclass(frozen=True, slots=True)
class BeirOptions:
    relevant_level: int = 1


def source_files(root: Path) -> list[Path]:
    qrels = sorted((root / "qrels").glob("*.tsv"))
    if not qrels:
        raise MissingDataError(f"{root / 'qrels'}: no qrels/<split>.tsv files (is {root} a BEIR-format folder?)")
    return [require_file(root / "corpus.jsonl", "BEIR corpus.jsonl"), require_file(root / "queries.jsonl", "BEIR queries.jsonl"), *qrels]


def _records(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open("rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError as err:
                why = "undecodable bytes (not valid UTF-8)" if "utf-8" in str(err).lower() else f"invalid JSON: {err}"
                raise DataFormatError(path, why, line=line_no) from None
            if not isinstance(record, dict):
                raise DataFormatError(path, "expected a JSON object", line=line_no)
            doc_id = record.get("_id")
            if doc_id is None or str(doc_id).strip() == "":
                raise DataFormatError(path, "missing or empty id", line=line_no, field="_id")
            if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
                raise DataFormatError(path, f"id must be a string or an integer, got {short(doc_id)}", line=line_no,
                                      field="_id")
            yield line_no, record


def _text(record: dict, key: str, path: Path, line: int) -> str:
    value = record.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DataFormatError(path, f"expected a string, got {type(value).__name__}", line=line, field=key)
    return value


def _scalar(value: object) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _meta_text(meta: dict, key: str, path: Path, line: int) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if not _scalar(value):
        raise DataFormatError(path, f"expected a string, got {short(value)}", line=line, field=f"metadata.{key}")
    return str(value)


def _bullets(meta: dict, path: Path, line: int) -> tuple[str, ...]:
    value = meta.get("bullets")
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(b is None or _scalar(b) for b in value):
        return tuple(str(b) for b in value if b is not None)
    raise DataFormatError(path, f"expected a string or a list of strings, got {short(value)}", line=line,
                          field="metadata.bullets")


def read_corpus(path: Path) -> Corpus:
    """The catalog, collected column by column (no Python object per product is kept)."""
    builder = CorpusBuilder()
    for line, record in _records(path):
        title, text = _text(record, "title", path, line).strip(), _text(record, "text", path, line).strip()
        if not title and not text:
            raise DataFormatError(path, "empty document: both title and text are empty", line=line, field="title")
        meta = record.get("metadata")
        meta = meta if isinstance(meta, dict) else {}  # BEIR metadata of other shapes carries nothing we use
        brand, color, category = (_meta_text(meta, key, path, line) for key in ("brand", "color", "category"))
        builder.add(str(record["_id"]), Product(
            title=title or text, description=text if title else "", bullets=_bullets(meta, path, line),
            brand=brand, color=color, category=category,
        ), line)
    try:
        return builder.build()
    except DuplicateId as dup:
        raise DataFormatError(path, f"duplicate id {short(dup.doc_id)} (first on line {dup.first})", line=dup.again,
                              field="_id") from None


def read_queries(path: Path) -> dict[str, str]:
    queries: dict[str, str] = {}
    for line, record in _records(path):
        qid = str(record["_id"])
        if qid in queries:
            raise DataFormatError(path, f"duplicate id {short(qid)}", line=line, field="_id")
        text = _text(record, "text", path, line).strip()
        if not text:
            raise DataFormatError(path, "empty query text", line=line, field="text")
        queries[qid] = text
    return queries


@dataclass
class _QrelTally:
    duplicates: int = 0
    negative: int = 0


def read_qrels(path: Path, queries: dict[str, str], tally: _QrelTally) -> dict[str, dict[str, int]]:
    rows: list[tuple[str, str, int]] = []
    lines = decode(path, "utf-8", header=None).splitlines()
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if line_no == 1 and not parts[-1].strip().lstrip("-").isdigit():
            continue  # header, e.g. "query-id\tcorpus-id\tscore"
        if len(parts) == 4:  # TREC style: qid iteration docid score
            parts = [parts[0], parts[2], parts[3]]
        if len(parts) != 3:
            raise DataFormatError(path, f"expected 3 tab-separated fields, got {len(parts)}", line=line_no)
        qid, doc_id, score_text = (p.strip() for p in parts)
        if not SCORE.fullmatch(score_text):
            raise DataFormatError(path, f"score must be an integer, got {short(score_text)}", line=line_no,
                                  field="score")
        if qid not in queries:
            raise DataFormatError(path, f"unknown query id {short(qid)} (not in queries.jsonl)", line=line_no,
                                  field="query-id")
        rows.append((qid, doc_id, int(score_text)))
    qrels: dict[str, dict[str, int]] = {}
    for qid, doc_id, score in rows:
        if doc_id in qrels.get(qid, {}):
            tally.duplicates += 1
            continue
        if score < 0:
            tally.negative += 1
        qrels.setdefault(qid, {})[doc_id] = max(score, 0)
    return qrels


def _anomalies(tally: _QrelTally) -> list[Anomaly]:
    out = []
    if tally.duplicates:
        out.append(Anomaly("duplicate-qrels", tally.duplicates, "repeated (query, document) lines (first kept)"))
    if tally.negative:
        out.append(Anomaly("negative-scores", tally.negative, "negative scores, treated as gain 0 (non-relevant)"))
    return out


def load(root: Path, options: BeirOptions = BeirOptions(), name: str | None = None) -> Dataset:
    corpus_path, queries_path, *qrels_paths = source_files(root)
    corpus = read_corpus(corpus_path)
    queries = read_queries(queries_path)
    tally = _QrelTally()
    qrels: dict[str, dict[str, int]] = {}
    splits: dict[str, set[str]] = {}
    for path in qrels_paths:
        split_qrels = read_qrels(path, queries, tally)
        overlap = set(split_qrels) & set(qrels)
        if overlap:
            raise DataFormatError(path, f"query {sorted(overlap)[0]!r} is judged in another split too", field="query-id")
        splits[path.stem] = set(split_qrels)
        qrels.update(split_qrels)
    gains = sorted({g for docs in qrels.values() for g in docs.values()})
    scheme = GainScheme(labels={str(g): g for g in gains}, relevant_level=options.relevant_level,
                        note="BEIR scores used as gains")
    return make_dataset(
        name or f"beir:{root.name}", corpus, queries, qrels, splits, scheme,
        anomalies=[*absent_judgements(corpus, qrels), *_anomalies(tally)],
        source={"root": str(root), "split": "qrels/<split>.tsv files"}, default_text_format=DEFAULT_TEXT_FORMAT,
    )

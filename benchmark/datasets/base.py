"""The canonical dataset record every loader produces and everything downstream consumes.

A :class:`Dataset` is immutable: the corpus is a columnar :class:`~benchmark.datasets.corpus.Corpus`
(arrow columns in doc-id order, products built on access), the other mappings are read-only views,
splits are frozensets, and the content checksum is computed once by :func:`make_dataset` from a canonical serialisation of
everything that can change a metric (corpus fields, queries, qrels, splits, gain scheme).

A judgement may name a document absent from the catalog (trec_eval keeps such a judgement: it counts in the ideal
ranking and in recall's denominator, and simply cannot be retrieved). Loaders keep them and report them with
:func:`absent_judgements`. ``default_text_format`` is the product-text format a retriever uses on this dataset
unless its config names one (:class:`~benchmark.datasets.text.TextFormat` values).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from benchmark.core.errors import ShopbenchError
from benchmark.datasets.product import Product  # defined there (the corpus builds it); importable from here
from benchmark.datasets.splits import ALL_SPLIT

if TYPE_CHECKING:
    from benchmark.datasets.corpus import Corpus

CHECKSUM_VERSION = "shopbench-dataset-v1"
DEFAULT_TEXT_FORMAT = "title-brand-bullets"  # product datasets; BEIR collections declare "full" (title + text)
ABSENT_DOCS = "qrels-missing-docs"
ABSENT_DOCS_DETAIL = "judgements naming documents absent from the catalog (kept, cannot be retrieved)"
ABSENT_EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class GainScheme:
    """How a dataset's labels map to integer gains, and which gain counts as relevant.

    ``labels`` maps the dataset's own label (e.g. ``"E"``) to the integer gain stored in qrels.
    Binary metrics (MRR, Recall) count a document as relevant when ``gain >= relevant_level``.
    """

    labels: Mapping[str, int]
    relevant_level: int
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))

    def describe(self) -> str:
        pairs = ", ".join(f"{label}={gain}" for label, gain in self.labels.items())
        return f"{pairs}; relevant: gain >= {self.relevant_level}"


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A tolerated irregularity in the source files, counted and reported rather than fatal."""

    kind: str
    count: int
    detail: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DatasetCounts:
    products: int
    queries: int
    judgements: int
    queries_per_split: Mapping[str, int]
    judgements_per_split: Mapping[str, int]
    judgements_per_gain: Mapping[int, int]


@dataclass(frozen=True, slots=True)
class Dataset:
    """A product-search test collection. Build it with :func:`make_dataset`, never directly."""

    name: str
    corpus: Corpus  # doc id -> Product, sorted by doc id, held as arrow columns
    queries: Mapping[str, str]
    qrels: Mapping[str, Mapping[str, int]]
    splits: Mapping[str, frozenset[str]]
    gains: GainScheme
    checksum: str
    anomalies: tuple[Anomaly, ...] = ()
    source: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    default_text_format: str = DEFAULT_TEXT_FORMAT
    derived_splits: bool = False  # splits assigned by shopbench (the data has none): split "all" is allowed

    @property
    def counts(self) -> DatasetCounts:
        per_gain: Counter[int] = Counter()
        for docs in self.qrels.values():
            per_gain.update(docs.values())
        per_split_q = {name: len(ids) for name, ids in self.splits.items()}
        per_split_j = {
            name: sum(len(self.qrels.get(q, ())) for q in ids) for name, ids in self.splits.items()
        }
        return DatasetCounts(
            products=len(self.corpus),
            queries=len(self.queries),
            judgements=sum(per_gain.values()),
            queries_per_split=MappingProxyType(per_split_q),
            judgements_per_split=MappingProxyType(per_split_j),
            judgements_per_gain=MappingProxyType(dict(sorted(per_gain.items()))),
        )

    def split(self, name: str) -> SplitView:
        """The queries and qrels of one named split (the corpus is always the whole catalog).

        ``all`` (:data:`~benchmark.datasets.splits.ALL_SPLIT`) is every query, for a dataset whose splits
        shopbench assigned (:attr:`derived_splits`); a dataset with an official split refuses it."""
        if name == ALL_SPLIT and name not in self.splits:
            return self._view(name, self._every_query())
        if name not in self.splits:
            allowed = sorted(self.splits) + ([ALL_SPLIT] if self.derived_splits else [])
            raise ShopbenchError(f"dataset '{self.name}' has no split '{name}'; splits: {', '.join(allowed)}")
        return self._view(name, self.splits[name])

    def _every_query(self) -> frozenset[str]:
        if not self.derived_splits:
            official = ", ".join(sorted(self.splits))
            raise ShopbenchError(
                f"dataset '{self.name}' comes with its own splits ({official}): split '{ALL_SPLIT}' is only for "
                "datasets without an official split (WANDS, Home Depot), whose splits shopbench assigns; here it "
                "would mix training queries into the evaluation and depart from the published protocol "
                "(evaluate its held-out split, e.g. --split test)"
            )
        return frozenset(self.queries)

    def _view(self, name: str, ids: frozenset[str]) -> SplitView:
        queries = {q: self.queries[q] for q in sorted(ids)}
        qrels = {q: self.qrels[q] for q in sorted(ids) if q in self.qrels}
        return SplitView(self.name, name, MappingProxyType(queries), MappingProxyType(qrels))


@dataclass(frozen=True, slots=True)
class SplitView:
    dataset: str
    split: str
    queries: Mapping[str, str]
    qrels: Mapping[str, Mapping[str, int]]


def make_dataset(
    name: str,
    corpus: Mapping[str, Product],
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    splits: Mapping[str, Iterable[str]],
    gains: GainScheme,
    *,
    anomalies: Iterable[Anomaly] = (),
    source: Mapping[str, str] | None = None,
    checksum: str | None = None,
    default_text_format: str = DEFAULT_TEXT_FORMAT,
    derived_splits: bool = False,
) -> Dataset:
    """Freeze the parts into a :class:`Dataset`, computing the content checksum unless given.

    ``checksum`` is only passed by the binary cache, which stored the value computed at build time.
    ``corpus``: a :class:`~benchmark.datasets.corpus.Corpus` (kept as is) or any mapping (converted).
    ``default_text_format`` is not part of the checksum (the text format is part of every index key).
    ``derived_splits``: the loader assigned the splits (:class:`~benchmark.datasets.splits.HashSplit`), the data
    has no official one; split ``all`` then evaluates every query. Not part of the checksum (the splits are).
    """
    from benchmark.datasets.corpus import Corpus

    corpus = Corpus.from_products(corpus)
    frozen_qrels = {q: MappingProxyType(dict(d)) for q, d in qrels.items()}
    frozen_splits = {s: frozenset(ids) for s, ids in splits.items()}
    if checksum is None:
        checksum = content_checksum(corpus, queries, frozen_qrels, frozen_splits, gains)
    return Dataset(
        name=name,
        corpus=corpus,
        queries=MappingProxyType(dict(queries)),
        qrels=MappingProxyType(frozen_qrels),
        splits=MappingProxyType(frozen_splits),
        gains=gains,
        checksum=checksum,
        anomalies=tuple(anomalies),
        source=MappingProxyType(dict(source or {})),
        default_text_format=default_text_format,
        derived_splits=derived_splits,
    )


def absent_judgements(corpus: Mapping[str, Product], qrels: Mapping[str, Mapping[str, int]]) -> list[Anomaly]:
    """The anomaly reporting judgements whose document is not in ``corpus`` (none: an empty list).

    Such judgements stay in the qrels, as in trec_eval: the query is evaluated, the document counts in
    nDCG's ideal ranking and in recall's denominator, and no retriever can return it.
    """
    from benchmark.datasets.corpus import Corpus

    doc_ids = [doc_id for qid in sorted(qrels) for doc_id in sorted(qrels[qid])]
    known = corpus.contains_each(doc_ids) if isinstance(corpus, Corpus) else [d in corpus for d in doc_ids]
    absent = [doc_id for doc_id, here in zip(doc_ids, known, strict=True) if not here]
    if not absent:
        return []
    return [Anomaly(ABSENT_DOCS, len(absent), ABSENT_DOCS_DETAIL, tuple(sorted(set(absent))[:ABSENT_EXAMPLES]))]


def content_checksum(
    corpus: Mapping[str, Product],
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    splits: Mapping[str, frozenset[str]],
    gains: GainScheme,
) -> str:
    """sha256 over a canonical, order-independent serialisation; \\x1f/\\x1e separate fields/records."""
    from benchmark.datasets.corpus import Corpus

    h = hashlib.sha256(CHECKSUM_VERSION.encode())
    update = h.update
    update(b"\x1dcorpus")
    for ids, products in Corpus.from_products(corpus).batches():  # doc-id order
        for doc_id, p in zip(ids, products, strict=True):
            fields = (doc_id, p.title, p.brand, p.description, "\x1c".join(p.bullets), p.color, p.category)
            if p.product_class:  # only where there is one: the checksums of catalogs without classes are unchanged
                fields += (p.product_class,)
            update(("\x1f".join(fields) + "\x1e").encode())
    update(b"\x1dqueries")
    for qid in sorted(queries):
        update(f"{qid}\x1f{queries[qid]}\x1e".encode())
    update(b"\x1dqrels")
    for qid in sorted(qrels):
        for doc_id, gain in sorted(qrels[qid].items()):
            update(f"{qid}\x1f{doc_id}\x1f{gain}\x1e".encode())
    update(b"\x1dsplits")
    for name in sorted(splits):
        update(f"{name}\x1f{','.join(sorted(splits[name]))}\x1e".encode())
    update(f"\x1dgains{sorted(gains.labels.items())}\x1f{gains.relevant_level}".encode())
    return h.hexdigest()

"""``bench explain``: one query's top hits over an existing index, each hit's score term by term.

The ranking is the one ``bench run`` makes (:func:`benchmark.pipeline.harness.search_ranked`: exact scores, tie
groups completed, ties broken by doc id), so a product's rank here is its rank in the run file. Nothing of the
catalog is encoded: the document vectors are read back from the index; only the query is encoded. A fused
retriever (``hybrid:A+B``, fused client side) is explained part by part, and its fused list is made from the
parts' lists with the fusion's own parameters (an untuned fusion; a dev-tuned one is refused, as its parameters
come from a dev-split search).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmark.core import paths
from benchmark.core.errors import ShopbenchError
from benchmark.datasets.base import Dataset
from benchmark.datasets.text import corpus_texts
from benchmark.explain.contributions import Contribution, contributions, query_terms, total
from benchmark.fusion.fused import FusedRetriever
from benchmark.fusion.methods import FusionSite
from benchmark.fusion.resolve import build_system, resolve_system
from benchmark.fusion.tuning import fused_run
from benchmark.pipeline.harness import PartStores, RunRequest, index_key, open_index, search_ranked
from benchmark.ranking.runs import Run
from benchmark.store.base import Collection, SparseVector, VectorKind
from retrievers.retriever import Retriever
from retrievers.vocabulary import HasVocabulary, Vocabulary

PRODUCT_DEPTH = 1000  # how deep --product looks for the product in the ranking


class ExplainError(ShopbenchError):
    """What explain needs is missing: an index, a query id, a product id."""


@dataclass(frozen=True, slots=True)
class Judgement:
    gain: int | None  # None: unjudged for this query
    label: str | None = None

    @property
    def shown(self) -> str:
        if self.gain is None:
            return "unjudged"
        return f"gain {self.gain}" if self.label in (None, str(self.gain)) else f"{self.label} (gain {self.gain})"


@dataclass(frozen=True)
class Hit:
    rank: int
    doc_id: str
    title: str
    score: float
    judgement: Judgement
    terms: tuple[Contribution, ...] | None = None  # None: a dense retriever (cosine only), or a fused list
    part_ranks: tuple[tuple[str, int | None], ...] = ()  # a fused hit: its rank in each part (None: not there)


@dataclass(frozen=True)
class PartExplanation:
    """One single retriever's view of the query: its query vector (sparse) and its top hits."""

    name: str
    kind: str  # "sparse" (terms explained) or "dense" (cosine only)
    query_terms: tuple[tuple[str, float, bool], ...]  # (term, weight, expansion); empty for dense
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class ProductPosition:
    """Where ``--product`` ranks and what separates it from the top hit."""

    doc_id: str
    title: str
    rank: int | None  # None: below PRODUCT_DEPTH (or no score at all)
    score: float
    judgement: Judgement
    terms: tuple[Contribution, ...]
    missing: tuple[str, ...]  # terms that scored for the top hit, absent from the product
    top_terms: tuple[Contribution, ...]  # the top hit's largest contributions


@dataclass(frozen=True)
class Explanation:
    retriever: str
    dataset: str
    query: str
    query_id: str | None
    k: int
    hits: tuple[Hit, ...]  # the retriever's own ranking (the fused one for a fusion)
    parts: tuple[PartExplanation, ...]
    product: ProductPosition | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


@dataclass
class ExplainRequest:
    retriever: str
    dataset: str
    query: str | None = None
    query_id: str | None = None
    product: str | None = None
    k: int = 10
    data_dir: Path | None = None
    cache_dir: Path | None = None
    overrides: Mapping[str, Any] | Sequence[str] = ()
    dataset_options: Sequence[str] = ()
    qdrant_url: str | None = None


def judgement(dataset: Dataset, query_id: str | None, doc_id: str) -> Judgement:
    if query_id is None:
        return Judgement(None)
    gain = dataset.qrels.get(query_id, {}).get(doc_id)
    if gain is None:
        return Judgement(None)
    labels = [label for label, g in dataset.gains.labels.items() if g == gain]
    return Judgement(gain, labels[0] if labels else str(gain))


def query_of(dataset: Dataset, query: str | None, query_id: str | None) -> tuple[str, str | None]:
    """The query text and its id (a free text has an id when it is exactly one of the dataset's queries)."""
    if query_id is not None:
        if query_id not in dataset.queries:
            raise ExplainError(f"{dataset.name} has no query with id {query_id!r} ({len(dataset.queries):,} queries; "
                               "ids are those of the dataset's query files)")
        return dataset.queries[query_id], query_id
    if query is None or not query.strip():
        raise ExplainError("give --query TEXT or --query-id ID")
    same = [q for q, text in dataset.queries.items() if text == query]
    return query, (same[0] if len(same) == 1 else None)


class _Part:
    """A single retriever with its open index, ready to explain."""

    def __init__(self, name: str, retriever: Retriever, collection: Collection, dataset: Dataset) -> None:
        self.name, self.retriever, self.collection, self.dataset = name, retriever, collection, dataset
        self.encoder = retriever.encoders[0]
        self.vocabulary: Vocabulary | None = self.encoder.vocabulary() if isinstance(self.encoder, HasVocabulary) \
            else None  # None: dense (cosine only)
        self._queries: dict[str, tuple[SparseVector, set[int]]] = {}

    @property
    def sparse(self) -> bool:
        return self.vocabulary is not None

    def query(self, text: str) -> tuple[SparseVector, set[int]]:
        """The query's vector and the dimensions its own tokens produce (encoded once per text)."""
        assert self.vocabulary is not None
        if text not in self._queries:
            self._queries[text] = (self.encoder.encode_queries([text])[0], self.vocabulary.own_terms(text))  # type: ignore[assignment]
        return self._queries[text]

    def ranking(self, query: str, depth: int) -> list[tuple[str, float]]:
        hits, _ = search_ranked(self.retriever, [query], depth, self.collection)
        ids = self.dataset.corpus.ids_at([p for p, _ in hits[0]])
        run = Run.from_hits({"q": list(zip(ids, [s for _, s in hits[0]], strict=True))}, k=depth)
        return list(run["q"])

    def terms(self, query_vector: SparseVector, doc_ids: Sequence[str], own: set[int]) -> dict[str, list[Contribution]]:
        positions = [self.dataset.corpus.position(d) for d in doc_ids]
        stored = self.collection.vectors(self.encoder.spec.name, [p for p in positions if p is not None])
        idf = self.encoder if self.encoder.spec.kind is VectorKind.SPARSE_IDF else None
        assert self.vocabulary is not None
        empty = SparseVector(query_vector.indices[:0], query_vector.values[:0])
        out = {}
        for doc_id, position in zip(doc_ids, positions, strict=True):
            vector = stored.get(position, empty) if position is not None else empty
            out[doc_id] = contributions(query_vector, vector, self.vocabulary, own, idf)  # type: ignore[arg-type]
        return out


def _open_part(request: ExplainRequest, name: str, retriever: Retriever, dataset: Dataset, stores: PartStores) -> _Part:
    if len(retriever.encoders) != 1 or retriever.own_store(paths.cache_dir(request.cache_dir)) is not None:
        raise ExplainError(f"{name}: explain works on retrievers with one vector in a Qdrant index (bm25, splade, "
                           "splade-ft, dense); this one searches its own index or fuses inside the store")
    store = stores.for_retriever(retriever)
    key = index_key(dataset, retriever)
    if not store.exists_complete(key):
        data = f" --data-dir {request.data_dir}" if request.data_dir else ""
        raise ExplainError(f"no index for {name} on {dataset.name} yet: build it with "
                           f"`bench run -r {name} -d {request.dataset}{data}` (explain never encodes the catalog)")
    run_request = RunRequest(retriever=name, dataset=request.dataset, data_dir=request.data_dir,
                             cache_dir=request.cache_dir, qdrant_url=request.qdrant_url)
    opened = open_index(run_request, dataset, retriever, corpus_texts(dataset, retriever.text_builder), store)
    return _Part(name, retriever, opened.collection, dataset)


def explain(request: ExplainRequest) -> Explanation:
    from benchmark.datasets.registry import load_dataset

    if request.k < 1:
        raise ExplainError("-k must be >= 1")
    dataset = load_dataset(request.dataset, data_dir=request.data_dir, options=request.dataset_options,
                           cache_dir=request.cache_dir)
    text, query_id = query_of(dataset, request.query, request.query_id)
    if request.product is not None and request.product not in dataset.corpus:
        raise ExplainError(f"{dataset.name} has no product with id {request.product!r}")
    config = resolve_system(request.retriever, request.overrides, cache_dir=request.cache_dir,
                            text_format=dataset.default_text_format)
    system = build_system(request.retriever, config)
    depth = max(request.k, PRODUCT_DEPTH if request.product else 0)
    notes: list[str] = []
    with PartStores(RunRequest(retriever=request.retriever, dataset=request.dataset, cache_dir=request.cache_dir,
                               qdrant_url=request.qdrant_url)) as stores:
        if isinstance(system, FusedRetriever):
            if system.settings.where is FusionSite.SERVER or system.settings.tune:
                raise ExplainError(f"{request.retriever}: explain fuses the parts client side with fixed parameters; "
                                   "a server-side or dev-tuned fusion is explained by its parts (-r PART)")
            parts = [_open_part(request, name, r, dataset, stores) for name, r in system.parts]
            depth = max(depth, system.settings.depth)
        else:
            parts = [_open_part(request, request.retriever, system, dataset, stores)]
        rankings = [part.ranking(text, depth) for part in parts]
        if isinstance(system, FusedRetriever):
            fused = fused_run([{"q": r[: system.settings.depth]} for r in rankings], system.settings.params(), depth)
            ranking = list(fused.get("q", ()))
            notes.append(f"fused client side ({system.settings.params().as_dict()}) from each part's top "
                         f"{system.settings.depth}")
        else:
            ranking = rankings[0]
        explained = [_explain_part(part, text, r, request.k, query_id) for part, r in zip(parts, rankings, strict=True)]
        if isinstance(system, FusedRetriever):
            positions = [{d: i for i, (d, _) in enumerate(r, 1)} for r in rankings]
            hits = tuple(replace(_hit(dataset, query_id, i, d, s, None), part_ranks=tuple(
                (part.name, where.get(d)) for part, where in zip(parts, positions, strict=True)))
                for i, (d, s) in enumerate(ranking[: request.k], 1))
        else:
            hits = explained[0].hits
        product = _product(parts, explained, text, ranking, request.product, query_id, dataset) \
            if request.product else None
    return Explanation(request.retriever, dataset.name, text, query_id, request.k, hits, tuple(explained), product,
                       tuple(notes))


def _hit(dataset: Dataset, query_id: str | None, rank: int, doc_id: str, score: float,
         terms: Sequence[Contribution] | None) -> Hit:
    return Hit(rank, doc_id, dataset.corpus[doc_id].title, score, judgement(dataset, query_id, doc_id),
               tuple(terms) if terms is not None else None)


def _explain_part(part: _Part, text: str, ranking: Sequence[tuple[str, float]], k: int,
                  query_id: str | None) -> PartExplanation:
    top = list(ranking[:k])
    if not part.sparse:
        return PartExplanation(part.name, "dense", (), tuple(_hit(part.dataset, query_id, i, d, s, None)
                                                             for i, (d, s) in enumerate(top, 1)))
    vector, own = part.query(text)
    terms = part.terms(vector, [d for d, _ in top], own)
    assert part.vocabulary is not None
    return PartExplanation(part.name, "sparse", tuple(query_terms(vector, part.vocabulary, own)),
                           tuple(_hit(part.dataset, query_id, i, d, s, terms[d]) for i, (d, s) in enumerate(top, 1)))


def _product(parts: Sequence[_Part], explained: Sequence[PartExplanation], text: str,
             ranking: Sequence[tuple[str, float]], product: str, query_id: str | None,
             dataset: Dataset) -> ProductPosition:
    ranks = {d: (i, s) for i, (d, s) in enumerate(ranking, 1)}
    rank, score = ranks.get(product, (None, 0.0))
    first = parts[0] if parts[0].sparse else None
    terms: list[Contribution] = []
    top_terms: list[Contribution] = []
    missing: tuple[str, ...] = ()
    if first is not None and ranking:
        vector, own = first.query(text)
        found = first.terms(vector, [product, ranking[0][0]], own)
        terms, top_terms = found[product], found[ranking[0][0]]
        if rank is None and len(parts) == 1:
            score = total(terms)
        have = {c.term for c in terms}
        missing = tuple(c.term for c in top_terms if c.term not in have)
    return ProductPosition(product, dataset.corpus[product].title, rank, score, judgement(dataset, query_id, product),
                           tuple(terms), missing, tuple(top_terms[:10]))

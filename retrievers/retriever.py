"""A retriever: one encoder, its vectors in one collection, searched directly.

Several encoders fused by Qdrant in one collection are :class:`benchmark.fusion.server_side.QdrantFused`, a
subclass (indexing here already handles several named vectors).

The harness decides whether an index must be built (:meth:`Retriever.index`) or can be reused;
the retriever only encodes, upserts and searches. Everything is batched: documents are encoded
and upserted in chunks, queries are encoded in one pass and searched with ``query_batch``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

import numpy as np

from benchmark.core.timing import ENCODE, SEARCH, StageClock
from benchmark.datasets.text import TextBuilder
from benchmark.store.base import Collection, CollectionSchema, Hits, SparseVector, Store, Vector, VectorKind
from retrievers.base import Encoder
from retrievers.exact import TIE_MARGIN, idf_weighted, near, rescore

CHUNK = 4096  # documents encoded and upserted per step


class ChunkCache(Protocol):
    """Where encoded chunks are kept between runs (see :mod:`benchmark.store.vector_cache`)."""

    def load(self, encoder_fingerprint: str, start: int, count: int) -> tuple[list[Vector], float] | None: ...

    def save(self, encoder_fingerprint: str, start: int, vectors: Sequence[Vector], seconds: float) -> None: ...
SEARCH_BATCH = 64  # queries per query_batch call (throughput; latency is measured one query at a time)


@dataclass(frozen=True, slots=True)
class IndexStats:
    documents: int
    encode_s: float
    upsert_s: float
    nnz_doc: float | None  # mean non-zeros per document over sparse encoders

    @property
    def encode_docs_per_s(self) -> float:
        return self.documents / self.encode_s if self.encode_s else 0.0


@dataclass(frozen=True, slots=True)
class SearchStats:
    """The batched path's cost: every query encoded, then searched ``SEARCH_BATCH`` at a time."""

    queries: int
    encode_s: float
    search_s: float
    nnz_query: float | None

    @property
    def search_qps(self) -> float:
        return self.queries / self.search_s if self.search_s else 0.0

    @property
    def throughput_qps(self) -> float:
        """End to end: encoding and search."""
        seconds = self.encode_s + self.search_s
        return self.queries / seconds if seconds else 0.0

    @property
    def encode_queries_per_s(self) -> float:
        return self.queries / self.encode_s if self.encode_s else 0.0


@dataclass
class Retriever:
    name: str
    encoders: tuple[Encoder, ...]
    text_builder: TextBuilder
    config: Mapping[str, object] = field(default_factory=dict)
    fuses_in_store: ClassVar[bool] = False  # several encoders, fused by the store (QdrantFused: its search_batch)

    def __post_init__(self) -> None:
        if len(self.encoders) > 1 and not self.fuses_in_store:
            raise ValueError("several encoders in one collection need a fused search (benchmark.fusion.server_side)")
        names = [e.spec.name for e in self.encoders]
        if len(set(names)) != len(names):
            raise ValueError(f"encoders need distinct vector names, got {names}")

    def own_store(self, cache_root: Path) -> Store | None:
        """The store this retriever indexes and searches itself (``bm25-lucene``, ``bm25-rank``:
        :class:`retrievers.local.LocalRetriever`); None: it searches the Qdrant store it is given."""
        return None

    def schema(self, shards: int = 1, replication_factor: int = 1) -> CollectionSchema:
        return CollectionSchema(tuple(e.spec for e in self.encoders), shards, replication_factor)

    def describe(self) -> dict[str, object]:
        """Everything about this retriever that a result file records."""
        return {
            "name": self.name,
            "config": dict(self.config),
            "encoders": [e.identity.as_dict() for e in self.encoders],
            "fusion": None,  # a single retriever's record says so (QdrantFused records its fusion)
            "text": self.text_builder.config(),
        }

    def index_fingerprint(self) -> str:
        """What determines the stored vectors (text format is covered by the corpus key)."""
        parts = [(e.spec.name, e.spec.kind.value, e.identity.fingerprint) for e in self.encoders]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def prepare(self, documents: Sequence[str]) -> None:
        for encoder in self.encoders:
            encoder.prepare(documents)

    def _encode_chunk(self, encoder: Encoder, chunk: Sequence[str], start: int,
                      cache: ChunkCache | None) -> tuple[list[Vector], float]:
        fingerprint = encoder.identity.fingerprint
        cached = cache.load(fingerprint, start, len(chunk)) if cache else None
        if cached is not None:
            return cached
        encoder.load(documents=True)  # start-up (a model, torch) is not encoding time
        t0 = time.perf_counter()
        vectors = encoder.encode_documents(chunk)
        seconds = time.perf_counter() - t0
        if cache:
            cache.save(fingerprint, start, vectors, seconds)
        return vectors, seconds

    def index(self, documents: Sequence[str], collection: Collection,
              progress: Callable[[int], None] | None = None, cache: ChunkCache | None = None) -> IndexStats:
        """Encode (or take from ``cache``) and upsert every document; point id = position in ``documents``.

        ``encode_s`` counts the original encoding time of cached chunks too, so throughput stays honest.
        """
        encode_s = upsert_s = 0.0
        nnz = 0
        for start in range(0, len(documents), CHUNK):
            chunk = documents[start : start + CHUNK]
            vectors: dict[str, list[Vector]] = {}
            for encoder in self.encoders:
                vectors[encoder.spec.name], seconds = self._encode_chunk(encoder, chunk, start, cache)
                encode_s += seconds
                nnz += sum(len(v.indices) for v in vectors[encoder.spec.name] if isinstance(v, SparseVector))
            t0 = time.perf_counter()
            collection.upsert(range(start, start + len(chunk)), vectors)
            upsert_s += time.perf_counter() - t0
            if progress:
                progress(len(chunk))
        sparse = sum(1 for e in self.encoders if e.spec.kind.value != "dense")
        nnz_doc = nnz / (len(documents) * sparse) if sparse and documents else None
        return IndexStats(len(documents), encode_s, upsert_s, nnz_doc)

    def encode_queries(self, queries: Sequence[str],
                       cache: ChunkCache | None = None) -> tuple[dict[str, list[Vector]], float]:
        """Every encoder's vectors for ``queries`` (from ``cache`` when it has them) and the encoding seconds.

        A cached entry records how long its encoding took, so query throughput stays honest on a re-run.
        """
        encoded: dict[str, list[Vector]] = {}
        encode_s = 0.0
        for encoder in self.encoders:
            fingerprint = encoder.identity.fingerprint
            cached = cache.load(fingerprint, 0, len(queries)) if cache and queries else None
            if cached is None:
                encoder.load()  # start-up (a model, torch) is not encoding time
                t0 = time.perf_counter()
                vectors = encoder.encode_queries(queries)
                seconds = time.perf_counter() - t0
                if cache and queries:
                    cache.save(fingerprint, 0, vectors, seconds)
                cached = (vectors, seconds)
            encoded[encoder.spec.name], seconds = cached
            encode_s += seconds
        return encoded, encode_s

    def exact(self, encoded: Mapping[str, Sequence[Vector]], hits: list[Hits], k: int,
              collection: Collection) -> list[Hits]:
        """The store's answer made independent of the index build (:mod:`retrievers.exact`): each candidate is
        scored again from the stored vectors."""
        (encoder,) = self.encoders
        return self._rescored(encoder, encoded[encoder.spec.name], hits, collection)

    @staticmethod
    def _rescored(encoder: Encoder, queries: Sequence[Vector], hits: list[Hits], collection: Collection) -> list[Hits]:
        name = encoder.spec.name
        stored = collection.vectors(name, sorted({p for h in hits for p, _ in h}))
        idf = encoder if encoder.spec.kind is VectorKind.SPARSE_IDF else None
        return rescore(encoder.spec, queries, hits, stored, idf)  # type: ignore[arg-type]

    def exact_top(self, encoder: Encoder, queries: Sequence[Vector], n: int, collection: Collection) -> list[Hits]:
        """The exact top ``n`` of one encoder's vector per query; a tie group at the cut is fetched whole."""
        limit = n + TIE_MARGIN
        name = encoder.spec.name
        hits = self._rescored(encoder, queries, collection.search(name, self.store_queries(name, queries), limit),
                              collection)
        for _ in range(4):
            open_ties = [i for i, h in enumerate(hits) if len(h) >= limit and near(h[n - 1][1], h[-1][1])]
            if not open_ties:
                break
            limit *= 4
            subset = [queries[i] for i in open_ties]
            more = self._rescored(encoder, subset, collection.search(name, self.store_queries(name, subset), limit),
                                  collection)
            for i, h in zip(open_ties, more, strict=True):
                hits[i] = h
        return [h[:n] for h in hits]

    def search_encoded(self, encoded: Mapping[str, Sequence[Vector]], k: int,
                       collection: Collection) -> tuple[list[Hits], float]:
        """Search already-encoded queries in batches of :data:`SEARCH_BATCH`: hits and the search seconds."""
        hits: list[Hits] = []
        total = len(next(iter(encoded.values()))) if encoded else 0
        t0 = time.perf_counter()
        for start in range(0, total, SEARCH_BATCH):
            batch = {name: list(vecs[start : start + SEARCH_BATCH]) for name, vecs in encoded.items()}
            hits.extend(self.search_batch(batch, k, collection))
        return hits, time.perf_counter() - t0

    def answer_one(self, query: str, k: int, collection: Collection, clock: StageClock) -> Hits:
        """One user request, as :func:`benchmark.core.timing.measure_latency` times it: the query encoded by
        every encoder (no cache), then one store request for ``k`` hits."""
        with clock.stage(ENCODE):
            batch = {e.spec.name: e.encode_queries([query]) for e in self.encoders}
        with clock.stage(SEARCH):
            return self.search_batch(batch, k, collection)[0]

    def search_batch(self, batch: Mapping[str, Sequence[Vector]], k: int, collection: Collection) -> list[Hits]:
        """One store request for a batch of encoded queries (the part :meth:`search_encoded` times)."""
        (name, vectors), = batch.items()
        return collection.search(name, self.store_queries(name, vectors), k)

    def store_queries(self, name: str, vectors: Sequence[Vector]) -> Sequence[Vector]:
        """Query vectors as the store is asked them: a BM25 query's term counts times the corpus IDF (the store
        holds plain sparse vectors, so its scores are the same on one shard or many; :class:`VectorKind`)."""
        encoder = next(e for e in self.encoders if e.spec.name == name)
        if encoder.spec.kind is not VectorKind.SPARSE_IDF:
            return vectors
        return [idf_weighted(v, encoder) for v in vectors]  # type: ignore[arg-type]

    def search_store(self, queries: Sequence[str], k: int, collection: Collection) -> list[Hits]:
        """Encode and ask the store, nothing else: the request a deployed system makes (performance suite)."""
        encoded, _ = self.encode_queries(queries)
        return self.search_encoded(encoded, k, collection)[0]

    def search(self, queries: Sequence[str], k: int, collection: Collection,
               cache: ChunkCache | None = None) -> tuple[list[Hits], SearchStats]:
        """Top-``k`` candidates per query, scored exactly and in the deterministic order (see :meth:`exact`);
        the stats time what a user of the store waits for: query encoding and the store's search."""
        encoded, encode_s = self.encode_queries(queries, cache)
        hits, search_s = self.search_encoded(encoded, k, collection)
        hits = self.exact(encoded, hits, k, collection)
        sparse = [v for vecs in encoded.values() for v in vecs if isinstance(v, SparseVector)]
        nnz_query = float(np.mean([len(v.indices) for v in sparse])) if sparse else None
        return hits, SearchStats(len(queries), encode_s, search_s, nnz_query)

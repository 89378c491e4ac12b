"""Exact rescoring of a store's candidates (retrievers/exact.py): scores independent of the index build."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qdrant_client import QdrantClient, models

from benchmark.store.base import CollectionSchema, Distance, SparseVector, VectorKind, VectorSpec
from benchmark.store.edge import EdgeStore
from retrievers.analyzer import AnalyzerConfig
from retrievers.bm25 import BM25Encoder, BM25Params
from retrievers.exact import exact_scores, near, ordered, rescore
from retrievers.retriever import Retriever

SPARSE = VectorSpec("s", VectorKind.SPARSE)


def sv(pairs: dict[int, float]) -> SparseVector:
    keys = sorted(pairs)
    return SparseVector(np.array(keys, np.uint32), np.array([pairs[k] for k in keys], np.float32))


def test_sparse_scores_are_correctly_rounded_sums_of_the_shared_terms():
    query = sv({1: 0.1, 5: 0.7, 9: 1e-3})
    docs = [sv({1: 3.0, 9: 2.0}), sv({2: 1.0}), None, sv({5: 0.3, 9: 0.25, 12: 4.0})]
    got = exact_scores(SPARSE, query, docs)
    f = lambda *xs: float(np.float32(math.fsum(float(np.float32(a)) * float(np.float32(b)) for a, b in xs)))
    assert got == [f((0.1, 3.0), (1e-3, 2.0)), 0.0, 0.0, f((0.7, 0.3), (1e-3, 0.25))]


def test_dense_cosine_normalises_both_sides_in_float64():
    spec = VectorSpec("d", VectorKind.DENSE, 3, Distance.COSINE)
    q, d = np.array([1.0, 2.0, 2.0], np.float32), np.array([[2.0, 0.0, 0.0], [0.0, 3.0, 4.0]], np.float32)
    assert exact_scores(spec, q, list(d)) == [float(np.float32(1 / 3)), float(np.float32((6 + 8) / 15))]
    dot = VectorSpec("d", VectorKind.DENSE, 3, Distance.DOT)
    assert exact_scores(dot, q, list(d)) == [2.0, 14.0]


def test_ties_are_ordered_by_point_id_descending_like_doc_ids_in_trec_eval():
    assert ordered([(3, 1.0), (7, 2.0), (9, 1.0), (1, 1.0)]) == [(7, 2.0), (9, 1.0), (3, 1.0), (1, 1.0)]
    assert near(4.27616, 4.276161) and not near(4.27616, 4.2765)


class StoredVectors:
    """A store that holds vectors but answers a search in whatever order and float noise it likes."""

    def __init__(self, vectors):
        self._vectors = vectors

    def vectors(self, name, ids):
        return {i: self._vectors[i] for i in ids if i in self._vectors}


def test_rescoring_gives_one_answer_whatever_the_build_returned():
    docs = {0: sv({1: 1.0, 2: 1.0}), 1: sv({1: 1.0, 2: 1.0}), 2: sv({1: 0.5}), 3: sv({2: 2.0})}
    query = sv({1: 1.0, 2: 0.5})
    build_a = [[(0, 1.5000001), (1, 1.5), (3, 1.0), (2, 0.5)]]  # last-bit noise and another point order
    build_b = [[(1, 1.5), (0, 1.4999999), (2, 0.5), (3, 1.0000001)]]
    a = rescore(SPARSE, [query], build_a, StoredVectors(docs).vectors("s", range(4)))
    b = rescore(SPARSE, [query], build_b, StoredVectors(docs).vectors("s", range(4)))
    assert a == b == [[(1, 1.5), (0, 1.5), (3, 1.0), (2, 0.5)]]


def test_bm25_exact_scores_equal_qdrants_idf_scores(tmp_path):
    """The encoder's corpus-wide IDF is Qdrant's Modifier.IDF: the store asked with IDF-weighted queries, exact
    scoring, and a Qdrant collection applying Modifier.IDF itself (qdrant-client's local mode, one shard) agree to
    float32 noise."""
    texts = ["cordless drill 18v with two batteries", "drill bits set", "", "18v battery pack for drills",
             "brushed nickel faucet", "faucet aerator", "the and of", "drill drill drill press"]
    encoder = BM25Encoder(BM25Params(), AnalyzerConfig())
    retriever = Retriever("bm25", (encoder,), text_builder=None)  # type: ignore[arg-type]
    retriever.prepare(texts)
    assert encoder.documents == 6  # an empty text and one of stop words only have no vector: Qdrant skips them
    store = EdgeStore(tmp_path)
    try:
        collection = store.open("bm25-exact", CollectionSchema((encoder.spec,)))
        retriever.index(texts, collection)
        collection.mark_complete({})
        queries = ["drill", "18v drill battery", "faucet nickel", "press the drill"]
        encoded = {encoder.spec.name: encoder.encode_queries(queries)}
        raw, _ = retriever.search_encoded(encoded, 10, collection)
        exact = retriever.exact(encoded, [list(h) for h in raw], 10, collection)
    finally:
        store.close()
    for store_hits, exact_hits in zip(raw, exact, strict=True):
        assert {p for p, _ in store_hits} == {p for p, _ in exact_hits}
        ours = dict(exact_hits)
        for point, score in store_hits:
            assert ours[point] == pytest.approx(score, rel=1e-6)
    qdrant = QdrantClient(":memory:")  # Qdrant's own IDF over the same document vectors
    qdrant.create_collection("idf", vectors_config={},
                             sparse_vectors_config={"bm25": models.SparseVectorParams(modifier=models.Modifier.IDF)})
    vectors = encoder.encode_documents(texts)
    qdrant.upsert("idf", [models.PointStruct(id=i, vector={"bm25": models.SparseVector(
        indices=v.indices.tolist(), values=v.values.tolist())}) for i, v in enumerate(vectors) if len(v.indices)])
    for query, exact_hits in zip(encoded[encoder.spec.name], exact, strict=True):
        theirs = qdrant.query_points("idf", query=models.SparseVector(indices=query.indices.tolist(),
                                     values=query.values.tolist()), using="bm25", limit=10).points
        assert {p.id: pytest.approx(p.score, rel=1e-5) for p in theirs} == dict(exact_hits)
    state = encoder.state()
    again = BM25Encoder(BM25Params(), AnalyzerConfig())
    again.load_state(state)
    assert again.idf(np.arange(len(encoder.vocab))).tolist() == encoder.idf(np.arange(len(encoder.vocab))).tolist()
    with pytest.raises(KeyError):  # a state saved before document frequencies were kept is recomputed
        again.load_state({"vocab": state["vocab"], "avgdl": state["avgdl"]})


def test_a_tie_group_at_a_prefetch_cut_is_fetched_whole(tmp_path):
    encoder = BM25Encoder(BM25Params(), AnalyzerConfig())
    retriever = Retriever("bm25", (encoder,), text_builder=None)  # type: ignore[arg-type]
    texts = ["red lamp"] * 60 + ["red red lamp shade"] + [f"blue item {i}" for i in range(20)]
    retriever.prepare(texts)
    store = EdgeStore(tmp_path)
    try:
        collection = store.open("ties", CollectionSchema((encoder.spec,)))
        retriever.index(texts, collection)
        collection.mark_complete({})
        (top,) = retriever.exact_top(encoder, encoder.encode_queries(["red lamp"]), 5, collection)
    finally:
        store.close()
    # point 60 scores highest; the 60 identical products tie: the highest point ids win the tie, as in trec_eval
    assert [p for p, _ in top] == [60, 59, 58, 57, 56]

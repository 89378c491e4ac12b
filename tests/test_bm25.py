"""BM25 in Qdrant equals Lucene's formula and bm25s(method="lucene") on the same tokens."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from benchmark.datasets.text import TextBuilder
from benchmark.store.edge import EdgeStore
from retrievers.analyzer import LUCENE_ENGLISH_STOPWORDS, Analyzer, AnalyzerConfig
from retrievers.bm25 import BM25Encoder, BM25Params
from retrievers.retriever import Retriever

DOCS = [
    "Cordless Drill 18V with two batteries",
    "Cordless drill driver 20V, drill bits included",
    "Replacement 18V battery pack for cordless drills",
    "Brushed nickel bathroom faucet",
    "Bathroom faucet in chrome, single handle",
    "Hammer drill 1/2 in. corded",
    "Drill bit set, 29 pieces, titanium",
    "The best of the best: a faucet",
    "18V charger",
    "Cordless Drill 18V with two batteries",  # identical text: a score tie
] + [f"filler product number {i} garden hose" for i in range(40)]
QUERIES = ["cordless drill", "18v battery", "bathroom faucet", "drill drill bits", "garden hose 7", "the of"]


def test_analyzer_is_lucene_english_like():
    analyze = Analyzer()
    assert analyze("The Drill's 18V Cordless DRILLS, running in 3.5 ft.") == ["drill", "18v", "cordless", "drill", "run", "3.5", "ft"]
    assert len(LUCENE_ENGLISH_STOPWORDS) == 33
    assert Analyzer(AnalyzerConfig(stopwords=False, stemmer="none"))("The drills") == ["the", "drills"]


def lucene_bm25(docs_tokens, query_tokens, k1, b):
    """Independent Lucene (>= 8) BM25: sum qtf * idf * tf / (tf + k1 (1 - b + b dl / avgdl))."""
    n_docs = len(docs_tokens)
    avgdl = sum(map(len, docs_tokens)) / n_docs
    df = Counter(t for toks in docs_tokens for t in set(toks))
    scores = np.zeros(n_docs)
    for term, qtf in Counter(query_tokens).items():
        if term not in df:
            continue
        idf = math.log(1 + (n_docs - df[term] + 0.5) / (df[term] + 0.5))
        for i, toks in enumerate(docs_tokens):
            tf = toks.count(term)
            if tf:
                scores[i] += qtf * idf * tf / (tf + k1 * (1 - b + b * len(toks) / avgdl))
    return scores


@pytest.fixture(params=[(0.9, 0.4), (1.2, 0.75)], ids=["k1=0.9,b=0.4", "k1=1.2,b=0.75"])
def searched(request, tmp_path):
    k1, b = request.param
    encoder = BM25Encoder(BM25Params(k1, b))
    retriever = Retriever("bm25", (encoder,), TextBuilder())
    retriever.prepare(DOCS)
    collection = EdgeStore(tmp_path).open("bm25-test", retriever.schema())
    retriever.index(DOCS, collection)
    collection.mark_complete({})
    hits, _ = retriever.search(QUERIES, len(DOCS), collection)
    return encoder, hits, k1, b


def test_scores_equal_an_independent_lucene_bm25(searched):
    encoder, hits, k1, b = searched
    docs_tokens = [encoder.analyze(d) for d in DOCS]
    for query, query_hits in zip(QUERIES, hits, strict=True):
        expected = lucene_bm25(docs_tokens, encoder.analyze(query), k1, b)
        got = dict(query_hits)
        for doc, score in enumerate(expected):
            if score > 0:
                assert got[doc] == pytest.approx(score, abs=1e-4), (query, DOCS[doc])
            else:
                assert got.get(doc, 0.0) == pytest.approx(0.0, abs=1e-6)


def test_rankings_equal_bm25s_lucene_on_the_same_tokens(searched):
    bm25s = pytest.importorskip("bm25s")
    encoder, hits, k1, b = searched
    model = bm25s.BM25(k1=k1, b=b, method="lucene")
    model.index([encoder.analyze(d) for d in DOCS], show_progress=False)
    for query, query_hits in zip(QUERIES, hits, strict=True):
        tokens = [t for t in encoder.analyze(query) if t in encoder.vocab]
        if not tokens:
            assert query_hits == [] or all(s == 0 for _, s in query_hits)
            continue
        ref = model.get_scores(tokens)
        # bm25s' lucene variant multiplies by (k1 + 1): same ranking, scores scaled
        ours = np.zeros(len(DOCS))
        for doc, score in query_hits:
            ours[doc] = score
        positive = ref > 0
        assert np.array_equal(positive, ours > 0), query
        ratio = ref[positive] / ours[positive]
        assert np.allclose(ratio, ratio[0], rtol=1e-4), query
        order_ref = sorted(np.flatnonzero(positive), key=lambda d: (-round(ref[d], 4), d))
        order_ours = sorted(np.flatnonzero(positive), key=lambda d: (-round(ours[d], 4), d))
        assert order_ref == order_ours, query


def test_query_of_only_stopwords_returns_nothing(searched):
    _, hits, _, _ = searched
    assert hits[QUERIES.index("the of")] == []


def test_state_round_trip_gives_identical_query_vectors():
    encoder = BM25Encoder()
    encoder.prepare(DOCS)
    other = BM25Encoder()
    other.load_state(encoder.state())
    for q in QUERIES:
        a, b = encoder.encode_queries([q])[0], other.encode_queries([q])[0]
        assert np.array_equal(a.indices, b.indices) and np.array_equal(a.values, b.values)
    assert other.avgdl == encoder.avgdl


def test_invalid_parameters_are_rejected():
    with pytest.raises(ValueError, match="0 <= b <= 1"):
        BM25Encoder(BM25Params(k1=0.9, b=1.5))

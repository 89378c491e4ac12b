"""BM25 in Qdrant equals Lucene's formula and bm25s(method="lucene") on the same tokens."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from benchmark.datasets.text import TextBuilder
from benchmark.store.edge import EdgeStore
from retrievers.analyzer import LUCENE_ENGLISH_STOPWORDS, Analysis, Analyzer, AnalyzerConfig, make_analyzer
from retrievers.bm25 import BM25Encoder, BM25Params
from retrievers.lucene_porter import lucene_porter_stem
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


# Token streams of Pyserini's DefaultEnglishAnalyzer (Pyserini 1.6.0, Lucene 9.9.1), frozen; the live check
# against Pyserini is in tests/test_bm25_lucene_norm.py.
LUCENE_TOKENS = [
    ("The Drill's 18V Cordless DRILLS, running in 3.5 ft.", ["drill", "18v", "cordless", "drill", "run", "3.5", "ft"]),
    ("1,000 watts for $15.99 (25,000 BTU)", ["1,000", "watt", "15.99", "25,000", "btu"]),
    ("fig.3 and no.5, section 2.a", ["fig", "3", "5", "section", "2"]),
    ("1990's music, the 90's", ["1990", "s", "music", "90", "s"]),
    ("don’t stop, it's O'Reilly's", ["don’t", "stop", "o'reilli"]),
    ("http://www.example.org/a-b?x=1 or user@example.com",
     ["http", "www.example.org", "b", "x", "1", "user", "example.com"]),
    ("a:b 10:30", ["a:b", "10", "30"]),
    ("possibly the best technology assembly for us", ["possibl", "best", "technolog", "assembl", "us"]),
    ("x² ½ ★ ☐ 😀", ["x", "★", "☐", "😀"]),
    ("日本語のテキスト", ["日", "本", "語", "の", "テキスト"]),
    ("İSTANBUL ΣΟΦΙΑΣ", ["istanbul", "σοφιασ"]),
    ("soft\xadware e-mail state-of-the-art", ["soft\xadwar", "e", "mail", "state", "art"]),
    ("2'x4' 3'x3' corner", ["2", "x4", "3", "x3", "corner"]),
    ("café naïve résumé", ["café", "naïv", "résumé"]),
    ("x" * 300 + " y", ["x" * 255, "x" * 45, "y"]),
]


@pytest.mark.parametrize(("text", "expected"), LUCENE_TOKENS, ids=[t[:24] for t, _ in LUCENE_TOKENS])
def test_lucene_analysis_gives_lucenes_tokens(text, expected):
    assert make_analyzer(AnalyzerConfig(), Analysis.LUCENE)(text) == expected


def test_classic_analysis_is_unchanged_where_lucene_differs():
    """The classic analyzer (the default) keeps its tokens: existing indexes and results keep their meaning."""
    classic = make_analyzer(AnalyzerConfig())
    assert classic("1,000 watts, fig.3, possibly us") == ["1", "000", "watt", "fig.3", "possibli", "u"]
    assert classic("don’t") == ["don't"]


@pytest.mark.parametrize(("word", "stem"), [
    ("us", "us"), ("as", "as"), ("s", "s"), ("possibly", "possibl"), ("technology", "technolog"),
    ("analogy", "analog"), ("caresses", "caress"), ("ponies", "poni"), ("agreed", "agre"), ("hopping", "hop"),
    ("relational", "relat"), ("generalization", "gener"), ("electricity", "electr"), ("don't", "don't"),
    ("naïve", "naïv"), ("𝒜bilities", "𝒜biliti"),
])
def test_lucene_porter_departures_and_classic_cases(word, stem):
    assert lucene_porter_stem(word) == stem

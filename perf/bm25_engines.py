"""BM25 side by side: ``bm25`` (embedded Qdrant) vs ``bm25-lucene`` (Pyserini) vs bm25s.

Same corpus texts and queries for all three; each engine uses its own English analyzer (stop words +
Porter stemming) and k1=0.9, b=0.4. Index time, per-query latency (one query per call, query analysis
included, p50/p95/p99 over ``latency_queries`` by :func:`benchmark.core.timing.measure_latency`; ours: the
harness's own per-query path, :meth:`~retrievers.retriever.Retriever.answer_one`; Pyserini: ``LuceneSearcher.search``)
and batched throughput (all queries, each engine's batch API with 2 threads where it has them; ours:
``query_batch`` of 64).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmark.core.timing import StageClock, measure_latency, timed
from perf.options import SuiteOptions
from perf.report import Section, Target
from perf.texts import load_texts

K = 100


def measure(options: SuiteOptions) -> Section:
    started = time.perf_counter()
    texts = load_texts(options, 5_000 if options.quick else 45_753, 500 if options.quick else 9_435)
    docs, queries = texts.documents, texts.queries
    latency_queries = queries[: 200 if options.quick else 1_000]
    rows, notes, latency = [], [f"corpus: {texts.source}, {len(docs):,} documents, {len(queries):,} queries, k={K}"], {}
    engines: dict[str, Callable[[], tuple[float, Callable[[str], object], Callable[[Sequence[str]], object]]]] = {
        "bm25 (Qdrant edge)": lambda: _ours("bm25", docs, options.work_dir / "bm25"),
        "bm25-lucene (Pyserini)": lambda: _ours("bm25-lucene", docs, options.work_dir / "lucene"),
        "bm25s": lambda: _bm25s(docs),
    }
    for name, setup in engines.items():
        try:
            index_s, one, batch = setup()
        except Exception as err:  # noqa: BLE001 - an engine that cannot run here is reported, not fatal
            notes.append(f"{name}: not measured ({type(err).__name__}: {err})")
            continue
        measured = measure_latency(latency_queries, lambda q, _clock: one(q), warmup=20).end_to_end()
        _, batch_s = timed(lambda: batch(queries))
        latency[name] = measured.p50
        rows.append({"engine": name, "index s": index_s, "ms/query p50": measured.p50, "ms/query p95": measured.p95,
                     "ms/query p99": measured.p99, "batched queries/s": len(queries) / batch_s})
    targets = []
    if "bm25 (Qdrant edge)" in latency and "bm25-lucene (Pyserini)" in latency:
        targets.append(Target("bm25 per-query latency / Pyserini LuceneSearcher", latency["bm25 (Qdrant edge)"]
                              / latency["bm25-lucene (Pyserini)"], 1.0, "x"))
    return Section("bm25", "BM25 engines", rows, targets, notes, time.perf_counter() - started)


def _ours(name: str, docs: list[str], folder: Path):
    from benchmark.pipeline.harness import build_index
    from benchmark.store.edge import EdgeStore
    from retrievers.registry import build, resolve_config

    retriever = build(name, resolve_config(name))
    store = retriever.own_store(folder) or EdgeStore(folder)
    collection = store.open(f"bench-{name}", retriever.schema())
    t0 = time.perf_counter()
    build_index(retriever, docs, collection, folder / "state.json")
    index_s = time.perf_counter() - t0
    if hasattr(retriever, "_open"):  # Pyserini: single queries through LuceneSearcher.search
        searcher = retriever._open(collection.folder)  # type: ignore[attr-defined]
        return index_s, lambda q: searcher.search(q, k=K), lambda qs: retriever.search(qs, K, collection)
    # what a deployed system runs per request: encode + Qdrant's search (not the harness's exact rescoring)
    return (index_s, lambda q: retriever.answer_one(q, K, collection, StageClock()),
            lambda qs: retriever.search_store(qs, K, collection))


def _bm25s(docs: list[str]):
    import bm25s
    import Stemmer

    from retrievers.bm25 import DEFAULT_B, DEFAULT_K1

    stemmer = Stemmer.Stemmer("english")
    t0 = time.perf_counter()
    retriever = bm25s.BM25(method="lucene", k1=DEFAULT_K1, b=DEFAULT_B)
    retriever.index(bm25s.tokenize(docs, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    index_s = time.perf_counter() - t0

    def search(qs: Sequence[str], threads: int = 1):
        tokens = bm25s.tokenize(list(qs), stopwords="en", stemmer=stemmer, show_progress=False)
        return retriever.retrieve(tokens, k=K, show_progress=False, n_threads=threads)

    return index_s, lambda q: search([q]), lambda qs: search(qs, threads=2)

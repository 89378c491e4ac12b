"""Per-query latency against raw references, side by side in one process (:mod:`benchmark.core.timing`).

- *harness overhead*: the same sparse query vectors (SPLADE-shaped, over a synthetic catalog in qdrant-edge), one
  query at a time, through the harness's query path (:meth:`retrievers.retriever.Retriever.answer_one`: the
  encode stage is a look-up here, then ``Collection.search``) and as a raw ``EdgeShard.query`` that builds its own
  request and reads (id, score) out of the points it returns (what any caller does with an answer). Target: the harness adds at most 10 % of the raw p50 or 0.05 ms, whichever is larger.
- *SPLADE single-query encoding*: one query per call (batch size 1) through the SPLADE encoder the harness uses and
  through plain ``SparseEncoder.encode_query``; the vectors must be identical. Target: ratio of p50s >= 1.

The sides take turns query by query (the first side rotating), so a noisy neighbour on a shared machine, and cache
warmth, fall on both; each side's best p50 of three rounds is reported, and the overhead is the median over
queries of the paired difference (the same query through both paths back to back).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmark.core.timing import Percentiles, StageClock, machine, measure_latency
from perf.options import SuiteOptions
from perf.report import Section, Target
from perf.store_latency import sparse_vectors, term_probabilities
from perf.texts import load_texts

K = 100
OVERHEAD_SHARE, OVERHEAD_FLOOR_MS = 0.10, 0.05
ROUNDS = 3


def measure(options: SuiteOptions) -> Section:
    started = time.perf_counter()
    rows: list[dict[str, object]] = []
    targets: list[Target] = []
    notes = [f"one query at a time after a warm-up; best p50 of {ROUNDS} alternating rounds per side; "
             f"machine: {machine().line()}"]
    overhead(options, rows, targets, notes)
    splade_query(options, rows, targets, notes)
    return Section("latency", "Per-query latency against raw references", rows, targets, notes,
                   time.perf_counter() - started)


@dataclass(frozen=True)
class Measured:
    best: dict[str, Percentiles]  # each side's round with the lowest p50
    paired_ms: dict[str, list[float]]  # every round's per-query milliseconds, query by query (for paired differences)


def _measure(sides: dict[str, Callable[[Any, StageClock], object]], queries: Sequence[Any]) -> Measured:
    """Every query is answered by each side in turn, the side going first rotating from query to query (a query
    answered second finds warmer caches), so a slow spell of a shared machine, and the order, fall on both sides
    alike; :data:`ROUNDS` rounds."""
    names = list(sides)
    for name in names:  # warm-up
        measure_latency(queries[:10], sides[name], warmup=0)
    best: dict[str, Percentiles] = {}
    paired: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(ROUNDS):
        totals: dict[str, list[float]] = {name: [] for name in names}
        for i, query in enumerate(queries):
            for name in names[i % len(names):] + names[: i % len(names)]:
                totals[name].extend(measure_latency([query], sides[name], warmup=0).total_ms)
        for name, values in totals.items():
            paired[name].extend(values)
            found = Percentiles.of(values)
            if name not in best or found.p50 < best[name].p50:
                best[name] = found
    return Measured(best, paired)


@dataclass
class _PreEncoded:
    """An encoder whose 'encoding' is a look-up of vectors made in advance (the store path alone is timed)."""

    spec: Any
    vectors: dict[int, Any]

    def encode_queries(self, texts: Sequence[int]) -> list[Any]:
        return [self.vectors[t] for t in texts]

    def load(self) -> None:
        return None


def overhead(options: SuiteOptions, rows: list, targets: list, notes: list) -> None:
    import qdrant_edge as qe

    from benchmark.store.base import CollectionSchema, VectorKind, VectorSpec
    from benchmark.store.edge import EdgeStore
    from retrievers.retriever import Retriever

    size, n_queries = (5_000, 100) if options.quick else (100_000, 500)
    rng = np.random.default_rng(options.seed)
    probs = term_probabilities(rng, 30_522)
    spec = VectorSpec("splade", VectorKind.SPARSE)
    store = EdgeStore(options.work_dir / "overhead")
    collection = store.open("overhead", CollectionSchema((spec,)))
    for start in range(0, size, 5_000):
        n = min(5_000, size - start)
        collection.upsert(range(start, start + n), {"splade": sparse_vectors(rng, n, 30, 60, probs)})
    collection.mark_complete({"points": size})
    vectors = dict(enumerate(sparse_vectors(rng, n_queries, 10, 20, probs)))
    encoder = _PreEncoded(spec, vectors)
    retriever = Retriever.__new__(Retriever)  # no text builder or identity needed to answer pre-encoded queries
    retriever.encoders = (encoder,)  # type: ignore[assignment]
    shard = collection._shard  # type: ignore[attr-defined]  # the raw engine under the harness's collection

    def raw(query: int, clock: StageClock) -> object:  # the request, and reading the hits out of its answer
        v = vectors[query]
        nearest = qe.Query.Nearest(qe.SparseVector(v.indices.tolist(), v.values.tolist()), using="splade")
        return [(p.id, p.score) for p in shard.query(qe.QueryRequest(limit=K, query=nearest, with_payload=False))]

    def ours(query: int, clock: StageClock) -> object:
        return retriever.answer_one(query, K, collection, clock)  # type: ignore[arg-type]

    same = all(raw(q, StageClock()) == ours(q, StageClock()) for q in vectors)
    measured = _measure({"raw EdgeShard.query": raw, "harness answer_one": ours}, list(vectors))
    collection.close()
    store.close()
    base = measured.best["raw EdgeShard.query"]
    added = float(np.median(np.subtract(measured.paired_ms["harness answer_one"],
                                        measured.paired_ms["raw EdgeShard.query"])))
    allowed = max(OVERHEAD_SHARE * base.p50, OVERHEAD_FLOOR_MS)
    for name, p in measured.best.items():
        rows.append({"measure": "sparse search, one query", "path": name, "p50 ms": p.p50, "p95 ms": p.p95,
                     "p99 ms": p.p99, "products": size, "queries": n_queries})
    targets.append(Target(f"harness overhead over a raw qdrant-edge query (allowed {allowed:.3f} ms)", added,
                          allowed, "ms"))
    notes.append(f"overhead: {size:,} synthetic SPLADE-shaped products, k={K}; the median over queries of the "
                 f"paired difference (harness - raw, the same query back to back): {added:.4f} ms; difference of "
                 f"the best p50s: {measured.best['harness answer_one'].p50 - base.p50:.4f} ms; same hits from both "
                 f"paths: {same}")


def splade_query(options: SuiteOptions, rows: list, targets: list, notes: list) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from retrievers.splade import SpladeEncoder, SpladeSettings, sparse_rows

    texts = load_texts(options, 1, 50 if options.quick else 300)
    queries = list(dict.fromkeys(texts.queries))
    encoder = SpladeEncoder(SpladeSettings("bundled:splade-tiny", device="cpu"))
    model = encoder.model

    def plain(query: str, clock: StageClock) -> list:
        return sparse_rows(model.encode_query([query], convert_to_sparse_tensor=True, show_progress_bar=False), 1)

    def ours(query: str, clock: StageClock) -> list:
        return encoder.encode_queries([query])

    identical, max_diff = 0, 0.0
    for query in queries:
        (a,), (b,) = ours(query, StageClock()), plain(query, StageClock())
        if np.array_equal(a.indices, b.indices):
            identical += 1
            if a.values.size:
                max_diff = max(max_diff, float(np.max(np.abs(a.values - b.values))))
    best = _measure({"plain SparseEncoder.encode_query": plain, "shopbench SpladeEncoder": ours}, queries).best
    for name, p in best.items():
        rows.append({"measure": "SPLADE query encoding, batch size 1", "path": name, "p50 ms": p.p50,
                     "p95 ms": p.p95, "p99 ms": p.p99, "products": "", "queries": len(queries)})
    ratio = best["plain SparseEncoder.encode_query"].p50 / best["shopbench SpladeEncoder"].p50
    targets.append(Target("SPLADE one-query encoding: plain p50 / shopbench p50", ratio, 1.0, "x",
                          higher_is_better=True))
    notes.append(f"SPLADE query encoding: {texts.source} queries, bundled SPLADE-tiny on CPU; identical non-zero "
                 f"dimensions in {identical}/{len(queries)} vectors, max |value difference| {max_diff:.2e}")
    if identical != len(queries):
        targets.append(Target("SPLADE one-query vectors identical to plain (share)", identical / len(queries), 1.0,
                              "", higher_is_better=True))

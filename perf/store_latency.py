"""Search latency of the embedded store (qdrant-edge) at 10k / 100k / 500k products.

Seeded synthetic vectors shaped like SPLADE-tiny's on Home Depot titles (documents 30-60 non-zeros,
queries 10-20, over a 30,522-term vocabulary with Zipf-skewed term use) and MiniLM's (384-d, unit
length), in one collection per size: sparse alone, dense alone (exact search, as the harness runs
it) and hybrid (both prefetched, RRF in Qdrant), one query per request (latency) and ``query_batch`` of 64 (throughput), k=100.
"""

from __future__ import annotations

import time

import numpy as np

from benchmark.core.timing import measure_latency, timed
from benchmark.store.base import CollectionSchema, FusionRequest, SparseVector, VectorKind, VectorSpec
from benchmark.store.edge import EdgeStore
from perf.options import SuiteOptions
from perf.report import Section, Target

VOCAB, DIM, K, BATCH, UPSERT = 30_522, 384, 100, 64, 5_000
TARGET_MS, TARGET_AT = 2.0, 100_000


def measure(options: SuiteOptions) -> Section:
    started = time.perf_counter()
    sizes = options.sizes((10_000, 100_000, 500_000), (2_000, 10_000))
    rng = np.random.default_rng(options.seed)
    probs = term_probabilities(rng, VOCAB)
    n_queries = 200 if options.quick else 1_000
    queries = {"splade": sparse_vectors(rng, n_queries, 10, 20, probs), "dense": dense_vectors(rng, n_queries)}
    rows, targets = [], []
    for size in sizes:
        store = EdgeStore(options.work_dir / f"store-{size}")
        schema = CollectionSchema((VectorSpec("splade", VectorKind.SPARSE), VectorSpec("dense", VectorKind.DENSE, DIM)))
        collection = store.open(f"latency-{size}", schema)
        t0 = time.perf_counter()
        for start in range(0, size, UPSERT):
            n = min(UPSERT, size - start)
            collection.upsert(range(start, start + n), {"splade": sparse_vectors(rng, n, 30, 60, probs),
                                                          "dense": dense_vectors(rng, n)})
        collection.mark_complete({"points": size})
        build_s = time.perf_counter() - t0
        for mode in ("sparse", "dense", "hybrid"):
            p50, p95, qps = _time(collection, queries, mode, n_queries if size <= TARGET_AT else n_queries // 4)
            rows.append({"products": size, "search": mode, "ms/query p50": p50, "ms/query p95": p95,
                         "queries/s": qps, "build s (both vectors)": build_s})
            if mode == "sparse" and size == TARGET_AT:
                targets.append(Target(f"sparse search p50 at {size:,} products", p50, TARGET_MS, "ms"))
        collection.close()
        store.drop(f"latency-{size}")
        store.close()
    notes = [(f"{n_queries:,} queries (a quarter above {TARGET_AT:,} products); p50/p95: one query per request; "
              f"queries/s: batches of {BATCH}; build = generating + upserting + optimising both vectors")]
    return Section("store", "Embedded store search latency", rows, targets, notes, time.perf_counter() - started)


def _time(collection, queries, mode: str, n: int) -> tuple[float, float, float]:
    """Per-query p50/p95 (one query per request) and the batched queries/s (batches of ``BATCH``)."""
    def request(part: dict) -> object:
        if mode == "hybrid":
            return collection.fused_search(part, K, FusionRequest(prefetch_limit=K))
        name = "splade" if mode == "sparse" else "dense"
        return collection.search(name, part[name], K)

    one = lambda i, _clock: request({name: vectors[i : i + 1] for name, vectors in queries.items()})
    latency = measure_latency(range(n), one).end_to_end()
    _, batched_s = timed(lambda: [request({name: vectors[s : min(s + BATCH, n)] for name, vectors in queries.items()})
                                  for s in range(0, n, BATCH)])
    return latency.p50, latency.p95, n / batched_s


def term_probabilities(rng: np.random.Generator, vocab: int) -> np.ndarray:
    """Zipf-like term probabilities (rank^-1), shuffled over term ids."""
    p = 1.0 / np.arange(1, vocab + 1)
    return rng.permutation(p / p.sum())


def sparse_vectors(rng: np.random.Generator, n: int, lo: int, hi: int, probs: np.ndarray) -> list[SparseVector]:
    """``n`` vectors of ``lo``-``hi`` distinct terms drawn from ``probs``."""
    cdf = np.cumsum(probs)
    out = []
    for nnz in rng.integers(lo, hi + 1, size=n):
        draws = np.minimum(np.searchsorted(cdf, rng.random(4 * int(nnz))), len(probs) - 1)
        idx = np.unique(draws)[: int(nnz)].astype(np.uint32)
        out.append(SparseVector(idx, rng.gamma(2.0, 0.5, len(idx)).astype(np.float32)))
    return out


def dense_vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM), dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)

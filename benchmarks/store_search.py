"""Edge-store search latency for SPLADE-like sparse vectors (not a test).

Builds a seeded random collection through the public ``EdgeStore`` API (default: 50,000 documents
with 100-200 non-zeros each over a 30,000-term vocabulary, Zipf-skewed like real term use), then
times ``Collection.search`` on 1,000 queries of 10-20 terms, in batches (one ``query_batch`` per
batch). Prints the build time and, per repeat, ms/query amortised over all queries and the median
(p50) of per-batch ms/query. Target: under 2 ms per query.

    python benchmarks/store_search.py [--points 50000] [--queries 1000] [--batch 100] [--idf]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmark.store import CollectionSchema, SparseVector, VectorKind, VectorSpec
from benchmark.store.edge import EdgeStore

TARGET_MS = 2.0


def term_sampler(rng: np.random.Generator, vocab: int) -> np.ndarray:
    """Zipf-like term probabilities (rank^-1), shuffled over term ids."""
    p = 1.0 / np.arange(1, vocab + 1)
    return rng.permutation(p / p.sum())


def sparse_vectors(rng: np.random.Generator, n: int, lo: int, hi: int, probs: np.ndarray) -> list[SparseVector]:
    """``n`` vectors of ``lo``-``hi`` distinct terms drawn from ``probs`` (first distinct draws kept)."""
    cdf = np.cumsum(probs)
    out = []
    for nnz in rng.integers(lo, hi + 1, size=n):
        draws = np.minimum(np.searchsorted(cdf, rng.random(4 * int(nnz))), len(probs) - 1)
        _, first = np.unique(draws, return_index=True)
        idx = np.sort(draws[np.sort(first)][: int(nnz)]).astype(np.uint32)
        out.append(SparseVector(idx, rng.gamma(2.0, 0.5, len(idx)).astype(np.float32)))
    return out


def build(root: Path, docs: list[SparseVector], kind: VectorKind, chunk: int = 5_000) -> tuple[object, dict]:
    schema = CollectionSchema((VectorSpec("splade", kind),))
    store = EdgeStore(root)
    t0 = time.perf_counter()
    col = store.open("bench-sparse", schema)
    for start in range(0, len(docs), chunk):
        part = docs[start : start + chunk]
        col.upsert(list(range(start, start + len(part))), {"splade": part})
    t1 = time.perf_counter()
    col.mark_complete({"points": len(docs)})
    t2 = time.perf_counter()
    return col, {"upsert_s": t1 - t0, "mark_complete_s": t2 - t1, "build_s": t2 - t0}


def time_search(col, queries: list[SparseVector], batch: int, k: int) -> tuple[float, float]:
    """(amortised ms/query over all queries, p50 over batches of ms/query)."""
    per_batch = []
    t0 = time.perf_counter()
    for start in range(0, len(queries), batch):
        part = queries[start : start + batch]
        tb = time.perf_counter()
        col.search("splade", part, k)
        per_batch.append((time.perf_counter() - tb) * 1000 / len(part))
    total = (time.perf_counter() - t0) * 1000 / len(queries)
    return total, statistics.median(per_batch)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=50_000)
    ap.add_argument("--queries", type=int, default=1_000)
    ap.add_argument("--vocab", type=int, default=30_000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--idf", action="store_true", help="use SPARSE_IDF (Modifier.Idf) instead of plain dot")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--root", type=Path, default=None, help="where to build (default: a temporary folder)")
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    probs = term_sampler(rng, args.vocab)
    t = time.perf_counter()
    docs = sparse_vectors(rng, args.points, 100, 200, probs)
    queries = sparse_vectors(rng, args.queries, 10, 20, probs)
    print(f"generated {args.points:,} docs / {args.queries:,} queries in {time.perf_counter() - t:.1f} s")

    kind = VectorKind.SPARSE_IDF if args.idf else VectorKind.SPARSE
    with tempfile.TemporaryDirectory(prefix="store-bench-") as tmp:
        col, build_times = build(args.root or Path(tmp), docs, kind)
        info = col.info()
        print(
            f"build ({kind.value}): {build_times['build_s']:.2f} s = upsert {build_times['upsert_s']:.2f} s"
            f" + flush/optimize/marker {build_times['mark_complete_s']:.2f} s;"
            f" {info.points:,} points, {info.disk_bytes / 2**20:.1f} MiB on disk"
        )
        time_search(col, queries[: args.batch], args.batch, args.k)  # warm-up
        results = [time_search(col, queries, args.batch, args.k) for _ in range(args.repeats)]
        for i, (amortised, p50) in enumerate(results, 1):
            print(f"repeat {i}: {amortised:.3f} ms/query amortised, p50 over batches {p50:.3f} ms/query")
        best = min(r[0] for r in results)
        verdict = "OK" if best < TARGET_MS else "SLOWER THAN TARGET"
        print(f"search: best {best:.3f} ms/query (batch {args.batch}, k={args.k}); target < {TARGET_MS} ms: {verdict}")
        col.close()


if __name__ == "__main__":
    main()

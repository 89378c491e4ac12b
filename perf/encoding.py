"""SPLADE encoding: shopbench's fast path vs plain ``SparseEncoder.encode_document/encode_query``.

Same model (bundled SPLADE-tiny), same texts, same batch size, measured alternately in one process;
best of ``rounds``. The vectors of both paths are compared (same non-zero dimensions, values within
1e-5), and one pass of each is profiled (cProfile, top functions by own time) so the report shows
where the time goes before and after.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import time
from collections.abc import Callable

import numpy as np

from perf.options import SuiteOptions
from perf.report import Section, Target
from perf.texts import load_texts

TARGET_RATIO = 2.0
BATCH = 64


def measure(options: SuiteOptions) -> Section:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from retrievers.splade import SpladeEncoder, SpladeSettings, sparse_rows

    started = time.perf_counter()
    n_docs, n_queries = (150, 100) if options.quick else (4000, 4000)
    texts = load_texts(options, n_docs, n_queries)
    encoder = SpladeEncoder(SpladeSettings("bundled:splade-tiny", batch_size=BATCH, device="cpu"))
    model = encoder.model

    def plain(items: list[str], query: bool) -> list:
        encode = model.encode_query if query else model.encode_document
        return sparse_rows(encode(items, batch_size=BATCH, convert_to_sparse_tensor=True, show_progress_bar=False),
                           len(items))

    def fast(items: list[str], query: bool) -> list:
        return encoder.encode_queries(items) if query else encoder.encode_documents(items)

    rows, targets, notes = [], [], []
    for what, items, query in (("documents", texts.documents, False), ("queries", texts.queries, True)):
        fast(items[:BATCH], query)  # warm-up
        best = {"plain": float("inf"), "fast": float("inf")}
        outputs = {}
        for _ in range(1 if options.quick else 2):
            for name, fn in (("plain", plain), ("fast", fast)):
                t0 = time.perf_counter()
                outputs[name] = fn(items, query)
                best[name] = min(best[name], time.perf_counter() - t0)
        same, max_diff = _compare(outputs["fast"], outputs["plain"])
        ratio = best["plain"] / best["fast"]
        rows.append({"texts": what, "n": len(items), "plain ST /s": len(items) / best["plain"],
                     "shopbench /s": len(items) / best["fast"], "ratio": ratio,
                     "identical non-zeros": f"{same}/{len(items)}", "max |diff|": max_diff})
        targets.append(Target(f"SPLADE {what} encode throughput vs plain SparseEncoder.encode", ratio,
                              TARGET_RATIO, "x", higher_is_better=True))
        if same != len(items):
            notes.append(f"{what}: {len(items) - same} vectors differ in their non-zero dimensions")
    for name, fn in (("plain", plain), ("fast", fast)):
        notes.append(f"profile of one {name} pass over {len(texts.documents[: 150 if options.quick else 1000])} documents: "
                     + _profile(lambda fn=fn: fn(texts.documents[: 150 if options.quick else 1000], False)))
    notes.insert(0, f"texts: {texts.source}; model bundled:splade-tiny; batch {BATCH}; best of "
                    f"{1 if options.quick else 2} alternating rounds")
    return Section("encoding", "SPLADE encoding", rows, targets, notes, time.perf_counter() - started)


def _compare(ours: list, theirs: list) -> tuple[int, float]:
    same, max_diff = 0, 0.0
    for a, b in zip(ours, theirs, strict=True):
        if np.array_equal(a.indices, b.indices):
            same += 1
            if a.values.size:
                max_diff = max(max_diff, float(np.max(np.abs(a.values - b.values))))
    return same, max_diff


def _profile(work: Callable[[], object], top: int = 6) -> str:
    """The functions with the most own time, as 'name s (share)'."""
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    entries = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]  # type: ignore[attr-defined]
    return "; ".join(f"{_label(key)} {v[2]:.2f} s ({v[2] / total:.0%})" for key, v in entries)


def _label(key: tuple[str, int, str]) -> str:
    path, _line, name = key
    return name if path == "~" else f"{os.path.basename(path)}:{name}"

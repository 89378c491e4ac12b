"""``bench run -r hybrid:A+B``: fused retrievers, run and recorded like any other retriever.

Client-side (``where=client``, the default): each part goes through the harness's own index-and-search
path (:func:`benchmark.pipeline.harness.search_split`): its index is the one ``-r PART`` builds, found by the same
content key and reused when complete, and its run has the harness's exact rescoring, tie completion and
tie-breaking. The parts' runs are kept (:mod:`benchmark.fusion.part_runs`), so another fusion of the same
parts re-searches nothing. The parts' runs, each cut to ``depth`` hits, are fused by :func:`benchmark.fusion.methods.fuse`
and the fused scores get the same float32 tie-breaking before evaluation. With ``tune=dev`` the
parameters are first chosen on the dev split's runs of the same parts (:mod:`benchmark.fusion.tuning`).

Server-side (``where=server``, and the ``hybrid`` preset): one collection holds every part's vectors and
Qdrant fuses (:mod:`benchmark.fusion.server_side`).

Either way the result file records the parts (names, configs, index fingerprints), the method, its
parameters, and where and how they were tuned, in ``RetrieverInfo.config``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np

from benchmark.core.cache_layout import CacheLayout
from benchmark.core.console import console, stage
from benchmark.core.timing import machine, peak_rss_bytes, timed
from benchmark.datasets.base import Dataset
from benchmark.datasets.registry import load_dataset
from benchmark.datasets.splits import ALL_SPLIT
from benchmark.fusion.fused import FusedRetriever
from benchmark.fusion.latency import fused_latency
from benchmark.fusion.methods import FusionSite, warm_up
from benchmark.fusion.part_runs import PartRuns, run_key
from benchmark.fusion.resolve import build_system, resolve_system
from benchmark.fusion.server_side import run_server_side
from benchmark.fusion.settings import TUNE_SPLIT, ConfigError, FusedConfig
from benchmark.fusion.tuning import fused_run, tune
from benchmark.pipeline.harness import (
    PartStores,
    RunOutcome,
    RunRequest,
    Searched,
    SplitSearch,
    refuse_leaky_split,
    retriever_info,
    save_outcome,
    search_split,
)
from benchmark.ranking.evaluation import PRIMARY_METRIC, evaluate
from benchmark.ranking.results import Efficiency, Hardware, Latency
from benchmark.ranking.runs import Run
from benchmark.store.base import Store
from retrievers.retriever import Retriever


def load_fused(request: RunRequest, dataset: Dataset) -> FusedRetriever:
    config = resolve_system(request.retriever, request.overrides, cache_dir=request.cache_dir,
                            text_format=dataset.default_text_format)
    assert isinstance(config, FusedConfig)
    settings = config.settings
    if settings.depth < request.k:
        raise ConfigError(f"{request.retriever}: depth ({settings.depth}) must be >= k ({request.k})")
    if settings.tune:
        if settings.where is FusionSite.SERVER:
            raise ConfigError(f"{request.retriever}: tune=dev fuses client-side; tune with where=client, "
                              "then set the chosen rrf_k with where=server")
        if TUNE_SPLIT not in dataset.splits:
            raise ConfigError(f"{request.retriever}: tune=dev needs a dev split; dataset '{dataset.name}' has "
                              f"{', '.join(sorted(dataset.splits))}")
    with stage(f"loading retriever {request.retriever}"):
        fused = build_system(request.retriever, config)
    assert isinstance(fused, FusedRetriever)
    return fused


def run_fused(request: RunRequest, store: Store | None = None) -> RunOutcome:
    """One ``bench run`` of a fused retriever (``hybrid:A+B``) on one dataset split."""
    refuse_leaky_split(request, resolve_system)
    started = datetime.now(UTC)
    dataset = load_dataset(request.dataset, data_dir=request.data_dir, options=request.dataset_options,
                           cache_dir=request.cache_dir)
    dataset.split(request.split)
    fused = load_fused(request, dataset)
    settings = fused.settings
    if settings.where is FusionSite.SERVER:
        return run_server_side(request, dataset, fused, started, store)
    parts, dev_parts = _search_parts(request, dataset, fused, store)
    params, tuning = settings.params(), None
    if settings.tune:
        if request.split in (TUNE_SPLIT, ALL_SPLIT):
            console.print(f"[yellow]note:[/] {request.retriever} is tuned on {TUNE_SPLIT} and evaluated on "
                          f"{request.split}, which holds the {TUNE_SPLIT} queries: its numbers are optimistic")
        dev = dataset.split(TUNE_SPLIT)
        with stage(f"tuning {settings.method.tunable} on {TUNE_SPLIT} ({len(dev.queries):,} queries)"):
            tuned = tune(settings, [p.run for p in dev_parts], dev.qrels, dataset.gains.relevant_level,
                         list(dev.queries), request.k)
        params, tuning = tuned.params, tuned.record
        console.print(f"[dim]tuned on {TUNE_SPLIT}: {tuning['chosen']} ({tuning['metric']} {tuning['score']:.4f})[/]")
    warm_up(params, len(parts))
    run, fuse_s = timed(lambda: fused_run([p.run for p in parts], params, request.k))
    latency = fused_latency(request, dataset, fused, params, store)
    described = fused.describe(params, tuning)
    efficiency = fused_efficiency([p.searched for p in parts], fuse_s, latency)
    outcome = save_outcome(request, dataset, run, efficiency=efficiency,
                           text_builder=described["text"], info=retriever_info(fused, described),  # type: ignore[arg-type]
                           started=started, reused=all(p.searched.reused for p in parts))
    _print_against_parts(request, dataset, fused, parts, outcome)
    return outcome


def _search_parts(request: RunRequest, dataset: Dataset, fused: FusedRetriever,
                  store: Store | None) -> tuple[list[SplitSearch], list[SplitSearch]]:
    """Each part's run on the request's split (and on dev when tuning), ``depth`` hits deep, from its own
    index; a run an earlier fused run already made (same index, queries, depth) is taken from the cache."""
    part_request = replace(request, k=fused.settings.depth, latency_sample=0)  # timed fused, live
    cached = PartRuns(CacheLayout.of(request.cache_dir))
    stores = PartStores(request, store)
    deployment = request.deployment.key if store is None else f"{type(store).__name__}:{request.deployment.key}"

    def search(name: str, retriever: Retriever, split: str) -> SplitSearch:
        key = run_key(dataset, retriever, split, fused.settings.depth, request.drop_self_hits, deployment)
        def fresh() -> SplitSearch:
            console.print(f"[dim]{request.retriever}: part {name} on {split}[/]")
            return search_split(part_request, dataset, retriever, split, stores.shared())

        found, kept = cached.get(key, fresh)
        if kept:
            console.print(f"[dim]{request.retriever}: reusing the {split} run of part {name}[/]")
        return found

    try:
        parts = [search(name, retriever, request.split) for name, retriever in fused.parts]
        dev_parts = [search(name, retriever, TUNE_SPLIT) for name, retriever in fused.parts] \
            if fused.settings.tune else []
    finally:
        stores.close()
    return parts, dev_parts


def fused_efficiency(parts: Sequence[Searched], fuse_s: float, latency: Latency | None) -> Efficiency:
    """Index side: the parts' costs added up (encode throughput is the combined rate: documents / the parts'
    summed encoding time). Query side: the batched throughput of every part's encoding and search plus the
    fusion; per-query ``latency`` is the live sample of :func:`benchmark.fusion.latency.fused_latency`."""
    metas = [p.meta for p in parts]
    queries = parts[0].search.queries

    def total(key: str) -> float | None:
        values = [m.get(key) for m in metas]
        return None if any(v is None for v in values) else float(sum(values))  # type: ignore[arg-type]

    rates = [m.get("encode_docs_per_s") for m in metas]
    encode_docs = 1 / sum(1 / r for r in rates) if all(rates) else None  # type: ignore[operator]
    search_s = sum(p.search.search_s for p in parts)
    encode_s = sum(p.search.encode_s for p in parts)
    mean = lambda vs: float(np.mean(vs)) if vs else None
    per_s = lambda seconds: queries / seconds if seconds else None
    return Efficiency(
        index_s=total("index_s"), encode_docs_per_s=encode_docs,
        index_bytes=float(sum(p.index_bytes or 0 for p in parts)),
        nnz_doc=mean([m["nnz_doc"] for m in metas if m.get("nnz_doc") is not None]),
        peak_rss_bytes=float(peak_rss_bytes()),
        encode_queries_per_s=per_s(encode_s), search_qps=per_s(search_s + fuse_s),
        throughput_qps=per_s(encode_s + search_s + fuse_s),
        nnz_query=mean([p.search.nnz_query for p in parts if p.search.nnz_query is not None]),
        latency=latency, hardware=Hardware.of(machine()),
    )


def _print_against_parts(request: RunRequest, dataset: Dataset, fused: FusedRetriever, parts: Sequence[SplitSearch],
                         outcome: RunOutcome) -> None:
    """The fused nDCG@10 next to each part's on the same queries (the parts' runs cut to k)."""
    view = dataset.split(request.split)
    name = PRIMARY_METRIC.name
    cells = [f"{request.retriever} {outcome.record.metrics[name]:.4f}"]
    for (part, _), found in zip(fused.parts, parts, strict=True):
        run = Run({q: h[: request.k] for q, h in found.run.items()})
        score = evaluate(view.qrels, run, dataset.gains.relevant_level, [PRIMARY_METRIC], queries=list(view.queries))
        cells.append(f"{part} {score.metrics[name]:.4f}")
    reused = "reused" if outcome.record.reused_index else "built"
    console.print(f"{name} on {dataset.name}/{request.split}: " + " | ".join(cells) + f"  (parts' indexes {reused})")

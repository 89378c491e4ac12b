"""``bench run``: load a dataset, build or reuse its index, search a split, evaluate, write results.

Caching decisions live here. An index is keyed by the corpus key (dataset checksum + text format)
and the retriever's index fingerprint (encoder configs + model weights); a complete collection is
reused, anything else is rebuilt. Encoder state that is not in Qdrant (BM25's vocabulary and
average length) is kept beside the index in the cache folder, and recomputed if absent.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmark.core import atomic, paths, timing
from benchmark.core.cache_layout import QUERY_VECTORS, VECTORS, CacheLayout
from benchmark.core.console import console, stage
from benchmark.core.errors import ShopbenchError
from benchmark.core.progress import Meter
from benchmark.datasets.base import Dataset
from benchmark.datasets.registry import load_dataset
from benchmark.datasets.text import corpus_key, corpus_texts
from benchmark.pipeline.remote_encoding import fill_missing
from benchmark.ranking.evaluation import Evaluation, evaluate, judged_at_k
from benchmark.ranking.results import (
    DeploymentInfo,
    Efficiency,
    EncodingInfo,
    Hardware,
    Latency,
    ResultRecord,
    RetrieverInfo,
    dataset_info,
    environment_snapshot,
    load_result,
    save_result,
)
from benchmark.ranking.runs import Run, drop_self
from benchmark.store.base import Collection, Store
from benchmark.store.deployment import Deployment
from benchmark.store.factory import make_store
from benchmark.store.vector_cache import VectorCache
from retrievers.exact import TIE_MARGIN, near
from retrievers.registry import build, check_name, resolve_config
from retrievers.retriever import IndexStats, Retriever, SearchStats


@dataclass(frozen=True)
class RunRequest:
    retriever: str
    dataset: str
    split: str = "test"
    k: int = 100
    overrides: Mapping[str, Any] | Sequence[str] = ()
    dataset_options: Sequence[str] = ()
    data_dir: Path | None = None
    cache_dir: Path | None = None
    output_dir: Path = Path("results")
    qdrant_url: str | None = None
    shards: int = 1
    replication_factor: int = 1
    drop_self_hits: bool = False
    latency_sample: int = timing.DEFAULT_SAMPLE  # queries timed one at a time (0: none)
    command: tuple[str, ...] = field(default_factory=lambda: tuple(sys.argv))
    # encodes the catalog elsewhere (benchmark.pipeline.remote_encoding.RemoteEncoding); None: here
    remote_encoding: Any = field(default=None, compare=False)

    @property
    def deployment(self) -> Deployment:
        return Deployment.of(self.qdrant_url, self.shards, self.replication_factor)


@dataclass(frozen=True)
class RunOutcome:
    record: ResultRecord
    path: Path
    evaluation: Evaluation


def index_key(dataset: Dataset, retriever: Retriever) -> str:
    digest = hashlib.sha256(f"{corpus_key(dataset, retriever.text_builder)}:{retriever.index_fingerprint()}".encode())
    kinds = "-".join(e.identity.kind for e in retriever.encoders)  # not the retriever name: same vectors, same index
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{dataset.name}-{kinds}")[:80]
    return f"{readable}-{digest.hexdigest()[:24]}"


def _state_path(cache_root: Path, key: str) -> Path:
    return CacheLayout(cache_root).index_state(key)


def _restore_state(retriever: Retriever, documents: Sequence[str], path: Path) -> None:
    stateful = [e for e in retriever.encoders if hasattr(e, "load_state")]
    if not stateful:
        return
    if path.is_file():
        states = json.loads(path.read_text())
        try:
            for encoder in stateful:
                encoder.load_state(states[encoder.spec.name])
            return
        except KeyError:  # saved by an older version, without some statistic: recompute below
            pass
    with stage("recomputing corpus statistics"):
        retriever.prepare(documents)
    _save_state(retriever, path)


def _save_state(retriever: Retriever, path: Path) -> None:
    states = {e.spec.name: e.state() for e in retriever.encoders if hasattr(e, "state")}
    if not states:
        return
    atomic.write_json(path, states, overwrite=True, wrap_errors=False)


def build_index(retriever: Retriever, documents: Sequence[str], collection: Collection, state: Path,
                cache: VectorCache | None = None, extra_meta: Mapping[str, Any] | None = None) -> dict:
    """Encode + upsert everything, then mark the collection complete (the marker is written last).

    ``index_s`` is what building costs: corpus statistics + encoding + upserting (the final flush and optimisation
    run when the marker is written, after it); chunks taken from the vector cache count at the seconds their
    encoding took, so an index built from cached vectors reports the cost of building it, not the shortcut."""
    start = time.perf_counter()
    with stage(f"{retriever.name}: corpus statistics"):
        retriever.prepare(documents)
    prepare_s = time.perf_counter() - start
    with Meter(f"indexing with {retriever.name}", len(documents), "docs") as meter:
        stats: IndexStats = retriever.index(documents, collection, meter.advance, cache)
        meter.close()
    _save_state(retriever, state)
    meta = {"index_s": prepare_s + stats.encode_s + stats.upsert_s, "encode_docs_per_s": stats.encode_docs_per_s,
            "nnz_doc": stats.nnz_doc, "documents": stats.documents, **(extra_meta or {})}
    with stage("flushing and optimising the index"):
        collection.mark_complete(meta)
    return meta


@dataclass(frozen=True)
class Searched:
    """What searching one split cost and found: raw hits (point ids), batched search stats, the index's meta,
    the per-query latency sample (None: not measured)."""

    hits: list
    search: SearchStats
    meta: dict
    reused: bool
    index_bytes: int
    latency: Latency | None = None


@dataclass(frozen=True)
class OpenIndex:
    """A complete index of one retriever on one dataset, open for searching."""

    collection: Collection
    meta: dict
    reused: bool


def open_index(request: RunRequest, dataset: Dataset, retriever: Retriever, documents: Sequence[str],
               store: Store) -> OpenIndex:
    """Reuse the complete index (restoring the encoders' corpus statistics) or build it."""
    cache_root = paths.cache_dir(request.cache_dir)
    key = index_key(dataset, retriever)
    collection = store.open(key, retriever.schema(request.shards, request.replication_factor))
    if collection.is_complete():
        console.print(f"[dim]reusing index {key}[/]")
        _restore_state(retriever, documents, _state_path(cache_root, key))
        return OpenIndex(collection, dict(collection.info().meta), True)
    vectors = VectorCache(CacheLayout(cache_root).area(VECTORS), corpus_key(dataset, retriever.text_builder))
    extra: dict[str, Any] = {}
    if request.remote_encoding is not None:
        remote = fill_missing(retriever, documents, vectors, request.remote_encoding)
        if remote is not None:
            extra["encoding"] = remote.meta()
    return OpenIndex(collection, build_index(retriever, documents, collection, _state_path(cache_root, key), vectors,
                                             extra), False)


def _index_and_search(request: RunRequest, dataset: Dataset, retriever: Retriever, documents: Sequence[str],
                      queries: Sequence[str], store: Store) -> Searched:
    """Reuse the complete index or build it, search every query of the split, then time the latency sample."""
    cache_root = paths.cache_dir(request.cache_dir)
    opened = open_index(request, dataset, retriever, documents, store)
    k = request.k + 1 if request.drop_self_hits else request.k

    def cache_for(texts: Sequence[str]) -> VectorCache:
        return query_cache(cache_root, dataset, retriever, texts)

    with stage(f"searching {len(queries):,} queries"):
        hits, search = search_ranked(retriever, queries, k, opened.collection, cache_for)
    latency = measure_latency(request, queries, lambda q, clock: retriever.answer_one(q, k, opened.collection, clock))
    return Searched(hits, search, opened.meta, opened.reused, opened.collection.info().disk_bytes, latency)


def measure_latency(request: RunRequest, queries: Sequence[str],
                    answer: Callable[[str, timing.StageClock], object]) -> Latency | None:
    """Time ``request.latency_sample`` of ``queries`` (seeded) one at a time with ``answer`` (None: 0 asked)."""
    if request.latency_sample <= 0 or not queries:
        return None
    chosen = [queries[i] for i in timing.sample(len(queries), request.latency_sample, timing.DEFAULT_SEED)]
    with stage(f"timing {len(chosen):,} queries one at a time"):
        measured = timing.measure_latency(chosen, answer)
    return Latency.of(measured, timing.DEFAULT_SEED, request.k)


def search_ranked(retriever: Retriever, queries: Sequence[str], k: int, collection: Collection,
                  cache_for: Callable[[Sequence[str]], VectorCache] | None = None) -> tuple[list, SearchStats]:
    """The one way anything that reports a metric searches: ``k`` + :data:`TIE_MARGIN` candidates per query,
    scored exactly (:meth:`Retriever.exact`), tie groups at the cut-off completed; map the point ids with
    :func:`ranked_run`."""
    hits, search = retriever.search(queries, k + TIE_MARGIN, collection, cache=cache_for(queries) if cache_for else None)
    _complete_ties(retriever, queries, hits, k, collection, cache_for)
    return hits, search


def ranked_run(qids: Sequence[str], hits: Sequence[Sequence[tuple[int, float]]], doc_id_at: Callable[[int], str],
               k: int) -> Run:
    """The deterministic :class:`Run` of ``k`` hits per query from point-id hits (point id -> doc id)."""
    return Run.from_hits({q: [(doc_id_at(p), s) for p, s in h] for q, h in zip(qids, hits, strict=True)}, k=k)


def query_cache(cache_root: Path, dataset: Dataset, retriever: Retriever, queries: Sequence[str]) -> VectorCache:
    """Where the encoded vectors of exactly these query texts (in this order) are kept, per encoder.

    Keyed by the corpus key too, because a query vector may depend on corpus statistics (BM25's IDF).
    A re-run of the same pair then needs no model: nothing but the index and these files is read.
    """
    digest = hashlib.sha256(json.dumps([corpus_key(dataset, retriever.text_builder), list(queries)]).encode())
    return VectorCache(CacheLayout(cache_root).area(QUERY_VECTORS), digest.hexdigest())


def _complete_ties(retriever: Retriever, queries: Sequence[str], hits: list, k: int, collection: Collection,
                   cache_for: Callable[[Sequence[str]], VectorCache] | None = None) -> None:
    """Fetch more where a group of equal (or nearly equal: :func:`retrievers.exact.near`) scores runs past
    what was fetched (in place).

    Which members of a tie group a store returns at its cut-off depends on the index build; with the
    whole group in hand, scored exactly, :class:`~benchmark.ranking.runs.Run` breaks the tie by doc id, so the
    top k is the same on every build.
    """
    limit = k + TIE_MARGIN
    for _ in range(4):
        open_ties = [i for i, h in enumerate(hits)
                     if len(h) >= limit and near(h[k - 1][1], h[-1][1])]
        if not open_ties:
            return
        limit *= 4
        subset = [queries[i] for i in open_ties]
        more, _ = retriever.search(subset, limit, collection, cache=cache_for(subset) if cache_for else None)
        for i, h in zip(open_ties, more, strict=True):
            hits[i] = h


def efficiency_of(done: Searched) -> Efficiency:
    meta, search = done.meta, done.search
    return Efficiency(
        index_s=meta.get("index_s"), encode_docs_per_s=meta.get("encode_docs_per_s"),
        index_bytes=float(done.index_bytes or 0), nnz_doc=meta.get("nnz_doc"),
        peak_rss_bytes=float(timing.peak_rss_bytes()),
        encode_queries_per_s=search.encode_queries_per_s or None, search_qps=search.search_qps,
        throughput_qps=search.throughput_qps, nnz_query=search.nnz_query,
        latency=done.latency, hardware=Hardware.of(timing.machine()),
        encoding=EncodingInfo.model_validate(meta["encoding"]) if meta.get("encoding") else None,
    )


def _load_retriever(request: RunRequest, dataset: Dataset) -> Retriever:
    config = resolve_config(request.retriever, request.overrides, cache_dir=request.cache_dir,
                            text_format=dataset.default_text_format)
    with stage(f"loading retriever {request.retriever}"):
        return build(request.retriever, config)


def run_benchmark(request: RunRequest, store: Store | None = None) -> RunOutcome:
    """One ``bench run`` of one single (not fused) retriever on one dataset split. A fused name (``hybrid``,
    ``hybrid:A+B``) runs through :func:`benchmark.fusion.systems.run_any` (fusion is built on this module, which
    does not import it); here it is an unknown retriever, refused before anything is loaded."""
    check_name(request.retriever)
    refuse_leaky_split(request)
    started = datetime.now(UTC)
    dataset = load_dataset(request.dataset, data_dir=request.data_dir, options=request.dataset_options,
                           cache_dir=request.cache_dir)
    dataset.split(request.split)
    retriever = _load_retriever(request, dataset)
    return run_retriever(request, dataset, retriever, started, store)


def refuse_leaky_split(request: RunRequest, resolve: Callable[..., Any] = resolve_config) -> None:
    """The leakage guard (:mod:`benchmark.pipeline.trained_on`), before anything is loaded: no model of the run may have
    been trained on the queries of the requested split (split ``all`` contains the train split). ``resolve``: how
    the name is resolved (fusion passes its own, which resolves every part)."""
    from benchmark.pipeline.trained_on import refuse_trained_on

    try:
        config = resolve(request.retriever, request.overrides, cache_dir=request.cache_dir)
    except ShopbenchError:  # an unknown retriever or a bad setting: reported where the retriever is loaded
        return
    refuse_trained_on(request.dataset, request.split, config)


@dataclass(frozen=True)
class SplitSearch:
    """One retriever's deterministic run on one split's queries, with what the search cost."""

    run: Run
    searched: Searched


def open_store(request: RunRequest, retriever: Retriever, store: Store | None) -> tuple[Store, bool]:
    """The store ``retriever`` searches and whether the caller must close it: its own local store
    (bm25-lucene / bm25-rank), else ``store``, else a new Qdrant store for the request."""
    own = retriever.own_store(paths.cache_dir(request.cache_dir))
    if own is not None:
        return own, True
    if store is not None:
        return store, False
    return make_store(request.qdrant_url, paths.cache_dir(request.cache_dir)), True


class PartStores:
    """The stores the several retrievers of one request (the parts of a fusion) search: each retriever's own local
    store where it has one (bm25-lucene / bm25-rank), else the given ``store``, else one new Qdrant store for the
    request that they all share (opened on first use). Closes what it opened."""

    def __init__(self, request: RunRequest, store: Store | None = None) -> None:
        self.request = request
        self.given = store
        self.opened: list[Store] = []
        self._shared: Store | None = None

    def shared(self) -> Store:
        """The given store, else the one new store of this request."""
        if self.given is not None:
            return self.given
        if self._shared is None:
            self._shared = make_store(self.request.qdrant_url, paths.cache_dir(self.request.cache_dir))
            self.opened.append(self._shared)
        return self._shared

    def for_retriever(self, retriever: Retriever) -> Store:
        own = retriever.own_store(paths.cache_dir(self.request.cache_dir))
        if own is None:
            return self.shared()
        self.opened.append(own)
        return own

    def close(self) -> None:
        while self.opened:
            self.opened.pop().close()

    def __enter__(self) -> PartStores:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def search_split(request: RunRequest, dataset: Dataset, retriever: Retriever, split: str,
                 store: Store | None = None) -> SplitSearch:
    """Build or reuse ``retriever``'s index, search every query of ``split``; the run keeps ``request.k`` hits
    (after dropping self hits when asked), scored exactly and ties broken deterministically."""
    view = dataset.split(split)
    qids = list(view.queries)
    used, own = open_store(request, retriever, store)
    try:
        done = _index_and_search(request, dataset, retriever, corpus_texts(dataset, retriever.text_builder),
                                 [view.queries[q] for q in qids], used)
    finally:
        if own:
            used.close()
    k = request.k + 1 if request.drop_self_hits else request.k
    found = sorted({p for h in done.hits for p, _ in h})  # point id = position in the doc-id-sorted corpus
    doc_ids = dict(zip(found, dataset.corpus.ids_at(found), strict=True))
    run = ranked_run(qids, done.hits, doc_ids.__getitem__, k)
    if request.drop_self_hits:
        run = Run.from_hits({q: list(h) for q, h in drop_self(run).items()}, k=request.k)
    return SplitSearch(run, done)


def run_retriever(request: RunRequest, dataset: Dataset, retriever: Retriever, started: datetime,
                  store: Store | None = None, info: RetrieverInfo | None = None) -> RunOutcome:
    """Search, evaluate and save one retriever's run; ``info`` replaces what ``retriever`` would record."""
    found = search_split(request, dataset, retriever, request.split, store)
    return save_outcome(request, dataset, found.run, efficiency=efficiency_of(found.searched),
                        text_builder=retriever.text_builder.config(), info=info or retriever_info(retriever),
                        started=started, reused=found.searched.reused)


def save_outcome(request: RunRequest, dataset: Dataset, run: Run, *, efficiency: Efficiency,
                 text_builder: Mapping[str, Any], info: RetrieverInfo, started: datetime,
                 reused: bool) -> RunOutcome:
    """Evaluate ``run`` on the request's split, write the result record and TREC run, read it back."""
    from benchmark.ranking.text_record import dropped_for, warn_dropped

    view = dataset.split(request.split)
    qids = list(view.queries)
    evaluation = evaluate(view.qrels, run, dataset.gains.relevant_level, queries=qids)
    dropped = dropped_for(dataset, text_builder)
    warn_dropped(dataset, text_builder, dropped)
    record = ResultRecord(
        dataset=dataset_info(dataset, request.split),
        text_builder=dict(text_builder),
        dropped_fields=dropped,
        retriever=info,
        metrics=dict(evaluation.metrics),
        per_query={m: dict(v) for m, v in evaluation.per_query.items()},
        excluded_queries=list(evaluation.excluded_queries),
        judged_at_10=judged_at_k(view.qrels, run, 10, queries=evaluation.query_ids),
        efficiency=efficiency,
        environment=environment_snapshot(),
        command=list(request.command),
        started_at=started,
        finished_at=datetime.now(UTC),
        reused_index=reused,
        deployment=DeploymentInfo.model_validate(request.deployment.record()),
    )
    path = save_result(record, run, request.output_dir)
    return RunOutcome(load_result(path), path, evaluation)


def retriever_info(retriever: Retriever, described: Mapping[str, Any] | None = None) -> RetrieverInfo:
    """What a result file records about a retriever (``described``: its description, default ``describe()``)."""
    described = described or retriever.describe()
    models = [e["model"] for e in described["encoders"] if "model" in e]  # type: ignore[union-attr]
    join = lambda key: " + ".join(m[key] for m in models if m[key]) or None
    return RetrieverInfo(name=retriever.name, config=described, model_id=join("name"),
                         model_revision=join("revision"), weights_sha256=join("weights_sha256"))

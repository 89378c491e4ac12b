"""Search with a model being trained, through the harness's own machinery: dev metrics and hard negatives.

Both steps index a catalog exactly as ``bench run`` does: the retriever comes from the retriever
registry (``splade-ft`` with ``model=<round folder>``), the store from
:func:`~benchmark.store.factory.make_store` (embedded qdrant-edge, or ``$QDRANT_URL``), the
collection key from :func:`~benchmark.pipeline.harness.index_key` and the build from
:func:`~benchmark.pipeline.harness.build_index`. A full-catalog index built for a round is therefore the
index ``bench run -r splade-ft`` reuses for that model; mining for round r reuses the dev index
of round r-1. With ``mining.corpus_cap`` the mining index holds only the judged products of the
training queries plus a seeded sample of the rest (a separate, temporary collection).

Mining (ANCE-style): for each training query, retrieve ``top_k``; drop every product judged
relevant for it (its positives and any judgement at or above the dataset's relevant level); with
``false_negative_margin`` also drop unjudged products scoring at least margin x the best judged
positive's score in the top-k (no reference score: no such drop); keep the first ``negatives``.
A query left with fewer (or not mined because of ``mining.max_queries``) is filled with random
unjudged products of the index, and counted.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.core import atomic, paths
from benchmark.core.cache_layout import VECTORS, CacheLayout
from benchmark.core.console import console, stage
from benchmark.datasets.base import Dataset
from benchmark.datasets.text import build_texts, corpus_key
from benchmark.pipeline.harness import build_index, index_key, ranked_run, search_ranked
from benchmark.pipeline.remote_encoding import RemoteEncoding, fill_missing
from benchmark.ranking.evaluation import evaluate
from benchmark.ranking.runs import Run
from benchmark.store.base import Collection, Store
from benchmark.store.factory import make_store
from benchmark.store.vector_cache import VectorCache
from benchmark.train.config import MiningConfig, TrainConfig
from benchmark.train.data import DatasetPairs
from retrievers.registry import build, resolve_config
from retrievers.retriever import Retriever

RETRIEVER_NAME = "splade-ft"  # as `bench run -r splade-ft`; the index key depends on the weights, not the name


@dataclass
class Index:
    retriever: Retriever
    collection: Collection
    doc_ids: list[str]
    key: str
    full_catalog: bool


@dataclass
class MinedSet:
    negatives: dict[str, list[str]]  # qid -> doc ids, hardest first
    stats: dict[str, float | int] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # qid -> "mined" | "random" | "mined+random"


def make_retriever(model_dir: Path, config: TrainConfig) -> Retriever:
    settings = {"model": str(model_dir), "text_format": config.text_format.value,
                "batch_size": config.eval_batch_size, "device": config.device}
    return build(RETRIEVER_NAME, resolve_config(RETRIEVER_NAME, settings))


def open_store(cache_dir: Path | str | None) -> Store:
    return make_store(None, paths.cache_dir(cache_dir))


def open_index(retriever: Retriever, dataset: Dataset, store: Store, cache_dir: Path | str | None,
               doc_subset: list[str] | None = None, remote: RemoteEncoding | None = None) -> Index:
    """The model's index of ``dataset``'s catalog (or of ``doc_subset``), reused if complete; built from vectors
    encoded by ``remote`` (``bench train --encode-on modal``) when given."""
    builder = retriever.text_builder
    if doc_subset is None:
        texts = build_texts(dataset, builder)
        key = index_key(dataset, retriever)
    else:
        ids = sorted(doc_subset)
        texts = {d: builder.build(dataset.corpus[d]) for d in ids}
        digest = hashlib.sha256(f"{corpus_key(dataset, builder)}:{retriever.index_fingerprint()}:"
                                f"{','.join(ids)}".encode()).hexdigest()[:24]
        key = f"{dataset.name}-train-mine-{digest}"[:120]
    collection = store.open(key, retriever.schema())
    if collection.is_complete():
        console.print(f"[dim]reusing index {key}[/]")
    else:
        state = CacheLayout.of(cache_dir).index_state(key)
        documents = list(texts.values())
        vectors = None
        if remote is not None:
            corpus = corpus_key(dataset, builder) if doc_subset is None else key
            vectors = VectorCache(CacheLayout.of(cache_dir).area(VECTORS), corpus)
            fill_missing(retriever, documents, vectors, remote)
        build_index(retriever, documents, collection, state, vectors)
    return Index(retriever, collection, list(texts), key, doc_subset is None)


def search(index: Index, queries: Mapping[str, str], k: int, stats: dict | None = None) -> Run:
    """Top-``k`` per query as a :class:`Run` of doc ids, ranked exactly as ``bench run`` ranks
    (:func:`~benchmark.pipeline.harness.search_ranked`); ``stats`` receives ``nnz_query`` when given."""
    qids = list(queries)
    with stage(f"searching {len(qids):,} queries"):
        hits, search_stats = search_ranked(index.retriever, [queries[q] for q in qids], k, index.collection)
    if stats is not None and search_stats is not None:
        stats["nnz_query"] = search_stats.nnz_query
    return ranked_run(qids, hits, index.doc_ids.__getitem__, k)


def dev_queries(pairs: DatasetPairs, config: TrainConfig) -> dict[str, str]:
    queries = {q: t for q, t in sorted(pairs.dev_queries.items()) if q in pairs.dataset.qrels}
    if config.dev_max_queries is not None and len(queries) > config.dev_max_queries:
        chosen = set(random.Random(f"{config.seed}:dev:{pairs.name}").sample(sorted(queries), config.dev_max_queries))
        queries = {q: t for q, t in queries.items() if q in chosen}
    return queries


def dev_metrics(index: Index, pairs: DatasetPairs, config: TrainConfig) -> dict[str, float | int]:
    queries = dev_queries(pairs, config)
    if not queries:
        return {}
    sparsity: dict = {}
    run = search(index, queries, 100, sparsity)
    qrels = {q: pairs.dataset.qrels[q] for q in queries}
    result = evaluate(qrels, run, pairs.dataset.gains.relevant_level, queries=list(queries))
    nnz_doc = index.collection.info().meta.get("nnz_doc")
    return {**result.metrics, "queries": result.num_queries, "excluded": len(result.excluded_queries),
            **({"nnz_doc": round(float(nnz_doc), 1)} if nnz_doc is not None else {}),
            **({"nnz_query": round(float(sparsity["nnz_query"]), 1)} if sparsity.get("nnz_query") else {})}


def mining_subset(pairs: DatasetPairs, cap: int | None, seed: int) -> list[str] | None:
    """None (the full catalog) unless ``corpus_cap`` is smaller than the catalog."""
    corpus = pairs.dataset.corpus
    if cap is None or cap >= len(corpus):
        return None
    judged = {d for q in pairs.train_queries for d in pairs.dataset.qrels.get(q, {}) if d in corpus}  # absent: no text
    rest = sorted(set(corpus) - judged)
    extra = max(0, cap - len(judged))
    return sorted(judged | set(random.Random(f"{seed}:corpus:{pairs.name}").sample(rest, min(extra, len(rest)))))


def mine(index: Index, pairs: DatasetPairs, cfg: MiningConfig, seed: int) -> MinedSet:
    rng = random.Random(f"{seed}:mine:{pairs.name}")
    qids = sorted(pairs.train_queries)
    if cfg.max_queries is not None and len(qids) > cfg.max_queries:
        qids = sorted(rng.sample(qids, cfg.max_queries))
    run = search(index, {q: pairs.train_queries[q] for q in qids}, cfg.top_k)
    out = MinedSet({})
    counts = {"queries_mined": len(qids), "dropped_judged_relevant": 0, "dropped_margin": 0,
              "filled_random": 0, "queries_filled": 0}
    for qid in sorted(pairs.train_queries):
        relevant = pairs.relevant(qid)
        hits = run.get(qid, ())
        negatives = _hardest(hits, relevant, pairs.dataset.qrels.get(qid, {}), cfg, counts)
        source = "mined" if qid in run else ""
        if len(negatives) < cfg.negatives:
            missing = cfg.negatives - len(negatives)
            negatives += _random_negatives(index.doc_ids, relevant | set(negatives), missing, rng)
            counts["filled_random"] += missing
            counts["queries_filled"] += 1
            source = f"{source}+random" if source else "random"
        out.negatives[qid] = negatives
        out.sources[qid] = source
    out.stats = {**counts, "queries": len(out.negatives), "negatives_per_query": cfg.negatives,
                 "index_documents": len(index.doc_ids), "full_catalog": int(index.full_catalog)}
    return out


def _hardest(hits, relevant: set[str], judged: Mapping[str, int], cfg: MiningConfig, counts: dict) -> list[str]:
    reference = max((s for d, s in hits if d in relevant), default=None)
    negatives: list[str] = []
    for doc, score in hits:
        if doc in relevant:
            counts["dropped_judged_relevant"] += 1
            continue
        margin = cfg.false_negative_margin
        if margin is not None and reference is not None and doc not in judged and score >= margin * reference:
            counts["dropped_margin"] += 1
            continue
        negatives.append(doc)
        if len(negatives) == cfg.negatives:
            break
    return negatives


def _random_negatives(doc_ids: list[str], exclude: set[str], n: int, rng: random.Random) -> list[str]:
    out: list[str] = []
    for _ in range(50 * n):
        doc = doc_ids[rng.randrange(len(doc_ids))]
        if doc not in exclude and doc not in out:
            out.append(doc)
            if len(out) == n:
                break
    return out


def save_mined(path: Path, pairs: DatasetPairs, mined: MinedSet) -> None:
    """One JSON line per query: dataset, qid, query, negatives (doc ids), source."""
    lines = [json.dumps({"dataset": pairs.name, "qid": qid, "query": pairs.train_queries[qid],
                         "negatives": docs, "source": mined.sources.get(qid, "")}) + "\n"
             for qid, docs in mined.negatives.items()]
    atomic.write_text(path, "".join(lines), overwrite=True, wrap_errors=False)


def load_mined(path: Path) -> dict[str, list[str]]:
    with path.open() as handle:
        return {row["qid"]: row["negatives"] for row in map(json.loads, handle)}

"""Server-side fusion (``where=server``; the ``hybrid`` preset): one Qdrant collection holding every part's vectors,
fused by Qdrant (Prefetch + Fusion), one request per query, batched.

:class:`QdrantFused` is the retriever of that collection. Its search is what the latency figures time; the
ranking it returns is made independent of the index build: each part's top ``prefetch_limit`` is ranked exactly
(ties by doc id, never by the build's point order) and fused with Qdrant's formula by
:func:`benchmark.fusion.methods.fuse`, so it equals client-side fusion of the same parts with ``depth`` =
``prefetch_limit``. :func:`run_server_side` builds the collection from the vector cache (nothing is re-encoded
when the parts' own runs encoded it) and runs it through the harness like any single retriever.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import ClassVar

import numpy as np

from benchmark.core.cache_layout import VECTORS, CacheLayout
from benchmark.core.console import console
from benchmark.datasets.base import Dataset
from benchmark.datasets.text import corpus_key
from benchmark.fusion.fused import FusedRetriever
from benchmark.fusion.methods import FuseMethod, FusionParams, fuse
from benchmark.fusion.settings import ConfigError
from benchmark.pipeline.harness import RunOutcome, RunRequest, index_key, open_store, retriever_info, run_retriever
from benchmark.store.base import Collection, FusionRequest, Hits, QdrantFusion, Store, Vector
from benchmark.store.vector_cache import VectorCache
from retrievers.exact import ordered
from retrievers.retriever import CHUNK, Retriever

_METHOD = {QdrantFusion.RRF: FuseMethod.RRF, QdrantFusion.DBSF: FuseMethod.DBSF}


@dataclass
class QdrantFused(Retriever):
    """Several encoders in one collection (one named vector each), searched with Qdrant's Prefetch + Fusion."""

    fusion: FusionRequest = field(default_factory=FusionRequest)
    fuses_in_store: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.encoders) < 2:
            raise ValueError("server-side fusion needs two or more encoders")

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "fusion": {"method": self.fusion.method.value, "rrf_k": self.fusion.rrf_k,
                                                 "prefetch_limit": self.fusion.prefetch_limit}}

    def search_batch(self, batch: Mapping[str, Sequence[Vector]], k: int, collection: Collection) -> list[Hits]:
        return collection.fused_search({name: self.store_queries(name, vectors) for name, vectors in batch.items()},
                                       k, self.fusion)

    def exact(self, encoded: Mapping[str, Sequence[Vector]], hits: list[Hits], k: int,
              collection: Collection) -> list[Hits]:
        """Each part's exact top ``prefetch_limit`` fused with Qdrant's formula (the store's own fused list is
        what the search timed)."""
        parts = []
        for encoder in self.encoders:
            ranked = self.exact_top(encoder, encoded[encoder.spec.name], self.fusion.prefetch_limit, collection)
            parts.append({str(i): tuple((f"{p:012d}", s) for p, s in h) for i, h in enumerate(ranked)})
        fused = fuse(parts, FusionParams(_METHOD[self.fusion.method], rrf_k=self.fusion.rrf_k))
        total = len(next(iter(encoded.values()))) if encoded else 0
        scores = [np.asarray([s for _, s in fused.get(str(i), [])], dtype=np.float32).tolist() for i in range(total)]
        return [ordered([(int(d), s) for (d, _), s in zip(fused.get(str(i), []), scores[i], strict=True)])[:k]
                for i in range(total)]


def run_server_side(request: RunRequest, dataset: Dataset, fused: FusedRetriever, started: datetime,
                    store: Store | None) -> RunOutcome:
    """One collection with every part's vectors (from the vector cache), fused by Qdrant."""
    params = fused.settings.params()
    combined = shared_collection(fused, params)
    info = retriever_info(fused, fused.describe(params))  # type: ignore[arg-type]
    used, own = open_store(request, combined, store)
    try:
        if not used.exists_complete(index_key(dataset, combined)):
            _warn_uncached(request, dataset, combined, fused)
        return run_retriever(request, dataset, combined, started, used, info=info)
    finally:
        if own:
            used.close()


def shared_collection(fused: FusedRetriever, params: FusionParams) -> QdrantFused:
    """One retriever over one collection holding every part's vectors, fused by Qdrant."""
    method = params.method.server
    if method is None:
        raise ConfigError(f"{fused.name}: Qdrant fuses with rrf or dbsf only, not {params.method.value}")
    encoders = []
    for part, retriever in fused.parts:
        if type(retriever) is not Retriever or len(retriever.encoders) != 1:
            raise ConfigError(f"{fused.name}: part {part} cannot share a Qdrant collection "
                              "(it searches its own index or is itself fused); use where=client")
        encoders.append(retriever.encoders[0])
    if len({str(r.text_builder.config()) for _, r in fused.parts}) > 1:
        raise ConfigError(f"{fused.name}: where=server needs one text_format for every part")
    request = FusionRequest(method, fused.settings.depth, params.rrf_k)
    first = fused.parts[0][1]
    return QdrantFused(fused.name, tuple(_distinct_vector_names(encoders)), first.text_builder, {}, request)


def _distinct_vector_names(encoders: list) -> list:
    """Encoders whose vector names collide (splade + splade-ft) get ``-2``, ``-3`` ... on a shallow copy
    (the model is shared, the original encoder is left alone)."""
    seen: dict[str, int] = {}
    out = []
    for encoder in encoders:
        name = encoder.spec.name
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            encoder = copy.copy(encoder)
            encoder.spec = replace(encoder.spec, name=f"{name}-{seen[name]}")
        out.append(encoder)
    return out


def _warn_uncached(request: RunRequest, dataset: Dataset, combined: Retriever, fused: FusedRetriever) -> None:
    """Say so when a part's model vectors are not in the vector cache (its index predates the cache, or the
    cache was cleared): building the shared collection then encodes them once (and keeps them)."""
    cache = VectorCache(CacheLayout.of(request.cache_dir).area(VECTORS), corpus_key(dataset, combined.text_builder))
    count = min(CHUNK, len(dataset.corpus))
    for (name, _), encoder in zip(fused.parts, combined.encoders, strict=True):
        if encoder.identity.kind != "bm25" and cache.load(encoder.identity.fingerprint, 0, count) is None:
            console.print(f"[yellow]note:[/] the document vectors of part {name} are not in the vector cache; "
                          "the shared collection encodes them once (where=client reuses the part's own index)")

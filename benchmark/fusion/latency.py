"""Per-query latency of a client-side fusion, measured live: each part's own request, then the fusion.

A user of ``hybrid:A+B`` (``where=client``) waits for every part's request (its query encoding and its
store search for ``depth`` hits, one part after another, as a simple client sends them) and for the fusion of
their lists. :func:`fused_latency` opens every part's index (reusing it; building it only when a kept part run
outlived its index) and times exactly that, on the same seeded sample as a single retriever's
(:func:`benchmark.pipeline.harness.measure_latency`); nothing is taken from another run's figures.
"""

from __future__ import annotations

from benchmark.core.timing import FUSE, StageClock
from benchmark.datasets.base import Dataset
from benchmark.datasets.text import corpus_texts
from benchmark.fusion.fused import FusedRetriever
from benchmark.fusion.methods import FusionParams, fuse
from benchmark.pipeline.harness import PartStores, RunRequest, measure_latency, open_index
from benchmark.ranking.results import Latency
from benchmark.store.base import Collection, Hits, Store
from retrievers.retriever import Retriever


def fused_latency(request: RunRequest, dataset: Dataset, fused: FusedRetriever, params: FusionParams,
                  store: Store | None = None) -> Latency | None:
    """The latency sample of ``fused`` on the request's split (None when ``request.latency_sample`` is 0)."""
    if request.latency_sample <= 0:
        return None
    view = dataset.split(request.split)
    queries = [view.queries[q] for q in view.queries]
    depth, k = fused.settings.depth, request.k
    with PartStores(request, store) as stores:
        opened: list[tuple[Retriever, Collection]] = []
        for _, retriever in fused.parts:
            documents = corpus_texts(dataset, retriever.text_builder)
            collection = open_index(request, dataset, retriever, documents, stores.for_retriever(retriever)).collection
            opened.append((retriever, collection))

        def answer(query: str, clock: StageClock) -> Hits:
            lists = [{"q": [(str(p), s) for p, s in retriever.answer_one(query, depth, collection, clock)]}
                     for retriever, collection in opened]
            with clock.stage(FUSE):
                hits = fuse(lists, params).get("q", [])
                return [(int(d), s) for d, s in sorted(hits, key=lambda h: (-h[1], h[0]))[:k]]

        return measure_latency(request, queries, answer)

"""Encoding a catalog elsewhere (``bench run --encode-on modal``) into the local vector cache.

The catalog is cut into the chunks a local build uses (:data:`retrievers.retriever.CHUNK` documents, from the
start), each neural encoder's chunks that the vector cache lacks are sent to a :class:`RemoteEncoding` service,
and every chunk is saved under the encoder's own fingerprint as it comes back. The index is then built as
usual: every chunk is in the cache, so nothing is encoded here. An interrupted run resumes at the chunks that
did not come back. BM25 has no recipe and is encoded locally (fast, and it needs the catalog's statistics).

The service (:mod:`benchmark.train.modal_encode` for Modal) is chosen by the command line and handed to the
harness in :attr:`benchmark.pipeline.harness.RunRequest.remote_encoding`; this module only needs its protocol.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from benchmark.core.console import console
from benchmark.store.base import Vector
from benchmark.store.vector_cache import VectorCache
from retrievers.recipe import EncoderRecipe, recipe_of
from retrievers.retriever import CHUNK, Retriever


@dataclass(frozen=True, slots=True)
class ChunkJob:
    start: int  # position of the chunk's first document in the catalog
    texts: Sequence[str]


@dataclass(frozen=True, slots=True)
class EncodedChunk:
    start: int
    vectors: list[Vector]
    seconds: float  # encoding time on the remote machine (model loading excluded)
    gpu: str | None = None


class RemoteEncoding(Protocol):
    where: str  # "modal"
    gpu: str  # what it asks for ("A10G")

    def encode(self, recipe: EncoderRecipe, jobs: Sequence[ChunkJob]) -> Iterator[EncodedChunk]:
        """Encode every job (in any order; each result as soon as it is ready)."""


@dataclass(frozen=True, slots=True)
class RemoteStats:
    """What the remote encoding of one index did (recorded in the index's meta and the result file)."""

    where: str
    gpu: str
    chunks: int  # sent this time
    cached: int  # already in the cache (an earlier, interrupted run)
    documents: int
    gpu_s: float  # the remote encoding seconds of the chunks sent
    wall_s: float
    catalog_gpu_s: float = 0.0  # the whole catalog, every remote encoder, at the rate measured (what the cost prices)

    def meta(self) -> dict[str, object]:
        return {"where": self.where, "gpu": self.gpu, "chunks": self.chunks, "cached_chunks": self.cached,
                "gpu_s": round(self.gpu_s, 3), "catalog_gpu_s": round(self.catalog_gpu_s, 3)}


def chunk_starts(total: int, chunk: int = CHUNK) -> list[int]:
    return list(range(0, total, chunk))


def missing_jobs(fingerprint: str, documents: Sequence[str], cache: VectorCache, chunk: int = CHUNK) -> list[ChunkJob]:
    """The chunks of ``documents`` the cache has no vectors for (same boundaries as a local build)."""
    jobs = []
    for start in chunk_starts(len(documents), chunk):
        texts = documents[start:start + chunk]
        if not cache.has(fingerprint, start, len(texts)):
            jobs.append(ChunkJob(start, texts))
    return jobs


def fill_missing(retriever: Retriever, documents: Sequence[str], cache: VectorCache,
                 service: RemoteEncoding, chunk: int = CHUNK) -> RemoteStats | None:
    """Have ``service`` encode what the cache lacks, for every encoder with a recipe; None: nothing to send."""
    started = time.perf_counter()
    total_chunks = len(chunk_starts(len(documents), chunk))
    sent = cached = 0
    gpu_s = catalog_gpu_s = 0.0
    gpu = service.gpu
    for encoder in retriever.encoders:
        recipe = recipe_of(encoder)
        if recipe is None:
            continue
        fingerprint = encoder.identity.fingerprint
        jobs = missing_jobs(fingerprint, documents, cache, chunk)
        cached += total_chunks - len(jobs)
        if not jobs:
            console.print(f"[dim]{encoder.spec.name}: all {total_chunks} chunks already encoded[/]")
            catalog_gpu_s += _cached_seconds(fingerprint, documents, cache, chunk)
            continue
        docs = sum(len(j.texts) for j in jobs)
        console.print(f"{encoder.spec.name}: encoding {len(jobs)} of {total_chunks} chunks ({docs:,} documents) on "
                      f"{service.where} ({service.gpu})", highlight=False)
        done_docs = 0
        encoder_s = 0.0
        begun = time.perf_counter()
        for done, result in enumerate(service.encode(recipe, jobs), start=1):
            cache.save(fingerprint, result.start, result.vectors, result.seconds)
            done_docs += len(result.vectors)
            gpu_s += result.seconds
            encoder_s += result.seconds
            gpu = result.gpu or gpu
            rate = done_docs / max(time.perf_counter() - begun, 1e-9)
            console.print(f"[dim]{encoder.spec.name}: chunk {done}/{len(jobs)} done, {rate:,.0f} docs/s, "
                          f"{gpu_s:,.1f} GPU s[/]", highlight=False)
        sent += len(jobs)
        catalog_gpu_s += encoder_s / max(done_docs, 1) * len(documents)
    if not sent and not cached:
        return None
    return RemoteStats(service.where, gpu, sent, cached, len(documents), gpu_s, time.perf_counter() - started,
                       catalog_gpu_s)


def _cached_seconds(fingerprint: str, documents: Sequence[str], cache: VectorCache, chunk: int) -> float:
    """The encoding seconds the cache recorded for every chunk of ``documents`` (all present)."""
    total = 0.0
    for start in chunk_starts(len(documents), chunk):
        found = cache.load(fingerprint, start, min(chunk, len(documents) - start))
        total += found[1] if found else 0.0
    return total

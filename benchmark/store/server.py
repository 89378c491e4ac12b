"""A Qdrant server or cluster through qdrant-client (or ``QdrantClient(":memory:")`` in tests).

Collections are named ``shopbench_<key>``. Dense vectors are searched exactly
(``SearchParams(exact=True)``; HNSW is disabled with ``m=0``), sparse vectors by dot product through
the inverted index, with ``Modifier.IDF`` for ``SPARSE_IDF``. Empty sparse vectors are left out of a
point, so IDF counts only points with a non-empty vector (local mode would otherwise count them and
disagree with the server and qdrant-edge). RRF uses ``RrfQuery(Rrf(k=...))``, so any k works
(server >= 1.16; Qdrant's own default for a bare ``Fusion.RRF`` is k=2, not 60).

Completion marker: the collection's own *metadata* (``update_collection(metadata=...)``), holding
``shopbench_complete``, the schema and the caller's meta. Chosen over a marker collection or a
reserved payload-only point because it lives and dies with the collection (a drop or a recreate
cannot leave a stale marker behind), it is not a point (it cannot show up in searches, counts or
IDF statistics), and both a Qdrant server (>= 1.16) and ``QdrantClient(":memory:")`` keep it. It is
read back after writing: a server that silently drops metadata fails loudly rather than rebuilding
on every run. Upserts use ``wait=True``; ``mark_complete`` then waits for the optimizers (status
green) and refuses to mark a collection whose status is red.

Idempotent calls (upserts by point id, searches, reads, metadata updates) are retried on transient
failures (connection refused or reset, timeouts, 429/5xx; :mod:`benchmark.core.retry`, 5 attempts with
exponential backoff by default, 3 for the first probe); after the last attempt a ``StoreError``
names the URL and the operation. A failed build never reaches ``mark_complete``, so nothing is
recorded as finished.

The API key never leaves the client: it is not stored here, not shown in reprs, and every error
message is built from the URL and a reason with the key masked out.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeVar

from qdrant_client import QdrantClient, models

from benchmark.core import faults, retry
from benchmark.core.console import console
from benchmark.store.base import (
    CollectionInfo,
    CollectionSchema,
    Distance,
    FusionRequest,
    Hits,
    QdrantFusion,
    Vector,
    VectorKind,
    VectorSpec,
)
from benchmark.store.checks import (
    check_fusion,
    check_key,
    check_schema,
    check_upsert,
    chunks,
    dense_array,
    schema_json,
    sparse_parts,
    spec_of,
    stored_vector,
)
from benchmark.store.errors import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")

URL_ENV = "QDRANT_URL"
API_KEY_ENV = "QDRANT_API_KEY"
PREFIX = "shopbench_"
UPSERT_BATCH = 256
QUERY_BATCH = 64
RETRIEVE_BATCH = 1_024
PROBE_ATTEMPTS = 3  # an unreachable URL fails in seconds, not after the full retry schedule
COMPLETE, SCHEMA, META = "shopbench_complete", "shopbench_schema", "shopbench_meta"
_DISTANCES = {Distance.COSINE: models.Distance.COSINE, Distance.DOT: models.Distance.DOT}
_EXACT = models.SearchParams(exact=True)


class _Redactor:
    """Builds error messages that name the URL and never the API key."""

    def __init__(self, url: str, secret: str | None, policy: retry.RetryPolicy | None = None) -> None:
        self.url, self._secret = url, secret
        self.policy = policy or retry.RetryPolicy()

    def text(self, value: object) -> str:
        text = str(value).strip().splitlines()[0] if str(value).strip() else type(value).__name__
        return text.replace(self._secret, "***") if self._secret else text

    def error(self, action: str, exc: BaseException) -> StoreError:
        status = getattr(exc, "status_code", None)
        if status in (401, 403):
            return StoreError(f"Qdrant at {self.url} refused the API key ({status}) while trying to {action}")
        return StoreError(f"Qdrant at {self.url}: cannot {action}: {type(exc).__name__}: {self.text(exc)}")

    def call(self, action: str, fn: Callable[[], T], policy: retry.RetryPolicy | None = None) -> T:
        """``fn()`` for an idempotent ``action``, retried on transient failures; errors become StoreErrors."""

        def say(exc: BaseException, n: int, wait: float) -> None:
            console.print(f"[yellow]Qdrant at {self.url}: {action} failed ({type(exc).__name__}: {self.text(exc)}); "
                          f"retry {n} in {wait:.1f} s[/]", highlight=False)

        try:
            return retry.call(fn, policy or self.policy, say)
        except retry.RetriesExhausted as exc:
            raise StoreError(f"Qdrant at {self.url}: cannot {action} after {exc.attempts} attempts: "
                             f"{type(exc.last).__name__}: {self.text(exc.last)}") from None
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - qdrant-client raises httpx, grpc and API errors
            raise self.error(action, exc) from None

    @contextmanager
    def guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - qdrant-client raises httpx, grpc and API errors
            raise self.error(action, exc) from None


def _vector(vector: Vector, spec: VectorSpec) -> Any:
    if spec.kind is VectorKind.DENSE:
        return dense_array(vector, spec).tolist()
    indices, values = sparse_parts(vector, spec.name)
    return models.SparseVector(indices=indices.tolist(), values=values.tolist())


def _params(spec: VectorSpec) -> models.SearchParams | None:
    return _EXACT if spec.kind is VectorKind.DENSE else None


def _point(point_id: int, named: dict[str, Any]) -> models.PointStruct:
    kept = {k: v for k, v in named.items() if not (isinstance(v, models.SparseVector) and not v.indices)}
    return models.PointStruct(id=point_id, vector=kept)


def _fusion_query(fusion: FusionRequest) -> Any:
    if fusion.method is QdrantFusion.DBSF:
        return models.FusionQuery(fusion=models.Fusion.DBSF)
    return models.RrfQuery(rrf=models.Rrf(k=fusion.rrf_k))


class ServerCollection:
    """One collection on the server."""

    def __init__(self, key: str, schema: CollectionSchema, client: QdrantClient, redactor: _Redactor) -> None:
        self.key = key
        self.name = PREFIX + key
        self.schema = schema
        self._client = client
        self._r = redactor
        self.settle_timeout_s = 600.0
        self._meta: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"ServerCollection(name={self.name!r}, url={self._r.url!r}, complete={self.is_complete()})"

    def is_complete(self) -> bool:
        return self._meta is not None

    def upsert(self, ids: Sequence[int], vectors: Mapping[str, Sequence[Vector]]) -> None:
        check_upsert(self.schema, ids, vectors)
        self._invalidate()
        specs = [spec_of(self.schema, name) for name in vectors]
        for part in chunks(len(ids), UPSERT_BATCH):
            points = [_point(int(ids[i]), {s.name: _vector(vectors[s.name][i], s) for s in specs}) for i in part]
            self._r.call(f"upsert into {self.name}", lambda p=points: self._client.upsert(self.name, points=p, wait=True))
            faults.point("store.upserted")

    def mark_complete(self, meta: Mapping[str, object]) -> None:
        self._invalidate()
        self._settle()
        marker = {COMPLETE: True, SCHEMA: schema_json(self.schema), META: dict(meta)}
        faults.point("store.flushed")
        action = f"mark {self.name} complete"
        self._r.call(action, lambda: self._client.update_collection(self.name, metadata=marker))
        stored = self._r.call(action, lambda: self._client.get_collection(self.name).config.metadata) or {}
        if stored.get(COMPLETE) is not True:
            raise StoreError(f"Qdrant at {self._r.url} does not keep collection metadata (Qdrant >= 1.16 is needed)")
        self._meta = dict(stored.get(META) or {})

    def _invalidate(self) -> None:
        if self._meta is not None:
            self._r.call(f"update {self.name}",
                         lambda: self._client.update_collection(self.name, metadata={COMPLETE: False}))
            self._meta = None

    def _settle(self) -> None:
        """Wait for the optimizers to finish; a red (failed) collection is never marked complete."""
        deadline = time.monotonic() + self.settle_timeout_s
        while True:
            status = self._r.call(f"read {self.name}", lambda: self._client.get_collection(self.name).status)
            if status == models.CollectionStatus.RED:
                raise StoreError(f"Qdrant at {self._r.url}: collection {self.name} is red (optimizer error)")
            if status != models.CollectionStatus.YELLOW:
                return
            if time.monotonic() > deadline:
                log.warning(
                    "%s still optimizing after %.0f s; marking complete anyway", self.name, self.settle_timeout_s
                )
                return
            time.sleep(0.5)

    def search(self, vector_name: str, queries: Sequence[Vector], k: int) -> list[Hits]:
        spec = spec_of(self.schema, vector_name)
        requests = [
            models.QueryRequest(
                query=_vector(q, spec), using=spec.name, limit=k, params=_params(spec), with_payload=False
            )
            for q in queries
        ]
        return self._run(requests)

    def fused_search(self, queries: Mapping[str, Sequence[Vector]], k: int, fusion: FusionRequest) -> list[Hits]:
        n = check_fusion(queries, k, fusion)
        specs = [spec_of(self.schema, name) for name in queries]
        fuse = _fusion_query(fusion)
        requests = []
        for i in range(n):
            prefetch = [
                models.Prefetch(
                    query=_vector(queries[s.name][i], s), using=s.name, limit=fusion.prefetch_limit, params=_params(s)
                )
                for s in specs
            ]
            requests.append(models.QueryRequest(prefetch=prefetch, query=fuse, limit=k, with_payload=False))
        return self._run(requests)

    def vectors(self, vector_name: str, ids: Sequence[int]) -> dict[int, Vector]:
        spec = spec_of(self.schema, vector_name)
        out: dict[int, Vector] = {}
        for part in chunks(len(ids), RETRIEVE_BATCH):
            wanted = [int(ids[i]) for i in part]
            records = self._r.call(f"read vectors of {self.name}", lambda w=wanted: self._client.retrieve(
                self.name, w, with_payload=False, with_vectors=[vector_name]))
            for record in records:
                stored = (record.vector or {}).get(vector_name) if isinstance(record.vector, dict) else None
                if stored is not None:
                    out[int(record.id)] = stored_vector(stored, spec)
        return out

    def _run(self, requests: list[models.QueryRequest]) -> list[Hits]:
        results: list[Hits] = []
        for part in chunks(len(requests), QUERY_BATCH):
            batch = [requests[i] for i in part]
            responses = self._r.call(f"search {self.name}",
                                     lambda b=batch: self._client.query_batch_points(self.name, requests=b))
            results.extend([(int(p.id), float(p.score)) for p in r.points] for r in responses)
        return results

    def info(self) -> CollectionInfo:
        points = self._r.call(f"count {self.name}", lambda: self._client.count(self.name, exact=True).count)
        return CollectionInfo(self.key, int(points), 0, dict(self._meta or {}))


class ServerStore:
    """Collections on a Qdrant server; ``url``/``api_key`` default to ``$QDRANT_URL``/``$QDRANT_API_KEY``.

    Without ``client``, the server is probed at construction with ``connect_timeout_s`` so that a
    wrong or unreachable URL fails within seconds, with a ``StoreError`` naming the URL.
    """

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        client: QdrantClient | None = None,
        timeout: int = 120,
        connect_timeout_s: float = 3.0,
        retry_policy: retry.RetryPolicy | None = None,
    ) -> None:
        secret = api_key or os.environ.get(API_KEY_ENV) or None
        if client is not None:  # the client is already configured: the URL is only for messages
            self.url = url or "<client>"
            self._r = _Redactor(self.url, secret, retry_policy)
            self._client = client
            return
        url = url or os.environ.get(URL_ENV) or None
        if not url:
            raise StoreError(f"no Qdrant URL: pass one or set {URL_ENV}")
        self.url = url
        self._r = _Redactor(url, secret, retry_policy)
        self._probe(url, secret, connect_timeout_s)
        with self._r.guard("create a client"):
            self._client = QdrantClient(url=url, api_key=secret, timeout=timeout, check_compatibility=False)

    def __repr__(self) -> str:
        return f"ServerStore(url={self.url!r})"

    def _probe(self, url: str, secret: str | None, timeout_s: float) -> None:
        with self._r.guard("connect"), warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Api key is used with an insecure connection")  # once is enough
            probe = QdrantClient(url=url, api_key=secret, timeout=max(1, round(timeout_s)), check_compatibility=False)
        try:
            policy = replace(self._r.policy, attempts=min(PROBE_ATTEMPTS, self._r.policy.attempts))
            self._r.call("connect", probe.get_collections, policy)
        finally:
            probe.close()

    def open(self, key: str, schema: CollectionSchema) -> ServerCollection:
        check_key(key)
        check_schema(schema)
        collection = ServerCollection(key, schema, self._client, self._r)
        stored = self._metadata(collection.name)
        if stored is not None and stored.get(COMPLETE) is True and stored.get(SCHEMA) == schema_json(schema):
            collection._meta = dict(stored.get(META) or {})
            return collection
        with self._r.guard(f"create {collection.name}"):
            if stored is not None:
                self._client.delete_collection(collection.name)
            self._create(collection.name, schema)
        return collection

    def drop(self, key: str) -> None:
        name = PREFIX + check_key(key)
        if self._r.call(f"drop {name}", lambda: self._client.collection_exists(name)):
            self._r.call(f"drop {name}", lambda: self._client.delete_collection(name))

    def exists_complete(self, key: str) -> bool:
        stored = self._metadata(PREFIX + check_key(key))
        return stored is not None and stored.get(COMPLETE) is True

    def close(self) -> None:
        self._client.close()

    def _metadata(self, name: str) -> dict[str, Any] | None:
        """The collection's metadata ({} when it has none), or None when the collection does not exist."""
        if not self._r.call(f"read {name}", lambda: self._client.collection_exists(name)):
            return None
        return dict(self._r.call(f"read {name}", lambda: self._client.get_collection(name).config.metadata) or {})

    def _create(self, name: str, schema: CollectionSchema) -> None:
        no_hnsw = models.HnswConfigDiff(m=0)
        dense = {
            v.name: models.VectorParams(size=v.size, distance=_DISTANCES[v.distance], hnsw_config=no_hnsw)
            for v in schema.vectors
            if v.kind is VectorKind.DENSE
        }
        sparse = {
            v.name: models.SparseVectorParams()  # SPARSE_IDF: the client weighs the query (base.VectorKind)
            for v in schema.vectors
            if v.kind is not VectorKind.DENSE
        }
        self._client.create_collection(
            name,
            vectors_config=dense,
            sparse_vectors_config=sparse or None,
            shard_number=schema.shards,
            replication_factor=schema.replication_factor,
        )

"""A Qdrant server or cluster through qdrant-client (or ``QdrantClient(":memory:")`` in tests).

Every index is **built in its own collection and published under an alias**, so any number of processes, on
any number of machines, behind any load balancer, can build and read the same index safely:

* a build goes into a collection of its own, ``shopbench_<key>--build-<UTC time>-<random>`` (never shared);
* when the last upsert is done, the build waits for the optimizers (a red collection, or one still optimizing
  after :attr:`ServerCollection.settle_timeout_s`, is never published), checks that the collection holds exactly
  the points that were written (an exact count), records its marker in the collection's metadata, and then
  publishes it by pointing the alias ``shopbench_<key>`` at it (aliases are changed through the cluster's
  consensus, so every node agrees, which is not true of collection metadata);
* a reader takes the alias as the proof that the index is whole: an unfinished build is never visible under it,
  and a reader never deletes a collection another process may be building. When two processes build the same
  index at once, the first to publish wins and the other drops its own build and uses the published one;
* builds nobody published (a killed process) are removed by a later open once they are older than
  :data:`ABANDONED_S`.

Indexes written before aliases (a collection named ``shopbench_<key>`` itself) are still read when complete.

Searches: dense vectors exactly (``exact=True``; HNSW is disabled with ``m=0``), sparse vectors through the
inverted index. With several shards Qdrant lowers each shard's limit for a non-exact search of 128 hits or more
(undersampling), which can lose hits; such requests are made exact. No IDF is kept by the server: BM25 queries
arrive weighted by the corpus IDF (:class:`benchmark.store.base.VectorKind`), so the scores are the same on any
number of shards. Writes wait for as many replicas as the collection has (``write_consistency_factor``).
Empty sparse vectors are left out of a point. RRF uses ``RrfQuery(Rrf(k=...))``, so any k works.

Idempotent calls (upserts by point id, searches, reads, metadata and alias updates) are retried on transient
failures (:mod:`benchmark.core.retry`); an upsert larger than the server accepts (413) is split in halves. The
API key never leaves the client: it is not stored here, not shown in reprs, and every error message is built
from the URL and a reason with the key masked out (:mod:`benchmark.store.server_connect`).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from qdrant_client import QdrantClient, models

from benchmark.core import faults, retry
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
from benchmark.store.server_connect import Redactor, client_options, make_client, probe

log = logging.getLogger(__name__)

URL_ENV = "QDRANT_URL"
API_KEY_ENV = "QDRANT_API_KEY"
PREFIX = "shopbench_"
BUILD = "--build-"
PUBLISHING = "--publishing"
STALE_LOCK_S = 300.0  # a publishing lock this old was left by a killed process
PUBLISH_WAIT_S = 120.0
UPSERT_BATCH = 256
QUERY_BATCH = 64
RETRIEVE_BATCH = 1_024
UNDERSAMPLED_FROM = 128  # Qdrant lowers each shard's limit from this many hits on (several shards, not exact)
ABANDONED_S = 24 * 3600.0  # an unpublished build this old is a killed process's: removed
MARKER_READS = 3  # a metadata read that does not show our marker yet is repeated (a node behind the others)
COMPLETE, SCHEMA, META = "shopbench_complete", "shopbench_schema", "shopbench_meta"
_DISTANCES = {Distance.COSINE: models.Distance.COSINE, Distance.DOT: models.Distance.DOT}
_EXACT = models.SearchParams(exact=True)
_STAMP = "%Y%m%dT%H%M%S"


def _vector(vector: Vector, spec: VectorSpec) -> Any:
    if spec.kind is VectorKind.DENSE:
        return dense_array(vector, spec).tolist()
    indices, values = sparse_parts(vector, spec.name)
    return models.SparseVector(indices=indices.tolist(), values=values.tolist())


def _point(point_id: int, named: dict[str, Any]) -> models.PointStruct:
    kept = {k: v for k, v in named.items() if not (isinstance(v, models.SparseVector) and not v.indices)}
    return models.PointStruct(id=point_id, vector=kept)


def _fusion_query(fusion: FusionRequest) -> Any:
    if fusion.method is QdrantFusion.DBSF:
        return models.FusionQuery(fusion=models.Fusion.DBSF)
    return models.RrfQuery(rrf=models.Rrf(k=fusion.rrf_k))


def alias_of(key: str) -> str:
    return PREFIX + key


def build_name(key: str, now: datetime | None = None) -> str:
    """A collection of its own for one build: the key, the UTC start time and a random part."""
    stamp = (now or datetime.now(UTC)).strftime(_STAMP)
    return f"{PREFIX}{key}{BUILD}{stamp}-{secrets.token_hex(4)}"


def build_started(name: str, key: str) -> datetime | None:
    """When the build ``name`` of ``key`` started (None: not one of its builds)."""
    found = re.fullmatch(re.escape(f"{PREFIX}{key}{BUILD}") + r"(\d{8}T\d{6})-[0-9a-f]+", name)
    return datetime.strptime(found.group(1), _STAMP).replace(tzinfo=UTC) if found else None


class ServerCollection:
    """One index on the server: a build in progress (its own collection) or a published one (its alias)."""

    def __init__(self, key: str, schema: CollectionSchema, store: ServerStore, name: str,
                 meta: Mapping[str, Any] | None = None) -> None:
        self.key = key
        self.name = name  # the build's collection, or the alias once published
        self.schema = schema
        self._store = store
        self._client = store._client
        self._r = store._r
        self.settle_timeout_s = 600.0
        self._meta: dict[str, Any] | None = dict(meta) if meta is not None else None
        self._written: set[int] = set()

    def __repr__(self) -> str:
        return f"ServerCollection(name={self.name!r}, url={self._r.url!r}, complete={self.is_complete()})"

    def is_complete(self) -> bool:
        return self._meta is not None

    def upsert(self, ids: Sequence[int], vectors: Mapping[str, Sequence[Vector]]) -> None:
        check_upsert(self.schema, ids, vectors)
        self._unpublish()
        specs = [spec_of(self.schema, name) for name in vectors]
        for part in chunks(len(ids), UPSERT_BATCH):
            points = [_point(int(ids[i]), {s.name: _vector(vectors[s.name][i], s) for s in specs}) for i in part]
            self._send(points)
            self._written.update(int(ids[i]) for i in part)
            faults.point("store.upserted")

    def _send(self, points: list[models.PointStruct]) -> None:
        """Upsert ``points``; a batch the server finds too large (413) is sent in halves."""
        try:
            self._r.call(f"upsert into {self.name}",
                         lambda: self._client.upsert(self.name, points=points, wait=True))
        except StoreError as exc:
            if "(413;" not in str(exc) or len(points) == 1:
                raise
            half = len(points) // 2
            self._send(points[:half])
            self._send(points[half:])

    def mark_complete(self, meta: Mapping[str, object]) -> None:
        """Settle, verify, record the marker, then publish under the alias (see the module docstring)."""
        if self._meta is not None:
            return
        self._settle()
        points = self._r.call(f"count {self.name}", lambda: self._client.count(self.name, exact=True).count)
        if points != len(self._written):
            raise StoreError(f"Qdrant at {self._r.url}: {self.name} holds {points} points after {len(self._written)} "
                             "were written; it is not published")
        marker = {COMPLETE: True, SCHEMA: schema_json(self.schema), META: dict(meta)}
        faults.point("store.flushed")
        action = f"mark {self.name} complete"
        self._r.call(action, lambda: self._client.update_collection(self.name, metadata=marker))
        if not self._store._marker_shows(self.name, lambda stored: stored.get(COMPLETE) is True):
            raise StoreError(f"Qdrant at {self._r.url} does not keep collection metadata (Qdrant >= 1.16 is needed)")
        faults.point("store.marked")
        self._meta = dict(meta)
        self.name = self._store._publish(self.key, self.schema, self.name)

    def _unpublish(self) -> None:
        """Writing into a published index: withdraw it first (its alias and marker), as a rebuild would."""
        if self._meta is None:
            return
        alias = alias_of(self.key)
        target = self._store._alias_target(alias)
        if self.name == alias and target is not None:
            self.name = target
            self._r.call(f"withdraw {alias}", lambda: self._client.update_collection_aliases(
                change_aliases_operations=[models.DeleteAliasOperation(delete_alias=models.DeleteAlias(
                    alias_name=alias))]))
        self._r.call(f"update {self.name}", lambda: self._client.update_collection(
            self.name, metadata={COMPLETE: False}))
        self._meta = None

    def _settle(self) -> None:
        """Wait for the optimizers; a red collection, or one still optimizing at the deadline, is not published."""
        deadline = time.monotonic() + self.settle_timeout_s
        while True:
            status = self._r.call(f"read {self.name}", lambda: self._client.get_collection(self.name).status)
            if status == models.CollectionStatus.RED:
                raise StoreError(f"Qdrant at {self._r.url}: collection {self.name} is red (optimizer error); "
                                 "the index is not published")
            if status != models.CollectionStatus.YELLOW:
                return
            if time.monotonic() > deadline:
                raise StoreError(f"Qdrant at {self._r.url}: {self.name} is still optimizing after "
                                 f"{self.settle_timeout_s:.0f} s; the index is not published (run again later)")
            time.sleep(0.5)

    def _params(self, spec: VectorSpec, limit: int) -> models.SearchParams | None:
        """Dense: exact. Sparse: exact only where the cluster would otherwise undersample (several shards)."""
        if spec.kind is VectorKind.DENSE or (self.schema.shards > 1 and limit >= UNDERSAMPLED_FROM):
            return _EXACT
        return None

    def search(self, vector_name: str, queries: Sequence[Vector], k: int) -> list[Hits]:
        spec = spec_of(self.schema, vector_name)
        requests = [
            models.QueryRequest(
                query=_vector(q, spec), using=spec.name, limit=k, params=self._params(spec, k), with_payload=False
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
                models.Prefetch(query=_vector(queries[s.name][i], s), using=s.name, limit=fusion.prefetch_limit,
                                params=self._params(s, fusion.prefetch_limit))
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
    """Indexes on a Qdrant server; ``url``/``api_key`` default to ``$QDRANT_URL``/``$QDRANT_API_KEY``.

    Without ``client``, the URL is checked and the server probed at construction (its version, with
    ``connect_timeout_s``), so a wrong or unreachable URL, a key over plain http or too old a server fails within
    seconds with a ``StoreError`` naming the URL. ``client_args`` go to qdrant-client (e.g. an httpx
    ``transport``).
    """

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        client: QdrantClient | None = None,
        timeout: int = 120,
        connect_timeout_s: float = 3.0,
        retry_policy: retry.RetryPolicy | None = None,
        **client_args: Any,
    ) -> None:
        secret = api_key or os.environ.get(API_KEY_ENV) or None
        self.version: str | None = None
        if client is not None:  # the client is already configured: the URL is only for messages
            self.url = url or "<client>"
            self._r = Redactor(self.url, secret, retry_policy)
            self._client = client
            return
        url = url or os.environ.get(URL_ENV) or None
        if not url:
            raise StoreError(f"no Qdrant URL: pass one or set {URL_ENV}")
        self.url = url
        self._r = Redactor(url, secret, retry_policy)
        options = client_options(url, secret)
        self.version = probe(self._r, options, connect_timeout_s, **client_args)
        with self._r.guard("create a client"):
            self._client = make_client(options, timeout, **client_args)

    def __repr__(self) -> str:
        return f"ServerStore(url={self.url!r})"

    # --- opening ---------------------------------------------------------------------------------------------
    def open(self, key: str, schema: CollectionSchema) -> ServerCollection:
        """The published index of ``key`` if it has ``schema``, else a new build of it (in its own collection)."""
        check_key(key)
        check_schema(schema)
        alias = alias_of(key)
        names = self._names()  # read once per open: the collections, then the alias
        target = self._alias_target(alias)
        self._sweep(key, names, target)
        published = self._published(key, schema, target, alias in names)
        if published is not None:
            return published
        if target is None and alias in names:  # a pre-alias collection, incomplete or of another schema
            self._r.call(f"remove {alias}", lambda: self._client.delete_collection(alias))
        return self._new_build(key, schema)

    def _published(self, key: str, schema: CollectionSchema, target: str | None,
                   legacy: bool) -> ServerCollection | None:
        """The published index (``target``: the alias's collection), or a pre-alias one (``legacy``: a
        collection named like the alias exists), when it is complete and has ``schema``."""
        alias = alias_of(key)
        if target is None:
            if not legacy:
                return None
            stored = self._metadata(alias) or {}  # an index written before aliases
            if stored.get(COMPLETE) is True and stored.get(SCHEMA) == schema_json(schema):
                return ServerCollection(key, schema, self, alias, stored.get(META) or {})
            return None
        found: dict[str, Any] = {}

        def ours(stored: Mapping[str, Any]) -> bool:
            found.update(stored)
            return stored.get(COMPLETE) is True

        if not self._marker_shows(target, ours):  # published, but this node has not caught up with its marker:
            log.warning("%s: the marker of the published %s is not visible yet; using it", alias, target)
            return ServerCollection(key, schema, self, alias, {})
        if found.get(SCHEMA) != schema_json(schema):
            return None  # another schema (e.g. another shard count): a new build replaces it when published
        return ServerCollection(key, schema, self, alias, found.get(META) or {})

    def _new_build(self, key: str, schema: CollectionSchema) -> ServerCollection:
        for _ in range(5):
            name = build_name(key)
            try:
                with self._r.guard(f"create {name}"):
                    self._create(name, schema)
            except StoreError as exc:
                if "409" not in str(exc) and "already exists" not in str(exc):
                    raise
                continue  # the random part collided: another name
            return ServerCollection(key, schema, self, name)
        raise StoreError(f"Qdrant at {self.url}: cannot create a build collection for {key}")

    def _publish(self, key: str, schema: CollectionSchema, build: str) -> str:
        """Point the alias at ``build`` unless another process published the same index first (then ``build`` is
        dropped); returns the name to use from now on (the alias). The check and the switch run under the
        publishing lock of ``key``, so two builders finishing together cannot both win."""
        alias = alias_of(key)
        with self._publishing(key):
            current = self._alias_target(alias)
            if current is not None and current != build:
                stored = self._metadata(current) or {}
                if stored.get(SCHEMA) in (None, schema_json(schema)):  # the same index, another process's
                    self._drop_collection(build)
                    return alias
            actions: list[Any] = []
            if current is not None:
                actions.append(models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=alias)))
            actions.append(models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name=build,
                                                                                       alias_name=alias)))
            self._r.call(f"publish {build} as {alias}",
                         lambda: self._client.update_collection_aliases(change_aliases_operations=actions))
        return alias

    @contextmanager
    def _publishing(self, key: str) -> Iterator[None]:
        """A lock across processes and machines: a collection ``shopbench_<key>--publishing`` (creating one that
        exists is refused by the cluster, through its consensus). A lock older than :data:`STALE_LOCK_S` is a
        killed process's and is taken over; its start time is in the metadata it was created with (which, unlike
        a later metadata update, every node has)."""
        lock = f"{PREFIX}{key}{PUBLISHING}"
        waited = 0.0
        while True:
            try:
                with self._r.guard(f"lock {lock}"):
                    self._client.create_collection(lock, vectors_config={},
                                                   metadata={"started": datetime.now(UTC).isoformat()})
                break
            except StoreError as exc:
                if "409" not in str(exc) and "already exists" not in str(exc):
                    raise
            started = (self._metadata(lock) or {}).get("started")
            age = (datetime.now(UTC) - datetime.fromisoformat(started)).total_seconds() if started else 0.0
            if age > STALE_LOCK_S:
                log.warning("%s: taking over a publishing lock left %.0f s ago", key, age)
                self._drop_collection(lock)
                continue
            if waited > PUBLISH_WAIT_S:
                raise StoreError(f"Qdrant at {self.url}: {lock} is held for over {PUBLISH_WAIT_S:.0f} s by another "
                                 "process; the index is not published")
            self._r.policy.sleep(0.2)
            waited += 0.2
        try:
            yield
        finally:
            self._drop_collection(lock)

    def _sweep(self, key: str, names: list[str], published: str | None) -> None:
        """Remove builds of ``key`` nobody published that are older than :data:`ABANDONED_S`."""
        now = datetime.now(UTC)
        for name in names:
            started = build_started(name, key)
            if started is not None and name != published and (now - started).total_seconds() > ABANDONED_S:
                log.warning("removing %s: a build of %s nobody finished, started %s", name, key, started)
                self._drop_collection(name)

    # --- reading the server ----------------------------------------------------------------------------------
    def _alias_target(self, alias: str) -> str | None:
        aliases = self._r.call("read aliases", lambda: self._client.get_aliases().aliases)
        return next((a.collection_name for a in aliases if a.alias_name == alias), None)

    def _names(self) -> list[str]:
        return self._r.call("list collections", lambda: [c.name for c in self._client.get_collections().collections])

    def _exists(self, name: str) -> bool:
        return name in self._names()

    def _metadata(self, name: str) -> dict[str, Any] | None:
        """The collection's metadata ({} when it has none), or None when the collection does not exist."""
        try:
            return dict(self._r.call(f"read {name}", lambda: self._client.get_collection(name).config.metadata) or {})
        except StoreError as exc:
            if "404" in str(exc) or "Not found" in str(exc) or "not found" in str(exc):
                return None
            raise

    def _marker_shows(self, name: str, check: Any) -> bool:
        """Whether ``check(metadata)`` holds, read up to :data:`MARKER_READS` times (a node may lag behind)."""
        for attempt in range(MARKER_READS):
            if check(self._metadata(name) or {}):
                return True
            if attempt + 1 < MARKER_READS:
                self._r.policy.sleep(0.2 * (attempt + 1))
        return False

    # --- the rest of the Store protocol ----------------------------------------------------------------------
    def drop(self, key: str) -> None:
        alias = alias_of(check_key(key))
        target = self._alias_target(alias)
        if target is not None:
            self._r.call(f"drop {alias}", lambda: self._client.update_collection_aliases(
                change_aliases_operations=[models.DeleteAliasOperation(delete_alias=models.DeleteAlias(
                    alias_name=alias))]))
            self._drop_collection(target)
        elif self._exists(alias):
            self._drop_collection(alias)

    def exists_complete(self, key: str) -> bool:
        alias = alias_of(check_key(key))
        if self._alias_target(alias) is not None:
            return True
        return self._exists(alias) and (self._metadata(alias) or {}).get(COMPLETE) is True

    def close(self) -> None:
        self._client.close()

    def _drop_collection(self, name: str) -> None:
        self._r.call(f"drop {name}", lambda: self._client.delete_collection(name))

    def _create(self, name: str, schema: CollectionSchema) -> None:
        no_hnsw = models.HnswConfigDiff(m=0)
        dense = {
            v.name: models.VectorParams(size=v.size, distance=_DISTANCES[v.distance], hnsw_config=no_hnsw)
            for v in schema.vectors
            if v.kind is VectorKind.DENSE
        }
        sparse = {v.name: models.SparseVectorParams() for v in schema.vectors if v.kind is not VectorKind.DENSE}
        self._client.create_collection(
            name,
            vectors_config=dense,
            sparse_vectors_config=sparse or None,
            shard_number=schema.shards,
            replication_factor=schema.replication_factor,
            write_consistency_factor=schema.replication_factor,  # a write is acknowledged by every replica
        )

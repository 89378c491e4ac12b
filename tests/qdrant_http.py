"""A Qdrant server for tests, reached by the real qdrant-client REST client through ``httpx.MockTransport``.

Every request the client sends is checked against ``qdrant_client.http.models`` (the bodies the server would
accept; the models forbid unknown fields) and answered in the server's JSON envelope from qdrant-client's local
mode (``QdrantClient(":memory:")``). Behaviour a real server or cluster shows and local mode does not can be
injected:

* **shards**: a collection created with ``shard_number`` n is n local collections; points go to shard
  ``id % n``; a search asks every shard and merges the hits by score, as Qdrant's collection layer does. Each
  shard is its own collection, so Qdrant's ``Modifier.IDF`` counts per shard, as it does on a cluster. With
  several shards, a limit of 128 or more and no ``exact``, each shard is asked for fewer hits
  (:func:`undersampled`), as Qdrant does. Fusion over several shards is not emulated (501).
* scripted failures (:meth:`QdrantHttp.fail`): any status, with headers (429 + ``Retry-After``);
* a request-size limit (:attr:`QdrantHttp.max_request_bytes`, 413 above it);
* collection statuses served in sequence (:meth:`QdrantHttp.statuses`: YELLOW then GREEN, RED);
* 409 when a collection that exists is created again (two builders racing);
* a stale metadata read (:meth:`QdrantHttp.stale_metadata`): the next read of a collection returns its metadata
  as it was before the last update, as a node that has not applied it yet would.

Requests are served one at a time (a lock), so two clients in two threads interleave as they would on a server.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import TypeAdapter, ValidationError
from qdrant_client import QdrantClient, models

VERSION = "1.16.3"
URL = "http://qdrant.test:6333"


def undersampled(limit: int, shards: int) -> int:
    """Each shard's limit for a non-exact search of ``limit`` hits over ``shards`` shards (an approximation of
    Qdrant's: the expected share of the top ``limit`` per shard with a safety margin, never more than asked)."""
    if shards <= 1 or limit < 128:
        return limit
    share = limit / shards
    return min(limit, math.ceil(share + 3 * math.sqrt(share)))


@dataclass
class Rule:
    method: str
    path: re.Pattern[str]
    status: int
    headers: dict[str, str]
    body: dict[str, Any] | None
    times: int


@dataclass
class Logical:
    """One collection as the client sees it: its shards, config and metadata."""

    name: str
    shards: int
    replication_factor: int
    write_consistency_factor: int
    metadata: dict[str, Any] = field(default_factory=dict)
    previous_metadata: dict[str, Any] = field(default_factory=dict)

    def shard(self, i: int) -> str:
        return f"{self.name}__shard{i}"


BODY_MODELS: dict[tuple[str, str], Any] = {
    ("PUT", "collection"): models.CreateCollection,
    ("PATCH", "collection"): models.UpdateCollection,
    ("PUT", "points"): models.PointInsertOperations,
    ("POST", "query_batch"): models.QueryRequestBatch,
    ("POST", "points"): models.PointRequest,
    ("POST", "count"): models.CountRequest,
    ("POST", "aliases"): models.ChangeAliasesOperation,
}
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"/\Z"), "root"),
    ("GET", re.compile(r"/collections\Z"), "list"),
    ("GET", re.compile(r"/aliases\Z"), "all_aliases"),
    ("POST", re.compile(r"/collections/aliases\Z"), "aliases"),
    ("GET", re.compile(r"/collections/(?P<name>[^/]+)/exists\Z"), "exists"),
    ("GET", re.compile(r"/collections/(?P<name>[^/]+)/aliases\Z"), "collection_aliases"),
    ("PUT", re.compile(r"/collections/(?P<name>[^/]+)/points\Z"), "points"),
    ("POST", re.compile(r"/collections/(?P<name>[^/]+)/points/query/batch\Z"), "query_batch"),
    ("POST", re.compile(r"/collections/(?P<name>[^/]+)/points/count\Z"), "count"),
    ("POST", re.compile(r"/collections/(?P<name>[^/]+)/points\Z"), "points"),
    ("GET", re.compile(r"/collections/(?P<name>[^/]+)\Z"), "collection"),
    ("PUT", re.compile(r"/collections/(?P<name>[^/]+)\Z"), "collection"),
    ("PATCH", re.compile(r"/collections/(?P<name>[^/]+)\Z"), "collection"),
    ("DELETE", re.compile(r"/collections/(?P<name>[^/]+)\Z"), "collection"),
]


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class QdrantHttp:
    """The emulated server; :meth:`client` gives a real ``QdrantClient`` talking to it."""

    def __init__(self, version: str = VERSION) -> None:
        self.version = version
        self.local = QdrantClient(":memory:")
        self.collections: dict[str, Logical] = {}
        self.alias_map: dict[str, str] = {}
        self.rules: list[Rule] = []
        self.max_request_bytes: int | None = None
        self.requests: list[tuple[str, str, Any]] = []  # (method, path, body) of every request, in order
        self._statuses: dict[str, deque[str]] = defaultdict(deque)
        self._stale: dict[str, int] = defaultdict(int)
        self._lock = threading.RLock()
        self.on_request: Callable[[str, str], None] | None = None  # called before each request is served

    # --- what a test injects -------------------------------------------------------------------------------
    def fail(self, method: str, path: str, status: int, *, times: int = 1, headers: dict[str, str] | None = None,
             body: dict[str, Any] | None = None) -> None:
        """The next ``times`` requests matching ``method`` and the ``path`` regex answer ``status``."""
        self.rules.append(Rule(method, re.compile(path), status, headers or {}, body, times))

    def statuses(self, collection: str, *sequence: str) -> None:
        """The next reads of ``collection`` (by name, or by a regex prefix ``re:...``) report these statuses."""
        self._statuses[collection].extend(sequence)

    def stale_metadata(self, collection: str, reads: int = 1) -> None:
        self._stale[collection] += reads

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self, **kwargs: Any) -> QdrantClient:
        return QdrantClient(url=URL, transport=self.transport(), check_compatibility=False, **kwargs)

    # --- serving --------------------------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        body = request.content
        with self._lock:
            if self.on_request:
                self.on_request(request.method, request.url.path)
            self.requests.append((request.method, request.url.path, json.loads(body) if body else None))
            if self.max_request_bytes is not None and len(body) > self.max_request_bytes:
                return self._error(413, f"Payload too large: {len(body)} bytes, the limit is {self.max_request_bytes}")
            for rule in self.rules:
                if rule.times > 0 and rule.method == request.method and rule.path.search(request.url.path):
                    rule.times -= 1
                    payload = rule.body or {"status": {"error": f"injected {rule.status}"}, "time": 0.0}
                    return httpx.Response(rule.status, json=payload, headers=rule.headers)
            try:
                result = self._route(request, body)
                if request.url.path == "/":  # the version answer is not wrapped in the result envelope
                    return httpx.Response(200, json=result)
                return self._ok(result)
            except HttpError as exc:
                return self._error(exc.status, exc.message)

    @staticmethod
    def _ok(result: Any) -> httpx.Response:
        return httpx.Response(200, json={"result": result, "status": "ok", "time": 0.0001})

    @staticmethod
    def _error(status: int, message: str) -> httpx.Response:
        return httpx.Response(status, json={"status": {"error": message}, "time": 0.0})

    def _route(self, request: httpx.Request, body: bytes) -> Any:
        path = request.url.path
        for method, pattern, kind in ROUTES:
            found = pattern.match(path)
            if method == request.method and found:
                parsed = self._validate(method, kind, body)
                name = found.groupdict().get("name")
                return getattr(self, f"_{method.lower()}_{kind}")(name, parsed, request)
        raise HttpError(404, f"no route for {request.method} {path}")

    @staticmethod
    def _validate(method: str, kind: str, body: bytes) -> Any:
        model = BODY_MODELS.get((method, kind))
        if model is None:
            if body:
                raise HttpError(400, f"{method} {kind} takes no body")
            return None
        try:
            return TypeAdapter(model).validate_json(body)
        except ValidationError as exc:
            raise HttpError(422, f"Json deserialize error: {exc}") from None

    def _resolve(self, name: str) -> Logical:
        target = self.alias_map.get(name, name)
        if target not in self.collections:
            raise HttpError(404, f"Not found: Collection `{name}` doesn't exist!")
        return self.collections[target]

    # root, listing, aliases
    def _get_root(self, _name: None, _body: None, _request: httpx.Request) -> Any:
        return {"title": "qdrant - vector search engine", "version": self.version, "commit": None}

    def _get_list(self, _name: None, _body: None, _request: httpx.Request) -> Any:
        return {"collections": [{"name": n} for n in sorted(self.collections)]}

    def _aliases(self, only: str | None = None) -> Any:
        pairs = sorted(self.alias_map.items())
        return {"aliases": [{"alias_name": a, "collection_name": c} for a, c in pairs if only in (None, c)]}

    def _get_all_aliases(self, _name: None, _body: None, _request: httpx.Request) -> Any:
        return self._aliases()

    def _get_collection_aliases(self, name: str, _body: None, _request: httpx.Request) -> Any:
        return self._aliases(self._resolve(name).name)

    def _post_aliases(self, _name: None, body: models.ChangeAliasesOperation, _request: httpx.Request) -> Any:
        changed = dict(self.alias_map)
        for action in body.actions:
            if isinstance(action, models.CreateAliasOperation):
                alias = action.create_alias
                if alias.collection_name not in self.collections:
                    raise HttpError(404, f"Not found: Collection `{alias.collection_name}` doesn't exist!")
                if alias.alias_name in self.collections:
                    raise HttpError(409, f"Wrong input: Collection `{alias.alias_name}` already exists!")
                changed[alias.alias_name] = alias.collection_name
            elif isinstance(action, models.DeleteAliasOperation):
                if action.delete_alias.alias_name not in changed:
                    raise HttpError(404, f"Not found: Alias `{action.delete_alias.alias_name}` doesn't exist!")
                changed.pop(action.delete_alias.alias_name)
            else:  # rename
                old, new = action.rename_alias.old_alias_name, action.rename_alias.new_alias_name
                changed[new] = changed.pop(old)
        self.alias_map = changed  # all or nothing, as the server applies one request
        return True

    # collections
    def _get_exists(self, name: str, _body: None, _request: httpx.Request) -> Any:
        return {"exists": name in self.collections}

    def _put_collection(self, name: str, body: models.CreateCollection, _request: httpx.Request) -> Any:
        if name in self.collections or name in self.alias_map:
            raise HttpError(409, f"Wrong input: Collection `{name}` already exists!")
        logical = Logical(name, body.shard_number or 1, body.replication_factor or 1,
                          body.write_consistency_factor or 1, dict(body.metadata or {}))
        for i in range(logical.shards):
            self.local.create_collection(logical.shard(i), vectors_config=body.vectors or {},
                                         sparse_vectors_config=body.sparse_vectors)
        self.collections[name] = logical
        return True

    def _delete_collection(self, name: str, _body: None, _request: httpx.Request) -> Any:
        logical = self.collections.pop(name, None)
        if logical is None:
            return False
        for i in range(logical.shards):
            self.local.delete_collection(logical.shard(i))
        self.alias_map = {a: c for a, c in self.alias_map.items() if c != name}
        return True

    def _patch_collection(self, name: str, body: models.UpdateCollection, _request: httpx.Request) -> Any:
        logical = self._resolve(name)
        if body.metadata is not None:
            logical.previous_metadata = dict(logical.metadata)
            logical.metadata = {**logical.metadata, **body.metadata}
        return True

    def _get_collection(self, name: str, _body: None, _request: httpx.Request) -> Any:
        logical = self._resolve(name)
        info = self.local.get_collection(logical.shard(0)).model_dump(mode="json")
        info["points_count"] = sum(self.local.count(logical.shard(i)).count for i in range(logical.shards))
        params = info["config"]["params"]
        params.update(shard_number=logical.shards, replication_factor=logical.replication_factor,
                      write_consistency_factor=logical.write_consistency_factor)
        metadata = logical.metadata
        for key in (name, logical.name):
            if self._stale[key] > 0:
                self._stale[key] -= 1
                metadata = logical.previous_metadata
                break
        info["config"]["metadata"] = dict(metadata)
        for key in (name, logical.name):
            if self._statuses[key]:
                info["status"] = self._statuses[key].popleft()
                break
        else:
            info["status"] = "green"
        return info

    # points
    def _put_points(self, name: str, body: models.PointInsertOperations, _request: httpx.Request) -> Any:
        logical = self._resolve(name)
        if not isinstance(body, models.PointsList):
            raise HttpError(400, "the emulator takes point lists only")
        per_shard: dict[int, list[models.PointStruct]] = defaultdict(list)
        for point in body.points:
            per_shard[int(point.id) % logical.shards].append(point)
        for shard, points in sorted(per_shard.items()):
            self.local.upsert(logical.shard(shard), points, wait=True)
        return {"operation_id": 0, "status": "completed"}

    def _post_points(self, name: str, body: models.PointRequest, _request: httpx.Request) -> Any:
        logical = self._resolve(name)
        by_id: dict[int, Any] = {}
        for i in range(logical.shards):
            for record in self.local.retrieve(logical.shard(i), body.ids, with_payload=body.with_payload,
                                              with_vectors=body.with_vector):
                by_id[int(record.id)] = record.model_dump(mode="json")
        return [by_id[int(i)] for i in body.ids if int(i) in by_id]

    def _post_count(self, name: str, body: models.CountRequest, _request: httpx.Request) -> Any:
        logical = self._resolve(name)
        return {"count": sum(self.local.count(logical.shard(i), exact=True).count for i in range(logical.shards))}

    def _post_query_batch(self, name: str, body: models.QueryRequestBatch, _request: httpx.Request) -> Any:
        logical = self._resolve(name)
        return [{"points": [p.model_dump(mode="json") for p in self._query(logical, q)]} for q in body.searches]

    def _query(self, logical: Logical, query: models.QueryRequest) -> list[models.ScoredPoint]:
        limit = query.limit if query.limit is not None else 10
        if logical.shards == 1:
            return self.local.query_batch_points(logical.shard(0), requests=[query])[0].points
        if query.prefetch:
            raise HttpError(501, "the emulator does not fuse over several shards")
        exact = bool(query.params and query.params.exact)
        asked = query.model_copy(update={"limit": limit if exact else undersampled(limit, logical.shards)})
        found: list[models.ScoredPoint] = []
        for i in range(logical.shards):
            found.extend(self.local.query_batch_points(logical.shard(i), requests=[asked])[0].points)
        found.sort(key=lambda p: -p.score)  # stable: equal scores keep shard order, as a merge of sorted lists
        return found[:limit]

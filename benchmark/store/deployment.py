"""Where the indexes live: the embedded store, or a Qdrant server or cluster with its shards and replicas.

Recorded in every result (``ResultRecord.deployment``) and part of the keys of what depends on it (the fusion
part-run cache). Rankings do not depend on it (BM25's IDF is the corpus's, computed by the client; every
candidate is rescored exactly), latency does. The URL enters the keys, never a result file (it may name a private
host).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum

URL_ENV = "QDRANT_URL"


class StoreKind(str, Enum):
    EMBEDDED = "embedded"  # qdrant-edge in-process (one shard)
    SERVER = "server"  # a Qdrant server or cluster through qdrant-client


@dataclass(frozen=True, slots=True)
class Deployment:
    store: StoreKind
    shards: int = 1
    replication_factor: int = 1
    url: str | None = None

    @classmethod
    def of(cls, qdrant_url: str | None, shards: int = 1, replication_factor: int = 1) -> Deployment:
        """The deployment a run asks for: a server when a URL is given (or ``$QDRANT_URL``), else embedded
        (where shards and replicas do not apply)."""
        url = qdrant_url or os.environ.get(URL_ENV) or None
        if url is None:
            return cls(StoreKind.EMBEDDED)
        return cls(StoreKind.SERVER, shards, replication_factor, url)

    @property
    def key(self) -> str:
        """Names the deployment in cache keys (URL included: another server is another deployment)."""
        if self.store is StoreKind.EMBEDDED:
            return "embedded"
        return f"server:{self.url}:shards={self.shards}:replicas={self.replication_factor}"

    def record(self) -> dict[str, object]:
        """What a result file says (no URL)."""
        return {"store": self.store.value, "shards": self.shards, "replication_factor": self.replication_factor}

    def describe(self) -> str:
        if self.store is StoreKind.EMBEDDED:
            return "embedded Qdrant (qdrant-edge)"
        return f"Qdrant server, {self.shards} shard(s), replication factor {self.replication_factor}"

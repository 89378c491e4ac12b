"""Vector stores: edge/server parity against numpy brute force, fusion, completion markers, errors."""

from __future__ import annotations

import socket
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient

from benchmark.store import (
    CollectionSchema,
    Distance,
    FusionRequest,
    QdrantFusion,
    SparseVector,
    StoreError,
    VectorKind,
    VectorSpec,
    make_store,
)
from benchmark.store import server as server_mod
from benchmark.store.edge import MARKER, EdgeStore
from benchmark.store.server import ServerStore

pytestmark = pytest.mark.filterwarnings("ignore:Local mode performs exact:UserWarning")

N, DIM, VOCAB, NQ, K = 300, 16, 80, 15, 10
EMPTY_DOCS = {7, 150, 299}  # documents with an empty sparse vector
SCHEMA = CollectionSchema(
    (
        VectorSpec("cos", VectorKind.DENSE, DIM, Distance.COSINE),
        VectorSpec("dot", VectorKind.DENSE, DIM, Distance.DOT),
        VectorSpec("sp", VectorKind.SPARSE),
        VectorSpec("idf", VectorKind.SPARSE_IDF),
    )
)


@dataclass
class Data:
    dense: np.ndarray  # N x DIM
    docs: list[SparseVector]
    doc_matrix: np.ndarray  # N x VOCAB, float64
    q_dense: np.ndarray
    q_sparse: list[SparseVector]
    q_matrix: np.ndarray  # NQ x VOCAB

    def vectors(self, ids: range | list[int]) -> dict[str, list]:
        dense = [self.dense[i] for i in ids]
        docs = [self.docs[i] for i in ids]
        return {"cos": dense, "dot": dense, "sp": docs, "idf": docs}

    def queries(self, name: str) -> list:
        """As a retriever asks the store: a SPARSE_IDF query carries the corpus IDF (the store applies none)."""
        if name in ("cos", "dot"):
            return list(self.q_dense)
        if name == "idf":
            weights = idf_weights(self)
            return [SparseVector(q.indices, (q.values * weights[q.indices]).astype(np.float32)) for q in self.q_sparse]
        return self.q_sparse


def _sparse(rng: np.random.Generator, nnz: int) -> SparseVector:
    idx = np.sort(rng.choice(VOCAB, nnz, replace=False)).astype(np.uint32)
    return SparseVector(idx, rng.uniform(0.1, 1.0, nnz).astype(np.float32))


def _matrix(vectors: list[SparseVector]) -> np.ndarray:
    m = np.zeros((len(vectors), VOCAB))
    for row, v in enumerate(vectors):
        m[row, v.indices] = v.values
    return m


@pytest.fixture(scope="module")
def data() -> Data:
    rng = np.random.default_rng(20240611)
    dense = rng.standard_normal((N, DIM)).astype(np.float32)
    docs = [_sparse(rng, 0 if i in EMPTY_DOCS else int(rng.integers(3, 20))) for i in range(N)]
    q_dense = rng.standard_normal((NQ, DIM)).astype(np.float32)
    q_sparse = [_sparse(rng, int(rng.integers(2, 7))) for _ in range(NQ)]
    return Data(dense, docs, _matrix(docs), q_dense, q_sparse, _matrix(q_sparse))


@pytest.fixture(scope="module")
def collections(data: Data, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    edge = EdgeStore(tmp_path_factory.mktemp("edge"))
    server = ServerStore(client=QdrantClient(":memory:"))
    built = {}
    for name, store in (("edge", edge), ("server", server)):
        col = store.open("parity", SCHEMA)
        for start in range(0, N, 128):  # several upsert calls, as a real build does
            ids = range(start, min(N, start + 128))
            col.upsert(list(ids), data.vectors(ids))
        col.mark_complete({"test": "parity"})
        built[name] = col
    yield built
    edge.close()


# --- numpy references ------------------------------------------------------------------------


def brute_scores(data: Data, name: str) -> np.ndarray:
    """NQ x N scores; -inf where Qdrant would not return the point (no shared sparse term)."""
    if name == "cos":
        x = data.dense / np.linalg.norm(data.dense, axis=1, keepdims=True)
        q = data.q_dense / np.linalg.norm(data.q_dense, axis=1, keepdims=True)
        return q.astype(np.float64) @ x.T.astype(np.float64)
    if name == "dot":
        return data.q_dense.astype(np.float64) @ data.dense.T.astype(np.float64)
    weights = idf_weights(data) if name == "idf" else np.ones(VOCAB)
    scores = (data.q_matrix * weights) @ data.doc_matrix.T
    overlap = (data.q_matrix > 0).astype(float) @ (data.doc_matrix > 0).T.astype(float)
    return np.where(overlap > 0, scores, -np.inf)


def idf_weights(data: Data) -> np.ndarray:
    """Qdrant's IDF: ln(1 + (N - n + 0.5) / (n + 0.5)), N = points with a non-empty sparse vector."""
    present = data.doc_matrix > 0
    n_docs = int(present.any(axis=1).sum())
    n = present.sum(axis=0)
    return np.log(1.0 + (n_docs - n + 0.5) / (n + 0.5))


def brute_top(scores: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    out = []
    for row in scores:
        order = np.argsort(-row, kind="stable")[:k]
        out.append([(int(i), float(row[i])) for i in order if np.isfinite(row[i])])
    return out


def rrf_reference(lists: list[list[tuple[int, float]]], rrf_k: int) -> dict[int, float]:
    """Qdrant's RRF: sum over lists of 1 / (k + rank), rank counted from 0 (the top hit scores 1/k)."""
    fused: dict[int, float] = {}
    for hits in lists:
        for rank, (pid, _) in enumerate(hits):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (rrf_k + rank)
    return fused


def dbsf_reference(lists: list[list[tuple[int, float]]]) -> dict[int, float]:
    """Qdrant's DBSF: per list, (s - (mean - 3 sd)) / (6 sd) with the sample sd; summed."""
    fused: dict[int, float] = {}
    for hits in lists:
        s = np.array([score for _, score in hits])
        mean, sd = s.mean(), s.std(ddof=1)
        low, high = mean - 3 * sd, mean + 3 * sd
        for pid, score in hits:
            fused[pid] = fused.get(pid, 0.0) + (score - low) / (high - low)
    return fused


def assert_fused(hits: list[tuple[int, float]], expected: dict[int, float], k: int, tol: float) -> None:
    """Ties may be broken either way: check each hit's score, the order, and the score profile."""
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    assert len({pid for pid, _ in hits}) == len(hits)
    for pid, score in hits:
        assert score == pytest.approx(expected[pid], abs=tol)
    best = sorted(expected.values(), reverse=True)[:k]
    np.testing.assert_allclose(scores, best, atol=tol)


# --- parity ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cos", "dot", "sp", "idf"])
def test_search_matches_brute_force_on_both_stores(collections: dict, data: Data, name: str) -> None:
    expected = brute_top(brute_scores(data, name), K)
    for store, col in collections.items():
        got = col.search(name, data.queries(name), K)
        assert len(got) == NQ
        for q, (hits, ref) in enumerate(zip(got, expected)):
            assert [p for p, _ in hits] == [p for p, _ in ref], f"{store} {name} query {q}"
            np.testing.assert_allclose([s for _, s in hits], [s for _, s in ref], atol=1e-4, rtol=1e-5)


def test_the_store_applies_no_idf_of_its_own_on_either_deployment(collections: dict, data: Data) -> None:
    """Qdrant's Modifier.IDF counts points per shard; the client weighs BM25 queries with the corpus IDF instead
    (retrievers.exact.idf_weighted), so the store's score is the plain dot product."""
    q = data.q_matrix[0]
    term = int(np.flatnonzero(q)[0])
    single = SparseVector(np.array([term], np.uint32), np.array([1.0], np.float32))
    for col in collections.values():
        hits = col.search("idf", [single], 1)[0]
        assert hits[0][1] == pytest.approx(data.doc_matrix[hits[0][0], term], rel=1e-6)


@pytest.mark.parametrize("rrf_k", [60, 2])
def test_rrf_fusion_matches_numpy(collections: dict, data: Data, rrf_k: int) -> None:
    fusion = FusionRequest(QdrantFusion.RRF, prefetch_limit=20, rrf_k=rrf_k)
    lists = {name: brute_top(brute_scores(data, name), 20) for name in ("cos", "idf")}
    queries = {name: data.queries(name) for name in lists}
    results = {store: col.fused_search(queries, K, fusion) for store, col in collections.items()}
    for q in range(NQ):
        expected = rrf_reference([lists["cos"][q], lists["idf"][q]], rrf_k)
        for store in results:
            assert_fused(results[store][q], expected, K, tol=1e-6)
        edge, server = results["edge"][q], results["server"][q]
        np.testing.assert_allclose([s for _, s in edge], [s for _, s in server], atol=1e-6)
        # ties (e.g. two ids each top of one list) may be ordered differently: compare ids above the cut
        cut = edge[-1][1] + 1e-9
        above = {pid for pid, score in expected.items() if score > cut}
        assert {p for p, s in edge if s > cut} == above == {p for p, s in server if s > cut}
        top = max(expected.values())
        assert edge[0][1] == pytest.approx(top, abs=1e-6) and top >= 1.0 / rrf_k


def test_dbsf_fusion_matches_numpy(collections: dict, data: Data) -> None:
    fusion = FusionRequest(QdrantFusion.DBSF, prefetch_limit=20)
    lists = {name: brute_top(brute_scores(data, name), 20) for name in ("dot", "sp")}
    queries = {name: data.queries(name) for name in lists}
    for col in collections.values():
        for q, hits in enumerate(col.fused_search(queries, K, fusion)):
            assert_fused(hits, dbsf_reference([lists["dot"][q], lists["sp"][q]]), K, tol=1e-4)


def test_search_chunks_large_batches(collections: dict, data: Data) -> None:
    queries = list(data.q_dense) * 20  # 300 queries: more than one query_batch on both stores
    for col in collections.values():
        got = col.search("dot", queries, 3)
        assert len(got) == len(queries) and got[0] == got[NQ]


# --- completion, reuse and rebuild -----------------------------------------------------------


class FlushFails:
    """Wraps an EdgeShard: flush raises, everything else is passed through."""

    def __init__(self, shard: object) -> None:
        self._shard = shard

    def flush(self) -> None:
        raise OSError("disk full (simulated)")

    def __getattr__(self, name: str) -> object:
        return getattr(self._shard, name)


@pytest.fixture(params=["edge", "server"])
def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable]:
    """A function returning a fresh store over the same backing storage (closing the previous one)."""
    client = QdrantClient(":memory:")
    stores: list = []

    def make():
        if stores and isinstance(stores[-1], EdgeStore):
            stores[-1].close()
        stores.append(EdgeStore(tmp_path / "edge") if request.param == "edge" else ServerStore(client=client))
        return stores[-1]

    yield make
    if stores and isinstance(stores[-1], EdgeStore):
        stores[-1].close()


def _build(store, data: Data, key: str = "col", n: int = 50):
    col = store.open(key, SCHEMA)
    col.upsert(list(range(n)), data.vectors(range(n)))
    return col


def test_complete_collection_is_reused(reopen: Callable, data: Data) -> None:
    col = _build(reopen(), data)
    assert not col.is_complete()
    col.mark_complete({"corpus": "abc", "n": 50})
    assert col.is_complete()
    store = reopen()
    assert store.exists_complete("col")
    again = store.open("col", SCHEMA)  # no upsert on this path
    assert again.is_complete()
    info = again.info()
    assert (info.key, info.points, dict(info.meta)) == ("col", 50, {"corpus": "abc", "n": 50})
    assert again.search("dot", [data.dense[3]], 1)[0][0][0] == 3


@pytest.mark.parametrize("failure", ["no-mark", "exception", "ctrl-c"])
def test_incomplete_collection_is_dropped(reopen: Callable, data: Data, failure: str) -> None:
    store = reopen()
    col = _build(store, data)
    if failure != "no-mark":
        error = RuntimeError if failure == "exception" else KeyboardInterrupt
        with pytest.raises(error):
            col.upsert([60], data.vectors([0]))
            raise error("build interrupted")
    assert not store.exists_complete("col")
    fresh = reopen().open("col", SCHEMA)
    assert not fresh.is_complete() and fresh.info().points == 0


def test_failed_flush_leaves_no_marker(reopen: Callable, data: Data, monkeypatch: pytest.MonkeyPatch) -> None:
    store = reopen()
    col = _build(store, data)
    if isinstance(store, EdgeStore):
        col._shard = FlushFails(col._shard)
    else:
        monkeypatch.setattr(col, "_settle", FlushFails(None).flush)
    # edge: a StoreError naming the collection (disk full inside qdrant-edge); server: the error as raised
    with pytest.raises(StoreError if isinstance(store, EdgeStore) else OSError, match="simulated"):
        col.mark_complete({"a": 1})
    assert not col.is_complete() and not store.exists_complete("col")
    if isinstance(store, EdgeStore):
        assert not (store.root / "col" / MARKER).exists()
        col._shard = col._shard._shard
    assert reopen().open("col", SCHEMA).info().points == 0


def test_edge_marker_written_after_flush_and_optimize(tmp_path: Path, data: Data) -> None:
    store = EdgeStore(tmp_path)
    col = _build(store, data)
    marker = tmp_path / "col" / MARKER
    calls: list[tuple[str, bool]] = []

    class Spy:
        def __init__(self, shard: object) -> None:
            self._shard = shard

        def __getattr__(self, name: str) -> object:
            attr = getattr(self._shard, name)
            if name in ("flush", "optimize"):
                return lambda: (calls.append((name, marker.exists())), attr())[1]
            return attr

    col._shard = Spy(col._shard)
    col.mark_complete({})
    assert [c[0] for c in calls] == ["flush", "optimize", "flush"]
    assert not any(existed for _, existed in calls) and marker.exists()
    assert col.info().disk_bytes > 0
    col._shard = col._shard._shard
    store.close()


def test_upsert_after_complete_unmarks(reopen: Callable, data: Data) -> None:
    store = reopen()
    col = _build(store, data)
    col.mark_complete({})
    col.upsert([99], data.vectors([1]))
    assert not col.is_complete() and not store.exists_complete("col")


def test_other_schema_rebuilds_and_drop_removes(reopen: Callable, data: Data) -> None:
    store = reopen()
    _build(store, data).mark_complete({})
    other = CollectionSchema((VectorSpec("dot", VectorKind.DENSE, DIM, Distance.DOT),))
    col = store.open("col", other)
    assert not col.is_complete() and col.info().points == 0
    store.drop("col")
    assert not store.exists_complete("col")


def test_bad_input_raises_store_error(reopen: Callable, data: Data) -> None:
    store = reopen()
    with pytest.raises(StoreError, match="invalid collection key"):
        store.open("../escape", SCHEMA)
    col = store.open("col", SCHEMA)
    with pytest.raises(StoreError, match="exactly the vectors"):
        col.upsert([0], {"dot": [data.dense[0]]})
    with pytest.raises(StoreError, match="size 16"):
        col.upsert([0], {**data.vectors([0]), "cos": [np.zeros(3, np.float32)]})
    with pytest.raises(StoreError, match="unknown vector"):
        col.search("nope", [data.dense[0]], 1)


# --- server errors and the API key -----------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_fails_fast_without_leaking_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QDRANT_API_KEY", "secret-xyz")
    url = f"http://127.0.0.1:{_closed_port()}"
    start = time.monotonic()
    with pytest.raises(StoreError) as caught:
        ServerStore(url=url)
    assert time.monotonic() - start < 5
    exc = caught.value
    assert url in str(exc)
    rendered = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
    assert "secret-xyz" not in rendered


def test_key_not_in_repr_or_info(monkeypatch: pytest.MonkeyPatch, data: Data) -> None:
    monkeypatch.setenv("QDRANT_API_KEY", "secret-xyz")
    store = ServerStore(url="http://qdrant.example:6333", client=QdrantClient(":memory:"))
    col = _build(store, data)
    col.mark_complete({"x": 1})
    assert "secret-xyz" not in repr(store) + repr(col) + repr(col.info())
    assert "qdrant.example" in repr(store)


def test_no_url_is_a_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QDRANT_URL", raising=False)
    with pytest.raises(StoreError, match="QDRANT_URL"):
        ServerStore()


# --- factory ---------------------------------------------------------------------------------


def test_make_store_picks_implementation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("QDRANT_URL", raising=False)
    store = make_store(None, tmp_path)
    assert isinstance(store, EdgeStore) and store.root == tmp_path / "qdrant-edge"

    made: list[str] = []
    monkeypatch.setattr(server_mod, "ServerStore", lambda url: made.append(url) or url)
    assert make_store("http://given:6333", tmp_path) == "http://given:6333"
    monkeypatch.setenv("QDRANT_URL", "http://from-env:6333")
    assert make_store(None, tmp_path) == "http://from-env:6333"
    assert made == ["http://given:6333", "http://from-env:6333"]

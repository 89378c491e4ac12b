"""The Qdrant server/cluster path, through the real qdrant-client REST client and an emulated server
(tests/qdrant_http.py): the same results on any number of shards, safe concurrent builds, the errors a server
sends and the client setup."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import models
from qdrant_http import URL, QdrantHttp, undersampled

from benchmark.core.retry import RetryPolicy
from benchmark.pipeline.harness import RunRequest, run_benchmark
from benchmark.store import CollectionSchema, SparseVector, StoreError, VectorKind, VectorSpec
from benchmark.store.server import PREFIX, ServerStore, alias_of, build_name

pytestmark = pytest.mark.filterwarnings("ignore:Local mode performs exact:UserWarning")
SPARSE = CollectionSchema((VectorSpec("s", VectorKind.SPARSE),))


def store_on(server: QdrantHttp, waits: list[float] | None = None, **kwargs) -> ServerStore:
    policy = RetryPolicy(sleep=(waits if waits is not None else []).append)
    return ServerStore(url=kwargs.pop("url", URL), transport=server.transport(), retry_policy=policy, **kwargs)


def bm25_run(tmp_path: Path, name: str, store=None, shards: int = 1, qdrant_url: str | None = URL):
    request = RunRequest(retriever="bm25", dataset="demo", output_dir=tmp_path / name, cache_dir=tmp_path / "cache",
                         qdrant_url=qdrant_url, shards=shards, command=("test",), latency_sample=0)
    outcome = run_benchmark(request, store=store)
    return outcome, outcome.path.with_name(outcome.record.run_file).read_bytes()


def test_bm25_gives_the_same_run_file_embedded_and_on_1_and_4_emulated_shards(tmp_path, monkeypatch):
    monkeypatch.delenv("QDRANT_URL", raising=False)
    embedded, reference = bm25_run(tmp_path, "embedded", qdrant_url=None)
    assert embedded.record.deployment.store == "embedded"
    for shards in (1, 4):
        server = QdrantHttp()
        outcome, trec = bm25_run(tmp_path, f"shards-{shards}", store_on(server), shards=shards)
        assert hashlib.sha256(trec).hexdigest() == hashlib.sha256(reference).hexdigest(), shards
        assert outcome.record.metrics == embedded.record.metrics
        assert outcome.record.deployment.model_dump() == {"store": "server", "shards": shards,
                                                         "replication_factor": 1}
        created = [body for method, path, body in server.requests if method == "PUT" and "--build-" in path
                   and path.count("/") == 2]
        assert created and all(body["shard_number"] == shards for body in created)
        assert all("modifier" not in params or params["modifier"] in (None, "none")
                   for body in created for params in (body.get("sparse_vectors") or {}).values())


def test_bm25_finds_the_same_top_10_on_1_and_4_shards_when_a_term_is_common_on_one_shard_only():
    """Per-shard IDF would make "alpha" nearly worthless on shard 0 (every point there has it) and valuable on the
    others, so the store would hand the exact rescoring the wrong candidates; with the corpus IDF it cannot."""
    from retrievers.analyzer import AnalyzerConfig
    from retrievers.bm25 import BM25Encoder, BM25Params
    from retrievers.retriever import Retriever

    texts = ["alpha alpha alpha" + " pad" * (i // 4) if i % 4 == 0 else  # every point of shard 0, distinct lengths
             ("alpha filler words here and more" if i % 50 == 1 else f"filler {i} text") for i in range(2000)]
    tops = {}
    for shards in (1, 4):
        encoder = BM25Encoder(BM25Params(), AnalyzerConfig())
        retriever = Retriever("bm25", (encoder,), text_builder=None)  # type: ignore[arg-type]
        retriever.prepare(texts)
        store = store_on(QdrantHttp())
        collection = store.open("skew", CollectionSchema((encoder.spec,), shards=shards))
        retriever.index(texts, collection)
        collection.mark_complete({})
        tops[shards] = retriever.search(["alpha"], 10, collection)[0][0]
    assert tops[1] == tops[4]
    assert all(point % 4 == 0 for point, _ in tops[4])  # the short "alpha alpha alpha" products win


def test_bench_run_through_the_cli_on_4_emulated_shards_writes_the_embedded_run_file(tmp_path, monkeypatch):
    from functools import partial

    from typer.testing import CliRunner

    from benchmark.app.cli import app
    from benchmark.store import server as server_module

    server = QdrantHttp()
    monkeypatch.setattr(server_module, "ServerStore", partial(ServerStore, transport=server.transport()))
    files = {}
    for name, extra in (("embedded", []), ("cluster", ["--qdrant-url", URL, "--shards", "4"])):
        monkeypatch.delenv("QDRANT_URL", raising=False)
        result = CliRunner().invoke(app, ["run", "-r", "bm25", "-d", "demo", "--cache-dir", str(tmp_path / "cache"),
                                          "--output-dir", str(tmp_path / name), "--latency-sample", "0", *extra])
        assert result.exit_code == 0, result.output
        (files[name],) = (tmp_path / name).glob("*.trec")
    assert files["embedded"].read_bytes() == files["cluster"].read_bytes()
    assert len(server.collections) == 1 and next(iter(server.collections.values())).shards == 4


def test_the_emulator_reproduces_per_shard_idf_which_is_why_the_client_computes_it():
    """Qdrant's Modifier.IDF counts per shard: the same documents rank differently on 1 and 4 shards."""
    rng = np.random.default_rng(7)
    docs = [(i, sorted(rng.choice(60, rng.integers(2, 8), replace=False).tolist())) for i in range(400)]
    tops = {}
    for shards in (1, 4):
        client = QdrantHttp().client()
        client.create_collection("c", vectors_config={}, shard_number=shards, sparse_vectors_config={
            "s": models.SparseVectorParams(modifier=models.Modifier.IDF)})
        client.upsert("c", [models.PointStruct(id=i, vector={"s": models.SparseVector(
            indices=terms, values=[1.0] * len(terms))}) for i, terms in docs])
        query = models.SparseVector(indices=[1, 2, 3, 5, 8], values=[1.0] * 5)
        found = client.query_batch_points("c", requests=[models.QueryRequest(query=query, using="s", limit=20)])
        tops[shards] = [p.id for p in found[0].points]
    assert tops[1] != tops[4]


def skewed(server: QdrantHttp, shards: int, n: int = 800) -> tuple:
    """A collection whose best documents for the query all sit on shard 0 (ids divisible by the shard count)."""
    store = store_on(server)
    collection = store.open("skewed", CollectionSchema((VectorSpec("s", VectorKind.SPARSE),), shards=shards))
    values = [2.0 + i / n if i % 4 == 0 else 1.0 + i / n for i in range(n)]
    vectors = [SparseVector(np.array([3], np.uint32), np.array([v], np.float32)) for v in values]
    collection.upsert(list(range(n)), {"s": vectors})
    collection.mark_complete({})
    query = SparseVector(np.array([3], np.uint32), np.array([1.0], np.float32))
    expected = sorted(range(n), key=lambda i: -values[i])
    return collection, query, expected


def test_a_large_search_on_several_shards_is_not_undersampled():
    assert undersampled(200, 4) < 200  # what the emulated cluster does to a non-exact request
    server = QdrantHttp()
    collection, query, expected = skewed(server, shards=4)
    hits = collection.search("s", [query], 200)[0]
    assert [p for p, _ in hits] == expected[:200]
    asked = [body for method, path, body in server.requests if path.endswith("/points/query/batch")]
    assert asked[-1]["searches"][0]["params"]["exact"] is True
    small = collection.search("s", [query], 10)[0]  # below 128 hits nothing is lowered: no exact scan needed
    assert [p for p, _ in small] == expected[:10]
    assert "params" not in server.requests[-1][2]["searches"][0] or \
        not (server.requests[-1][2]["searches"][0]["params"] or {}).get("exact")


def build_demo_index(store: ServerStore, key: str = "demo-index", n: int = 300):
    rng = np.random.default_rng(3)
    vectors = [SparseVector(np.sort(rng.choice(50, 5, replace=False)).astype(np.uint32),
                            rng.uniform(0.1, 1, 5).astype(np.float32)) for _ in range(n)]
    collection = store.open(key, SPARSE)
    for start in range(0, n, 100):
        collection.upsert(list(range(start, start + 100)), {"s": vectors[start:start + 100]})
    collection.mark_complete({"n": n})
    return collection


def test_two_concurrent_builders_end_with_one_complete_index_and_the_same_results(tmp_path):
    server = QdrantHttp()
    first, second = store_on(server), store_on(server)
    opened = [first.open("race", SPARSE), second.open("race", SPARSE)]  # both see no index and start building
    rng = np.random.default_rng(5)
    vectors = [SparseVector(np.sort(rng.choice(40, 4, replace=False)).astype(np.uint32),
                            rng.uniform(0.1, 1, 4).astype(np.float32)) for _ in range(200)]
    errors: list[BaseException] = []

    def build(collection) -> None:
        try:
            for start in range(0, 200, 20):
                collection.upsert(list(range(start, start + 20)), {"s": vectors[start:start + 20]})
            collection.mark_complete({"n": 200})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build, args=(c,)) for c in opened]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(server.collections) == 1  # the loser dropped its own build
    (target,) = server.collections
    assert server.alias_map == {alias_of("race"): target}
    query = SparseVector(np.array([1, 2, 3], np.uint32), np.array([0.5, 1.0, 0.2], np.float32))
    results = [c.search("s", [query], 50) for c in opened]
    assert results[0] == results[1] and len(results[0][0]) > 10
    assert all(c.is_complete() for c in opened) and opened[0].info().points == 200
    reader = store_on(server).open("race", SPARSE)
    assert reader.is_complete() and reader.search("s", [query], 50) == results[0]


def test_two_concurrent_bm25_runs_through_the_transport_give_the_same_run_file(tmp_path, monkeypatch):
    from benchmark.pipeline import harness

    # ranx (numba) must not evaluate in two threads at once (it aborts); the two builds are what runs together
    monkeypatch.setattr(harness, "evaluate", one_at_a_time(harness.evaluate))
    server = QdrantHttp()
    found: dict[str, bytes] = {}

    def run(name: str) -> None:
        found[name] = bm25_run(tmp_path, name, store_on(server))[1]

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found["a"] == found["b"] and len(found) == 2
    assert len(server.collections) == 1 and len(server.alias_map) == 1


def one_at_a_time(fn):
    lock = threading.Lock()

    def call(*args, **kwargs):
        with lock:
            return fn(*args, **kwargs)

    return call


def test_a_reader_with_a_stale_metadata_read_reuses_the_index_and_deletes_nothing():
    server = QdrantHttp()
    build_demo_index(store_on(server))
    (target,) = server.collections
    server.stale_metadata(target, reads=5)  # this node has not applied the marker yet
    before = len(server.requests)
    reader = store_on(server)
    assert reader.exists_complete("demo-index")
    collection = reader.open("demo-index", SPARSE)
    assert collection.is_complete()
    assert not any(method == "DELETE" for method, _, _ in server.requests[before:])
    assert list(server.collections) == [target]


def test_an_unpublished_build_of_another_process_is_never_deleted_but_an_abandoned_one_is():
    server = QdrantHttp()
    client = server.client()
    recent = build_name("demo-index")
    old = build_name("demo-index", datetime.now(UTC) - timedelta(days=2))
    for name in (recent, old):
        client.create_collection(name, vectors_config={}, sparse_vectors_config={"s": models.SparseVectorParams()})
    build_demo_index(store_on(server))
    assert recent in server.collections and old not in server.collections


def test_a_429_waits_what_retry_after_asks_and_a_malformed_answer_is_not_retried(tmp_path):
    server = QdrantHttp()
    collection = build_demo_index(store_on(server))
    query = SparseVector(np.array([1], np.uint32), np.array([1.0], np.float32))
    expected = collection.search("s", [query], 5)
    waits: list[float] = []
    store = store_on(server, waits)
    again = store.open("demo-index", SPARSE)
    server.fail("POST", r"/points/query/batch$", 429, headers={"Retry-After": "3"}, times=2)
    assert again.search("s", [query], 5) == expected
    assert waits == [3.0, 3.0]
    server.fail("POST", r"/points/query/batch$", 200, body={"result": "not a list of hits", "status": "ok"}, times=9)
    attempts = len(server.requests)
    with pytest.raises(StoreError, match=r"cannot search .*ResponseHandlingException"):
        again.search("s", [query], 5)
    assert len(server.requests) == attempts + 1 and waits == [3.0, 3.0]  # one attempt, no retry


def test_an_upsert_over_the_request_size_limit_is_sent_in_smaller_parts():
    server = QdrantHttp()
    server.max_request_bytes = 6_000  # about 60 of these points
    collection = build_demo_index(store_on(server))
    assert collection.is_complete() and collection.info().points == 300
    assert any(path.endswith("/points") and method == "PUT" for method, path, _ in server.requests)


def test_a_yellow_collection_is_waited_for_and_a_red_or_never_settling_one_is_not_published(monkeypatch):
    monkeypatch.setattr("benchmark.store.server.time.sleep", lambda _s: None)
    server = QdrantHttp()
    store = store_on(server)
    collection = store.open("settle", SPARSE)
    collection.upsert([0], {"s": [SparseVector(np.array([1], np.uint32), np.array([1.0], np.float32))]})
    server.statuses(collection.name, "yellow", "yellow", "green")
    collection.mark_complete({})
    assert collection.is_complete() and store.exists_complete("settle")

    for status, timeout, message in (("red", 600.0, "is red"), ("yellow", 0.0, "still optimizing")):
        key = f"settle-{status}"
        pending = store.open(key, SPARSE)
        pending.upsert([0], {"s": [SparseVector(np.array([1], np.uint32), np.array([1.0], np.float32))]})
        pending.settle_timeout_s = timeout
        server.statuses(pending.name, *[status] * 50)
        with pytest.raises(StoreError, match=message):
            pending.mark_complete({})
        assert not pending.is_complete() and not store.exists_complete(key)
        assert alias_of(key) not in server.alias_map


def test_a_conflict_on_create_builds_under_another_name():
    server = QdrantHttp()
    server.fail("PUT", rf"^/collections/{PREFIX}conflict--build-", 409, times=1)
    collection = store_on(server).open("conflict", SPARSE)
    assert collection.name in server.collections


def test_a_url_without_a_port_uses_the_schemes_port_not_6333():
    server = QdrantHttp()
    seen: list[str] = []
    handle = server.handle
    server.handle = lambda request: (seen.append(str(request.url)), handle(request))[1]  # type: ignore[method-assign]
    store_on(server, url="https://qdrant.example.com")
    assert seen and all(url.startswith("https://qdrant.example.com/") for url in seen)


def test_an_api_key_is_sent_only_over_https_or_to_this_machine():
    server = QdrantHttp()
    with pytest.raises(StoreError, match="over plain http"):
        store_on(server, url="http://qdrant.example.com:6333", api_key="k-123456789")
    assert server.requests == []  # refused before anything was sent
    store_on(server, url="https://qdrant.example.com:6333", api_key="k-123456789")
    store_on(server, url="http://localhost:6333", api_key="k-123456789")


def test_too_old_a_server_fails_before_anything_is_built():
    server = QdrantHttp(version="1.15.4")
    with pytest.raises(StoreError, match=r"is version 1\.15\.4; shopbench needs Qdrant >= 1\.16"):
        store_on(server)
    assert not any(method == "PUT" for method, _, _ in server.requests)


def test_writes_wait_for_every_replica():
    server = QdrantHttp()
    store_on(server).open("replicated", CollectionSchema((VectorSpec("s", VectorKind.SPARSE),), shards=2,
                                                         replication_factor=3))
    (created,) = server.collections.values()
    assert (created.shards, created.replication_factor, created.write_consistency_factor) == (2, 3, 3)


def test_the_package_requires_a_client_with_the_apis_it_uses():
    text = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    assert '"qdrant-client>=1.16' in text

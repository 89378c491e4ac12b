"""External faults: a Qdrant server that is unreachable, slow or failing mid-upsert; a full or read-only disk.

No Qdrant server is needed: ``QdrantClient(":memory:")`` sits behind a fake transport that raises the
exceptions qdrant-client raises for a refused connection, a timeout or a 5xx answer, on the calls a
test names; unreachable and silent servers are real local TCP ports. Retries never really sleep
here: the retry policy records the waits it asks for.
"""

from __future__ import annotations

import errno
import os
import socket
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
import pytest
from procs import bench, results
from qdrant_client import QdrantClient
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from benchmark.core.errors import ShopbenchError
from benchmark.core.retry import RetryPolicy
from benchmark.pipeline.harness import RunRequest, run_benchmark
from benchmark.ranking.runs import OutputWriteError
from benchmark.store import SparseVector, StoreError
from benchmark.store.server import ServerStore
from benchmark.store.vector_cache import VectorCache

pytestmark = pytest.mark.filterwarnings("ignore:Local mode performs exact:UserWarning")
URL = "http://qdrant.test:6333"


def refused() -> Exception:
    return ResponseHandlingException(httpx.ConnectError("[Errno 111] Connection refused"))


def status(code: int, reason: str) -> Exception:
    return UnexpectedResponse(status_code=code, reason_phrase=reason, content=b"", headers=httpx.Headers())


class FakeTransport:
    """A real in-memory Qdrant whose methods fail as planned: ``plan[method]`` lists, call by call, an
    exception to raise or None to let the call through; once the list is used up every call passes."""

    def __init__(self, plan: dict[str, list[Exception | None]] | None = None) -> None:
        self.client = QdrantClient(":memory:")
        self.plan = {name: list(steps) for name, steps in (plan or {}).items()}
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str):
        attr = getattr(self.client, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self.calls[name] += 1
            steps = self.plan.get(name)
            failure = steps.pop(0) if steps else None
            if failure is not None:
                raise failure
            return attr(*args, **kwargs)

        return call


def server_store(transport: FakeTransport, waits: list[float]) -> ServerStore:
    return ServerStore(url=URL, client=transport, retry_policy=RetryPolicy(sleep=waits.append))  # type: ignore[arg-type]


def run_bm25(store: ServerStore, out: Path):
    return run_benchmark(RunRequest(retriever="bm25", dataset="demo", output_dir=out, command=("test",)), store=store)


@pytest.fixture(scope="module")
def clean_metrics(tmp_path_factory) -> dict[str, float]:
    waits: list[float] = []
    outcome = run_bm25(server_store(FakeTransport(), waits), tmp_path_factory.mktemp("clean"))
    assert waits == []
    return outcome.record.metrics


def test_a_refused_connection_a_5xx_and_a_timeout_are_retried_and_change_nothing(clean_metrics, tmp_path):
    plan = {"upsert": [None, refused(), status(503, "Service Unavailable")],  # the 2nd of 2 batches, twice
            "query_batch_points": [httpx.ReadTimeout("timed out")]}
    transport, waits = FakeTransport(plan), []
    outcome = run_bm25(server_store(transport, waits), tmp_path)
    assert outcome.record.metrics == clean_metrics
    assert transport.calls["upsert"] == 2 + 2
    assert waits == [0.5, 1.0, 0.5]  # exponential backoff per operation


def test_an_outage_mid_upsert_fails_naming_the_url_and_records_nothing(clean_metrics, tmp_path):
    transport, waits = FakeTransport({"upsert": [None] + [refused()] * 5}), []
    store = server_store(transport, waits)
    with pytest.raises(StoreError, match=r"^Qdrant at http://qdrant\.test:6333: cannot upsert into "
                                         r"shopbench_demo-bm25-\w+--build-[\w-]+ after 5 attempts: ResponseHandlingException: "
                                         r".*Connection refused$"):
        run_bm25(store, tmp_path / "out")
    assert waits == [0.5, 1.0, 2.0, 4.0]
    assert not (tmp_path / "out").exists()  # no result file
    (name,) = [c.name for c in transport.client.get_collections().collections]  # the build, in its own collection
    assert not store.exists_complete(name.removeprefix("shopbench_").split("--build-")[0])  # not published
    outcome = run_bm25(store, tmp_path / "out")  # the server is back: the same command builds it afresh
    assert not outcome.record.reused_index and outcome.record.metrics == clean_metrics


@pytest.mark.parametrize(("failure", "message"), [
    (status(400, "Bad Request"), r"cannot upsert into .*: UnexpectedResponse"),
    (status(401, "Unauthorized"), r"refused the API key \(401\)"),
])
def test_errors_that_a_retry_cannot_fix_fail_at_once(failure, message, tmp_path):
    transport, waits = FakeTransport({"upsert": [failure]}), []
    with pytest.raises(StoreError, match=message):
        run_bm25(server_store(transport, waits), tmp_path / "out")
    assert transport.calls["upsert"] == 1 and waits == []
    assert not (tmp_path / "out").exists()


def test_an_unreachable_server_fails_with_its_url_after_the_probe_retries():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []
    with pytest.raises(StoreError, match=rf"^Qdrant at http://127\.0\.0\.1:{port}: cannot connect after 3 attempts: "):
        ServerStore(url=f"http://127.0.0.1:{port}", retry_policy=RetryPolicy(sleep=waits.append))
    assert waits == [0.5, 1.0]


def test_a_server_that_never_answers_times_out_with_its_url():
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        waits: list[float] = []
        with pytest.raises(StoreError, match=rf"Qdrant at http://127\.0\.0\.1:{port}: cannot connect after 3 "
                                             r"attempts: ResponseHandlingException: .*timed out"):
            ServerStore(url=f"http://127.0.0.1:{port}", connect_timeout_s=0.5,
                        retry_policy=RetryPolicy(sleep=waits.append))
    assert len(waits) == 2


# --- disk full, read-only output folder ---------------------------------------------------------------


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_full_disk_stops_the_result_write_with_a_clear_error_and_keeps_earlier_results(tmp_path, monkeypatch):
    out = tmp_path / "results"
    run_benchmark(RunRequest(retriever="bm25", dataset="demo", output_dir=out, command=("test",)))
    earlier = _files(out)
    real_link, real_replace = os.link, os.replace

    def full(real):
        def move(src, dst, *args, **kwargs):
            if Path(dst).parent == out:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(src, dst, *args, **kwargs)
        return move

    monkeypatch.setattr(os, "link", full(real_link))
    monkeypatch.setattr(os, "replace", full(real_replace))
    with pytest.raises(OutputWriteError, match=rf"^cannot write {out}/demo__test__bm25__\S+\.trec: No space left"):
        run_benchmark(RunRequest(retriever="bm25", dataset="demo", output_dir=out, command=("test",)))
    assert _files(out) == earlier  # nothing replaced, no temporary file left behind


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="running as root: chmod does not stop root from writing (the ENOSPC test covers this)")
def test_a_read_only_output_folder_is_a_one_line_error_and_earlier_results_stay(tmp_path):
    out = tmp_path / "results"
    first = bench("run", "-r", "bm25", "-d", "demo", "--cache-dir", tmp_path / "cache", "--output-dir", out)
    assert first.returncode == 0, first.stderr[-3000:]
    earlier = _files(out)
    out.chmod(0o555)
    try:
        again = bench("run", "-r", "bm25", "-d", "demo", "--cache-dir", tmp_path / "cache", "--output-dir", out)
    finally:
        out.chmod(0o755)
    assert again.returncode == 2
    assert f"error: cannot write {out}/" in " ".join(again.stderr.split()) and "Permission denied" in again.stderr
    assert "Traceback" not in again.stderr and _files(out) == earlier and len(results(out)) == 1


def test_a_full_disk_while_caching_vectors_or_a_dataset_is_a_clear_error(tmp_path, monkeypatch):
    from benchmark.datasets import cache as dataset_cache
    from benchmark.datasets.registry import load_dataset

    vectors = VectorCache(tmp_path / "vectors", "corpus")

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(np, "savez", no_space)
    with pytest.raises(ShopbenchError, match=r"cannot write encoded vectors .*vectors/corpus/fp/000000000-1\.npz: "
                                             r"No space left on device"):
        vectors.save("fp", 0, [SparseVector(np.array([1], np.uint32), np.array([1.0], np.float32))], 0.1)
    assert not [p for p in (tmp_path / "vectors").rglob("*") if p.is_file()]  # no partial chunk left

    monkeypatch.setattr(dataset_cache.pq, "write_table", no_space)
    with pytest.raises(ShopbenchError, match=r"cannot write the dataset cache .*datasets/demo-\w+: No space left"):
        load_dataset("demo", cache_dir=tmp_path / "cache")
    assert not list((tmp_path / "cache" / "datasets").iterdir())  # no partial cache left

"""Tests for benchmark.datasets.fetch against a local HTTP server (offline, fast)."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import io
import json
import re
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from benchmark.core.errors import (
    ChecksumError,
    DataFormatError,
    MissingDataError,
    NetworkError,
    ShopbenchError,
    UnknownNameError,
)
from benchmark.datasets.fetch import RemoteFile, Source, download, fetch, fetch_source, source_for

fetch_mod = importlib.import_module("benchmark.datasets.fetch")  # the module, even if the package re-exports fetch()
PAYLOAD = bytes(range(256)) * 400 + b"tail"  # 102,404 bytes, not a multiple of the chunk size


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


# --- a tiny HTTP server ----------------------------------------------------------------------


class ServerState:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        # path -> "range" (default) | "ignore-range" | "truncate" (half the body) | "empty" (no body) | "500"
        self.modes: dict[str, str] = {}
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)

    def reset(self) -> None:
        self.files.clear()
        self.modes.clear()
        self.requests.clear()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer  # with a .state attribute

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass

    def _send(
        self, code: int, body: bytes, headers: dict[str, str] | None = None, *, short: bool = False, empty: bool = False
    ) -> None:
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if empty:  # promise a body, send none
            self.wfile.flush()
            self.close_connection = True
            return
        if short:  # promise the whole body, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def do_GET(self) -> None:
        state: ServerState = self.server.state  # type: ignore[attr-defined]
        rng = self.headers.get("Range")
        state.requests.append((self.path, rng))
        data, mode = state.files.get(self.path), state.modes.get(self.path, "range")
        if data is None:
            self._send(404, b"not found")
            return
        if mode == "500":
            self._send(500, b"boom")
            return
        if rng and mode in ("range", "truncate"):
            start = int(re.fullmatch(r"bytes=(\d+)-", rng).group(1))  # type: ignore[union-attr]
            if start >= len(data):
                self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
                return
            headers = {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"}
            self._send(206, data[start:], headers, short=mode == "truncate")
            return
        self._send(200, data, short=mode == "truncate", empty=mode == "empty")


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up on a cut-off transfer are expected here


@pytest.fixture(scope="module")
def _server() -> Iterator[tuple[str, ServerState]]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    state = ServerState()
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def server(_server: tuple[str, ServerState]) -> Iterator[tuple[str, ServerState]]:
    _server[1].reset()
    yield _server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(5.0), trust_env=False) as c:
        yield c


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local server must be reached directly, whatever proxy the machine running the tests has."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/file.bin"


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*")) if path.exists() else []


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --- registry ----------------------------------------------------------------------------------


def test_esci_source_has_the_three_official_files() -> None:
    source = source_for("esci")
    assert [f.filename for f in source.files] == [
        "shopping_queries_dataset_examples.parquet",
        "shopping_queries_dataset_products.parquet",
        "shopping_queries_dataset_sources.csv",
    ]
    for f in source.files:  # Git LFS files: the media host serves the real bytes, not the pointer
        assert f.url == (
            "https://media.githubusercontent.com/media/amazon-science/esci-data/main/"
            f"shopping_queries_dataset/{f.filename}"
        )
    assert source.subdir == "esci" and not source.extract_zip


def test_what_fetch_esci_writes_is_the_layout_the_loader_takes_first(tmp_path: Path) -> None:
    from benchmark.datasets.esci_layout import OfficialFiles, find_layout
    from benchmark.datasets.registry import LOADERS

    source = source_for("esci")
    target = tmp_path / source.subdir
    (target / "hf" / "data").mkdir(parents=True)  # `bench data fetch esci --hf` was run as well
    for name in ("train-00000-of-00001.parquet", "test-00000-of-00001.parquet"):
        (target / "hf" / "data" / name).write_bytes(b"PAR1")
    for f in source.files:
        (target / f.filename).write_bytes(b"PAR1")
    layout = find_layout(target)
    assert isinstance(layout, OfficialFiles) and [p.name for p in layout.files] == [f.filename for f in source.files[:2]]
    assert LOADERS["esci"].subdir == source.subdir


def test_wands_source_files() -> None:
    source = source_for("WANDS ")  # case and whitespace do not matter
    assert [f.filename for f in source.files] == ["product.csv", "query.csv", "label.csv"]
    assert all(
        f.url == f"https://raw.githubusercontent.com/wayfair/WANDS/main/dataset/{f.filename}" for f in source.files
    )
    assert source.subdir == "wands"


def test_beir_pinned_and_unpinned() -> None:
    scifact = source_for("beir:scifact")
    (zip_file,) = scifact.files
    assert zip_file.url == "https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets/scifact.zip"
    assert zip_file.md5 == "5f7d1de60b170fc8027bb7898e2efca1"
    assert scifact.extract_zip and scifact.subdir == "beir/scifact"
    assert source_for("beir:nfcorpus").files[0].md5 == "a89dba18a62ef92f7d323ec890a0d38d"
    other = source_for("beir:some-new-set")
    assert other.files[0].md5 is None and other.files[0].sha256 is None and other.extract_zip
    assert other.files[0].filename == "some-new-set.zip"


@pytest.mark.parametrize("name", ["nope", "beir:", "beir:../etc", "beir:a/b", "esci2"])
def test_unknown_name_lists_valid_names(name: str) -> None:
    with pytest.raises(UnknownNameError) as info:
        source_for(name)
    message = str(info.value)
    for valid in ("esci", "wands", "homedepot", "beir:scifact"):
        assert valid in message
    assert info.value.name == name


def test_homedepot_needs_kaggle(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError) as info:
        fetch("homedepot", tmp_path)
    message = str(info.value)
    for needle in (
        "Kaggle",
        "train.csv",
        "home-depot-product-search-relevance",
        "--data-dir",
        "https://www.kaggle.com/c/home-depot-product-search-relevance/data",
        str(tmp_path / "homedepot"),
    ):
        assert needle in message
    assert files_under(tmp_path) == []
    with pytest.raises(MissingDataError, match="train.csv"):
        source_for("homedepot")


def test_records_are_immutable_and_filenames_plain() -> None:
    remote = RemoteFile("http://x/a", "a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        remote.url = "http://y/a"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Source("s", (remote,), "s").subdir = "t"  # type: ignore[misc]
    for bad in ("../a", "a/b", "", ".."):
        with pytest.raises(ValueError):
            RemoteFile("http://x/a", bad)


# --- download ------------------------------------------------------------------------------------


def test_full_download_verifies_checksums(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    state.files["/data.bin"] = PAYLOAD
    remote = RemoteFile(f"{base}/data.bin", "data.bin", sha256=sha256(PAYLOAD), md5=md5(PAYLOAD), size=len(PAYLOAD))
    dest = tmp_path / "out"
    path = download(remote, dest, progress=False)  # its own client: proxy settings, timeouts
    assert path == dest / "data.bin"
    assert path.read_bytes() == PAYLOAD
    assert files_under(dest) == [path]  # no .part left
    assert state.requests == [("/data.bin", None)]


def test_download_with_progress_bar(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    base, state = server
    state.files["/p.bin"] = PAYLOAD
    path = download(RemoteFile(f"{base}/p.bin", "p.bin", sha256=sha256(PAYLOAD)), tmp_path, client=client)
    assert path.read_bytes() == PAYLOAD
    assert "p.bin" in capsys.readouterr().err


def test_present_file_with_correct_checksum_is_skipped(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client
) -> None:
    base, state = server
    state.files["/d.bin"] = PAYLOAD
    (tmp_path / "d.bin").write_bytes(PAYLOAD)
    download(RemoteFile(f"{base}/d.bin", "d.bin", sha256=sha256(PAYLOAD)), tmp_path, client=client, progress=False)
    (tmp_path / "u.bin").write_bytes(b"user's own copy")
    download(RemoteFile(f"{base}/u.bin", "u.bin"), tmp_path, client=client, progress=False)  # nothing pinned
    assert state.requests == []
    assert (tmp_path / "u.bin").read_bytes() == b"user's own copy"


def test_present_file_with_wrong_checksum_is_replaced(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client
) -> None:
    base, state = server
    state.files["/d.bin"] = PAYLOAD
    (tmp_path / "d.bin").write_bytes(b"stale")
    path = download(
        RemoteFile(f"{base}/d.bin", "d.bin", sha256=sha256(PAYLOAD)), tmp_path, client=client, progress=False
    )
    assert path.read_bytes() == PAYLOAD
    assert len(state.requests) == 1


def test_resume_sends_range_and_gives_correct_bytes(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client
) -> None:
    base, state = server
    state.files["/r.bin"] = PAYLOAD
    (tmp_path / "r.bin.part").write_bytes(PAYLOAD[:40_000])
    path = download(
        RemoteFile(f"{base}/r.bin", "r.bin", sha256=sha256(PAYLOAD)), tmp_path, client=client, progress=False
    )
    assert state.requests == [("/r.bin", "bytes=40000-")]
    assert path.read_bytes() == PAYLOAD
    assert not (tmp_path / "r.bin.part").exists()


def test_server_ignoring_range_restarts_from_zero(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client
) -> None:
    base, state = server
    state.files["/i.bin"] = PAYLOAD
    state.modes["/i.bin"] = "ignore-range"
    (tmp_path / "i.bin.part").write_bytes(b"X" * 1000)  # wrong bytes: appending would corrupt the file
    path = download(RemoteFile(f"{base}/i.bin", "i.bin"), tmp_path, client=client, progress=False)
    assert state.requests == [("/i.bin", "bytes=1000-")]
    assert path.read_bytes() == PAYLOAD


def test_part_as_long_as_file_gets_416_and_restarts(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client
) -> None:
    base, state = server
    state.files["/f.bin"] = PAYLOAD
    (tmp_path / "f.bin.part").write_bytes(b"Y" * (len(PAYLOAD) + 10))
    path = download(RemoteFile(f"{base}/f.bin", "f.bin", md5=md5(PAYLOAD)), tmp_path, client=client, progress=False)
    assert state.requests == [("/f.bin", f"bytes={len(PAYLOAD) + 10}-"), ("/f.bin", None)]
    assert path.read_bytes() == PAYLOAD


@pytest.mark.parametrize("field", ["sha256", "md5", "size"])
def test_checksum_mismatch_raises_and_leaves_no_file(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client, field: str
) -> None:
    base, state = server
    state.files["/c.bin"] = PAYLOAD
    wrong: dict[str, object] = {"sha256": "0" * 64, "md5": "0" * 32, "size": len(PAYLOAD) + 1}
    actual: dict[str, object] = {"sha256": sha256(PAYLOAD), "md5": md5(PAYLOAD), "size": len(PAYLOAD)}
    remote = RemoteFile(f"{base}/c.bin", "c.bin", **{field: wrong[field]})  # type: ignore[arg-type]
    dest = tmp_path / "out"
    with pytest.raises(ChecksumError) as info:
        download(remote, dest, client=client, progress=False)
    message = str(info.value)
    assert "c.bin" in message and str(wrong[field]) in message and str(actual[field]) in message
    assert field in message
    assert files_under(dest) == []


def test_unreachable_host_fails_fast_and_writes_nothing(tmp_path: Path) -> None:
    url = closed_port_url()
    dest = tmp_path / "out"
    began = time.monotonic()
    with pytest.raises(NetworkError) as info:
        download(RemoteFile(url, "file.bin"), dest, progress=False)
    assert time.monotonic() - began < 10
    assert url in str(info.value)
    assert "--data-dir" in str(info.value) and "internet access" in str(info.value)
    assert not dest.exists()


def test_unreachable_host_via_fetch_writes_nothing(tmp_path: Path) -> None:
    url = closed_port_url()
    source = Source("toy", (RemoteFile(url, "file.bin"),), "toy")
    began = time.monotonic()
    with pytest.raises(NetworkError, match=re.escape(url)):
        fetch(source, tmp_path / "data", progress=False)
    assert time.monotonic() - began < 10
    assert not (tmp_path / "data").exists()


def test_unresolvable_host_fails_fast(tmp_path: Path) -> None:
    url = "http://shopbench-test.invalid/file.bin"  # .invalid never resolves (RFC 2606)
    began = time.monotonic()
    with pytest.raises(NetworkError) as info:
        download(RemoteFile(url, "file.bin"), tmp_path / "out", progress=False, connect_timeout=2.0)
    assert time.monotonic() - began < 10
    assert url in str(info.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("path,status", [("/missing.bin", "404"), ("/broken.bin", "500")])
def test_http_error_names_url(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client, path: str, status: str
) -> None:
    base, state = server
    if status == "500":
        state.files[path], state.modes[path] = PAYLOAD, "500"
    dest = tmp_path / "out"
    with pytest.raises(NetworkError) as info:
        download(RemoteFile(base + path, "x.bin"), dest, client=client, progress=False)
    assert base + path in str(info.value) and f"HTTP {status}" in str(info.value)
    assert not dest.exists()


def test_interrupted_transfer_keeps_resumable_part(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client
) -> None:
    base, state = server
    state.files["/t.bin"] = PAYLOAD
    state.modes["/t.bin"] = "truncate"
    remote = RemoteFile(f"{base}/t.bin", "t.bin", sha256=sha256(PAYLOAD))
    with pytest.raises(NetworkError, match=re.escape(f"{base}/t.bin")):
        download(remote, tmp_path, client=client, progress=False)
    part = tmp_path / "t.bin.part"
    assert not (tmp_path / "t.bin").exists()
    received = part.read_bytes()
    assert 0 < len(received) < len(PAYLOAD) and PAYLOAD.startswith(received)
    state.modes["/t.bin"] = "range"
    path = download(remote, tmp_path, client=client, progress=False)
    assert state.requests[-1] == ("/t.bin", f"bytes={len(received)}-")
    assert path.read_bytes() == PAYLOAD and not part.exists()


def test_cut_off_before_any_byte_leaves_nothing(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client
) -> None:
    base, state = server
    state.files["/e.bin"] = PAYLOAD
    state.modes["/e.bin"] = "empty"
    with pytest.raises(NetworkError, match=re.escape(f"{base}/e.bin")):
        download(RemoteFile(f"{base}/e.bin", "e.bin"), tmp_path / "out", client=client, progress=False)
    assert files_under(tmp_path / "out") == []


def test_hanging_dns_lookup_is_cut_short(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def slow_lookup(*args: object, **kwargs: object) -> object:
        time.sleep(5)
        raise OSError("too late")

    monkeypatch.setattr(fetch_mod.socket, "getaddrinfo", slow_lookup)
    url = "http://shopbench-test.invalid/file.bin"
    began = time.monotonic()
    with pytest.raises(NetworkError) as info:
        download(RemoteFile(url, "file.bin"), tmp_path / "out", progress=False, connect_timeout=0.5)
    assert time.monotonic() - began < 3
    assert url in str(info.value) and "DNS lookup" in str(info.value) and "timed out" in str(info.value)
    assert not (tmp_path / "out").exists()


def test_proxy_from_environment_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    proxy = closed_port_url().rsplit("/", 1)[0]
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", "")
    looked_up: list[object] = []
    real = socket.getaddrinfo

    def recording(host: object, *args: object, **kwargs: object) -> object:
        looked_up.append(host)
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fetch_mod.socket, "getaddrinfo", recording)
    url = "http://shopbench-test.invalid/file.bin"  # unresolvable: only a proxy could fetch it
    with pytest.raises(NetworkError) as info:
        download(RemoteFile(url, "file.bin"), tmp_path / "out", progress=False)
    assert url in str(info.value)
    assert "shopbench-test.invalid" not in looked_up  # not resolved locally: the request went to the proxy
    assert not (tmp_path / "out").exists()


# --- fetch ----------------------------------------------------------------------------------------


def test_fetch_plain_source_writes_manifest(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client
) -> None:
    base, state = server
    state.files["/a.csv"], state.files["/b.csv"] = b"id,x\n1,2\n", PAYLOAD
    source = Source(
        "toy",
        (RemoteFile(f"{base}/a.csv", "a.csv"), RemoteFile(f"{base}/b.csv", "b.csv", sha256=sha256(PAYLOAD))),
        "toy",
        note="test",
    )
    target = fetch(source, tmp_path, client=client, progress=False)
    assert target == tmp_path / "toy"
    assert sorted(p.name for p in target.iterdir()) == ["SOURCES.json", "a.csv", "b.csv"]
    manifest = json.loads((target / "SOURCES.json").read_text())
    entries = {e["filename"]: e for e in manifest["files"]}
    assert entries["a.csv"]["sha256"] == sha256(b"id,x\n1,2\n") and entries["a.csv"]["size"] == 9
    assert entries["b.csv"]["sha256"] == sha256(PAYLOAD) and entries["b.csv"]["url"] == f"{base}/b.csv"
    stamp = datetime.fromisoformat(entries["a.csv"]["fetched_at"])
    assert stamp.utcoffset() is not None and stamp.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    state.requests.clear()
    assert fetch_source(source, tmp_path, client=client, progress=False) == target  # all present: no traffic
    assert state.requests == []


def test_fetch_failure_midway_leaves_no_manifest(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client
) -> None:
    base, state = server
    state.files["/a.csv"] = b"a\n"
    source = Source("toy", (RemoteFile(f"{base}/a.csv", "a.csv"), RemoteFile(f"{base}/gone.csv", "gone.csv")), "toy")
    with pytest.raises(NetworkError, match="gone.csv"):
        fetch(source, tmp_path, client=client, progress=False)
    assert [p.name for p in files_under(tmp_path / "toy")] == ["a.csv"]  # complete file only, no manifest


def zip_source(base: str, data: bytes, pinned: bool = True) -> Source:
    remote = RemoteFile(f"{base}/toy.zip", "toy.zip", md5=md5(data) if pinned else None)
    return Source("beir:toy", (remote,), "beir/toy", extract_zip=True)


def test_fetch_zip_extracts_into_place(server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client) -> None:
    base, state = server
    data = make_zip({"toy/corpus.jsonl": b'{"_id": "d1"}\n', "toy/qrels/test.tsv": b"q\td\t1\n"})
    state.files["/toy.zip"] = data
    target = fetch(zip_source(base, data), tmp_path, client=client, progress=False)
    assert target == tmp_path / "beir" / "toy"
    assert (target / "corpus.jsonl").read_bytes() == b'{"_id": "d1"}\n'  # common top folder stripped
    assert (target / "qrels" / "test.tsv").read_bytes() == b"q\td\t1\n"
    assert [p.name for p in (tmp_path / "beir").iterdir()] == ["toy"]  # zip and staging dir gone
    (entry,) = json.loads((target / "SOURCES.json").read_text())["files"]
    assert entry["filename"] == "toy.zip" and entry["sha256"] == sha256(data) and entry["size"] == len(data)
    state.requests.clear()
    fetch(zip_source(base, data), tmp_path, client=client, progress=False)
    assert state.requests == []  # already extracted


def test_fetch_zip_replaces_an_incomplete_directory(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client
) -> None:
    base, state = server
    data = make_zip({"corpus.jsonl": b"new\n"})
    state.files["/toy.zip"] = data
    old = tmp_path / "beir" / "toy"
    old.mkdir(parents=True)
    (old / "stray.txt").write_text("left from a manual copy")
    target = fetch(zip_source(base, data, pinned=False), tmp_path, client=client, progress=False)
    assert sorted(p.name for p in target.iterdir()) == ["SOURCES.json", "corpus.jsonl"]
    assert [p.name for p in (tmp_path / "beir").iterdir()] == ["toy"]


def test_failed_extraction_leaves_no_directory(
    server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client
) -> None:
    base, state = server
    good = b"first member is fine\n"
    bad = b"B" * 5000
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("toy/a.txt", good)
        zf.writestr("toy/b.txt", bad)
    data = bytearray(buf.getvalue())
    spot = data.index(bad)
    data[spot + 100] ^= 0xFF  # corrupt the second member's bytes: its CRC check fails mid-extraction
    state.files["/toy.zip"] = bytes(data)
    with pytest.raises(DataFormatError, match="toy.zip"):
        fetch(zip_source(base, bytes(data)), tmp_path, client=client, progress=False)
    assert files_under(tmp_path / "beir") == []


@pytest.mark.parametrize("evil", ["../evil.txt", "toy/../../evil.txt", "/tmp/shopbench-evil.txt", "C:/evil.txt"])
def test_zip_slip_is_rejected(server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client, evil: str) -> None:
    base, state = server
    data = make_zip({"toy/ok.txt": b"ok", evil: b"pwned"})
    state.files["/toy.zip"] = data
    data_dir = tmp_path / "data"
    with pytest.raises(DataFormatError) as info:
        fetch(zip_source(base, data), data_dir, client=client, progress=False)
    assert evil in str(info.value) and "zip-slip" in str(info.value)
    assert files_under(data_dir / "beir") == []
    assert not (tmp_path / "evil.txt").exists() and not (data_dir / "evil.txt").exists()
    assert not Path("/tmp/shopbench-evil.txt").exists()


def test_symlink_member_is_rejected(server: tuple[str, ServerState], tmp_path: Path, client: httpx.Client) -> None:
    base, state = server
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        link = zipfile.ZipInfo("toy/link")
        link.external_attr = 0o120777 << 16  # a symbolic link to /etc
        zf.writestr(link, "/etc")
    state.files["/toy.zip"] = buf.getvalue()
    with pytest.raises(DataFormatError, match="toy/link"):
        fetch(zip_source(base, buf.getvalue()), tmp_path, client=client, progress=False)
    assert files_under(tmp_path / "beir") == []


def test_errors_are_shopbench_errors() -> None:
    for cls in (NetworkError, ChecksumError, MissingDataError, UnknownNameError, DataFormatError):
        assert issubclass(cls, ShopbenchError)
    assert fetch_mod.HINT.startswith("shopbench needs internet access")

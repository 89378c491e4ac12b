"""Download layer behind ``bench data fetch NAME``: resumable verified downloads (``NAME.part`` renamed into
place), atomic zip extraction and a ``SOURCES.json`` manifest, for the sources of :mod:`benchmark.datasets.sources`.
Nothing is written before a server has answered with success, so without network nothing changes."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import stat
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass_environment

import httpx

from benchmark.core import atomic
from benchmark.core.errors import ChecksumError, DataFormatError, NetworkError
from benchmark.datasets.sources import RemoteFile, Source, homedepot_missing, source_for

HINT = "shopbench needs internet access for `bench data fetch`; download the files yourself and pass --data-dir"
MANIFEST = "SOURCES.json"
READ_TIMEOUT = 30.0  # seconds without a byte before a transfer is given up (not a cap on the total)
MAX_REDIRECTS = 10
# Redirect policy: redirects are followed by :func:`_open` (never by httpx), at most MAX_REDIRECTS hops, and
# only to https:// URLs: a redirect to http:// (a downgrade an on-path attacker could use) or to any other
# scheme is refused with a NetworkError before anything is written.


@dataclass(frozen=True)
class Digests:
    size: int
    md5: str
    sha256: str


def file_digests(path: Path) -> Digests:
    md5, sha256, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return Digests(size, md5.hexdigest(), sha256.hexdigest())


def _mismatch(file: RemoteFile, got: Digests) -> str | None:
    checks = {"size": (file.size, got.size), "md5": (file.md5, got.md5), "sha256": (file.sha256, got.sha256)}
    for label, (want, have) in checks.items():
        if want is not None and str(want).lower() != str(have):
            return f"{file.filename}: {label} mismatch: expected {want}, got {have} (downloaded from {file.url})"
    return None


def _network_error(url: str, reason: str) -> NetworkError:
    return NetworkError(f"cannot download {url}: {reason}. {HINT}")


def _check_dns(url: str, timeout: float) -> None:
    """Resolve the host within ``timeout`` (getaddrinfo has no timeout of its own); skipped behind a proxy."""
    parts = urlsplit(url)
    host, proxies = parts.hostname, getproxies_environment()
    if not host or ((proxies.get(parts.scheme) or proxies.get("all")) and not proxy_bypass_environment(host, proxies)):
        return
    outcome: list[OSError | None] = []

    def resolve() -> None:
        try:
            socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=resolve, name="shopbench-dns", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise _network_error(url, f"DNS lookup of {host} timed out after {timeout:g} s")
    if outcome[0] is not None:
        raise _network_error(url, f"cannot resolve host {host} ({outcome[0]})")


def _new_client(connect_timeout: float) -> httpx.Client:
    timeout = httpx.Timeout(READ_TIMEOUT, connect=connect_timeout, pool=connect_timeout)
    return httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": "shopbench"})


@contextmanager
def _open(client: httpx.Client, url: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
    """GET ``url`` as a stream, following redirects by the policy above (https:// targets only)."""
    seen = [url]
    response = None
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            request = client.build_request("GET", seen[-1], headers=headers)
            response = client.send(request, stream=True, follow_redirects=False)
            if not response.is_redirect:
                yield response
                return
            target = request.url.join(response.headers.get("location", ""))
            response.close()
            if target.scheme != "https":
                raise _network_error(url, f"redirected to {str(target)[:200]!r}, which is not https://; "
                                          "shopbench follows redirects to https:// URLs only")
            seen.append(str(target))
        raise _network_error(url, f"more than {MAX_REDIRECTS} redirects")
    finally:
        if response is not None:
            response.close()


@contextmanager
def _progress(enabled: bool, label: str, total: int | None, done: int) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, TimeRemainingColumn(), console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=total, completed=done)
        yield lambda n: bar.advance(task, n)


def _start_offset(resp: httpx.Response, offset: int) -> int | None:
    """Where the body starts in the file: 0 for a 200, ``offset`` for a matching 206, else None."""
    if resp.status_code != 206:
        return 0
    match = re.match(r"bytes (\d+)-", resp.headers.get("content-range", ""))
    return offset if match and int(match.group(1)) == offset else None


def _write_body(resp: httpx.Response, part: Path, start: int, label: str, progress: bool) -> None:
    length = resp.headers.get("content-length", "")
    total = start + int(length) if length.isdigit() else None
    part.parent.mkdir(parents=True, exist_ok=True)
    try:
        with part.open("ab" if start else "wb") as fh, _progress(progress, label, total, start) as advance:
            for chunk in resp.iter_bytes():  # as received: a cut-off transfer keeps all it got
                fh.write(chunk)
                advance(len(chunk))
    except BaseException:
        if part.is_file() and part.stat().st_size == 0:
            part.unlink()  # nothing received: leave nothing behind
        raise


def _receive(file: RemoteFile, part: Path, client: httpx.Client, progress: bool) -> None:
    """Stream ``file`` into ``part``, resuming what is there; restart from zero when resuming fails."""
    for _attempt in range(2):
        offset = part.stat().st_size if part.is_file() else 0
        headers = {"Accept-Encoding": "identity"} | ({"Range": f"bytes={offset}-"} if offset else {})
        try:
            with _open(client, file.url, headers) as resp:
                start = _start_offset(resp, offset) if resp.is_success else None
                if offset and (resp.status_code == 416 or (resp.is_success and start is None)):
                    part.unlink()  # the server cannot continue this .part: start over
                    continue
                if not resp.is_success or start is None:
                    raise _network_error(file.url, f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
                _write_body(resp, part, start, file.filename, progress)
                return
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            kind = "timed out" if isinstance(exc, httpx.TimeoutException) else type(exc).__name__
            raise _network_error(file.url, f"{kind} ({exc})") from exc
    raise _network_error(file.url, "the server would not resume or restart the transfer")


def _download(
    file: RemoteFile, dest_dir: Path, client: httpx.Client | None, connect_timeout: float, progress: bool
) -> tuple[Path, Digests, bool]:
    """Like :func:`download`, also returning the digests and whether anything was transferred."""
    final, part = dest_dir / file.filename, dest_dir / (file.filename + ".part")
    if final.is_file():
        present = file_digests(final)
        if _mismatch(file, present) is None:
            return final, present, False
    if client is None:
        _check_dns(file.url, connect_timeout)
        with _new_client(connect_timeout) as own:
            _receive(file, part, own, progress)
    else:
        _receive(file, part, client, progress)
    got = file_digests(part)
    problem = _mismatch(file, got)
    if problem is not None:
        part.unlink()
        raise ChecksumError(problem)
    os.replace(part, final)
    return final, got, True


def download(
    file: RemoteFile,
    dest_dir: Path,
    *,
    client: httpx.Client | None = None,
    connect_timeout: float = 5.0,
    progress: bool = True,
) -> Path:
    """Download ``file`` into ``dest_dir`` (resuming a ``.part``), verify it, and return its path."""
    return _download(file, Path(dest_dir), client, connect_timeout, progress)[0]


def _write_manifest(directory: Path, source: Source, entries: list[dict[str, object]]) -> None:
    document = {"source": source.name, "note": source.note, "files": entries}
    atomic.write_json(directory / MANIFEST, document, indent=2, newline=True, overwrite=True, wrap_errors=False)


def _fetch_all(
    source: Source, dest: Path, client: httpx.Client | None, connect_timeout: float, progress: bool
) -> tuple[list[Path], list[dict[str, object]], bool]:
    """Download every file of ``source`` into ``dest``: paths, manifest entries, whether any was new."""
    paths, entries, fresh_any = [], [], False
    for file in source.files:
        path, digests, fresh = _download(file, dest, client, connect_timeout, progress)
        paths.append(path)
        fresh_any |= fresh
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        entry = {"url": file.url, "filename": file.filename, "sha256": digests.sha256, "md5": digests.md5}
        entries.append(entry | {"size": digests.size, "fetched_at": stamp})
    return paths, entries, fresh_any


def _unsafe(archive: Path, info: zipfile.ZipInfo) -> DataFormatError:
    message = f"unsafe member '{info.filename}' could land outside the dataset directory (zip-slip)"
    return DataFormatError(archive, message + "; refusing to extract anything")


def _members(archive: Path, zf: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Every member with its checked relative path, a single common top folder stripped."""
    found = []
    for info in zf.infolist():
        name = info.filename.replace("\\", "/")
        path = PurePosixPath(name)
        outside = path.is_absolute() or ".." in path.parts or re.match(r"[A-Za-z]:", name)
        if outside or stat.S_ISLNK(info.external_attr >> 16):  # a symlink could point anywhere
            raise _unsafe(archive, info)
        if path.parts and path.parts[0] != "__MACOSX":
            found.append((info, path))
    heads = {p.parts[0] for _, p in found}
    if len(heads) == 1 and any(len(p.parts) > 1 for _, p in found):
        found = [(i, PurePosixPath(*p.parts[1:])) for i, p in found if len(p.parts) > 1]
    return found


def _extract(archive: Path, dest: Path) -> None:
    root = dest.resolve()
    try:
        with zipfile.ZipFile(archive) as zf:
            for info, rel in _members(archive, zf):
                out = dest.joinpath(*rel.parts)
                if not out.resolve().is_relative_to(root):
                    raise _unsafe(archive, info)
                if info.is_dir():
                    out.mkdir(parents=True, exist_ok=True)
                    continue
                out.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise DataFormatError(archive, f"not a valid zip archive ({exc})") from exc


def _move_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staging, target)
        return
    old = atomic.temp_dir(target.parent, f"{target.name}.old")
    os.replace(target, old / target.name)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _fetch_zip(
    source: Source, target: Path, client: httpx.Client | None, connect_timeout: float, progress: bool
) -> Path:
    if (target / MANIFEST).is_file():  # the manifest goes in last, so the extraction is complete
        return target
    archives, entries, _fresh = _fetch_all(source, target.parent, client, connect_timeout, progress)
    staging = atomic.temp_dir(target.parent, target.name)
    try:
        for archive in archives:
            _extract(archive, staging)
        _write_manifest(staging, source, entries)
        _move_into_place(staging, target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, DataFormatError):  # a bad archive is useless; keep a good one for a retry
            for archive in archives:
                archive.unlink(missing_ok=True)
        raise
    for archive in archives:
        archive.unlink(missing_ok=True)
    return target


def fetch_source(
    source: Source,
    data_dir: Path,
    *,
    client: httpx.Client | None = None,
    progress: bool = True,
    connect_timeout: float = 5.0,
) -> Path:
    """Download ``source`` into ``data_dir/source.subdir`` and return that directory."""
    target = Path(data_dir) / source.subdir
    if source.extract_zip:
        return _fetch_zip(source, target, client, connect_timeout, progress)
    _paths, entries, fresh = _fetch_all(source, target, client, connect_timeout, progress)
    if fresh or not (target / MANIFEST).is_file():  # an unchanged dataset keeps its fetched_at
        target.mkdir(parents=True, exist_ok=True)
        _write_manifest(target, source, entries)
    return target


def fetch(
    name: str | Source,
    data_dir: Path,
    *,
    client: httpx.Client | None = None,
    progress: bool = True,
    connect_timeout: float = 5.0,
) -> Path:
    """``bench data fetch NAME``: download a dataset by name (or a :class:`Source`) into ``data_dir``."""
    if isinstance(name, Source):
        source = name
    elif name.strip().lower() == "homedepot":
        raise homedepot_missing(Path(data_dir))
    else:
        source = source_for(name)
    return fetch_source(source, Path(data_dir), client=client, progress=progress, connect_timeout=connect_timeout)

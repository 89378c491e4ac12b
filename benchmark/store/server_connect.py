"""Connecting to a Qdrant server: the URL as written, the API key only over https (or to this machine), the
server's version checked before anything is built, and calls retried the way the server asks.

* The URL is used as written: a URL without a port means its scheme's port (``https://host`` is 443), never an
  added 6333 (qdrant-client's default); Qdrant's own port is written out (``http://localhost:6333``).
* An API key is sent only over https, or over http to a loopback address (a local server); anything else is
  refused before the first request, since plain http would show the key to the network.
* The server must be Qdrant >= :data:`MIN_VERSION` (collection metadata, ``RrfQuery`` with any k): a probe reads
  its version (and lists collections, so a refused key fails there), with a short timeout and few attempts.
* :class:`Redactor` runs every idempotent call with :mod:`benchmark.core.retry` (a 429 waits what its
  ``Retry-After`` says) and turns failures into :class:`StoreError` messages that name the URL, never the key.
"""

from __future__ import annotations

import ipaddress
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeVar
from urllib.parse import urlsplit

from qdrant_client import QdrantClient

from benchmark.core import retry
from benchmark.core.console import console
from benchmark.store.errors import StoreError

T = TypeVar("T")
MIN_VERSION = (1, 16)
PROBE_ATTEMPTS = 3  # an unreachable URL fails in seconds, not after the full retry schedule
QDRANT_PORT = 6333


class Redactor:
    """Runs calls against one server and builds error messages that name the URL and never the API key."""

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
        if status == 413:
            return StoreError(f"Qdrant at {self.url}: cannot {action}: the request is larger than the server "
                              "accepts (413; its service.max_request_size_mb)")
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


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def client_options(url: str, api_key: str | None) -> dict[str, Any]:
    """qdrant-client's arguments for ``url`` as written (its port or its scheme's), checked."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"Qdrant URL {url!r}: give it with its scheme and port, e.g. http://localhost:{QDRANT_PORT} "
                         "or https://xyz.cloud.qdrant.io:6333")
    try:
        port = parts.port
    except ValueError:
        raise StoreError(f"Qdrant URL {url!r}: the port is not a number") from None
    if api_key and parts.scheme == "http" and not _loopback(parts.hostname):
        raise StoreError(f"refusing to send the Qdrant API key to {parts.hostname} over plain http (anyone on the "
                         "network could read it): use an https:// URL")
    return {"url": url, "port": port, "api_key": api_key}


def no_port_hint(url: str) -> str:
    """What to add to a connection error when the URL has no port (Qdrant listens on 6333)."""
    parts = urlsplit(url)
    if parts.port is None and parts.hostname:
        return (f" (the URL has no port, so the {parts.scheme} default is used; Qdrant listens on {QDRANT_PORT}: "
                f"{parts.scheme}://{parts.hostname}:{QDRANT_PORT}?)")
    return ""


def make_client(options: dict[str, Any], timeout: int, **extra: Any) -> QdrantClient:
    with warnings.catch_warnings():  # an API key over http is allowed only to a loopback address (checked above)
        warnings.filterwarnings("ignore", "Api key is used with an insecure connection")
        return QdrantClient(**options, timeout=timeout, check_compatibility=False, **extra)


def parse_version(text: str) -> tuple[int, ...]:
    numbers = []
    for part in text.lstrip("v").split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers)


def probe(redactor: Redactor, options: dict[str, Any], timeout_s: float, **extra: Any) -> str:
    """The server's version, read before anything is built; fails fast (few attempts, short timeout)."""
    with redactor.guard("connect"):
        client = make_client(options, max(1, round(timeout_s)), **extra)
    try:
        policy = replace(redactor.policy, attempts=min(PROBE_ATTEMPTS, redactor.policy.attempts))
        try:
            version = redactor.call("connect", lambda: client.info().version, policy)
        except StoreError as exc:
            raise StoreError(str(exc) + no_port_hint(redactor.url)) from None
        redactor.call("list collections", client.get_collections, policy)  # a refused API key fails here
    finally:
        client.close()
    found = parse_version(version)
    if len(found) < 2 or found[:2] < MIN_VERSION:
        raise StoreError(f"Qdrant at {redactor.url} is version {version}; shopbench needs Qdrant >= "
                         f"{'.'.join(map(str, MIN_VERSION))} (collection metadata, RRF with any k)")
    return version

"""Retries with exponential backoff, for idempotent calls to a remote service (a Qdrant server).

Only transient failures are retried: connection refused or reset, timeouts, HTTP 429 / 5xx and the
gRPC codes UNAVAILABLE / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED. A 429 with ``Retry-After`` (qdrant-client's
``ResourceExhaustedResponse``, a server's rate limit) waits what the server asks (up to
:data:`MAX_RETRY_AFTER_S`). Anything else (a bad request, a refused API key, a missing collection, a response
that does not parse: the same bytes would come back) fails at once. Only idempotent operations go through here:
upserting points by id, searches, reads, setting collection metadata.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
TRANSIENT_GRPC = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED"})
MAX_RETRY_AFTER_S = 120.0


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # calls in all, the first one included
    base_s: float = 0.5  # wait before the 2nd call; doubled each time, up to max_s
    max_s: float = 8.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    def delay(self, retry: int) -> float:
        return min(self.max_s, self.base_s * 2**retry)


class RetriesExhausted(Exception):
    """The last transient failure after ``attempts`` calls (``__cause__`` is that failure)."""

    def __init__(self, attempts: int, last: BaseException) -> None:
        self.attempts, self.last = attempts, last
        super().__init__(f"{attempts} attempts, last: {type(last).__name__}: {last}")


def retry_after(exc: BaseException) -> float | None:
    """The wait a rate-limited answer asks for (``Retry-After``), if any."""
    value = getattr(exc, "retry_after_s", None)
    return float(value) if isinstance(value, int | float) and value >= 0 else None


def is_transient(exc: BaseException) -> bool:
    if retry_after(exc) is not None:  # qdrant-client's ResourceExhaustedResponse: a 429 with Retry-After
        return True
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status in TRANSIENT_STATUS
    code = getattr(exc, "code", None)
    if callable(code):  # grpc.RpcError
        try:
            return getattr(code(), "name", "") in TRANSIENT_GRPC
        except Exception:  # noqa: BLE001
            return False
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "ResponseHandlingException" in names:  # qdrant-client wraps transport errors and unparsable responses
        source = getattr(exc, "source", None)
        return source is None or is_transient(source)
    # httpx.TransportError: ConnectError, ReadTimeout, RemoteProtocolError, ...
    return bool(names & {"TransportError", "TimeoutException", "NetworkError"})


def call(fn: Callable[[], T], policy: RetryPolicy, on_retry: Callable[[BaseException, int, float], None]) -> T:
    """``fn()``, retried on transient failures; raises :class:`RetriesExhausted` after the last attempt.

    ``on_retry(exc, retry_number, wait_s)`` is told about each retry before the wait (to say so).
    """
    for attempt in range(1, policy.attempts + 1):
        try:
            return fn()
        except Exception as exc:  # classified below
            if not is_transient(exc):
                raise
            if attempt == policy.attempts:
                raise RetriesExhausted(attempt, exc) from exc
            asked = retry_after(exc)
            wait = policy.delay(attempt - 1) if asked is None else min(asked, MAX_RETRY_AFTER_S)
            on_retry(exc, attempt, wait)
            policy.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover

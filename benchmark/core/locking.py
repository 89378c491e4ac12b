"""Advisory file locks between bench processes (``fcntl.flock``).

A lock belongs to an open file: the kernel releases it when the process ends, however it ends
(SIGKILL included), so a crash never leaves a stale lock behind. Lock files are never deleted
(deleting one lets two processes lock two different files of the same name).

Waiting is polled (non-blocking attempts every ``POLL_S``), says once what it waits for, and gives up
after ``$SHOPBENCH_LOCK_TIMEOUT_S`` seconds (default 6 hours) with a :class:`LockTimeoutError` naming
the lock file. Two locks on one file in the same process exclude each other too (flock works per
open file); a process that would wait for a lock it holds itself fails at once instead of waiting
for ever. On a platform without ``fcntl`` the locks do nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from benchmark.core.console import console
from benchmark.core.errors import ShopbenchError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

TIMEOUT_ENV = "SHOPBENCH_LOCK_TIMEOUT_S"
DEFAULT_TIMEOUT_S = 6 * 3600.0
POLL_S = 0.2
T = TypeVar("T")
_HELD: dict[Path, int] = {}  # lock files this process holds, and through how many FileLock objects


class LockTimeoutError(ShopbenchError):
    """Another process held a lock for longer than the timeout."""


def timeout_s() -> float:
    raw = os.environ.get(TIMEOUT_ENV)
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        raise ShopbenchError(f"${TIMEOUT_ENV} must be a number of seconds, got {raw!r}") from None


class FileLock:
    """A shared or exclusive lock on ``path``; ``what`` completes "waiting for another bench process ..."."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = Path(path)
        self.what = what
        self.mode: str | None = None  # None, "shared" or "exclusive"
        self._fd: int | None = None
        self._key = self.path.absolute()

    def __repr__(self) -> str:
        return f"FileLock({str(self.path)!r}, {self.mode})"

    def try_acquire(self, exclusive: bool) -> bool:
        """One non-blocking attempt; on failure this object holds no lock (a conversion gives up the old one)."""
        if fcntl is None:  # pragma: no cover
            self._set_mode("exclusive" if exclusive else "shared")
            return True
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            self._set_mode(None)
            return False
        self._set_mode("exclusive" if exclusive else "shared")
        return True

    def _set_mode(self, mode: str | None) -> None:
        if (self.mode is None) != (mode is None):
            _HELD[self._key] = _HELD.get(self._key, 0) + (1 if mode else -1)
        self.mode = mode

    def wait_for(self, attempt: Callable[[], bool], timeout: float | None = None) -> None:
        """Call ``attempt`` (which tries to lock and returns True when done) until it succeeds or time runs out."""
        limit = timeout_s() if timeout is None else timeout
        deadline = time.monotonic() + limit
        said = False
        while not attempt():
            if _HELD.get(self._key):
                self.release()
                raise LockTimeoutError(f"this process already holds the lock {self.path} through another store; "
                                       f"it cannot wait for itself ({self.what})")
            if time.monotonic() >= deadline:
                self.release()
                raise LockTimeoutError(
                    f"gave up after {limit:.0f} s waiting for another bench process {self.what} (lock file "
                    f"{self.path}; raise ${TIMEOUT_ENV} to wait longer)")
            if not said:
                console.print(f"[yellow]waiting for another bench process {self.what} (lock file {self.path}) ...[/]",
                              highlight=False)
                said = True
            time.sleep(POLL_S)

    def acquire(self, exclusive: bool, timeout: float | None = None) -> None:
        self.wait_for(lambda: self.try_acquire(exclusive), timeout)

    def downgrade(self) -> None:
        """Exclusive -> shared (blocking: only another process's brief exclusive check can be in the way)."""
        if fcntl is not None and self._fd is not None and self.mode == "exclusive":
            fcntl.flock(self._fd, fcntl.LOCK_SH)
        self._set_mode("shared")

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file releases the lock
            self._fd = None
        self._set_mode(None)


def open_entry(lock: FileLock, reuse: Callable[[], T | None], create: Callable[[], T]) -> T:
    """Open a cache entry under the one rule every cache follows (:mod:`benchmark.core.cache_layout`).

    Exclusive first: reuse a complete entry (then share the lock) or ``create`` one, keeping the lock exclusive
    until the caller marks the entry complete and downgrades it; else shared: reuse a complete entry that another
    process holds open; else wait. ``reuse`` returns None for an absent or incomplete entry. The caller
    releases the lock when done with the entry (a failure here releases it).
    """
    opened: list[T] = []

    def attempt() -> bool:
        if lock.try_acquire(exclusive=True):
            entry = reuse()
            if entry is None:
                entry = create()
            else:
                lock.downgrade()
            opened.append(entry)
            return True
        if lock.try_acquire(exclusive=False):
            entry = reuse()
            if entry is not None:
                opened.append(entry)
                return True
            lock.release()
        return False

    try:
        lock.wait_for(attempt)
    except BaseException:
        lock.release()
        raise
    return opened[0]

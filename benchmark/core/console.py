"""One rich console (stderr) for progress and messages; stdout stays for results."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

console = Console(stderr=True)


@contextmanager
def stage(description: str) -> Iterator[None]:
    """A spinner while a step runs, then one line with how long it took."""
    start = time.perf_counter()
    with console.status(f"{description} ..."):
        yield
    console.print(f"[dim]{description}: {time.perf_counter() - start:.1f} s[/]", highlight=False)

"""The local registry of trained models: ``<cache_dir>/models/registry.json``.

``bench train`` writes each model to ``<cache_dir>/models/<name>/`` and registers it here;
``bench run -r splade-ft`` uses the most recently registered model and ``-r splade-ft@NAME`` the
one called NAME. The file is rewritten atomically (temporary file + rename) under a lock file, and
an existing name is never replaced: :meth:`ModelRegistry.register` refuses, and
:meth:`ModelRegistry.free_name` offers ``NAME-2``, ``NAME-3``, ... instead.

This module imports nothing heavy: the retriever registry reads it on every ``bench run``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmark.core import atomic, paths
from benchmark.core.cache_layout import MODELS, CacheLayout
from benchmark.core.errors import ShopbenchError, UnknownNameError

SCHEMA_VERSION = 1
REGISTRY_FILE = "registry.json"


class RegistryError(ShopbenchError):
    """The model registry is unreadable, or a name is taken."""


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    path: str  # absolute path of the model folder (sentence-transformers format)
    base_model: str
    registered_at: str  # ISO-8601 UTC
    datasets: list[str] = field(default_factory=list)
    dev_metrics: dict[str, Any] = field(default_factory=dict)  # last round's dev metrics per dataset
    extra: dict[str, Any] = field(default_factory=dict)
    architecture: str = "splade"  # or "inference-free" (static query table + SPLADE documents)


def models_root(cache_dir: Path | str | None = None) -> Path:
    return CacheLayout.of(cache_dir).area(MODELS)


class ModelRegistry:
    def __init__(self, cache_dir: Path | str | None = None) -> None:
        self.root = models_root(cache_dir)
        self.file = self.root / REGISTRY_FILE

    def model_dir(self, name: str) -> Path:
        return self.root / name

    def entries(self) -> list[RegisteredModel]:
        if not self.file.is_file():
            return []
        try:
            data = json.loads(self.file.read_text())
            return [RegisteredModel(**item) for item in data["models"]]
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise RegistryError(f"{self.file}: unreadable model registry ({err}); fix or remove it") from None

    def names(self) -> list[str]:
        return [e.name for e in self.entries()]

    def get(self, name: str) -> RegisteredModel:
        for entry in self.entries():
            if entry.name == name:
                return entry
        raise UnknownNameError(f"trained model (registry {self.file})", name, self.names() or ["(none registered)"])

    def latest(self) -> RegisteredModel | None:
        entries = self.entries()
        return max(entries, key=lambda e: e.registered_at) if entries else None

    def free_name(self, name: str, if_exists: str = "error") -> str:
        """``name`` if unused (neither registered nor a folder); else NAME-2, ... or an error."""
        taken = set(self.names())
        if name not in taken and not self.model_dir(name).exists():
            return name
        if if_exists != "suffix":
            raise RegistryError(
                f"a trained model called '{name}' already exists ({self.model_dir(name)}); choose another "
                "name (--set name=...) or set if_exists: suffix to register it as NAME-2, NAME-3, ..."
            )
        for i in range(2, 10_000):
            candidate = f"{name}-{i}"
            if candidate not in taken and not self.model_dir(candidate).exists():
                return candidate
        raise RegistryError(f"no free name for '{name}'")  # pragma: no cover

    def register(self, entry: RegisteredModel) -> RegisteredModel:
        with self._locked():
            entries = self.entries()
            if any(e.name == entry.name for e in entries):
                raise RegistryError(f"'{entry.name}' is already registered in {self.file}; not replacing it")
            entries.append(entry)
            self._write(entries)
        return entry

    def remove(self, name: str) -> RegisteredModel:
        """Unregister ``name`` (its folder is the caller's to delete); the entry removed."""
        with self._locked():
            entries = self.entries()
            found = [e for e in entries if e.name == name]
            if not found:
                raise UnknownNameError(f"trained model (registry {self.file})", name, self.names() or ["(none registered)"])
            self._write([e for e in entries if e.name != name])
        return found[0]

    def _write(self, entries: list[RegisteredModel]) -> None:
        payload = {"schema_version": SCHEMA_VERSION, "models": [asdict(e) for e in entries]}
        atomic.write_json(self.file, payload, indent=2, newline=True, overwrite=True, wrap_errors=False)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The registry's lock (``models/.locks/registry.lock``, :mod:`benchmark.core.cache_layout`)."""
        lock = CacheLayout(self.root.parent).lock(MODELS, "registry", f"updating {self.file}")
        lock.acquire(exclusive=True)
        try:
            yield
        finally:
            lock.release()


RUN_RECORD_DIR = ".runs"  # <cache_dir>/models/.runs/<name>.json: one registry entry per run, for a shared Volume


def run_record_key(name: str) -> str:
    """Where a run's own registry entry lies, relative to the cache folder (a Modal Volume's root).

    Runs that share a cache folder on a Modal Volume cannot share ``registry.json``: a Volume keeps the last
    write of a file and has no lock across containers, so concurrent runs would drop each other's entries.
    Each writes this file of its own instead; the client reads the ones it fetches."""
    return f"models/{RUN_RECORD_DIR}/{name}.json"


def write_run_record(entry: RegisteredModel, cache_dir: Path | str | None = None) -> Path:
    """Write ``entry`` (its ``path`` relative to the cache folder) as the run's own record, atomically."""
    target = paths.cache_dir(cache_dir) / run_record_key(entry.name)
    atomic.write_json(target, asdict(entry), indent=2, newline=True, overwrite=True, wrap_errors=False)
    return target


def read_run_record(text: str, source: str) -> RegisteredModel:
    try:
        return RegisteredModel(**json.loads(text))
    except (ValueError, TypeError) as err:
        raise RegistryError(f"{source}: unreadable run record ({err})") from None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def resolve_trained_model(variant: str | None, cache_dir: Path | str | None = None) -> str | None:
    """The folder of registered model ``variant``, or of the latest one when ``variant`` is None.

    None when nothing is registered and no variant was asked for; an unknown variant is an error
    listing the registered names.
    """
    registry = ModelRegistry(cache_dir)
    if variant:
        return registry.get(variant).path
    latest = registry.latest()
    return latest.path if latest else None

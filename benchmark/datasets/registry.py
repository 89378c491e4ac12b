"""Dataset names -> loaders. ``esci``, ``wands``, ``homedepot`` and ``beir:PATH`` (or ``beir:NAME``).

:func:`load_dataset` finds the files, reuses a binary cache keyed by the source files' checksums,
or runs the loader and writes that cache. Loader options (e.g. ESCI ``locale``) are typed
dataclasses; :func:`parse_options` turns ``key=value`` strings from the command line into them.
A loader declares its datasets' default text format (BEIR: ``full``); an entry may replace it (``demo``, a
product catalog in BEIR layout, keeps the product default).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from benchmark.core import atomic, paths
from benchmark.core.console import stage
from benchmark.core.errors import MissingDataError, ShopbenchError, UnknownNameError, short
from benchmark.core.overrides import split_pair
from benchmark.datasets import beir, cache, esci, homedepot, wands
from benchmark.datasets.base import DEFAULT_TEXT_FORMAT, Dataset
from benchmark.datasets.corpus_builder import spilling_to


@dataclass(frozen=True, slots=True)
class LoaderEntry:
    name: str
    summary: str
    subdir: str
    options_type: type
    loader: Callable[..., Dataset]
    source_files: Callable[[Path], list[Path]]
    version: str
    bundled: Path | None = None  # a folder shipped inside the package (the demo catalog)
    default_text_format: str | None = None  # replaces the loader's own (the demo: a product catalog in BEIR layout)


DEMO_DIR = Path(__file__).with_name("demo")
BEIR_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
LOADERS: dict[str, LoaderEntry] = {
    e.name: e
    for e in (
        LoaderEntry("esci", "Amazon Shopping Queries (ESCI), official split", "esci", esci.EsciOptions,
                    esci.load, esci.source_files, esci.LOADER_VERSION),
        LoaderEntry("wands", "Wayfair ANnotation DataSet", "wands", wands.WandsOptions,
                    wands.load, wands.source_files, wands.LOADER_VERSION),
        LoaderEntry("homedepot", "Home Depot Product Search Relevance (Kaggle)", "homedepot",
                    homedepot.HomeDepotOptions, homedepot.load, homedepot.source_files, homedepot.LOADER_VERSION),
        LoaderEntry("beir", "any BEIR-format folder: beir:/path/to/dir or beir:NAME", "beir", beir.BeirOptions,
                    beir.load, beir.source_files, beir.LOADER_VERSION),
        LoaderEntry("demo", "bundled synthetic catalog (BEIR format), for offline demos", "demo",
                    beir.BeirOptions, beir.load, beir.source_files, beir.LOADER_VERSION, bundled=DEMO_DIR,
                    default_text_format=DEFAULT_TEXT_FORMAT),
    )
}


@dataclass(frozen=True, slots=True)
class DatasetRef:
    """A parsed ``--dataset`` value: loader name plus, for BEIR, a path or dataset name."""

    loader: str
    arg: str = ""

    @classmethod
    def parse(cls, text: str) -> DatasetRef:
        name, _, arg = text.partition(":")
        if name not in LOADERS:
            raise UnknownNameError("dataset", text, [n if n != "beir" else "beir:PATH" for n in LOADERS])
        if name == "beir" and not arg:
            raise ShopbenchError("a BEIR dataset needs a folder or name: --dataset beir:/path/to/dir")
        if name != "beir" and arg:
            raise ShopbenchError(f"dataset '{name}' takes no ':' argument; use --option key=value for options")
        if any(ord(c) < 32 or ord(c) == 127 for c in arg):
            raise ShopbenchError(f"dataset {short(text, 80)}: control characters (NUL, newline, ...) are not allowed")
        return cls(name, arg)

    @property
    def display(self) -> str:
        return f"{self.loader}:{self.arg}" if self.arg else self.loader


def parse_options(entry: LoaderEntry, pairs: Sequence[str] | Mapping[str, Any]) -> Any:
    """``["locale=jp", "version=large"]`` (or a mapping) -> the loader's typed options record."""
    fields = {f.name: f for f in dataclasses.fields(entry.options_type)}
    items = dict(pairs) if isinstance(pairs, Mapping) else dict(_split_pair(p) for p in pairs)
    values: dict[str, Any] = {}
    for key, raw in items.items():
        if key not in fields:
            valid = ", ".join(fields) or "none"
            raise ShopbenchError(f"unknown option '{key}' for dataset {entry.name}; valid: {valid}")
        kind = type(fields[key].default)
        try:
            values[key] = kind(raw)
        except ValueError:
            expected = f"one of {', '.join(m.value for m in kind)}" if issubclass(kind, Enum) else kind.__name__
            raise ShopbenchError(f"option '{key}' of dataset {entry.name} expects {expected}, got {raw!r}") from None
    return entry.options_type(**values)


def _split_pair(pair: str) -> tuple[str, str]:
    """Split like ``--set`` (:mod:`benchmark.core.overrides`); the value stays text: each option's type converts it."""
    return split_pair(pair, "--option")


def resolve_root(ref: DatasetRef, data_dir: Path | str | None = None) -> Path:
    """Where the files are: the BEIR path itself, ``data_dir`` if it holds them, else ``data_dir/<name>``."""
    entry = LOADERS[ref.loader]
    if entry.bundled is not None:
        return entry.bundled
    if ref.loader == "beir":
        given = paths.expand(ref.arg, "BEIR folder")
        if given.is_absolute() or given.exists() or "/" in ref.arg or "\\" in ref.arg:
            return given  # a path the user gave: used as it is
        if not BEIR_NAME.fullmatch(ref.arg):  # a name: one folder under DATA_DIR/beir/, never outside it
            raise ShopbenchError(
                f"dataset 'beir:{ref.arg}': not an existing folder, and not a BEIR dataset name (letters, digits, "
                "'.', '_' and '-', not starting with '.'); give a path (beir:./dir) or a name (beir:scifact)")
        return paths.data_dir(data_dir) / "beir" / ref.arg
    base = paths.data_dir(data_dir)
    try:
        entry.source_files(base)
        return base
    except MissingDataError:
        return base / entry.subdir


def load_dataset(
    name: str | DatasetRef,
    *,
    data_dir: Path | str | None = None,
    options: Sequence[str] | Mapping[str, Any] = (),
    cache_dir: Path | str | None = None,
    use_cache: bool = True,
) -> Dataset:
    ref = name if isinstance(name, DatasetRef) else DatasetRef.parse(name)
    entry = LOADERS[ref.loader]
    opts = parse_options(entry, options)
    try:
        root = resolve_root(ref, data_dir)
        present = root.exists()
    except (OSError, ValueError, RuntimeError) as err:  # a name too long, a NUL byte, ~unknown-user
        why = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ShopbenchError(f"dataset {short(ref.display, 80)}: unusable path ({why})") from None
    if not present:
        hint = f"run `bench data fetch {ref.display}`" if ref.loader != "homedepot" else "see `bench data fetch homedepot`"
        raise MissingDataError(f"{root}: no {ref.display} data here; {hint} or pass --data-dir")
    files = entry.source_files(root)
    if not use_cache:
        return _run_loader(entry, ref, root, opts)
    cache_root = paths.cache_dir(cache_dir)
    with stage(f"checksumming {len(files)} source file(s) of {ref.display}"):
        key = cache.cache_key(entry.name, entry.version, dataclasses.asdict(opts), files, cache_root)
    target = cache.cache_path(cache_root, ref.display, key)
    cached = cache.load_cached(target)
    if cached is not None:
        return cached
    try:
        spill = atomic.temp_dir(target.parent, f"{target.name}.spill")  # the catalog, as the loader reads it
    except OSError as exc:
        raise ShopbenchError(f"cannot write the dataset cache in {target.parent}: {exc.strerror or exc}") from None
    try:
        with spilling_to(spill):
            dataset = _run_loader(entry, ref, root, opts)
        with stage(f"writing binary cache {target}"):
            cache.save_cached(target, dataset)
        # the run reads the catalog from the cache (memory-mapped, streamed), not from the spill folder
        return cache.load_cached(target) or dataset
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _run_loader(entry: LoaderEntry, ref: DatasetRef, root: Path, opts: Any) -> Dataset:
    with stage(f"loading {ref.display} from {root}"):
        dataset = entry.loader(root, opts)
    if entry.bundled:
        dataset = dataclasses.replace(dataset, name=entry.name)
    if entry.default_text_format:
        dataset = dataclasses.replace(dataset, default_text_format=entry.default_text_format)
    return dataset

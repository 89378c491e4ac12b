"""Texts the speed sections encode and search: real Home Depot products/queries where present,
else the bundled demo catalog repeated (figures are then only a smoke test)."""

from __future__ import annotations

from dataclasses import dataclass

from perf.options import SuiteOptions


@dataclass(frozen=True)
class Texts:
    source: str
    documents: list[str]
    queries: list[str]


def load_texts(options: SuiteOptions, documents: int, queries: int) -> Texts:
    from benchmark.datasets.registry import load_dataset
    from benchmark.datasets.text import TextBuilder, build_texts

    if options.homedepot_dir is not None and (options.homedepot_dir / "train.csv").is_file():
        dataset, source = load_dataset("homedepot", data_dir=options.homedepot_dir), "Home Depot"
    else:
        dataset, source = load_dataset("demo"), "demo catalog (Home Depot data not found)"
    docs = list(build_texts(dataset, TextBuilder()).values())
    qs = list(dataset.queries.values())
    repeat = lambda items, n: (items * (n // len(items) + 1))[:n]
    return Texts(source, repeat(docs, documents), repeat(qs, queries))

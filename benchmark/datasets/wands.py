"""Wayfair ANnotation DataSet (WANDS), from ``dataset/{product,query,label}.csv`` as published.

The files are tab-separated despite their extension. ``product.csv``: ``product_id, product_name,
product_class, category hierarchy, product_description, product_features, ...`` (``product_features``
is ``|``-separated ``name:value``); ``query.csv``: ``query_id, query, query_class``; ``label.csv``:
``id, query_id, product_id, label`` with labels Exact=2, Partial=1, Irrelevant=0 (relevant >= 1).
``product_class`` becomes :attr:`Product.product_class`, ``category hierarchy`` :attr:`Product.category`
(the text formats ``full`` and ``title-brand-category-bullets`` index them).
There is no official split: queries are split by hash of their text (80/10/10); split ``all`` is every
query (the evaluation set of published WANDS numbers).

A label naming a product absent from ``product.csv`` stays a judgement (as in trec_eval: it counts in
nDCG's ideal ranking and recall's denominator and cannot be retrieved), reported as a
``qrels-missing-docs`` anomaly. A label naming an unknown query is an error (the query has no text).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmark.datasets.base import Dataset, GainScheme, Product, absent_judgements, make_dataset
from benchmark.datasets.readers import (
    read_delimited,
    reject,
    require_file,
    require_nonempty,
    require_unique,
)
from benchmark.datasets.splits import HashSplit

LOADER_VERSION = "2"  # 2: product_class and category hierarchy kept apart (1: category = hierarchy or else class)
GAINS = GainScheme(labels={"Exact": 2, "Partial": 1, "Irrelevant": 0}, relevant_level=1, note="relevant: Exact or Partial")
PRODUCT_COLUMNS = ["product_id", "product_name", "product_class", "category hierarchy", "product_description", "product_features"]


@dataclass(frozen=True, slots=True)
class WandsOptions:
    train_ratio: float = 0.8
    dev_ratio: float = 0.1


def source_files(root: Path) -> list[Path]:
    base = root / "dataset" if (root / "dataset" / "query.csv").is_file() else root
    return [require_file(base / f"{name}.csv", f"WANDS {name}.csv") for name in ("product", "query", "label")]


def _tsv(path: Path, columns: list[str]):
    return read_delimited(path, columns, sep="\t")


def read_queries(path: Path) -> dict[str, str]:
    frame = _tsv(path, ["query_id", "query"])
    require_nonempty(frame, "query_id", path)
    require_nonempty(frame, "query", path)
    require_unique(frame, ["query_id"], path)
    return dict(zip(frame["query_id"], frame["query"], strict=True))


def _features(raw: str) -> tuple[str, ...]:
    out = []
    for item in raw.split("|"):
        name, _, value = item.partition(":")
        name, value = name.strip(), value.strip()
        if value:
            out.append(f"{name}: {value}" if name else value)
    return tuple(out)


def read_products(path: Path) -> dict[str, Product]:
    frame = _tsv(path, PRODUCT_COLUMNS)
    require_nonempty(frame, "product_id", path)
    require_nonempty(frame, "product_name", path)
    require_unique(frame, ["product_id"], path)
    return {
        pid: Product(title=name, description=desc, bullets=_features(feats), category=cat, product_class=cls)
        for pid, name, cls, cat, desc, feats in zip(*(frame[c] for c in PRODUCT_COLUMNS), strict=True)
    }


def read_labels(path: Path, queries: dict[str, str]) -> dict[str, dict[str, int]]:
    frame = _tsv(path, ["id", "query_id", "product_id", "label"])
    for column in ("query_id", "product_id", "label"):
        require_nonempty(frame, column, path)
    bad_label = ~frame["label"].isin(list(GAINS.labels))
    reject(frame, bad_label, path, "label", "unknown label {value!r}; expected Exact, Partial or Irrelevant")
    reject(frame, ~frame["query_id"].isin(list(queries)), path, "query_id", "unknown query id {value!r}")
    require_unique(frame, ["query_id", "product_id"], path)
    qrels: dict[str, dict[str, int]] = {}
    for qid, pid, label in zip(frame["query_id"], frame["product_id"], frame["label"], strict=True):
        qrels.setdefault(qid, {})[pid] = GAINS.labels[label]
    return qrels


def load(root: Path, options: WandsOptions = WandsOptions()) -> Dataset:
    product_path, query_path, label_path = source_files(root)
    queries = read_queries(query_path)
    corpus = read_products(product_path)
    qrels = read_labels(label_path, queries)
    splitter = HashSplit(options.train_ratio, options.dev_ratio)
    return make_dataset(
        "wands", corpus, queries, qrels, splitter.split_queries(queries), GAINS,
        anomalies=absent_judgements(corpus, qrels), source={"root": str(root), "split": splitter.describe()},
        derived_splits=True,
    )

"""Amazon Shopping Queries (ESCI), from the official parquet files or the Hugging Face layout.

Official layout (github.com/amazon-science/esci-data): ``shopping_queries_dataset_examples*.parquet``
and ``shopping_queries_dataset_products*.parquet`` (+ ``shopping_queries_dataset_sources.csv``),
merged on ``(product_locale, product_id)``; the official ``split`` column (train/test) is used.

Hugging Face ``tasksource/esci`` layout: parquet shards named ``train-*.parquet`` / ``test-*.parquet``
(anywhere below the folder) whose rows already carry the product columns; labels are full words
and the split is the shard's HF split.

Options: ``locale`` (us, es, jp; default us), ``version`` (``small`` = Task 1, the default, or
``large``). Official gains E=1, S=0.1, C=0.01, I=0, stored as 100/10/1/0 (linear-gain nDCG is
scale-invariant); relevant = E or S (gain >= 10). The corpus is every product judged for a query
of the chosen locale and version (all splits), the catalog the official task ranks.

A judged product absent from the products file (a damaged or truncated products file) stays a judgement,
as in trec_eval: its query is evaluated and it counts in nDCG's ideal ranking and recall's denominator, but
no retriever can return it. The load reports it as a ``qrels-missing-docs`` anomaly (``bench data info``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from benchmark.datasets.base import Dataset, GainScheme, absent_judgements, make_dataset
from benchmark.datasets.corpus import SCHEMA, Corpus
from benchmark.datasets.readers import (
    FILE,
    ROW,
    Kind,
    fail,
    first_row,
    read_parquet,
    reject,
    require_nonempty,
    require_unique,
    with_origin,
)
from benchmark.errors import DataFormatError, MissingDataError, ShopbenchError

LOADER_VERSION = "1"  # judged products absent from the catalog were an error before: no cache to invalidate
GAINS = GainScheme(
    labels={"E": 100, "S": 10, "C": 1, "I": 0},
    relevant_level=10,
    note="official ESCI gains E=1, S=0.1, C=0.01, I=0, scaled by 100; relevant: E or S",
)
FULL_WORD = {"exact": "E", "substitute": "S", "complement": "C", "irrelevant": "I"}
LOCALES = ("us", "es", "jp")
VERSIONS = ("small", "large")
EXAMPLE_COLUMNS = ["query_id", "query", "product_id", "product_locale", "esci_label", "small_version", "large_version"]
PRODUCT_COLUMNS = ["product_id", "product_locale", "product_title"]
PRODUCT_OPTIONAL = ["product_description", "product_bullet_point", "product_brand", "product_color"]
KINDS = {"query_id": Kind.ID, "product_id": Kind.ID, "small_version": Kind.FLAG, "large_version": Kind.FLAG} | {
    c: Kind.TEXT for c in ("query", "product_locale", "esci_label", "split", "product_title", *PRODUCT_OPTIONAL)}


@dataclass(frozen=True, slots=True)
class EsciOptions:
    locale: str = "us"
    version: str = "small"

    def __post_init__(self) -> None:
        if self.locale not in LOCALES:
            raise ShopbenchError(f"ESCI locale must be one of {', '.join(LOCALES)}, got '{self.locale}'")
        if self.version not in VERSIONS:
            raise ShopbenchError(f"ESCI version must be one of {', '.join(VERSIONS)}, got '{self.version}'")


def _one(root: Path, pattern: str) -> Path | None:
    found = sorted(root.glob(pattern))
    if len(found) > 1:
        raise MissingDataError(f"{root}: several files match {pattern}: {[p.name for p in found]}; keep one")
    return found[0] if found else None


def source_files(root: Path) -> list[Path]:
    examples = _one(root, "shopping_queries_dataset_examples*.parquet")
    products = _one(root, "shopping_queries_dataset_products*.parquet")
    if examples and products:
        return [examples, products]
    shards = sorted(root.rglob("train-*.parquet")) + sorted(root.rglob("test-*.parquet"))
    if shards:
        return shards
    raise MissingDataError(
        f"{root}: no ESCI files (expected shopping_queries_dataset_examples.parquet and "
        "shopping_queries_dataset_products.parquet, or tasksource/esci train-*/test-*.parquet shards); "
        "run `bench data fetch esci` or pass --data-dir"
    )


def _official(examples_path: Path, products_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    examples = with_origin(read_parquet(examples_path, [*EXAMPLE_COLUMNS, "split"], kinds=KINDS))
    products = with_origin(read_parquet(products_path, PRODUCT_COLUMNS, PRODUCT_OPTIONAL, kinds=KINDS))
    return examples, products


def _hf(shards: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = []
    for path in shards:
        frame = with_origin(read_parquet(path, [*EXAMPLE_COLUMNS, *PRODUCT_COLUMNS[2:]], PRODUCT_OPTIONAL, KINDS), path)
        labels = frame["esci_label"].astype(str).str.lower().map(FULL_WORD)
        reject(frame, labels.isna(), path, "esci_label", f"unknown label {{value!r}}; expected {sorted(FULL_WORD)}")
        frames.append(frame.assign(esci_label=labels, split=path.name.split("-", 1)[0]))
    merged = pd.concat(frames, ignore_index=True)
    product_columns = [*PRODUCT_COLUMNS, *(c for c in PRODUCT_OPTIONAL if c in merged.columns), ROW, FILE]
    products = merged.drop_duplicates(["product_locale", "product_id"])[product_columns].reset_index(drop=True)
    return merged.drop(columns=[c for c in PRODUCT_OPTIONAL + ["product_title"] if c in merged.columns]), products


def _select(examples: pd.DataFrame, path: Path, options: EsciOptions) -> pd.DataFrame:
    for column in ("query_id", "query", "product_id"):
        require_nonempty(examples, column, path)
    reject(examples, ~examples["esci_label"].isin(list(GAINS.labels)), path, "esci_label",
           "unknown label {value!r}; expected E, S, C or I")
    reject(examples, ~examples["split"].isin(["train", "test"]), path, "split", "unknown split {value!r}")
    keep = (examples["product_locale"] == options.locale) & (examples[f"{options.version}_version"] == 1)
    chosen = examples[keep].reset_index(drop=True)
    if chosen.empty:
        raise DataFormatError(path, f"no examples for locale '{options.locale}' in the {options.version} version")
    require_unique(chosen, ["query_id", "product_id"], path)
    return chosen


def _corpus(products: pd.DataFrame, path: Path, locale: str, wanted: set[str]) -> Corpus:
    local = products[products["product_locale"] == locale].reset_index(drop=True)
    local = local[local["product_id"].isin(wanted)].reset_index(drop=True)
    require_unique(local, ["product_id"], path)
    require_nonempty(local, "product_title", path)
    get = lambda c: local[c].fillna("").astype(str) if c in local else pd.Series([""] * len(local))
    bullets = get("product_bullet_point").map(lambda s: [b.strip() for b in s.split("\n") if b.strip()])
    # straight from the frame's columns to arrow: no Product object per catalog item (ESCI has ~1.2M in US)
    columns = {"doc_id": local["product_id"].astype(str), "title": get("product_title"),
               "brand": get("product_brand"), "description": get("product_description"), "bullets": bullets,
               "color": get("product_color"), "category": pd.Series([""] * len(local))}
    return Corpus.from_table(pa.table({k: pa.array(v.tolist(), SCHEMA.field(k).type) for k, v in columns.items()}))


def load(root: Path, options: EsciOptions = EsciOptions()) -> Dataset:
    files = source_files(root)
    official = files[0].name.startswith("shopping_queries_dataset_examples")
    examples, products = _official(files[0], files[1]) if official else _hf(files)
    chosen = _select(examples, files[0], options)
    qids = chosen["query_id"].astype(str)
    texts = dict(zip(qids, chosen["query"], strict=True))
    first_text = chosen.assign(qid=qids).groupby("qid")["query"].transform("first")
    row = first_row(chosen["query"] != first_text)
    if row is not None:
        qid, text = qids.iat[row - 1], chosen["query"].iat[row - 1]
        raise fail(chosen, row, files[0], f"query_id {qid} has text {text!r} here, {first_text.iat[row - 1]!r} earlier", "query")
    qrels: dict[str, dict[str, int]] = {}
    for qid, pid, label in zip(qids, chosen["product_id"], chosen["esci_label"], strict=True):
        qrels.setdefault(qid, {})[pid] = GAINS.labels[label]
    splits = {name: set(qids[chosen["split"] == name]) for name in ("train", "test")}
    row = first_row(qids.isin(splits["train"] & splits["test"]) & (chosen["split"] == "test"))
    if row is not None:
        raise fail(chosen, row, files[0], f"query_id {qids.iat[row - 1]} is in both train and test", "split")
    corpus = _corpus(products, files[1] if official else files[0], options.locale, set(chosen["product_id"]))
    return make_dataset(
        "esci",
        corpus,
        texts,
        qrels,
        splits,
        GAINS,
        anomalies=absent_judgements(corpus, qrels),
        source={"root": str(root), "layout": "official" if official else "huggingface",
                "locale": options.locale, "version": options.version, "split": "official train/test"},
    )

"""Amazon Shopping Queries (ESCI), from the official parquet files or the Hugging Face layout.

Official layout (github.com/amazon-science/esci-data): ``shopping_queries_dataset_examples*.parquet``
and ``shopping_queries_dataset_products*.parquet`` (+ ``shopping_queries_dataset_sources.csv``),
merged on ``(product_locale, product_id)``; the official ``split`` column (train/test) is used.
Hugging Face ``tasksource/esci`` layout: parquet shards ``{train,test}-*.parquet`` whose rows already carry the
product columns; labels are full words and the split is the shard's HF split (:mod:`~benchmark.datasets.esci_hf`,
which also drops the extra rows those shards carry). Where each is looked for, official files first:
:mod:`~benchmark.datasets.esci_layout`.

Options: ``locale`` (us, es, jp; default us), ``version`` (``small`` = Task 1, the default, or ``large``),
``catalog`` (``judged``, the default: every product judged for a query of the locale and version, in any split;
``locale``: every product of the locale in the products file, the full-catalog setting; see
:mod:`~benchmark.datasets.esci_catalog`). Official Task 1 is neither: it reranks each query's own judged list.
Official gains E=1, S=0.1, C=0.01, I=0, stored as 100/10/1/0 (linear-gain nDCG is scale-invariant);
relevant = E or S (gain >= 10).

A query judged in both train and test (US query 79706 in the large version of the official files) is kept in
test; its train judgements are dropped and reported as a ``query-in-both-splits`` anomaly. A judged product
absent from the products file (a damaged or truncated products file) stays a judgement, as in trec_eval: its
query is evaluated and it counts in nDCG's ideal ranking and recall's denominator, but no retriever can return
it (``qrels-missing-docs``). ``bench data info`` shows every anomaly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from benchmark.core.errors import DataFormatError, ShopbenchError
from benchmark.datasets.base import Anomaly, Dataset, GainScheme, absent_judgements, make_dataset
from benchmark.datasets.esci_catalog import PRODUCT_OPTIONAL, Catalog, ProductBatch, build_catalog, official_batches
from benchmark.datasets.esci_hf import product_batches, read_shards, repair
from benchmark.datasets.esci_layout import HfShards, Layout, OfficialFiles, find_layout, source_files
from benchmark.datasets.readers import (
    Kind,
    fail,
    first_row,
    read_parquet,
    reject,
    require_nonempty,
    require_unique,
    with_origin,
)

__all__ = ["Catalog", "EsciOptions", "load", "source_files"]

LOADER_VERSION = "2"  # 2: queries in both splits kept in test, HF extra rows dropped, catalog option, arrow catalog
GAINS = GainScheme(
    labels={"E": 100, "S": 10, "C": 1, "I": 0},
    relevant_level=10,
    note="official ESCI gains E=1, S=0.1, C=0.01, I=0, scaled by 100; relevant: E or S",
)
LOCALES = ("us", "es", "jp")
VERSIONS = ("small", "large")
EXAMPLE_COLUMNS = ["query_id", "query", "product_id", "product_locale", "esci_label", "small_version", "large_version"]
KINDS = {"query_id": Kind.ID, "product_id": Kind.ID, "small_version": Kind.FLAG, "large_version": Kind.FLAG} | {
    c: Kind.TEXT for c in ("query", "product_locale", "esci_label", "split", "product_title", *PRODUCT_OPTIONAL)}
BOTH_SPLITS = "query-in-both-splits"
EXAMPLES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class EsciOptions:
    locale: str = "us"
    version: str = "small"
    catalog: Catalog = Catalog.JUDGED

    def __post_init__(self) -> None:
        if self.locale not in LOCALES:
            raise ShopbenchError(f"ESCI locale must be one of {', '.join(LOCALES)}, got '{self.locale}'")
        if self.version not in VERSIONS:
            raise ShopbenchError(f"ESCI version must be one of {', '.join(VERSIONS)}, got '{self.version}'")
        try:
            object.__setattr__(self, "catalog", Catalog(self.catalog))
        except ValueError:
            valid = ", ".join(c.value for c in Catalog)
            raise ShopbenchError(f"ESCI catalog must be one of {valid}, got '{self.catalog}'") from None


def _validate(examples: pd.DataFrame, path: Path) -> None:
    for column in ("query_id", "query", "product_id"):
        require_nonempty(examples, column, path)
    reject(examples, ~examples["esci_label"].isin(list(GAINS.labels)), path, "esci_label",
           "unknown label {value!r}; expected E, S, C or I")
    reject(examples, ~examples["split"].isin(["train", "test"]), path, "split", "unknown split {value!r}")


def _choose(examples: pd.DataFrame, path: Path, options: EsciOptions) -> pd.DataFrame:
    keep = (examples["product_locale"] == options.locale) & (examples[f"{options.version}_version"] == 1)
    chosen = examples[keep].reset_index(drop=True)
    if chosen.empty:
        raise DataFormatError(path, f"no examples for locale '{options.locale}' in the {options.version} version")
    return chosen


def _one_split_per_query(chosen: pd.DataFrame) -> tuple[pd.DataFrame, list[Anomaly]]:
    """A query judged in train and in test stays in test; its train rows go (and are reported)."""
    qids = chosen["query_id"].astype(str)
    in_test = set(qids[chosen["split"] == "test"])
    dropped = (chosen["split"] == "train") & qids.isin(in_test)
    if not dropped.any():
        return chosen, []
    queries = sorted(set(qids[dropped]))
    detail = (f"queries judged in both train and test: kept in test, their {int(dropped.sum()):,} train "
              "judgement(s) dropped")
    return chosen[~dropped].reset_index(drop=True), [Anomaly(BOTH_SPLITS, len(queries), detail,
                                                             tuple(queries[:EXAMPLES_SHOWN]))]


def _query_texts(chosen: pd.DataFrame, path: Path) -> dict[str, str]:
    qids = chosen["query_id"].astype(str)
    first_text = chosen.assign(qid=qids).groupby("qid")["query"].transform("first")
    row = first_row(chosen["query"] != first_text)
    if row is not None:
        qid, text = qids.iat[row - 1], chosen["query"].iat[row - 1]
        raise fail(chosen, row, path, f"query_id {qid} has text {text!r} here, {first_text.iat[row - 1]!r} earlier", "query")
    return dict(zip(qids, chosen["query"], strict=True))


def _official(files: OfficialFiles) -> pd.DataFrame:
    examples = with_origin(read_parquet(files.examples, [*EXAMPLE_COLUMNS, "split"], kinds=KINDS))
    _validate(examples, files.examples)
    return examples


def _hugging_face(layout: HfShards, options: EsciOptions) -> tuple[pd.DataFrame, list[Anomaly]]:
    if options.catalog is Catalog.LOCALE:
        raise ShopbenchError(f"{layout.shards[0].path.parent}: catalog=locale needs the official products file "
                             "(shopping_queries_dataset_products.parquet); the Hugging Face shards carry only judged "
                             "products. Run `bench data fetch esci`, or use catalog=judged")
    rows = read_shards(layout, EXAMPLE_COLUMNS, KINDS)
    _validate(rows, layout.shards[0].path)
    repaired = repair(rows, options.locale, f"{options.version}_version")
    return repaired.rows, repaired.anomalies


def _read(layout: Layout, options: EsciOptions) -> tuple[pd.DataFrame, list[Anomaly], Callable[[], Iterable[ProductBatch]]]:
    """The example rows (validated), the anomalies of reading them, and how to get the product rows."""
    if isinstance(layout, OfficialFiles):
        return _official(layout), [], partial(official_batches, layout.products)
    rows, anomalies = _hugging_face(layout, options)
    return rows, anomalies, partial(product_batches, rows, options.locale)


def load(root: Path, options: EsciOptions = EsciOptions()) -> Dataset:
    layout = find_layout(root)
    examples, anomalies, products = _read(layout, options)
    path = layout.files[0]
    chosen, overlap = _one_split_per_query(_choose(examples, path, options))
    require_unique(chosen, ["query_id", "product_id"], path)
    texts = _query_texts(chosen, path)
    qids = chosen["query_id"].astype(str)
    qrels: dict[str, dict[str, int]] = {}
    for qid, pid, label in zip(qids, chosen["product_id"], chosen["esci_label"], strict=True):
        qrels.setdefault(qid, {})[pid] = GAINS.labels[label]
    splits = {name: set(qids[chosen["split"] == name]) for name in ("train", "test")}
    corpus, untitled = build_catalog(products(), options.locale, set(chosen["product_id"]), options.catalog)
    return make_dataset(
        "esci",
        corpus,
        texts,
        qrels,
        splits,
        GAINS,
        anomalies=[*anomalies, *overlap, *untitled, *absent_judgements(corpus, qrels)],
        source={"root": str(root), "layout": "official" if isinstance(layout, OfficialFiles) else "huggingface",
                "locale": options.locale, "version": options.version, "catalog": options.catalog.value,
                "split": "official train/test"},
    )

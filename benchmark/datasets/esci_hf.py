"""The Hugging Face ``tasksource/esci`` shards: read, and cleared of the rows a locale-less product join added.

The shards carry the product columns on every row, full-word labels and no ``split`` column (a row's split is
its shard's). Their dataset card counts 2,680,364 rows (train 2,027,874, test 652,490) where the official
examples hold 2,621,288 judgements (train 1,983,272, test 638,016): about 2 % more, the rows a join of the
examples with the products on ``product_id`` alone makes for a product id present in several locales.

Repair, reported as the ``hf-extra-rows`` anomaly: every query has one locale (in the official files all rows
of a query share it), the locale of most of its distinct products; a row whose product locale is another is
dropped, and so is a repeat of a (query, product) pair within a split (the first row is kept; repeats with
different labels are an error; a pair in both splits is left to the loader, which keeps such a query in
test). A query whose products are found equally often in two locales cannot be placed: it is dropped and
reported as ``hf-ambiguous-query-locale``. The official files never need this.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from benchmark.datasets.base import Anomaly
from benchmark.datasets.esci_catalog import PRODUCT_COLUMNS, PRODUCT_OPTIONAL, ProductBatch, table_batches
from benchmark.datasets.esci_layout import HfShards
from benchmark.datasets.readers import FILE, ROW, fail, first_row, read_parquet, reject, with_origin

FULL_WORD = {"exact": "E", "substitute": "S", "complement": "C", "irrelevant": "I"}
EXTRA_ROWS = "hf-extra-rows"
EXTRA_ROWS_DETAIL = ("Hugging Face shard rows whose product locale is not their query's, or repeating a (query, "
                     "product) pair (a product join without the locale): dropped")
AMBIGUOUS = "hf-ambiguous-query-locale"
AMBIGUOUS_DETAIL = ("queries of the Hugging Face shards whose products are found equally often in two locales "
                    "(their locale cannot be told): dropped; the official files do not need this")
EXAMPLES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Repaired:
    rows: pd.DataFrame  # one row per (query, product), in the query's locale
    anomalies: list[Anomaly]


def read_shards(layout: HfShards, columns: list[str], kinds: dict[str, str]) -> pd.DataFrame:
    """Every shard's rows (``columns`` + the product columns), labels as letters, ``split`` from the shard."""
    frames = []
    for shard in layout.shards:
        wanted = [*columns, *PRODUCT_COLUMNS[2:]]
        frame = with_origin(read_parquet(shard.path, wanted, PRODUCT_OPTIONAL, kinds), shard.path)
        labels = frame["esci_label"].astype(str).str.lower().map(FULL_WORD)
        reject(frame, labels.isna(), shard.path, "esci_label", f"unknown label {{value!r}}; expected {sorted(FULL_WORD)}")
        frames.append(frame.assign(esci_label=labels, split=shard.split))
    return pd.concat(frames, ignore_index=True)


def repair(rows: pd.DataFrame, locale: str, version_flag: str) -> Repaired:
    """Keep each query's rows of its own locale, once per product; count what went for ``locale``'s queries
    of the version (``version_flag``: ``small_version`` or ``large_version``)."""
    qids = rows["query_id"].astype(str)
    locale_of, ambiguous = _query_locales(rows.assign(query_id=qids))
    query_locale = qids.map(locale_of)
    own = rows["product_locale"].eq(query_locale)
    _refuse_conflicts(rows[own].reset_index(drop=True))
    repeat = pd.DataFrame({"q": qids, "p": rows["product_id"], "s": rows["split"]})[own].duplicated()
    keep = own & ~repeat.reindex(rows.index, fill_value=False)
    placed = ~qids.isin(ambiguous)
    # rows that would have entered this locale's dataset, or belong to one of its queries
    touching = ((rows["product_locale"] == locale) | query_locale.eq(locale)) & (rows[version_flag] == 1)
    dropped = touching & ~keep & placed
    anomalies = []
    if dropped.any():
        examples = sorted({f"query {q} / product {p} ({loc})" for q, p, loc in
                           zip(qids[dropped], rows["product_id"][dropped], rows["product_locale"][dropped], strict=True)})
        detail = f"{EXTRA_ROWS_DETAIL}; {int((~keep & placed).sum()):,} of {len(rows):,} rows in all the shards"
        anomalies.append(Anomaly(EXTRA_ROWS, int(dropped.sum()), detail, tuple(examples[:EXAMPLES_SHOWN])))
    lost = sorted(set(qids[touching & ~placed]))
    if lost:
        anomalies.append(Anomaly(AMBIGUOUS, len(lost), AMBIGUOUS_DETAIL, tuple(lost[:EXAMPLES_SHOWN])))
    return Repaired(rows[keep].reset_index(drop=True), anomalies)


def _query_locales(rows: pd.DataFrame) -> tuple[dict[str, str], set[str]]:
    """query id -> the locale of most of its distinct products; and the queries where two locales tie."""
    per = rows.dropna(subset=["product_locale"]).groupby(["query_id", "product_locale"])["product_id"].nunique()
    if per.empty:
        return {}, set()
    table = per.rename("n").reset_index().sort_values(["query_id", "n", "product_locale"], ascending=[True, False, True])
    top = table.groupby("query_id")["n"].transform("max") == table["n"]
    winners = table[top]
    ties = winners["query_id"].duplicated(keep=False)
    ambiguous = set(winners.loc[ties, "query_id"])
    chosen = winners[~ties]
    return dict(zip(chosen["query_id"], chosen["product_locale"], strict=True)), ambiguous


def _refuse_conflicts(rows: pd.DataFrame) -> None:
    """Two rows of one (query, product) pair in one split with different labels: no repair can tell which is
    right. (A pair in train and in test is the split overlap the loader resolves, not a repeat.)"""
    pairs = rows.assign(q=rows["query_id"].astype(str))
    labels = pairs.groupby(["q", "product_id", "split"])["esci_label"].transform("nunique")
    row = first_row(labels > 1)
    if row is not None:
        q, p = pairs["q"].iat[row - 1], pairs["product_id"].iat[row - 1]
        raise fail(rows, row, rows[FILE].iat[row - 1], f"query_id {q} and product_id {p} appear twice with different "
                   "labels in the Hugging Face shards; use the official files", "esci_label")


def product_batches(rows: pd.DataFrame, locale: str) -> list[ProductBatch]:
    """The products of ``locale`` the kept rows carry (first row per product), one batch per shard."""
    local = rows[rows["product_locale"] == locale].drop_duplicates(["product_id"])
    columns = [c for c in (*PRODUCT_COLUMNS, *PRODUCT_OPTIONAL) if c in local.columns]
    batches = []
    for path, part in local.groupby(FILE, sort=True):
        table = pa.Table.from_pandas(part[columns], preserve_index=False)
        batches.extend(table_batches(path, table, pa.array(part[ROW].to_numpy(), pa.int64())))
    return batches

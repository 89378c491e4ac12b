"""Home Depot Product Search Relevance (Kaggle 2016), from the competition's original files.

- ``train.csv`` (latin-1 as published; UTF-8 copies are accepted too; CRLF or LF):
  ``id, product_uid, product_title, search_term, relevance``. Each row is one judgement.
- optional ``product_descriptions.csv`` (``product_uid, product_description``) and
  ``attributes.csv`` (``product_uid, name, value``): brand from ``MFG Brand Name``, bullets from
  ``Bullet01``, ``Bullet02``, ... in order.

Queries are the distinct ``search_term`` strings; a query's id is a hash of its exact text, so a
subset of the file and the full file agree on ids. ``relevance`` is the mean of several raters on a
1-3 scale; gain = round-half-up(3 * (relevance - 1)), an integer 0..6 linear in the raters' mean.
A judgement is relevant when relevance >= 2 (gain >= 3). There is no official split: queries are
split by :class:`~benchmark.datasets.splits.HashSplit` (80/10/10). The catalog is built from the
judged rows themselves, so no judgement can name a product absent from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmark.core.errors import DataFormatError
from benchmark.datasets.base import Anomaly, Dataset, GainScheme, Product, make_dataset
from benchmark.datasets.readers import (
    parse_int,
    read_delimited,
    reject,
    require_file,
    require_nonempty,
    require_unique,
)
from benchmark.datasets.splits import HashSplit, stable_query_id

LOADER_VERSION = "1"
GAINS = GainScheme(
    labels={f"{r:.2f}": int(math.floor(3 * (r - 1) + 0.5)) for r in (1, 4 / 3, 5 / 3, 2, 7 / 3, 8 / 3, 3)},
    relevant_level=3,
    note="gain = round-half-up(3 * (relevance - 1)); relevant: relevance >= 2",
)


@dataclass(frozen=True, slots=True)
class HomeDepotOptions:
    train_ratio: float = 0.8
    dev_ratio: float = 0.1


def source_files(root: Path) -> list[Path]:
    files = [require_file(root / "train.csv", "Home Depot train.csv")]
    return files + [p for p in (root / "product_descriptions.csv", root / "attributes.csv") if p.is_file()]


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    """Kaggle published latin-1; a file that is valid UTF-8 is read as UTF-8."""
    try:
        return read_delimited(path, columns, sep=",", encoding="utf-8")
    except DataFormatError as err:
        if "undecodable" not in err.detail:
            raise
        return read_delimited(path, columns, sep=",", encoding="latin-1")


def gain_of(relevance: pd.Series) -> pd.Series:
    return ((relevance - 1.0) * 3.0 + 0.5 + 1e-9).apply(math.floor).astype("int64")


def _judgements(path: Path) -> tuple[pd.DataFrame, list[Anomaly]]:
    frame = _read(path, ["id", "product_uid", "product_title", "search_term", "relevance"])
    for column in ("id", "product_uid", "search_term", "product_title"):
        require_nonempty(frame, column, path)
    parse_int(frame, "id", path)
    require_unique(frame, ["id"], path)
    relevance = pd.to_numeric(frame["relevance"], errors="coerce")
    bad = relevance.isna() | (relevance < 1) | (relevance > 3)
    reject(frame, bad, path, "relevance", "relevance must be a number in [1, 3], got {value!r}")
    require_unique(frame, ["search_term", "product_uid"], path)
    frame = frame.assign(gain=gain_of(relevance))
    titles = frame.groupby("product_uid", sort=False)["product_title"].nunique()
    conflicts = titles[titles > 1]
    anomalies = []
    if len(conflicts):
        anomalies.append(
            Anomaly(
                "conflicting-titles",
                len(conflicts),
                "products listed with more than one title; the first title in file order is used",
                tuple(conflicts.index[:5]),
            )
        )
    return frame, anomalies


def _enrichment(root: Path) -> tuple[dict[str, str], dict[str, str], dict[str, list[str]]]:
    descriptions: dict[str, str] = {}
    brands: dict[str, str] = {}
    bullets: dict[str, list[str]] = {}
    path = root / "product_descriptions.csv"
    if path.is_file():
        frame = _read(path, ["product_uid", "product_description"])
        require_unique(frame, ["product_uid"], path)
        descriptions = dict(zip(frame["product_uid"], frame["product_description"], strict=True))
    path = root / "attributes.csv"
    if path.is_file():
        frame = _read(path, ["product_uid", "name", "value"])
        frame = frame[frame["product_uid"] != ""]
        brand_rows = frame[frame["name"] == "MFG Brand Name"]
        brands = dict(zip(brand_rows["product_uid"], brand_rows["value"], strict=True))
        bullet_rows = frame[frame["name"].str.match(r"^Bullet\d+$")].sort_values(["product_uid", "name"])
        for uid, group in bullet_rows.groupby("product_uid", sort=False):
            bullets[str(uid)] = [v for v in group["value"] if v.strip()]
    return descriptions, brands, bullets


def load(root: Path, options: HomeDepotOptions = HomeDepotOptions()) -> Dataset:
    files = source_files(root)
    frame, anomalies = _judgements(files[0])
    descriptions, brands, bullets = _enrichment(root)
    first = frame.drop_duplicates("product_uid", keep="first")
    corpus = {
        uid: Product(
            title=title,
            brand=brands.get(uid, ""),
            description=descriptions.get(uid, ""),
            bullets=tuple(bullets.get(uid, ())),
        )
        for uid, title in zip(first["product_uid"], first["product_title"], strict=True)
    }
    terms = frame["search_term"].drop_duplicates().tolist()
    queries = {stable_query_id("hd-", t): t for t in terms}
    if len(queries) != len(terms):  # pragma: no cover - a 48-bit hash collision
        raise DataFormatError(files[0], "query id hash collision; please report this")
    qid_of = {t: stable_query_id("hd-", t) for t in terms}
    qrels: dict[str, dict[str, int]] = {}
    for term, uid, gain in zip(frame["search_term"], frame["product_uid"], frame["gain"], strict=True):
        qrels.setdefault(qid_of[term], {})[uid] = int(gain)
    splitter = HashSplit(options.train_ratio, options.dev_ratio)
    return make_dataset(
        "homedepot",
        corpus,
        queries,
        qrels,
        splitter.split_queries(queries),
        GAINS,
        anomalies=anomalies,
        source={"root": str(root), "split": splitter.describe()},
        derived_splits=True,
    )

"""Where each public dataset comes from: URLs, file names and the published checksums ``bench data fetch`` checks.

ESCI and WANDS are fetched file by file from their GitHub repositories, BEIR datasets as one zip each from the
BEIR host; Home Depot cannot be fetched (Kaggle needs an account), so asking for it explains where to get it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from benchmark.core.errors import MissingDataError, UnknownNameError
from benchmark.core.paths import data_dir as default_data_dir


@dataclass(frozen=True)
class RemoteFile:
    url: str
    filename: str
    sha256: str | None = None
    md5: str | None = None
    size: int | None = None

    def __post_init__(self) -> None:
        if not self.filename or "/" in self.filename or "\\" in self.filename or self.filename in (".", ".."):
            raise ValueError(f"RemoteFile.filename must be a plain file name, not {self.filename!r}")


@dataclass(frozen=True)
class Source:
    name: str
    files: tuple[RemoteFile, ...]
    subdir: str
    extract_zip: bool = False
    note: str = ""


_ESCI_BASE = "https://media.githubusercontent.com/media/amazon-science/esci-data/main/shopping_queries_dataset/"
ESCI_FILES = (
    "shopping_queries_dataset_examples.parquet",
    "shopping_queries_dataset_products.parquet",
    "shopping_queries_dataset_sources.csv",
)
_WANDS_BASE = "https://raw.githubusercontent.com/wayfair/WANDS/main/dataset/"
WANDS_FILES = ("product.csv", "query.csv", "label.csv")
_BEIR_BASE = "https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets/"
# sha256 and size of the ESCI parquet files as published in the Git LFS pointers of
# github.com/amazon-science/esci-data (shopping_queries_dataset/*.parquet, commit 7e0e3073); the media host
# serves these exact objects. shopping_queries_dataset_sources.csv is a plain git file: no published digest.
ESCI_SHA256: dict[str, tuple[str, int]] = {
    "shopping_queries_dataset_examples.parquet":
        ("4a735b693b4a424a6fc67f5be6e4c811495c488bbf66d02a602d308b2744263a", 51_286_808),
    "shopping_queries_dataset_products.parquet":
        ("25124442d064d64b26f74082d6fa09438d679efc0c183cf28d19064a2b65a265", 1_108_857_465),
}
# md5 of each zip as published in the "Available Datasets" table of the BEIR README
# (github.com/beir-cellar/beir); older and current README versions agree on these. fever and
# webis-touche2020 are not pinned: their zips were re-issued and the README versions disagree.
BEIR_MD5: dict[str, str] = {
    "arguana": "8ad3e3c2a5867cdced806d6503f29b99",
    "climate-fever": "8b66f0a9126c521bae2bde127b4dc99d",
    "cqadupstack": "4e41456d7df8ee7760a7f866133bda78",
    "dbpedia-entity": "c2a39eb420a3164af735795df012ac2c",
    "fiqa": "17918ed23cd04fb15047f73e6c3bd9d9",
    "hotpotqa": "f412724f78b0d91183a0e86805e16114",
    "msmarco": "444067daf65d982533ea17ebd59501e4",
    "nfcorpus": "a89dba18a62ef92f7d323ec890a0d38d",
    "nq": "d4d3d2e48787a744b6f6e691ff534307",
    "quora": "18fb154900ba42a600f84b839c173167",
    "scidocs": "38121350fc3a4d2f48850f6aff52e4a9",
    "scifact": "5f7d1de60b170fc8027bb7898e2efca1",
    "trec-covid": "ce62140cb23feb9becf6270d0d1fe6d1",
}
_BEIR_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
HOMEDEPOT_URL = "https://www.kaggle.com/c/home-depot-product-search-relevance/data"


def dataset_names() -> tuple[str, ...]:
    """Names ``fetch`` knows; any other ``beir:NAME`` is accepted too, without a pinned checksum."""
    return ("esci", "wands", "homedepot", *(f"beir:{n}" for n in sorted(BEIR_MD5)))


def homedepot_missing(root: Path) -> MissingDataError:
    return MissingDataError(
        "homedepot cannot be downloaded automatically: Kaggle requires an account and accepting the "
        "competition rules. Download train.csv (and optionally product_descriptions.csv and "
        "attributes.csv) from the Kaggle competition 'home-depot-product-search-relevance' "
        f"({HOMEDEPOT_URL}), then put them in {root / 'homedepot'}/ or pass --data-dir DIR "
        "with the files in DIR/homedepot/"
    )


def source_for(name: str) -> Source:
    """The :class:`Source` for a dataset name (case-insensitive)."""
    key = name.strip().lower()
    if key == "esci":
        files = tuple(
            RemoteFile(_ESCI_BASE + f, f, sha256=ESCI_SHA256[f][0], size=ESCI_SHA256[f][1])
            if f in ESCI_SHA256 else RemoteFile(_ESCI_BASE + f, f)
            for f in ESCI_FILES
        )
        return Source(
            "esci", files, "esci", note="Amazon Shopping Queries Dataset (github.com/amazon-science/esci-data)"
        )
    if key == "wands":
        files = tuple(RemoteFile(_WANDS_BASE + f, f) for f in WANDS_FILES)
        return Source("wands", files, "wands", note="Wayfair ANnotation DataSet (github.com/wayfair/WANDS)")
    if key == "homedepot":
        raise homedepot_missing(default_data_dir())
    sub = key.removeprefix("beir:")
    if key.startswith("beir:") and _BEIR_NAME.match(sub):
        zip_file = RemoteFile(f"{_BEIR_BASE}{sub}.zip", f"{sub}.zip", md5=BEIR_MD5.get(sub))
        pinned = "md5 pinned from the BEIR README" if sub in BEIR_MD5 else "no pinned checksum"
        return Source(key, (zip_file,), f"beir/{sub}", extract_zip=True, note=f"BEIR {sub} ({pinned})")
    raise UnknownNameError("dataset", name, (*dataset_names(), "beir:<any other BEIR dataset>"))

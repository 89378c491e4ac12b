"""Tiny ESCI collections written at test time in the original formats.

Official layout (amazon-science/esci-data): ``shopping_queries_dataset_examples.parquet`` and
``shopping_queries_dataset_products.parquet``, both with a stray pandas index column
``__index_level_0__`` as in the published files. Hugging Face ``tasksource/esci`` layout: one
parquet shard per split, full-word labels, product columns on every row, no ``split`` column.

Data rows are numbered from 1 in the comments, as the loader's errors count them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

EXAMPLES_FILE = "shopping_queries_dataset_examples.parquet"
PRODUCTS_FILE = "shopping_queries_dataset_products.parquet"
HF_SHARDS = {"train": "data/train-00000-of-00001.parquet", "test": "data/test-00000-of-00001.parquet"}
FULL_WORD = {"E": "Exact", "S": "Substitute", "C": "Complement", "I": "Irrelevant"}

EXAMPLE_COLUMNS = ["query_id", "query", "product_id", "product_locale", "esci_label",
                   "small_version", "large_version", "split"]
EXAMPLES = [
    # query_id, query, product_id, locale, label, small, large, split
    (101, "red running shoes", "B01", "us", "E", 1, 1, "train"),  # row 1
    (101, "red running shoes", "B02", "us", "S", 1, 1, "train"),  # row 2
    (101, "red running shoes", "B03", "us", "C", 1, 1, "train"),  # row 3
    (101, "red running shoes", "B04", "us", "I", 1, 1, "train"),  # row 4
    (202, "zapatillas rojas", "B01", "es", "E", 1, 1, "test"),  # row 5: same product id, other locale
    (202, "zapatillas rojas", "B07", "es", "S", 1, 1, "test"),  # row 6
    (102, "wireless mouse", "B02", "us", "E", 1, 1, "test"),  # row 7
    (102, "wireless mouse", "B05", "us", "I", 1, 1, "test"),  # row 8
    (103, "phone case", "B06", "us", "E", 0, 1, "train"),  # row 9: large version only
    (103, "phone case", "B01", "us", "I", 0, 1, "train"),  # row 10
    (203, "funda movil", "B08", "es", "C", 0, 1, "train"),  # row 11
]

PRODUCT_COLUMNS = ["product_id", "product_title", "product_description", "product_bullet_point",
                   "product_brand", "product_color", "product_locale"]
PRODUCTS = [
    # product_id, title, description, bullet points, brand, color, locale
    ("B01", "Nike Red Running Shoes", "Lightweight trainers.", "Breathable mesh\n\n  Rubber sole  \n", "Nike", "Red", "us"),
    ("B01", "Zapatillas Nike rojas", "Zapatillas ligeras.", "Malla transpirable", "Nike", "Rojo", "es"),  # row 2
    ("B02", "Logitech Wireless Mouse", "A mouse.", "2.4 GHz\nUSB receiver", "Logitech", "Black", "us"),  # row 3
    ("B03", "Shoe Cleaning Kit", None, None, None, None, "us"),  # row 4
    ("B04", "Garden Hose", "50 ft hose.", "", "", "Green", "us"),  # row 5
    ("B05", "USB Cable", "1 m cable.", "USB-C", "Anker", "White", "us"),  # row 6
    ("B06", "Phone Case", "Fits most phones.", "Shockproof", "Spigen", "Clear", "us"),  # row 7
    ("B07", "Zapatillas Adidas", "Zapatillas.", "Suela de goma", "Adidas", "Azul", "es"),  # row 8
    ("B08", "Cargador USB", "Cargador.", "20 W", "Anker", "Blanco", "es"),  # row 9
    ("B09", "Desk Lamp", "Never judged.", "LED", "Ikea", "White", "us"),  # row 10: in no corpus
    ("B02", "Raton inalambrico", "Un raton.", "2,4 GHz", "Logitech", "Negro", "es"),  # row 11: unjudged in es
]

Edit = Callable[[pd.DataFrame], pd.DataFrame]


def _with_stray_index(frame: pd.DataFrame) -> pd.DataFrame:
    """A non-range index, which pandas writes as the column ``__index_level_0__``."""
    return frame.set_axis(pd.Index([1000 + 7 * i for i in range(len(frame))], dtype="int64"))


def examples_frame() -> pd.DataFrame:
    frame = pd.DataFrame(EXAMPLES, columns=EXAMPLE_COLUMNS)
    frame.insert(0, "example_id", range(5000, 5000 + len(frame)))
    return frame


def products_frame() -> pd.DataFrame:
    return pd.DataFrame(PRODUCTS, columns=PRODUCT_COLUMNS)


def write_official(root: Path, edit_examples: Edit | None = None, edit_products: Edit | None = None) -> Path:
    """The two official parquet files in ``root``, optionally edited first."""
    root.mkdir(parents=True, exist_ok=True)
    examples, products = examples_frame(), products_frame()
    if edit_examples:
        examples = edit_examples(examples)
    if edit_products:
        products = edit_products(products)
    _with_stray_index(examples).to_parquet(root / EXAMPLES_FILE, index=True)
    _with_stray_index(products).to_parquet(root / PRODUCTS_FILE, index=True)
    return root


def hf_frames() -> dict[str, pd.DataFrame]:
    """The same collection as ``tasksource/esci`` shards: split -> rows with product columns."""
    merged = examples_frame().merge(products_frame(), on=["product_locale", "product_id"], how="left")
    merged["esci_label"] = merged["esci_label"].map(FULL_WORD)
    return {split: merged[merged["split"] == split].drop(columns="split").reset_index(drop=True)
            for split in HF_SHARDS}


def write_hf(root: Path, edit: Callable[[str, pd.DataFrame], pd.DataFrame] | None = None) -> Path:
    for split, frame in hf_frames().items():
        path = root / HF_SHARDS[split]
        path.parent.mkdir(parents=True, exist_ok=True)
        (edit(split, frame) if edit else frame).to_parquet(path, index=False)
    return root


def set_cell(row: int, column: str, value) -> Edit:
    """An edit that sets one cell; ``row`` counts data rows from 1."""
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame.loc[frame.index[row - 1], column] = value
        return frame
    return edit


def append_copy(row: int, **changes) -> Edit:
    """An edit that appends a copy of data row ``row`` (from 1) at the end, with ``changes``."""
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        extra = frame.iloc[[row - 1]].assign(**changes)
        return pd.concat([frame, extra], ignore_index=True)
    return edit


def drop_rows(mask: Callable[[pd.DataFrame], pd.Series]) -> Edit:
    return lambda frame: frame[~mask(frame)].reset_index(drop=True)


def drop_column(column: str) -> Edit:
    return lambda frame: frame.drop(columns=column)


def hf_frames_joined_on_product_id() -> dict[str, pd.DataFrame]:
    """The shards as a join of the examples with the products on ``product_id`` alone would make them: a judged
    product present in several locales gives one row per locale, the row's locale and text being the product's.
    In this fixture B01 and B02 have an ``es`` product besides the ``us`` one: 5 extra rows (3 train, 2 test):
    an ``es`` row for the ``us`` queries 101 (B01, B02), 103 (B01) and 102 (B02), and a ``us`` row of B01 for the
    ``es`` query 202. The ``es`` row of a pair comes first (a loader keeping the first row gets it wrong)."""
    examples = examples_frame().drop(columns="product_locale")
    merged = examples.merge(products_frame(), on="product_id", how="inner")
    merged = merged.sort_values(["example_id", "product_locale"], kind="stable").reset_index(drop=True)
    merged["esci_label"] = merged["esci_label"].map(FULL_WORD)
    return {split: merged[merged["split"] == split].drop(columns="split").reset_index(drop=True)
            for split in HF_SHARDS}


def write_hf_frames(root: Path, frames: dict[str, pd.DataFrame]) -> Path:
    for split, frame in frames.items():
        path = root / HF_SHARDS[split]
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(path, index=False)
    return root

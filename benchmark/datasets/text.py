"""Turn product fields into the one string a retriever indexes.

The builder's configuration is hashed together with the dataset checksum (:func:`corpus_key`), so
an index or cache built from one text format is never reused for another.

Each dataset names its own default format (:attr:`Dataset.default_text_format`: ``full`` for BEIR
collections, ``title-brand-bullets`` for the product datasets); a retriever uses it unless its settings
name one (``retrievers.registry.resolve_config(text_format=...)``). :func:`dropped_fields` says which
non-empty product fields a format leaves out of a catalog's texts.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmark.core.errors import UnknownNameError
from benchmark.datasets.base import Dataset, Product
from benchmark.datasets.corpus import StringColumn

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class TextFormat(str, Enum):
    """The product-text formats users know.

    - ``title``: the title alone.
    - ``title-brand-bullets``: ``title | brand | bullet | bullet ...`` (up to ``max_bullets``).
    - ``series``: the blog series' ``[brand] title | description[:200] | bullet | bullet | bullet``.
    - ``full``: ``title | brand | class | category | description | every bullet``, nothing truncated (BEIR's
      "title + text", as Pyserini's BM25-flat indexes it, plus the product class and category path where a
      dataset has them: WANDS).
    - ``title-brand-category-bullets``: ``title | brand | class | category | bullet ...`` (up to
      ``max_bullets``): ``title-brand-bullets`` plus the product class and category path; the same text as
      ``title-brand-bullets`` for a product with neither.

    Empty parts are left out. Color is in no format's text.
    """

    TITLE = "title"
    TITLE_BRAND_BULLETS = "title-brand-bullets"
    SERIES = "series"
    FULL = "full"
    TITLE_BRAND_CATEGORY_BULLETS = "title-brand-category-bullets"

    @classmethod
    def parse(cls, value: str | TextFormat) -> TextFormat:
        if isinstance(value, TextFormat):
            return value
        try:
            return cls(value)
        except ValueError:
            raise UnknownNameError("text format", value, [f.value for f in cls]) from None


def clean(text: str) -> str:
    """Strip HTML tags and entities, collapse whitespace."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class TextBuilder:
    """Configuration + behaviour of product-text construction. Every field changes the text."""

    format: TextFormat = TextFormat.TITLE_BRAND_BULLETS
    description_chars: int = 200
    max_bullets: int = 3
    separator: str = " | "

    def __post_init__(self) -> None:
        object.__setattr__(self, "format", TextFormat.parse(self.format))
        if self.description_chars < 0 or self.max_bullets < 0:
            raise ValueError("description_chars and max_bullets must be >= 0")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TextBuilder:
        """The builder a :meth:`config` dict describes."""
        return cls(**config)

    def build(self, product: Product) -> str:
        title, brand = clean(product.title), clean(product.brand)
        bullets = [b for b in (clean(x) for x in product.bullets[: self.max_bullets]) if b]
        if self.format is TextFormat.TITLE:
            parts = [title]
        elif self.format is TextFormat.TITLE_BRAND_BULLETS:
            parts = [title, brand, *bullets]
        elif self.format is TextFormat.TITLE_BRAND_CATEGORY_BULLETS:
            parts = [title, brand, *_class_and_category(product), *bullets]
        elif self.format is TextFormat.FULL:
            every = [b for b in (clean(x) for x in product.bullets) if b]
            parts = [title, brand, *_class_and_category(product), clean(product.description), *every]
        else:
            head = f"[{brand}] {title}" if brand else title
            description = clean(product.description)[: self.description_chars].strip()
            parts = [head, description, *bullets]
        return self.separator.join(p for p in parts if p)

    def config(self) -> dict[str, object]:
        data = asdict(self)
        data["format"] = self.format.value
        return data

    @property
    def fingerprint(self) -> str:
        payload = json.dumps(self.config(), sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()[:16]


def _class_and_category(product: Product) -> list[str]:
    """The product class and the category path, cleaned (WANDS: ``Beds``, ``Furniture / ... / Beds``)."""
    return [clean(product.product_class), clean(product.category)]


def build_texts(dataset: Dataset, builder: TextBuilder) -> dict[str, str]:
    """doc id -> text, in sorted doc-id order (a stable order for encoding and indexing)."""
    return {doc_id: builder.build(p) for ids, products in dataset.corpus.batches() for doc_id, p in zip(ids, products, strict=True)}


class Texts(StringColumn):
    """Every product's text in doc-id order (position = index point id), held as one arrow string column:
    a few bytes of overhead per product instead of a Python string each. Slices come back as lists."""

    __slots__ = ()


def corpus_texts(dataset: Dataset, builder: TextBuilder) -> Texts:
    """The catalog's texts in doc-id order, built a slice of products at a time (never all as objects)."""
    chunks = [pa.array([builder.build(p) for p in products], pa.string()) for _, products in dataset.corpus.batches()]
    return Texts(pa.chunked_array(chunks, pa.string()))


def corpus_key(dataset: Dataset, builder: TextBuilder) -> str:
    """The checksum of the texts a model sees: dataset content + text-builder configuration."""
    return hashlib.sha256(f"{dataset.checksum}:{builder.fingerprint}".encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------
# What a format leaves out


NOT_IN_FORMAT = "not in this format"
CATEGORY_FORMATS = frozenset({TextFormat.FULL, TextFormat.TITLE_BRAND_CATEGORY_BULLETS})  # index class + category


@dataclass(frozen=True, slots=True)
class DroppedField:
    """A product field that is non-empty in ``products`` catalog items and (partly) missing from their texts."""

    field: str  # "brand", "description", "bullets", "product_class" or "category"
    products: int
    detail: str


def dropped_fields(dataset: Dataset, builder: TextBuilder) -> tuple[DroppedField, ...]:
    """The non-empty fields ``builder`` leaves out of ``dataset``'s texts, counted on the catalog's columns.

    Only the fields some format indexes are looked at (brand, description, bullets, product class, category);
    color is in no format's text. "Non-empty" means not just whitespace.
    """
    table = dataset.corpus.table
    fmt, found = builder.format, []
    if fmt is TextFormat.TITLE:
        found.append(_whole(table, "brand"))
    if fmt in (TextFormat.TITLE, TextFormat.TITLE_BRAND_BULLETS, TextFormat.TITLE_BRAND_CATEGORY_BULLETS):
        found.append(_whole(table, "description"))
    if fmt is TextFormat.SERIES:
        found.append(_truncated_descriptions(table.column("description"), builder.description_chars))
    if fmt is TextFormat.TITLE:
        found.append(DroppedField("bullets", _bullets_from(table.column("bullets"), 0), NOT_IN_FORMAT))
    elif fmt in (TextFormat.TITLE_BRAND_BULLETS, TextFormat.SERIES, TextFormat.TITLE_BRAND_CATEGORY_BULLETS):
        found.append(DroppedField("bullets", _bullets_from(table.column("bullets"), builder.max_bullets),
                                  f"after the first {builder.max_bullets}, max_bullets"))
    if fmt not in CATEGORY_FORMATS:
        found.extend(_whole(table, name) for name in ("product_class", "category"))
    return tuple(f for f in found if f.products)


def _non_empty(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    return pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0), False)


def _count(mask: pa.ChunkedArray | pa.Array) -> int:
    return int(pc.sum(mask).as_py() or 0)


def _whole(table: pa.Table, field: str) -> DroppedField:
    return DroppedField(field, _count(_non_empty(table.column(field))), NOT_IN_FORMAT)


def _truncated_descriptions(column: pa.ChunkedArray, chars: int) -> DroppedField:
    """Descriptions longer than ``chars`` once cleaned (only those longer before cleaning are cleaned)."""
    longer = column.filter(pc.fill_null(pc.greater(pc.utf8_length(column), chars), False))
    count = sum(1 for text in longer.to_pylist() if len(clean(text)) > chars)
    return DroppedField("description", count, f"after {chars} characters, description_chars")


def _bullets_from(column: pa.ChunkedArray, first: int) -> int:
    """How many products have a non-empty bullet at position ``first`` or later."""
    count = 0
    for chunk in column.chunks:
        values = pc.list_flatten(chunk)
        if not len(values):
            continue
        parents = pc.list_parent_indices(chunk).to_numpy()
        offsets = chunk.offsets.to_numpy()
        positions = np.arange(len(values)) + offsets[0] - offsets[parents]
        late = (positions >= first) & _non_empty(values).to_numpy(zero_copy_only=False)
        count += len(np.unique(parents[late]))
    return count

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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmark.core.errors import UnknownNameError
from benchmark.datasets.base import Dataset, Product
from benchmark.datasets.corpus import Corpus

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


class Texts(Sequence[str]):
    """Every product's text in doc-id order (position = index point id), built from the catalog when asked for
    and never held: a slice builds the texts of that slice's products, iteration goes a batch of products at a
    time. A reused index asks for none; building one asks twice (corpus statistics, then encoding)."""

    __slots__ = ("_builder", "_corpus")

    def __init__(self, corpus: Corpus, builder: TextBuilder) -> None:
        self._corpus, self._builder = corpus, builder

    def __len__(self) -> int:
        return len(self._corpus)

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return [self._builder.build(p) for p in self._corpus.products(start, stop)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._builder.build(self._corpus.product_at(index))

    def __iter__(self) -> Iterator[str]:
        for _, products in self._corpus.batches():
            yield from (self._builder.build(p) for p in products)


def corpus_texts(dataset: Dataset, builder: TextBuilder) -> Texts:
    """The catalog's texts in doc-id order, built a slice of products at a time as they are read (never all)."""
    return Texts(dataset.corpus, builder)


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
    color is in no format's text. "Non-empty" means not just whitespace. The catalog is read a record batch
    at a time (a whole column is never held).
    """
    fmt = builder.format
    checks: list[tuple[str, str, Any]] = []  # (field, detail, count of one batch)
    if fmt is TextFormat.TITLE:
        checks.append(("brand", NOT_IN_FORMAT, lambda b: _count(_non_empty(b.column("brand")))))
    if fmt in (TextFormat.TITLE, TextFormat.TITLE_BRAND_BULLETS, TextFormat.TITLE_BRAND_CATEGORY_BULLETS):
        checks.append(("description", NOT_IN_FORMAT, lambda b: _count(_non_empty(b.column("description")))))
    if fmt is TextFormat.SERIES:
        chars = builder.description_chars
        checks.append(("description", f"after {chars} characters, description_chars",
                       lambda b: _truncated_descriptions(b.column("description"), chars)))
    if fmt is TextFormat.TITLE:
        checks.append(("bullets", NOT_IN_FORMAT, lambda b: _bullets_from(b.column("bullets"), 0)))
    elif fmt in (TextFormat.TITLE_BRAND_BULLETS, TextFormat.SERIES, TextFormat.TITLE_BRAND_CATEGORY_BULLETS):
        first = builder.max_bullets
        checks.append(("bullets", f"after the first {first}, max_bullets",
                       lambda b: _bullets_from(b.column("bullets"), first)))
    if fmt not in CATEGORY_FORMATS:
        checks.extend((name, NOT_IN_FORMAT, lambda b, name=name: _count(_non_empty(b.column(name))))
                      for name in ("product_class", "category"))
    if not checks:
        return ()
    counts = [0] * len(checks)
    for batch in dataset.corpus.record_batches():
        for i, (_, _, count) in enumerate(checks):
            counts[i] += count(batch)
    return tuple(DroppedField(field, n, detail) for (field, detail, _), n in zip(checks, counts, strict=True) if n)


def _non_empty(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    return pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0), False)


def _count(mask: pa.ChunkedArray | pa.Array) -> int:
    return int(pc.sum(mask).as_py() or 0)


def _truncated_descriptions(column: pa.Array, chars: int) -> int:
    """Descriptions longer than ``chars`` once cleaned (only those longer before cleaning are cleaned)."""
    longer = column.filter(pc.fill_null(pc.greater(pc.utf8_length(column), chars), False))
    return sum(1 for text in longer.to_pylist() if len(clean(text)) > chars)


def _bullets_from(chunk: pa.ListArray, first: int) -> int:
    """How many products have a non-empty bullet at position ``first`` or later."""
    values = pc.list_flatten(chunk)
    if not len(values):
        return 0
    parents = pc.list_parent_indices(chunk).to_numpy()
    offsets = chunk.offsets.to_numpy()
    positions = np.arange(len(values)) + offsets[0] - offsets[parents]
    late = (positions >= first) & _non_empty(values).to_numpy(zero_copy_only=False)
    return len(np.unique(parents[late]))

"""Turn product fields into the one string a retriever indexes.

The builder's configuration is hashed together with the dataset checksum (:func:`corpus_key`), so
an index or cache built from one text format is never reused for another.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import asdict, dataclass
from enum import Enum

import pyarrow as pa

from benchmark.datasets.base import Dataset, Product
from benchmark.datasets.corpus import StringColumn
from benchmark.errors import UnknownNameError

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class TextFormat(str, Enum):
    """The product-text formats users know.

    - ``title``: the title alone.
    - ``title-brand-bullets``: ``title | brand | bullet | bullet ...`` (up to ``max_bullets``).
    - ``series``: the blog series' ``[brand] title | description[:200] | bullet | bullet | bullet``.
    - ``full``: ``title | brand | description | every bullet``, nothing truncated (BEIR's "title + text",
      as Pyserini's BM25-flat indexes it).
    """

    TITLE = "title"
    TITLE_BRAND_BULLETS = "title-brand-bullets"
    SERIES = "series"
    FULL = "full"

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

    def build(self, product: Product) -> str:
        title, brand = clean(product.title), clean(product.brand)
        bullets = [b for b in (clean(x) for x in product.bullets[: self.max_bullets]) if b]
        if self.format is TextFormat.TITLE:
            parts = [title]
        elif self.format is TextFormat.TITLE_BRAND_BULLETS:
            parts = [title, brand, *bullets]
        elif self.format is TextFormat.FULL:
            every = [b for b in (clean(x) for x in product.bullets) if b]
            parts = [title, brand, clean(product.description), *every]
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

"""One catalog item: what the columnar corpus (:mod:`benchmark.datasets.corpus`) builds on access and the dataset
record (:mod:`benchmark.datasets.base`) maps doc ids to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Product:
    """The fields of one catalog item. Empty string / empty tuple where a dataset has no such field.

    ``category`` is the category path (WANDS ``category hierarchy``: ``Furniture / ... / Beds``);
    ``product_class`` the dataset's product class (WANDS ``product_class``: ``Beds``).
    """

    title: str
    brand: str = ""
    description: str = ""
    bullets: tuple[str, ...] = ()
    color: str = ""
    category: str = ""
    product_class: str = ""

"""Deterministic train/dev/test assignment for datasets that ship without an official split.

A query's split depends only on its normalised text (lower-cased, whitespace collapsed), hashed
with a fixed salt: the same query lands in the same split on every machine and in every subset
of the data, and case/spacing variants of one query can never straddle train and test. Datasets split
this way pass ``derived_splits=True`` to ``make_dataset``: split :data:`ALL_SPLIT` then evaluates every query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

SALT = "shopbench-split-v1"
# Every query of a dataset whose splits shopbench assigned (``Dataset.derived_splits``): the evaluation set of
# the published numbers of datasets without an official split (WANDS: all 480 queries). Not a stored split.
ALL_SPLIT = "all"


def normalise_query(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass(frozen=True, slots=True)
class HashSplit:
    """Ratios of train / dev / test (the rest). Default 80 / 10 / 10."""

    train: float = 0.8
    dev: float = 0.1

    def __post_init__(self) -> None:
        if not (0 <= self.train and 0 <= self.dev and self.train + self.dev <= 1):
            raise ValueError(f"invalid split ratios train={self.train} dev={self.dev}")

    def assign(self, text: str) -> str:
        digest = hashlib.sha256(f"{SALT}:{normalise_query(text)}".encode()).digest()
        u = int.from_bytes(digest[:8], "big") / 2**64
        if u < self.train:
            return "train"
        if u < self.train + self.dev:
            return "dev"
        return "test"

    def split_queries(self, queries: Mapping[str, str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {"train": set(), "dev": set(), "test": set()}
        for qid, text in queries.items():
            out[self.assign(text)].add(qid)
        return out

    def describe(self) -> str:
        test = 1 - self.train - self.dev
        return f"hash of normalised query text ({SALT}): train {self.train:.0%} / dev {self.dev:.0%} / test {test:.0%}"


def stable_query_id(prefix: str, text: str) -> str:
    """An id that depends only on the exact query text (so subsets of a dataset agree on ids)."""
    return f"{prefix}{hashlib.sha256(text.encode()).hexdigest()[:12]}"



"""Training pairs from each dataset's train split, and the guard that keeps evaluation queries out.

Only queries of a dataset's ``train_split`` are trained on. Before anything is built,
:func:`check_leakage` compares the normalised text (lower-cased, whitespace collapsed: the text the
hash splits are made from) of every training query with every query of the dataset's holdout
splits (by default all its other splits, plus a ``dev_holdout`` carved from train); an overlap is
an error naming the dataset, the count and examples, unless the spec says ``leakage: drop``.

Positive rule (what counts as a positive product for a query), per dataset:

* ``positive_labels``: the dataset's own labels (ESCI ``E``/``S``, WANDS ``Exact``, ...);
* ``min_gain``: every judged product with ``gain >= min_gain``;
* neither: :data:`DEFAULT_POSITIVES`: ESCI ``E`` and ``S``; WANDS ``Exact``; Home Depot gain >= 4,
  i.e. a rater mean >= 2.25 (the mean values are 1, 1.25, 1.33, ..., 2.25, 2.33, ...; 2.25 occurs in
  11 rows, so this is the usual ">= 2.33" rule); any other dataset ``gain >= relevant_level``.

A judged product absent from the catalog (a judgement kept for evaluation, see
:func:`~benchmark.datasets.base.absent_judgements`) has no text: it is never a positive or a judged negative,
and the number of positives skipped for that reason is a count in the dataset's stats (``positives_absent``).
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from benchmark.core.errors import ShopbenchError
from benchmark.datasets.base import Dataset
from benchmark.datasets.registry import load_dataset
from benchmark.datasets.splits import normalise_query
from benchmark.datasets.text import TextBuilder
from benchmark.train.config import DatasetSpec, TrainConfig

DEFAULT_POSITIVES: dict[str, tuple[str, ...] | int] = {"esci": ("E", "S"), "wands": ("Exact",), "homedepot": 4}
HOLDOUT_SALT = "shopbench-train-dev-holdout-v1"


class LeakageError(ShopbenchError):
    """A training query (normalised text) is also a dev/test query of the same dataset."""


@dataclass(frozen=True, slots=True)
class PositiveRule:
    gains: frozenset[int]
    description: str

    def __contains__(self, gain: int) -> bool:
        return gain in self.gains


@dataclass(frozen=True, slots=True)
class Pair:
    qid: str
    query: str
    doc_id: str


@dataclass
class DatasetPairs:
    """One dataset's training material: pairs, the judged products, the dev queries and counts."""

    spec: DatasetSpec
    dataset: Dataset
    rule: PositiveRule
    pairs: list[Pair]
    train_queries: dict[str, str]  # every training query (after caps) with at least one positive
    dev_queries: dict[str, str]  # queries the dev metric is computed on (dev split or dev_holdout)
    stats: dict[str, int | str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.label

    def relevant(self, qid: str) -> set[str]:
        """Judged products that mining must never use as negatives: positives and anything judged relevant."""
        level = min(self.dataset.gains.relevant_level, min(self.rule.gains, default=0))
        return {d for d, g in self.dataset.qrels.get(qid, {}).items() if g >= level or g in self.rule}


def positive_rule(spec: DatasetSpec, dataset: Dataset) -> PositiveRule:
    labels = dataset.gains.labels
    gains_present = sorted({g for docs in dataset.qrels.values() for g in docs.values()} | set(labels.values()))
    if spec.positive_labels is not None:
        unknown = [label for label in spec.positive_labels if label not in labels]
        if unknown:
            raise ShopbenchError(f"dataset {spec.label}: unknown positive label(s) {unknown}; labels: "
                                 f"{', '.join(labels)}")
        chosen = frozenset(labels[label] for label in spec.positive_labels)
        return PositiveRule(chosen, f"labels {', '.join(spec.positive_labels)} (gains {sorted(chosen)})")
    if spec.min_gain is not None:
        return PositiveRule(frozenset(g for g in gains_present if g >= spec.min_gain), f"gain >= {spec.min_gain}")
    default = DEFAULT_POSITIVES.get(dataset.name)
    if isinstance(default, tuple) and all(label in labels for label in default):
        chosen = frozenset(labels[label] for label in default)
        return PositiveRule(chosen, f"labels {', '.join(default)} (default; gains {sorted(chosen)})")
    level = default if isinstance(default, int) else dataset.gains.relevant_level
    return PositiveRule(frozenset(g for g in gains_present if g >= level), f"gain >= {level} (default)")


def _hash_unit(text: str) -> float:
    digest = hashlib.sha256(f"{HOLDOUT_SALT}:{normalise_query(text)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_train_dev(spec: DatasetSpec, dataset: Dataset) -> tuple[dict[str, str], dict[str, str]]:
    """(training queries, dev queries). The dev set is ``dev_split`` or a hash-chosen slice of train."""
    train = dataset.split(spec.train_split).queries
    if spec.dev_holdout:
        dev = {q: t for q, t in train.items() if _hash_unit(t) < spec.dev_holdout}
        return {q: t for q, t in train.items() if q not in dev}, dev
    if spec.dev_split and spec.dev_split in dataset.splits:
        return dict(train), dict(dataset.split(spec.dev_split).queries)
    return dict(train), {}


def holdout_texts(spec: DatasetSpec, dataset: Dataset, dev: Mapping[str, str]) -> dict[str, str]:
    """normalised text -> a split it is held out in."""
    names = spec.holdout_splits
    if names is None:
        names = [s for s in sorted(dataset.splits) if s != spec.train_split]
    missing = [s for s in names if s not in dataset.splits]
    if missing:
        raise ShopbenchError(f"dataset {spec.label}: holdout split(s) {missing} do not exist; splits: "
                             f"{', '.join(sorted(dataset.splits))}")
    out: dict[str, str] = {}
    for split in names:
        for qid in dataset.splits[split]:
            out.setdefault(normalise_query(dataset.queries[qid]), split)
    if spec.dev_holdout:
        for text in dev.values():
            out.setdefault(normalise_query(text), "dev_holdout")
    return out


def check_leakage(spec: DatasetSpec, train: Mapping[str, str], held: Mapping[str, str]) -> list[str]:
    """Training query ids whose normalised text is held out. Raises unless ``leakage: drop``."""
    leaked = sorted(q for q, text in train.items() if normalise_query(text) in held)
    if leaked and spec.leakage == "error":
        where = Counter(held[normalise_query(train[q])] for q in leaked)
        examples = ", ".join(repr(train[q]) for q in leaked[:3])
        one = len(leaked) == 1
        raise LeakageError(
            f"dataset {spec.label}: {len(leaked)} training quer{'y' if one else 'ies'} of split "
            f"'{spec.train_split}' also occur{'s' if one else ''} (normalised text) in held-out split(s) "
            f"{dict(where)}, e.g. {examples}; training on {'it' if one else 'them'} would leak evaluation "
            "queries. Fix the splits, or set datasets.<i>.leakage: drop to drop them"
        )
    return leaked


def build_pairs(spec: DatasetSpec, dataset: Dataset, seed: int) -> DatasetPairs:
    rule = positive_rule(spec, dataset)
    train, dev = split_train_dev(spec, dataset)
    leaked = check_leakage(spec, train, holdout_texts(spec, dataset, dev))
    for qid in leaked:
        train.pop(qid)
    rng = random.Random(f"{seed}:{spec.label}")
    qids = sorted(train)
    if spec.max_queries is not None and len(qids) > spec.max_queries:
        qids = sorted(rng.sample(qids, spec.max_queries))
    pairs: list[Pair] = []
    kept: dict[str, str] = {}
    absent = 0
    for qid in qids:
        judged, skipped = _positives(dataset, qid, rule)
        absent += skipped
        rng.shuffle(judged)
        judged.sort(key=lambda item: -item[1])  # stable: highest gain first, ties in shuffled order
        if spec.max_positives_per_query is not None:
            judged = judged[: spec.max_positives_per_query]
        if judged:
            kept[qid] = train[qid]
        pairs.extend(Pair(qid, train[qid], doc) for doc, _ in judged)
    if spec.max_pairs is not None and len(pairs) > spec.max_pairs:
        pairs = rng.sample(pairs, spec.max_pairs)
        kept = {p.qid: p.query for p in pairs}
    rng.shuffle(pairs)
    if not pairs:
        raise ShopbenchError(f"dataset {spec.label}: no (query, positive) pair in split '{spec.train_split}' "
                             f"under the positive rule {rule.description}")
    stats: dict[str, int | str] = {
        "train_split_queries": len(dataset.splits[spec.train_split]), "dev_holdout_queries":
        len(dev) if spec.dev_holdout else 0, "leaked_dropped": len(leaked), "queries": len(kept),
        "pairs": len(pairs), "positive_rule": rule.description, "dev_queries": len(dev),
        "positives_absent": absent,
    }
    return DatasetPairs(spec, dataset, rule, pairs, kept, dev, stats)


def _positives(dataset: Dataset, qid: str, rule: PositiveRule) -> tuple[list[tuple[str, int]], int]:
    """A query's judged products under the positive rule that are in the catalog, and how many are not."""
    judged = [(d, g) for d, g in sorted(dataset.qrels.get(qid, {}).items()) if g in rule]
    if not judged:
        return judged, 0
    here = [(d, g) for (d, g), known in zip(judged, dataset.corpus.contains_each([d for d, _ in judged]), strict=True)
            if known]
    return here, len(judged) - len(here)


def load_training_data(config: TrainConfig, cache_dir=None) -> list[DatasetPairs]:
    out = []
    for spec in config.datasets:
        dataset = load_dataset(spec.name, data_dir=spec.data_dir, options=spec.options, cache_dir=cache_dir)
        if spec.train_split not in dataset.splits:
            raise ShopbenchError(f"dataset {spec.label} has no split '{spec.train_split}'; splits: "
                                 f"{', '.join(sorted(dataset.splits))}")
        out.append(build_pairs(spec, dataset, config.seed))
    return out


def doc_text(builder: TextBuilder, dataset: Dataset, doc_id: str, cache: dict[str, str]) -> str:
    text = cache.get(doc_id)
    if text is None:
        text = cache[doc_id] = builder.build(dataset.corpus[doc_id])
    return text


def judged_negatives(pairs: DatasetPairs, seed: int) -> tuple[dict[str, list[str]], dict[str, int]]:
    """qid -> ``spec.judged_negatives`` products judged for the query below the positive rule (lowest gain
    first, ties in seeded order), filled with random products not judged for it; and counts."""
    n = pairs.spec.judged_negatives
    rng = random.Random(f"{seed}:judged-negatives:{pairs.name}")
    doc_ids = sorted(pairs.dataset.corpus)
    out: dict[str, list[str]] = {}
    counts = {"judged": 0, "filled_random": 0, "queries_filled": 0}
    for qid in sorted(pairs.train_queries):
        judged = pairs.dataset.qrels.get(qid, {})
        below = [(d, g) for d, g in sorted(judged.items()) if g not in pairs.rule and d in pairs.dataset.corpus]
        rng.shuffle(below)
        below.sort(key=lambda item: item[1])  # stable: lowest gain first
        chosen = [d for d, _ in below[:n]]
        counts["judged"] += len(chosen)
        missing = n - len(chosen)
        if missing:
            counts["filled_random"] += missing
            counts["queries_filled"] += 1
            judged_here = sum(1 for d in judged if d in pairs.dataset.corpus)
            while len(chosen) < n and len(chosen) + judged_here < len(doc_ids):
                doc = doc_ids[rng.randrange(len(doc_ids))]
                if doc not in judged and doc not in chosen:
                    chosen.append(doc)
        out[qid] = chosen
    return out, counts


def merge_negatives(first: Mapping[str, Sequence[str]] | None,
                    second: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]] | None:
    """Per query, ``first``'s negatives then ``second``'s (without repeats); None when both are None."""
    if first is None and second is None:
        return None
    out: dict[str, list[str]] = {}
    for qid in set(first or {}) | set(second or {}):
        docs = list((first or {}).get(qid, ()))
        docs += [d for d in (second or {}).get(qid, ()) if d not in docs]
        out[qid] = docs
    return out


def rows_for(pairs: DatasetPairs, builder: TextBuilder, negatives: Mapping[str, Sequence[str]] | None,
             n_negatives: int) -> dict[str, list[str]]:
    """Columns (query, positive[, negative_1..n]) for a ``datasets.Dataset``; pair order is kept."""
    cache: dict[str, str] = {}
    columns: dict[str, list[str]] = {"query": [], "positive": []}
    names = [f"negative_{i + 1}" for i in range(n_negatives)] if negatives is not None else []
    for name in names:
        columns[name] = []
    for pair in pairs.pairs:
        if negatives is not None and len(negatives.get(pair.qid, ())) < n_negatives:
            continue  # mining found too few negatives for this query (counted in the round's stats)
        columns["query"].append(pair.query)
        columns["positive"].append(doc_text(builder, pairs.dataset, pair.doc_id, cache))
        for name, doc in zip(names, negatives.get(pair.qid, ()) if negatives is not None else (), strict=False):
            columns[name].append(doc_text(builder, pairs.dataset, doc, cache))
    return columns


def describe(datasets: Iterable[DatasetPairs]) -> list[dict[str, int | str]]:
    return [{"dataset": p.name, **p.stats} for p in datasets]

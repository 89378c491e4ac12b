from __future__ import annotations

import dataclasses

import pytest

from benchmark.core.errors import ShopbenchError
from benchmark.datasets.base import GainScheme, Product, make_dataset

GAINS = GainScheme({"E": 2, "I": 0}, relevant_level=1)


def _parts():
    corpus = {"a": Product("Drill 18V", brand="Voltix"), "b": Product("Battery")}
    queries = {"q1": "drill", "q2": "battery"}
    qrels = {"q1": {"a": 2, "b": 0}, "q2": {"b": 2}}
    splits = {"train": ["q1"], "test": ["q2"]}
    return corpus, queries, qrels, splits


def test_record_is_immutable():
    ds = make_dataset("t", *_parts(), GAINS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ds.corpus["c"] = Product("new")  # type: ignore[index]
    with pytest.raises(TypeError):
        ds.qrels["q1"]["a"] = 0  # type: ignore[index]
    with pytest.raises(TypeError):
        ds.gains.labels["S"] = 1  # type: ignore[index]
    assert isinstance(ds.splits["train"], frozenset)


def test_record_does_not_alias_the_callers_dicts():
    corpus, queries, qrels, splits = _parts()
    ds = make_dataset("t", corpus, queries, qrels, splits, GAINS)
    qrels["q1"]["a"] = 0
    queries["q3"] = "new"
    assert ds.qrels["q1"]["a"] == 2 and "q3" not in ds.queries


def test_checksum_ignores_insertion_order_but_sees_every_field():
    corpus, queries, qrels, splits = _parts()
    base = make_dataset("t", corpus, queries, qrels, splits, GAINS).checksum
    reordered = make_dataset("other-name", dict(reversed(corpus.items())), dict(reversed(queries.items())),
                             {q: dict(reversed(d.items())) for q, d in reversed(qrels.items())}, splits, GAINS)
    assert reordered.checksum == base
    changes = [
        ({**corpus, "a": Product("Drill 18V", brand="Other")}, queries, qrels, splits, GAINS),
        ({**corpus, "a": Product("Drill 18V", brand="Voltix", bullets=("x",))}, queries, qrels, splits, GAINS),
        (corpus, {**queries, "q1": "drills"}, qrels, splits, GAINS),
        (corpus, queries, {**qrels, "q1": {"a": 1, "b": 0}}, splits, GAINS),
        (corpus, queries, qrels, {"train": ["q1", "q2"], "test": []}, GAINS),
        (corpus, queries, qrels, splits, GainScheme({"E": 2, "I": 0}, relevant_level=2)),
    ]
    sums = {make_dataset("t", *c[:4], c[4]).checksum for c in changes}
    assert base not in sums and len(sums) == len(changes)


def test_counts_and_split_view():
    ds = make_dataset("t", *_parts(), GAINS)
    counts = ds.counts
    assert (counts.products, counts.queries, counts.judgements) == (2, 2, 3)
    assert dict(counts.queries_per_split) == {"train": 1, "test": 1}
    assert dict(counts.judgements_per_split) == {"train": 2, "test": 1}
    assert dict(counts.judgements_per_gain) == {0: 1, 2: 2}
    view = ds.split("test")
    assert dict(view.queries) == {"q2": "battery"} and set(view.qrels) == {"q2"}
    with pytest.raises(ShopbenchError, match="no split 'dev'; splits: test, train"):
        ds.split("dev")

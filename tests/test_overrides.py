"""The one ``--set`` value parser (benchmark.core.overrides), shared by retriever settings and the training config."""

from __future__ import annotations

import math

import pytest

from benchmark.core.errors import ShopbenchError
from benchmark.core.overrides import OverrideError, parse_pair, parse_value, split_pair
from benchmark.fusion.resolve import overrides_for
from benchmark.fusion.resolve import resolve_system as resolve_config
from benchmark.train.config import TrainConfigError, split_overrides
from retrievers.errors import ConfigError

# Before the merge, retrievers.registry kept only YAML scalars (every other text stayed raw, quotes included)
# and benchmark.train.config took whatever PyYAML (YAML 1.1) returned. Where they differed, marked "was":
CASES = [
    ("60", 60),
    ("-3", -3),
    ("+5", 5),
    ("0", 0),
    ("0.5", 0.5),
    (".5", 0.5),
    ("07.5", 7.5),
    # YAML 1.1 needs a dot in a float: both read 1e-4 as the string "1e-4". Now a float (YAML 1.2), so a
    # setting of any type gets the number.
    ("1e-4", 1e-4),
    ("1.0e5", 1e5),
    ("true", True),
    ("False", False),
    ("yes", True),  # YAML 1.1 booleans kept: config files (yaml.safe_load) read them so, and both parsers did
    ("off", False),
    ("null", None),
    ("~", None),
    ("", None),  # an empty value is null (both parsers): `--set model=` restores the default
    # Leading zeros: YAML 1.1 read 010 as octal 8 yet 08 as a string (both parsers). Now both stay text as
    # written; a number setting still converts them (rrf_k=060 -> 60), a text setting keeps the zero.
    ("08", "08"),
    ("010", "010"),
    ("2024-01-01", "2024-01-01"),  # train: was datetime.date; a date is never a setting
    ("0.4,0.4,0.2", "0.4,0.4,0.2"),  # not YAML list syntax: text (the weights setting splits it)
    # Flow collections: registry was the raw text, train a list/dict. Typed won: train's [E, S] needs it and
    # the fusion settings take lists and mappings (weights=[0.7,0.3], weights={bm25: 0.6, dense: 0.4}).
    ("[1,2]", [1, 2]),
    ("[E, S]", ["E", "S"]),
    ("{a: 1}", {"a": 1}),
    # Block structure: train was {"a": "b"} / ["x"], registry the text. Text won: a value with ": " in it
    # (a model description, a path) must not turn into a mapping.
    ("a: b", "a: b"),
    ("- x", "- x"),
    ("a=b", "a=b"),
    # Quotes: registry kept them ("'010'"), train removed them. Removing won: quoting is how to force text.
    ("'010'", "010"),
    ('"yes"', "yes"),
    # Unquoted text is kept as written: train dropped " #2" as a YAML comment, the registry kept it.
    ("./m #2", "./m #2"),
    ("hf:org/name", "hf:org/name"),
    ("1:30", "1:30"),  # YAML 1.1 sexagesimal (90) in both; text now
    ("@x", "@x"),  # not valid YAML: the text
    ("!!binary aGk=", "!!binary aGk="),  # not a setting type: the text
    ("  1.2  ", 1.2),
]


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[repr(raw) for raw, _ in CASES])
def test_parse_value(raw, expected):
    value = parse_value(raw)
    assert value == expected and type(value) is type(expected)


def test_special_floats():
    assert parse_value(".inf") == math.inf and math.isnan(parse_value(".nan"))


@pytest.mark.parametrize(("pair", "expected"), [
    ("k1=1.2", ("k1", 1.2)),
    (" k1 = 1.2 ", ("k1", 1.2)),
    ("query=a=b", ("query", "a=b")),  # split at the first "="
    ("model=", ("model", None)),
    ("datasets.0.positive_labels=[E, S]", ("datasets.0.positive_labels", ["E", "S"])),
])
def test_parse_pair(pair, expected):
    assert parse_pair(pair) == expected


@pytest.mark.parametrize("pair", ["k1", "=1.2", " =1.2", ""])
def test_a_pair_needs_a_key_and_an_equals_sign(pair):
    with pytest.raises(OverrideError, match="--set expects key=value"):
        parse_pair(pair)
    assert issubclass(OverrideError, ShopbenchError)
    with pytest.raises(OverrideError, match="--option expects key=value"):
        split_pair(pair, "--option")


def test_both_users_parse_alike_and_keep_their_error_types():
    pairs = ["a=1e-4", "b=08", "c=[1, 2]", "d=a: b", "e='x'", "f="]
    expected = {"a": 1e-4, "b": "08", "c": [1, 2], "d": "a: b", "e": "x", "f": None}
    assert split_overrides(pairs) == expected
    assert overrides_for("bm25", pairs) == expected
    with pytest.raises(TrainConfigError, match="key=value"):
        split_overrides(["batch_size"])
    with pytest.raises(ConfigError, match="key=value"):
        overrides_for("bm25", ["k1"])
    with pytest.raises(ConfigError, match="key=value"):
        resolve_config("bm25", ["=1"])


def test_typed_settings_convert_text_values():
    assert resolve_config("bm25", ["k1=1e-1"]).k1 == 0.1
    fused = resolve_config("hybrid:bm25+bm25-rank", ["rrf_k=060"])
    assert fused.settings.rrf_k == 60
    wsum = resolve_config("hybrid:bm25+bm25-rank", ["method=wsum", "weights={bm25: 0.6, bm25-rank: 0.4}"])
    assert wsum.settings.weights == (0.6, 0.4)

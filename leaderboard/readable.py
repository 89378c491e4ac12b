"""A system's settings as a label can show them: named, ordered, without machine paths.

Each :class:`Setting` has a key (what is compared between two systems of one name) and the text a label
shows (``k1=1.2``). The model comes first (``model=demo-cpu``, its registered name or folder name, never a
path), then a fused system's fusion (``method=wsum``, the weights named by their parts: ``bm25=0.4,
splade-ft=0.4, dense=0.2``), then every other setting; the weights' hash last (shown only when nothing
readable differs).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from benchmark.fusion.record import fusion, is_fused, named_weights, part_names, parts, weights_text
from benchmark.ranking.results import ResultRecord
from leaderboard.models import model_names, model_refs, record_refs
from leaderboard.portable import portable

MAX_VALUE_CHARS = 24
FUSION_ORDER = ("method", "tuning", "weights", "rrf_k", "norm", "depth", "where")
# description keys a label never shows: names (the label starts with it), kinds, and what the model
# setting already says (encoders' models, the configured model folder)
HIDDEN = frozenset({"name", "kind", "model"})


class Rank(IntEnum):
    MODEL = 0
    FUSION = 1
    SETTING = 2
    HASH = 9


@dataclass(frozen=True, slots=True)
class Setting:
    text: str  # as a label shows it: ``k1=1.2``; ``bm25=0.4, dense=0.6`` for weights
    rank: Rank
    position: int  # order within a rank


def readable_settings(record: ResultRecord) -> dict[str, Setting]:
    """Key -> setting for one result (see the module docstring for the order)."""
    found: dict[str, Setting] = {}
    if is_fused(record):
        for key, text in _fusion_settings(record):
            _add(found, key, text, Rank.FUSION)
        for name, part in zip(part_names(record), parts(record), strict=True):
            description = part.get("retriever")
            if isinstance(description, Mapping):
                models = model_names(str(part.get("name", "")), model_refs(description))
                _add(found, f"{name}.model", _setting(f"{name}.model", models), Rank.SETTING)
                for leaf, value in _by_leaf(description):
                    _add(found, f"{name}.{leaf}", f"{name}.{leaf}={value}", Rank.SETTING)
        for leaf, value in _by_leaf({"text": record.retriever.config.get("text")}):
            _add(found, leaf, f"{leaf}={value}", Rank.SETTING)
    else:
        refs = record_refs(record)
        _add(found, "model", _setting("model", model_names(record.retriever.name, refs)), Rank.MODEL)
        _add(found, "revision", _setting("revision", " + ".join(r.revision[:12] for r in refs if r.revision)),
             Rank.MODEL)
        for leaf, value in _by_leaf(record.retriever.config):
            _add(found, leaf, f"{leaf}={value}", Rank.SETTING)
        _add(found, "sha256", _setting("sha256", " + ".join(r.weights_sha256[:8] for r in refs if r.weights_sha256)),
             Rank.HASH)
    for leaf, value in _by_leaf(record.text_builder):
        _add(found, leaf, f"{leaf}={value}", Rank.SETTING)
    return found


def _add(found: dict[str, Setting], key: str, text: str | None, rank: Rank) -> None:
    """Keep the first setting of each key (``k1`` is in a retriever's config and in its encoder's)."""
    if text and key not in found:
        found[key] = Setting(text, rank, len(found))


def _setting(name: str, value: Any) -> str | None:
    return None if value in (None, "") else f"{name}={_short(value)}"


def _fusion_settings(record: ResultRecord) -> Iterator[tuple[str, str]]:
    used = fusion(record)
    for key in FUSION_ORDER:
        value = used.get(key)
        if key == "weights":
            if named_weights(record):
                yield "weights", weights_text(record)
        elif key == "tuning":
            if isinstance(value, Mapping) and value:
                yield "tuning", f"tune={value.get('split')}"
        elif value is not None:
            yield key, f"{key}={_short(portable(value))}"


def _by_leaf(description: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(leaf name, short value)`` for every scalar of a description, in key order, paths shortened."""
    for key, value in _leaves(portable(description)):
        yield key.rsplit(".", 1)[-1], _short(value)


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted key, value)`` for every scalar under ``value`` (None and :data:`HIDDEN` keys left out)."""
    if isinstance(value, Mapping):
        for key in sorted(value, key=str):
            if str(key) not in HIDDEN:
                yield from _leaves(value[key], f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{prefix}.{i}")
    elif value is not None and prefix:
        yield prefix, value


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"

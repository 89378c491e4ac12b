"""One parser for ``--set key=value`` overrides (retriever settings and training config alike).

A value is read as YAML with a few deliberate differences from PyYAML's YAML 1.1 rules, so that a
value typed on the command line means one thing wherever it is used:

* scalars are typed: ``60`` -> 60, ``0.5`` -> 0.5, ``true``/``yes``/``off`` -> bool, ``null``/``~``/empty -> None;
* ``1e-4`` is a float (YAML 1.1 needs a dot: it read ``1e-4`` as a string);
* integers with a leading zero (``08``, ``010``) stay strings (YAML 1.1 read ``010`` as octal 8 but ``08`` as
  a string); a typed setting still converts the string, a text setting keeps it as written;
* dates (``2024-01-01``) stay strings;
* flow collections are typed (``[E, S]`` -> list, ``{a: 1}`` -> dict); text that YAML would read as a block
  structure (``a: b``, ``- x``) stays the literal string, as does anything YAML cannot parse;
* a quoted value (``'010'``, ``"yes"``) is that string without its quotes; any other text is kept exactly as
  written (so ``model=./m #2`` keeps its ``#2``, which YAML would drop as a comment).

Config files (retriever settings, training configs, the regression matrix) are read by :func:`read_yaml_mapping`
with the same rules, so ``k1: 1e-4`` in a file and ``--set k1=1e-4`` give the same float.

Standard library, ``yaml`` and :mod:`benchmark.core.errors` only: both ``retrievers.registry`` and
``benchmark.train.config`` build on it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from benchmark.core.errors import ShopbenchError

__all__ = ["OverrideError", "parse_pair", "parse_value", "read_yaml_mapping", "split_pair"]

_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?
                        |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
                        |[-+]?\.(?:inf|Inf|INF)
                        |\.(?:nan|NaN|NAN))$""", re.VERBOSE)
_REPLACED = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp",
             "tag:yaml.org,2002:value"}


class OverrideError(ShopbenchError):
    """A ``key=value`` override is malformed."""


class _ValueLoader(yaml.SafeLoader):
    """SafeLoader with the number and date rules above (the class-level resolver table is copied, not shared)."""


_ValueLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_ValueLoader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_ValueLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return False  # bytes (!!binary), sets (!!set), explicit !!timestamp: not settings


def parse_value(raw: str) -> Any:
    """The typed value of one override (see the module docstring for the rules)."""
    text = raw.strip()
    try:
        value = yaml.load(text, Loader=_ValueLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError:
        return text
    if not _plain(value):
        return text
    if isinstance(value, (list, dict)):
        return value if text[:1] in ("[", "{") else text
    if isinstance(value, str):
        quoted = len(text) >= 2 and text[0] == text[-1] and text[0] in "'\""
        return value if quoted else text
    return value


def split_pair(pair: str, flag: str = "--set") -> tuple[str, str]:
    """``"key=value"`` -> ``("key", "value")``, both stripped; the value may hold ``=`` (split at the first)."""
    key, sep, raw = pair.partition("=")
    if not sep or not key.strip():
        raise OverrideError(f"{flag} expects key=value, got {pair!r}")
    return key.strip(), raw.strip()


def parse_pair(pair: str, flag: str = "--set") -> tuple[str, Any]:
    """``"key=value"`` -> ``(key, parse_value(value))``; :class:`OverrideError` when there is no ``=`` or key."""
    key, raw = split_pair(pair, flag)
    return key, parse_value(raw)


def read_yaml_mapping(path: Path | str, what: str, error: type[ShopbenchError] = ShopbenchError) -> dict[str, Any]:
    """A YAML file whose top level is a mapping, read with the value rules above (an empty file is ``{}``).

    A missing or unreadable file, bad YAML (with its line and column) or a top level that is not a mapping raises
    ``error`` naming the file and ``what`` it should hold."""
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_ValueLoader) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise error(f"{path}: cannot read {what}: {err}") from None
    if not isinstance(data, dict):
        raise error(f"{path}: {what} must be a mapping of settings, got {type(data).__name__}")
    return data


"""Machine paths out of shared output: an absolute path shows as ``…/<last component>``.

Result files record what ran, including the paths of the machine that ran it (a model folder, the
``--data-dir`` and ``--output-dir`` of the command). A leaderboard, a `bench compare` output or a model card is
read on other machines: there an absolute path says nothing useful and tells where someone keeps their files.
Only the last component is kept (``/home/me/.cache/shopbench/models/hd-cpu`` -> ``…/hd-cpu``). Relative
paths, hub ids (``naver/splade-v3``) and URLs (``http://host:6333``) are not machine paths and stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

ELLIPSIS = "…"

# An absolute path starts the text or follows whitespace, an opening bracket or quote, or a separator such as
# ``=`` or ``:`` (``--x=/p``, ``beir:/p``):
# ``/p``, ``~/p``, ``~user/p``, ``C:\p``, ``C:/p``. Not ``a/b`` (relative), not ``//host`` (a URL's authority).
_PATH = re.compile(r"(?:^|(?<=[\s=:,(\[{'\"]))(?:~[\w.-]*|[A-Za-z]:)?[/\\](?=[^/\\\s])[^\s,;\"'`()\[\]{}<>|]*")
_SEPARATORS = re.compile(r"[/\\]+")


def path_tail(path: str) -> str:
    """The last component of a path (``/a/b/`` -> ``b``); the path itself when it has none."""
    parts = [p for p in _SEPARATORS.split(path) if p]
    return parts[-1] if parts else path


def is_machine_path(text: str) -> bool:
    """Whether all of ``text`` is one absolute path."""
    match = _PATH.fullmatch(text)
    return match is not None


def shorten_paths(text: str) -> str:
    """``text`` with every absolute path in it replaced by ``…/<last component>``."""
    return _PATH.sub(_shortened, text)


def _shortened(match: re.Match[str]) -> str:
    tail = path_tail(match.group())
    return match.group() if tail == match.group() else f"{ELLIPSIS}/{tail}"


def portable(value: Any) -> Any:
    """``value`` (JSON-like: mappings, lists, scalars) with the absolute paths in its strings shortened."""
    if isinstance(value, str):
        return shorten_paths(value)
    if isinstance(value, Mapping):
        return {portable(k): portable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [portable(v) for v in value]
    return value

"""HTML building blocks that untrusted text cannot break: text is escaped unless it is :class:`Html`.

:func:`el` builds an element from escaped text and attributes; it refuses ``on*`` attributes, so no event handler
can come from data (the page's script attaches its listeners itself). :func:`json_script` embeds data for the
script in a ``<script type="application/json">`` block that no string can close early.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*\Z")
VOID = frozenset({"meta", "link", "br", "hr", "img", "input"})


class Html(str):
    """Markup that is already safe (built by this module); any other ``str`` is escaped when inserted."""

    __slots__ = ()


def text(value: object) -> Html:
    """``value`` as inert text: ``& < > " '`` escaped, control characters (except tab and newline) made spaces."""
    if isinstance(value, Html):
        return value
    return Html(html.escape(_CONTROL.sub(" ", str(value)), quote=True))


def _children(children: Iterable[Any]) -> Iterable[str]:
    for child in children:
        if child is None:
            continue
        if isinstance(child, str | int | float):
            yield text(child)
        else:
            yield from _children(child)


def attrs(values: Mapping[str, object]) -> str:
    """`` name="value"`` pairs; names are fixed by the code (letters, digits and ``-``; no ``on*``), values escaped. ``True``
    gives a bare attribute, ``None`` and ``False`` leave it out."""
    out = []
    for raw, value in values.items():
        name = raw.rstrip("_").replace("_", "-")
        if not _NAME.match(name) or name.lower().startswith("on"):
            raise ValueError(f"attribute name {raw!r} is not allowed")
        if value is None or value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{text(value)}"')
    return "".join(out)


def el(tag: str, *children: Any, **attributes: object) -> Html:
    """``<tag attrs>children</tag>``: ``class_="x"`` gives ``class="x"``, ``data_sort=1`` gives ``data-sort="1"``."""
    if not _NAME.match(tag) or tag.lower() in {"script", "iframe", "object", "embed"}:
        raise ValueError(f"tag {tag!r} is not allowed (scripts come only from json_script and the page)")
    opening = f"<{tag}{attrs(attributes)}>"
    if tag in VOID:
        return Html(opening)
    return Html(opening + "".join(_children(children)) + f"</{tag}>")


def join(parts: Iterable[Any], separator: str = "") -> Html:
    return Html(text(separator).join(_children(parts)))


def json_text(data: object) -> str:
    """Canonical JSON (sorted keys, ASCII) in which ``<``, ``>`` and ``&`` are ``\\u`` escapes: it can sit inside a
    ``<script>`` element without ending it, whatever the strings hold."""
    raw = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_script(element_id: str, data: object) -> Html:
    """A data block for the page's script (read with ``JSON.parse(element.textContent)``); never executed."""
    return Html(f'<script type="application/json"{attrs({"id": element_id})}>{json_text(data)}</script>')

"""Markdown building blocks that untrusted text (system names, model ids, commands) cannot break."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def escape(text: str) -> str:
    """Text safe inside a table cell or mid-line (not at a line start): HTML-escaped, the inline markdown
    characters (``\\ ` * _ [ ] | ~ $``) backslash-escaped, control characters (newlines too) made spaces."""
    text = _CONTROL.sub(" ", str(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def code(text: str, *, in_table: bool = False) -> str:
    """An inline code span for untrusted text (paths, checksums) with a long enough fence; in a table cell
    ``|`` is escaped (GitHub needs that even inside code spans; elsewhere the backslash would show)."""
    text = _CONTROL.sub(" ", str(text))
    if in_table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def signed(value: float, digits: int = 4) -> str:
    """``+0.0123`` / ``-0.0123``; a value that rounds to zero shows as ``+0.0000`` (never ``-0.0000``)."""
    text = f"{value:+.{digits}f}"
    return "+" + text[1:] if float(text) == 0.0 else text


def bold(text: str) -> str:
    return f"**{text}**"


def sup(text: str) -> str:
    """A superscript of row letters (callers pass only ``[a-z,]``)."""
    return f"<sup>{text}</sup>" if text else ""


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str]) -> list[str]:
    """A GitHub table; ``align`` holds ``l`` or ``r`` per column. Cells must already be escaped."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(":---" if a == "l" else "---:" for a in align) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def fenced(lines: Sequence[str], info: str = "") -> list[str]:
    """A fenced code block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *lines, fence]


def shell_join(argv: Sequence[str]) -> str:
    """One shell line that reproduces ``argv``; control characters use bash ``$'...'`` quoting."""
    parts = []
    for token in argv:
        if _CONTROL.search(token):
            escaped = token.replace("\\", "\\\\").replace("'", "\\'")
            parts.append("$'" + _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", escaped) + "'")
        else:
            parts.append(shlex.quote(token))
    return " ".join(parts)


def slug(text: str) -> str:
    """A file-name-safe slug (lowercase letters, digits, dashes)."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return slug or "x"

"""Simple query traits to split a comparison by: length in words, whether the query holds a number or unit
("3/4 in", "60v", "2 gal"), and how much of a system's top 10 is judged."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

UNIT = re.compile(r"\d|\b(?:inch|inches|in\.|ft|feet|foot|gal|gallon|gallons|volt|volts|watt|watts|amp|amps|lb|lbs|"
                  r"oz|mm|cm|btu|psi|gpm|sq)\b", re.IGNORECASE)
JUDGED_HIGH = 0.5  # judged@10 at or above this is "high"


def words(text: str) -> str:
    n = len(text.split())
    return f"{n} word{'s' if n != 1 else ''}" if n < 4 else "4+ words"


def number_or_unit(text: str) -> str:
    return "number/unit" if UNIT.search(text) else "no number/unit"


def judged_at_10(hits: Sequence[str], judged: Mapping[str, int]) -> float:
    """The share of the first 10 hits that have a judgement (of 10: a short list counts its gaps as unjudged)."""
    return sum(1 for d in hits[:10] if d in judged) / 10


def judged_bucket(share: float) -> str:
    return f">= {JUDGED_HIGH:.0%} judged" if share >= JUDGED_HIGH else f"< {JUDGED_HIGH:.0%} judged"

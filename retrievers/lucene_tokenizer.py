"""Lucene's ``StandardTokenizer`` (Unicode UAX#29 word boundaries), as used by Pyserini's analyzer.

Tokens are what Lucene's grammar emits, with the same text:

* words: letters, digits and connectors (``_``) run together (``v2``, ``foo_bar``); a letter-letter pair
  may be joined by ``:`` ``.`` ``'`` ``’`` ``·`` (``e.coli``, ``don't``, ``a:b``) and a digit-digit pair by
  ``,`` ``;`` ``.`` ``'`` (``1,000.50``), but a letter and a digit never are (``fig.3`` -> ``fig``, ``3``;
  ``1990's`` -> ``1990``, ``s``); combining marks and format characters (soft hyphen, ZWJ) stay inside
  a word; Katakana runs are words; Hebrew letters keep a trailing ``'`` and an inner ``"``;
* every Han ideograph and every Hiragana character is a token of its own;
* runs of Thai, Lao, Myanmar, Khmer (line-break class SA) are one token each;
* emoji (``©``, ``™``, ``👍🏽``, ZWJ sequences, flags, keycaps) are tokens;
* anything else (punctuation, symbols such as ``²`` or ``½``) separates tokens and is dropped;
* a token longer than 255 UTF-16 code units is cut, and scanning goes on after the cut.

Like Lucene's scanner, each token is the longest match at its position. The character properties
come from the third-party ``regex`` module (a dependency of ``transformers``), whose Unicode version is
newer than the one Lucene's grammar was generated from (Unicode 9, emoji 11): characters assigned or
reclassified since then (CJK extensions, new scripts, U+00B8 CEDILLA, U+0600-U+0605) are tokens here
but not in Lucene. The pictographs Lucene takes as emoji but ``regex`` lacks in its
``Extended_Pictographic`` (``★``, ``☐``, ``♪``, mahjong tiles, ...) are listed in :data:`EXTRA_PICTOGRAPHS`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

MAX_TOKEN_UNITS = 255  # StandardAnalyzer.DEFAULT_MAX_TOKEN_LENGTH, in UTF-16 code units

# Measured with Pyserini 1.6.0 (Lucene 9.9.1): code points that Lucene makes an emoji token of, alone,
# and that regex's \p{Extended_Pictographic} lacks (hex, ranges inclusive).
EXTRA_PICTOGRAPHS = (
    "2388 2605 2607-260D 260F-2610 2612 2616-2617 2619-261C 261E-261F 2621 2624-2625 2627-2629 262B-262D "
    "2630-2637 263B-263F 2641 2643-2647 2654-265E 2661-2662 2664 2667 2669-267A 267C-267D 2680-2685 "
    "2690-2691 2698 269A 269D-269F 26A2-26A6 26A8-26A9 26AC-26AF 26B2-26BC 26BF-26C3 26C6-26C7 26C9-26CD "
    "26D0 26D2 26D5-26E8 26EB-26EF 26F6 26FB-26FC 26FE-2701 2703-2704 270E 2710-2711 2765-2767 "
    "1F000-1F003 1F005-1F02B 1F030-1F093 1F0A0-1F0AE 1F0B1-1F0BF 1F0C1-1F0CE 1F0D1-1F0F5 1F10D-1F10F "
    "1F12F 1F16C-1F16F 1F1AD-1F1AE 1F260-1F265 1F322-1F323 1F394-1F395 1F398 1F39C-1F39D 1F3F1-1F3F2 "
    "1F3F6 1F4FE 1F546-1F548 1F54F 1F568-1F56E 1F571-1F572 1F57B-1F586 1F588-1F589 1F58E-1F58F "
    "1F591-1F594 1F597-1F5A3 1F5A6-1F5A7 1F5A9-1F5B0 1F5B3-1F5BB 1F5BD-1F5C1 1F5C5-1F5D0 1F5D4-1F5DB "
    "1F5DF-1F5E0 1F5E2 1F5E4-1F5E7 1F5E9-1F5EE 1F5F0-1F5F2 1F5F4-1F5F9 1F6C6-1F6CA 1F6D3-1F6D4 "
    "1F6E6-1F6E8 1F6EA 1F6F1-1F6F2 1F774-1F77F 1F7D5-1F7DB 1F7F1-1F7FF 1F8B0-1F8BB 1F8C0-1F8C1 "
    "1F8D0-1F8D8 1FA00-1FA57 1FA60-1FA6D 1FB00-1FBEF 1FBFA-1FBFF"
)


def _char_class(ranges: str) -> str:
    """``"2605 2607-260D"`` -> ``\\U00002605\\U00002607-\\U0000260D`` (the inside of a character class)."""
    parts = []
    for item in ranges.split():
        first, _, last = item.partition("-")
        parts.append(f"\\U{int(first, 16):08X}" + (f"-\\U{int(last, 16):08X}" if last else ""))
    return "".join(parts)


_PICTOGRAPHS = rf"\p{{Extended_Pictographic}}{_char_class(EXTRA_PICTOGRAPHS)}"

_X = r"[\p{WB=Format}\p{WB=Extend}\p{WB=ZWJ}]*"  # UAX#29 WB4: ignored inside a word
_X_NO_SELECTOR = r"[[\p{WB=Format}\p{WB=Extend}\p{WB=ZWJ}]--[\uFE0E\uFE0F]]*"

_LETTER = rf"[\p{{WB=ALetter}}\p{{WB=Hebrew_Letter}}]{_X}"
_DIGIT = rf"[\p{{WB=Numeric}}[\p{{Blk=HalfAndFullForms}}&&\p{{Nd}}]]{_X}"
_KATAKANA = rf"\p{{WB=Katakana}}{_X}"
_HEBREW = rf"\p{{WB=Hebrew_Letter}}{_X}"
_MID_LETTER = rf"[\p{{WB=MidLetter}}\p{{WB=MidNumLet}}\p{{WB=Single_Quote}}]{_X}"
_MID_DIGIT = rf"[\p{{WB=MidNum}}\p{{WB=MidNumLet}}\p{{WB=Single_Quote}}]{_X}"
_CONNECTOR = rf"\p{{WB=ExtendNumLet}}{_X}"
_SINGLE_QUOTE = rf"\p{{WB=Single_Quote}}{_X}"
_DOUBLE_QUOTE = rf"\p{{WB=Double_Quote}}{_X}"
_FLAG_HALF = rf"\p{{WB=Regional_Indicator}}{_X}"

_KATAKANA_RUN = rf"{_KATAKANA}(?:(?:{_CONNECTOR})*{_KATAKANA})*"
_HEBREW_QUOTED = rf"{_HEBREW}(?:{_SINGLE_QUOTE}|{_DOUBLE_QUOTE}{_HEBREW})"
_NUMBER = rf"{_DIGIT}(?:(?:(?:{_CONNECTOR})*|{_MID_DIGIT}){_DIGIT})*"
_LETTERS = rf"{_LETTER}(?:(?:(?:{_CONNECTOR})*|{_MID_LETTER}){_LETTER})*"
_PART = rf"(?:{_KATAKANA_RUN}|(?:{_HEBREW_QUOTED}|{_NUMBER}|{_LETTERS})+)"
_WORD = rf"(?:{_CONNECTOR})*{_PART}(?:(?:{_CONNECTOR})+{_PART})*(?:{_CONNECTOR})*"

_NOT_EMOJI_ALONE = r"\p{WB=Regional_Indicator}0-9#*©®™\u3030\u303D\p{Emoji_Modifier}"
_EMOJI_CHAR = rf"[{_PICTOGRAPHS}[\p{{Emoji}}--[{_NOT_EMOJI_ALONE}]]]{_X_NO_SELECTOR}"
_EMOJI_UNIT = (rf"(?:\p{{WB=ZWJ}}*{_EMOJI_CHAR}\uFE0F?"
               rf"|(?:\p{{WB=ZWJ}}*\p{{Emoji_Modifier_Base}}{_X_NO_SELECTOR})?\p{{Emoji_Modifier}}{_X_NO_SELECTOR})")
_EMOJI = (rf"{_EMOJI_UNIT}(?:(?:\p{{WB=ZWJ}}{_EMOJI_UNIT})*|[\U000E0020-\U000E007E]+\U000E007F)"
          rf"|[0-9#*]{_X_NO_SELECTOR}\uFE0F?\u20E3{_X_NO_SELECTOR}"
          rf"|{_FLAG_HALF}{_FLAG_HALF}")

_SOUTHEAST_ASIAN = rf"(?:\p{{LB=Complex_Context}}{_X})+"
_SINGLES = rf"\p{{Script=Han}}{_X}|\p{{Script=Hiragana}}{_X}"

# where a greedy (first-alternative) match may be shorter than the longest one: Hebrew quotes, emoji
_NEEDS_LONGEST = rf"[\p{{WB=Hebrew_Letter}}{_PICTOGRAPHS}[\p{{Emoji}}--[0-9#*]]\u20E3]"


@lru_cache(maxsize=1)
def _patterns():
    import regex

    plain = regex.compile(rf"(?V1){_WORD}|{_SOUTHEAST_ASIAN}|{_SINGLES}")
    longest = regex.compile(rf"(?V1p){_EMOJI}|{_WORD}|{_SOUTHEAST_ASIAN}|{_SINGLES}")  # p: POSIX leftmost-longest
    needs_longest = regex.compile(rf"(?V1){_NEEDS_LONGEST}")
    return plain, longest, needs_longest


def _units(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _window_end(text: str, start: int) -> int:
    """The end of the longest stretch from ``start`` that fits Lucene's 255-unit scanner buffer."""
    units, end = 0, start
    while end < len(text):
        units += 2 if ord(text[end]) > 0xFFFF else 1
        if units > MAX_TOKEN_UNITS:
            break
        end += 1
    return end


def lucene_tokens(text: str) -> Iterator[str]:
    """The tokens Lucene's ``StandardTokenizer`` makes of ``text`` (original case)."""
    plain, longest, needs_longest = _patterns()
    pattern = longest if needs_longest.search(text) else plain
    pos = 0
    while (found := pattern.search(text, pos)) is not None:
        token = found.group()
        if len(token) <= MAX_TOKEN_UNITS // 2 or _units(token) <= MAX_TOKEN_UNITS:
            yield token
            pos = found.end()
            continue
        # Lucene's scanner sees 255 units from the token's start: it emits the longest match there and
        # starts afresh right after it
        cut = pattern.match(text, found.start(), _window_end(text, found.start()))
        if cut is None:
            pos = found.start() + 1
            continue
        yield cut.group()
        pos = cut.end()

"""The Porter stemmer as Lucene's ``PorterStemFilter`` runs it (Pyserini's default stemmer).

Lucene's ``PorterStemmer`` is Martin Porter's own reference implementation, which departs from the
published algorithm (what PyStemmer's ``porter`` implements) in three ways:

* words of one or two characters are left alone (PyStemmer: ``us`` -> ``u``, ``s`` -> ``''``);
* ``-bli`` -> ``-ble`` instead of ``-abli`` -> ``-able`` (``possibly`` -> ``possibl``, not ``possibli``);
* ``-logi`` -> ``-log`` (``technology`` -> ``technolog``, not ``technologi``).

Characters are Java ``char`` s (UTF-16 code units): a character outside the Basic Multilingual Plane
counts twice towards a word's length, as in Lucene. Vowels are ``a e i o u`` (and ``y`` after a
consonant); every other character, digits and non-ASCII letters included, is a consonant.
"""

from __future__ import annotations

from functools import lru_cache

_VOWELS = frozenset("aeiou")

# step 3 (Porter's step 2): double suffixes, chosen by the next-to-last letter, first match wins
_STEP3 = {
    "a": (("ational", "ate"), ("tional", "tion")),
    "c": (("enci", "ence"), ("anci", "ance")),
    "e": (("izer", "ize"),),
    "l": (("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous")),
    "o": (("ization", "ize"), ("ation", "ate"), ("ator", "ate")),
    "s": (("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous")),
    "t": (("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")),
    "g": (("logi", "log"),),
}
# step 4 (Porter's step 3): -ic-, -full, -ness..., chosen by the last letter
_STEP4 = {
    "e": (("icate", "ic"), ("ative", ""), ("alize", "al")),
    "i": (("iciti", "ic"),),
    "l": (("ical", "ic"), ("ful", "")),
    "s": (("ness", ""),),
}
# step 5 (Porter's step 4): suffixes removed when m > 1, chosen by the next-to-last letter
_STEP5 = {
    "a": ("al",), "c": ("ance", "ence"), "e": ("er",), "i": ("ic",), "l": ("able", "ible"),
    "n": ("ant", "ement", "ment", "ent"), "s": ("ism",), "t": ("ate", "iti"), "u": ("ous",),
    "v": ("ive",), "z": ("ize",),
}


class _Word:
    """The stemmer's working state: letters ``b[0..k]``; ``j`` ends the stem of the last suffix found."""

    def __init__(self, letters: list[str]) -> None:
        self.b = letters
        self.k = len(letters) - 1
        self.j = 0

    def cons(self, i: int) -> bool:
        ch = self.b[i]
        if ch in _VOWELS:
            return False
        if ch == "y":
            return i == 0 or not self.cons(i - 1)
        return True

    def m(self) -> int:
        """Number of vowel-consonant sequences in ``b[0..j]``."""
        n, i, j = 0, 0, self.j
        while i <= j and self.cons(i):
            i += 1
        while True:
            while i <= j and not self.cons(i):
                i += 1
            if i > j:
                return n
            while i <= j and self.cons(i):
                i += 1
            n += 1
            if i > j:
                return n

    def vowel_in_stem(self) -> bool:
        return any(not self.cons(i) for i in range(self.j + 1))

    def double_consonant(self, i: int) -> bool:
        return i >= 1 and self.b[i] == self.b[i - 1] and self.cons(i)

    def cvc(self, i: int) -> bool:
        return (i >= 2 and self.cons(i) and not self.cons(i - 1) and self.cons(i - 2)
                and self.b[i] not in "wxy")

    def ends(self, suffix: str) -> bool:
        start = self.k - len(suffix) + 1
        if start < 0 or "".join(self.b[start : self.k + 1]) != suffix:
            return False
        self.j = start - 1
        return True

    def set_to(self, suffix: str) -> None:
        self.b[self.j + 1 :] = list(suffix)
        self.k = self.j + len(suffix)

    def replace_if_measured(self, suffix: str) -> None:
        if self.m() > 0:
            self.set_to(suffix)

    def result(self) -> str:
        return "".join(self.b[: self.k + 1])


def _step1(w: _Word) -> None:
    """Plurals, -ed, -ing."""
    if w.b[w.k] == "s":
        if w.ends("sses"):
            w.k -= 2
        elif w.ends("ies"):
            w.set_to("i")
        elif w.b[w.k - 1] != "s":
            w.k -= 1
    if w.ends("eed"):
        if w.m() > 0:
            w.k -= 1
    elif (w.ends("ed") or w.ends("ing")) and w.vowel_in_stem():
        w.k = w.j
        if w.ends("at"):
            w.set_to("ate")
        elif w.ends("bl"):
            w.set_to("ble")
        elif w.ends("iz"):
            w.set_to("ize")
        elif w.double_consonant(w.k):
            if w.b[w.k] not in "lsz":
                w.k -= 1
        elif w.m() == 1 and w.cvc(w.k):
            w.set_to("e")


def _step2(w: _Word) -> None:
    """Terminal y -> i when the stem has a vowel."""
    if w.ends("y") and w.vowel_in_stem():
        w.b[w.k] = "i"


def _first_suffix(w: _Word, table: dict[str, tuple[tuple[str, str], ...]], key: str) -> None:
    for suffix, replacement in table.get(key, ()):
        if w.ends(suffix):
            w.replace_if_measured(replacement)
            return


def _step3(w: _Word) -> None:
    if w.k > 0:
        _first_suffix(w, _STEP3, w.b[w.k - 1])


def _step4(w: _Word) -> None:
    _first_suffix(w, _STEP4, w.b[w.k])


def _step5(w: _Word) -> None:
    """-ant, -ence, ... removed in context <c>vcvc<v>; -ion only after s or t."""
    if w.k == 0:
        return
    key = w.b[w.k - 1]
    if key == "o":
        found = (w.ends("ion") and w.j >= 0 and w.b[w.j] in "st") or w.ends("ou")
    else:
        found = any(w.ends(suffix) for suffix in _STEP5.get(key, ()))
    if found and w.m() > 1:
        w.k = w.j


def _step6(w: _Word) -> None:
    """Final -e when m > 1 (or m = 1 and not cvc), and -ll -> -l when m > 1."""
    w.j = w.k
    if w.b[w.k] == "e":
        measure = w.m()
        if measure > 1 or (measure == 1 and not w.cvc(w.k - 1)):
            w.k -= 1
    if w.b[w.k] == "l" and w.double_consonant(w.k) and w.m() > 1:
        w.k -= 1


def _utf16_units(word: str) -> list[str]:
    """Java's view of a string: characters outside the BMP become two surrogate code units."""
    units: list[str] = []
    for ch in word:
        code = ord(ch)
        if code < 0x10000:
            units.append(ch)
        else:
            code -= 0x10000
            units += [chr(0xD800 + (code >> 10)), chr(0xDC00 + (code & 0x3FF))]
    return units


@lru_cache(maxsize=200_000)
def lucene_porter_stem(word: str) -> str:
    """``word`` stemmed exactly as Lucene's ``PorterStemFilter`` stems a (lower-cased) token."""
    letters = list(word) if word.isascii() else _utf16_units(word)
    if len(letters) < 3:
        return word
    w = _Word(letters)
    for step in (_step1, _step2, _step3, _step4, _step5, _step6):
        step(w)
    stem = w.result()
    return stem if word.isascii() else stem.encode("utf-16-le", "surrogatepass").decode("utf-16-le")

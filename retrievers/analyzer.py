"""A Lucene-like English analyzer: the text processing behind the ``bm25`` retriever.

Mirrors Lucene's ``EnglishAnalyzer`` (what Pyserini uses by default): standard tokenisation
(letters/digits, keeping in-word apostrophes and dots as in ``don't``, ``3.5``), English possessive
removal (``drill's`` -> ``drill``), lower-casing, Lucene's 33 English stop words, Porter stemming
(PyStemmer's ``porter``, the published Porter algorithm).

This is the ``classic`` analysis. ``Analysis.LUCENE`` selects :class:`~retrievers.lucene_analyzer.LuceneAnalyzer`
instead, which reproduces Lucene's token stream (up to characters newer than Unicode 9, see
:mod:`retrievers.lucene_tokenizer`). The classic analyzer differs from it on some text: UAX#29 rules
(``1,000`` and ``a:b`` are one Lucene token, ``fig.3``, ``90's`` and ``2'x4'`` are split), CJK, emoji and
symbols such as ``²``, combining marks and soft hyphens, tokens over 255 characters, ``İ`` and final sigma,
``’`` (folded into ``'`` here), and three departures of Lucene's Porter stemmer (``us``, ``possibly``,
``technology``; PyStemmer even stems ``s`` to an empty token). It stays the default so that existing
indexes and results keep their meaning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

import Stemmer

# org.apache.lucene.analysis.en.EnglishAnalyzer.ENGLISH_STOP_WORDS_SET
LUCENE_ENGLISH_STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there "
    "these they this to was will with".split()
)
_TOKEN = re.compile(r"\w+(?:['’.]\w+)*", re.UNICODE)


@dataclass(frozen=True, slots=True)
class AnalyzerConfig:
    lowercase: bool = True
    stopwords: bool = True
    stemmer: str = "porter"  # any PyStemmer algorithm name, or "none"
    min_token_len: int = 1

    def describe(self) -> str:
        return (f"standard tokens, possessives removed, lowercase={self.lowercase}, "
                f"lucene stopwords={self.stopwords}, stemmer={self.stemmer}")


class Analysis(str, Enum):
    """Which implementation turns text into terms."""

    CLASSIC = "classic"  # regex tokens, PyStemmer (the default)
    LUCENE = "lucene"  # Lucene's EnglishAnalyzer token for token (retrievers.lucene_analyzer)


def pystemmer(name: str) -> Callable[[str], str]:
    """PyStemmer's algorithm ``name`` as a cached word -> stem function."""
    stemmer = Stemmer.Stemmer(name)
    return lru_cache(maxsize=200_000)(stemmer.stemWord)


def make_analyzer(config: AnalyzerConfig, analysis: Analysis = Analysis.CLASSIC) -> Callable[[str], list[str]]:
    if analysis is Analysis.LUCENE:
        from retrievers.lucene_analyzer import LuceneAnalyzer

        return LuceneAnalyzer(config)
    return Analyzer(config)


class Analyzer:
    def __init__(self, config: AnalyzerConfig = AnalyzerConfig()) -> None:
        self.config = config
        self._stem = None if config.stemmer == "none" else Stemmer.Stemmer(config.stemmer)
        self._stem_cached = lru_cache(maxsize=200_000)(self._stem_word)

    def _stem_word(self, word: str) -> str:
        return self._stem.stemWord(word) if self._stem else word

    def __call__(self, text: str) -> list[str]:
        cfg = self.config
        if cfg.lowercase:
            text = text.lower()
        out = []
        for match in _TOKEN.finditer(text):
            token = match.group()
            if token.endswith(("'s", "’s")):
                token = token[:-2]
            token = token.replace("’", "'")
            if len(token) < cfg.min_token_len or (cfg.stopwords and token in LUCENE_ENGLISH_STOPWORDS):
                continue
            out.append(self._stem_cached(token))
        return out

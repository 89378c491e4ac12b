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
from enum import Enum
from functools import lru_cache

import Stemmer

# the settings and stop words both analyzers share live there (importable from here as before)
from retrievers.analyzer_config import LUCENE_ENGLISH_STOPWORDS, AnalyzerConfig

_TOKEN = re.compile(r"\w+(?:['’.]\w+)*", re.UNICODE)


class Analysis(str, Enum):
    """Which implementation turns text into terms."""

    CLASSIC = "classic"  # regex tokens, PyStemmer (the default)
    LUCENE = "lucene"  # Lucene's EnglishAnalyzer token for token (retrievers.lucene_analyzer)


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

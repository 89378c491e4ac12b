"""A Lucene-like English analyzer: the text processing behind the ``bm25`` retriever.

Mirrors Lucene's ``EnglishAnalyzer`` (what Pyserini uses by default): standard tokenisation
(letters/digits, keeping in-word apostrophes and dots as in ``don't``, ``3.5``), English possessive
removal (``drill's`` -> ``drill``), lower-casing, Lucene's 33 English stop words, Porter stemming
(PyStemmer's ``porter``, the original Porter algorithm that Lucene's ``PorterStemFilter`` implements).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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

"""What the classic analyzer (:mod:`retrievers.analyzer`) and the Lucene one (:mod:`retrievers.lucene_analyzer`)
share: their settings, Lucene's English stop words and PyStemmer stemmers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# org.apache.lucene.analysis.en.EnglishAnalyzer.ENGLISH_STOP_WORDS_SET
LUCENE_ENGLISH_STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with"]
)


@dataclass(frozen=True, slots=True)
class AnalyzerConfig:
    lowercase: bool = True
    stopwords: bool = True
    stemmer: str = "porter"  # any PyStemmer algorithm name, or "none"
    min_token_len: int = 1

    def describe(self) -> str:
        return (f"standard tokens, possessives removed, lowercase={self.lowercase}, "
                f"lucene stopwords={self.stopwords}, stemmer={self.stemmer}")


def pystemmer(name: str) -> Callable[[str], str]:
    """PyStemmer's algorithm ``name`` as a cached word -> stem function."""
    stemmer = Stemmer.Stemmer(name)
    return lru_cache(maxsize=200_000)(stemmer.stemWord)

"""Lucene's ``EnglishAnalyzer`` token for token: the ``lucene`` analysis of the ``bm25`` retriever.

The chain Pyserini's ``DefaultEnglishAnalyzer`` runs: ``StandardTokenizer`` (UAX#29 words, see
:mod:`retrievers.lucene_tokenizer`) -> ``EnglishPossessiveFilter`` (trailing ``'s``, ``’s``, ``＇s``) ->
``LowerCaseFilter`` (Java's per-character lower case: ``İ`` -> ``i``, no final-sigma rule) ->
``StopFilter`` (Lucene's 33 English stop words) -> ``PorterStemFilter`` (Lucene's Porter, see
:mod:`retrievers.lucene_porter`). Unlike the classic analyzer, ``’`` is not folded into ``'``.
"""

from __future__ import annotations

from collections.abc import Callable

from retrievers.analyzer_config import LUCENE_ENGLISH_STOPWORDS, AnalyzerConfig, pystemmer
from retrievers.lucene_porter import lucene_porter_stem
from retrievers.lucene_tokenizer import lucene_tokens

_APOSTROPHES = ("'", "\u2019", "\uff07")
# where Python's str.lower() differs from Java's Character.toLowerCase: the dotted capital I lowers
# to "i" + combining dot above, and a word-final capital sigma to the final form
_JAVA_LOWER = str.maketrans({"\u0130": "i", "\u03a3": "\u03c3"})


def strip_possessive(token: str) -> str:
    """``EnglishPossessiveFilter``: ``drill's`` -> ``drill``."""
    if len(token) >= 2 and token[-1] in "sS" and token[-2] in _APOSTROPHES:
        return token[:-2]
    return token


def java_lower(token: str) -> str:
    return token.translate(_JAVA_LOWER).lower()


def _stemmer(name: str) -> Callable[[str], str]:
    if name == "porter":
        return lucene_porter_stem
    if name == "none":
        return str
    return pystemmer(name)


_DEFAULT = AnalyzerConfig()


class LuceneAnalyzer:
    """Same settings and call as :class:`~retrievers.analyzer.Analyzer`; ``stemmer="porter"`` is
    Lucene's Porter variant, other stemmer names are PyStemmer algorithms as in the classic analyzer."""

    def __init__(self, config: AnalyzerConfig = _DEFAULT) -> None:
        self.config = config
        self._stem = _stemmer(config.stemmer)

    def __call__(self, text: str) -> list[str]:
        cfg = self.config
        out = []
        for raw in lucene_tokens(text):
            token = strip_possessive(raw)
            if cfg.lowercase:
                token = java_lower(token)
            if len(token) < cfg.min_token_len or (cfg.stopwords and token in LUCENE_ENGLISH_STOPWORDS):
                continue
            out.append(self._stem(token))
        return out

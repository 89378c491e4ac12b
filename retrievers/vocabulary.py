"""What a sparse vector's dimensions mean: the term behind each index, and the terms a text itself produces.

A sparse retriever's score is a sum over terms, so it can be read term by term (``bench explain``). BM25's
dimensions are the analyzer's terms (stemmed words) of the catalog; SPLADE's are the tokenizer's vocabulary
(word pieces). A query term is an *expansion* when the model put weight on it although the query's own tokens
do not produce it (SPLADE only; BM25 has none by construction).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np


class Vocabulary(Protocol):
    def term(self, index: int) -> str:
        """The term (or word piece) of a vector dimension."""

    def own_terms(self, text: str) -> set[int]:
        """The dimensions the text's own tokens produce (before any expansion)."""


class AnalyzedVocabulary:
    """BM25: sorted catalog terms, produced by the analyzer (terms absent from the catalog have no dimension)."""

    def __init__(self, vocab: Mapping[str, int], analyze: Callable[[str], list[str]]) -> None:
        self._terms = sorted(vocab, key=vocab.__getitem__)
        self._index = vocab
        self._analyze = analyze

    def term(self, index: int) -> str:
        return self._terms[index]

    def own_terms(self, text: str) -> set[int]:
        return {self._index[t] for t in self._analyze(text) if t in self._index}


class TokenVocabulary:
    """SPLADE: the tokenizer's vocabulary (``tokenizers.Tokenizer``); a text's own terms are its tokens without
    special tokens, as the query side tokenises it."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer

    def term(self, index: int) -> str:
        token = self._tokenizer.id_to_token(int(index))
        return token if token is not None else f"#{index}"

    def own_terms(self, text: str) -> set[int]:
        return set(np.asarray(self._tokenizer.encode(text, add_special_tokens=False).ids, dtype=np.int64).tolist())


@runtime_checkable
class HasVocabulary(Protocol):
    """A sparse encoder whose dimensions can be named (BM25, SPLADE)."""

    def vocabulary(self) -> Vocabulary: ...

"""Qdrant-native BM25 with Lucene's scoring.

Lucene (>= 8) scores a document d for query q as

    sum over query terms t:  qtf(t) * idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl))
    idf(t) = ln(1 + (N - n_t + 0.5) / (n_t + 0.5))

The term-frequency part is computed here, client side, and stored as the document's sparse vector;
the IDF is applied by Qdrant itself (``Modifier.IDF`` computes exactly that formula from the
collection); the query vector carries the query-term counts. |d| is the number of tokens the
analyzer keeps. Defaults k1=0.9, b=0.4 (Anserini/Pyserini's BM25 defaults).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from benchmark.store.base import SparseVector, VectorKind, VectorSpec
from retrievers.analyzer import Analyzer, AnalyzerConfig
from retrievers.base import EncoderIdentity, Progress


@dataclass(frozen=True, slots=True)
class BM25Params:
    k1: float = 0.9
    b: float = 0.4


class BM25Encoder:
    def __init__(self, params: BM25Params = BM25Params(), analyzer: AnalyzerConfig = AnalyzerConfig(),
                 vector_name: str = "bm25") -> None:
        if params.k1 < 0 or not 0 <= params.b <= 1:
            raise ValueError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1={params.k1}, b={params.b}")
        self.params = params
        self.analyzer_config = analyzer
        self.analyze = Analyzer(analyzer)
        self.spec = VectorSpec(vector_name, VectorKind.SPARSE_IDF)
        self.vocab: dict[str, int] = {}
        self.avgdl = 0.0

    @property
    def identity(self) -> EncoderIdentity:
        return EncoderIdentity("bm25", {**asdict(self.params), "analyzer": asdict(self.analyzer_config)})

    def prepare(self, documents: Sequence[str]) -> None:
        """Vocabulary (sorted terms -> index) and average document length of the corpus."""
        terms: set[str] = set()
        total = 0
        for text in documents:
            tokens = self.analyze(text)
            total += len(tokens)
            terms.update(tokens)
        self.vocab = {term: i for i, term in enumerate(sorted(terms))}
        self.avgdl = total / len(documents) if documents else 0.0

    def state(self) -> dict[str, object]:
        return {"vocab": sorted(self.vocab, key=self.vocab.__getitem__), "avgdl": self.avgdl}

    def load_state(self, state: Mapping[str, object]) -> None:
        self.vocab = {term: i for i, term in enumerate(state["vocab"])}  # type: ignore[arg-type]
        self.avgdl = float(state["avgdl"])  # type: ignore[arg-type]

    def _vector(self, counts: Counter[str], weights) -> SparseVector:
        pairs = sorted((self.vocab[t], weights(c)) for t, c in counts.items() if t in self.vocab)
        indices = np.fromiter((p[0] for p in pairs), dtype=np.uint32, count=len(pairs))
        values = np.fromiter((p[1] for p in pairs), dtype=np.float32, count=len(pairs))
        return SparseVector(indices, values)

    def encode_document(self, text: str) -> SparseVector:
        tokens = self.analyze(text)
        k1, b = self.params.k1, self.params.b
        norm = k1 * (1 - b + b * len(tokens) / self.avgdl) if self.avgdl else k1
        return self._vector(Counter(tokens), lambda tf: tf / (tf + norm))

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> list[SparseVector]:
        if not self.vocab:
            raise RuntimeError("BM25Encoder.prepare() must run on the corpus before encoding documents")
        out = []
        for i, text in enumerate(texts):
            out.append(self.encode_document(text))
            if progress and (i + 1) % 1000 == 0:
                progress(1000)
        if progress:
            progress(len(texts) % 1000)
        return out

    def encode_queries(self, texts: Sequence[str]) -> list[SparseVector]:
        return [self._vector(Counter(self.analyze(t)), float) for t in texts]

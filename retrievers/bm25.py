"""Qdrant-native BM25 with Lucene's scoring.

Lucene (>= 8) scores a document d for query q as

    sum over query terms t:  qtf(t) * idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl))
    idf(t) = ln(1 + (N - n_t + 0.5) / (n_t + 0.5))

The term-frequency part is computed here, client side, and stored as the document's sparse vector;
the IDF is applied by Qdrant itself (``Modifier.IDF`` computes exactly that formula from the
collection); the query vector carries the query-term counts. |d| is the number of tokens the
analyzer keeps. Defaults k1=0.9, b=0.4 (Anserini/Pyserini's BM25 defaults).

``length_norm`` says which |d| and avgdl the formula sees:

* ``exact`` (default): |d| as counted, avgdl = total length / all documents, float64;
* ``lucene``: what Lucene's ``BM25Similarity`` computes (:mod:`retrievers.lucene_norm`): |d| through its
  one-byte norm (exact up to 39 tokens, then rounded down, up to ~12% on long texts), avgdl over the
  documents that have at least one term, float32 arithmetic. With ``analysis=lucene`` (Lucene's own
  token stream, :mod:`retrievers.lucene_analyzer`) the scores equal Pyserini's to float32 rounding.

Non-default ``length_norm`` and ``analysis`` enter the encoder identity (so an index is keyed by them);
the defaults leave it as it was before these options existed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import Enum

import numpy as np

from benchmark.store.base import SparseVector, VectorKind, VectorSpec
from retrievers.analyzer import Analysis, AnalyzerConfig, make_analyzer
from retrievers.base import EncoderIdentity, Progress
from retrievers.lucene_norm import lucene_avgdl, lucene_norm_inverse, term_weight
from retrievers.vocabulary import AnalyzedVocabulary

DEFAULT_K1 = 0.9  # Anserini/Pyserini's BM25 defaults; every BM25 here (ours, Lucene, rank-bm25) starts from them
DEFAULT_B = 0.4


class LengthNorm(str, Enum):
    EXACT = "exact"  # |d| as counted; avgdl over all documents
    LUCENE = "lucene"  # Lucene's one-byte |d|, avgdl over documents with terms, float32


@dataclass(frozen=True, slots=True)
class BM25Params:
    k1: float = DEFAULT_K1
    b: float = DEFAULT_B
    length_norm: LengthNorm = LengthNorm.EXACT
    analysis: Analysis = Analysis.CLASSIC

    def identity(self) -> dict[str, object]:
        """k1, b, and the options that differ from their defaults (so default indexes keep their key)."""
        out: dict[str, object] = {"k1": self.k1, "b": self.b}
        if self.length_norm is not LengthNorm.EXACT:
            out["length_norm"] = self.length_norm.value
        if self.analysis is not Analysis.CLASSIC:
            out["analysis"] = self.analysis.value
        return out


class BM25Encoder:
    def __init__(self, params: BM25Params = BM25Params(), analyzer: AnalyzerConfig = AnalyzerConfig(),
                 vector_name: str = "bm25") -> None:
        if params.k1 < 0 or not 0 <= params.b <= 1:
            raise ValueError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1={params.k1}, b={params.b}")
        self.params = params
        self.analyzer_config = analyzer
        self.analyze = make_analyzer(analyzer, params.analysis)
        self.spec = VectorSpec(vector_name, VectorKind.SPARSE_IDF)
        self.vocab: dict[str, int] = {}
        self.avgdl = 0.0
        self._set_idf([], 0)

    @property
    def identity(self) -> EncoderIdentity:
        return EncoderIdentity("bm25", {**self.params.identity(), "analyzer": asdict(self.analyzer_config)})

    def prepare(self, documents: Sequence[str]) -> None:
        """Vocabulary (sorted terms -> index) and average document length of the corpus."""
        document_freq: Counter[str] = Counter()
        total = nonempty = 0
        for text in documents:
            tokens = self.analyze(text)
            total += len(tokens)
            nonempty += bool(tokens)
            document_freq.update(set(tokens))
        terms = sorted(document_freq)
        self.vocab = {term: i for i, term in enumerate(terms)}
        if self.params.length_norm is LengthNorm.LUCENE:
            self.avgdl = lucene_avgdl(total, nonempty)
        else:
            self.avgdl = total / len(documents) if documents else 0.0
        self._set_idf([document_freq[t] for t in terms], nonempty)

    def _set_idf(self, document_freq: Sequence[int], documents: int) -> None:
        """Qdrant's Modifier.IDF over the corpus: N counts the documents with a non-empty vector."""
        n = np.asarray(document_freq, dtype=np.float64)
        self.document_freq = [int(x) for x in document_freq]
        self.documents = int(documents)
        self._idf = np.log1p((documents - n + 0.5) / (n + 0.5))

    def idf(self, indices: np.ndarray) -> np.ndarray:
        """float64 IDF of term indices, as Qdrant computes it for a collection of this corpus (exact scoring)."""
        return self._idf[np.asarray(indices, dtype=np.int64)]

    def state(self) -> dict[str, object]:
        return {"vocab": sorted(self.vocab, key=self.vocab.__getitem__), "avgdl": self.avgdl,
                "document_freq": self.document_freq, "documents": self.documents}

    def load_state(self, state: Mapping[str, object]) -> None:
        """Raises KeyError for a state saved before document frequencies were kept (recomputed then)."""
        vocab, freq = state["vocab"], state["document_freq"]
        self.vocab = {term: i for i, term in enumerate(vocab)}  # type: ignore[arg-type]
        self.avgdl = float(state["avgdl"])  # type: ignore[arg-type]
        self._set_idf(freq, int(state["documents"]))  # type: ignore[arg-type, call-overload]

    def _vector(self, counts: Counter[str], weights) -> SparseVector:
        pairs = sorted((self.vocab[t], weights(c)) for t, c in counts.items() if t in self.vocab)
        indices = np.fromiter((p[0] for p in pairs), dtype=np.uint32, count=len(pairs))
        values = np.fromiter((p[1] for p in pairs), dtype=np.float32, count=len(pairs))
        return SparseVector(indices, values)

    def encode_document(self, text: str) -> SparseVector:
        tokens = self.analyze(text)
        k1, b = self.params.k1, self.params.b
        if self.params.length_norm is LengthNorm.LUCENE:
            inverse = lucene_norm_inverse(len(tokens), k1, b, self.avgdl)
            return self._vector(Counter(tokens), lambda tf: term_weight(tf, inverse))
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

    def load(self, documents: bool = False) -> None:
        """Nothing to load: the vocabulary comes with prepare() or load_state()."""

    def encode_queries(self, texts: Sequence[str]) -> list[SparseVector]:
        return [self._vector(Counter(self.analyze(t)), float) for t in texts]

    def vocabulary(self) -> AnalyzedVocabulary:
        """The term of each dimension (after :meth:`prepare` or :meth:`load_state`)."""
        return AnalyzedVocabulary(self.vocab, self.analyze)

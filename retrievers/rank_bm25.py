"""``bm25-rank``: rank-bm25's ``BM25Okapi`` as a plain-Python BM25 reference, for small corpora.

Documents and queries go through our Lucene-like analyzer (:mod:`retrievers.analyzer`), so the
only differences from ``bm25`` are rank-bm25's scoring choices: its IDF is
``ln((N - n + 0.5) / (n + 0.5))`` (negative for terms in more than half of the documents, which
rank-bm25 floors at ``epsilon`` x the mean IDF) where Lucene uses ``ln(1 + (N - n + 0.5) / (n + 0.5))``,
and it keeps the ``(k1 + 1)`` numerator factor (rank-preserving). Scoring is a Python loop over
every document per query term: above :data:`SLOW_ABOVE` documents a warning says so.
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from benchmark.core.cache_layout import RANK_BM25
from benchmark.store.base import Hits, VectorKind, VectorSpec
from retrievers.analyzer import Analyzer, AnalyzerConfig
from retrievers.base import EncoderIdentity
from retrievers.bm25 import DEFAULT_B, DEFAULT_K1
from retrievers.local import LocalRetriever, MissingExtraError, NativeIdentity

SLOW_ABOVE = 50_000  # documents; rank-bm25 scores every document in Python for every query term


def ensure_rank_bm25() -> Any:
    try:
        from rank_bm25 import BM25Okapi
    except ImportError as err:
        raise MissingExtraError("bm25-rank needs rank-bm25: pip install 'shopbench[rank-bm25]' (rank-bm25)") from err
    return BM25Okapi


@dataclass
class RankBM25Retriever(LocalRetriever):
    k1: float = DEFAULT_K1
    b: float = DEFAULT_B
    epsilon: float = 0.25
    analyzer: AnalyzerConfig = field(default_factory=AnalyzerConfig)
    cache_area: ClassVar[str] = RANK_BM25

    def _build(self, documents: Sequence[str], folder: Path, progress: Callable[[int], None] | None) -> None:
        bm25_cls = ensure_rank_bm25()
        if len(documents) > SLOW_ABOVE:
            warnings.warn(f"bm25-rank scores {len(documents):,} documents in pure Python per query term: "
                          f"slow above {SLOW_ABOVE:,}; use bm25 or bm25-lucene for large corpora", stacklevel=2)
        analyze = Analyzer(self.analyzer)
        tokenized = [analyze(t) for t in documents]
        # rank-bm25 divides by zero on an empty corpus; a document with no tokens is fine
        model = bm25_cls(tokenized, k1=self.k1, b=self.b, epsilon=self.epsilon)
        if progress:
            progress(len(documents))
        with open(folder / "bm25okapi.pkl", "wb") as handle:
            pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def _open(self, folder: Path) -> object:
        if self._loaded is None or self._loaded[0] != folder:  # type: ignore[index]
            ensure_rank_bm25()
            with open(folder / "bm25okapi.pkl", "rb") as handle:
                self._loaded = (folder, pickle.load(handle), Analyzer(self.analyzer))
        return self._loaded

    def _analyze(self, handle: Any, queries: Sequence[str]) -> list[object]:
        _, _, analyze = handle
        return [analyze(query) for query in queries]

    def _search_batch(self, handle: Any, queries: Sequence[Any], k: int) -> list[Hits]:
        _, model, _ = handle
        out: list[Hits] = []
        for tokens in queries:
            if not tokens:
                out.append([])
                continue
            scores = model.get_scores(tokens)
            top = np.argsort(-scores, kind="stable")[:k]
            out.append([(int(i), float(scores[i])) for i in top if scores[i] > 0])
        return out


def rank_identity(k1: float, b: float, epsilon: float, analyzer: AnalyzerConfig) -> NativeIdentity:
    from dataclasses import asdict

    return NativeIdentity(EncoderIdentity("bm25-rank", {"k1": k1, "b": b, "epsilon": epsilon,
                                                        "analyzer": asdict(analyzer)}),
                          VectorSpec("bm25-rank", VectorKind.SPARSE))

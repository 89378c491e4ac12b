"""Encoded document vectors kept on disk, per corpus, encoder and chunk.

Encoding is the slow part of indexing; the vectors depend only on the texts (corpus key) and the
encoder (its fingerprint). Keeping them lets a hybrid index reuse what the sparse and dense indexes
already encoded, and lets an interrupted build resume at the first chunk it had not finished. Each
chunk file is written atomically and records the seconds its encoding took, so throughput figures
stay honest when vectors come from here.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmark.store.base import SparseVector, Vector


class VectorCache:
    def __init__(self, root: Path, corpus_key: str) -> None:
        self.root = Path(root) / corpus_key[:24]

    def _path(self, encoder_fingerprint: str, start: int, count: int) -> Path:
        return self.root / encoder_fingerprint[:24] / f"{start:09d}-{count}.npz"

    def load(self, encoder_fingerprint: str, start: int, count: int) -> tuple[list[Vector], float] | None:
        path = self._path(encoder_fingerprint, start, count)
        try:
            with np.load(path) as data:
                seconds = float(data["seconds"])
                if "dense" in data:
                    return list(data["dense"]), seconds
                indptr, indices, values = data["indptr"], data["indices"], data["values"]
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
            return None
        vectors = [SparseVector(indices[a:b], values[a:b]) for a, b in zip(indptr[:-1], indptr[1:], strict=True)]
        return vectors, seconds

    def save(self, encoder_fingerprint: str, start: int, vectors: Sequence[Vector], seconds: float) -> None:
        path = self._path(encoder_fingerprint, start, len(vectors))
        path.parent.mkdir(parents=True, exist_ok=True)
        if vectors and isinstance(vectors[0], SparseVector):
            lengths = [len(v.indices) for v in vectors]
            arrays = {
                "indptr": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                "indices": np.concatenate([v.indices for v in vectors]).astype(np.uint32),
                "values": np.concatenate([v.values for v in vectors]).astype(np.float32),
            }
        else:
            arrays = {"dense": np.asarray(vectors, dtype=np.float32)}
        fd, tmp = tempfile.mkstemp(prefix=".chunk-", suffix=".npz", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, seconds=np.float64(seconds), **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

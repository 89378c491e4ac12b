"""Encoded document vectors kept on disk, per corpus, encoder and chunk.

Encoding is the slow part of indexing; the vectors depend only on the texts (corpus key) and the
encoder (its fingerprint). Keeping them lets a hybrid index reuse what the sparse and dense indexes
already encoded, and lets an interrupted build resume at the first chunk it had not finished. Each
chunk file is written atomically (temporary file, then rename) and records the seconds its encoding
took, so throughput figures stay honest when vectors come from here. A chunk that cannot be read in
full (truncated, damaged: the zip members carry CRC-32 checksums, checked on read) or holds another
number of vectors than its name says is a miss and is encoded again. Two processes saving the same
chunk write the same vectors; the last rename wins.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np

from benchmark.core import atomic, faults
from benchmark.core.cache_layout import sweep
from benchmark.core.errors import ShopbenchError
from benchmark.store.base import SparseVector, Vector


class VectorCache:
    def __init__(self, root: Path, corpus_key: str) -> None:
        self.root = Path(root) / corpus_key[:24]

    def _path(self, encoder_fingerprint: str, start: int, count: int) -> Path:
        return self.root / encoder_fingerprint[:24] / f"{start:09d}-{count}.npz"

    def load(self, encoder_fingerprint: str, start: int, count: int) -> tuple[list[Vector], float] | None:
        return read_chunk(self._path(encoder_fingerprint, start, count), count)

    def has(self, encoder_fingerprint: str, start: int, count: int) -> bool:
        """Whether the chunk is here and readable in full."""
        return self.load(encoder_fingerprint, start, count) is not None

    def save(self, encoder_fingerprint: str, start: int, vectors: Sequence[Vector], seconds: float) -> None:
        path = self._path(encoder_fingerprint, start, len(vectors))
        arrays = arrays_of(vectors)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ShopbenchError(f"cannot write encoded vectors to {path.parent}: {exc.strerror or exc}") from None
        sweep(path.parent)  # what killed writers left here, once per folder and process
        try:
            atomic.atomic_write(path, lambda handle: np.savez(handle, seconds=np.float64(seconds), **arrays),
                                overwrite=True, wrap_errors=False)
        except OSError as exc:
            raise ShopbenchError(f"cannot write encoded vectors {path}: {exc.strerror or exc}") from None
        faults.point("vectors.chunk_saved")


def arrays_of(vectors: Sequence[Vector]) -> dict[str, np.ndarray]:
    """A chunk's vectors as the arrays of its file (sparse: CSR parts; dense: one matrix)."""
    if vectors and isinstance(vectors[0], SparseVector):
        lengths = [len(v.indices) for v in vectors]
        return {
            "indptr": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            "indices": np.concatenate([v.indices for v in vectors]).astype(np.uint32),
            "values": np.concatenate([v.values for v in vectors]).astype(np.float32),
        }
    return {"dense": np.asarray(vectors, dtype=np.float32)}


def chunk_bytes(vectors: Sequence[Vector], seconds: float) -> bytes:
    """A chunk in the cache's file format, as bytes (what a remote encoder sends back)."""
    buffer = io.BytesIO()
    np.savez(buffer, seconds=np.float64(seconds), **arrays_of(vectors))
    return buffer.getvalue()


def read_chunk(source: Path | IO[bytes], count: int) -> tuple[list[Vector], float] | None:
    """The vectors and encoding seconds of a chunk file (or bytes); None when unreadable or not ``count`` long."""
    try:
        with np.load(source) as data:
            seconds = float(data["seconds"])
            if "dense" in data:
                dense = list(data["dense"])
                return (dense, seconds) if len(dense) == count else None
            indptr, indices, values = data["indptr"], data["indices"], data["values"]
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        return None
    if len(indptr) != count + 1 or indptr[-1] != len(indices) or len(indices) != len(values):
        return None
    vectors = [SparseVector(indices[a:b], values[a:b]) for a, b in itertools.pairwise(indptr)]
    return vectors, seconds

"""Sparse encoder output -> one :class:`SparseVector` per text: shared by the plain SPLADE path
(:mod:`retrievers.splade`) and the fast one (:mod:`retrievers.splade_fast`), which checks itself against it."""

from __future__ import annotations

import itertools

import numpy as np

from benchmark.store.base import SparseVector


def sparse_rows(tensor, n_rows: int) -> list[SparseVector]:
    """A (n_rows x vocab) torch sparse COO tensor -> one SparseVector per row (indices ascending; every non-zero
    value: an inference-free model's learned query weights may be negative)."""
    coo = tensor.coalesce()
    rows, cols = coo.indices().cpu().numpy()
    values = coo.values().detach().float().cpu().numpy()
    keep = values != 0
    return split_rows(rows[keep], cols[keep], values[keep], n_rows)


def split_rows(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_rows: int) -> list[SparseVector]:
    """COO entries sorted by row (columns ascending within a row) -> one SparseVector per row."""
    bounds = np.searchsorted(rows, np.arange(n_rows + 1))
    return [SparseVector(cols[a:b].astype(np.uint32), values[a:b].astype(np.float32))
            for a, b in itertools.pairwise(bounds)]

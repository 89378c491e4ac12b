from __future__ import annotations

import numpy as np
import pytest

from benchmark.store.base import SparseVector
from benchmark.store.vector_cache import VectorCache


def test_sparse_and_dense_chunks_round_trip(tmp_path):
    cache = VectorCache(tmp_path, "corpus-key")
    sparse = [SparseVector(np.array([1, 7], np.uint32), np.array([0.5, 1.5], np.float32)),
              SparseVector(np.array([], np.uint32), np.array([], np.float32)),
              SparseVector(np.array([3], np.uint32), np.array([2.0], np.float32))]
    cache.save("fp-sparse", 0, sparse, 1.25)
    loaded, seconds = cache.load("fp-sparse", 0, 3)
    assert seconds == 1.25
    for a, b in zip(loaded, sparse, strict=True):
        assert np.array_equal(a.indices, b.indices) and np.array_equal(a.values, b.values)
    dense = [np.arange(4, dtype=np.float32), np.ones(4, np.float32)]
    cache.save("fp-dense", 4096, dense, 2.0)
    loaded, _ = cache.load("fp-dense", 4096, 2)
    assert np.array_equal(np.asarray(loaded), np.asarray(dense))


def test_misses_are_none_and_keys_are_separate(tmp_path):
    cache = VectorCache(tmp_path, "corpus-key")
    cache.save("fp", 0, [np.zeros(2, np.float32)], 0.1)
    assert cache.load("fp", 0, 2) is None  # another chunk size
    assert cache.load("other", 0, 1) is None
    assert VectorCache(tmp_path, "other-corpus").load("fp", 0, 1) is None


def test_a_truncated_chunk_is_a_miss(tmp_path):
    cache = VectorCache(tmp_path, "k")
    cache.save("fp", 0, [np.zeros(2, np.float32)], 0.1)
    (path,) = list(tmp_path.rglob("*.npz"))
    path.write_bytes(path.read_bytes()[:20])
    assert cache.load("fp", 0, 1) is None


def test_hybrid_reuses_what_splade_and_dense_encoded(tmp_path, monkeypatch):
    pytest.importorskip("cognition", reason="offline-models extra not installed")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from benchmark.fusion.systems import run_any
    from benchmark.pipeline.harness import RunRequest, run_benchmark
    from retrievers.dense import DenseEncoder
    from retrievers.splade import SpladeEncoder

    for name in ("splade", "dense"):
        run_benchmark(RunRequest(retriever=name, dataset="demo", output_dir=tmp_path / "r"))

    def no_encoding(*_a, **_k):
        raise AssertionError("documents were encoded again")

    monkeypatch.setattr(SpladeEncoder, "encode_documents", no_encoding)
    monkeypatch.setattr(DenseEncoder, "encode_documents", no_encoding)
    record = run_any(RunRequest(retriever="hybrid", dataset="demo", output_dir=tmp_path / "r")).record
    assert not record.reused_index and record.metrics["NDCG@10"] > 0.3
    assert record.efficiency.encode_docs_per_s > 0

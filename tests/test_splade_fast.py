"""The fast SPLADE path gives sentence-transformers' vectors (same non-zeros, values within 1e-5)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from retrievers.splade import SpladeEncoder, SpladeSettings, sparse_rows
from retrievers.splade_fast import FastSplade, unsupported_reason

os.environ.setdefault("HF_HUB_OFFLINE", "1")

TEXTS = [
    "DEWALT 20-Volt MAX Lithium-Ion Cordless Drill/Driver Kit | compact, lightweight design",
    "Hampton Bay 52 in. Ceiling Fan",
    "a",
    "Everbilt 1/2 in. x 10 ft. galvanized steel chain " * 12,  # longer than the rest: padding in its batch
    "Ünïcödé façade paint — 1 gal.",
    "2x4x8",
    "",
]


@pytest.fixture(scope="module")
def encoder() -> SpladeEncoder:
    return SpladeEncoder(SpladeSettings("bundled:splade-tiny", batch_size=3, device="cpu"))


def _plain(model, texts, query, batch_size=3):
    encode = model.encode_query if query else model.encode_document
    return sparse_rows(encode(texts, batch_size=batch_size, convert_to_sparse_tensor=True, show_progress_bar=False), len(texts))


def _assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a.indices, b.indices)
        np.testing.assert_allclose(a.values, b.values, atol=1e-5, rtol=0)
        assert a.indices.dtype == np.uint32 and a.values.dtype == np.float32
        assert np.all(np.diff(a.indices.astype(np.int64)) > 0)


@pytest.mark.parametrize("query", [False, True])
def test_fast_path_equals_sentence_transformers(encoder, query):
    assert encoder.encode_path == "fast"
    fast = encoder.encode_queries(TEXTS) if query else encoder.encode_documents(TEXTS)
    _assert_same(fast, _plain(encoder.model, TEXTS, query))
    assert all(len(v.indices) > 0 for v in fast)


def test_plain_path_is_selectable_and_agrees(encoder):
    plain = SpladeEncoder(SpladeSettings("bundled:splade-tiny", batch_size=2, device="cpu", encode_path="plain"))
    assert plain.encode_path == "plain" and plain.fast is None
    _assert_same(encoder.encode_documents(TEXTS), plain.encode_documents(TEXTS))
    assert encoder.identity.fingerprint == plain.identity.fingerprint  # same vectors: same index


def test_batch_size_does_not_change_vectors(encoder):
    fast = FastSplade(encoder.model, vocab_slice=1000, cache_floats=0)  # slices that do not divide the vocabulary
    _assert_same(fast.encode(TEXTS, 1, False), fast.encode(TEXTS, 64, False))


def test_left_padding_gives_the_same_vectors(encoder):
    tokenizer = encoder.model[0].tokenizer
    tokenizer.padding_side = "left"  # BERT's positions then depend on the padding: compare one whole batch
    try:
        _assert_same(FastSplade(encoder.model).encode(TEXTS, len(TEXTS), False),
                     _plain(encoder.model, TEXTS, False, batch_size=len(TEXTS)))
    finally:
        tokenizer.padding_side = "right"


def test_double_log_activation(encoder):
    pooling = encoder.model[1]
    pooling.activation_function = "log1p_relu"
    try:
        _assert_same(FastSplade(encoder.model).encode(TEXTS, 4, False), _plain(encoder.model, TEXTS, False))
    finally:
        pooling.activation_function = "relu"


def test_prompts_are_applied_like_sentence_transformers(encoder):
    encoder.model.prompts = {"query": "query: ", "document": "passage: "}
    try:
        for query in (False, True):
            _assert_same(FastSplade(encoder.model).encode(TEXTS, 4, query), _plain(encoder.model, TEXTS, query))
    finally:
        encoder.model.prompts = {}


def test_decoder_is_restored_even_when_encoding_fails(encoder):
    fast = FastSplade(encoder.model)
    decoder = encoder.model[0].auto_model.get_output_embeddings()
    def interrupted(hidden, mask):
        assert encoder.model[0].auto_model.get_output_embeddings() is not decoder  # skipped while pooling
        raise KeyboardInterrupt

    fast._pool = interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        fast.encode(TEXTS, 4, False)
    assert encoder.model[0].auto_model.get_output_embeddings() is decoder


def test_unsupported_models_fall_back_to_the_plain_path(encoder):
    encoder.model.max_active_dims = 8
    try:
        assert unsupported_reason(encoder.model) == "max_active_dims is set"
        with pytest.raises(ValueError, match="max_active_dims"):
            FastSplade(encoder.model)
    finally:
        encoder.model.max_active_dims = None
    assert unsupported_reason(encoder.model) is None


def test_a_disagreeing_fast_path_is_not_used(encoder, monkeypatch):
    monkeypatch.setattr(FastSplade, "check", lambda self, tolerance=1e-5: "non-zero dimensions differ on 'x'")
    other = SpladeEncoder(SpladeSettings("bundled:splade-tiny", device="cpu"))
    with pytest.warns(UserWarning, match="using the plain path"):
        assert other.encode_path == "plain"  # decided when the model is loaded, on first use


def test_a_local_model_is_loaded_on_first_use_only(encoder):
    lazy = SpladeEncoder(SpladeSettings("bundled:splade-tiny", device="cpu"))
    assert lazy._model is None
    assert lazy.identity.fingerprint == encoder.identity.fingerprint  # known without loading
    assert lazy.encode_queries(["drill"])[0].indices.size > 0 and lazy._model is not None


def test_encode_path_is_a_retriever_setting():
    from retrievers.registry import build, resolve_config

    config = resolve_config("splade", {"encode_path": "plain", "model": "bundled:splade-tiny"})
    retriever = build("splade", config)
    assert retriever.encoders[0].settings.encode_path == "plain"
    assert build("splade", resolve_config("splade", {"model": "bundled:splade-tiny"})).encoders[0].settings.encode_path == "fast"
    with pytest.raises(Exception, match="encode_path"):
        resolve_config("splade", {"encode_path": "onnx"})


def test_one_query_at_a_time_gives_plain_vectors(encoder):
    """The latency path: one query per call (the vocabulary in one step) equals encode_query on that query."""
    for text in TEXTS:
        _assert_same(encoder.encode_queries([text]), _plain(encoder.model, [text], True, batch_size=1))

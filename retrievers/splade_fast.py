"""SPLADE encoding without materialising the (batch x tokens x vocabulary) logits.

SPLADE's document vector is ``max_t log1p(relu(h_t . w_v + b_v))`` over the tokens ``t`` of a
text, for every vocabulary entry ``v``. sentence-transformers computes the full logits tensor
(``batch x tokens x 30,522`` floats), masks it, applies ``relu`` and ``log1p`` to every element and
only then takes the maximum: on a CPU most of the time goes into writing and re-reading that
tensor, not into the arithmetic. Here the decoder runs in vocabulary slices small enough to stay in
cache, each slice is reduced over the tokens at once, and ``relu``/``log1p`` (monotone, so they
commute with ``max``) are applied to the pooled ``batch x vocabulary`` result only. The transformer
itself, tokenisation and prompts are sentence-transformers' own; only the decoder and the pooling
are replaced, and :meth:`FastSplade.check` compares both paths on probe texts before use.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from benchmark.store.base import SparseVector
from retrievers.sparse_rows import sparse_rows, split_rows

VOCAB_SLICE = 512  # decoder columns per step at least: logits of a batch slice stay in the CPU cache
CACHE_FLOATS = 1 << 20  # logits per step (4 MiB of float32): a single short query takes the vocabulary in one step
PROBES = ("cordless drill 20v max lithium ion", "Hampton Bay 52 in. Ceiling Fan with Light Kit, brushed nickel",
          "a", "x " * 40)


def splade_modules(model: Any) -> tuple[Any, Any] | None:
    """(masked-LM Transformer, SpladePooling) that encode documents: the model itself, or the ``document`` route of
    an inference-free model (a Router whose query route is a static table); None for any other layout."""
    from sentence_transformers.base.modules import Router
    from sentence_transformers.sparse_encoder.modules import SpladePooling, Transformer

    modules = list(model)
    if len(modules) == 1 and isinstance(modules[0], Router):
        modules = list(modules[0].sub_modules["document"]) if "document" in modules[0].sub_modules else []
    if len(modules) != 2 or not isinstance(modules[0], Transformer) or not isinstance(modules[1], SpladePooling):
        return None
    return modules[0], modules[1]


def is_routed(model: Any) -> bool:
    """Whether ``model`` routes queries and documents to different modules (its queries are not SPLADE-encoded)."""
    from sentence_transformers.base.modules import Router

    return any(isinstance(m, Router) for m in model)


def unsupported_reason(model: Any) -> str | None:
    """Why the fast path cannot encode with ``model`` (None: it can; for a routed model, its documents)."""
    found = splade_modules(model)
    if found is None:
        return "model is not a masked-LM Transformer + SpladePooling"
    transformer, pooling = found
    if getattr(transformer, "transformer_task", "fill-mask") != "fill-mask":
        return f"transformer task is {transformer.transformer_task}, not fill-mask"
    if pooling.pooling_strategy != "max" or pooling.activation_function not in ("relu", "log1p_relu"):
        return f"pooling {pooling.pooling_strategy}/{pooling.activation_function} is not max/relu"
    if model.max_active_dims is not None:
        return "max_active_dims is set"
    if _decoder_slot(transformer.auto_model) is None:
        return "output embeddings are not a Linear layer"
    return None


def _decoder_slot(auto_model: Any) -> tuple[Any, str] | None:
    """(parent module, attribute) holding the vocabulary projection."""
    import torch

    decoder = auto_model.get_output_embeddings()
    if not isinstance(decoder, torch.nn.Linear):
        return None
    for name, module in auto_model.named_modules():
        for attr, child in module.named_children():
            if child is decoder:
                return module, attr
    return None  # pragma: no cover - get_output_embeddings returns a registered child


class FastSplade:
    """Encodes like ``SparseEncoder.encode_query/encode_document`` on a supported model (see module doc); for a
    routed (inference-free) model, documents only (:attr:`encodes_queries` is False)."""

    def __init__(self, model: Any, vocab_slice: int = VOCAB_SLICE, cache_floats: int = CACHE_FLOATS) -> None:
        import torch

        reason = unsupported_reason(model)
        if reason:
            raise ValueError(f"fast SPLADE encoding not possible: {reason}")
        self.model = model
        self.vocab_slice = vocab_slice
        self.cache_floats = cache_floats
        self.encodes_queries = not is_routed(model)
        self._transformer, pooling = splade_modules(model)  # type: ignore[misc]
        self._parent, self._attr = _decoder_slot(self._transformer.auto_model)  # type: ignore[misc]
        decoder = getattr(self._parent, self._attr)
        self._weight_t = decoder.weight.detach().t().contiguous()  # hidden x vocab
        bias = decoder.bias.detach() if decoder.bias is not None else torch.zeros(decoder.out_features)
        self._bias = bias.to(self._weight_t.dtype)
        self._double_log = pooling.activation_function == "log1p_relu"

    def encode(self, texts: Sequence[str], batch_size: int, query: bool) -> list[SparseVector]:
        if query and not self.encodes_queries:
            raise ValueError("this model's queries do not go through its SPLADE head (see retrievers.static_query)")
        out: list[SparseVector] = []
        self.model.eval()
        prompt = self._prompt(query)
        for start in range(0, len(texts), batch_size):
            out.extend(self._encode_batch(list(texts[start : start + batch_size]), prompt))
        return out

    def check(self, tolerance: float = 1e-5) -> str | None:
        """Compare with sentence-transformers on probe texts; a description of the first difference, or None."""
        for query in (False, True) if self.encodes_queries else (False,):
            plain_encode = self.model.encode_query if query else self.model.encode_document
            plain = sparse_rows(plain_encode(list(PROBES), convert_to_sparse_tensor=True, show_progress_bar=False),
                                len(PROBES))
            for text, ours, theirs in zip(PROBES, self.encode(PROBES, 8, query), plain, strict=True):
                if not np.array_equal(ours.indices, theirs.indices):
                    return f"non-zero dimensions differ on {text!r}"
                if ours.values.size and float(np.max(np.abs(ours.values - theirs.values))) > tolerance:
                    return f"values differ by more than {tolerance} on {text!r}"
        return None

    def _prompt(self, query: bool) -> str | None:
        """The prompt sentence-transformers' encode_query / encode_document would use."""
        prompts = self.model.prompts or {}
        names = ("query",) if query else ("document", "passage", "corpus")
        name = next((n for n in names if n in prompts), None) or self.model.default_prompt_name
        return prompts.get(name) if name else None

    def _encode_batch(self, texts: list[str], prompt: str | None) -> list[SparseVector]:
        import torch
        from sentence_transformers.util import batch_to_device

        route = {} if self.encodes_queries else {"task": "document"}
        features = self.model.preprocess(texts, prompt=prompt, **route) if prompt else self.model.preprocess(texts, **route)
        features = batch_to_device(features, self.model.device)
        with torch.inference_mode(), self._decoder_skipped():
            hidden = self._transformer(features)["token_embeddings"]  # batch x tokens x hidden (head transform applied)
            pooled = self._pool(hidden, features["attention_mask"].bool())
        return _rows(pooled)

    def _pool(self, hidden, mask):
        """max over real tokens of the logits, then relu and log1p on the pooled values only."""
        import torch

        weight_t = self._weight_t.to(hidden.device, hidden.dtype)
        # Padding positions repeat a real token of their text (the first one; left or right padding): the
        # maximum is unchanged and no mask pass over the logits is needed.
        first = mask.int().argmax(dim=1)
        real = hidden[torch.arange(hidden.shape[0], device=hidden.device), first].unsqueeze(1)
        hidden = torch.where(mask.unsqueeze(-1), hidden, real)
        pooled = torch.empty(hidden.shape[0], weight_t.shape[1], dtype=hidden.dtype, device=hidden.device)
        step = max(self.vocab_slice, self.cache_floats // max(1, hidden.shape[0] * hidden.shape[1]))
        for start in range(0, weight_t.shape[1], step):
            logits = torch.matmul(hidden, weight_t[:, start : start + step])
            torch.amax(logits, dim=1, out=pooled[:, start : start + step])
        pooled += self._bias.to(hidden.device, hidden.dtype)
        pooled.relu_().log1p_()
        if self._double_log:
            pooled.log1p_()
        return pooled

    @contextmanager
    def _decoder_skipped(self) -> Iterator[None]:
        """Let the masked-LM head stop before its vocabulary projection (restored afterwards)."""
        import torch

        decoder = getattr(self._parent, self._attr)
        setattr(self._parent, self._attr, torch.nn.Identity())
        try:
            yield
        finally:
            setattr(self._parent, self._attr, decoder)


def _rows(pooled) -> list[SparseVector]:
    """A dense (batch x vocab) tensor of non-negative values -> one SparseVector per row."""
    row_t, col_t = pooled.nonzero(as_tuple=True)  # row-major: rows ascending, columns ascending within a row
    values = pooled[row_t, col_t].float().cpu().numpy()
    return split_rows(row_t.cpu().numpy(), col_t.cpu().numpy(), values, pooled.shape[0])

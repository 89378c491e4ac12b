"""Training SPLADE without the (batch x tokens x vocabulary) logits: max-pooling with a sparse backward pass.

sentence-transformers' SPLADE head computes every token's logits over the whole vocabulary (batch 128 x 64
document tokens x 30,522 = 1 GB of float32 per forward pass), then ``relu``, ``log1p`` and a max over tokens, and
keeps those tensors for the backward pass, which allocates as many again. On a CPU most of a training step then
goes into the kernel handing out and zeroing fresh pages (issue 21 measured half the process's CPU time as system
time) and into two dense backward matrix products over the vocabulary.

The pooled vector only depends, per (text, vocabulary entry), on the token with the largest logit, and its
gradient flows only where the pooled value is positive (``relu``): a few hundred entries per text. So
:class:`MaxPooledLogits` computes the logits in vocabulary slices that stay in the CPU cache, keeps the maximum
and the token that gave it, and in the backward pass routes each positive entry's gradient to that token alone
(sparse index operations instead of dense products). ``relu`` and ``log1p`` are monotone, so pooling the logits
first gives the same value as sentence-transformers' order (see :mod:`retrievers.splade_fast`, the inference
counterpart); losses agree to float tolerance (the sliced products sum in another order).

:func:`pooled_training_head` installs it on a SparseEncoder for the duration of training: the decoder's forward
becomes the identity (its weight and bias stay registered, tied and trained) and the pooling module computes the
pooled vector from the head's hidden states. Nothing of the saved model changes. Used on CPU in float32 (a GPU's
caching allocator does not have the page-fault cost, and mixed precision is left to sentence-transformers).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

from retrievers.splade_fast import CACHE_FLOATS, VOCAB_SLICE, _decoder_slot, splade_modules, unsupported_reason


class MaxPooledLogits(torch.autograd.Function):
    """``log1p(relu(max_t(hidden_t . weight_v + bias_v)))`` over the real tokens ``t`` (``mask``), for every ``v``;
    with ``double_log`` one more ``log1p`` (the ``log1p_relu`` activation)."""

    @staticmethod
    def forward(ctx: Any, hidden: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None,  # type: ignore[override]
                mask: torch.Tensor, double_log: bool) -> torch.Tensor:
        batch, tokens, _ = hidden.shape
        vocab = weight.shape[0]
        values = hidden.new_empty(batch, vocab)
        index = torch.empty(batch, vocab, dtype=torch.long, device=hidden.device)
        padding = ~mask.unsqueeze(-1)
        step = max(VOCAB_SLICE, CACHE_FLOATS // max(1, batch * tokens))
        for start in range(0, vocab, step):
            logits = torch.matmul(hidden, weight[start : start + step].t())
            if bias is not None:
                logits += bias[start : start + step]
            logits.masked_fill_(padding, float("-inf"))
            top, where = logits.max(dim=1)
            values[:, start : start + step] = top
            index[:, start : start + step] = where
        ctx.save_for_backward(hidden, weight, values, index)
        ctx.has_bias = bias is not None
        ctx.double_log = double_log
        pooled = values.clamp(min=0).log1p()
        return pooled.log1p() if double_log else pooled

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:  # type: ignore[override]
        hidden, weight, values, index = ctx.saved_tensors
        text, entry = (values > 0).nonzero(as_tuple=True)  # relu: no gradient elsewhere
        x = values[text, entry]
        g = grad[text, entry] / (1 + x)
        if ctx.double_log:
            g = g / (1 + torch.log1p(x))
        token = index[text, entry]
        grad_hidden = grad_weight = grad_bias = None
        # index_add_ (not index_put_(accumulate=True), whose multithreaded CPU sums come out in a different order
        # from run to run): the same gradients bit for bit on every run, so a resumed training equals an unbroken one
        if ctx.needs_input_grad[0]:
            batch, tokens, dim = hidden.shape
            grad_hidden = torch.zeros(batch * tokens, dim, dtype=hidden.dtype, device=hidden.device).index_add_(
                0, text * tokens + token, g.unsqueeze(1) * weight[entry]).view(batch, tokens, dim)
        if ctx.needs_input_grad[1]:
            grad_weight = torch.zeros_like(weight).index_add_(0, entry, g.unsqueeze(1) * hidden[text, token])
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_bias = values.new_zeros(weight.shape[0]).index_add_(0, entry, g)
        return grad_hidden, grad_weight, grad_bias, None, None


def why_not(model: Any, device: str, precision: dict[str, bool]) -> str | None:
    """Why :func:`pooled_training_head` leaves ``model`` to sentence-transformers' head (None: it applies)."""
    if not device.startswith("cpu"):
        return "not on CPU"
    if any(precision.values()):
        return "mixed precision"
    return unsupported_reason(model)


@contextmanager
def pooled_training_head(model: Any) -> Iterator[None]:
    """Train ``model`` (masked-LM Transformer + SPLADE max pooling, or an inference-free model's document route;
    see :func:`why_not`) with :class:`MaxPooledLogits`; the model is as before when the block ends."""
    transformer, pooling = splade_modules(model)  # type: ignore[misc]
    parent, attr = _decoder_slot(transformer.auto_model)  # type: ignore[misc]
    decoder = getattr(parent, attr)
    double_log = pooling.activation_function == "log1p_relu"

    def pool(features: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        if "cu_seq_lens_q" in features:
            raise RuntimeError("pooled_training_head: unpadded (flattened) inputs are not supported")
        hidden, mask = features["token_embeddings"], features["attention_mask"].bool()
        features["sentence_embedding"] = MaxPooledLogits.apply(hidden, decoder.weight, decoder.bias, mask, double_log)
        pooling.embedding_dimension = decoder.weight.shape[0]
        return features

    decoder.forward = _identity  # instance attributes: the modules, their parameters and state dicts stay
    pooling.forward = pool
    try:
        yield
    finally:
        del decoder.forward
        del pooling.forward


def _identity(hidden: torch.Tensor) -> torch.Tensor:
    return hidden

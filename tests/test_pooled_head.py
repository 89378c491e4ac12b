"""The training head without full-vocabulary logits (benchmark.train.pooled_head) against sentence-transformers'."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from benchmark.train.pooled_head import MaxPooledLogits, pooled_training_head, why_not  # noqa: E402


def _reference(hidden, weight, bias, mask, double_log):
    """sentence-transformers' SpladePooling (training mode) on the decoder's logits."""
    logits = hidden @ weight.t() + bias
    values = (logits * mask.unsqueeze(-1).to(logits.dtype)).relu().log1p()
    if double_log:
        values = values.log1p()
    return values.max(dim=1)[0]


def _inputs(seed=0, batch=3, tokens=7, dim=16, vocab=1200):
    g = torch.Generator().manual_seed(seed)
    hidden = torch.randn(batch, tokens, dim, generator=g, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(vocab, dim, generator=g, dtype=torch.float64, requires_grad=True)
    bias = (torch.randn(vocab, generator=g, dtype=torch.float64) - 2).requires_grad_()  # many entries stay <= 0
    mask = torch.ones(batch, tokens, dtype=torch.bool)
    mask[1, tokens // 2 :] = False  # padding
    mask[-1, 1:] = False  # one real token
    return hidden, weight, bias, mask


@pytest.mark.parametrize("double_log", [False, True])
def test_values_and_gradients_equal_sentence_transformers(double_log):
    hidden, weight, bias, mask = _inputs()
    upstream = torch.randn(3, 1200, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    ours = MaxPooledLogits.apply(hidden, weight, bias, mask, double_log)
    grads = torch.autograd.grad((ours * upstream).sum(), (hidden, weight, bias))
    theirs = _reference(hidden, weight, bias, mask, double_log)
    expected = torch.autograd.grad((theirs * upstream).sum(), (hidden, weight, bias))
    assert 0 < (theirs > 0).float().mean() < 0.9  # both zero and active entries are exercised
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-12)
    for got, want in zip(grads, expected, strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=1e-12)
    assert float(grads[0][1, 3:].abs().sum()) == 0.0  # no gradient reaches padding


def test_gradcheck():
    hidden, weight, bias, mask = _inputs(seed=3, batch=2, tokens=4, dim=5, vocab=40)
    assert torch.autograd.gradcheck(lambda h, w, b: MaxPooledLogits.apply(h, w, b, mask, False), (hidden, weight, bias))


def test_a_model_trains_the_same_and_is_unchanged_afterwards():
    pytest.importorskip("cognition", reason="offline-models extra not installed")
    from sentence_transformers import SparseEncoder

    from retrievers.models import resolve

    model = SparseEncoder(resolve("bundled:splade-tiny"), device="cpu")
    assert why_not(model, "cpu", {"bf16": False, "fp16": False}) is None
    assert why_not(model, "cuda", {"bf16": True, "fp16": False}) == "not on CPU"
    model.train()
    for module in model.modules():  # the same forward pass twice: no dropout
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    texts = ["DEWALT 20V MAX cordless drill", "Hampton Bay 52 in. ceiling fan with light kit", "2x4x8"]

    def step() -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        model.zero_grad()
        features = model.preprocess(texts)
        embeddings = model(features)["sentence_embedding"]
        loss = (embeddings @ embeddings.t()).trace() + 0.01 * embeddings.abs().sum(dim=1).pow(2).mean()
        loss.backward()
        return embeddings.detach(), {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}

    plain, plain_grads = step()
    with pooled_training_head(model):
        fast, fast_grads = step()
    again, _ = step()
    torch.testing.assert_close(fast, plain, rtol=1e-5, atol=1e-5)
    assert set(fast_grads) == set(plain_grads)
    for name, grad in plain_grads.items():
        torch.testing.assert_close(fast_grads[name], grad, rtol=1e-3, atol=1e-4, msg=name)
    torch.testing.assert_close(again, plain)  # the plain head is back
    assert "forward" not in vars(model[1]) and "forward" not in vars(model[0].auto_model.get_output_embeddings())


def test_gradients_are_the_same_bits_on_every_run():
    """A resumed training must equal an unbroken one: the backward pass may not sum in a run-dependent order
    (index_put_(accumulate=True) on a multithreaded CPU did; seen as a flaky crash-safety test)."""
    g = torch.Generator().manual_seed(0)
    hidden = torch.randn(40, 32, 64, generator=g, requires_grad=True)
    weight = torch.randn(30522, 64, generator=g, requires_grad=True)
    bias = torch.randn(30522, generator=g, requires_grad=True)
    mask = torch.ones(40, 32, dtype=torch.bool)
    upstream = torch.randn(40, 30522, generator=g)
    runs = []
    for _ in range(4):
        out = MaxPooledLogits.apply(hidden, weight, bias, mask, False)
        runs.append(torch.autograd.grad((out * upstream).sum(), (hidden, weight, bias)))
    for other in runs[1:]:
        assert all(torch.equal(a, b) for a, b in zip(runs[0], other, strict=True))

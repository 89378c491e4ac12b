"""Shared machinery of the model-based encoders: load once, encode in length-sorted chunks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from retrievers import models
from retrievers.base import ModelIdentity, Progress

T = TypeVar("T")
CHUNK = 1024


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """Which model a neural encoder loads and how it runs it (batch size and device do not change vectors)."""

    model: str
    batch_size: int = 64
    max_length: int = 256
    device: str = "auto"


def load_model(cls: type, settings: ModelSettings, what: str) -> tuple[Any, ModelIdentity]:
    """Instantiate a sentence-transformers class on a resolved model; failures name the model."""
    quiet_model_loading()
    resolved = models.resolve(settings.model)
    models.check_weights(resolved)  # pickle-only folders need the user's opt-in
    try:
        model = cls(resolved, device=device_of(settings.device), **models.loading_kwargs())
    except Exception as err:
        hint = "" if models.trust_remote_code() else (
            f" (loaded with safetensors only and no remote code; {models.TRUST_REMOTE_CODE_ENV}=1 allows both)")
        raise models.ModelError(f"{settings.model}: cannot load as a {what} model: {err}{hint}") from err
    model.max_seq_length = settings.max_length
    return model, models.identity(settings.model, resolved)


def device_of(requested: str) -> str:
    if requested != "auto":
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def encode_sorted(texts: Sequence[str], encode: Callable[[list[str]], list[T]], progress: Progress | None) -> list[T]:
    """Encode longest-first in chunks (less padding, steady progress), then restore the input order."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    out: list[T | None] = [None] * len(texts)
    for start in range(0, len(order), CHUNK):
        chunk = order[start : start + CHUNK]
        for i, vector in zip(chunk, encode([texts[i] for i in chunk]), strict=True):
            out[i] = vector
        if progress:
            progress(len(chunk))
    return out  # type: ignore[return-value]


def quiet_model_loading() -> None:
    """Model loading should not draw its own progress bars between ours."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:  # pragma: no cover
        pass

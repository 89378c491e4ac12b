"""The query side of an inference-free SPLADE model: a static weight per vocabulary token, looked up.

An inference-free model (sentence-transformers ``SparseEncoder([Router({"query": [SparseStaticEmbedding],
"document": [MLM Transformer, SpladePooling]})])``) encodes documents with SPLADE and queries with a table: a
query's vector holds, for each distinct token of the query, that token's weight (``SparseStaticEmbedding``:
token presence times the weight vector; the tokenizer runs without special tokens, truncated to its
``model_max_length``, after the model's query prompt if it has one).

:class:`StaticQueryTable` reads the tokenizer (``tokenizer.json``, through the ``tokenizers`` library) and the
weight vector (``model.safetensors``, read as numpy) straight from the saved model folder: no torch, no
transformer, nothing of the document route is loaded or run. :func:`detect` says from the folder's files alone
whether a model is inference-free, so a run that reuses a complete index never loads the document model at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.store.base import SparseVector

ARCHITECTURE = "inference-free"  # how results, cards and the registry name these models
ROUTER_CONFIG = "router_config.json"
STATIC_CLASS = "SparseStaticEmbedding"


@dataclass(frozen=True, slots=True)
class StaticRoute:
    """Where an inference-free model keeps its query table inside its folder."""

    folder: Path  # the query module's folder (tokenizer files, model.safetensors)
    prompt: str  # the model's query prompt ("" when none)


def detect(model_dir: Path | str) -> StaticRoute | None:
    """The query route of a saved inference-free model, or None for any other model (or a folder not readable
    as one). Reads JSON files only."""
    root = Path(model_dir)
    try:
        router = json.loads((root / ROUTER_CONFIG).read_text())
        modules = json.loads((root / "modules.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(router, dict) or not isinstance(modules, list) or len(modules) != 1:
        return None
    route = (router.get("structure") or {}).get("query")
    types = router.get("types") or {}
    if not isinstance(route, list) or len(route) != 1 or not str(types.get(route[0], "")).endswith(STATIC_CLASS):
        return None
    settings = _settings(root)
    if settings.get("max_active_dims") is not None:
        return None  # sentence-transformers would prune the query vector: leave such a model to it
    prompts = settings.get("prompts")
    prompt = (prompts.get("query") or "") if isinstance(prompts, dict) else ""
    folder = root / str(modules[0].get("path") or "") / route[0]
    return StaticRoute(folder, str(prompt)) if (folder / "tokenizer.json").is_file() else None


def _settings(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / "config_sentence_transformers.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class StaticQueryTable:
    """Query vectors of an inference-free model: the weights of the query's distinct tokens."""

    def __init__(self, tokenizer: Any, weights: np.ndarray, max_length: int, prompt: str = "") -> None:
        self.tokenizer = tokenizer  # a tokenizers.Tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_length)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.prompt = prompt

    @classmethod
    def load(cls, route: StaticRoute) -> StaticQueryTable:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        try:
            weights = load_file(str(route.folder / "model.safetensors"))["weight"]
            config = json.loads((route.folder / "tokenizer_config.json").read_text())
            tokenizer = Tokenizer.from_file(str(route.folder / "tokenizer.json"))
        except Exception as err:  # tokenizers raises plain Exception on a bad file
            from retrievers.models import ModelError

            raise ModelError(f"{route.folder}: cannot read the inference-free query table: {err}") from err
        return cls(tokenizer, weights, int(config.get("model_max_length") or 512), route.prompt)

    @classmethod
    def of_module(cls, module: Any, prompt: str = "") -> StaticQueryTable:
        """The table of a loaded ``SparseStaticEmbedding`` (a hub model, loaded by sentence-transformers)."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_str(module.tokenizer.backend_tokenizer.to_str())  # a copy: ours gets settings
        return cls(tokenizer, module.weight.detach().float().cpu().numpy(),
                   int(module.tokenizer.model_max_length), prompt)

    def token_ids(self, text: str) -> np.ndarray:
        """The distinct token ids of ``text`` (ascending), as the query module tokenises it."""
        encoding = self.tokenizer.encode(self.prompt + text, add_special_tokens=False)
        return np.unique(np.asarray(encoding.ids, dtype=np.int64))

    def encode(self, texts: Sequence[str]) -> list[SparseVector]:
        out = []
        for encoding in self.tokenizer.encode_batch([self.prompt + t for t in texts], add_special_tokens=False):
            ids = np.unique(np.asarray(encoding.ids, dtype=np.int64))
            values = self.weights[ids]
            keep = values != 0
            out.append(SparseVector(ids[keep].astype(np.uint32), values[keep].astype(np.float32)))
        return out

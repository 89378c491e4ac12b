"""The starting model of an inference-free training run (``architecture: inference-free``).

sentence-transformers' recipe for inference-free SPLADE: ``SparseEncoder([Router({"query":
[SparseStaticEmbedding], "document": [MLM Transformer, SpladePooling]})])``; columns are routed by
``router_mapping`` (the query column to ``query``, every other column to ``document``); the static query
weights learn with their own, larger learning rate (``learning_rate_mapping``, 1e-3 in its documentation);
only the document side is regularised (``query_regularizer_weight`` 0). :func:`build_base` makes that model
from the configured SPLADE base (its MLM and pooling become the document route) with the query table
initialised from the training catalog's IDF (``query_init: idf``) or at 1 for every token (``ones``, learned
from there), and saves it once in the run folder, so a resumed run starts from the same weights.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.core.console import console
from benchmark.core.errors import ShopbenchError
from benchmark.train.config import TrainConfig
from benchmark.train.data import DatasetPairs
from retrievers import models
from retrievers.static_query import detect

BASE_FOLDER = "base-inference-free"
INFO_FILE = "inference_free.json"  # beside the built base: how its query table was initialised


def catalog_idf(tokenize: Any, texts: Iterable[str], vocabulary: int) -> tuple[np.ndarray, int]:
    """BM25's idf, ``ln(1 + (N - df + 0.5) / (df + 0.5))``, of every vocabulary id over ``texts`` (df: texts
    holding the token at least once; ids never seen get the idf of df 0), and N."""
    df = np.zeros(vocabulary, dtype=np.int64)
    n = 0
    for ids in tokenize(texts):
        df[np.unique(np.asarray(ids, dtype=np.int64))] += 1
        n += 1
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    return idf.astype(np.float32), n


def build_base(config: TrainConfig, data: list[DatasetPairs], work: Path) -> str:
    """The round-0 starting model for ``config`` (inference-free): the base itself when it already is one,
    else a model built once into ``work/base-inference-free``."""
    resolved = models.resolve(config.base_model)
    if Path(resolved).exists() and detect(resolved) is not None:
        return resolved
    folder = work / BASE_FOLDER
    if (folder / INFO_FILE).is_file():
        return str(folder)
    from sentence_transformers import SparseEncoder
    from sentence_transformers.base.modules import Router
    from sentence_transformers.sparse_encoder.modules import SparseStaticEmbedding

    from benchmark.train.fitting import load_model, save_model

    splade = load_model(resolved, "cpu")
    if len(list(splade)) != 2:
        raise ShopbenchError(f"{config.base_model}: an inference-free model is built from a SPLADE model (masked-LM "
                             "Transformer + SpladePooling); this one has another layout")
    transformer, pooling = splade[0], splade[1]
    tokenizer = transformer.tokenizer
    settings = config.inference_free
    info: dict[str, Any] = {"query_init": settings.query_init, "base_model": config.base_model}
    weight = None
    if settings.query_init == "idf":
        texts = [config.text_builder().build(doc) for p in data for doc in p.dataset.corpus.values()]
        backend = tokenizer.backend_tokenizer

        def tokenize(batch: Iterable[str]) -> Iterable[list[int]]:
            items = list(batch)
            for start in range(0, len(items), 4096):
                for encoding in backend.encode_batch(items[start : start + 4096], add_special_tokens=False):
                    yield encoding.ids

        idf, n = catalog_idf(tokenize, texts, len(tokenizer.get_vocab()))
        import torch

        weight = torch.from_numpy(idf)
        info.update(documents=n, idf="ln(1 + (N - df + 0.5) / (df + 0.5))",
                    catalogs=[p.name for p in data])
        console.print(f"inference-free: query weights from the IDF of {n:,} catalog products "
                      f"(max {float(idf.max()):.2f}, min {float(idf.min()):.2f})")
    static = SparseStaticEmbedding(tokenizer=tokenizer, weight=weight, frozen=settings.query_frozen)
    model = SparseEncoder(modules=[Router({"query": [static], "document": [transformer, pooling]})], device="cpu")
    save_model(model, folder, lambda tmp: (tmp / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n"))
    return str(folder)


def init_info(work: Path) -> dict[str, Any] | None:
    """How this run's query table started (None: the base was already inference-free, or not this architecture)."""
    try:
        return json.loads((work / BASE_FOLDER / INFO_FILE).read_text())
    except (OSError, ValueError):
        return None


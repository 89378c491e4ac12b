"""What the training tests share: a tiny CPU config on the bundled demo (SPLADE-tiny, a few steps) and the offline
environment (no model hub here)."""

from __future__ import annotations

import pytest

from benchmark.train.config import TrainConfig, build_config


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def tiny(name: str, **overrides) -> TrainConfig:
    data = {"name": name, "datasets": [{"name": "demo", "dev_split": "test"}], "batch_size": 8, "max_steps": 2,
            "save_steps": 1, "logging_steps": 1, "device": "cpu", "query_max_length": 16,
            "document_max_length": 32, "eval_batch_size": 32}
    return build_config(data, overrides)

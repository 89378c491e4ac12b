"""Experiment trackers a training run reports to (``report_to`` / ``--report-to``), checked before a run starts:
each is sentence-transformers' (the Hugging Face Trainer's) integration and needs its package here. TensorBoard
works offline (event files under each round's ``tracking/`` folder); Weights & Biases and MLflow log where their
own settings say (``WANDB_MODE=offline``, ``MLFLOW_TRACKING_URI``)."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

from benchmark.train.config import TrainConfigError

PACKAGES = {"tensorboard": "tensorboard", "wandb": "wandb", "mlflow": "mlflow"}  # tracker -> module it needs


def check_trackers(names: Sequence[str]) -> None:
    """Refuse a tracker whose package is not installed, before anything is loaded or written."""
    missing = [name for name in names if importlib.util.find_spec(PACKAGES[name]) is None]
    if missing:
        packages = " ".join(PACKAGES[name] for name in missing)
        raise TrainConfigError(f"report_to {', '.join(missing)}: not installed here (pip install {packages}); "
                               "or leave it out (--report-to / report_to in the config): every run writes "
                               "metrics.jsonl in its run folder anyway")

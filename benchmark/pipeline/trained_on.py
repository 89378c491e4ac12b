"""`bench run`'s leakage guard: a model is never evaluated on the queries it was trained on.

A model folder written by `bench train` carries its training record (``shopbench_train.json``): the datasets it
drew (query, product) pairs from, each with its train split (``config.datasets[i].name / train_split``), and
its base model, which may itself be such a folder (a model trained further is trained on both). Evaluating
split S of dataset D is refused when a model of the run was trained on D and S contains D's training queries:
S is that train split, or ``all`` (every query of a dataset without an official split: train and dev too).

Datasets are compared by loader and, for BEIR, by folder name (``beir:/a/scifact`` and ``beir:scifact`` are
one dataset): a guard errs on the side of refusing. There is no override; evaluate the held-out split.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel

from benchmark.core.errors import ShopbenchError
from benchmark.datasets.splits import ALL_SPLIT
from retrievers.models import TRAIN_RECORD_FILE, registered_name

DEFAULT_TRAIN_SPLIT = "train"  # DatasetSpec.train_split's default (records may leave defaults out)


class TrainedOnEvaluationError(ShopbenchError):
    """A model of the run was trained on queries of the split to be evaluated."""


@dataclass(frozen=True, slots=True)
class TrainedOn:
    """One dataset a model folder was trained on."""

    model: str  # as a message names it: splade-ft@NAME, or the folder's name
    record: Path  # the training record that says so
    dataset: str  # as `bench train` was given it: wands, homedepot, beir:PATH, ...
    split: str  # the split its pairs came from


def training_of(folder: Path) -> list[TrainedOn]:
    """What ``folder`` (and, through its base model, its ancestors) was trained on; [] for a model that
    `bench train` did not write (or whose record is unreadable)."""
    found: list[TrainedOn] = []
    seen: set[Path] = set()
    current: Path | None = folder
    while current is not None and current.resolve() not in seen:
        seen.add(current.resolve())
        record = _record(current)
        if record is None:
            break
        name = registered_name(current) or current.name
        for spec in _specs(record):
            found.append(TrainedOn(name, current / TRAIN_RECORD_FILE, str(spec["name"]),
                                   str(spec.get("train_split") or DEFAULT_TRAIN_SPLIT)))
        current = _folder(record.get("config", {}).get("base_model"))
    return found


def _record(folder: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((folder / TRAIN_RECORD_FILE).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _specs(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    config = record.get("config")
    datasets = config.get("datasets") if isinstance(config, Mapping) else None
    if not isinstance(datasets, list):
        return []
    return [d for d in datasets if isinstance(d, Mapping) and isinstance(d.get("name"), str)]


def _folder(value: object) -> Path | None:
    """The model folder a config string names, if it is one holding a training record."""
    if not isinstance(value, str) or not value or "\x00" in value:
        return None
    try:
        folder = Path(value).expanduser()
        return folder if (folder / TRAIN_RECORD_FILE).is_file() else None
    except (OSError, RuntimeError, ValueError):  # ~unknown-user, a name too long
        return None


def model_folders(config: Any) -> list[Path]:
    """Every folder with a training record that a resolved retriever config names (any part, any encoder)."""
    folders: list[Path] = []
    for value in _strings(config):
        folder = _folder(value)
        if folder is not None and folder not in folders:
            folders.append(folder)
    return folders


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, PurePath):
        yield str(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):  # a fused config: settings and parts
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))
    elif isinstance(value, BaseModel):
        yield from _strings(value.model_dump(mode="json"))
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def same_dataset(a: str, b: str) -> bool:
    """Whether two ``--dataset`` values name one dataset: the same loader, and for a BEIR folder the same name."""
    return _identity(a) == _identity(b)


def _identity(dataset: str) -> tuple[str, str]:
    loader, _, arg = dataset.partition(":")
    return loader, PurePath(arg.rstrip("/\\")).name if arg else ""


def refuse_trained_on(dataset: str, split: str, config: Any) -> None:
    """Raise :class:`TrainedOnEvaluationError` when a model ``config`` names was trained on ``split`` of
    ``dataset`` (see the module docstring)."""
    for folder in model_folders(config):
        for trained in training_of(folder):
            if same_dataset(trained.dataset, dataset) and split in (ALL_SPLIT, trained.split):
                raise TrainedOnEvaluationError(_message(trained, dataset, split))


def _message(trained: TrainedOn, dataset: str, split: str) -> str:
    contains = (f"split '{ALL_SPLIT}' is every query of {dataset}, its train split included" if split == ALL_SPLIT
                else f"split '{split}' is the split it was trained on")
    return (f"refusing to evaluate {trained.model} on {dataset}/{split}: the model was trained on split "
            f"'{trained.split}' of {trained.dataset} (training record {trained.record.name} in its folder), and "
            f"{contains}, so its numbers would be inflated. Evaluate a split it never saw (e.g. --split test), or "
            f"a model not trained on {dataset}")

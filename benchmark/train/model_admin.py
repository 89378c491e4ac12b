"""Managing the trained models of the local registry (``bench models list/show/rm/export``).

A listing row is the registry entry as it is (:class:`~retrievers.trained_models.RegisteredModel`) plus what is
read from the model's folder: the training record ``bench train`` wrote there (pairs per dataset), the weights'
sha256 and the folder's size. ``rm`` unregisters first, then deletes the folder (renamed aside in one step, so a
half-deleted model is never left under its name) and says what ``splade-ft`` resolves to next. ``export`` copies
the model as a plain sentence-transformers folder (weights, tokenizer, module configs, card), without the
registry's bookkeeping, into a folder that must not exist yet.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmark.core import atomic
from benchmark.core.errors import ShopbenchError
from retrievers import models
from retrievers.trained_models import ModelRegistry, RegisteredModel

EXPORT_SKIPPED = (models.TRAIN_RECORD_FILE,)  # shopbench's own record: the card (README.md) says the same for people


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One registered model as ``bench models list`` shows it."""

    entry: RegisteredModel
    present: bool  # the folder exists
    pairs: dict[str, int]  # training pairs per dataset (from the training record; empty when unknown)
    dev_ndcg10: float | None  # mean over datasets of the last round's dev nDCG@10
    weights_sha256: str
    size_bytes: int

    def as_json(self) -> dict[str, Any]:
        """The registry entry's fields unchanged, what the folder tells under ``folder``."""
        return {**asdict(self.entry), "folder": {"present": self.present, "pairs": self.pairs,
                                                 "dev_ndcg10": self.dev_ndcg10, "weights_sha256": self.weights_sha256,
                                                 "size_bytes": self.size_bytes}}


def rows(registry: ModelRegistry) -> list[ModelRow]:
    """Every registered model, in registry order."""
    return [row_of(entry) for entry in registry.entries()]


def row_of(entry: RegisteredModel) -> ModelRow:
    folder = Path(entry.path)
    present = folder.is_dir()
    record = _record(folder) if present else {}
    pairs = {str(d.get("dataset")): int(d["pairs"]) for d in record.get("data", []) if "pairs" in d}
    ndcg = [m["NDCG@10"] for m in (entry.dev_metrics or {}).values() if isinstance(m, dict) and "NDCG@10" in m]
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if present else 0
    return ModelRow(entry, present, pairs, sum(ndcg) / len(ndcg) if ndcg else None,
                    models.weights_sha256(folder) if present else "", size)


def _record(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / models.TRAIN_RECORD_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def card(entry: RegisteredModel) -> str:
    """The model's card (README.md in its folder); the registry entry when the folder has none."""
    path = Path(entry.path) / "README.md"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    return f"# {entry.name}\n\n(no card in {entry.path})\n\n```json\n{json.dumps(asdict(entry), indent=2)}\n```\n"


@dataclass(frozen=True, slots=True)
class Removed:
    entry: RegisteredModel
    folder_deleted: bool  # False: the folder was not under the registry's models folder (kept) or was missing
    next_latest: RegisteredModel | None  # what ``splade-ft`` resolves to now


def remove(registry: ModelRegistry, name: str) -> Removed:
    """Unregister ``name`` and delete its folder when the registry owns it (under ``models/``)."""
    entry = registry.remove(name)
    folder = Path(entry.path)
    owned = folder.resolve().parent == registry.root.resolve() and folder.is_dir()
    if owned:
        aside = atomic.temp_dir(folder.parent, f".{folder.name}.removing")
        folder.rename(aside / folder.name)  # one rename: the name is free at once, never half a model under it
        shutil.rmtree(aside, ignore_errors=True)
    return Removed(entry, owned, registry.latest())


def export(entry: RegisteredModel, target: Path) -> Path:
    """Copy the model to ``target`` (which must not exist) as a plain sentence-transformers folder."""
    source = Path(entry.path)
    if not source.is_dir():
        raise ShopbenchError(f"model {entry.name}: its folder {source} is missing (bench models rm {entry.name} "
                             "removes the entry)")
    if target.exists():
        raise ShopbenchError(f"{target} already exists; export into a new folder (nothing is overwritten)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = atomic.temp_dir(target.parent, target.name)
    try:
        shutil.copytree(source, tmp / "model", ignore=shutil.ignore_patterns(*EXPORT_SKIPPED))
        (tmp / "model").rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target

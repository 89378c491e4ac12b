"""The Modal app: the same training function as ``bench train``, on a Modal GPU.

Importing this module needs the ``modal`` package but no credentials and no network: the app, the
image and the Volumes are only declared here (Modal resolves them when an app runs). The launcher
(:mod:`benchmark.train.remote`) checks credentials first, then runs :data:`train_remote` with the
GPU, timeout and Volumes of the config (``Function.with_options``).

The config travels as one JSON string (``TrainConfig.to_json``), so no key can be dropped on the
way; :func:`run_job` decodes it, points each dataset at its copy in the data Volume, and trains
with the checkpoint Volume as the cache folder: checkpoints and the finished model (``models/<name>/``)
persist there, and a rerun of an interrupted job resumes from them. Runs share that Volume (a sweep runs
many at once) and a Volume keeps only the last write of a file, so a run does not touch the shared
``models/registry.json``: it writes its own entry, ``models/.runs/<name>.json``
(:func:`retrievers.trained_models.write_run_record`), and the client registers what it downloads.

The image carries this project's packages that the entry point imports, found by reading the imports
(:mod:`benchmark.train.modal_source`), and pins the libraries training is tested with (:data:`PINNED`,
checked against the installed versions by the tests).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import modal

from benchmark.train.config import DatasetSpec, ModalConfig, TrainConfig
from benchmark.train.modal_source import shipped_packages
from retrievers.trained_models import RegisteredModel, now_iso

if TYPE_CHECKING:  # pragma: no cover
    from benchmark.train.trainer import TrainResult

DATA_MOUNT = "/data"
CACHE_MOUNT = "/checkpoints"
DEFAULTS = ModalConfig()
PYTHON_VERSION = "3.11"
# The versions this project is tested with, one home: pins.txt beside this module (also the pip constraints of
# `make install`; tests/test_modal_image.py compares the exact pins with the installed packages).
PINS_FILE = Path(__file__).with_name("pins.txt")
PINNED = tuple(line.split("#", 1)[0].strip() for line in PINS_FILE.read_text().splitlines()
               if line.split("#", 1)[0].strip())
SOURCE_IGNORE = ["**/__pycache__/**", "**/*.pyc"]  # include non-Python package data (the demo catalog)
SOURCE_PACKAGES = shipped_packages()  # benchmark, leaderboard, retrievers: what run_job's imports reach

app = modal.App(DEFAULTS.app_name)
image = (
    modal.Image.debian_slim(python_version=PYTHON_VERSION)
    .pip_install(*PINNED)
    .env({"TOKENIZERS_PARALLELISM": "false"})
    .add_local_python_source(*SOURCE_PACKAGES, ignore=SOURCE_IGNORE)
)


def volumes_for(modal_config: ModalConfig) -> dict[str, modal.Volume]:
    return {
        DATA_MOUNT: modal.Volume.from_name(modal_config.data_volume, create_if_missing=True),
        CACHE_MOUNT: modal.Volume.from_name(modal_config.checkpoint_volume, create_if_missing=True),
    }


FUNCTION_OPTIONS: dict[str, Any] = {
    "gpu": DEFAULTS.gpu,
    "timeout": DEFAULTS.timeout_s,
    "volumes": volumes_for(DEFAULTS),
}


def options_for(config: TrainConfig) -> dict[str, Any]:
    """``Function.with_options`` arguments for one config: its GPU, timeout and Volumes."""
    return {"gpu": config.modal.gpu, "timeout": config.modal.timeout_s, "volumes": volumes_for(config.modal)}


def data_key(spec: DatasetSpec) -> str:
    """The dataset's folder in the data Volume (``beir:/a/b/scifact`` -> ``beir-scifact``)."""
    loader, _, arg = spec.name.partition(":")
    if loader == "beir":
        return f"beir-{Path(arg).name or 'dataset'}"
    return loader


def remap_to_volume(config: TrainConfig, data_root: str | None) -> TrainConfig:
    """Point every dataset at its copy under ``data_root`` (bundled datasets need none)."""
    if not data_root:
        return config
    specs = []
    for spec in config.datasets:
        if spec.name == "demo":
            specs.append(spec)
            continue
        folder = Path(data_root) / data_key(spec)
        name = f"beir:{folder}" if spec.name.startswith("beir:") else spec.name
        specs.append(spec.model_copy(update={"name": name, "data_dir": folder}))
    return config.model_copy(update={"datasets": specs})


def run_job(config_json: str, data_root: str | None = DATA_MOUNT, cache_root: str = CACHE_MOUNT,
            dry_run: bool = False) -> dict[str, Any]:
    """Decode the config, train, write the run's own registry entry, and return a summary the launcher can
    register from. ``name`` in the summary is the name the model has in the Volume (``NAME-2`` where the
    Volume had a NAME already and the config allows a suffix).

    ``dry_run`` returns the decoded config without training (the launcher's forwarding test).
    """
    config = TrainConfig.from_json(config_json)
    if dry_run:
        return {"config_json": config.to_json()}
    from benchmark.train.trainer import train
    from retrievers.trained_models import write_run_record

    result = train(remap_to_volume(config, data_root), cache_dir=cache_root, register=False)
    entry = run_entry(result)
    record = write_run_record(entry, cache_root)
    _commit(cache_root, config.modal.checkpoint_volume)
    return {
        "name": result.name,
        "model_path": entry.path,  # relative to the checkpoint Volume's root
        "record_path": str(record.relative_to(cache_root)),
        "dev_ndcg10": result.dev_ndcg10(),
        "rounds": [dataclasses.asdict(r) for r in result.rounds],
        "total_s": result.total_s,
        "hardware": result.hardware,
        "config_json": config.to_json(),
    }


def run_entry(result: TrainResult) -> RegisteredModel:
    """The registry entry of a finished remote run, its path relative to the Volume's root."""
    return RegisteredModel(
        name=result.name, path=f"models/{result.name}", base_model=result.config.base_model,
        registered_at=now_iso(), datasets=[str(row.get("dataset")) for row in result.data],
        dev_metrics=result.rounds[-1].dev if result.rounds else {},
        extra={"rounds": len(result.rounds), "train_s": round(result.total_s, 1), "hardware": result.hardware},
        architecture=result.config.architecture)


def _commit(cache_root: str, volume: str) -> None:
    """Persist the checkpoint Volume now (Modal also commits when the container exits)."""
    if cache_root != CACHE_MOUNT or not Path(CACHE_MOUNT).is_dir():
        return
    try:
        modal.Volume.from_name(volume).commit()
    except Exception as err:  # noqa: BLE001 - best effort; the exit commit follows
        print(f"volume commit deferred to container exit: {err}")


@app.function(image=image, **FUNCTION_OPTIONS)
def train_remote(config_json: str, data_root: str | None = DATA_MOUNT, cache_root: str = CACHE_MOUNT,
                 dry_run: bool = False) -> dict[str, Any]:
    """The Modal entry point: exactly :func:`run_job`."""
    return run_job(config_json, data_root, cache_root, dry_run)

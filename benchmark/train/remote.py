"""`bench train --on modal`, `--detach`, `--fetch` and `--fetch-call`: checks, dataset upload, launch, download,
register. Sweeps: :mod:`benchmark.train.modal_sweep`.

Nothing here talks to Modal before :func:`check_modal_ready` has found credentials of the active profile and
reached an API host with a short socket timeout (:mod:`benchmark.train.modal_credentials`), so a machine
without either fails in seconds with a message that says what to do. Modal's own errors leave as one line
(:mod:`benchmark.train.modal_errors`). A config whose ``device`` is not a GPU device (``cpu``) trains on
``cuda`` on Modal, with a note: the run rents a GPU (``modal.gpu``), so it uses it.

Names: the launcher picks a name free in the local registry; the remote run makes it free in the checkpoint
Volume too (``NAME-2``, ... with ``if_exists: suffix``), and returns the name it used. A detached run prints its
Modal call id: ``bench train --fetch-call ID`` gets that run's summary (real name and config, custom Volume
included) and downloads the model.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

from benchmark.core.console import console
from benchmark.core.errors import ShopbenchError
from benchmark.train.config import ModalConfig, TrainConfig, TrainConfigError, build_config, read_yaml
from benchmark.train.modal_client import LiveModal, ModalClient
from benchmark.train.modal_credentials import ModalUnavailable, check_modal_ready, has_credentials
from benchmark.train.modal_errors import interrupted, translated
from retrievers.trained_models import (
    RUN_RECORD_DIR,
    ModelRegistry,
    RegisteredModel,
    now_iso,
    read_run_record,
)

__all__ = ["ModalUnavailable", "check_modal_ready", "expand_sweep", "fetch", "fetch_call", "has_credentials",
           "launch", "upload_datasets"]

FETCH_WAIT_S = 10.0  # --fetch-call: how long to wait for a call that has not finished


def on_gpu(config: TrainConfig) -> TrainConfig:
    """The config as it runs on Modal: ``device`` moved to ``cuda`` (with a note) where it names the CPU."""
    moved = config.on_gpu()
    if moved is not config:
        console.print(f"[yellow]note:[/] {config.name} says device: {config.device}, but --on modal rents a GPU "
                      f"({config.modal.gpu}): it trains with device: cuda there", highlight=False, soft_wrap=True)
    return moved


def upload_datasets(configs: list[TrainConfig], client: ModalClient) -> None:
    """Copy each dataset's source files into the data Volume, skipping files already there (same size)."""
    from benchmark.datasets.registry import LOADERS, DatasetRef, resolve_root
    from benchmark.train import modal_app

    for config in configs:
        volume = client.volume(config.modal.data_volume, create=True)
        for spec in config.datasets:
            ref = DatasetRef.parse(spec.name)
            if LOADERS[ref.loader].bundled is not None:
                continue
            root = resolve_root(ref, spec.data_dir)
            files = LOADERS[ref.loader].source_files(root)
            key = modal_app.data_key(spec)
            present = _remote_sizes(volume, key)
            todo = [f for f in files if present.get(f"{key}/{f.relative_to(root)}") != f.stat().st_size]
            if not todo:
                continue
            console.print(f"uploading {len(todo)} file(s) of {spec.name} to Volume {config.modal.data_volume}/{key}")
            with volume.batch_upload(force=True) as batch:
                for path in todo:
                    batch.put_file(str(path), f"/{key}/{path.relative_to(root)}")


def _remote_sizes(volume: Any, key: str) -> dict[str, int]:
    try:
        return {e.path.lstrip("/"): e.size for e in volume.listdir(f"/{key}", recursive=True)}
    except Exception:  # noqa: BLE001 - a missing folder is simply empty
        return {}


def fetch_command(remote_name: str, modal_config: ModalConfig, cache_dir: Path | str | None = None) -> str:
    """The command that downloads model ``remote_name`` from this config's checkpoint Volume."""
    parts = [f"bench train --fetch {remote_name}"]
    if modal_config.checkpoint_volume != ModalConfig().checkpoint_volume:
        parts.append(f"--set modal.checkpoint_volume={modal_config.checkpoint_volume}")
    if cache_dir is not None:
        parts.append(f"--cache-dir {cache_dir}")
    return " ".join(parts)


def fetch_call_command(call_id: str, cache_dir: Path | str | None = None) -> str:
    return f"bench train --fetch-call {call_id}" + (f" --cache-dir {cache_dir}" if cache_dir is not None else "")


def launch(config: TrainConfig, *, detach: bool = False, cache_dir: Path | str | None = None,
           client: ModalClient | None = None) -> RegisteredModel | None:
    """Train on Modal; download the model and register it here (unless ``detach``)."""
    check_modal_ready()
    client = client or LiveModal()
    with translated("training on Modal"):
        name = ModelRegistry(cache_dir).free_name(config.name, config.if_exists)
        config = on_gpu(config.model_copy(update={"name": name}))
        upload_datasets([config], client)
        if detach:
            return _spawn_detached(config, client, cache_dir)
        summary = _run_attached(config, client)
        return fetch(summary["name"], config, cache_dir=cache_dir, local_name=name, client=client)


def _run_attached(config: TrainConfig, client: ModalClient) -> dict[str, Any]:
    summary: dict[str, Any] | None = None
    try:
        with client.session(detach=False):
            summary = client.function(config).remote(config.to_json())
    except KeyboardInterrupt:
        summary = None
    if summary is None:  # modal's runner swallows Ctrl-C inside its `with` (see modal_client)
        raise interrupted(
            f"the Modal run of {config.name} was stopped before it finished (Modal stops an attached app when its "
            f"client goes); the checkpoints it saved stay in Volume {config.modal.checkpoint_volume}: run the same "
            "command again to resume from the last one, or use --detach to keep a run going without this terminal")
    return summary


def _spawn_detached(config: TrainConfig, client: ModalClient, cache_dir: Path | str | None) -> None:
    call_id: str | None = None
    try:
        with client.session(detach=True):
            call_id = client.function(config).spawn(config.to_json()).object_id
    except KeyboardInterrupt:
        call_id = None
    if call_id is None:
        raise interrupted(f"stopped while starting the detached run of {config.name}; it may have started anyway: "
                          "`modal app list` shows the running apps (`modal app stop ID` stops one); start it again "
                          "only if it is not running, or two runs would write the same checkpoints")
    console.print(f"[green]started[/] Modal call {call_id} ({config.modal.gpu}), detached. When it has finished, "
                  f"download and register the model with:\n  {fetch_call_command(call_id, cache_dir)}\n"
                  f"(the run may name the model {config.name}-2, ... if its Volume has a {config.name}: the call "
                  "knows the name)", highlight=False, soft_wrap=True)


def fetch_call(call_id: str, *, cache_dir: Path | str | None = None, local_name: str | None = None,
               wait_s: float = FETCH_WAIT_S, client: ModalClient | None = None) -> RegisteredModel:
    """Get a detached run's summary by its Modal call id, then download and register its model (under
    ``local_name``, else the name the launcher chose)."""
    check_modal_ready()
    client = client or LiveModal()
    with translated(f"fetching Modal call {call_id}"):
        summary = call_result(client, call_id, wait_s)
        config = TrainConfig.from_json(summary["config_json"])
        return fetch(summary["name"], config, cache_dir=cache_dir, local_name=local_name or config.name,
                     client=client)


def call_result(client: ModalClient, call_id: str, wait_s: float | None) -> dict[str, Any]:
    """The summary a finished call returned; a clear error while it runs or when its run failed."""
    from modal.exception import Error as ModalLibraryError

    try:
        return client.call(call_id).get(timeout=wait_s)
    except TimeoutError:  # the builtin one: modal raises it when no output came within wait_s
        raise ShopbenchError(f"Modal call {call_id} has not finished yet (waited {wait_s:g} s): run the same "
                             "command again later") from None
    except ModalLibraryError:
        raise  # translated by the caller
    except Exception as err:  # noqa: BLE001 - the run's own error, raised again here by modal
        raise ShopbenchError(f"the Modal run of call {call_id} failed: {type(err).__name__}: {err}") from None


def fetch(remote_name: str, config: TrainConfig | None = None, *, cache_dir: Path | str | None = None,
          local_name: str | None = None, client: ModalClient | None = None) -> RegisteredModel:
    """Download ``models/<remote_name>/`` from the config's checkpoint Volume and register it locally."""
    check_modal_ready()
    client = client or LiveModal()
    modal_config = config.modal if config else ModalConfig()
    with translated(f"downloading {remote_name} from Modal Volume {modal_config.checkpoint_volume}"):
        return _download(remote_name, modal_config, client.volume(modal_config.checkpoint_volume), cache_dir,
                         local_name, config.if_exists if config else "error")


def _download(remote_name: str, modal_config: ModalConfig, volume: Any, cache_dir: Path | str | None,
              local_name: str | None, if_exists: str) -> RegisteredModel:
    registry = ModelRegistry(cache_dir)
    name = registry.free_name(local_name or remote_name, if_exists)
    target = registry.model_dir(name)
    tmp = target.with_name(f".{name}.download")
    shutil.rmtree(tmp, ignore_errors=True)
    prefix = f"models/{remote_name}"
    entries = [e for e in _listdir(volume, prefix) if e.type.name == "FILE"]
    if not entries:
        known = (", ".join(sorted(e.name for e in remote_records(volume)))
                 or "none (`modal volume list` shows the Volumes)")
        raise ShopbenchError(f"Volume {modal_config.checkpoint_volume} has no model at {prefix}; finished runs there: "
                             f"{known}. A model in another Volume: --fetch NAME --config FILE (or "
                             "--set modal.checkpoint_volume=VOLUME); a detached run: --fetch-call CALL_ID")
    for entry in entries:
        path = tmp / Path(entry.path).relative_to(prefix)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            for chunk in volume.read_file(entry.path):
                handle.write(chunk)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(target)
    record = json.loads((target / "shopbench_train.json").read_text())
    last = record["rounds"][-1] if record.get("rounds") else {}
    entry = registry.register(RegisteredModel(
        name=name, path=str(target.resolve()), base_model=record["config"]["base_model"], registered_at=now_iso(),
        datasets=[d["dataset"] for d in record.get("data", [])], dev_metrics=last.get("dev", {}),
        extra={"trained_on": "modal", "remote_name": remote_name,
               "checkpoint_volume": modal_config.checkpoint_volume, "hardware": record.get("hardware", {})},
        architecture=record.get("architecture") or record["config"].get("architecture") or "splade"))
    console.print(f"[green]downloaded and registered[/] {name} -> {target}")
    return entry


def _listdir(volume: Any, prefix: str) -> list[Any]:
    """The entries under ``prefix``; none where the folder (or the Volume: see the callers' messages) is missing."""
    from modal.exception import NotFoundError

    try:
        return list(volume.listdir(prefix, recursive=True))
    except (FileNotFoundError, NotFoundError):
        return []


def remote_records(volume: Any) -> list[RegisteredModel]:
    """The runs' own registry entries in a checkpoint Volume (``models/.runs/*.json``), merged into one list."""
    records = []
    for entry in _listdir(volume, f"models/{RUN_RECORD_DIR}"):
        if entry.type.name != "FILE" or not entry.path.endswith(".json"):
            continue
        text = b"".join(volume.read_file(entry.path)).decode()
        records.append(read_run_record(text, entry.path))
    return records


def expand_sweep(path: Path, overrides: list[str] | tuple[str, ...] = ()) -> list[TrainConfig]:
    """A sweep file: ``base`` (a config file, relative to the sweep file) or ``config`` (inline), plus
    ``runs`` (a list of override mappings, each with a ``name``) and/or ``grid`` (key -> list of values;
    every combination, named ``<base name>-<i>``). ``overrides`` apply to every run."""
    data = read_yaml(path)
    unknown = set(data) - {"base", "config", "runs", "grid"}
    if unknown:
        raise TrainConfigError(f"{path}: unknown sweep key(s) {sorted(unknown)}; keys: base, config, runs, grid")
    base = dict(data.get("config") or {})
    if data.get("base"):
        base = {**read_yaml((path.parent / data["base"]).resolve()), **base}
    variants: list[dict[str, Any]] = [dict(r) for r in data.get("runs") or []]
    grid = data.get("grid") or {}
    if grid:
        keys = list(grid)
        for values in itertools.product(*(grid[k] if isinstance(grid[k], list) else [grid[k]] for k in keys)):
            variants.append(dict(zip(keys, values, strict=True)))
    if not variants:
        raise TrainConfigError(f"{path}: a sweep needs `runs` or `grid`")
    configs = []
    for i, variant in enumerate(variants, 1):
        variant.setdefault("name", f"{base.get('name', 'sweep')}-{i}")
        config = build_config(base, {**variant, **_pairs(overrides)}, source=f"{path} run {i}")
        if not config.dev_eval:
            raise TrainConfigError(f"{path} run {i}: a sweep ranks runs by dev nDCG@10, so dev_eval must be true")
        configs.append(config)
    names = [c.name for c in configs]
    if len(set(names)) != len(names):
        raise TrainConfigError(f"{path}: run names must differ, got {names}")
    return configs


def _pairs(overrides: list[str] | tuple[str, ...]) -> dict[str, Any]:
    from benchmark.train.config import split_overrides

    return split_overrides(list(overrides))

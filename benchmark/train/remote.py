"""`bench train --on modal` and `--sweep`: credentials check, dataset upload, launch, download, register.

Nothing here talks to Modal before :func:`check_modal_ready` has found credentials (environment
``MODAL_TOKEN_ID`` + ``MODAL_TOKEN_SECRET``, or a token in ``~/.modal.toml`` / ``$MODAL_CONFIG_PATH``)
and reached the API host with a short socket timeout, so a machine without either fails in seconds
with a message that says what to do.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from benchmark.console import console
from benchmark.errors import ShopbenchError
from benchmark.train.config import TrainConfig, TrainConfigError, build_config, read_yaml
from benchmark.train.registry import ModelRegistry, RegisteredModel, now_iso

AUTH_HELP = ("run `modal setup` (or `python -m modal setup`) to store a token in ~/.modal.toml, "
             "or set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (from https://modal.com/settings/tokens)")
DEFAULT_API = "https://api.modal.com"


class ModalUnavailable(ShopbenchError):
    """Modal cannot be used from here: package, credentials or network missing."""


def has_credentials() -> bool:
    if os.environ.get("MODAL_TOKEN_ID") and os.environ.get("MODAL_TOKEN_SECRET"):
        return True
    path = Path(os.environ.get("MODAL_CONFIG_PATH") or "~/.modal.toml").expanduser()
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return any(isinstance(p, dict) and p.get("token_id") and p.get("token_secret") for p in data.values())


def check_modal_ready(timeout: float = 3.0) -> None:
    """Raise :class:`ModalUnavailable` unless the package, credentials and the API host are all there."""
    import importlib.util

    if importlib.util.find_spec("modal") is None:
        raise ModalUnavailable("the modal package is not installed: pip install 'shopbench[modal]'")
    if not has_credentials():
        raise ModalUnavailable(f"no Modal credentials found: {AUTH_HELP}")
    host = urlparse(os.environ.get("MODAL_SERVER_URL") or DEFAULT_API).hostname or "api.modal.com"
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
    except OSError as err:
        raise ModalUnavailable(f"cannot reach Modal at {host}:443 ({err}); Modal needs outbound HTTPS") from None


def upload_datasets(configs: list[TrainConfig]) -> None:
    """Copy each dataset's source files into the data Volume, skipping files already there (same size)."""
    from benchmark.datasets.registry import LOADERS, DatasetRef, resolve_root
    from benchmark.train import modal_app

    for config in configs:
        volume = modal_app.volumes_for(config.modal)[modal_app.DATA_MOUNT]
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


def _function(config: TrainConfig):
    from benchmark.train import modal_app

    return modal_app.train_remote.with_options(**modal_app.options_for(config))


def launch(config: TrainConfig, *, detach: bool = False, cache_dir: Path | str | None = None) -> RegisteredModel | None:
    """Train on Modal; download the model and register it here (unless ``detach``)."""
    check_modal_ready()
    import modal

    from benchmark.train import modal_app

    name = ModelRegistry(cache_dir).free_name(config.name, config.if_exists)
    config = config.model_copy(update={"name": name})
    upload_datasets([config])
    with modal.enable_output(), modal_app.app.run(detach=detach):
        if detach:
            call = _function(config).spawn(config.to_json())
            console.print(f"[green]started[/] Modal call {call.object_id} ({config.modal.gpu}); when it has "
                          f"finished: bench train --fetch {name}")
            return None
        summary = _function(config).remote(config.to_json())
    return fetch(summary["name"], config, cache_dir=cache_dir, local_name=name)


def fetch(remote_name: str, config: TrainConfig | None = None, *, cache_dir: Path | str | None = None,
          local_name: str | None = None) -> RegisteredModel:
    """Download ``models/<remote_name>/`` from the checkpoint Volume and register it locally."""
    if config is None:
        check_modal_ready()
    import modal

    modal_config = config.modal if config else TrainConfig(name=remote_name).modal
    volume = modal.Volume.from_name(modal_config.checkpoint_volume)
    registry = ModelRegistry(cache_dir)
    name = registry.free_name(local_name or remote_name, config.if_exists if config else "error")
    target = registry.model_dir(name)
    tmp = target.with_name(f".{name}.download")
    shutil.rmtree(tmp, ignore_errors=True)
    prefix = f"models/{remote_name}"
    entries = [e for e in volume.listdir(prefix, recursive=True) if e.type.name == "FILE"]
    if not entries:
        raise ShopbenchError(f"Volume {modal_config.checkpoint_volume} has no model at {prefix}")
    for entry in entries:
        path = tmp / Path(entry.path).relative_to(prefix)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            for chunk in volume.read_file(entry.path):
                handle.write(chunk)
    tmp.rename(target)
    record = json.loads((target / "shopbench_train.json").read_text())
    last = record["rounds"][-1] if record.get("rounds") else {}
    entry = registry.register(RegisteredModel(
        name=name, path=str(target.resolve()), base_model=record["config"]["base_model"], registered_at=now_iso(),
        datasets=[d["dataset"] for d in record.get("data", [])], dev_metrics=last.get("dev", {}),
        extra={"trained_on": "modal", "remote_name": remote_name, "hardware": record.get("hardware", {})}))
    console.print(f"[green]downloaded and registered[/] {name} -> {target}")
    return entry


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


def sweep(configs: list[TrainConfig], *, cache_dir: Path | str | None = None) -> list[tuple[TrainConfig, dict]]:
    """One Modal GPU per config, in parallel; report all, download and register the best by dev nDCG@10."""
    check_modal_ready()
    import modal

    from benchmark.train import modal_app

    upload_datasets(configs)
    results: list[tuple[TrainConfig, dict]] = []
    with modal.enable_output(), modal_app.app.run():
        calls = [(c, _function(c).spawn(c.to_json())) for c in configs]
        console.print(f"started {len(calls)} Modal calls")
        for config, call in calls:
            try:
                results.append((config, call.get()))
            except Exception as err:  # noqa: BLE001 - one failed run does not lose the others
                results.append((config, {"error": f"{type(err).__name__}: {err}"}))
    ranked = sorted(results, key=lambda r: -(r[1].get("dev_ndcg10") or -1.0))
    for config, summary in ranked:
        score = summary.get("dev_ndcg10")
        console.print(f"{config.name}: " + (f"dev nDCG@10 {score:.4f}" if score is not None else
                                            summary.get("error", "no dev metric")), highlight=False)
    best_config, best = ranked[0]
    if best.get("dev_ndcg10") is None:
        raise ShopbenchError("no sweep run produced a dev nDCG@10")
    console.print(f"[green]best[/]: {best_config.name} (dev nDCG@10 {best['dev_ndcg10']:.4f}); the others stay in "
                  f"Volume {best_config.modal.checkpoint_volume} (bench train --fetch NAME)")
    fetch(best["name"], best_config, cache_dir=cache_dir)
    return ranked

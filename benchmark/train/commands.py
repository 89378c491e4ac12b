"""What `bench train` does with its options (the CLI command itself stays a thin wrapper)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmark.core.console import console
from benchmark.core.errors import ShopbenchError
from benchmark.train.config import TrainConfig, load_config, split_overrides


def resolve(config_path: Path | None, overrides: list[str], name: str | None, gpu: str | None) -> TrainConfig:
    pairs: dict[str, Any] = split_overrides(overrides)
    if name:
        pairs["name"] = name
    if gpu:
        pairs["modal.gpu"] = gpu
    if config_path is None and "name" not in pairs:
        raise ShopbenchError("bench train needs --config FILE.yaml (see configs/train/) or at least --name")
    return load_config(config_path, pairs)


def with_data_dir(config: TrainConfig, data_dir: Path | None) -> TrainConfig:
    """``--data-dir`` for every dataset that names no folder of its own."""
    if data_dir is None:
        return config
    specs = [s if s.data_dir is not None else s.model_copy(update={"data_dir": data_dir}) for s in config.datasets]
    return config.model_copy(update={"datasets": specs})


def fetch_config(config_path: Path | None, overrides: list[str], fetch_name: str) -> TrainConfig | None:
    """``--fetch NAME`` with ``--config``/``--set``: the config whose checkpoint Volume (and if_exists) to use."""
    if config_path is None and not overrides:
        return None
    return load_config(config_path, {**split_overrides(overrides), "name": fetch_name})


def train_command(*, config_path: Path | None, overrides: list[str], name: str | None, on: str, gpu: str | None,
                  detach: bool, sweep_path: Path | None, fetch_name: str | None, dry_run: bool,
                  cache_dir: Path | None, data_dir: Path | None = None, fetch_call: str | None = None,
                  resume: bool = False, remote_encoding: Any = None) -> None:
    if on not in ("local", "modal"):
        raise ShopbenchError(f"--on takes local or modal, got {on!r}")
    if fetch_name and fetch_call:
        raise ShopbenchError("give --fetch NAME or --fetch-call CALL_ID, not both")
    if resume and sweep_path is None:
        raise ShopbenchError("--resume re-attaches to a sweep: bench train --sweep FILE --resume")
    if fetch_call:
        from benchmark.train.remote import fetch_call as fetch_by_call

        fetch_by_call(fetch_call, cache_dir=cache_dir, local_name=name)
        return
    if fetch_name:
        from benchmark.train.remote import fetch

        fetch(fetch_name, fetch_config(config_path, overrides, fetch_name), cache_dir=cache_dir, local_name=name)
        return
    if sweep_path is not None:
        from benchmark.train.modal_sweep import sweep
        from benchmark.train.remote import expand_sweep

        extra = overrides + ([f"modal.gpu={gpu}"] if gpu else [])
        configs = [with_data_dir(c, data_dir) for c in expand_sweep(sweep_path, extra)]
        if dry_run:
            for config in configs:
                console.print(config.to_yaml())
            return
        sweep(sweep_path, configs, cache_dir=cache_dir, resume=resume, detach=detach)
        return
    config = with_data_dir(resolve(config_path, overrides, name, gpu), data_dir)
    if on == "modal" and config.report_to:
        raise ShopbenchError(f"report_to {', '.join(config.report_to)} is for training here (--on local): a Modal run "
                             "writes metrics.jsonl into the checkpoint Volume (models/.. run folder) instead")
    if dry_run:
        _dry_run(config, cache_dir)
        return
    if on == "modal":
        from benchmark.train.remote import launch

        launch(config, detach=detach, cache_dir=cache_dir)
        return
    if detach:
        raise ShopbenchError("--detach is for --on modal")
    from benchmark.train.trainer import train

    result = train(config, cache_dir=cache_dir, remote_encoding=remote_encoding)
    score = result.dev_ndcg10()
    console.print(f"[green]done[/] {result.name} in {result.total_s / 60:.1f} min"
                  + (f"; dev nDCG@10 {score:.4f}" if score is not None else ""))


def _dry_run(config: TrainConfig, cache_dir: Path | None) -> None:
    """Print the resolved config and the pair counts (the leakage guard runs); train nothing."""
    from benchmark.train.data import describe, load_training_data

    print(config.to_yaml())
    for row in describe(load_training_data(config, cache_dir)):
        console.print(", ".join(f"{k}={v}" for k, v in row.items()), highlight=False)

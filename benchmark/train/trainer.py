"""`bench train`: fine-tune SPLADE on (query, positive[, hard negatives]) pairs, round by round.

Round 0 trains on pairs with in-batch negatives; each round r >= 1 first mines hard negatives with
the round r-1 model (:mod:`benchmark.train.mining`), then trains again (continuing from the round
r-1 model unless ``mining.restart_from_base``). Loss: ``SpladeLoss`` wrapping
``SparseMultipleNegativesRankingLoss`` with FLOPS regularisers on queries and documents; batches
come from the ``NO_DUPLICATES`` sampler so no batch holds the same query or product twice.

Work files live in ``<cache_dir>/train-runs/<name>/`` (the config, then per round: checkpoints,
mined negatives, the round's model and a ``round.json`` written last). Running the same command
again resumes: finished rounds are skipped and an unfinished round continues from its last
checkpoint. The final model is copied to ``<cache_dir>/models/<name>/`` with a model card and
registered (:mod:`retrievers.trained_models`). Every marker file is written atomically; a run killed
after publishing its model folder but before registering it registers that folder when rerun.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmark.core import atomic, faults
from benchmark.core.cache_layout import TRAIN_RUNS, CacheLayout
from benchmark.core.console import console
from benchmark.core.errors import ShopbenchError
from benchmark.pipeline.remote_encoding import RemoteEncoding
from benchmark.train import card, inference_free, mining
from benchmark.train.config import TrainConfig
from benchmark.train.data import DatasetPairs, describe, judged_negatives, load_training_data, merge_negatives, rows_for
from benchmark.train.metrics_file import METRICS_FILE, MODEL_COPY, append_metrics
from benchmark.train.teacher import teacher_labels
from benchmark.train.trackers import check_trackers
from retrievers import models
from retrievers.trained_models import ModelRegistry, RegisteredModel, now_iso

ROUND_FILE = "round.json"


@dataclass
class RoundResult:
    round: int
    model_dir: str
    train_s: float
    steps: int
    rows: dict[str, int]  # training rows per dataset
    mined: dict[str, dict[str, Any]] = field(default_factory=dict)
    dev: dict[str, dict[str, float | int]] = field(default_factory=dict)
    dev_s: float = 0.0
    mine_s: float = 0.0
    index_keys: list[str] = field(default_factory=list)  # full-catalog collections of this round's model
    mining_keys: list[str] = field(default_factory=list)  # collections of the previous model used for mining
    train_loss: float | None = None


@dataclass
class TrainResult:
    name: str
    model_dir: Path
    config: TrainConfig
    rounds: list[RoundResult]
    data: list[dict[str, Any]]
    total_s: float
    hardware: dict[str, Any]
    query_table: dict[str, Any] | None = None  # inference-free: how the query table was initialised
    entry: RegisteredModel | None = None

    def dev_ndcg10(self) -> float | None:
        """Mean dev nDCG@10 over datasets after the last round (None when not evaluated)."""
        last = self.rounds[-1].dev if self.rounds else {}
        values = [m["NDCG@10"] for m in last.values() if "NDCG@10" in m]
        return sum(values) / len(values) if values else None


def run_dir(config: TrainConfig, cache_dir: Path | str | None) -> Path:
    return CacheLayout.of(cache_dir).train_run(config.name)


def train(config: TrainConfig, *, cache_dir: Path | str | None = None, register: bool = True,
          remote_encoding: RemoteEncoding | None = None) -> TrainResult:
    """Train (or resume), write the final model + card, and register it. ``remote_encoding`` encodes the catalogs
    the mining rounds and dev evaluations index (``bench train --encode-on modal``)."""
    start = time.perf_counter()
    check_trackers(config.report_to)
    registry = ModelRegistry(cache_dir)
    published = _published_unregistered(registry, config)
    name = published or registry.free_name(config.name, config.if_exists)
    if name != config.name:
        console.print(f"[yellow]a model called '{config.name}' exists: this one will be registered as '{name}'[/]")
        config = config.model_copy(update={"name": name})
    work = run_dir(config, cache_dir)
    lock = CacheLayout.of(cache_dir).lock(TRAIN_RUNS, config.name, f"training {config.name}")
    if not lock.try_acquire(exclusive=True):  # one writer per run folder (the cache's rule); never wait hours
        raise ShopbenchError(f"another bench train is writing {work} (lock file {lock.path}); wait for it to end "
                             "or train under another name (--set name=...)")
    try:
        return _train(config, name, published, registry, work, cache_dir, register, start, remote_encoding)
    finally:
        lock.release()


def _train(config: TrainConfig, name: str, published: str | None, registry: ModelRegistry, work: Path,
           cache_dir: Path | str | None, register: bool, start: float,
           remote_encoding: RemoteEncoding | None = None) -> TrainResult:
    data = load_training_data(config, cache_dir)  # before anything is written: the leakage guard may refuse
    _check_resume(work, config)
    for row in describe(data):
        console.print(f"[bold]{row.pop('dataset')}[/]: " + ", ".join(f"{k}={v}" for k, v in row.items()),
                      highlight=False)
    rounds: list[RoundResult] = []
    previous: Path | None = None
    for r in range(config.mining.rounds + 1):
        result = _load_round(work / f"round-{r}")
        if result is None:
            result = _run_round(r, config, data, previous, work, cache_dir, remote_encoding)
        else:
            console.print(f"[dim]round {r}: already finished ({work / f'round-{r}'})[/]")
        rounds.append(result)
        previous = Path(result.model_dir)
    # a base taken as it is (mining.first_round: base) is someone's model: its index stays for `bench run`
    keep = set(rounds[1].mining_keys) if config.mining.first_round == "base" and len(rounds) > 1 else set()
    _drop_stale_indexes(rounds, cache_dir, keep)
    total = time.perf_counter() - start
    final = registry.model_dir(name)
    result = TrainResult(name, final, config, rounds, describe(data), total, hardware(),
                         query_table=inference_free.init_info(work))
    if published is None:
        _publish(previous, final, result, work)
        faults.point("train.published")
    else:
        console.print(f"[yellow]{final} was published by an interrupted run of this config; registering it[/]")
    if register:
        result.entry = registry.register(RegisteredModel(
            name=name, path=str(final.resolve()), base_model=config.base_model, registered_at=now_iso(),
            datasets=[d.name for d in data], dev_metrics=rounds[-1].dev,
            extra={"rounds": len(rounds), "train_s": round(total, 1)}, architecture=config.architecture))
        console.print(f"[green]registered[/] {name} -> {final}  (bench run -r splade-ft@{name})")
    return result


def _published_unregistered(registry: ModelRegistry, config: TrainConfig) -> str | None:
    """The name of a model folder this very config published whose registration was cut short, if any."""
    names = [config.name] + ([f"{config.name}-{i}" for i in range(2, 100)] if config.if_exists == "suffix" else [])
    registered = set(registry.names())
    for name in names:
        folder = registry.model_dir(name)
        if not folder.exists():
            return None
        if name in registered:
            continue
        try:
            saved = json.loads((folder / card.RECORD_FILE).read_text())["config"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return name if saved == config.model_copy(update={"name": name}).model_dump(mode="json") else None
    return None


def _write_json(path: Path, data: Any) -> None:
    atomic.write_json(path, data, indent=2, overwrite=True, wrap_errors=False)


def _check_resume(work: Path, config: TrainConfig) -> None:
    saved = work / "config.json"
    identity = config.training_identity()
    if saved.is_file():
        previous = _with_new_defaults(json.loads(saved.read_text()))
        if previous != identity:
            changed = sorted(k for k in set(previous) | set(identity) if previous.get(k) != identity.get(k))
            raise ShopbenchError(
                f"{work} holds an unfinished run of '{config.name}' with a different config (changed: "
                f"{', '.join(changed)}); choose another name, or delete that folder to start over")
        console.print(f"[yellow]resuming '{config.name}' from {work}[/]")
        return
    work.mkdir(parents=True, exist_ok=True)
    (work / "config.yaml").write_text(config.to_yaml())
    _write_json(saved, identity)


def _with_new_defaults(saved: dict[str, Any]) -> dict[str, Any]:
    """A saved training identity with settings added since it was written at their defaults, so a run
    started before an upgrade that only added settings still resumes."""
    try:
        return TrainConfig.model_validate(saved).training_identity()
    except ValueError:
        return saved


def _load_round(directory: Path) -> RoundResult | None:
    path = directory / ROUND_FILE
    if not path.is_file():
        return None
    return RoundResult(**json.loads(path.read_text()))


def _run_round(r: int, config: TrainConfig, data: list[DatasetPairs], previous: Path | None, work: Path,
               cache_dir: Path | str | None, remote: RemoteEncoding | None = None) -> RoundResult:
    directory = work / f"round-{r}"
    directory.mkdir(parents=True, exist_ok=True)
    console.rule(f"round {r}")
    if r == 0 and config.mining.first_round == "base":
        console.print(f"round 0 is the base model as given: {config.base_model}")
        result = RoundResult(0, str(models.resolve(config.base_model)), 0.0, 0, {})
        _write_json(directory / ROUND_FILE, asdict(result))
        return result
    mined: dict[str, dict[str, Any]] = {}
    negatives: dict[str, dict[str, list[str]]] = {}
    index_keys: list[str] = []
    mine_s = 0.0
    if r >= 1:
        assert previous is not None
        t0 = time.perf_counter()
        negatives, mined, index_keys = _mine_round(config, data, previous, directory, cache_dir, remote)
        mine_s = time.perf_counter() - t0
    columns = {}
    for p in data:
        judged = judged_negatives(p, config.seed)[0] if p.spec.judged_negatives else None
        n_negatives = p.spec.judged_negatives + (config.mining.negatives if r else 0)
        columns[p.name] = rows_for(p, config.text_builder(), merge_negatives(judged, negatives.get(p.name) if r else None),
                                   n_negatives)
        if config.loss.distill_weight:
            columns[p.name]["label"] = teacher_labels(
                config.loss.teacher, config.loss.teacher_scale, p.dataset, config.text_builder(), columns[p.name],
                batch_size=config.eval_batch_size, device=config.device)
    restart = r == 0 or config.mining.restart_from_base or previous is None
    init = _base(config, data, directory.parent) if restart else str(previous)
    steps, loss, train_s = _fit_once(config, init, columns, directory, r)
    result = RoundResult(r, str(directory / "model"), train_s, steps, {k: len(v["query"]) for k, v in columns.items()},
                         mined, mine_s=mine_s, mining_keys=index_keys, train_loss=loss)
    if config.dev_eval:
        t0 = time.perf_counter()
        result.dev, result.index_keys = _dev_eval(config, data, directory / "model", cache_dir, remote)
        result.dev_s = time.perf_counter() - t0
        for dataset, metrics in result.dev.items():
            console.print(f"round {r} dev {dataset}: " + ", ".join(
                f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items()), highlight=False)
            append_metrics(directory.parent / METRICS_FILE, {"kind": "dev", "round": r, "dataset": dataset,
                                                             "step": steps, **metrics})
    _write_json(directory / ROUND_FILE, asdict(result))
    shutil.rmtree(directory / "checkpoints", ignore_errors=True)
    return result


def _base(config: TrainConfig, data: list[DatasetPairs], work: Path) -> str:
    """The model round 0 (or a restarted round) starts from: the base, or the inference-free model built on it."""
    if config.architecture == "inference-free":
        return inference_free.build_base(config, data, work)
    return config.base_model


def _fit_once(config: TrainConfig, init: str, columns: dict, directory: Path, r: int = 0
              ) -> tuple[int, float | None, float]:
    """Train unless this round's model was already saved (a run stopped later in the round)."""
    done = directory / "fit.json"
    if done.is_file() and (directory / "model").is_dir():
        info = json.loads(done.read_text())
        return info["steps"], info["loss"], info["train_s"]
    t0 = time.perf_counter()
    steps, loss = fit(config, init, columns, directory / "checkpoints", directory / "model",
                      directory.parent / METRICS_FILE, r)
    train_s = time.perf_counter() - t0
    _write_json(done, {"steps": steps, "loss": loss, "train_s": train_s})
    return steps, loss, train_s


def _mine_round(config: TrainConfig, data: list[DatasetPairs], previous: Path, directory: Path,
                cache_dir: Path | str | None, remote: RemoteEncoding | None = None):
    negatives: dict[str, dict[str, list[str]]] = {}
    stats: dict[str, dict[str, Any]] = {}
    keys: list[str] = []
    store = None
    try:
        for pairs in data:
            path = directory / f"mined-{_safe(pairs.name)}.jsonl"
            if path.is_file():
                negatives[pairs.name] = mining.load_mined(path)
                stats[pairs.name] = json.loads((path.with_suffix(".stats.json")).read_text())
                continue
            store = store or mining.open_store(cache_dir)
            retriever = mining.make_retriever(previous, config)
            subset = mining.mining_subset(pairs, config.mining.corpus_cap, config.seed)
            index = mining.open_index(retriever, pairs.dataset, store, cache_dir, subset, remote)
            result = mining.mine(index, pairs, config.mining, config.seed)
            if index.full_catalog:
                keys.append(index.key)
            else:
                store.drop(index.key)
            _write_json(path.with_suffix(".stats.json"), result.stats)
            mining.save_mined(path, pairs, result)  # written last: its presence means the round's mining is done
            negatives[pairs.name], stats[pairs.name] = result.negatives, result.stats
            console.print(f"mined {pairs.name}: " + ", ".join(f"{k}={v}" for k, v in result.stats.items()),
                          highlight=False)
    finally:
        if store is not None:
            store.close()
    return negatives, stats, keys


def _dev_eval(config: TrainConfig, data: list[DatasetPairs], model_dir: Path, cache_dir: Path | str | None,
              remote: RemoteEncoding | None = None):
    metrics: dict[str, dict[str, float | int]] = {}
    keys: list[str] = []
    targets = [p for p in data if mining.dev_queries(p, config)]
    if not targets:
        return metrics, keys
    store = mining.open_store(cache_dir)
    try:
        retriever = mining.make_retriever(model_dir, config)
        for pairs in targets:
            index = mining.open_index(retriever, pairs.dataset, store, cache_dir, remote=remote)
            keys.append(index.key)
            metrics[pairs.name] = mining.dev_metrics(index, pairs, config)
    finally:
        store.close()
    return metrics, keys


def _drop_stale_indexes(rounds: list[RoundResult], cache_dir: Path | str | None, keep: set[str] = frozenset()) -> None:
    """Collections of earlier rounds' models are of no further use; the last round's stay for `bench run`."""
    used = {k for r in rounds for k in (*r.index_keys, *r.mining_keys)}
    stale = used - set(rounds[-1].index_keys) - keep
    if not stale:
        return
    store = mining.open_store(cache_dir)
    try:
        for key in sorted(stale):
            store.drop(key)
    finally:
        store.close()


def _publish(model_dir: Path | None, final: Path, result: TrainResult, work: Path) -> None:
    assert model_dir is not None
    tmp = final.with_name(f".{final.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(model_dir, tmp)
    if (work / METRICS_FILE).is_file():
        shutil.copyfile(work / METRICS_FILE, tmp / MODEL_COPY)
    card.write_card(tmp, result)
    if final.exists():
        raise ShopbenchError(f"{final} appeared while training; not replacing it (the model is in {tmp})")
    tmp.rename(final)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def hardware() -> dict[str, Any]:
    import torch

    info: dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version(),
                            "cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
                            "torch": torch.__version__, "torch_threads": torch.get_num_threads()}
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
        info["gpu_count"] = torch.cuda.device_count()
    try:
        import sentence_transformers
        import transformers

        info["sentence_transformers"] = sentence_transformers.__version__
        info["transformers"] = transformers.__version__
    except ImportError:  # pragma: no cover
        pass
    return info


def fit(config: TrainConfig, init_model: str, columns: dict[str, dict[str, list[str]]], checkpoints: Path,
        output: Path, metrics: Path | None = None, round_: int = 0) -> tuple[int, float | None]:
    """One training pass; resumes from the last checkpoint in ``checkpoints``; saves to ``output``; logs to the
    run's ``metrics`` file."""
    from benchmark.train import fitting

    return fitting.fit(config, models.resolve(init_model), columns, checkpoints, output, metrics, round_)

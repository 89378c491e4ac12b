"""One training pass with sentence-transformers' ``SparseEncoderTrainer`` (torch is imported here only).

Queries and documents are tokenised to different lengths (``query_max_length`` /
``document_max_length``) by a collator that treats the first column as the query and the others as
documents, the way the multi-vector collator of sentence-transformers does; the saved model keeps
its own ``max_seq_length`` (the harness sets the length it encodes with).

Checkpoints: the Trainer writes ``checkpoint-N/`` in place, ``trainer_state.json`` last. A process
killed while saving leaves a folder without a readable ``trainer_state.json`` for step N; such a
folder is deleted before resuming, and training resumes from the last complete checkpoint.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from sentence_transformers import SparseEncoder
from sentence_transformers.base.sampler import BatchSamplers, MultiDatasetBatchSamplers
from sentence_transformers.sparse_encoder import SparseEncoderTrainer, SparseEncoderTrainingArguments
from sentence_transformers.sparse_encoder.callbacks.splade_callbacks import SpladeRegularizerWeightSchedulerCallback
from sentence_transformers.sparse_encoder.data_collator import SparseEncoderDataCollator
from sentence_transformers.sparse_encoder.losses import (
    SparseMarginMSELoss,
    SparseMultipleNegativesRankingLoss,
    SpladeLoss,
)
from transformers import TrainerCallback
from transformers.trainer_callback import PrinterCallback, ProgressCallback

from benchmark.core import faults
from benchmark.core.console import console
from benchmark.core.progress import Meter, duration, number
from benchmark.train.config import TrainConfig
from benchmark.train.metrics_file import METRICS_FILE, append_metrics
from benchmark.train.pooled_head import pooled_training_head, why_not
from retrievers.models import ModelError, check_weights, loading_kwargs
from retrievers.neural import device_of, quiet_model_loading
from retrievers.splade_fast import is_routed

TRACKING_DIR = "tracking"  # per round: what --report-to writes (TensorBoard event files)
# The query table's parameter inside an inference-free SparseEncoder (learning_rate_mapping: re.search on names)
QUERY_WEIGHT_PATTERN = r"sub_modules\.query\.0\.weight$"

@dataclass
class QueryDocumentCollator(SparseEncoderDataCollator):
    """Column 0 is tokenised as a query, every other column as a document (each with its own length)."""

    def _get_task_for_column(self, column_name: str, column_position: int, router_mapping: dict[str, str]) -> str:
        return router_mapping.get(column_name) or ("query" if column_position == 0 else "document")


class _CheckpointSaved(TrainerCallback):
    """The ``train.checkpoint_saved`` fault point (:mod:`benchmark.core.faults`), after each full checkpoint save."""

    def on_save(self, args, state, control, **kwargs):  # the TrainerCallback signature
        faults.point("train.checkpoint_saved")
        return control


class StepLog(TrainerCallback):
    """Appends one JSON line per logging step to ``path`` (the run's metrics file): ``kind`` "step", the round, the
    step, the wall seconds since training started, the steps per second since the previous line, every numeric
    value the trainer logged (loss and its parts, learning rate, grad norm, ...) and the regulariser weights of
    ``loss`` as its scheduler set them. Flushed line by line, so it can be read while training runs; a resumed
    run appends."""

    def __init__(self, path: Path, round_: int = 0, loss: Any = None) -> None:
        self.path, self.round, self.loss = path, round_, loss
        self.started = self.last_time = 0.0
        self.last_step = 0

    def on_train_begin(self, args, state, control, **kwargs):  # the TrainerCallback signature
        self.started = self.last_time = time.perf_counter()
        self.last_step = state.global_step
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        if "loss" not in logs:  # the end-of-training summary (train_runtime, ...): not a logging step
            return control
        now = time.perf_counter()
        steps = state.global_step - self.last_step
        row = {"kind": "step", "round": self.round, "step": state.global_step,
               "elapsed_s": round(now - self.started, 3),
               "steps_per_s": round(steps / (now - self.last_time), 4) if steps and now > self.last_time else None,
               **{k: v for k, v in logs.items() if isinstance(v, int | float)}, **regulariser_weights(self.loss)}
        append_metrics(self.path, row)
        self.last_time, self.last_step = now, state.global_step
        return control


def regulariser_weights(loss: Any) -> dict[str, float]:
    """The query and document regulariser weights a SpladeLoss has now (none for another loss)."""
    out = {}
    for name in ("query_regularizer_weight", "document_regularizer_weight"):
        value = getattr(loss, name, None)
        if isinstance(value, int | float):
            out[name] = float(value)
    return out


class TrainProgress(TrainerCallback):
    """Training progress that reaches any sink (:class:`benchmark.core.progress.Meter`): a bar in a terminal;
    elsewhere one flushed line per logging step (step/total, loss, learning rate, steps/s, ETA) and a summary.
    Replaces the trainer's own tqdm bar and its printed dicts."""

    def __init__(self, description: str) -> None:
        self.description = description
        self.meter: Meter | None = None
        self.last_loss: float | None = None

    def on_train_begin(self, args, state, control, **kwargs):  # the TrainerCallback signature
        self.meter = Meter(self.description, state.max_steps or None, "step", start_at=state.global_step)
        return control

    def on_step_end(self, args, state, control, **kwargs):
        if self.meter is not None:
            self.meter.update(state.global_step)
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        if self.meter is not None and "loss" in logs:
            self.last_loss = logs["loss"]
            self.meter.report(state.global_step, loss=logs["loss"], lr=logs.get("learning_rate"))
        return control

    def on_train_end(self, args, state, control, **kwargs):
        if self.meter is not None:
            meter, self.meter = self.meter, None
            rate = meter.rate
            meter.close(f"{self.description}: {state.global_step:,} steps in {duration(time.perf_counter() - meter.started)}"
                        + (f", {number(rate)} steps/s" if rate else "")
                        + (f", last loss {number(self.last_loss)}" if self.last_loss is not None else ""))
        return control


def last_complete_checkpoint(checkpoints: Path) -> str | None:
    """The newest ``checkpoint-N`` whose ``trainer_state.json`` reads back with step N; incomplete ones are deleted."""
    if not checkpoints.is_dir():
        return None
    found: list[tuple[int, Path]] = []
    for folder in checkpoints.iterdir():
        match = re.fullmatch(r"checkpoint-(\d+)", folder.name)
        if match and folder.is_dir():
            found.append((int(match.group(1)), folder))
    for step, folder in sorted(found, reverse=True):
        try:
            complete = json.loads((folder / "trainer_state.json").read_text()).get("global_step") == step
        except (OSError, ValueError, AttributeError):
            complete = False
        if complete:
            return str(folder)
        console.print(f"[yellow]deleting incomplete checkpoint {folder} (the process writing it was stopped)[/]")
        shutil.rmtree(folder, ignore_errors=True)
    return None


def load_model(path: str, device: str) -> SparseEncoder:
    quiet_model_loading()
    check_weights(path)  # pickle-only weights are refused unless the user opted in, as for `bench run`
    try:
        model = SparseEncoder(path, device=device, **loading_kwargs())
    except Exception as err:
        raise ModelError(f"{path}: cannot load as a SparseEncoder / masked-LM model: {err}") from err
    kinds = {type(m).__name__ for m in model.modules()}
    if not kinds & {"SpladePooling", "SparseStaticEmbedding", "Router"}:
        raise ModelError(f"{path}: not a SPLADE model (modules: {', '.join(sorted(kinds)[:6])})")
    return model


class DistilledRankingLoss(torch.nn.Module):
    """In-batch ranking loss plus ``weight`` x SparseMarginMSE on the teacher's labels (one term each in the log)."""

    def __init__(self, model: SparseEncoder, scale: float, weight: float) -> None:
        super().__init__()
        self.model = model
        self.ranking = SparseMultipleNegativesRankingLoss(model, scale=scale)
        self.margin = SparseMarginMSELoss(model)
        self.weight = weight

    def compute_loss_from_embeddings(self, embeddings, labels):  # the SpladeLoss contract
        return {"ranking_loss": self.ranking.compute_loss_from_embeddings(embeddings, labels),
                "margin_mse_loss": self.weight * self.margin.compute_loss_from_embeddings(embeddings, labels)}

    def get_config_dict(self) -> dict:
        return {"scale": self.ranking.scale, "distill_weight": self.weight}


def base_loss(model: SparseEncoder, config: TrainConfig) -> torch.nn.Module:
    if config.loss.distill_weight:
        return DistilledRankingLoss(model, config.loss.scale, config.loss.distill_weight)
    return SparseMultipleNegativesRankingLoss(model, scale=config.loss.scale)


def precision_flags(config: TrainConfig, device: str) -> dict[str, bool]:
    choice = config.precision
    if choice == "auto":
        choice = "bf16" if device.startswith("cuda") and torch.cuda.is_bf16_supported() else "fp32"
    return {"bf16": choice == "bf16", "fp16": choice == "fp16"}


def _column_names(columns: dict[str, dict[str, list[str]]]) -> list[str]:
    """Every dataset's column names, in order of first appearance (the query column first)."""
    return list(dict.fromkeys(name for cols in columns.values() for name in cols))


def route_arguments(config: TrainConfig, model: SparseEncoder, columns: list[str]) -> dict[str, dict]:
    """For a routed (inference-free) model, sentence-transformers' recipe: the query column to the ``query``
    route and every other column to ``document``; the query table at its own learning rate (unless frozen)."""
    if not is_routed(model):
        return {}
    mapping = {c: "query" if i == 0 else "document" for i, c in enumerate(columns) if c != "label"}
    rates = {} if config.inference_free.query_frozen else {QUERY_WEIGHT_PATTERN: config.inference_free.query_learning_rate}
    return {"router_mapping": mapping, "learning_rate_mapping": rates}


def training_arguments(config: TrainConfig, checkpoints: Path, device: str, multi: bool,
                       routes: dict[str, dict] | None = None) -> SparseEncoderTrainingArguments:
    """The trainer's arguments (experiment trackers: ``report_to``; see :func:`tracking_dir`)."""
    sampler = BatchSamplers.NO_DUPLICATES if config.batch_sampler == "no_duplicates" else BatchSamplers.BATCH_SAMPLER
    multi_sampler = (MultiDatasetBatchSamplers.PROPORTIONAL if config.multi_dataset_sampler == "proportional"
                     else MultiDatasetBatchSamplers.ROUND_ROBIN)
    return SparseEncoderTrainingArguments(
        output_dir=str(checkpoints),
        per_device_train_batch_size=config.batch_size,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps if config.max_steps is not None else -1,
        learning_rate=config.learning_rate,
        warmup_steps=config.warmup_ratio,  # a float in [0, 1) is a ratio of the total steps
        weight_decay=config.weight_decay,
        seed=config.seed,
        data_seed=config.seed,
        batch_sampler=sampler,
        multi_dataset_batch_sampler=multi_sampler if multi else MultiDatasetBatchSamplers.PROPORTIONAL,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        logging_steps=config.logging_steps,
        report_to=list(config.report_to) or "none",
        run_name=f"{config.name}/{checkpoints.parent.name}",
        disable_tqdm=True,  # TrainProgress reports instead
        use_cpu=device == "cpu",
        dataloader_drop_last=False,
        **precision_flags(config, device),
        **(routes or {}),
    )


@contextlib.contextmanager
def tracking_dir(folder: Path) -> Iterator[None]:
    """TensorBoard's event files go to ``folder`` (the round's :data:`TRACKING_DIR`, not the checkpoints folder the
    round deletes when it ends): transformers' TensorBoard callback reads ``TENSORBOARD_LOGGING_DIR`` when the
    trainer is made."""
    before = os.environ.get("TENSORBOARD_LOGGING_DIR")
    os.environ["TENSORBOARD_LOGGING_DIR"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TENSORBOARD_LOGGING_DIR", None)
        else:
            os.environ["TENSORBOARD_LOGGING_DIR"] = before


def fit(config: TrainConfig, init_model: str, columns: dict[str, dict[str, list[str]]], checkpoints: Path,
        output: Path, metrics: Path | None = None, round_: int = 0) -> tuple[int, float | None]:
    """Train ``init_model`` on ``columns``; ``metrics``: the run's metrics file (default: beside ``checkpoints``)."""
    from datasets import Dataset as HFDataset

    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
    if config.threads:
        torch.set_num_threads(config.threads)
    device = device_of(config.device)
    model = load_model(init_model, device)
    parts = {name: HFDataset.from_dict(cols) for name, cols in columns.items() if cols["query"]}
    if not parts:
        raise ModelError("no training rows (every dataset came out empty)")
    train_dataset = next(iter(parts.values())) if len(parts) == 1 else parts
    loss = SpladeLoss(model, loss=base_loss(model, config),
                      query_regularizer_weight=config.loss.query_regularizer_weight,
                      document_regularizer_weight=config.loss.document_regularizer_weight)
    collator = QueryDocumentCollator(preprocess_fn=model.preprocess, max_length={
        "query": config.query_max_length, "document": config.document_max_length})
    with tracking_dir(checkpoints.parent / TRACKING_DIR):
        trainer = SparseEncoderTrainer(
            model=model, args=training_arguments(config, checkpoints, device, len(parts) > 1,
                                                 route_arguments(config, model, _column_names(columns))),
            train_dataset=train_dataset, loss=loss, data_collator=collator,
            callbacks=[SpladeRegularizerWeightSchedulerCallback(loss=loss), _CheckpointSaved(),
                       StepLog(metrics or checkpoints.parent / METRICS_FILE, round_, loss),
                       TrainProgress(f"{config.name} round {round_}")])
    for callback in list(trainer.callback_handler.callbacks):
        if type(callback).__name__.endswith("ModelCardCallback") or isinstance(callback, PrinterCallback | ProgressCallback):
            trainer.remove_callback(callback)  # our own card (no widget pass) and progress (no printed dicts)
    last = last_complete_checkpoint(checkpoints)
    if last:
        console.print(f"[yellow]resuming from checkpoint {last}[/]")
    reason = why_not(model, device, precision_flags(config, device)) if config.pooled_head else "pooled_head: false"
    with pooled_training_head(model) if reason is None else contextlib.nullcontext():
        output_ = trainer.train(resume_from_checkpoint=last)
    save_model(model, output)
    return int(trainer.state.global_step), getattr(output_, "training_loss", None)


def save_model(model: SparseEncoder, output: Path, extra: Callable[[Path], None] | None = None) -> None:
    """Save ``model`` (safetensors, no card) into a hidden ``.NAME.partial`` folder, let ``extra`` add files to it,
    then move it into place: a stopped save never leaves a half model under ``output``."""
    tmp = output.with_name(f".{output.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save(str(tmp), create_model_card=False, safe_serialization=True)
    if extra is not None:
        extra(tmp)
    shutil.rmtree(output, ignore_errors=True)
    tmp.rename(output)

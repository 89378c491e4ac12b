"""The training configuration: one pydantic record, read from YAML, overridable key by key.

Everything that changes a trained model is a field of :class:`TrainConfig`; the record is saved
beside the checkpoints (a resumed run must have the same config), written into the model card, and
forwarded to Modal as one JSON string (so no key can be dropped on the way).

Overrides use dotted paths with YAML-typed values: ``batch_size=16``, ``mining.rounds=1``,
``datasets.0.max_pairs=5000``, ``datasets.0.positive_labels=[E,S]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from benchmark.core.errors import ShopbenchError
from benchmark.core.overrides import OverrideError, parse_pair, read_yaml_mapping
from benchmark.datasets.text import TextBuilder, TextFormat

NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


class TrainConfigError(ShopbenchError):
    """A training config file or override is invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatasetSpec(_Strict):
    """One dataset to draw (query, positive product) pairs from: its train split only."""

    name: str  # esci, wands, homedepot, demo or beir:PATH (as for `bench run --dataset`)
    data_dir: Path | None = None  # as `--data-dir`: the dataset's folder or a parent of it
    options: dict[str, str | int | float] = Field(default_factory=dict)  # loader options (ESCI locale, ...)
    train_split: str = "train"
    # Splits whose queries must not be trained on; None = every split of the dataset except train_split.
    holdout_splits: list[str] | None = None
    # Positive rule: gains of these dataset labels (e.g. [E, S]); or min_gain; neither = the dataset default
    # (esci: E, S; wands: Exact; homedepot: gain >= 4; others: gain >= the dataset's relevant level).
    positive_labels: list[str] | None = None
    min_gain: int | None = None
    max_queries: int | None = None  # sample of training queries (seeded)
    max_positives_per_query: int | None = None  # highest-gain positives first, ties by seeded shuffle
    max_pairs: int | None = None  # cap on (query, positive) pairs after the two caps above
    # Hard negatives from the judgements themselves: per training row, up to this many products judged
    # for the query *below* the positive rule (lowest gain first, ties in seeded order); a query with
    # fewer is filled with random products not judged for it. Added before any mined negatives.
    judged_negatives: int = 0
    dev_split: str | None = "dev"  # split evaluated after each round (None: none for this dataset)
    # Fraction of training queries (chosen by a hash of their normalised text) held out as a dev set
    # and never trained on; for datasets without a dev split (ESCI). Used when dev_split is None.
    dev_holdout: float = 0.0
    leakage: Literal["error", "drop"] = "error"  # a train query also in a holdout split: fail, or drop it

    @model_validator(mode="after")
    def _check(self) -> DatasetSpec:
        if self.positive_labels is not None and self.min_gain is not None:
            raise ValueError("give positive_labels or min_gain, not both")
        for key in ("max_queries", "max_positives_per_query", "max_pairs"):
            value = getattr(self, key)
            if value is not None and value < 1:
                raise ValueError(f"{key} must be >= 1 (or null for no cap)")
        if self.judged_negatives < 0:
            raise ValueError("judged_negatives must be >= 0")
        if not 0 <= self.dev_holdout < 1:
            raise ValueError("dev_holdout must be in [0, 1)")
        if self.dev_holdout and self.dev_split:
            raise ValueError("dev_holdout carves a dev set out of train: set dev_split: null to use it")
        return self

    @property
    def label(self) -> str:
        return self.name


class LossConfig(_Strict):
    """SpladeLoss(SparseMultipleNegativesRankingLoss) with FLOPS regularisers on queries and documents."""

    query_regularizer_weight: float = 5e-5
    document_regularizer_weight: float = 3e-5
    scale: float = 1.0  # SparseMultipleNegativesRankingLoss scale (dot-product logits multiplier)
    # Margin distillation (benchmark.train.teacher): weight of a SparseMarginMSELoss term on the teacher's
    # (positive - negative) score margins, added to the in-batch loss; 0 = off. Needs hard negatives.
    distill_weight: float = 0.0
    teacher: str = "bm25"  # bm25 (the harness's BM25 over the catalog) or a SPLADE model (name, folder, hub id)
    teacher_scale: float = 1.0  # multiplies the teacher's scores

    @model_validator(mode="after")
    def _check(self) -> LossConfig:
        if self.distill_weight < 0 or self.teacher_scale <= 0:
            raise ValueError("loss.distill_weight must be >= 0 and loss.teacher_scale > 0")
        return self


class MiningConfig(_Strict):
    """ANCE-style rounds: round r >= 1 mines negatives with the round r-1 model, then trains again."""

    rounds: int = 0
    top_k: int = 50  # hits retrieved per training query
    negatives: int = 1  # hardest non-relevant hits kept per query (one `negative_i` column each)
    # Drop unjudged hits scoring >= margin x the score of the query's best judged positive in the top-k
    # (reduces false negatives); None keeps them.
    false_negative_margin: float | None = None
    corpus_cap: int | None = None  # index only judged products + a seeded sample up to this many
    max_queries: int | None = None  # training queries mined per round (None: all)
    restart_from_base: bool = False  # retrain each round from the base model instead of continuing
    # Round 0: "train" fine-tunes the base model on the pairs; "base" takes the base model as it is (for a
    # base that is already fine-tuned, e.g. a registered model's folder): round 1 mines with it directly.
    first_round: Literal["train", "base"] = "train"

    @model_validator(mode="after")
    def _check(self) -> MiningConfig:
        if self.rounds < 0 or self.top_k < 1 or self.negatives < 1:
            raise ValueError("mining needs rounds >= 0, top_k >= 1, negatives >= 1")
        if self.first_round == "base" and self.rounds < 1:
            raise ValueError("mining.first_round: base needs rounds >= 1")
        if self.negatives > self.top_k:
            raise ValueError("mining.negatives cannot exceed mining.top_k")
        if self.false_negative_margin is not None and not 0 < self.false_negative_margin <= 1:
            raise ValueError("false_negative_margin is a ratio in (0, 1]")
        return self


class InferenceFreeConfig(_Strict):
    """The query table of an ``architecture: inference-free`` model (benchmark/train/inference_free.py)."""

    query_init: Literal["idf", "ones"] = "idf"  # idf: the training catalog's BM25 idf per token; ones: 1 each
    query_learning_rate: float = 1e-3  # the table's own learning rate (sentence-transformers' recommendation)
    query_frozen: bool = False  # true: the table keeps its initial weights (only documents learn)

    @model_validator(mode="after")
    def _check(self) -> InferenceFreeConfig:
        if self.query_learning_rate <= 0:
            raise ValueError("inference_free.query_learning_rate must be > 0")
        return self


# Modal's GPU types (https://modal.com/docs/guide/gpu; A10G is the older name of A10). A value is TYPE or
# TYPE:COUNT, case-insensitive, as modal's own parser reads it (modal._utils.function_utils.parse_gpu_config,
# which only splits and upper-cases: the server judges the type, after the app has started).
MODAL_GPUS = ("T4", "L4", "A10", "A10G", "L40S", "A100", "A100-40GB", "A100-80GB", "RTX-PRO-6000", "H100", "H100!",
              "H200", "B200", "B200+")
MODAL_GPU_MAX_COUNT = {"A10": 4, "A10G": 4}  # GPUs per container; every other type: 8
MODAL_GPU_DEFAULT_MAX_COUNT = 8
# A Modal Function's timeout is between 1 second and 24 hours (https://modal.com/docs/guide/timeouts).
MODAL_MAX_TIMEOUT_S = 24 * 3600
GPU_DEVICES = ("auto", "cuda")  # `device` values that use the GPU a Modal run rents (also cuda:N)


def check_modal_gpu(value: str) -> str:
    """``value`` if Modal accepts it as a GPU request (``H100``, ``a100-80gb:2``), else a ValueError."""
    kind, sep, count_text = value.partition(":")
    if kind.upper() not in MODAL_GPUS:
        raise ValueError(f"unknown Modal GPU {kind!r}; Modal offers {', '.join(MODAL_GPUS)} (with :N for N GPUs)")
    if not sep:
        return value
    limit = MODAL_GPU_MAX_COUNT.get(kind.upper(), MODAL_GPU_DEFAULT_MAX_COUNT)
    if not count_text.isdigit() or not 1 <= int(count_text) <= limit:
        raise ValueError(f"GPU count in {value!r} must be a whole number from 1 to {limit} for {kind.upper()}")
    return value


class ModalConfig(_Strict):
    """Where and how `bench train --on modal` runs. ``gpu`` and ``timeout_s`` are checked here, so a bad value
    fails before anything is sent to Modal."""

    gpu: str = "A100"
    timeout_s: int = 6 * 3600
    data_volume: str = "shopbench-data"
    checkpoint_volume: str = "shopbench-checkpoints"
    app_name: str = "shopbench-train"

    @field_validator("gpu")
    @classmethod
    def _gpu(cls, value: str) -> str:
        return check_modal_gpu(value)

    @field_validator("timeout_s")
    @classmethod
    def _timeout(cls, value: int) -> int:
        if not 1 <= value <= MODAL_MAX_TIMEOUT_S:
            raise ValueError(f"Modal runs a function for 1 s to 24 h: timeout_s must be in [1, {MODAL_MAX_TIMEOUT_S}]"
                             f", got {value}")
        return value


class TrainConfig(_Strict):
    name: str  # registered name: `bench run -r splade-ft@NAME`; the model goes to <cache>/models/NAME
    base_model: str = "bundled:splade-tiny"  # any SparseEncoder-loadable model, or a masked-LM to build SPLADE from
    # splade: queries and documents through the SPLADE model; inference-free: documents through it, queries by
    # a static weight per token (no transformer at query time; see inference_free below)
    architecture: Literal["splade", "inference-free"] = "splade"
    inference_free: InferenceFreeConfig = Field(default_factory=InferenceFreeConfig)
    datasets: list[DatasetSpec] = Field(default_factory=lambda: [DatasetSpec(name="esci", dev_split=None,
                                                                             dev_holdout=0.02)])
    text_format: TextFormat = TextFormat.TITLE_BRAND_BULLETS  # the harness's product-text builder
    query_max_length: int = 64
    document_max_length: int = 128
    loss: LossConfig = Field(default_factory=LossConfig)
    batch_size: int = 32
    learning_rate: float = 2e-5
    epochs: float = 1.0
    max_steps: int | None = None  # overrides epochs when set
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    batch_sampler: Literal["no_duplicates", "default"] = "no_duplicates"
    multi_dataset_sampler: Literal["proportional", "round_robin"] = "proportional"
    seed: int = 42
    device: str = "auto"  # auto: cuda where available
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"  # auto: bf16 on a GPU that has it, else fp32
    threads: int | None = None  # torch CPU threads (None: torch's default)
    # SPLADE max pooling without full-vocabulary logits, sparse backward (benchmark/train/pooled_head.py) where it
    # applies (CPU, fp32, masked-LM + SpladePooling); false: sentence-transformers' own head
    pooled_head: bool = True
    save_steps: int = 200  # checkpoint every N steps; an interrupted run resumes from the last one
    save_total_limit: int = 2
    logging_steps: int = 20
    # experiment trackers the trainer logs to, besides the run's metrics.jsonl (off by default; each needs its
    # package: tensorboard, wandb, mlflow)
    report_to: list[Literal["tensorboard", "wandb", "mlflow"]] = Field(default_factory=list)
    dev_eval: bool = True  # index each dataset's catalog with each round's model and score its dev split
    dev_max_queries: int | None = None
    eval_batch_size: int = 64  # encoding batch size for dev evaluation and mining
    mining: MiningConfig = Field(default_factory=MiningConfig)
    if_exists: Literal["error", "suffix"] = "error"  # NAME already registered: refuse, or register NAME-2, ...
    modal: ModalConfig = Field(default_factory=ModalConfig)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value or not set(value) <= NAME_CHARS or value.startswith("."):
            raise ValueError(f"name {value!r}: use letters, digits, '.', '_' and '-' only")
        return value

    @model_validator(mode="before")
    @classmethod
    def _architecture_defaults(cls, data: Any) -> Any:
        """An inference-free model regularises documents only: its query regulariser weight defaults to 0."""
        if isinstance(data, dict) and data.get("architecture") == "inference-free":
            loss = data.get("loss")
            if loss is None or isinstance(loss, dict) and "query_regularizer_weight" not in loss:
                data = {**data, "loss": {**(loss or {}), "query_regularizer_weight": 0.0}}
        return data

    @model_validator(mode="after")
    def _check(self) -> TrainConfig:
        if self.architecture == "inference-free" and self.loss.query_regularizer_weight:
            raise ValueError("architecture inference-free regularises the document side only (sentence-transformers' "
                             "recipe: a FLOPS term on a static query table only shrinks it); set "
                             "loss.query_regularizer_weight to 0 or leave it out")
        if not self.datasets:
            raise ValueError("datasets: at least one dataset is needed")
        labels = [d.label for d in self.datasets]
        if len(set(labels)) != len(labels):
            raise ValueError(f"datasets: each dataset once, got {labels}")
        positive = {"batch_size": self.batch_size, "query_max_length": self.query_max_length,
                    "document_max_length": self.document_max_length, "save_steps": self.save_steps,
                    "logging_steps": self.logging_steps, "eval_batch_size": self.eval_batch_size}
        bad = [k for k, v in positive.items() if v < 1]
        if bad:
            raise ValueError(f"{', '.join(bad)} must be >= 1")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError("max_steps must be >= 1 (or null)")
        if self.epochs <= 0 or self.learning_rate <= 0 or not 0 <= self.warmup_ratio < 1:
            raise ValueError("epochs and learning_rate must be > 0, warmup_ratio in [0, 1)")
        return self

    def text_builder(self) -> TextBuilder:
        return TextBuilder(self.text_format)

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, payload: str) -> TrainConfig:
        return cls.model_validate_json(payload)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)

    def uses_gpu(self) -> bool:
        """Whether ``device`` lets training use a GPU (``auto``, ``cuda``, ``cuda:N``)."""
        return self.device in GPU_DEVICES or self.device.startswith("cuda:")

    def on_gpu(self) -> TrainConfig:
        """This config with ``device: cuda`` where it names another device (``cpu``): for a run on a rented GPU.

        ``device`` is not part of :meth:`training_identity`, so the switch keeps a resumed run resumable."""
        return self if self.uses_gpu() else self.model_copy(update={"device": "cuda"})

    def training_identity(self) -> dict[str, Any]:
        """What must match for a resumed run (everything but where/how it runs and registers)."""
        data = self.model_dump(mode="json")
        for key in ("if_exists", "modal", "logging_steps", "save_total_limit", "dev_eval", "dev_max_queries",
                    "eval_batch_size", "device", "threads", "report_to"):
            data.pop(key)
        for spec in data["datasets"]:
            spec.pop("data_dir")
        return data


def apply_override(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``a.b.0.c`` in nested dicts/lists (creating dicts on the way)."""
    parts = key.split(".")
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        nxt = parts[i + 1]
        if isinstance(node, list):
            node = _list_item(node, part, key)
            continue
        if part not in node or node[part] is None:
            node[part] = [] if nxt.isdigit() else {}
        node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        index = _index(node, last, key, allow_append=True)
        if index == len(node):
            node.append(value)
        else:
            node[index] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise TrainConfigError(f"--set {key}: {'.'.join(parts[:-1])} is not a mapping")


def _index(node: list, part: str, key: str, allow_append: bool = False) -> int:
    if not part.isdigit():
        raise TrainConfigError(f"--set {key}: '{part}' should be a list index")
    index = int(part)
    if index > len(node) or (index == len(node) and not allow_append):
        raise TrainConfigError(f"--set {key}: index {index} is out of range ({len(node)} items)")
    return index


def _list_item(node: list, part: str, key: str) -> Any:
    index = _index(node, part, key, allow_append=True)
    if index == len(node):
        node.append({})
    return node[index]


def split_overrides(pairs: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:  # values typed by the shared --set parser (benchmark.core.overrides): [E, S] is a list
        try:
            key, value = parse_pair(pair)
        except OverrideError as err:
            raise TrainConfigError(str(err)) from None
        out[key] = value
    return out


def read_yaml(path: Path) -> dict[str, Any]:
    return read_yaml_mapping(path, "training config", TrainConfigError)


def build_config(data: Mapping[str, Any], overrides: Mapping[str, Any] | Sequence[str] = (),
                 source: str = "config") -> TrainConfig:
    """A validated config from a mapping plus dotted-key overrides; errors name every bad key."""
    raw = yaml.safe_load(yaml.safe_dump(dict(data)))  # deep copy with plain types
    if raw is None:
        raw = {}
    items = overrides.items() if isinstance(overrides, Mapping) else split_overrides(overrides).items()
    for key, value in items:
        apply_override(raw, key, value)
    try:
        return TrainConfig.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}" for e in err.errors())
        raise TrainConfigError(f"{source}: {problems} (keys: {', '.join(TrainConfig.model_fields)})") from None


def load_config(path: Path | None, overrides: Mapping[str, Any] | Sequence[str] = ()) -> TrainConfig:
    data = read_yaml(path) if path is not None else {}
    return build_config(data, overrides, source=str(path) if path else "command line")

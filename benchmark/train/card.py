"""The model card (README.md) and the machine-readable training record beside a trained model.

The card is published with the model, so it carries no absolute path of the training machine: a base model
that is a local folder is named by its registered name (``splade-ft@NAME``, from the training record in that
folder) or its last component, with its weights' sha256 prefix; other paths (``data_dir``, a teacher folder)
show as ``…/NAME``. The training record keeps the config exactly as given (a resumed run compares it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from benchmark import __version__
from benchmark.train.metrics_file import MODEL_COPY
from leaderboard.markdown import code, escape, fenced
from leaderboard.models import ModelRef
from leaderboard.portable import is_machine_path, path_tail, shorten_paths
from retrievers.models import TRAIN_RECORD_FILE, registered_name

if TYPE_CHECKING:  # pragma: no cover
    from benchmark.train.trainer import TrainResult

RECORD_FILE = TRAIN_RECORD_FILE


def _metrics_line(metrics: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items())


def _yaml_scalar(value: str) -> str:
    """``value`` as it is where YAML reads it back unchanged, else as a JSON string (valid YAML): a model name
    cannot add keys to the card's front matter."""
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._/@~-]*(:[A-Za-z0-9._/@~-]+)*", value):
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value)


def _shown(value: object) -> str:
    """A value of the config or the data as the card shows it: absolute paths shortened, then escaped."""
    return escape(shorten_paths(str(value)))


def _local_folder(name: str) -> Path | None:
    """The folder a base model name points to (a path, not a hub id or bundled alias), if it is one."""
    if not (is_machine_path(name) or name.startswith((".", "~"))):
        return None
    try:
        folder = Path(name).expanduser()
    except RuntimeError:  # ~user of an unknown user
        return None
    return folder if folder.is_dir() else None


def base_model_shown(base_model: str) -> tuple[str, bool]:
    """(how the card names the base model, whether it is a local folder): a hub id or bundled alias as it
    is; a folder as ``splade-ft@NAME sha256:e7abe571`` (registered) or ``NAME sha256:...``, never its path."""
    folder = _local_folder(base_model)
    if folder is None:
        if is_machine_path(base_model):  # a folder that is gone: its name, no path
            return path_tail(base_model), True
        return base_model, False
    from retrievers.models import weights_sha256

    ref = ModelRef(str(folder), weights_sha256=weights_sha256(folder))
    return ref.shown(registered_name(folder)), True


def _architecture(result: TrainResult) -> list[str]:
    """The architecture section: what an inference-free model is and the recipe it was trained with."""
    cfg = result.config
    if cfg.architecture != "inference-free":
        return ["Architecture: `splade` (queries and documents through the same SPLADE model).", ""]
    settings = cfg.inference_free
    table = result.query_table or {}
    if table.get("query_init") == "idf":
        start = (f"the BM25 idf, {code(str(table.get('idf', '')))}, of each token over the "
                 f"{int(table.get('documents', 0)):,} products of the training catalog"
                 f" ({_shown(', '.join(table.get('catalogs') or []))})")
    elif table:
        start = "1 for every token (`query_init: ones`)"
    else:
        start = "the base model's own query table (the base is already inference-free)"
    learned = ("frozen (not trained)" if settings.query_frozen
               else f"trained at its own learning rate {settings.query_learning_rate:g} (`learning_rate_mapping`; "
                    f"the rest of the model at {cfg.learning_rate:g})")
    return [
        "## Architecture: inference-free",
        "",
        "Documents are encoded by the SPLADE model (masked-LM Transformer + SpladePooling, the `document` route of a",
        "sentence-transformers `Router`); a query is encoded by a static table (`SparseStaticEmbedding`, the `query`",
        "route): the weight of each distinct token of the query, no transformer at query time.",
        "",
        "Recipe (sentence-transformers' documented one for these models):",
        "",
        f"- query table: initialised from {start}; {learned};",
        "- `router_mapping`: the query column to `query`, the positive and negative columns to `document`;",
        (f"- FLOPS regularisation on the document side only (weight {cfg.loss.document_regularizer_weight:g}); "
         f"query regulariser weight {cfg.loss.query_regularizer_weight:g}."),
        "",
    ]


def render(result: TrainResult) -> str:
    """The card; every value from the config or the data is escaped (names, paths, hardware strings)."""
    cfg = result.config
    base, local_base = base_model_shown(cfg.base_model)
    inference_free = cfg.architecture == "inference-free"
    lines = [
        "---",
        "library_name: sentence-transformers",
        f"tags: [sparse-encoder, splade, {'inference-free, ' if inference_free else ''}product-search, shopbench]",
        *([] if local_base else [f"base_model: {_yaml_scalar(cfg.base_model)}"]),  # hub metadata: hub ids only
        "---",
        "",
        f"# {escape(result.name)}",
        "",
        (f"{'Inference-free SPLADE' if inference_free else 'SPLADE'} model fine-tuned by shopbench {__version__} "
         f"(`bench train`) from {code(base)}" + (" (a local model folder)." if local_base else ".")),
        f"Use it with {code(f'bench run -r splade-ft@{result.name}')} (or `-r splade-ft` while it is the latest model).",
        "",
        *_architecture(result),
        "## Training data",
        "",
        "Pairs come only from each dataset's train split; no training query (normalised text) occurs in that",
        "dataset's held-out splits (checked before training).",
        "",
        "| dataset | positive rule | train-split queries | queries used | pairs | leaked, dropped | dev queries |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in result.data:
        cells = [row[k] for k in ("dataset", "positive_rule", "train_split_queries", "queries", "pairs",
                                  "leaked_dropped", "dev_queries")]
        lines.append("| " + " | ".join(_shown(c) for c in cells) + " |")
    lines += ["", "## Rounds", "",
              "| round | rows | steps | train loss | train s | mined negatives | dev metrics |", "|---|---|---|---|---|---|---|"]
    for r in result.rounds:
        mined = "; ".join(f"{d}: {s.get('queries', 0)} queries, {s.get('filled_random', 0)} random fills"
                          for d, s in r.mined.items()) or "none (in-batch negatives)"
        dev = "; ".join(f"{d}: {_metrics_line(m)}" for d, m in r.dev.items()) or "not evaluated"
        loss = f"{r.train_loss:.4f}" if r.train_loss is not None else ""
        lines.append(f"| {r.round} | {sum(r.rows.values())} | {r.steps} | {loss} | {r.train_s:.0f} | {_shown(mined)} "
                     f"| {_shown(dev)} |")
    lines += ["", (f"Step and dev metrics of every round: [{MODEL_COPY}]({MODEL_COPY}) (one JSON line per logging step: "
                   "loss and its parts, learning rate, regulariser weights, grad norm, steps/s; one per dataset "
                   "after each round's dev evaluation).")]
    train_s = sum(r.train_s for r in result.rounds)
    other_s = sum(r.dev_s + r.mine_s for r in result.rounds)
    lines += [
        "",
        "## Time and hardware",
        "",
        (f"- training: {train_s / 60:.1f} min; mining and dev evaluation: {other_s / 60:.1f} min; "
         f"this invocation, wall: {result.total_s / 60:.1f} min"),
        "- hardware: " + _shown(", ".join(f"{k}={v}" for k, v in result.hardware.items())),
        f"- seed: {cfg.seed}",
        "",
        "## Config",
        "",
        *fenced([shorten_paths(line) for line in cfg.to_yaml().rstrip().splitlines()], "yaml"),
        "",
    ]
    return "\n".join(lines)


def record(result: TrainResult) -> dict[str, Any]:
    from dataclasses import asdict

    return {
        "name": result.name, "shopbench_version": __version__, "architecture": result.config.architecture,
        "query_table": result.query_table, "config": result.config.model_dump(mode="json"),
        "data": result.data, "rounds": [asdict(r) for r in result.rounds], "total_s": result.total_s,
        "hardware": result.hardware,
    }


def write_card(model_dir: Path, result: TrainResult) -> None:
    (model_dir / "README.md").write_text(render(result))
    (model_dir / RECORD_FILE).write_text(json.dumps(record(result), indent=2, default=str) + "\n")

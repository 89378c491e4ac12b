"""The model card (README.md) and the machine-readable training record beside a trained model."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from benchmark import __version__
from leaderboard.markdown import code, escape, fenced

if TYPE_CHECKING:  # pragma: no cover
    from benchmark.train.trainer import TrainResult

RECORD_FILE = "shopbench_train.json"


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


def render(result: TrainResult) -> str:
    """The card; every value from the config or the data is escaped (names, paths, hardware strings)."""
    cfg = result.config
    lines = [
        "---",
        "library_name: sentence-transformers",
        "tags: [sparse-encoder, splade, product-search, shopbench]",
        f"base_model: {_yaml_scalar(cfg.base_model)}",
        "---",
        "",
        f"# {escape(result.name)}",
        "",
        f"SPLADE model fine-tuned by shopbench {__version__} (`bench train`) from {code(cfg.base_model)}.",
        f"Use it with {code(f'bench run -r splade-ft@{result.name}')} (or `-r splade-ft` while it is the latest model).",
        "",
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
        lines.append("| " + " | ".join(escape(str(c)) for c in cells) + " |")
    lines += ["", "## Rounds", "",
              "| round | rows | steps | train loss | train s | mined negatives | dev metrics |", "|---|---|---|---|---|---|---|"]
    for r in result.rounds:
        mined = "; ".join(f"{d}: {s.get('queries', 0)} queries, {s.get('filled_random', 0)} random fills"
                          for d, s in r.mined.items()) or "none (in-batch negatives)"
        dev = "; ".join(f"{d}: {_metrics_line(m)}" for d, m in r.dev.items()) or "not evaluated"
        loss = f"{r.train_loss:.4f}" if r.train_loss is not None else ""
        lines.append(f"| {r.round} | {sum(r.rows.values())} | {r.steps} | {loss} | {r.train_s:.0f} | {escape(mined)} "
                     f"| {escape(dev)} |")
    train_s = sum(r.train_s for r in result.rounds)
    other_s = sum(r.dev_s + r.mine_s for r in result.rounds)
    lines += [
        "",
        "## Time and hardware",
        "",
        (f"- training: {train_s / 60:.1f} min; mining and dev evaluation: {other_s / 60:.1f} min; "
         f"this invocation, wall: {result.total_s / 60:.1f} min"),
        "- hardware: " + escape(", ".join(f"{k}={v}" for k, v in result.hardware.items())),
        f"- seed: {cfg.seed}",
        "",
        "## Config",
        "",
        *fenced(cfg.to_yaml().rstrip().splitlines(), "yaml"),
        "",
    ]
    return "\n".join(lines)


def record(result: TrainResult) -> dict[str, Any]:
    from dataclasses import asdict

    return {
        "name": result.name, "shopbench_version": __version__, "config": result.config.model_dump(mode="json"),
        "data": result.data, "rounds": [asdict(r) for r in result.rounds], "total_s": result.total_s,
        "hardware": result.hardware,
    }


def write_card(model_dir: Path, result: TrainResult) -> None:
    (model_dir / "README.md").write_text(render(result))
    (model_dir / RECORD_FILE).write_text(json.dumps(record(result), indent=2, default=str) + "\n")

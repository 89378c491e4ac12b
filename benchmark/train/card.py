"""The model card (README.md) and the machine-readable training record beside a trained model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmark import __version__

if TYPE_CHECKING:  # pragma: no cover
    from benchmark.train.trainer import TrainResult

RECORD_FILE = "shopbench_train.json"


def _metrics_line(metrics: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items())


def render(result: TrainResult) -> str:
    cfg = result.config
    lines = [
        "---",
        "library_name: sentence-transformers",
        "tags: [sparse-encoder, splade, product-search, shopbench]",
        f"base_model: {cfg.base_model}",
        "---",
        "",
        f"# {result.name}",
        "",
        f"SPLADE model fine-tuned by shopbench {__version__} (`bench train`) from `{cfg.base_model}`.",
        f"Use it with `bench run -r splade-ft@{result.name}` (or `-r splade-ft` while it is the latest model).",
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
        lines.append(f"| {row['dataset']} | {row['positive_rule']} | {row['train_split_queries']} | {row['queries']} "
                     f"| {row['pairs']} | {row['leaked_dropped']} | {row['dev_queries']} |")
    lines += ["", "## Rounds", "",
              "| round | rows | steps | train loss | train s | mined negatives | dev metrics |", "|---|---|---|---|---|---|---|"]
    for r in result.rounds:
        mined = "; ".join(f"{d}: {s.get('queries', 0)} queries, {s.get('filled_random', 0)} random fills"
                          for d, s in r.mined.items()) or "none (in-batch negatives)"
        dev = "; ".join(f"{d}: {_metrics_line(m)}" for d, m in r.dev.items()) or "not evaluated"
        loss = f"{r.train_loss:.4f}" if r.train_loss is not None else ""
        lines.append(f"| {r.round} | {sum(r.rows.values())} | {r.steps} | {loss} | {r.train_s:.0f} | {mined} | {dev} |")
    train_s = sum(r.train_s for r in result.rounds)
    other_s = sum(r.dev_s + r.mine_s for r in result.rounds)
    lines += [
        "",
        "## Time and hardware",
        "",
        (f"- training: {train_s / 60:.1f} min; mining and dev evaluation: {other_s / 60:.1f} min; "
         f"this invocation, wall: {result.total_s / 60:.1f} min"),
        "- hardware: " + ", ".join(f"{k}={v}" for k, v in result.hardware.items()),
        f"- seed: {cfg.seed}",
        "",
        "## Config",
        "",
        "```yaml",
        cfg.to_yaml().rstrip(),
        "```",
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

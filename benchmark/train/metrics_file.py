"""A training run's metrics file: ``metrics.jsonl`` in its run folder, one JSON object per line, appended and
flushed as the run goes (readable while it trains; a resumed run appends).

Rows of ``kind`` "step" come from each logging step of each round's training (:class:`benchmark.train.fitting.StepLog`:
loss and its parts, learning rate, regulariser weights, grad norm, steps/s); rows of ``kind`` "dev" from the dev
evaluation after a round (one per dataset: its metrics). The published model carries a copy
(:data:`MODEL_COPY`), which its card links.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

METRICS_FILE = "metrics.jsonl"
MODEL_COPY = "training_metrics.jsonl"  # in the published model folder


def append_metrics(path: Path, row: dict[str, Any]) -> None:
    """One JSON line appended and flushed."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")


def read_metrics(path: Path, kind: str | None = None) -> list[dict[str, Any]]:
    """The rows of a metrics file (of one ``kind`` when given); none when there is no file."""
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if kind is None or r.get("kind") == kind]

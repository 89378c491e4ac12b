"""What `bench data info` shows: a plain summary record and its rich rendering."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from benchmark.core.console import console
from benchmark.datasets.base import Dataset
from benchmark.datasets.splits import ALL_SPLIT


def dataset_summary(dataset: Dataset) -> dict[str, Any]:
    counts = dataset.counts
    label_of = {gain: label for label, gain in dataset.gains.labels.items()}
    return {
        "name": dataset.name,
        "checksum": dataset.checksum,
        "location": dataset.source.get("root", ""),
        "products": counts.products,
        "queries": counts.queries,
        "judgements": counts.judgements,
        "splits": {
            name: {"queries": counts.queries_per_split[name], "judgements": counts.judgements_per_split[name]}
            for name in sorted(dataset.splits)
        },
        # split "all" (every query): only for a dataset whose splits shopbench assigned; None where refused
        "split_all": ({"queries": counts.queries, "judgements": counts.judgements} if dataset.derived_splits
                      else None),
        "split_rule": dataset.source.get("split", ""),
        "gains": {"labels": dict(dataset.gains.labels), "relevant_level": dataset.gains.relevant_level,
                  "note": dataset.gains.note},
        "judgements_per_gain": [
            {"gain": gain, "label": label_of.get(gain, ""), "count": n,
             "relevant": gain >= dataset.gains.relevant_level}
            for gain, n in counts.judgements_per_gain.items()
        ],
        "anomalies": [{"kind": a.kind, "count": a.count, "detail": a.detail, "examples": list(a.examples)}
                      for a in dataset.anomalies],
        "source": dict(dataset.source),
    }


def render_summary(s: dict[str, Any]) -> None:
    head = Table(title=f"dataset {s['name']}", show_header=False, title_justify="left")
    head.add_column(style="bold")
    head.add_column(overflow="fold")
    for key in ("products", "queries", "judgements"):
        head.add_row(key, f"{s[key]:,}")
    head.add_row("checksum", s["checksum"])
    head.add_row("location", s["location"])
    head.add_row("split rule", s["split_rule"])
    if s["source"].get("catalog"):
        head.add_row("catalog", str(s["source"]["catalog"]))
    head.add_row("gains", s["gains"]["note"])
    console.print(head)

    splits = Table(title="splits", title_justify="left")
    for col in ("split", "queries", "judgements"):
        splits.add_column(col, justify="left" if col == "split" else "right")
    for name, row in s["splits"].items():
        splits.add_row(name, f"{row['queries']:,}", f"{row['judgements']:,}")
    if s["split_all"]:
        every = s["split_all"]
        splits.add_row(f"{ALL_SPLIT} (every query)", f"{every['queries']:,}", f"{every['judgements']:,}")
    console.print(splits)

    gains = Table(title="judgements per gain", title_justify="left")
    for col in ("gain", "label", "count", "relevant"):
        gains.add_column(col, justify="right" if col in ("gain", "count") else "left")
    for row in s["judgements_per_gain"]:
        gains.add_row(str(row["gain"]), row["label"], f"{row['count']:,}", "yes" if row["relevant"] else "no")
    console.print(gains)

    for a in s["anomalies"]:
        examples = f" (e.g. {', '.join(a['examples'])})" if a["examples"] else ""
        console.print(f"[yellow]tolerated:[/] {a['kind']}: {a['count']:,} — {a['detail']}{examples}")

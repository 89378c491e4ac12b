"""What a result records about its product texts beyond the builder's settings: the fields it left out.

:func:`dropped_for` lists the non-empty product fields a run's text format leaves out
(:func:`~benchmark.datasets.text.dropped_fields`), per part where a fused run's parts build texts differently
(the recorded text builder is then ``{"parts": {part: config}}``), and :func:`warn_dropped` says so once on
the console.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from benchmark.core.console import console
from benchmark.datasets.base import Dataset
from benchmark.datasets.text import TextBuilder, dropped_fields
from benchmark.ranking.results import DroppedFieldInfo


def dropped_for(dataset: Dataset, text_builder: Mapping[str, Any]) -> list[DroppedFieldInfo]:
    """The fields the recorded text builder (or each part's) leaves out of ``dataset``'s texts."""
    parts = text_builder.get("parts")
    builders = dict(parts) if isinstance(parts, Mapping) else {None: text_builder}
    return [DroppedFieldInfo(field=d.field, products=d.products, detail=d.detail, part=part)
            for part, cfg in builders.items() for d in dropped_fields(dataset, TextBuilder.from_config(cfg))]


def warn_dropped(dataset: Dataset, text_builder: Mapping[str, Any], dropped: Sequence[DroppedFieldInfo]) -> None:
    """One yellow console warning naming every dropped field (nothing when none is)."""
    if not dropped:
        return
    fmt = text_builder.get("format") or "of the parts"
    fields = "; ".join(f"{f'part {d.part}: ' if d.part else ''}{d.field} ({d.detail}) in {d.products:,} products"
                       for d in dropped)
    console.print(f"[yellow]warning:[/] text format {fmt} leaves non-empty product fields out of the texts of "
                  f"{dataset.name}: {fields}. `--set text_format=full` indexes every field; the result file "
                  "records these as dropped_fields", highlight=False)

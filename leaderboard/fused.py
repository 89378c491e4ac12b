"""Fused systems (``hybrid:A+B``) in tables: which parts they fuse, and which rows those parts are.

A fused result records each part's retriever description (``RetrieverInfo.config["parts"]``), which is
exactly what the part's own ``bench run -r PART`` result records as its config; a row of the same table
whose config matches (its name aside) *is* that part, and is named by its letter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from benchmark.fusion.record import fusion_summary, is_fused, parts
from benchmark.ranking.results import ResultRecord
from leaderboard.models import part_models


def _without_name(config: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k != "name"}


def part_letter(part: Mapping[str, Any], rows: Sequence[tuple[str, ResultRecord]]) -> str | None:
    """The letter of the row that is this part (same retriever config, same text), if any."""
    wanted = _without_name(part.get("retriever") or {})
    for letter, record in rows:
        if not is_fused(record) and _without_name(record.retriever.config) == wanted:
            return letter
    return None


def parts_text(record: ResultRecord, rows: Sequence[tuple[str, ResultRecord]] = ()) -> str:
    """``bm25 (a) + splade-ft (c)``: the parts in order, each with its row letter when it has a row, else
    with its model (``dense [bundled:all-MiniLM-L6-v2]``, ``splade-ft@x [splade-ft@x sha256:e7abe571]``)."""
    cells = []
    for part in parts(record):
        letter = part_letter(part, rows)
        models = part_models(part)
        suffix = f" ({letter})" if letter else (f" [{models}]" if models else "")
        cells.append(f"{part.get('name', '?')}{suffix}")
    return " + ".join(cells)


def fusion_note(label: str, letter: str, record: ResultRecord, rows: Sequence[tuple[str, ResultRecord]]) -> str:
    """One line for `bench compare`: ``c = hybrid:bm25+splade-ft fuses bm25 (a) + splade-ft (b): rrf ...``."""
    return f"{letter} = {label} fuses {parts_text(record, rows)}: {fusion_summary(record)}"

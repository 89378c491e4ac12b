"""Fused systems (``hybrid:A+B``) in tables: which parts they fuse, and which rows those parts are.

A fused result records each part's retriever description (``RetrieverInfo.config["parts"]``), which is
exactly what the part's own ``bench run -r PART`` result records as its config; a row of the same table
whose config matches (its name aside) *is* that part, and is named by its letter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from benchmark.results import ResultRecord


def _without_name(config: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k != "name"}


def is_fused(record: ResultRecord) -> bool:
    return isinstance(record.retriever.config.get("parts"), list)


def part_letter(part: Mapping[str, Any], rows: Sequence[tuple[str, ResultRecord]]) -> str | None:
    """The letter of the row that is this part (same retriever config, same text), if any."""
    wanted = _without_name(part.get("retriever") or {})
    for letter, record in rows:
        if not is_fused(record) and _without_name(record.retriever.config) == wanted:
            return letter
    return None


def fusion_summary(record: ResultRecord) -> str:
    """``rrf (rrf_k=60), client-side, depth 100`` (+ ``, rrf_k tuned on dev``)."""
    fusion = record.retriever.config.get("fusion") or {}
    params = ", ".join(f"{k}={_value(v)}" for k, v in fusion.items()
                       if k not in {"method", "where", "depth", "tuning"})
    text = f"{fusion.get('method', '?')}" + (f" ({params})" if params else "")
    text += f", {fusion.get('where', '?')}-side, depth {fusion.get('depth', '?')}"
    tuning = fusion.get("tuning")
    if tuning:
        text += f", {tuning.get('parameter')} tuned on {tuning.get('split')}"
    return text


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "/".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return str(value)


def parts_text(record: ResultRecord, rows: Sequence[tuple[str, ResultRecord]] = ()) -> str:
    """``bm25 (a) + splade-ft (c)``: the parts in order, each with its row letter when it has a row, else
    with its model (``dense [bundled:all-MiniLM-L6-v2]``)."""
    cells = []
    for part in record.retriever.config.get("parts") or []:
        letter = part_letter(part, rows)
        models = [e["model"]["name"] for e in (part.get("retriever") or {}).get("encoders", [])
                  if isinstance(e, Mapping) and isinstance(e.get("model"), Mapping) and e["model"].get("name")]
        suffix = f" ({letter})" if letter else (f" [{' + '.join(models)}]" if models else "")
        cells.append(f"{part.get('name', '?')}{suffix}")
    return " + ".join(cells)


def fusion_note(label: str, letter: str, record: ResultRecord, rows: Sequence[tuple[str, ResultRecord]]) -> str:
    """One line for `bench compare`: ``c = hybrid:bm25+splade-ft fuses bm25 (a) + splade-ft (b): rrf ...``."""
    return f"{letter} = {label} fuses {parts_text(record, rows)}: {fusion_summary(record)}"

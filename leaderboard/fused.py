"""Fused systems (``hybrid:A+B``) in tables: which parts they fuse, and which rows those parts are.

A fused result records each part's retriever description (``RetrieverInfo.config["parts"]``), which is
exactly what the part's own ``bench run -r PART`` result records as its config; a row of the same table
whose config matches (its name aside) *is* that part, and is named by its letter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from benchmark.ranking.results import ResultRecord
from leaderboard.models import part_models

# fusion parameters shown by name in a summary (method, place, depth and tuning have their own wording)
SUMMARY_SKIPS = frozenset({"method", "where", "depth", "tuning", "weights"})


def _without_name(config: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k != "name"}


def is_fused(record: ResultRecord) -> bool:
    return isinstance(record.retriever.config.get("parts"), list)


def parts(record: ResultRecord) -> list[Mapping[str, Any]]:
    """The parts a fused result records, in part order (empty for a result that is not fused)."""
    return [p for p in record.retriever.config.get("parts") or [] if isinstance(p, Mapping)]


def part_names(record: ResultRecord) -> list[str]:
    """Each part's name, unique: a name that occurs twice gets its position (``bm25#1``, ``bm25#2``)."""
    names = [str(p.get("name", "?")) for p in parts(record)]
    counts = Counter(names)
    return [f"{name}#{i + 1}" if counts[name] > 1 else name for i, name in enumerate(names)]


def fusion(record: ResultRecord) -> Mapping[str, Any]:
    """The fusion a fused result used (after any tuning): ``RetrieverInfo.config["fusion"]``."""
    value = record.retriever.config.get("fusion")
    return value if isinstance(value, Mapping) else {}


def named_weights(record: ResultRecord) -> list[tuple[str, Any]]:
    """``[("bm25", 0.4), ("splade-ft", 0.4), ("dense", 0.2)]``: each weight with its part (empty: no weights)."""
    weights = fusion(record).get("weights")
    if not isinstance(weights, list):
        return []
    names = part_names(record)
    if len(names) != len(weights):  # not what bench run writes; keep every weight, by position
        names = [f"#{i + 1}" for i in range(len(weights))]
    return list(zip(names, weights, strict=True))


def weights_text(record: ResultRecord) -> str:
    """``bm25=0.4, splade-ft=0.4, dense=0.2`` (empty when the fusion has no weights)."""
    return ", ".join(f"{name}={_value(weight)}" for name, weight in named_weights(record))


def part_letter(part: Mapping[str, Any], rows: Sequence[tuple[str, ResultRecord]]) -> str | None:
    """The letter of the row that is this part (same retriever config, same text), if any."""
    wanted = _without_name(part.get("retriever") or {})
    for letter, record in rows:
        if not is_fused(record) and _without_name(record.retriever.config) == wanted:
            return letter
    return None


def fusion_summary(record: ResultRecord) -> str:
    """``rrf (rrf_k=60), client-side, depth 100``; ``wsum (norm=min-max, bm25=0.5, dense=0.5), ...``
    (+ ``, weights tuned on dev``)."""
    used = fusion(record)
    params = [f"{k}={_value(v)}" for k, v in used.items() if k not in SUMMARY_SKIPS]
    if weights_text(record):
        params.append(weights_text(record))
    text = f"{used.get('method', '?')}" + (f" ({', '.join(params)})" if params else "")
    text += f", {used.get('where', '?')}-side, depth {used.get('depth', '?')}"
    tuning = used.get("tuning")
    if isinstance(tuning, Mapping) and tuning:
        text += f", {tuning.get('parameter')} tuned on {tuning.get('split')}"
    return text


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "/".join(_value(v) for v in value)
    return str(value)


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

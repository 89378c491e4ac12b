"""How a fused result is recorded, read back: which parts it fuses, with which fusion (after any tuning).

A fused result (``hybrid:A+B``, or the ``hybrid`` preset) records, in ``RetrieverInfo.config`` (written by
:meth:`benchmark.fusion.fused.FusedRetriever.describe`): ``kind: fusion``, ``parts`` (each part's name, its
retriever description, which is exactly what the part's own ``bench run -r PART`` records as its config, its
index fingerprint and encoders) and ``fusion`` (method, its parameters, where, depth, tuning). The leaderboard
and ``bench compare`` read it through these functions only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from benchmark.ranking.results import ResultRecord

# fusion parameters shown by name in a summary (method, place, depth and tuning have their own wording)
SUMMARY_SKIPS = frozenset({"method", "where", "depth", "tuning", "weights"})


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

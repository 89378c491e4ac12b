"""Choosing a fusion's parameters on the dev split: a fixed grid, scored by nDCG@10 with the harness's rules.

``rrf`` searches ``rrf_k``; ``wsum`` searches the weights (every combination on a 0.1 grid that sums to
1). Each candidate fuses the parts' dev runs exactly as the test run will be fused (same depth, same
tie-breaking) and is evaluated by :func:`benchmark.ranking.evaluation.evaluate`. The first best candidate in grid
order wins, so the choice is deterministic. What was chosen, on which split and on how many queries is
returned for the result file. The test split is never looked at here (the settings refuse ``tune=test``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import product
from typing import Any

from benchmark.fusion.methods import FuseMethod, FusionParams, fuse
from benchmark.fusion.settings import TUNE_SPLIT, FusionSettings
from benchmark.ranking.evaluation import PRIMARY_METRIC, evaluate
from benchmark.ranking.runs import Run

RRF_K_GRID = (1, 2, 5, 10, 20, 30, 40, 60, 80, 100, 150, 200)
WEIGHT_STEPS = 10  # weights in multiples of 1/10


@dataclass(frozen=True, slots=True)
class Tuned:
    params: FusionParams
    record: dict[str, Any]  # what the result file records under fusion.tuning


def candidates(settings: FusionSettings) -> list[FusionParams]:
    """The grid for the settings' method, in the order ties are resolved (first best wins)."""
    base = settings.params()
    if settings.method is FuseMethod.RRF:
        return [replace(base, rrf_k=k) for k in RRF_K_GRID]
    if settings.method is FuseMethod.WSUM:
        n = len(settings.parts)
        grid = [w for w in product(range(WEIGHT_STEPS + 1), repeat=n) if sum(w) == WEIGHT_STEPS]
        return [replace(base, weights=tuple(round(x / WEIGHT_STEPS, 10) for x in w)) for w in grid]
    raise ValueError(f"{settings.method.value} has nothing to tune")


def fused_run(parts: Sequence[Mapping[str, Sequence[tuple[str, float]]]], params: FusionParams, k: int) -> Run:
    """Fuse, then break ties like every run (float32 scores, then doc id) and keep k."""
    return Run.from_hits(fuse(parts, params), k=k)


def tune(settings: FusionSettings, dev_parts: Sequence[Run], qrels: Mapping[str, Mapping[str, int]],
         relevant_level: int, queries: Sequence[str], k: int) -> Tuned:
    """The best candidate on the dev runs of the parts, by nDCG@10."""
    grid = candidates(settings)
    best: tuple[float, FusionParams] | None = None
    for params in grid:
        run = fused_run(dev_parts, params, k)
        score = evaluate(qrels, run, relevant_level, [PRIMARY_METRIC], queries=queries).metrics[PRIMARY_METRIC.name]
        if best is None or score > best[0]:
            best = (score, params)
    assert best is not None
    score, chosen = best
    tunable = settings.method.tunable
    evaluated, _ = _evaluated(qrels, relevant_level, queries)
    record = {
        "split": TUNE_SPLIT,
        "metric": PRIMARY_METRIC.name,
        "parameter": tunable,
        "candidates": len(grid),
        "queries": evaluated,
        "chosen": {tunable: chosen.as_dict()[tunable]} if tunable else {},
        "score": round(score, 4),
    }
    return Tuned(chosen, record)


def _evaluated(qrels: Mapping[str, Mapping[str, int]], relevant_level: int, queries: Sequence[str]) -> tuple[int, int]:
    from benchmark.ranking.evaluation import evaluable_queries

    evaluated, excluded = evaluable_queries(qrels, relevant_level, queries)
    return len(evaluated), len(excluded)

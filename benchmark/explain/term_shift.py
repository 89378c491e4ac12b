"""What fine-tuning changed in a SPLADE model's queries: two models' query vectors over one split's queries.

The models are the ones the result files recorded (rebuilt from the recorded settings; the weights' sha256 must
still match), and only the split's queries are encoded, never the catalog.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from benchmark.explain.diff import DiffError, TermShift
from benchmark.ranking.results import ResultRecord
from retrievers.registry import build, resolve_config
from retrievers.splade import SpladeEncoder

SHOWN = 15  # terms listed per direction


def splade_encoder(record: ResultRecord, cache_dir: Path | None) -> SpladeEncoder | None:
    """The single SPLADE encoder a result used (None when the result is not one SPLADE model)."""
    config = record.retriever.config
    encoders = config.get("encoders") or []
    if config.get("kind") == "fusion" or len(encoders) != 1 or encoders[0].get("kind") != "splade":
        return None
    name = record.retriever.name
    settings = {k: v for k, v in (config.get("config") or {}).items() if k != "kind"}
    if "@" in name:  # a registered model: found by its name (its folder may have moved); the hash is checked below
        settings.pop("model", None)
    retriever = build(name, resolve_config(name, settings, cache_dir=cache_dir))
    encoder = retriever.encoders[0]
    recorded = (encoders[0].get("model") or {}).get("weights_sha256") or ""
    if recorded and encoder.identity.model and encoder.identity.model.weights_sha256 != recorded:
        raise DiffError(f"{record.retriever.name}: the model's weights changed since this result was made "
                        f"(sha256 {recorded[:8]} recorded, {encoder.identity.model.weights_sha256[:8]} now)")
    assert isinstance(encoder, SpladeEncoder)
    return encoder


def term_shift(a: SpladeEncoder, b: SpladeEncoder, queries: Sequence[str], nnz_doc: tuple[float | None, float | None],
               shown: int = SHOWN) -> TermShift:
    vectors = (a.encode_queries(list(queries)), b.encode_queries(list(queries)))
    vocabularies = (a.vocabulary(), b.vocabulary())
    sums: tuple[dict[str, float], dict[str, float]] = (defaultdict(float), defaultdict(float))
    expansion = [0.0, 0.0]
    mass = [0.0, 0.0]
    for side in (0, 1):
        vocabulary = vocabularies[side]
        for text, vector in zip(queries, vectors[side], strict=True):
            own = vocabulary.own_terms(text)
            for index, weight in zip(vector.indices.tolist(), vector.values.tolist(), strict=True):
                sums[side][vocabulary.term(index)] += weight
                mass[side] += weight
                if index not in own:
                    expansion[side] += weight
    n = max(1, len(queries))
    change = {t: (sums[1].get(t, 0.0) - sums[0].get(t, 0.0)) / n for t in set(sums[0]) | set(sums[1])}
    ordered = sorted(change.items(), key=lambda item: (-item[1], item[0]))
    grew = tuple((t, v) for t, v in ordered[:shown] if v > 0)
    shrank = tuple((t, v) for t, v in reversed(ordered[-shown:]) if v < 0)
    share = tuple(expansion[s] / mass[s] if mass[s] else 0.0 for s in (0, 1))
    nnz = tuple(sum(len(v.indices) for v in vectors[s]) / n for s in (0, 1))
    return TermShift(grew, shrank, (share[0], share[1]), (nnz[0], nnz[1]), nnz_doc)

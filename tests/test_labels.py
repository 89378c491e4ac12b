"""System labels: every fusion weight named by its part, duplicate part names told apart, models by name
(never a path); plots that stay legible with long labels (letters in the figure, the key in the markdown)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from test_leaderboard import FAST, make_record, table_rows, write_record

from benchmark.fusion.record import fusion_summary
from benchmark.ranking.results import ResultRecord
from leaderboard import plots as plotting
from leaderboard.build import build_leaderboard
from leaderboard.identity import labels_for, system_id

TEXT = {"format": "title-brand-bullets", "description_chars": 200, "max_bullets": 3, "separator": " | "}
SHA = "e7abe5717ad996d40e6a8b0170467389b5f9d9b22a4293912a41fa65cc26801d"
PART_CONFIGS: dict[str, dict[str, Any]] = {
    "bm25": {"kind": "bm25", "k1": 0.9, "b": 0.4},
    "splade-ft": {"kind": "splade", "model": "/somewhere/models/hd-cpu", "max_length": 256},
    "dense": {"kind": "dense", "model": None, "max_length": 256},
}
PART_MODELS: dict[str, dict[str, str]] = {
    "splade-ft": {"name": "/somewhere/models/hd-cpu", "revision": "", "weights_sha256": SHA},
    "dense": {"name": "bundled:all-MiniLM-L6-v2", "revision": "", "weights_sha256": "5076c604" + "0" * 56},
}


def part(name: str, config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One part as a fused result records it (what `bench run -r PART` records as its config)."""
    base = name.partition("@")[0]
    model = PART_MODELS.get(base)
    encoder = {"kind": PART_CONFIGS[base]["kind"], "config": {}, **({"model": model} if model else {})}
    description = {"name": name, "config": dict(config or PART_CONFIGS[base]), "encoders": [encoder], "fusion": None,
                   "text": TEXT}
    return {"name": name, "retriever": description, "index_fingerprint": "0" * 64, "encoders": ["1" * 64]}


def fused_config(parts: Sequence[dict[str, Any]], method: str = "rrf", weights: Sequence[float] | None = None,
                 tuning: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``RetrieverInfo.config`` of a fused result, shaped as `bench run` writes it."""
    names = [p["name"] for p in parts]
    used: dict[str, Any] = {"method": method}
    if method == "rrf":
        used["rrf_k"] = 60
    else:
        used["norm"] = "min-max"
    if method == "wsum":
        used["weights"] = list(weights or [1 / len(parts)] * len(parts))
    settings = {"parts": names, "method": method, "rrf_k": 60, "norm": None,
                "weights": None if tuning else (list(weights) if weights else None), "depth": 100, "where": "client",
                "tune": "dev" if tuning else None}
    return {"name": "hybrid:" + "+".join(names), "kind": "fusion", "config": settings,
            "fusion": {**used, "where": "client", "depth": 100, "tuning": dict(tuning) if tuning else None},
            "parts": list(parts), "encoders": [e for p in parts for e in p["retriever"]["encoders"]], "text": TEXT}


def fused_record(parts: Sequence[dict[str, Any]], *, shift: float = 0.0, **fusion: Any) -> ResultRecord:
    config = fused_config(parts, **fusion)
    return make_record(config["name"], shift=shift, config=config)


def labels(*records: ResultRecord) -> list[str]:
    found = labels_for(records)
    return [found[system_id(r)] for r in records]


def test_every_weight_is_named_by_its_part():
    three = [part("bm25"), part("splade-ft"), part("dense")]
    wsum = fused_record(three, method="wsum", weights=[0.4, 0.4, 0.2])
    rrf = fused_record(three, shift=0.1)
    assert labels(wsum, rrf) == [
        "hybrid:bm25+splade-ft+dense (method=wsum, bm25=0.4, splade-ft=0.4, dense=0.2, norm=min-max)",
        "hybrid:bm25+splade-ft+dense (method=rrf, rrf_k=60)"]
    two = [part("bm25"), part("dense")]
    halves = fused_record(two, method="wsum", weights=[0.5, 0.5])
    assert labels(halves, fused_record(two, shift=0.1))[0] == (
        "hybrid:bm25+dense (method=wsum, bm25=0.5, dense=0.5, norm=min-max)")
    assert "bm25=0.5, dense=0.5" in fusion_summary(halves)


def test_weightings_of_one_method_differ_by_their_weights_only():
    two = [part("bm25"), part("dense")]
    a = fused_record(two, method="wsum", weights=[0.7, 0.3])
    b = fused_record(two, method="wsum", weights=[0.3, 0.7])
    tuned = fused_record(two, method="wsum", weights=[0.5, 0.5], tuning={"split": "dev", "parameter": "weights"})
    assert labels(a, b, tuned) == ["hybrid:bm25+dense (bm25=0.7, dense=0.3)", "hybrid:bm25+dense (bm25=0.3, dense=0.7)",
                                   "hybrid:bm25+dense (tune=dev, bm25=0.5, dense=0.5)"]


def test_parts_with_the_same_name_are_told_apart_by_position():
    twice = [part("bm25"), part("bm25", {"kind": "bm25", "k1": 1.2, "b": 0.75})]
    a = fused_record(twice, method="wsum", weights=[0.6, 0.4])
    b = fused_record(twice, method="wsum", weights=[0.4, 0.6])
    assert labels(a, b) == ["hybrid:bm25+bm25 (bm25#1=0.6, bm25#2=0.4)", "hybrid:bm25+bm25 (bm25#1=0.4, bm25#2=0.6)"]


def test_settings_of_a_part_are_named_by_the_part():
    a = fused_record([part("bm25"), part("dense")])
    b = fused_record([part("bm25", {"kind": "bm25", "k1": 1.2, "b": 0.4}), part("dense")])
    assert labels(a, b) == ["hybrid:bm25+dense (bm25.k1=0.9)", "hybrid:bm25+dense (bm25.k1=1.2)"]


def test_equal_values_of_different_settings_are_all_shown():
    a = make_record("bm25", config={"k1": 0.5, "b": 0.5})
    b = make_record("bm25", config={"k1": 0.9, "b": 0.4})
    assert labels(a, b) == ["bm25 (b=0.5, k1=0.5)", "bm25 (b=0.4, k1=0.9)"]


def test_model_folders_are_named_without_their_path():
    def splade_ft(folder: str, sha: str) -> ResultRecord:
        model = {"name": folder, "revision": "", "weights_sha256": sha}
        config = {"name": "splade-ft", "config": {"kind": "splade", "model": folder},
                  "encoders": [{"kind": "splade", "config": {}, "model": model}]}
        record = make_record("splade-ft", config=config, model_id=folder)
        return record.model_copy(update={"retriever": record.retriever.model_copy(update={"weights_sha256": sha})})

    one, two = splade_ft("/home/me/models/hd-cpu", SHA), splade_ft("/home/me/models/hd-cpu-2", "ab" * 32)
    assert labels(one, two) == ["splade-ft (model=hd-cpu)", "splade-ft (model=hd-cpu-2)"]
    moved = splade_ft("/elsewhere/hd-cpu", SHA)  # the same weights kept in another folder: the same system
    assert system_id(moved) == system_id(one)
    retrained = splade_ft("/home/me/models/hd-cpu", "cd" * 32)
    assert labels(one, retrained) == ["splade-ft (sha256=e7abe571)", "splade-ft (sha256=cdcdcdcd)"]


# --- plots: long names stay out of the figures ------------------------------------------------------------

LONG = [
    "hybrid:bm25+splade-ft@hd-b128-distill+dense (method=wsum, bm25=0.4, splade-ft@hd-b128-distill=0.4, dense=0.2)",
    "hybrid:bm25+splade-ft@hd-b128-distill+dense (method=rrf, rrf_k=60)",
    "hybrid:bm25+dense (method=wsum, bm25=0.5, dense=0.5, norm=min-max)",
    "hybrid:bm25+dense (method=dbsf)",
    "splade-ft@hd-b128-distill",
    "bm25",
]


def _inside(figure) -> None:  # type: ignore[no-untyped-def]
    """Everything drawn (title, tick labels, letters) lies within the figure."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    box, frame = figure.get_tightbbox(renderer), figure.bbox_inches
    assert box.x0 >= frame.x0 - 0.01 and box.y0 >= frame.y0 - 0.01
    assert box.x1 <= frame.x1 + 0.01 and box.y1 <= frame.y1 + 0.01
    title = figure.axes[0].title.get_window_extent(renderer)
    assert figure.bbox.x0 <= title.x0 and title.x1 <= figure.bbox.x1 and title.y1 <= figure.bbox.y1
    assert not figure.legends and all(a.get_legend() is None for a in figure.axes)


def test_plots_mark_systems_by_letter_and_fit_in_the_figure():
    pytest.importorskip("matplotlib")
    points = [plotting.Point(label, chr(ord("a") + i), 0.2 * 3 ** i, 0.4 + 0.05 * i) for i, label in enumerate(LONG)]
    scatter = plotting.draw_quality_vs_latency(points, "NDCG@10", "homedepot / test (variant A)", LONG)
    _inside(scatter)
    marks = [t.get_text() for t in scatter.axes[0].texts]
    assert marks == list("abcdef")
    keys = plotting.system_keys(sorted(LONG))
    values = {(s, label): 0.3 + 0.1 * i for i, label in enumerate(LONG) for s in ("esci / test", "homedepot / test")}
    bars = plotting.draw_bars_by_dataset(["esci / test", "homedepot / test"], keys, values, "NDCG@10")
    _inside(bars)
    assert {t.get_text() for t in bars.axes[0].texts} >= set("ABCDEF")
    texts = [t.get_text() for a in (scatter.axes[0], bars.axes[0]) for t in a.texts]
    assert not any(label in text for label in LONG for text in texts)


def test_the_markdown_gives_each_plots_key(tmp_path):
    pytest.importorskip("matplotlib")
    results = tmp_path / "r"
    write_record(results, make_record("bm25", latency=0.1))
    three = [part("bm25"), part("splade-ft@hd-cpu"), part("dense")]
    write_record(results, fused_record(three, shift=0.1, method="wsum", weights=[0.4, 0.4, 0.2]), "w")
    write_record(results, fused_record(three, shift=0.05), "r")
    build_leaderboard(results, tmp_path / "LEADERBOARD.md", FAST)
    text = (tmp_path / "LEADERBOARD.md").read_text()
    rows = {row.split(" | ")[1]: row.split(" | ")[0].strip("| ") for row in table_rows(text, "toy / test")}
    wsum = ("hybrid:bm25+splade-ft@hd-cpu+dense (method=wsum, bm25=0.4, splade-ft@hd-cpu=0.4, dense=0.2, "
            "norm=min-max)")
    assert rows[wsum]
    matrix_key = text.split("(leaderboard_plots/ndcg-10-by-dataset.png)\n\nKey: ", 1)[1].split("\n", 1)[0]
    assert matrix_key == ("A = bm25; B = hybrid:bm25+splade-ft@hd-cpu+dense (method=rrf, rrf\\_k=60); "
                          f"C = {wsum}.")
    table_key = text.split("ndcg-10-vs-latency.png)\n\nKey: ", 1)[1].split("\n", 1)[0]
    assert f"{rows[wsum]} = {wsum}" in table_key and table_key.count(" = ") == 3

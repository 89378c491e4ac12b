"""`bench leaderboard`: grouping, letters, bad files, escaping, provenance, plots, byte-identical output."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES

from benchmark.ranking.results import ResultRecord, load_result
from leaderboard import plots as plotting
from leaderboard.build import build_leaderboard
from leaderboard.collect import scan
from leaderboard.errors import LeaderboardError
from leaderboard.options import StatOptions
from leaderboard.provenance import row_command

START = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
HISTORIC = FIXTURES / "results" / "v1"
FAST = StatOptions(permutations=500, bootstrap=200)
CHECKSUM = "ab" * 32


def latency_info(p50: float) -> dict:
    """A schema-2 latency sample whose end-to-end p50 is ``p50`` ms."""
    stage = {"p50": p50, "p95": 1.5 * p50, "p99": 2 * p50, "mean": 1.1 * p50}
    return {"queries": 50, "warmup": 10, "seed": 0, "k": 100, "end_to_end": stage,
            "stages": {"encode": {k: v / 2 for k, v in stage.items()}, "search": {k: v / 2 for k, v in stage.items()}},
            "wall_s": 0.1}


def make_record(name: str = "bm25", *, shift: float = 0.0, seed: int = 0, queries: int = 60, dataset: str = "toy",
                split: str = "test", checksum: str = CHECKSUM, config: dict | None = None,
                started: datetime = START, relevant_level: int = 1, extra_metric: bool = False,
                model_id: str | None = None, latency: float | None = 1.0) -> ResultRecord:
    """A synthetic record: per-query scores ``base + shift`` (base shared by all systems of one dataset)."""
    base = np.random.default_rng(hash(dataset) % 2**32).uniform(0.1, 0.8, queries)
    noise = np.random.default_rng(seed).normal(0, 0.02, queries)
    ndcg = np.clip(base + shift + noise, 0, 1)
    per_query = {"NDCG@10": ndcg, "MRR@10": np.clip(ndcg + 0.1, 0, 1), "Recall@100": np.clip(ndcg + 0.2, 0, 1)}
    if extra_metric:
        per_query["P@10"] = ndcg / 2
    qids = [f"q{i:03d}" for i in range(queries)]
    return ResultRecord.model_validate({
        "dataset": {"name": dataset, "split": split, "checksum": checksum,
                    "counts": {"products": 10, "queries": queries, "judgements": queries,
                               "queries_per_split": {split: queries}, "judgements_per_split": {split: queries},
                               "judgements_per_gain": {"1": queries}},
                    "gains": {"labels": {"irrelevant": 0, "relevant": 1}, "relevant_level": relevant_level}},
        "retriever": {"name": name, "config": config or {"kind": name}, "model_id": model_id},
        "metrics": {m: float(v.mean()) for m, v in per_query.items()},
        "per_query": {m: dict(zip(qids, map(float, v))) for m, v in per_query.items()},
        "efficiency": {"latency": None if latency is None else latency_info(latency),
                       "throughput_qps": None if latency is None else 1000.0 / latency,
                       "encode_docs_per_s": 1000.0 + 100 * shift, "index_bytes": 2**20, "nnz_doc": 12.5,
                       "hardware": {"cpu": "Test CPU", "cores": 4, "threads": 4, "device": "cpu"}},
        "environment": {"python": "3.11.7", "packages": {"shopbench": "0.1.0", "numpy": "2.0.0"},
                        "platform": "Linux-x86_64", "cpu": "Test CPU", "cpu_count": 4, "gpu": None},
        "command": ["/venv/bin/bench", "run", "-r", "bm25", "-r", name, "-d", dataset, "--output-dir", "out"],
        "started_at": started.isoformat(), "finished_at": (started + timedelta(seconds=5)).isoformat(),
    })


def write_record(folder: Path, record: ResultRecord, stem: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stem = stem or f"{record.dataset.name}__{record.dataset.split}__{record.retriever.name}__" \
                   f"{record.started_at.strftime('%Y%m%dT%H%M%SZ')}"
    path = folder / f"{stem}.json"
    path.write_text(record.model_dump_json(indent=2))
    return path


def standard_results(folder: Path) -> Path:
    for name, shift, seed in (("bm25", 0.0, 1), ("splade", 0.1, 2), ("dense", 0.12, 3)):
        write_record(folder, make_record(name, shift=shift, seed=seed))
    for name, shift, seed in (("bm25", 0.0, 4), ("splade", 0.05, 5)):
        write_record(folder, make_record(name, shift=shift, seed=seed, dataset="other"))
    return folder


def build(results: Path, out: Path, **kwargs) -> str:
    build_leaderboard(results, out, kwargs.pop("options", FAST), **kwargs)
    return out.read_text()


def table_block(text: str, heading: str) -> list[str]:
    """The lines of the first table under ``## heading``."""
    section = text.split(f"## {heading}\n", 1)[1]
    return next(b.strip() for b in section.split("\n\n") if b.strip().startswith("|")).splitlines()


def table_rows(text: str, heading: str) -> list[str]:
    return table_block(text, heading)[2:]


def outside_code(text: str) -> str:
    return "".join(part for i, part in enumerate(text.split("```")) if i % 2 == 0)


def test_regenerating_gives_byte_identical_markdown_and_plots(tmp_path):
    pytest.importorskip("matplotlib")
    results = standard_results(tmp_path / "results")
    out = tmp_path / "site" / "LEADERBOARD.md"
    first = out.parent / "first"
    build(results, out)
    shutil.copytree(out.parent, first)
    build(results, out)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert Path("LEADERBOARD.md") in files and len([f for f in files if f.suffix == ".png"]) == 3
    for name in files:
        assert (first / name).read_bytes() == (out.parent / name).read_bytes(), name
    assert not list(out.parent.glob(".*.tmp"))


def test_table_sorted_with_letters_relative_change_and_bold(tmp_path):
    pytest.importorskip("matplotlib")
    text = build(standard_results(tmp_path / "r"), tmp_path / "LEADERBOARD.md")
    rows = table_rows(text, "toy / test")
    assert [r.split(" | ")[1] for r in rows] == ["dense", "splade", "bm25"]
    dense, splade, bm25 = (r.split(" | ") for r in rows)
    # dense beats splade (b) and bm25 (c) on every query by a margin; splade beats bm25
    assert dense[3] == f"**{dense[3][2:8]}**<sup>bc</sup>" and splade[3].endswith("<sup>c</sup>")
    assert "<sup>" not in bm25[3]
    assert bm25[6] == "baseline" and dense[6].startswith("+")
    assert "![NDCG@10 vs end-to-end latency, toy / test](leaderboard_plots/toy-test-ndcg-10-vs-latency.png)" in text


def test_cross_dataset_matrix_marks_missing_results(tmp_path):
    text = build(standard_results(tmp_path / "r"), tmp_path / "LEADERBOARD.md")
    matrix = table_rows(text, "NDCG@10 across datasets")
    other = next(r for r in matrix if r.startswith("| other / test"))
    assert other.split(" | ")[2] == "—"  # columns: bm25, dense, splade; no dense on 'other'
    assert "no result for this system" in text


def test_results_that_differ_are_never_merged(tmp_path):
    results = tmp_path / "r"
    write_record(results, make_record("bm25"))
    write_record(results, make_record("splade", shift=0.1, checksum="cd" * 32))
    write_record(results, make_record("dense", shift=0.1, relevant_level=2))
    write_record(results, make_record("hybrid", shift=0.1, extra_metric=True))
    text = build(results, tmp_path / "LEADERBOARD.md")
    assert [g.variant for g in scan(results).groups] == ["A", "B", "C", "D"]
    assert text.count("## toy / test (variant") == 4
    assert "dataset checksum" in text and "gain map" in text and "metric set +P@10" in text
    for heading in ("toy / test (variant A)", "toy / test (variant B)"):
        assert len(table_rows(text, heading)) == 1


def test_bad_files_are_reported_by_path_and_skipped(tmp_path):
    results = standard_results(tmp_path / "r")
    good = json.loads(next(results.glob("*.json")).read_text())
    (results / "corrupt.json").write_text("{not json")
    (results / "truncated.json").write_text(json.dumps(good)[:500])
    (results / "future.json").write_text(json.dumps({**good, "schema_version": 99}))
    nan = json.loads(json.dumps(good))
    nan["per_query"]["NDCG@10"]["q000"] = "NaN"
    (results / "nan.json").write_text(json.dumps(nan))
    report = build_leaderboard(results, tmp_path / "LEADERBOARD.md", FAST, draw_plots=False)
    assert sorted(b.path.name for b in report.bad_files) == ["corrupt.json", "future.json", "nan.json",
                                                             "truncated.json"]
    assert report.results == 5
    text = (tmp_path / "LEADERBOARD.md").read_text()
    section = text.split("## Files not used", 1)[1]
    assert "`future.json`: schema\\_version 99 is newer" in section and "`corrupt.json`: not valid JSON" in section
    assert "non-finite" in section


def test_nothing_usable_is_a_clear_error(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "x.json").write_text("[]")
    with pytest.raises(LeaderboardError, match="no usable result files.*x.json"):
        build_leaderboard(tmp_path / "r", tmp_path / "L.md", FAST)
    assert not (tmp_path / "L.md").exists()


def test_newest_result_wins_and_older_ones_are_listed(tmp_path):
    results = tmp_path / "r"
    old = write_record(results, make_record("bm25", shift=-0.2, started=START - timedelta(days=3)))
    write_record(results, make_record("bm25"))
    write_record(results, make_record("splade", shift=0.1))
    text = build(results, tmp_path / "LEADERBOARD.md", draw_plots=False)
    assert len(table_rows(text, "toy / test")) == 2
    assert f"- `{old.name}` (started 2025-02-26 12:00:00Z)" in text.split("Superseded", 1)[1]


def test_different_settings_are_different_systems_with_readable_labels(tmp_path):
    results = tmp_path / "r"
    write_record(results, make_record("bm25", config={"k1": 0.9, "b": 0.4}), "a")
    write_record(results, make_record("bm25", shift=0.05, config={"k1": 1.2, "b": 0.4}), "b")
    write_record(results, make_record("splade", model_id="naver/one"), "c")
    write_record(results, make_record("splade", model_id="me/tuned", shift=0.1), "d")
    text = build(results, tmp_path / "LEADERBOARD.md", draw_plots=False)
    labels = [row.split(" | ")[1] for row in table_rows(text, "toy / test")]
    assert sorted(labels) == ["bm25 (k1=0.9)", "bm25 (k1=1.2)", "splade (model=me/tuned)",
                              "splade (model=naver/one)"]


def test_hostile_names_cannot_break_the_markdown(tmp_path):
    results = tmp_path / "r"
    evil = "x|y <script>alert(1)</script> *b* [l](u) `c`\n# h"
    write_record(results, make_record("bm25"))
    write_record(results, make_record(evil, shift=0.1), "evil")
    text = build(results, tmp_path / "LEADERBOARD.md")
    prose = outside_code(text)  # in the fenced reproduction commands the name is literal (and shell-quoted)
    assert "<script>" not in prose and "&lt;script&gt;" in prose and "\n# h" not in text
    block = table_block(text, "toy / test")
    for row in block[2:]:  # unescaped pipes only between cells
        assert row.replace("\\|", "").count(" | ") == block[0].count(" | ")
    assert "bench run -r $'x|y <script>alert(1)</script> *b* [l](u) `c`\\x0a# h' -d toy" in text


def test_row_command_is_narrowed_to_the_row():
    record = make_record("splade")
    assert row_command(record) == ["bench", "run", "-r", "splade", "-d", "toy", "--output-dir", "out"]
    odd = record.model_copy(update={"command": ["bench", "run", "--retriever=dense", "-d", "beir:/x"]})
    assert row_command(odd) == ["bench", "run", "--retriever=dense", "-d", "beir:/x"]  # nothing to narrow to


def test_without_matplotlib_the_markdown_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(plotting, "available", lambda: False)
    text = build(standard_results(tmp_path / "r"), tmp_path / "LEADERBOARD.md")
    assert "Plots: not drawn (matplotlib is not installed" in text and "![" not in text


def test_failed_build_leaves_the_previous_file(tmp_path, monkeypatch):
    results = standard_results(tmp_path / "r")
    out = tmp_path / "LEADERBOARD.md"
    before = build(results, out, draw_plots=False)

    def boom(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr("leaderboard.build.document", boom)
    with pytest.raises(RuntimeError):
        build_leaderboard(results, out, FAST, draw_plots=False)
    assert out.read_text() == before


def test_historic_v1_files_keep_loading_and_build(tmp_path):
    files = sorted(HISTORIC.glob("*.json"))
    assert len(files) == 4 and all(json.loads(p.read_text())["schema_version"] == 1 for p in files)
    assert {load_result(p).retriever.name for p in files} == {"bm25", "splade", "dense", "hybrid"}
    text = build(HISTORIC, tmp_path / "LEADERBOARD.md", draw_plots=False)
    assert len(table_rows(text, "demo / test")) == 4 and "Files not used" not in text
    assert "bench run -r bm25 -d demo" in text

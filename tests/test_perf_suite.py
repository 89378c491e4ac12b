"""The performance suite runs end to end (quick sizes) and writes its report: figures are not checked
here (timing targets live in the suite, never in tests), only that every section measured something."""

from __future__ import annotations

import json

import pytest

from perf.__main__ import main
from perf.report import Report, Section, Target


def test_quick_suite_writes_json_and_markdown_for_every_section(tmp_path):
    sections = "encoding,bm25,store,latency,rerun,significance,training"
    assert main(["--quick", "--only", sections, "--out", str(tmp_path / "reports"),
                 "--work-dir", str(tmp_path)]) == 0
    (json_path,) = (tmp_path / "reports").glob("performance-*.json")
    (md_path,) = (tmp_path / "reports").glob("performance-*.md")
    report = json.loads(json_path.read_text())
    assert [s["name"] for s in report["sections"]] == sections.split(",")
    for section in report["sections"]:
        assert section["rows"], f"{section['name']} measured nothing: {section['notes']}"
        assert not any(note.startswith("failed") for note in section["notes"])
    encoding = report["sections"][0]["rows"]
    assert all(row["identical non-zeros"] == f"{row['n']}/{row['n']}" for row in encoding)
    latency = {t["name"]: t for t in report["sections"][3]["targets"]}
    assert any(name.startswith("harness overhead") for name in latency)
    assert "SPLADE one-query vectors identical to plain (share)" not in latency  # added only when some differ
    training = report["sections"][6]
    assert [row["head"] for row in training["rows"]] == ["sentence-transformers head", "pooled head"]
    assert training["targets"][1]["met"]  # the same losses (to float tolerance) with either head
    assert {"cpu", "cpu_count", "memory_gib", "python"} <= set(report["machine"])
    markdown = md_path.read_text()
    assert "## Targets" in markdown and "SPLADE encoding" in markdown and report["machine"]["cpu"] in markdown
    assert not any(p.name.startswith("shopbench-perf-") for p in tmp_path.iterdir())  # scratch space removed


def test_unknown_section_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--only", "encoding,warp-drive", "--out", str(tmp_path)])
    assert "warp-drive" in capsys.readouterr().err


def test_targets_and_markdown_rendering():
    slower = Target("latency", 3.0, 2.0, "ms")
    faster = Target("throughput ratio", 2.4, 2.0, "x", higher_is_better=True)
    assert not slower.met and faster.met
    report = Report([Section("s", "Section", [{"a": 1, "b|c": "x|y"}], [slower, faster], ["a note"], 1.0)],
                    {"cpu": "CPU", "cpu_count": 2, "memory_gib": 8, "platform": "p", "python": "3.11",
                     "packages": {}, "torch_threads": 2}, "2026-01-01T00:00:00Z", ["x"])
    text = report.to_markdown()
    assert "| Section | latency | 3 ms (target <= 2 ms) | **no** |" in text
    assert "2.4 x (target >= 2 x) | yes" in text and "x\\|y" in text and "- a note" in text
    assert json.loads(report.to_json())["sections"][0]["targets"][0]["met"] is False


def test_scale_section_runs_one_retriever_and_reports_memory(tmp_path, capsys):
    from perf import scale

    scale.main([str(tmp_path), "--quick", "--retrievers", "bm25", "--json", str(tmp_path / "scale.json")])
    section = json.loads((tmp_path / "scale.json").read_text())
    assert [(r["retriever"], r["products"]) for r in section["rows"]] == [("bm25", 600), ("bm25", 3000)]
    assert all(r["peak RSS MiB"] > 0 and r["nDCG@10"] is not None for r in section["rows"])
    assert all(r["RSS at first chunk MiB"] > 0 for r in section["rows"])
    assert any(note.startswith("bm25: peak RSS") and "before the store holds anything" in note
               for note in section["notes"])
    with pytest.raises(SystemExit):
        scale.main([str(tmp_path), "--retrievers", "bm25,colbert"])
    assert "--retrievers: choose from bm25, splade" in capsys.readouterr().err

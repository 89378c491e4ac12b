"""`bench run` on a BEIR-format collection: title + text by default, and a format that drops fields says so.

The collection (written here) puts the words the queries need in BEIR's ``text`` field only, as in ArguAna:
the product formats, which leave ``text`` out, cannot find anything.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.fusion.systems import run_any
from benchmark.pipeline.harness import RunRequest
from benchmark.ranking.results import load_result
from leaderboard.identity import system_id

DOCS = {
    "a1": ("Argument one", "Nuclear power plants are a safe and clean energy source.", {"brand": "Debate Club"}),
    "a2": ("Argument two", "School uniforms restrict the expression of pupils.", {}),
    "a3": ("Argument three", "Space exploration funding benefits basic science.", {}),
    "a4": ("Argument four", "Animal testing of cosmetics should be banned.", {}),
    "a5": ("Argument five", "Public transport should be free for everyone.", {}),
}
QUERIES = {"t1": "nuclear energy safe", "t2": "school uniforms expression", "t3": "space exploration science"}
QRELS = [("t1", "a1", 1), ("t2", "a2", 1), ("t3", "a3", 1), ("t3", "not-in-corpus", 1)]
WARNING = "warning:"


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def arguments(tmp_path) -> str:
    root = tmp_path / "arguments"
    (root / "qrels").mkdir(parents=True)
    (root / "corpus.jsonl").write_text("".join(
        json.dumps({"_id": d, "title": t, "text": x, "metadata": m}) + "\n" for d, (t, x, m) in DOCS.items()))
    (root / "queries.jsonl").write_text("".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t in QUERIES.items()))
    (root / "qrels" / "test.tsv").write_text("".join(f"{q}\t{d}\t{g}\n" for q, d, g in QRELS))
    return f"beir:{root}"


def run(tmp_path: Path, dataset: str, retriever: str = "bm25", overrides: tuple[str, ...] = ()):
    request = RunRequest(retriever=retriever, dataset=dataset, output_dir=tmp_path / "results", overrides=overrides,
                         command=("test",))
    return run_any(request)


def test_a_beir_collection_is_indexed_as_title_plus_text_by_default(tmp_path, arguments, capsys):
    outcome = run(tmp_path, arguments)
    record = outcome.record
    assert record.text_builder["format"] == "full"
    assert record.retriever.config["config"]["text_format"] == "full" and record.retriever.config["text"]["format"] == "full"
    assert record.dropped_fields == [] and WARNING not in capsys.readouterr().err
    assert record.metrics["NDCG@10"] > 0.7  # t3's absent judgement counts in its ideal ranking: not 1
    assert record.metrics["Recall@100"] == pytest.approx((1 + 1 + 0.5) / 3)
    named = run(tmp_path, arguments, overrides=("text_format=full",)).record
    assert named.reused_index and named.metrics == record.metrics  # the same index, the same system
    assert system_id(named) == system_id(record)


def test_a_format_that_drops_text_warns_once_and_the_result_file_records_it(tmp_path, arguments, capsys):
    outcome = run(tmp_path, arguments, overrides=("text_format=title",))
    err = capsys.readouterr().err
    assert err.count(WARNING) == 1 and "description" in err and "text_format=full" in err
    saved = json.loads(outcome.path.read_text())
    assert saved["dropped_fields"] == [
        {"field": "brand", "products": 1, "detail": "not in this format", "part": None},
        {"field": "description", "products": 5, "detail": "not in this format", "part": None},
    ]
    assert load_result(outcome.path).dropped_fields == outcome.record.dropped_fields
    assert outcome.record.metrics["NDCG@10"] < 0.2  # titles alone do not match the queries


def test_product_datasets_keep_their_default_and_record_it_as_before(tmp_path, capsys):
    default = run(tmp_path, "demo").record
    err = capsys.readouterr().err
    assert default.text_builder["format"] == "title-brand-bullets"
    assert default.retriever.config["config"]["text_format"] == "title-brand-bullets"
    # descriptions, 4th bullets, the demo's categories (indexed by full and title-brand-category-bullets)
    assert [d.field for d in default.dropped_fields] == ["description", "bullets", "category"]
    assert err.count(WARNING) == 1
    named = run(tmp_path, "demo", overrides=("text_format=title-brand-bullets",)).record
    assert named.reused_index and system_id(named) == system_id(default)  # the leaderboard sees one system


def test_a_fused_run_resolves_and_checks_every_part(tmp_path, arguments, capsys):
    record = run(tmp_path, arguments, "hybrid:bm25+bm25-rank", ("bm25.text_format=title",)).record
    assert record.text_builder["parts"]["bm25"]["format"] == "title"
    assert record.text_builder["parts"]["bm25-rank"]["format"] == "full"
    parts = {p["name"]: p["retriever"]["config"]["text_format"] for p in record.retriever.config["parts"]}
    assert parts == {"bm25": "title", "bm25-rank": "full"}
    assert {(d.part, d.field) for d in record.dropped_fields} == {("bm25", "brand"), ("bm25", "description")}
    assert capsys.readouterr().err.count(WARNING) == 1


def test_the_cli_uses_title_plus_text_on_a_beir_folder(tmp_path, arguments):
    from typer.testing import CliRunner

    from benchmark.app.cli import app

    out = tmp_path / "cli-results"
    result = CliRunner().invoke(app, ["run", "-r", "bm25", "-d", arguments, "--output-dir", str(out)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.json")
    saved = json.loads(path.read_text())
    assert saved["text_builder"]["format"] == "full" and saved["dropped_fields"] == []
    assert WARNING not in result.output

from __future__ import annotations

import random

import pytest

from benchmark.core.errors import DataFormatError, MissingDataError, ShopbenchError
from benchmark.ranking.runs import OutputExistsError, Run, RunError, atomic_write, drop_self, read_trec, write_trec


def test_ties_are_broken_by_doc_id_descending_whatever_the_input_order():
    hits = [("d1", 1.0), ("d3", 2.0), ("d2", 1.0), ("d0", 1.0), ("d4", 0.5)]
    expected = (("d3", 2.0), ("d2", 1.0), ("d1", 1.0), ("d0", 1.0), ("d4", 0.5))
    rng = random.Random(7)
    for _ in range(20):
        rng.shuffle(hits)
        assert Run.from_hits({"q": hits})["q"] == expected


def test_scores_are_float32_so_float32_ties_are_ties():
    run = Run.from_hits({"q": [("a", 1.0 + 1e-9), ("b", 1.0)]})
    assert run["q"] == (("b", 1.0), ("a", 1.0))  # trec_eval reads scores as C floats: this is a tie there too
    assert Run.from_hits({"q": [("a", 1.0 + 1e-6), ("b", 1.0)]}).doc_ids("q") == ("a", "b")


def test_construction_always_sorts_accepts_mappings_and_truncates():
    run = Run({"q2": {"x": 0.1, "y": 0.9}, "q1": [("a", 3), ("b", 5), ("c", 4)]}, k=2)
    assert list(run) == ["q1", "q2"]
    assert run["q1"] == (("b", 5.0), ("c", 4.0)) and run.doc_ids("q2") == ("y", "x")
    assert run.num_hits == 4 and run.doc_ids("absent") == ()
    assert run == Run.from_hits({"q1": [("c", 4), ("b", 5), ("a", 3)], "q2": [("x", 0.1), ("y", 0.9)]}, k=2)


def test_run_is_immutable():
    run = Run.from_hits({"q": [("a", 1.0)]})
    with pytest.raises(TypeError):
        run["q"] = ()  # type: ignore[index]
    with pytest.raises(AttributeError):
        run.extra = 1  # type: ignore[attr-defined]
    assert isinstance(run["q"], tuple)


@pytest.mark.parametrize(
    "hits, message",
    [
        ({"q": [("a", 1.0), ("a", 2.0)]}, "appears more than once"),
        ({"q": [("a", float("nan"))]}, "finite"),
        ({"q": [("a", 1e39)]}, "float32"),
        ({"q": [(3, 1.0)]}, "not a string"),
    ],
)
def test_invalid_hits_are_refused(hits, message):
    with pytest.raises(RunError, match=message):
        Run.from_hits(hits)


def test_drop_self_removes_the_query_document():
    run = drop_self(Run.from_hits({"q1": [("q1", 9.0), ("d", 1.0)], "q2": [("d", 1.0)]}))
    assert run.doc_ids("q1") == ("d",) and run.doc_ids("q2") == ("d",)


def _random_run(n_queries: int = 30, seed: int = 1) -> Run:
    rng = random.Random(seed)
    return Run.from_hits({
        f"q{i}": [(f"doc-{j}", rng.choice([1.0, 2.5, rng.uniform(-5, 50), rng.random() * 1e-3]))
                  for j in rng.sample(range(500), rng.randint(1, 40))]
        for i in range(n_queries)
    })


def test_trec_round_trip_is_exact(tmp_path):
    run = _random_run()
    path = write_trec(run, tmp_path / "run.trec", tag="bm25")
    assert read_trec(path) == run


def test_trec_lines_have_six_fields_and_ranks_from_one(tmp_path):
    run = Run.from_hits({"q1": [("a", 0.5), ("b", 0.5), ("c", 0.25)], "q2": [("z", 1.0)], "q3": []})
    lines = write_trec(run, tmp_path / "r.trec", tag="tag").read_text().splitlines()
    assert lines == ["q1 Q0 b 1 0.5 tag", "q1 Q0 a 2 0.5 tag", "q1 Q0 c 3 0.25 tag", "q2 Q0 z 1 1 tag"]


def test_write_refuses_to_overwrite_unless_asked(tmp_path):
    path = tmp_path / "run.trec"
    path.write_text("keep me")
    with pytest.raises(OutputExistsError, match="run.trec"):
        write_trec(_random_run(), path, tag="x")
    assert path.read_text() == "keep me"
    assert isinstance(OutputExistsError(path), ShopbenchError)
    write_trec(_random_run(), path, tag="x", overwrite=True)
    assert read_trec(path) == _random_run()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.trec"]


def test_write_refuses_ids_with_whitespace(tmp_path):
    with pytest.raises(RunError, match="whitespace"):
        write_trec(Run.from_hits({"q": [("a b", 1.0)]}), tmp_path / "r.trec", tag="x")
    with pytest.raises(RunError, match="whitespace"):
        write_trec(Run.from_hits({"q": [("a", 1.0)]}), tmp_path / "r.trec", tag="my tag")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_leaves_nothing_when_the_writer_fails(tmp_path):
    def failing(handle):
        handle.write(b"partial output")
        raise RuntimeError("serialisation failed")

    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "out.trec", failing)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("q1 Q0 a 1 0.5 t\nq1 Q0 b 2 0.4\n", 2, "expected 6 fields"),
        ("q1 Q0 a 1 0.5 t\n\nq1 Q0 b two 0.4 t\n", 3, "rank"),
        ("q1 Q0 a 1 high t\n", 1, "score"),
        ("q1 Q0 a 1 nan t\n", 1, "finite"),
        ("q1 Q0 a 1 0.5 t\nq1 Q0 a 2 0.4 t\n", 2, "appears twice"),
    ],
)
def test_read_errors_name_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "bad.trec"
    path.write_text(text)
    with pytest.raises(DataFormatError, match=message) as info:
        read_trec(path)
    assert info.value.line == line and str(path) in str(info.value) and f"line {line}" in str(info.value)


def test_read_missing_file(tmp_path):
    with pytest.raises(MissingDataError, match="absent.trec"):
        read_trec(tmp_path / "absent.trec")


def test_read_orders_by_score_not_by_rank_column(tmp_path):
    path = tmp_path / "r.trec"
    path.write_text("q Q0 a 1 0.1 t\nq Q0 b 2 0.9 t\n")
    assert read_trec(path).doc_ids("q") == ("b", "a")

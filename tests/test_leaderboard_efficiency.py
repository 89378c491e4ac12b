"""Efficiency in the leaderboard and in `bench compare`: per-query latency columns, the machines that measured
them, schema-1 batch means marked as such, cost at a stated price, the quality/latency Pareto front."""

from __future__ import annotations

import shutil

from conftest import FIXTURES
from test_leaderboard import FAST, build, make_record, table_block, write_record

from benchmark.ranking import cost
from benchmark.ranking.cost import Prices
from benchmark.ranking.results import EncodingInfo, Hardware
from leaderboard.commands import compare_results
from leaderboard.efficiency import LEGACY_MARK
from leaderboard.pareto import pareto_front


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip("|").split("|")]


def test_pareto_front_keeps_the_systems_nothing_beats_on_both():
    points = [(1.0, 0.40), (5.0, 0.45), (3.0, 0.30), (8.0, 0.45), (0.5, 0.20), (5.0, 0.45)]
    # (3.0, 0.30) is beaten by (1.0, 0.40); (8.0, 0.45) by (5.0, 0.45); equal points are both kept
    assert pareto_front(points) == [4, 0, 1, 5]
    assert pareto_front([]) == []


def test_columns_are_end_to_end_latency_and_throughput_with_the_machine(tmp_path):
    results = tmp_path / "r"
    write_record(results, make_record("bm25", seed=1, latency=0.2))
    write_record(results, make_record("splade", shift=0.1, seed=2, latency=6.0))
    text = build(results, tmp_path / "LEADERBOARD.md", draw_plots=False)
    header, _, *rows = table_block(text, "toy / test")
    columns = _cells(header)
    assert columns[-6:] == ["p50 ms", "p95 ms", "QPS", "encode docs/s", "index MB", "nnz/doc"]
    by_name = {_cells(r)[1]: dict(zip(columns, _cells(r), strict=True)) for r in rows}
    assert by_name["bm25"]["p50 ms"] == "**0.20**" and by_name["splade"]["p95 ms"] == "9.00"
    assert by_name["bm25"]["QPS"] == "**5,000**"
    assert "Efficiency measured on: Test CPU, 4 cores." in text and "hw" not in columns


def test_figures_from_different_machines_are_never_compared_silently(tmp_path):
    results = tmp_path / "r"
    write_record(results, make_record("bm25", seed=1, latency=0.2))
    other = make_record("splade", shift=0.1, seed=2, latency=6.0)
    gpu = Hardware(cpu="Other CPU", cores=16, threads=16, device="NVIDIA H100")
    write_record(results, other.model_copy(update={"efficiency": other.efficiency.model_copy(update={"hardware": gpu})}))
    text = build(results, tmp_path / "LEADERBOARD.md", draw_plots=False)
    header, _, *rows = table_block(text, "toy / test")
    columns = _cells(header)
    assert columns[-1] == "hw"
    marks = {_cells(r)[1]: _cells(r)[-1] for r in rows}
    assert marks == {"bm25": "H2", "splade": "H1"} or marks == {"bm25": "H1", "splade": "H2"}
    assert "2 machines" in text and "Other CPU, 16 cores, NVIDIA H100" in text
    p50 = columns.index("p50 ms")
    assert not any(_cells(r)[p50].startswith("**") for r in rows)  # no best across machines


def test_schema_1_files_show_their_batch_means_marked_and_are_not_plotted(tmp_path):
    results = tmp_path / "r"
    shutil.copytree(FIXTURES / "results" / "v1", results)
    text = build(results, tmp_path / "LEADERBOARD.md", options=FAST)
    header, _, *rows = table_block(text, "demo / test")
    p50 = _cells(header).index("p50 ms")
    assert all(_cells(r)[p50].endswith(LEGACY_MARK) for r in rows)
    assert not any(_cells(r)[p50].startswith("**") for r in rows)
    assert "batch mean, query encoding excluded" in text
    assert "Not plotted" not in text  # no per-query latency at all: no latency plot
    assert "vs end-to-end latency" not in text


def test_price_per_hour_adds_cost_columns_and_states_the_price(tmp_path):
    results = tmp_path / "r"
    write_record(results, make_record("bm25", seed=1, latency=0.2))  # 5,000 queries/s
    text = build(results, tmp_path / "LEADERBOARD.md", draw_plots=False, prices=Prices(3.6))
    header, _, row = table_block(text, "toy / test")
    values = dict(zip(_cells(header), _cells(row), strict=True))
    assert values[r"\$/1M queries"] == "0.200"  # 3.6 per hour = 0.001 per second; 1e6 / 5,000 = 200 s
    assert values[r"\$/1M docs"] == "—"  # the synthetic record has no index build time
    assert "at 3.6 per hour (--price-per-hour)" in text


def test_a_catalog_encoded_on_a_gpu_elsewhere_is_priced_at_the_gpu_price():
    record = make_record("splade", seed=1, latency=0.2)
    products = record.dataset.counts.products
    local = record.model_copy(update={"efficiency": record.efficiency.model_copy(update={"index_s": 100.0})})
    remote = local.model_copy(update={"efficiency": local.efficiency.model_copy(update={"encoding": EncodingInfo(
        where="modal", gpu="A10G", chunks=3, gpu_s=45.0, catalog_gpu_s=60.0)})})
    assert cost.per_million_documents(local, Prices(3.6)) == 3.6 * 100 / 3600 / products * 1e6
    assert cost.per_million_documents(remote, Prices(3.6)) is None  # one price for both would be wrong
    expected = (3.6 * 40 + 36.0 * 60) / 3600 / products * 1e6  # 40 s here (statistics, upserts), 60 GPU s there
    assert abs(cost.per_million_documents(remote, Prices(3.6, 36.0)) - expected) < 1e-9
    older = remote.model_copy(update={"efficiency": remote.efficiency.model_copy(update={"encoding": EncodingInfo(
        where="modal", gpu="A10G", chunks=3, gpu_s=45.0)})})
    assert cost.per_million_documents(older, Prices(3.6, 36.0)) is None  # a file without the catalog's GPU seconds


def test_the_plot_marks_the_pareto_front(tmp_path):
    import pytest

    pytest.importorskip("matplotlib")
    results = tmp_path / "r"
    write_record(results, make_record("bm25", seed=1, latency=0.2))
    write_record(results, make_record("splade", shift=0.1, seed=2, latency=6.0))
    write_record(results, make_record("dense", shift=0.05, seed=3, latency=9.0))  # slower and worse than splade
    text = build(results, tmp_path / "LEADERBOARD.md")
    assert "On the Pareto front (no other system is both faster and better): a, c." in text
    assert "end-to-end latency" in text


def test_compare_shows_the_efficiency_table(tmp_path):
    results = tmp_path / "r"
    a = write_record(results, make_record("bm25", seed=1, latency=0.2))
    b = write_record(results, make_record("splade", shift=0.1, seed=2, latency=6.0))
    outcome = compare_results([str(a), str(b)], results, None, "test", ["NDCG@10"], FAST, prices=Prices(3.6))
    section = outcome.markdown.split("## Efficiency\n", 1)[1]
    assert "| p50 ms | p95 ms | QPS |" in section and r"\$/1M queries" in section
    assert "Efficiency measured on: Test CPU, 4 cores." in section

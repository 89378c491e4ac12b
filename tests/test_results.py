from __future__ import annotations

import json
import math
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from benchmark.core.errors import MissingDataError, ShopbenchError
from benchmark.datasets.base import GainScheme, Product, make_dataset
from benchmark.ranking import results
from benchmark.ranking.evaluation import evaluate, judged_at_k
from benchmark.ranking.results import (
    Efficiency,
    ResultFileError,
    ResultRecord,
    RetrieverInfo,
    SecretLeakError,
    dataset_info,
    environment_snapshot,
    find_secrets,
    load_result,
    save_result,
)
from benchmark.ranking.runs import Run, read_trec

START = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
STEM = "toy__test__bm25__20240102T030405Z"


def _dataset():
    corpus = {"a": Product("Drill 18V"), "b": Product("Battery"), "c": Product("Saw")}
    qrels = {"q1": {"a": 2, "b": 0}, "q2": {"b": 2, "c": 1}, "q3": {"c": 2}}
    return make_dataset("toy", corpus, {"q1": "drill", "q2": "battery", "q3": "saw"}, qrels,
                        {"train": ["q3"], "test": ["q1", "q2"]}, GainScheme({"E": 2, "S": 1, "I": 0}, 2))


RUN = Run.from_hits({"q1": [("a", 2.0), ("b", 1.0)], "q2": [("c", 1.5), ("b", 1.5)]})


def _record(**changes) -> ResultRecord:
    ds = _dataset()
    view = ds.split("test")
    ev = evaluate(view.qrels, RUN, ds.gains.relevant_level, queries=view.queries)
    fields = {
        "dataset": dataset_info(ds, "test"),
        "text_builder": {"fields": ["title", "brand"]},
        "retriever": RetrieverInfo(name="bm25", config={"k1": 0.9, "b": 0.4}),
        "metrics": dict(ev.metrics),
        "per_query": {m: dict(v) for m, v in ev.per_query.items()},
        "excluded_queries": list(ev.excluded_queries),
        "judged_at_10": judged_at_k(view.qrels, RUN, 10, queries=ev.query_ids),
        "efficiency": Efficiency(index_s=1.5, throughput_qps=1200.0),
        "environment": environment_snapshot(),
        "seed": 13,
        "command": ["bench", "run", "bm25"],
        "started_at": START,
        "finished_at": START + timedelta(seconds=7),
    }
    fields.update(changes)
    return ResultRecord(**fields)


def test_json_round_trip(tmp_path):
    record = _record()
    assert ResultRecord.model_validate_json(record.model_dump_json()) == record
    path = save_result(record, RUN, tmp_path)
    assert path.name == f"{STEM}.json"
    loaded = load_result(path)
    assert loaded == record.model_copy(update={"run_file": f"{STEM}.trec"})
    assert loaded.dataset.counts.judgements_per_gain == {0: 1, 1: 1, 2: 3}
    assert read_trec(path.parent / loaded.run_file) == RUN
    assert json.loads(path.read_text())["schema_version"] == 2


def test_record_fields():
    record = _record()
    q2 = (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))  # tie c/b at 1.5 broken by doc id descending: c, b
    assert record.metrics["NDCG@10"] == pytest.approx((1.0 + q2) / 2) and record.excluded_queries == []
    assert record.dataset.gains.relevant_level == 2 and record.dataset.checksum == _dataset().checksum
    env = record.environment
    assert {"ranx", "numpy"} <= set(env.packages) and env.python and env.cpu and env.cpu_count
    with pytest.raises(ShopbenchError, match="no split"):
        dataset_info(_dataset(), "dev")


def test_timestamps_must_be_aware_and_are_stored_in_utc():
    with pytest.raises(ValidationError):
        _record(started_at=datetime(2024, 1, 2, 3, 4, 5))
    plus_two = datetime(2024, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    record = _record(started_at=plus_two)
    assert record.started_at == START and record.started_at.utcoffset() == timedelta(0)


def test_run_file_must_be_a_bare_name():
    with pytest.raises(ValidationError):
        _record(run_file="../elsewhere.trec")


def test_unique_names_and_no_overwrite(tmp_path):
    record = _record()
    first = save_result(record, RUN, tmp_path)
    (tmp_path / f"{STEM}-2.trec").write_text("someone else's")
    second = save_result(record, RUN, tmp_path)
    third = save_result(record, RUN, tmp_path)
    assert [first.name, second.name, third.name] == [f"{STEM}.json", f"{STEM}-3.json", f"{STEM}-4.json"]
    assert (tmp_path / f"{STEM}-2.trec").read_text() == "someone else's"
    assert load_result(third).run_file == f"{STEM}-4.trec" and (tmp_path / f"{STEM}-4.trec").exists()
    assert len(list(tmp_path.iterdir())) == 7


def test_unsafe_characters_in_names(tmp_path):
    record = _record(retriever=RetrieverInfo(name="dense/all MiniLM__v2"))
    assert save_result(record, RUN, tmp_path).name == "toy__test__dense-all-MiniLM_v2__20240102T030405Z.json"


def test_failed_serialisation_leaves_no_file(tmp_path, monkeypatch):
    def broken(self, **kwargs):
        raise RuntimeError("cannot serialise")

    monkeypatch.setattr(ResultRecord, "model_dump_json", broken)
    with pytest.raises(RuntimeError):
        save_result(_record(), RUN, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failed_json_write_removes_the_run_file(tmp_path, monkeypatch):
    def failing_write(path, write, *, overwrite=False):
        raise OSError("disk full")

    monkeypatch.setattr(results, "atomic_write", failing_write)
    with pytest.raises(OSError, match="disk full"):
        save_result(_record(), RUN, tmp_path)
    assert list(tmp_path.iterdir()) == []


def _write_json(tmp_path, data) -> object:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_load_refuses_future_versions_naming_the_file(tmp_path):
    data = json.loads(_record().model_dump_json())
    data["schema_version"] = 3
    path = _write_json(tmp_path, data)
    with pytest.raises(ResultFileError, match="schema_version 3 is newer") as info:
        load_result(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not an object"),
        ({"metrics": {}}, "schema_version"),
        ({"schema_version": "1"}, "schema_version"),
        ({"schema_version": 1, "metrics": {}}, "invalid result record"),
    ],
)
def test_load_errors_name_the_file(tmp_path, content, message):
    path = _write_json(tmp_path, content)
    with pytest.raises(ResultFileError, match=message) as info:
        load_result(path)
    assert str(path) in str(info.value)


def test_load_missing_file(tmp_path):
    with pytest.raises(MissingDataError, match="absent.json"):
        load_result(tmp_path / "absent.json")


def test_migration_hook_upgrades_old_versions(monkeypatch, tmp_path):
    def v2_to_v3(data):
        seed = data.pop("seed")
        return {**data, "schema_version": 3, "renamed": seed}

    monkeypatch.setattr(results, "SCHEMA_VERSION", 3)
    monkeypatch.setitem(results.MIGRATIONS, 2, v2_to_v3)
    upgraded = results.migrate(json.loads(_record().model_dump_json()), tmp_path / "x.json")
    assert upgraded["schema_version"] == 3 and upgraded["renamed"] == 13 and "seed" not in upgraded


def test_secrets_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret-value")
    monkeypatch.setenv("HF_TOKEN", "hf_abcdefghijkl")
    monkeypatch.setenv("SHORT_TOKEN", "1")
    leaky = _record(retriever=RetrieverInfo(name="dense", config={"key": "sk-very-secret-value"}),
                    command=["bench", "run", "--token=hf_abcdefghijkl"])
    assert find_secrets(leaky) == ["retriever.config.key (OPENAI_API_KEY)", "command[2] (HF_TOKEN)"]
    with pytest.raises(SecretLeakError) as info:
        save_result(leaky, RUN, tmp_path)
    assert "sk-very-secret-value" not in str(info.value) and "OPENAI_API_KEY" in str(info.value)
    assert list(tmp_path.iterdir()) == []
    assert find_secrets(_record()) == []  # "1" is too short to count


def test_environment_snapshot_does_not_import_torch():
    already = "torch" in sys.modules
    env = environment_snapshot(gpu="Test GPU")
    assert env.gpu == "Test GPU" and "shopbench" in env.packages
    if not already:
        assert "torch" not in sys.modules


def test_schema_1_files_migrate_with_their_batch_means_named_as_such():
    """A schema-1 file's search_ms_p50/p95 were means per batch of 64 queries without query encoding: they
    arrive as batch_ms_p50/p95 (never as a latency), its search-only qps as search_qps."""
    from conftest import FIXTURES

    from leaderboard.efficiency import LEGACY_MARK, columns, text

    path = FIXTURES / "results" / "v1" / "demo__test__bm25__20261125T191109Z.json"
    raw = json.loads(path.read_text())["efficiency"]
    record = load_result(path)
    eff = record.efficiency
    assert record.schema_version == 2 and eff.latency is None and eff.hardware is None and eff.legacy
    assert eff.batch_ms_p50 == raw["search_ms_p50"] and eff.batch_ms_p95 == raw["search_ms_p95"]
    assert eff.search_qps == raw["qps"] and eff.throughput_qps is None
    p50 = next(c for c in columns() if c.header == "p50 ms")
    assert text(p50.value(record), p50) == f"{raw['search_ms_p50']:.2f}{LEGACY_MARK}"


def test_historic_schema_2_files_keep_loading():
    from conftest import FIXTURES

    files = sorted((FIXTURES / "results" / "v2").glob("*.json"))
    assert len(files) >= 4
    for path in files:
        assert json.loads(path.read_text())["schema_version"] == 2
        latency = load_result(path).efficiency.latency
        assert latency is not None and latency.end_to_end.p50 > 0 and latency.stages["search"].p50 > 0


@pytest.mark.parametrize("efficiency", [True, [1, 2], "fast", None])
def test_a_damaged_schema_1_efficiency_is_reported_not_crashed_on(tmp_path, efficiency):
    data = json.loads(_record().model_dump_json())
    data["schema_version"] = 1
    data["efficiency"] = efficiency
    path = _write_json(tmp_path, data)
    with pytest.raises(ResultFileError, match="efficiency") as info:
        load_result(path)
    assert str(path) in str(info.value)

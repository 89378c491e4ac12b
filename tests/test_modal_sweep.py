"""`bench train --sweep` on a stand-in for Modal (issue 18): detached runs whose call ids are kept in a local sweep
file, so Ctrl-C or a lost connection does not stop them and `--resume` re-attaches; a partial sweep is never
ranked; each remote run writes its own registry entry instead of rewriting a shared file on the Volume."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("modal", reason="pip install 'shopbench[modal]'")

from modal_fakes import FakeModal

from benchmark.core.errors import ShopbenchError
from benchmark.train import modal_sweep, remote
from benchmark.train.config import TrainConfig, build_config
from retrievers.trained_models import RUN_RECORD_DIR, ModelRegistry


@pytest.fixture(autouse=True)
def modal_ready(monkeypatch):
    monkeypatch.setattr(remote, "check_modal_ready", lambda *a, **k: None)
    monkeypatch.setattr(modal_sweep, "check_modal_ready", lambda *a, **k: None)


@pytest.fixture
def sweep_file(tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text("config: {datasets: [{name: demo, dev_split: test}]}\nruns: [{name: a}, {name: b}, {name: c}]\n")
    return path


def configs(sweep_file) -> list[TrainConfig]:
    return remote.expand_sweep(sweep_file)


def test_runs_are_spawned_detached_and_the_best_is_registered(sweep_file, capsys):
    client = FakeModal(scores={"a": 0.3, "b": 0.6, "c": 0.4})
    ranked = modal_sweep.sweep(sweep_file, configs(sweep_file), client=client)
    assert client.sessions == [True] and len(client.spawned) == 3 and not client.remote_calls
    assert [c.name for c, _ in ranked] == ["b", "c", "a"]
    assert ModelRegistry().names() == ["b"]
    state = modal_sweep.load_state(modal_sweep.state_path(sweep_file))
    assert state.registered == "b" and all(run.call_id and run.summary for run in state.runs)
    assert "bench train --fetch a" in " ".join(capsys.readouterr().err.split())


def test_ctrl_c_while_waiting_ranks_nothing_and_resume_collects(sweep_file, capsys):
    client = FakeModal(scores={"a": 0.3, "b": 0.6, "c": 0.4})
    original = client.outcome
    seen = []

    def interrupt_on_b(config_json):
        seen.append(TrainConfig.from_json(config_json).name)
        if seen[-1] == "b" and seen.count("b") == 1:
            raise KeyboardInterrupt
        return original(config_json)

    client.outcome = interrupt_on_b
    with pytest.raises(KeyboardInterrupt, match="1 of 3 runs collected.*--resume.*nothing was ranked"):
        modal_sweep.sweep(sweep_file, configs(sweep_file), client=client)
    assert ModelRegistry().names() == []
    err = " ".join(capsys.readouterr().err.split())
    assert "best" not in err and "keep running on Modal" in err
    with pytest.raises(ShopbenchError, match="has not been collected.*--resume"):
        modal_sweep.sweep(sweep_file, configs(sweep_file), client=client)
    ranked = modal_sweep.sweep(sweep_file, configs(sweep_file), client=client, resume=True)
    assert len(client.spawned) == 3  # re-attached: nothing started twice
    assert [c.name for c, _ in ranked] == ["b", "c", "a"] and ModelRegistry().names() == ["b"]


def test_ctrl_c_while_spawning_keeps_the_started_call_ids_and_resume_starts_the_rest(sweep_file):
    client = FakeModal()

    def interrupt_at_c(config_json):
        if TrainConfig.from_json(config_json).name == "c" and not any("\"c\"" in s for s in client.spawned):
            client.on_spawn = None
            raise KeyboardInterrupt

    client.on_spawn = interrupt_at_c
    with pytest.raises(KeyboardInterrupt, match="2 of 3 runs started.*not started: c"):
        modal_sweep.sweep(sweep_file, configs(sweep_file), client=client)
    state = modal_sweep.load_state(modal_sweep.state_path(sweep_file))
    assert [bool(run.call_id) for run in state.runs] == [True, True, False]
    modal_sweep.sweep(sweep_file, configs(sweep_file), client=client, resume=True)
    assert len(client.spawned) == 3


def test_a_lost_connection_leaves_the_runs_to_resume(sweep_file):
    import modal.exception

    client = FakeModal()
    original = client.outcome

    def drop(config_json):
        client.outcome = original
        raise modal.exception.ConnectionError("connection lost")

    client.outcome = drop
    with pytest.raises(ShopbenchError, match="ConnectionError"):
        modal_sweep.sweep(sweep_file, configs(sweep_file), client=client)
    assert ModelRegistry().names() == []
    modal_sweep.sweep(sweep_file, configs(sweep_file), client=client, resume=True)
    assert len(client.spawned) == 3 and len(ModelRegistry().names()) == 1


def test_a_failed_run_is_reported_and_the_others_ranked(sweep_file, capsys):
    client = FakeModal(scores={"a": 0.3, "b": 0.6, "c": 0.4})
    client.failures["b"] = RuntimeError("CUDA out of memory")
    ranked = modal_sweep.sweep(sweep_file, configs(sweep_file), client=client)
    assert ranked[0][0].name == "c" and ModelRegistry().names() == ["c"]
    err = " ".join(capsys.readouterr().err.split())
    assert "b: the Modal run of call fc-2 failed: RuntimeError: CUDA out of memory" in err


def test_detach_only_starts_and_resume_refuses_a_sweep_never_started(sweep_file):
    client = FakeModal()
    with pytest.raises(ShopbenchError, match="no started sweep"):
        modal_sweep.sweep(sweep_file, configs(sweep_file), client=client, resume=True)
    assert modal_sweep.sweep(sweep_file, configs(sweep_file), client=client, detach=True) == []
    assert len(client.spawned) == 3 and ModelRegistry().names() == []
    modal_sweep.sweep(sweep_file, configs(sweep_file), client=client, resume=True)
    assert len(ModelRegistry().names()) == 1


def test_partial_sweeps_are_never_ranked():
    state = modal_sweep.SweepState("s.yaml", "now", [modal_sweep.SweepRun("a", "{}", "fc-1", None)])
    with pytest.raises(ShopbenchError, match="not ranking a partial sweep"):
        modal_sweep.rank(state)


def test_each_remote_run_writes_its_own_registry_entry(tmp_path, monkeypatch):
    """run_job trains without touching the shared models/registry.json of the Volume."""
    from benchmark.train import modal_app, trainer
    from retrievers.trained_models import RegisteredModel

    calls = []

    def fake_train(config, *, cache_dir=None, register=True):
        calls.append(register)
        folder = tmp_path / "models" / config.name
        folder.mkdir(parents=True)
        rounds = [trainer.RoundResult(round=0, model_dir=str(folder), train_s=1.0, steps=1, rows={"demo": 3},
                                      dev={"demo": {"NDCG@10": 0.5}})]
        return trainer.TrainResult(config.name, folder, config, rounds, [{"dataset": "demo"}], 2.0, {"gpu": "x"})

    monkeypatch.setattr(trainer, "train", fake_train)
    config = build_config({"name": "one", "datasets": [{"name": "demo", "dev_split": "test"}]})
    summary = modal_app.run_job(config.to_json(), data_root=None, cache_root=str(tmp_path))
    assert calls == [False] and not (tmp_path / "models" / "registry.json").exists()
    record = tmp_path / summary["record_path"]
    assert record == tmp_path / "models" / RUN_RECORD_DIR / "one.json"
    entry = RegisteredModel(**json.loads(record.read_text()))
    assert entry.path == "models/one" and entry.dev_metrics == {"demo": {"NDCG@10": 0.5}}


def test_the_client_merges_the_runs_records_of_a_volume():
    client = FakeModal()
    for name in ("x", "y"):
        client.train(build_config({"name": name, "datasets": [{"name": "demo", "dev_split": None}]}).to_json())
    records = remote.remote_records(client.volume("shopbench-checkpoints"))
    assert sorted(r.name for r in records) == ["x", "y"]

"""`bench train --on modal` / `--detach` / `--fetch` / `--fetch-call` against a stand-in for Modal (issue 18).

Ctrl-C inside modal's `with app.run()` is swallowed by modal's runner, so the launcher must notice on its own;
a detached run's model is fetched by its call id (which knows the name the remote side used and the config's
Volume); `--fetch NAME` reads the Volume of `--config`; a `device: cpu` config trains on cuda on Modal."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext

import pytest

pytest.importorskip("modal", reason="pip install 'shopbench[modal]'")

from modal_fakes import FakeModal

from benchmark.core.errors import ShopbenchError
from benchmark.train import commands, modal_app, remote
from benchmark.train.config import TrainConfig, build_config
from retrievers.trained_models import ModelRegistry


@pytest.fixture(autouse=True)
def modal_ready(monkeypatch):
    """Credentials and network are the subject of test_modal_errors.py: here they are present."""
    monkeypatch.setattr(remote, "check_modal_ready", lambda *a, **k: None)


def demo_config(name: str = "m", **extra) -> TrainConfig:
    return build_config({"name": name, "datasets": [{"name": "demo", "dev_split": None}], **extra})


# -- item 2: Ctrl-C ---------------------------------------------------------------------------------------------

class SwallowingApp:
    """modal_app.app with modal's runner behaviour: a KeyboardInterrupt inside `with app.run()` ends the block
    and the `with` statement returns normally (modal/runner.py `_run_app`)."""

    def __init__(self) -> None:
        self.runs: list[bool] = []

    @contextmanager
    def run(self, detach: bool = False):
        self.runs.append(detach)
        try:
            yield self
        except KeyboardInterrupt:
            return


class CtrlCFunction:
    def with_options(self, **options):
        return self

    def remote(self, config_json: str):
        raise KeyboardInterrupt

    def spawn(self, config_json: str):
        raise KeyboardInterrupt


def test_ctrl_c_inside_modal_app_run_is_reported_not_an_unbound_summary(monkeypatch, capsys):
    """Patches modal_app itself (not the launcher's client), as today's code uses it."""
    import modal

    app = SwallowingApp()
    monkeypatch.setattr(modal_app, "app", app)
    monkeypatch.setattr(modal_app, "train_remote", CtrlCFunction())
    monkeypatch.setattr(modal, "enable_output", nullcontext)
    monkeypatch.setattr(remote, "upload_datasets", lambda *a, **k: None)
    with pytest.raises(KeyboardInterrupt, match="stopped before it finished") as caught:
        remote.launch(demo_config("ctrl-c"))
    assert not isinstance(caught.value, UnboundLocalError) and app.runs == [False]
    out = " ".join(capsys.readouterr().err.split())
    assert "interrupted" in out and "resume" in out and "shopbench-checkpoints" in out
    assert ModelRegistry().names() == []


def test_ctrl_c_while_starting_a_detached_run_says_what_to_check(capsys):
    client = FakeModal()

    def ctrl_c(config_json):
        raise KeyboardInterrupt

    client.on_spawn = ctrl_c
    with pytest.raises(KeyboardInterrupt, match="may have started anyway"):
        remote.launch(demo_config("d"), detach=True, client=client)
    assert client.sessions == [True]


def test_an_attached_run_downloads_and_registers_under_the_local_name(capsys):
    client = FakeModal()
    client.function(demo_config("taken")).remote(demo_config("taken").to_json())  # the Volume has `taken`
    entry = remote.launch(demo_config("taken"), client=client)
    assert entry.name == "taken" and entry.extra["remote_name"] == "taken-2"
    assert (ModelRegistry().model_dir("taken") / "model.safetensors").read_bytes() == b"weights"


# -- item 3: detached runs --------------------------------------------------------------------------------------

def test_detached_run_prints_a_fetch_call_command_that_gets_the_real_remote_name(capsys, tmp_path):
    client = FakeModal()
    volume = "team-ckpt"
    config = demo_config("det", modal={"checkpoint_volume": volume})
    client.volume(volume).files["models/det/shopbench_train.json"] = b"{}"  # the Volume has a `det` already
    assert remote.launch(config, detach=True, client=client) is None
    out = " ".join(capsys.readouterr().err.split())
    call_id = next(iter(client.calls))
    assert f"bench train --fetch-call {call_id}" in out
    entry = remote.fetch_call(call_id, client=client)
    assert entry.name == "det" and entry.extra["remote_name"] == "det-2"  # the name the run used in the Volume
    assert entry.extra["checkpoint_volume"] == volume and "shopbench-checkpoints" not in client.volumes
    assert ModelRegistry().get("det").path == entry.path


def test_fetch_call_of_a_running_call_says_to_come_back_later():
    client = FakeModal()
    call = client.function(demo_config()).spawn(demo_config().to_json())
    call.finished = False
    with pytest.raises(ShopbenchError, match="has not finished yet"):
        remote.fetch_call(call.object_id, client=client, wait_s=0.1)


def test_fetch_call_of_a_failed_run_says_so():
    client = FakeModal()
    client.failures["bad"] = RuntimeError("CUDA out of memory")
    call = client.function(demo_config("bad")).spawn(demo_config("bad").to_json())
    with pytest.raises(ShopbenchError, match="failed: RuntimeError: CUDA out of memory"):
        remote.fetch_call(call.object_id, client=client)


def test_fetch_by_name_uses_the_volume_of_the_given_config(monkeypatch, tmp_path):
    client = FakeModal()
    client.train(demo_config("named", modal={"checkpoint_volume": "team-ckpt"}).to_json())
    monkeypatch.setattr(remote, "LiveModal", lambda: client)
    config_file = tmp_path / "c.yaml"
    config_file.write_text("name: whatever\ndatasets: [{name: demo, dev_split: null}]\n"
                           "modal: {checkpoint_volume: team-ckpt}\n")
    commands.train_command(config_path=config_file, overrides=[], name=None, on="local", gpu=None, detach=False,
                           sweep_path=None, fetch_name="named", dry_run=False, cache_dir=None)
    assert ModelRegistry().get("named").extra["checkpoint_volume"] == "team-ckpt"
    with pytest.raises(ShopbenchError, match="no model at models/named.*--config FILE"):
        commands.train_command(config_path=None, overrides=[], name="again", on="local", gpu=None, detach=False,
                               sweep_path=None, fetch_name="named", dry_run=False, cache_dir=None)
    commands.train_command(config_path=None, overrides=["modal.checkpoint_volume=team-ckpt"], name="again",
                           on="local", gpu=None, detach=False, sweep_path=None, fetch_name="named", dry_run=False,
                           cache_dir=None)
    assert ModelRegistry().get("again").extra["remote_name"] == "named"


def test_fetch_by_name_of_a_missing_model_lists_the_finished_runs_in_that_volume():
    client = FakeModal()
    client.train(demo_config("one").to_json())
    with pytest.raises(ShopbenchError, match="finished runs there: one"):
        remote.fetch("two", client=client)


def test_the_printed_fetch_command_names_a_custom_volume():
    config = demo_config(modal={"checkpoint_volume": "team-ckpt"})
    expected = "bench train --fetch m-2 --set modal.checkpoint_volume=team-ckpt"
    assert remote.fetch_command("m-2", config.modal) == expected
    assert remote.fetch_command("m", demo_config().modal, "/c") == "bench train --fetch m --cache-dir /c"


def test_cli_offers_fetch_call_and_resume():
    from typer.testing import CliRunner

    from benchmark.app.cli import app

    text = CliRunner().invoke(app, ["train", "--help"], env={"COLUMNS": "200"}).output
    assert "--fetch-call" in text and "--resume" in text
    with pytest.raises(ShopbenchError, match="not both"):
        commands.train_command(config_path=None, overrides=[], name=None, on="local", gpu=None, detach=False,
                               sweep_path=None, fetch_name="a", dry_run=False, cache_dir=None, fetch_call="fc-1")


# -- item 6: device ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("config_file", ["hd-cpu.yaml", "demo-cpu.yaml"])
def test_cpu_configs_train_on_the_rented_gpu(config_file, capsys):
    from conftest import REPO

    config = build_config({**__import__("yaml").safe_load((REPO / "configs" / "train" / config_file).read_text()),
                           "datasets": [{"name": "demo", "dev_split": None}]})
    assert config.device == "cpu"
    client = FakeModal()
    remote.launch(config, client=client)
    sent = TrainConfig.from_json(client.remote_calls[0])
    assert sent.device == "cuda" and sent.training_identity() == config.training_identity()
    assert "trains with device: cuda" in " ".join(capsys.readouterr().err.split())


def test_gpu_devices_are_left_alone():
    for device in ("auto", "cuda", "cuda:1"):
        config = demo_config(device=device)
        assert config.on_gpu() is config

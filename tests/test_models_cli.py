"""`bench models`: list (its JSON is the registry), show, rm (says what `splade-ft` resolves to next), export (a plain
sentence-transformers folder: same vectors) and push (to a local fake of the hub API; fails fast without a token,
with a refused token, or without the network)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
import torch
from hub_fake import FakeHub
from typer.testing import CliRunner

from benchmark.app.cli import app
from benchmark.core.errors import ShopbenchError
from benchmark.train.hub_push import HubError, push
from retrievers.recipe import recipe_of
from retrievers.registry import build, resolve_config
from retrievers.trained_models import ModelRegistry, RegisteredModel, resolve_trained_model

TEXTS = ["cordless drill 18v with two batteries", "oak dining table", "", "LED bulb 60 W equivalent, warm white"]


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory) -> Path:
    """The bundled SPLADE-tiny saved as a sentence-transformers folder, as `bench train` publishes a model."""
    from sentence_transformers import SparseEncoder

    bundled = recipe_of(build("splade", resolve_config("splade", {})).encoders[0]).model_folder
    folder = tmp_path_factory.mktemp("saved") / "model"
    SparseEncoder(bundled, device="cpu").save(str(folder), create_model_card=False, safe_serialization=True)
    return folder


def _register(cache: Path, saved: Path, name: str, when: str, pairs: int = 120) -> RegisteredModel:
    import shutil

    registry = ModelRegistry(cache)
    folder = registry.model_dir(name)
    shutil.copytree(saved, folder)
    (folder / "README.md").write_text(f"# {name}\n\nA SPLADE fine-tuned for the tests.\n")
    (folder / "shopbench_train.json").write_text(json.dumps({"name": name, "data": [
        {"dataset": "demo", "pairs": pairs, "queries": 40}]}))
    return registry.register(RegisteredModel(
        name=name, path=str(folder), base_model="bundled:splade-tiny", registered_at=when, datasets=["demo"],
        dev_metrics={"demo": {"NDCG@10": 0.5 + pairs / 10_000}}, extra={"rounds": 1}))


def _cli(*args: str, input: str | None = None):
    result = CliRunner().invoke(app, list(args), input=input, env={"COLUMNS": "200", "HF_HUB_OFFLINE": "1"})
    return result


def test_list_json_is_the_registry_with_what_each_folder_tells(tmp_path, saved_model):
    _register(tmp_path, saved_model, "older", "2026-11-01T00:00:00+00:00", pairs=100)
    _register(tmp_path, saved_model, "newer", "2026-12-01T00:00:00+00:00", pairs=300)
    result = _cli("models", "list", "--json", "--cache-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)["models"]
    fields = list(asdict(ModelRegistry(tmp_path).entries()[0]))
    assert [{k: m[k] for k in fields} for m in listed] == [asdict(e) for e in ModelRegistry(tmp_path).entries()]
    assert [m["folder"]["pairs"] for m in listed] == [{"demo": 100}, {"demo": 300}]
    from retrievers.models import weights_sha256

    assert listed[0]["folder"]["weights_sha256"] == weights_sha256(saved_model) and listed[0]["folder"]["size_bytes"] > 0
    table = _cli("models", "list", "--cache-dir", str(tmp_path))
    assert table.exit_code == 0 and "newer (splade-ft)" in table.output and "demo (300)" in table.output
    assert weights_sha256(saved_model)[:12] in table.output and "0.5300" in table.output
    shown = _cli("models", "show", "older", "--cache-dir", str(tmp_path))
    assert shown.exit_code == 0 and shown.stdout.startswith("# older")


def test_rm_of_what_splade_ft_resolves_to_says_what_it_resolves_to_next(tmp_path, saved_model):
    older = _register(tmp_path, saved_model, "older", "2026-11-01T00:00:00+00:00")
    newer = _register(tmp_path, saved_model, "newer", "2026-12-01T00:00:00+00:00")
    assert resolve_trained_model(None, tmp_path) == newer.path
    refused = _cli("models", "rm", "newer", "--cache-dir", str(tmp_path), input="n\n")
    assert refused.exit_code == 1 and Path(newer.path).is_dir() and "newer" in ModelRegistry(tmp_path).names()
    result = _cli("models", "rm", "newer", "--yes", "--cache-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "now resolves to older" in result.output
    assert ModelRegistry(tmp_path).names() == ["older"] and not Path(newer.path).exists()
    assert resolve_trained_model(None, tmp_path) == older.path
    assert not [p for p in ModelRegistry(tmp_path).root.iterdir() if p.name.startswith(".tmp")]  # nothing left aside
    last = _cli("models", "rm", "older", "--yes", "--cache-dir", str(tmp_path))
    assert last.exit_code == 0 and "nothing to resolve to" in last.output
    unknown = _cli("models", "rm", "older", "--yes", "--cache-dir", str(tmp_path))
    assert isinstance(unknown.exception, ShopbenchError) and "older" in str(unknown.exception)


def test_export_loads_with_sparse_encoder_and_gives_identical_vectors(tmp_path, saved_model):
    from sentence_transformers import SparseEncoder

    entry = _register(tmp_path, saved_model, "hd", "2026-12-01T00:00:00+00:00")
    target = tmp_path / "exported" / "hd"
    result = _cli("models", "export", "hd", str(target), "--cache-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert not (target / "shopbench_train.json").exists() and (target / "README.md").is_file()
    ours = SparseEncoder(entry.path, device="cpu").encode_document(TEXTS, convert_to_tensor=True).to_dense()
    theirs = SparseEncoder(str(target), device="cpu").encode_document(TEXTS, convert_to_tensor=True).to_dense()
    assert torch.equal(ours, theirs) and ours.abs().sum() > 0
    again = _cli("models", "export", "hd", str(target), "--cache-dir", str(tmp_path))
    assert isinstance(again.exception, ShopbenchError) and "already exists" in str(again.exception)


def test_push_uploads_the_exported_folder_to_the_hub_in_one_commit(tmp_path, saved_model, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    entry = _register(tmp_path, saved_model, "hd", "2026-12-01T00:00:00+00:00")
    with FakeHub(token="hf_secret") as hub:
        pushed = push(entry, "my-org/splade-hd", token="hf_secret", endpoint=hub.endpoint)
        assert hub.unexpected == [] and len(hub.commits) == 1 and pushed.user == "tester"
        files = hub.repos["my-org/splade-hd"]["files"]
        local = {str(p.relative_to(entry.path)): p.read_bytes() for p in Path(entry.path).rglob("*") if p.is_file()}
        local.pop("shopbench_train.json")
        assert files == local and pushed.files == len(local)
        with pytest.raises(HubError, match="refused the token"):
            push(entry, "my-org/splade-hd", token="hf_wrong", endpoint=hub.endpoint)
    assert not [p for p in ModelRegistry(tmp_path).root.iterdir() if p.name.startswith(".tmp")]  # staging removed


def test_push_fails_fast_and_clearly_without_a_token_network_or_with_the_hub_offline(tmp_path, saved_model, monkeypatch):
    entry = _register(tmp_path, saved_model, "hd", "2026-12-01T00:00:00+00:00")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # no stored login
    monkeypatch.setattr("huggingface_hub.get_token", lambda: None)
    with pytest.raises(HubError, match="no Hugging Face token"):
        push(entry, "my-org/splade-hd")
    with pytest.raises(HubError, match="cannot reach"):
        push(entry, "my-org/splade-hd", token="hf_x", endpoint="http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(HubError, match="OWNER/NAME"):
        push(entry, "no-owner", token="hf_x")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = _cli("models", "push", "hd", "my-org/splade-hd", "--token", "hf_x", "--cache-dir", str(tmp_path))
    assert isinstance(result.exception, HubError) and "HF_HUB_OFFLINE" in str(result.exception)

"""Catalog encoding on Modal (``bench run --encode-on modal``), run through Modal's local execution
(``encode_chunk.local``) and a Volume kept in a folder: the chunks equal local encoding, an interrupted run
resumes without re-encoding what came back, the model is uploaded once, and without credentials the command
fails at once."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from procs import bench

from benchmark.datasets.registry import load_dataset
from benchmark.datasets.text import corpus_texts
from benchmark.pipeline.harness import RunRequest, run_benchmark
from benchmark.pipeline.remote_encoding import fill_missing, missing_jobs
from benchmark.store.vector_cache import VectorCache
from benchmark.train import modal_encode
from benchmark.train.modal_credentials import ModalUnavailable
from benchmark.train.modal_encode import (
    COMPLETE,
    MODELS_VOLUME,
    FolderVolume,
    LocalEncodeModal,
    ModalEncoding,
    ModelCopy,
    WrongModelCopy,
    has_model,
)
from retrievers.recipe import recipe_of
from retrievers.registry import build, resolve_config

pytestmark = pytest.mark.filterwarnings("ignore:The encode_chunk function is executing locally")
CHUNK = 100  # the demo's 302 products in 4 chunks (a local build uses 4,096)


class LocalModal(LocalEncodeModal):
    """Modal's local execution of the real entry point; after ``stop_after`` chunks the run is killed."""

    def __init__(self, volume: FolderVolume, stop_after: int | None = None, others=None) -> None:
        super().__init__(volume, others)
        self.stop_after = stop_after

    def map(self, gpu, workers, starts, texts, recipe_json, model=None):
        for n, out in enumerate(super().map(gpu, workers, starts, texts, recipe_json, model)):
            yield out
            if self.stop_after is not None and n + 1 >= self.stop_after:
                raise KeyboardInterrupt("the run was killed")


@pytest.fixture(scope="module")
def splade(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    dataset = load_dataset("demo", cache_dir=cache)
    retriever = build("splade", resolve_config("splade", {}, cache_dir=cache, text_format=dataset.default_text_format))
    return dataset, retriever, corpus_texts(dataset, retriever.text_builder)


def test_a_chunk_encoded_through_modal_local_execution_equals_local_encoding(splade, tmp_path):
    _, retriever, texts = splade
    encoder = retriever.encoders[0]
    recipe = recipe_of(encoder)
    assert recipe is not None and recipe.weights_sha256 and recipe.kind == "splade"
    volume = FolderVolume(tmp_path / "volume")
    service = ModalEncoding(check=False, client=LocalModal(volume))
    from benchmark.pipeline.remote_encoding import ChunkJob

    (remote,) = list(service.encode(recipe, [ChunkJob(0, texts[:40])]))
    local = encoder.encode_documents(list(texts[:40]))
    assert len(remote.vectors) == 40
    for a, b in zip(remote.vectors, local, strict=True):
        assert np.array_equal(a.indices, b.indices) and np.array_equal(a.values, b.values)
    assert service.uploads == [recipe.weights_sha256]  # the container read the uploaded copy of the model
    assert has_model(volume, recipe.weights_sha256)


def test_a_killed_remote_run_resumes_without_encoding_finished_chunks_again(splade, tmp_path):
    _, retriever, texts = splade
    encoder = retriever.encoders[0]
    cache = VectorCache(tmp_path / "vectors", "demo-corpus")
    volume = FolderVolume(tmp_path / "volume")
    killed = LocalModal(volume, stop_after=2)
    with pytest.raises(KeyboardInterrupt):
        fill_missing(retriever, texts, cache, ModalEncoding(check=False, client=killed), chunk=CHUNK)
    assert killed.sent == [0, 100]
    assert [j.start for j in missing_jobs(encoder.identity.fingerprint, texts, cache, CHUNK)] == [200, 300]
    again = LocalModal(volume)
    service = ModalEncoding(check=False, client=again)
    stats = fill_missing(retriever, texts, cache, service, chunk=CHUNK)
    assert again.sent == [200, 300] and stats.chunks == 2 and stats.cached == 2
    assert service.uploads == []  # the Volume had the weights from the first run
    assert volume.uploads == 1
    for start in range(0, len(texts), CHUNK):
        part = list(texts[start:start + CHUNK])
        vectors, _ = cache.load(encoder.identity.fingerprint, start, len(part))
        for a, b in zip(vectors, encoder.encode_documents(part), strict=True):
            assert np.array_equal(a.indices, b.indices) and np.array_equal(a.values, b.values)


def test_bench_run_encoded_on_modal_writes_the_same_run_and_records_where(tmp_path, monkeypatch):
    monkeypatch.setattr(modal_encode, "_ENCODERS", {})
    service = ModalEncoding(gpu="A10G", workers=3, check=False, client=LocalModal(FolderVolume(tmp_path / "vol")))
    runs = {}
    for name, remote in (("local", None), ("modal", service)):
        request = RunRequest(retriever="splade", dataset="demo", output_dir=tmp_path / name,
                             cache_dir=tmp_path / f"cache-{name}", command=("test",), latency_sample=0,
                             remote_encoding=remote)
        runs[name] = run_benchmark(request)
    trec = {n: o.path.with_name(o.record.run_file).read_bytes() for n, o in runs.items()}
    assert trec["local"] == trec["modal"]
    encoding = runs["modal"].record.efficiency.encoding
    assert encoding is not None and (encoding.where, encoding.gpu, encoding.chunks) == ("modal", "A10G", 1)
    assert runs["local"].record.efficiency.encoding is None


def test_without_modal_credentials_the_command_fails_at_once_with_trains_message(tmp_path, monkeypatch):
    monkeypatch.setenv("MODAL_CONFIG_PATH", str(tmp_path / "none.toml"))
    for name in ("MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET", "MODAL_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    started = time.monotonic()
    with pytest.raises(ModalUnavailable) as expected:
        ModalEncoding()
    assert time.monotonic() - started < 1
    result = bench("run", "-r", "splade", "-d", "demo", "--encode-on", "modal", "--cache-dir", tmp_path / "cache",
                   "--output-dir", tmp_path / "out")
    assert result.returncode == 2
    assert str(expected.value) in " ".join((result.stdout + result.stderr).split())
    train = bench("train", "--config", "configs/train/demo-cpu.yaml", "--on", "modal", "--cache-dir",
                  tmp_path / "cache")
    assert train.returncode == 2 and str(expected.value) in " ".join((train.stdout + train.stderr).split())
    assert not (tmp_path / "out").exists()


def test_bm25_has_no_recipe_and_is_encoded_where_it_runs(tmp_path):
    dataset = load_dataset("demo", cache_dir=tmp_path)
    bm25 = build("bm25", resolve_config("bm25", {}, cache_dir=tmp_path, text_format=dataset.default_text_format))
    assert recipe_of(bm25.encoders[0]) is None


def test_a_volume_folder_without_its_completion_file_is_uploaded_again(tmp_path):
    volume = FolderVolume(tmp_path / "volume")
    (tmp_path / "volume" / "sha256" / "abc").mkdir(parents=True)  # a partial upload
    assert not has_model(volume, "abc")
    (tmp_path / "volume" / "sha256" / "abc" / COMPLETE).write_text("abc")
    assert has_model(volume, "abc")


def test_a_mining_round_indexes_the_training_catalog_from_remote_vectors(tmp_path, monkeypatch):
    from benchmark.train import mining
    from benchmark.train.config import TrainConfig

    monkeypatch.setattr(modal_encode, "_ENCODERS", {})
    dataset = load_dataset("demo", cache_dir=tmp_path)
    config = TrainConfig.model_validate({"base_model": "bundled:splade-tiny", "name": "m",
                                         "datasets": [{"name": "demo"}]})
    retriever = mining.make_retriever(Path(recipe_of(build("splade", resolve_config("splade", {}))
                                                      .encoders[0]).model_folder), config)
    client = LocalModal(FolderVolume(tmp_path / "volume"))
    service = ModalEncoding(check=False, client=client)
    hits = {}
    for name, remote in (("remote", service), ("local", None)):
        store = mining.open_store(tmp_path / name)
        try:
            index = mining.open_index(retriever, dataset, store, tmp_path / name, remote=remote)
            hits[name] = mining.search(index, dict(list(dataset.split("test").queries.items())[:5]), 10)
        finally:
            store.close()
    assert client.sent == [0] and hits["remote"] == hits["local"]


def test_encode_on_modal_local_rehearses_the_path_from_the_command_line(tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from benchmark.app.cli import app

    monkeypatch.setattr(modal_encode, "_ENCODERS", {})
    result = CliRunner().invoke(app, ["run", "-r", "splade", "-d", "demo", "--encode-on", "modal-local",
                                      "--cache-dir", str(tmp_path / "cache"), "--output-dir", str(tmp_path / "out"),
                                      "--latency-sample", "0"])
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "out").glob("*.json")
    encoding = json.loads(path.read_text())["efficiency"]["encoding"]
    assert encoding["where"] == "modal" and encoding["gpu"] == "local" and encoding["chunks"] == 1
    assert list((tmp_path / "cache" / "modal-local" / "sha256").iterdir())  # the model's copy in the "Volume"


def _trained_on_modal(tmp_path: Path, in_checkpoints: bool = True) -> tuple:
    """A model "trained on Modal": fetched into the local registry (a copy of the bundled SPLADE-tiny) with its
    run's folder in a checkpoint Volume (a folder), and a retriever of it."""
    import json
    import shutil

    from retrievers.trained_models import ModelRegistry, RegisteredModel

    bundled = Path(recipe_of(build("splade", resolve_config("splade", {})).encoders[0]).model_folder)
    registry = ModelRegistry(tmp_path / "cache")
    local = registry.model_dir("hd")
    shutil.copytree(bundled, local)
    checkpoints = FolderVolume(tmp_path / "checkpoints")
    if in_checkpoints:
        shutil.copytree(bundled, checkpoints.root / "models" / "hd-remote")
        (checkpoints.root / "models" / "hd-remote" / "shopbench_train.json").write_text(json.dumps({"name": "hd"}))
    registry.register(RegisteredModel(
        name="hd", path=str(local), base_model="bundled:splade-tiny", registered_at="2026-12-01T00:00:00Z",
        extra={"trained_on": "modal", "remote_name": "hd-remote", "checkpoint_volume": "ckpt-volume"}))
    retriever = build("splade", resolve_config("splade", {"model": str(local)}))
    return registry, checkpoints, retriever


def test_a_model_trained_on_modal_is_read_from_its_checkpoint_volume_and_never_uploaded(tmp_path, monkeypatch):
    monkeypatch.setattr(modal_encode, "_ENCODERS", {})
    registry, checkpoints, retriever = _trained_on_modal(tmp_path)
    encoder = retriever.encoders[0]
    recipe = recipe_of(encoder)
    models = FolderVolume(tmp_path / "models")
    client = LocalModal(models, others={"ckpt-volume": checkpoints})
    service = ModalEncoding(check=False, client=client, registry=registry)
    from benchmark.pipeline.remote_encoding import ChunkJob

    texts = ["cordless drill 18v", "oak dining table with 4 chairs", ""]
    (remote,) = list(service.encode(recipe, [ChunkJob(0, texts)]))
    for a, b in zip(remote.vectors, encoder.encode_documents(texts), strict=True):
        assert np.array_equal(a.indices, b.indices) and np.array_equal(a.values, b.values)
    assert service.copies == [ModelCopy("ckpt-volume", "models/hd-remote")] and service.uploads == []
    assert models.uploads == 0 and not has_model(models, recipe.weights_sha256)


def test_a_replaced_checkpoint_copy_is_refused_and_a_missing_one_is_uploaded(tmp_path, monkeypatch):
    monkeypatch.setattr(modal_encode, "_ENCODERS", {})
    registry, checkpoints, retriever = _trained_on_modal(tmp_path / "a")
    weights = checkpoints.root / "models" / "hd-remote" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # another run wrote other weights under the same name
    weights.write_bytes(bytes(data))
    recipe = recipe_of(retriever.encoders[0])
    client = LocalModal(FolderVolume(tmp_path / "a" / "models"), others={"ckpt-volume": checkpoints})
    from benchmark.pipeline.remote_encoding import ChunkJob

    with pytest.raises(WrongModelCopy, match="was replaced"):
        list(ModalEncoding(check=False, client=client, registry=registry).encode(recipe, [ChunkJob(0, ["drill"])]))

    registry, checkpoints, retriever = _trained_on_modal(tmp_path / "b", in_checkpoints=False)
    recipe = recipe_of(retriever.encoders[0])
    models = FolderVolume(tmp_path / "b" / "models")
    service = ModalEncoding(check=False, client=LocalModal(models, others={"ckpt-volume": checkpoints}),
                            registry=registry)
    list(service.encode(recipe, [ChunkJob(0, ["drill"])]))
    assert service.uploads == [recipe.weights_sha256] and has_model(models, recipe.weights_sha256)
    assert service.copies == [ModelCopy(MODELS_VOLUME, f"sha256/{recipe.weights_sha256}")]

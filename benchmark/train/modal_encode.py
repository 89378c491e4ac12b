"""Catalog encoding on Modal GPUs (``bench run --encode-on modal [--gpu A10G] [--workers N]``).

Each chunk of the catalog that the local vector cache lacks is one call of :data:`encode_chunk`, mapped over up to
``workers`` containers (:mod:`benchmark.pipeline.remote_encoding` decides which chunks and saves what comes
back). A container builds the encoder from its recipe once and encodes its chunks with it; a chunk travels back
in the vector cache's own file format (:func:`benchmark.store.vector_cache.chunk_bytes`).

Models: a hub id is downloaded by the container; a model trained on Modal (``bench train --on modal``, then
fetched and registered here) is read from the checkpoint Volume its run wrote it to (``models/<name>/``, mounted
at :data:`CHECKPOINTS_MOUNT`): nothing is uploaded; any other local folder (a bundled model, a ``splade-ft@NAME``
trained here) is uploaded once to the Volume :data:`MODELS_VOLUME` under ``sha256/<weights sha256>/`` and never
again: an upload ends with a ``.complete`` file, and a folder that has it is not sent twice. A container checks
that the copy it reads has the recipe's weights (sha256) before it encodes anything.

The Modal operations go through :class:`EncodeModal` (:class:`LiveEncodeModal` is Modal itself; the tests use
Modal's local execution, ``encode_chunk.local``). Credentials are checked before anything else, with the same
message as ``bench train --on modal``.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import modal

from benchmark.pipeline.remote_encoding import ChunkJob, EncodedChunk
from benchmark.store.vector_cache import chunk_bytes, read_chunk
from benchmark.train.modal_app import image
from benchmark.train.modal_credentials import check_modal_ready
from retrievers import models
from retrievers.recipe import EncoderRecipe, build_encoder
from retrievers.trained_models import ModelRegistry

MODELS_VOLUME = "shopbench-models"
MODELS_MOUNT = "/models"
CHECKPOINTS_MOUNT = "/checkpoints"  # the checkpoint Volume of a model trained on Modal, when the model is there
DEFAULT_GPU = "A10G"
DEFAULT_WORKERS = 4
TIMEOUT_S = 3600  # one chunk (4,096 products) takes seconds on a GPU; the first call of a container loads the model
COMPLETE = ".complete"

app = modal.App("shopbench-encode")
_ENCODERS: dict[str, Any] = {}  # per container: the encoder of each recipe, built once


def model_dir(sha256: str) -> str:
    return f"sha256/{sha256}"


@dataclass(frozen=True, slots=True)
class ModelCopy:
    """Where a container finds the model: folder ``path`` of Volume ``volume``."""

    volume: str
    path: str

    def mount(self) -> str:
        """The folder the Volume is mounted at in a container."""
        return MODELS_MOUNT if self.volume == MODELS_VOLUME else CHECKPOINTS_MOUNT


class WrongModelCopy(ValueError):
    """The model copy a container was pointed at is missing or has other weights than the recipe's."""


def run_chunk(start: int, texts: list[str], recipe_json: str, model_path: str | None = None) -> dict[str, Any]:
    """Encode one chunk with the recipe's encoder, its model read from ``model_path`` (a folder in the container;
    None: as the recipe names it, a hub id). The copy is checked once per container: it must hold the recipe's
    weights (sha256)."""
    recipe = EncoderRecipe.from_json(recipe_json)
    key = f"{recipe_json}\0{model_path}"
    encoder = _ENCODERS.get(key)
    if encoder is None:
        if model_path is not None:
            folder = Path(model_path)
            if not folder.is_dir():
                raise WrongModelCopy(f"no model at {model_path} in the container (is the Volume mounted?)")
            found = models.weights_sha256(folder)
            if recipe.weights_sha256 and found != recipe.weights_sha256:
                raise WrongModelCopy(f"the model at {model_path} has weights {found[:12]}, not "
                                     f"{recipe.weights_sha256[:12]} as the run's model: it was replaced")
        encoder = build_encoder(recipe, model_path)
        encoder.load(documents=True)
        _ENCODERS[key] = encoder
    began = time.perf_counter()
    vectors = encoder.encode_documents(texts)
    seconds = time.perf_counter() - began
    return {"start": start, "chunk": chunk_bytes(vectors, seconds), "gpu": _gpu_name()}


def _gpu_name() -> str | None:
    try:
        import torch
    except ImportError:  # pragma: no cover - torch comes with sentence-transformers
        return None
    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None


@app.function(image=image, gpu=DEFAULT_GPU, timeout=TIMEOUT_S,
              volumes={MODELS_MOUNT: modal.Volume.from_name(MODELS_VOLUME, create_if_missing=True)})
def encode_chunk(start: int, texts: list[str], recipe_json: str, model_path: str | None = None) -> dict[str, Any]:
    """The Modal entry point: exactly :func:`run_chunk`."""
    return run_chunk(start, texts, recipe_json, model_path)


class EncodeModal(Protocol):
    def session(self) -> AbstractContextManager[Any]: ...

    def volume(self, name: str = MODELS_VOLUME) -> Any: ...  # .listdir(path) / .batch_upload()

    def map(self, gpu: str, workers: int, starts: list[int], texts: list[list[str]], recipe_json: str,
            model: ModelCopy | None = None) -> Iterator[dict[str, Any]]: ...


class LiveEncodeModal:
    """Modal itself (needs credentials and network)."""

    def session(self) -> AbstractContextManager[Any]:
        return _session()

    def volume(self, name: str = MODELS_VOLUME) -> Any:
        return modal.Volume.from_name(name, create_if_missing=name == MODELS_VOLUME)

    def map(self, gpu: str, workers: int, starts: list[int], texts: list[list[str]], recipe_json: str,
            model: ModelCopy | None = None) -> Iterator[dict[str, Any]]:
        volumes = {MODELS_MOUNT: self.volume()}
        if model is not None and model.volume != MODELS_VOLUME:
            volumes[CHECKPOINTS_MOUNT] = self.volume(model.volume)
        function = encode_chunk.with_options(gpu=gpu, max_containers=workers, volumes=volumes)
        path = f"{model.mount()}/{model.path}" if model else None
        yield from function.map(starts, texts, kwargs={"recipe_json": recipe_json, "model_path": path},
                                order_outputs=False)


class FolderVolume:
    """A Modal Volume kept in a local folder (``listdir``, batch uploads of folders and files): the Volume of
    :class:`LocalEncodeModal`."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.uploads = 0

    def listdir(self, path: str) -> list[Any]:
        folder = self.root / path
        if not folder.is_dir():
            raise FileNotFoundError(path)
        return [_Entry(f"{path}/{p.name}") for p in sorted(folder.iterdir())]

    @contextmanager
    def batch_upload(self, force: bool = False) -> Iterator[Any]:
        yield _FolderBatch(self)


class _Entry:
    def __init__(self, path: str) -> None:
        self.path = path


class _FolderBatch:
    def __init__(self, volume: FolderVolume) -> None:
        self.volume = volume

    def put_directory(self, local: str, remote: str) -> None:
        import shutil

        self.volume.uploads += 1
        shutil.copytree(local, self.volume.root / remote, dirs_exist_ok=True)

    def put_file(self, handle: Any, remote: str) -> None:
        target = self.volume.root / remote
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(handle.read())


class LocalEncodeModal:
    """Modal's local execution: the real entry point (``encode_chunk.local``) in this process, chunk after
    chunk, with a :class:`FolderVolume` as the models Volume and ``others`` by name (a checkpoint Volume)
    (``--encode-on modal-local``: rehearse the path without Modal)."""

    def __init__(self, volume: FolderVolume, others: Mapping[str, FolderVolume] | None = None) -> None:
        self._volumes = {MODELS_VOLUME: volume, **(others or {})}
        self.sent: list[int] = []

    def session(self) -> AbstractContextManager[Any]:
        return nullcontext()

    def volume(self, name: str = MODELS_VOLUME) -> FolderVolume:
        if name not in self._volumes:
            raise FileNotFoundError(f"no Volume {name}")
        return self._volumes[name]

    def map(self, gpu: str, workers: int, starts: list[int], texts: list[list[str]], recipe_json: str,
            model: ModelCopy | None = None) -> Iterator[dict[str, Any]]:
        import warnings

        path = str(self.volume(model.volume).root / model.path) if model else None
        for start, chunk in zip(starts, texts, strict=True):
            self.sent.append(start)
            with warnings.catch_warnings():  # "executing locally ... no access to the mounted Volume": expected
                warnings.simplefilter("ignore", UserWarning)
                yield encode_chunk.local(start, chunk, recipe_json, model_path=path)


@contextmanager
def _session() -> Iterator[Any]:
    with modal.enable_output(), app.run() as running:
        yield running


def has_model(volume: Any, sha256: str) -> bool:
    """Whether the Volume holds a complete upload of the model with these weights."""
    try:
        names = {Path(entry.path).name for entry in volume.listdir(model_dir(sha256))}
    except Exception:  # noqa: BLE001 - modal raises its own NotFoundError (or grpc errors) for a missing folder
        return False
    return COMPLETE in names


def upload_model(volume: Any, folder: str, sha256: str) -> bool:
    """Upload ``folder`` under its weights' sha256 unless it is there already; True when it was uploaded."""
    if has_model(volume, sha256):
        return False
    with volume.batch_upload(force=True) as batch:
        batch.put_directory(folder, model_dir(sha256))
    with volume.batch_upload(force=True) as batch:  # written last: a partial upload is never taken as complete
        batch.put_file(io.BytesIO(sha256.encode()), f"{model_dir(sha256)}/{COMPLETE}")
    return True


class ModalEncoding:
    """The :class:`~benchmark.pipeline.remote_encoding.RemoteEncoding` of Modal GPUs. ``registry``: the local model
    registry, to find the checkpoint Volume of a model trained on Modal."""

    where = "modal"

    def __init__(self, gpu: str = DEFAULT_GPU, workers: int = DEFAULT_WORKERS, client: EncodeModal | None = None,
                 check: bool = True, registry: ModelRegistry | None = None) -> None:
        if workers < 1:
            raise ValueError(f"--workers must be at least 1, got {workers}")
        if check:
            check_modal_ready()  # fails in about a second without credentials or network
        self.gpu, self.workers = gpu, workers
        self.client: EncodeModal = client or LiveEncodeModal()
        self.registry = registry
        self.uploads: list[str] = []  # the weights uploaded by this process (sha256)
        self.copies: list[ModelCopy] = []  # the model copies the containers were pointed at

    def model_copy(self, recipe: EncoderRecipe) -> ModelCopy | None:
        """Where the containers read the model: its training run's checkpoint Volume when it was trained on
        Modal and is still there, else its upload in :data:`MODELS_VOLUME` (made now unless there); None for a
        hub id (the container downloads it)."""
        if not recipe.model_folder or not recipe.weights_sha256:
            return None
        trained = self._trained_on_modal(recipe.model_folder)
        if trained is not None:
            return trained
        if upload_model(self.client.volume(), recipe.model_folder, recipe.weights_sha256):
            self.uploads.append(recipe.weights_sha256)
        return ModelCopy(MODELS_VOLUME, model_dir(recipe.weights_sha256))

    def _trained_on_modal(self, folder: str) -> ModelCopy | None:
        if self.registry is None:
            return None
        here = Path(folder).resolve()
        for entry in self.registry.entries():
            extra = entry.extra or {}
            if extra.get("trained_on") != "modal" or Path(entry.path).resolve() != here:
                continue
            copy = ModelCopy(str(extra["checkpoint_volume"]), f"models/{extra['remote_name']}")
            try:
                volume = self.client.volume(copy.volume)
                if any(Path(e.path).name == models.TRAIN_RECORD_FILE for e in volume.listdir(copy.path)):
                    return copy
            except Exception:  # noqa: BLE001 - Volume or folder gone (modal's NotFoundError): upload instead
                return None
        return None

    def encode(self, recipe: EncoderRecipe, jobs: Sequence[ChunkJob]) -> Iterator[EncodedChunk]:
        counts = {job.start: len(job.texts) for job in jobs}
        with self.client.session():
            copy = self.model_copy(recipe)
            if copy is not None:
                self.copies.append(copy)
            results = self.client.map(self.gpu, self.workers, [j.start for j in jobs], [list(j.texts) for j in jobs],
                                      recipe.to_json(), copy)
            for out in results:
                start = int(out["start"])
                found = read_chunk(io.BytesIO(out["chunk"]), counts[start])
                if found is None:
                    raise ValueError(f"Modal returned an unreadable chunk for documents {start}..")
                vectors, seconds = found
                yield EncodedChunk(start, vectors, seconds, out.get("gpu") or self.gpu)

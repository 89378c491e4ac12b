"""``bench models push NAME REPO_ID``: a registered model to the Hugging Face hub, as the plain sentence-transformers
folder ``bench models export`` writes (weights, tokenizer, module configs, card, training metrics).

Fails before any upload, with what to do, when there is no token (``HF_TOKEN``, ``--token``, or a stored
``hf auth login``), when ``HF_HUB_OFFLINE`` is set, when the hub cannot be reached, or when it refuses the token.
The upload is huggingface_hub's own (``create_repo`` + ``upload_folder``: one commit); ``endpoint`` points it at
another hub (a private one; the tests' local fake of the hub API).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from benchmark.core import atomic
from benchmark.core.errors import ShopbenchError
from benchmark.train.model_admin import export
from retrievers.trained_models import RegisteredModel

DEFAULT_ENDPOINT = "https://huggingface.co"


class HubError(ShopbenchError):
    """The hub cannot be used: no token, offline, unreachable, or the token refused."""


@dataclass(frozen=True, slots=True)
class Pushed:
    repo_url: str
    commit_url: str
    user: str
    files: int


def push(entry: RegisteredModel, repo_id: str, *, token: str | None = None, endpoint: str | None = None,
         private: bool = False, work_dir: Path | None = None) -> Pushed:
    """Upload ``entry``'s model to ``repo_id`` (created if absent) in one commit."""
    from huggingface_hub import HfApi, get_token
    from huggingface_hub.errors import HfHubHTTPError

    if "/" not in repo_id or repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise HubError(f"repo id {repo_id!r}: expected OWNER/NAME (a user or organisation, then the model's name)")
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        raise HubError("HF_HUB_OFFLINE is set: pushing needs the hub; unset it (the model stays registered here)")
    token = token or get_token()
    if not token:
        raise HubError("no Hugging Face token: set HF_TOKEN, pass --token, or run `hf auth login` "
                       "(a token with write access: https://huggingface.co/settings/tokens)")
    endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
    api = HfApi(endpoint=endpoint, token=token)
    try:
        user = api.whoami()["name"]
    except HfHubHTTPError as err:
        status = err.response.status_code if err.response is not None else None
        if status == 401:
            raise HubError(f"{endpoint} refused the token (401): check HF_TOKEN / --token") from None
        raise HubError(f"{endpoint}: {err}") from None
    except Exception as err:  # noqa: BLE001 - httpx / OS errors when the network or the hub is unreachable
        raise HubError(f"cannot reach {endpoint} ({type(err).__name__}: {err}); pushing needs the network") from None
    parent = work_dir or Path(entry.path).parent
    staging = atomic.temp_dir(parent, f"push-{entry.name}")
    try:
        folder = export(entry, staging / entry.name)
        files = sum(1 for p in folder.rglob("*") if p.is_file())
        try:
            repo = api.create_repo(repo_id, repo_type="model", private=private, exist_ok=True)
            commit = api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="model",
                                       commit_message=f"Upload {entry.name} (shopbench, base {entry.base_model})")
        except HfHubHTTPError as err:
            raise HubError(f"pushing {entry.name} to {repo_id} on {endpoint} failed: {err}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Pushed(str(repo), str(getattr(commit, "commit_url", commit)), user, files)

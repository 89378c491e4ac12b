"""``bench data fetch esci --hf``: the Hugging Face ``tasksource/esci`` parquet shards.

The shards (``data/train-*.parquet``, ``data/test-*.parquet``) land in ``<data_dir>/esci/hf/``, the one place
below the ESCI folder where the loader looks for them (:mod:`~benchmark.datasets.esci_layout`), and only when
the official files are absent: official files win. Downloaded into a staging folder and moved into place only
when complete.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from benchmark.core import atomic
from benchmark.core.errors import NetworkError
from benchmark.datasets.esci_layout import HF_DIR, SHARD_DIR

REPO_ID = "tasksource/esci"
HUB_HOST = "huggingface.co"


def _reachable(host: str, timeout: float) -> None:
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return
    except OSError as err:
        raise NetworkError(
            f"cannot reach {host} to download {REPO_ID} ({err}). shopbench needs internet access for "
            "`bench data fetch`; download the dataset's parquet shards yourself and pass --data-dir"
        ) from None


def fetch_esci_hf(data_dir: Path, *, connect_timeout: float = 5.0) -> Path:
    target = Path(data_dir) / "esci" / HF_DIR
    if any(target.rglob("*.parquet")):
        return target
    _reachable(HUB_HOST, connect_timeout)
    from huggingface_hub import snapshot_download

    staging = atomic.temp_dir(target.parent, f"hf-{target.name}")
    try:
        snapshot_download(repo_id=REPO_ID, repo_type="dataset", local_dir=staging,
                          allow_patterns=[f"{SHARD_DIR}/*.parquet", "README.md"])
        shutil.rmtree(staging / ".cache", ignore_errors=True)
        staging.rename(target)
    except BaseException as err:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(err, Exception) and not isinstance(err, NetworkError):
            raise NetworkError(f"downloading {REPO_ID} failed: {err}") from err
        raise
    return target

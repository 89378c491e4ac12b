"""Where shopbench keeps data and caches: platformdirs defaults, overridable by environment."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from benchmark.core.errors import ShopbenchError

DATA_DIR_ENV = "SHOPBENCH_DATA_DIR"
CACHE_DIR_ENV = "SHOPBENCH_CACHE_DIR"


def expand(value: Path | str, what: str) -> Path:
    """``value`` with a leading ``~`` / ``~user`` expanded; a clear error where that home cannot be found."""
    try:
        return Path(value).expanduser()
    except RuntimeError:  # "Could not determine home directory." (unknown user, no $HOME)
        raise ShopbenchError(f"{what} {str(value)!r}: cannot expand '~' (no such user or home directory)") from None


def data_dir(override: Path | str | None = None) -> Path:
    """Root folder for downloaded datasets: ``override`` > ``$SHOPBENCH_DATA_DIR`` > user data dir."""
    if override is not None:
        return expand(override, "data folder")
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return expand(env, f"${DATA_DIR_ENV}")
    return Path(platformdirs.user_data_dir("shopbench")) / "data"


def cache_dir(override: Path | str | None = None) -> Path:
    """Root folder for derived artefacts (binary dataset caches, indexes)."""
    if override is not None:
        return expand(override, "cache folder")
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return expand(env, f"${CACHE_DIR_ENV}")
    return Path(platformdirs.user_cache_dir("shopbench"))

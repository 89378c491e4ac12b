"""Where shopbench keeps data and caches: platformdirs defaults, overridable by environment."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "SHOPBENCH_DATA_DIR"
CACHE_DIR_ENV = "SHOPBENCH_CACHE_DIR"


def data_dir(override: Path | str | None = None) -> Path:
    """Root folder for downloaded datasets: ``override`` > ``$SHOPBENCH_DATA_DIR`` > user data dir."""
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("shopbench")) / "data"


def cache_dir(override: Path | str | None = None) -> Path:
    """Root folder for derived artefacts (binary dataset caches, indexes)."""
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir("shopbench"))

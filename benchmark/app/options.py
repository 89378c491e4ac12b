"""Command-line options that several ``bench`` commands share (typer annotations)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from benchmark.core import paths

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help=f"Folder holding the dataset's files (or a parent with one folder per dataset). Env: {paths.DATA_DIR_ENV}.",
    ),
]
CacheDir = Annotated[
    Path | None, typer.Option("--cache-dir", help=f"Where binary caches go. Env: {paths.CACHE_DIR_ENV}.")
]
Options = Annotated[
    list[str] | None,
    typer.Option("--option", "-o", help="Loader option key=value, repeatable (e.g. locale=jp, version=large)."),
]

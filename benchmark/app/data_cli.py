"""``bench data``: fetch and inspect datasets."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from benchmark.app.options import CacheDir, DataDir, Options
from benchmark.core import paths
from benchmark.core.console import console
from benchmark.core.errors import ShopbenchError

data_app = typer.Typer(
    help=(
        "Datasets: fetch, inspect. Names: esci, wands, homedepot, demo (bundled, synthetic), beir:PATH.\n\n"
        "Examples:\n\n"
        "  bench data info demo\n\n"
        "  bench data info esci --option locale=jp --option version=large\n\n"
        "  bench data fetch wands --data-dir ~/shopbench-data"
    ),
    no_args_is_help=True,
)


@data_app.command("info")
def data_info(
    name: Annotated[str, typer.Argument(help="Dataset: esci, wands, homedepot, demo or beir:PATH.")],
    data_dir: DataDir = None,
    option: Options = None,
    cache_dir: CacheDir = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Parse the original files; neither read nor write the binary cache.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")] = False,
) -> None:
    """Print counts (products, queries per split, judgements per gain), checksum and location.

    Examples:

      bench data info homedepot --data-dir ../shared/data/homedepot

      bench data info beir:./my_catalog --json
    """
    from benchmark.datasets.info import dataset_summary, render_summary
    from benchmark.datasets.registry import load_dataset

    dataset = load_dataset(name, data_dir=data_dir, options=option or (), cache_dir=cache_dir, use_cache=not no_cache)
    summary = dataset_summary(dataset)
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        render_summary(summary)


@data_app.command("fetch")
def data_fetch(
    name: Annotated[str, typer.Argument(help="esci, wands or beir:NAME (e.g. beir:scifact). homedepot needs Kaggle.")],
    data_dir: DataDir = None,
    hf: Annotated[bool, typer.Option("--hf", help="esci only: the Hugging Face tasksource/esci shards instead of the official files.")] = False,
) -> None:
    """Download a public dataset in its original format, with checksums and resume.

    Files go to DATA_DIR/<name>/ (DATA_DIR: --data-dir, $SHOPBENCH_DATA_DIR or the user data folder).
    An interrupted download resumes where it stopped on the next call.

    Examples:

      bench data fetch esci

      bench data fetch beir:scifact --data-dir ~/shopbench-data

      bench data fetch esci --hf
    """
    if hf:
        from benchmark.datasets.fetch_hf import fetch_esci_hf

        if name != "esci":
            raise ShopbenchError("--hf is only for esci (the tasksource/esci Hugging Face dataset)")
        target = fetch_esci_hf(paths.data_dir(data_dir))
        console.print(f"[green]fetched[/] {name} (Hugging Face layout) -> {target}")
        return
    from benchmark.datasets.fetch import fetch

    target = fetch(name, paths.data_dir(data_dir))
    console.print(f"[green]fetched[/] {name} -> {target}")

"""The ``bench`` command line: thin commands over the modules that do the work."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from benchmark import __version__, paths
from benchmark.console import console
from benchmark.errors import ShopbenchError

app = typer.Typer(
    name="bench",
    help=(
        "shopbench: benchmark retrievers (BM25, SPLADE, fine-tuned SPLADE, dense, hybrid) on product search.\n\n"
        "Examples:\n\n"
        "  bench data info homedepot --data-dir ~/data/homedepot\n\n"
        "  bench data fetch esci\n\n"
        "  bench data info beir:/path/to/my_catalog\n\n"
        "  bench run --retriever bm25 --retriever splade --dataset homedepot --data-dir ~/data/homedepot"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
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
app.add_typer(data_app, name="data")

DataDir = Annotated[
    Optional[Path],
    typer.Option(
        "--data-dir",
        help=f"Folder holding the dataset's files (or a parent with one folder per dataset). Env: {paths.DATA_DIR_ENV}.",
    ),
]
CacheDir = Annotated[
    Optional[Path], typer.Option("--cache-dir", help=f"Where binary caches go. Env: {paths.CACHE_DIR_ENV}.")
]
Options = Annotated[
    Optional[list[str]],
    typer.Option("--option", "-o", help="Loader option key=value, repeatable (e.g. locale=jp, version=large)."),
]


def _version(value: bool) -> None:
    if value:
        print(f"shopbench {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """shopbench command line."""


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


@app.command("run")
def run_command(
    retriever: Annotated[list[str], typer.Option("--retriever", "-r", help="bm25, splade, splade-ft, dense, hybrid (repeatable).")],
    dataset: Annotated[list[str], typer.Option("--dataset", "-d", help="esci, wands, homedepot, demo or beir:PATH (repeatable).")],
    split: Annotated[str, typer.Option(help="Split to search and evaluate.")] = "test",
    k: Annotated[int, typer.Option("-k", help="Hits per query kept in the run (metrics use @10 and @100).")] = 100,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Retriever setting key=value, repeatable (e.g. k1=1.2, model=PATH).")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="YAML file of retriever settings (flat, or keyed by retriever name).")] = None,
    option: Options = None,
    data_dir: DataDir = None,
    cache_dir: CacheDir = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Where result files (JSON + TREC run) go.")] = Path("results"),
    qdrant_url: Annotated[Optional[str], typer.Option("--qdrant-url", envvar="QDRANT_URL", help="Qdrant server/cluster URL; default: embedded qdrant-edge. API key: $QDRANT_API_KEY.")] = None,
    shards: Annotated[int, typer.Option(help="Shards per collection (server/cluster only).")] = 1,
    replication_factor: Annotated[int, typer.Option(help="Replicas per shard (server/cluster only).")] = 1,
    drop_self: Annotated[bool, typer.Option("--drop-self", help="Drop hits whose id equals the query id (BEIR ArguAna convention).")] = False,
) -> None:
    """Index a catalog with each retriever, search a split, evaluate with ranx, write result files.

    A finished (retriever, dataset) index is reused on the next run. Each run writes
    RESULTS/<dataset>__<split>__<retriever>__<time>.json and the TREC run beside it.

    Examples:

      bench run --retriever bm25 --dataset homedepot --data-dir ~/data/homedepot

      bench run -r bm25 -r splade -r dense -r hybrid -d demo

      bench run -r splade-ft --set model=./models/splade-hd -d homedepot

      bench run -r bm25 --set k1=1.2 --set b=0.75 -d beir:./scifact --qdrant-url http://localhost:6333
    """
    from benchmark.harness import RunRequest, run_benchmark
    from benchmark.summary import render_summary
    from retrievers.registry import load_config_file

    outcomes = []
    for dataset_name in dataset:
        for retriever_name in retriever:
            overrides = load_config_file(config, retriever_name) if config else {}
            for pair in set_ or ():
                key, _, value = pair.partition("=")
                overrides[key.strip()] = value.strip()
            request = RunRequest(
                retriever=retriever_name, dataset=dataset_name, split=split, k=k,
                overrides=[f"{key}={value}" for key, value in overrides.items()], dataset_options=option or (),
                data_dir=data_dir, cache_dir=cache_dir, output_dir=output_dir, qdrant_url=qdrant_url,
                shards=shards, replication_factor=replication_factor, drop_self_hits=drop_self,
            )
            outcome = run_benchmark(request)
            outcomes.append((outcome.record, outcome.path))
    render_summary(outcomes)


def run() -> None:
    """Console-script entry point: user errors print one line and exit 2."""
    try:
        app(standalone_mode=False)
    except ShopbenchError as err:
        console.print(f"[bold red]error:[/] {err}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]")
        sys.exit(130)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except Exception as err:  # click usage errors and aborts
        import click

        if isinstance(err, click.exceptions.ClickException):
            err.show()
            sys.exit(err.exit_code)
        if isinstance(err, click.exceptions.Abort):
            sys.exit(1)
        raise


if __name__ == "__main__":
    run()

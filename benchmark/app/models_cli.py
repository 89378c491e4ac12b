"""``bench models``: the trained models of the local registry: list, show, rm, export, push."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from benchmark.app.options import CacheDir
from benchmark.core.console import console

models_app = typer.Typer(
    help=(
        "Trained models (what `bench train` registered; `bench run -r splade-ft@NAME` uses them).\n\n"
        "Examples:\n\n"
        "  bench models list\n\n"
        "  bench models show hd-cpu\n\n"
        "  bench models export hd-cpu ./hd-cpu-model        (SparseEncoder('./hd-cpu-model') loads it)\n\n"
        "  bench models push hd-cpu my-org/splade-hd        (needs HF_TOKEN)\n\n"
        "  bench models rm hd-cpu --yes"
    ),
    no_args_is_help=True,
)

Name = Annotated[str, typer.Argument(help="Registered model name (bench models list).")]


def _registry(cache_dir: Path | None):  # type: ignore[no-untyped-def]
    from retrievers.trained_models import ModelRegistry

    return ModelRegistry(cache_dir)


def _size(n: int) -> str:
    return f"{n / 2**20:,.1f} MB" if n else "—"


@models_app.command("list")
def models_list(
    cache_dir: CacheDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: each registry entry as it is, plus what its folder tells (under 'folder').")] = False,
) -> None:
    """Every registered model: name, architecture, base model, training data and pairs, dev nDCG@10, created,
    weights sha256 (prefix), size. The newest is what `-r splade-ft` resolves to.

    Examples:

      bench models list

      bench models list --json --cache-dir shopbench-demo/cache
    """
    from rich.table import Table

    from benchmark.train.model_admin import rows

    registry = _registry(cache_dir)
    found = rows(registry)
    if as_json:
        print(json.dumps({"registry": str(registry.file), "models": [r.as_json() for r in found]}, indent=2))
        return
    if not found:
        console.print(f"no trained models registered ({registry.file}); `bench train --config ...` makes one")
        return
    latest = registry.latest()
    table = Table(title=f"trained models ({registry.file})")
    for column in ("name", "architecture", "base model", "training data (pairs)", "dev nDCG@10", "created",
                   "weights", "size"):
        table.add_column(column, justify="right" if column in ("dev nDCG@10", "size") else "left")
    for row in found:
        entry = row.entry
        data = ", ".join(f"{d} ({row.pairs[d]:,})" if d in row.pairs else d for d in entry.datasets) or "—"
        name = entry.name + (" (splade-ft)" if latest is not None and entry.name == latest.name else "")
        table.add_row(name, entry.architecture, entry.base_model, data,
                      f"{row.dev_ndcg10:.4f}" if row.dev_ndcg10 is not None else "—", entry.registered_at[:19],
                      row.weights_sha256[:12] if row.present else "folder missing", _size(row.size_bytes))
    console.print(table)


@models_app.command("show")
def models_show(name: Name, cache_dir: CacheDir = None) -> None:
    """Print the model's card (README.md in its folder).

    Examples:

      bench models show hd-cpu
    """
    from benchmark.train.model_admin import card

    print(card(_registry(cache_dir).get(name)), end="")


@models_app.command("rm")
def models_rm(
    name: Name,
    cache_dir: CacheDir = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Unregister a model and delete its folder; says what `-r splade-ft` resolves to next.

    Examples:

      bench models rm hd-cpu

      bench models rm hd-cpu-2 --yes
    """
    from benchmark.train.model_admin import remove

    registry = _registry(cache_dir)
    entry = registry.get(name)
    if not yes and not typer.confirm(f"delete model {entry.name} ({entry.path})?", default=False):
        console.print("nothing deleted")
        raise typer.Exit(1)
    removed = remove(registry, name)
    kept = "" if removed.folder_deleted else f" (its folder {entry.path} was kept: not in the registry's folder)"
    console.print(f"removed {entry.name}{kept}", highlight=False)
    if removed.next_latest is not None:
        console.print(f"`-r splade-ft` now resolves to {removed.next_latest.name} ({removed.next_latest.path})",
                      highlight=False)
    else:
        console.print("no trained model is registered now: `-r splade-ft` has nothing to resolve to", highlight=False)


@models_app.command("export")
def models_export(
    name: Name,
    target: Annotated[Path, typer.Argument(help="New folder for the model (must not exist).")],
    cache_dir: CacheDir = None,
) -> None:
    """Copy a model as a plain sentence-transformers folder: SparseEncoder(TARGET) loads it anywhere.

    Examples:

      bench models export hd-cpu ./splade-hd
    """
    from benchmark.train.model_admin import export

    done = export(_registry(cache_dir).get(name), target)
    console.print(f"exported {name} -> {done}  (SparseEncoder({str(done)!r}))", highlight=False)


@models_app.command("push")
def models_push(
    name: Name,
    repo_id: Annotated[str, typer.Argument(help="Hub repository OWNER/NAME (created if absent).")],
    cache_dir: CacheDir = None,
    token: Annotated[str | None, typer.Option("--token", help="Hub token with write access (default: HF_TOKEN or the stored login).")] = None,
    private: Annotated[bool, typer.Option("--private", help="Create the repository private.")] = False,
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Another hub (default: HF_ENDPOINT or https://huggingface.co).")] = None,
) -> None:
    """Upload a model to the Hugging Face hub (one commit of the exported folder).

    Examples:

      HF_TOKEN=hf_... bench models push hd-cpu my-org/splade-hd

      bench models push hd-cpu my-org/splade-hd --private
    """
    from benchmark.train.hub_push import push

    pushed = push(_registry(cache_dir).get(name), repo_id, token=token, endpoint=endpoint, private=private)
    console.print(f"pushed {name} ({pushed.files} files) as {pushed.user} -> {pushed.repo_url}", highlight=False)

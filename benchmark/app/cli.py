"""The ``bench`` command line: thin commands over the modules that do the work."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from benchmark import __version__
from benchmark.app.data_cli import data_app
from benchmark.app.models_cli import models_app
from benchmark.app.options import CacheDir, DataDir, Options
from benchmark.core.console import console
from benchmark.core.errors import ShopbenchError
from benchmark.core.timing import DEFAULT_SAMPLE

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
app.add_typer(data_app, name="data")
app.add_typer(models_app, name="models")


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


@app.command("run")
def run_command(
    retriever: Annotated[list[str], typer.Option("--retriever", "-r", help="bm25, splade, splade-ft[@NAME], dense, hybrid, bm25-lucene, bm25-rank, or a fusion of any of them: hybrid:A+B[+C] (repeatable).")],
    dataset: Annotated[list[str], typer.Option("--dataset", "-d", help="esci, wands, homedepot, demo or beir:PATH (repeatable).")],
    split: Annotated[str, typer.Option(help="Split to search and evaluate (test, dev, train; all: every query, for datasets whose splits shopbench assigned: WANDS, Home Depot).")] = "test",
    k: Annotated[int, typer.Option("-k", help="Hits per query kept in the run (metrics use @10 and @100).")] = 100,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Retriever setting key=value (all retrievers) or NAME.key=value (one; NAME may be a part of hybrid:A+B), repeatable. Fusion: method, rrf_k, norm, weights, depth, where, tune.")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="YAML file of retriever settings (flat, or keyed by retriever name).")] = None,
    option: Options = None,
    data_dir: DataDir = None,
    cache_dir: CacheDir = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Where result files (JSON + TREC run) go.")] = Path("results"),
    qdrant_url: Annotated[str | None, typer.Option("--qdrant-url", envvar="QDRANT_URL", help="Qdrant server/cluster URL; default: embedded qdrant-edge. API key: $QDRANT_API_KEY.")] = None,
    shards: Annotated[int, typer.Option(help="Shards per collection (server/cluster only).")] = 1,
    replication_factor: Annotated[int, typer.Option(help="Replicas per shard (server/cluster only).")] = 1,
    drop_self: Annotated[bool, typer.Option("--drop-self", help="Drop hits whose id equals the query id (BEIR ArguAna convention).")] = False,
    trust_remote_code: Annotated[bool, typer.Option("--trust-remote-code", help="Allow models that run their own code (hub Python files, pickle *.bin weights). Env: SHOPBENCH_TRUST_REMOTE_CODE=1.")] = False,
    latency_sample: Annotated[int, typer.Option("--latency-sample", min=0, help="Queries (a seeded sample of the split) answered one at a time to measure per-query latency p50/p95/p99, query encoding included; 0 skips it.")] = DEFAULT_SAMPLE,
    encode_on: Annotated[str, typer.Option("--encode-on", help="Where the catalog is encoded for a new index: local, modal (Modal GPUs; pip install 'shopbench[modal]', `modal setup`) or modal-local (Modal's entry point run here, to rehearse).")] = "local",
    gpu: Annotated[str, typer.Option("--gpu", help="With --encode-on modal: the Modal GPU type.")] = "A10G",
    workers: Annotated[int, typer.Option("--workers", min=1, help="With --encode-on modal: containers encoding chunks at once.")] = 4,
) -> None:
    """Index a catalog with each retriever, search a split, evaluate with ranx, write result files.

    A finished (retriever, dataset) index is reused on the next run. Each run writes
    RESULTS/<dataset>__<split>__<retriever>__<time>.json and the TREC run beside it.

    Examples:

      bench run --retriever bm25 --dataset homedepot --data-dir ~/data/homedepot

      bench run -r bm25 -r splade -r dense -r hybrid -d demo

      bench run -r splade-ft --set model=./models/splade-hd -d homedepot

      bench run -r bm25 -r splade-ft --set splade-ft.model=./models/splade-hd -d homedepot

      bench run -r bm25 -r splade-ft -r hybrid:bm25+splade-ft -d homedepot

      bench run -r hybrid:bm25+splade-ft --set method=wsum --set tune=dev -d homedepot

      bench run -r bm25 --set k1=1.2 --set b=0.75 -d beir:./scifact --qdrant-url http://localhost:6333
    """
    from benchmark.fusion.resolve import overrides_for, resolve_system
    from benchmark.fusion.systems import run_any
    from benchmark.pipeline.harness import RunRequest
    from benchmark.ranking.summary import render_summary
    from retrievers.models import TRUST_REMOTE_CODE_ENV

    if trust_remote_code:  # read where models are loaded (retrievers.models.trust_remote_code)
        os.environ[TRUST_REMOTE_CODE_ENV] = "1"
    if (shards > 1 or replication_factor > 1) and not qdrant_url:
        console.print("[yellow]note:[/] --shards and --replication-factor apply to a Qdrant server or cluster "
                      "(--qdrant-url); the embedded store has one shard", highlight=False)
    remote = _remote_encoding(encode_on, gpu, workers, cache_dir)  # no Modal credentials: a clear error at once
    settings = {name: overrides_for(name, set_ or (), config) for name in retriever}
    for name, values in settings.items():
        resolve_system(name, values, cache_dir=cache_dir)  # every setting checked before anything runs
    outcomes = []
    for dataset_name in dataset:
        for retriever_name in retriever:
            request = RunRequest(
                retriever=retriever_name, dataset=dataset_name, split=split, k=k,
                overrides=settings[retriever_name], dataset_options=option or (),
                data_dir=data_dir, cache_dir=cache_dir, output_dir=output_dir, qdrant_url=qdrant_url,
                shards=shards, replication_factor=replication_factor, drop_self_hits=drop_self,
                latency_sample=latency_sample, remote_encoding=remote,
            )
            outcome = run_any(request)
            outcomes.append((outcome.record, outcome.path))
    render_summary(outcomes)


def _remote_encoding(where: str, gpu: str, workers: int, cache_dir: Path | None = None):  # type: ignore[no-untyped-def]
    """The service that encodes catalogs elsewhere (None: here); ``modal-local`` runs Modal's entry point in this
    process (Modal's local execution, a folder as its Volume): the same path, rehearsed without Modal."""
    if where == "local":
        return None
    if where == "modal-local":
        from benchmark.core.cache_layout import MODAL_LOCAL, CacheLayout
        from benchmark.train.modal_encode import FolderVolume, LocalEncodeModal, ModalEncoding
        from retrievers.trained_models import ModelRegistry

        volume = FolderVolume(CacheLayout.of(cache_dir).area(MODAL_LOCAL, create=True))
        return ModalEncoding(gpu="local", workers=1, client=LocalEncodeModal(volume), check=False,
                             registry=ModelRegistry(cache_dir))
    if where != "modal":
        raise typer.BadParameter(f"--encode-on must be local, modal or modal-local, got {where!r}")
    from benchmark.train.modal_credentials import check_modal_ready

    check_modal_ready()  # before importing modal's app: no credentials fails here, as `bench train --on modal`
    from benchmark.train.modal_encode import ModalEncoding
    from retrievers.trained_models import ModelRegistry

    return ModalEncoding(gpu=gpu, workers=workers, check=False, registry=ModelRegistry(cache_dir))


StatTest = Annotated[str, typer.Option("--test", help="Paired test: permutation (seeded randomization) or t-test.")]
StatCorrection = Annotated[str, typer.Option("--correction", help="Multiple-comparison correction: holm or bonferroni.")]
StatAlpha = Annotated[float, typer.Option("--alpha", help="Significance level after correction.")]
StatPermutations = Annotated[int, typer.Option("--permutations", help="Random sign flips of the permutation test.")]
StatSeed = Annotated[int, typer.Option("--seed", help="Seed of the permutation test and the bootstrap.")]
PricePerHour = Annotated[float | None, typer.Option("--price-per-hour", min=0.0, help="Your price per hour of the machine (or GPU) the results ran on, in any currency: adds cost per million queries and per million documents indexed.")]
GpuPricePerHour = Annotated[float | None, typer.Option("--gpu-price-per-hour", min=0.0, help="With --price-per-hour: your price per GPU hour for catalogs encoded elsewhere (bench run --encode-on modal), same currency: their GPU seconds are priced at it.")]


def _prices(machine: float | None, gpu: float | None):  # type: ignore[no-untyped-def]
    from benchmark.ranking.cost import Prices

    if machine is None:
        if gpu is not None:
            raise typer.BadParameter("--gpu-price-per-hour prices only part of a build: give --price-per-hour too")
        return None
    return Prices(machine, gpu)


def _stat_options(test: str, correction: str, alpha: float, permutations: int, seed: int):  # type: ignore[no-untyped-def]
    from leaderboard.options import StatOptions

    return StatOptions(test=test, correction=correction, alpha=alpha, permutations=permutations, seed=seed)  # type: ignore[arg-type]


@app.command("reproduce")
def reproduce_command(
    only: Annotated[str | None, typer.Option("--only", help="Run only rows whose id, retriever or dataset matches this glob or substring.")] = None,
    matrix: Annotated[Path | None, typer.Option("--matrix", help="Regression matrix YAML (default: regressions/matrix.yaml).")] = None,
    update: Annotated[bool, typer.Option("--update", help="Rewrite the expected values of the rows that ran (shows the diff first).")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --update: write without asking.")] = False,
    data_dir: DataDir = None,
    cache_dir: CacheDir = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Where the rows' result files go.")] = Path("results/reproduce"),
) -> None:
    """Run the known-answer regression matrix and print OK / OKish / FAIL with the deltas.

    OK: |delta| <= the matrix's ok tolerance (1e-4); OKish: within the retriever's declared tolerance
    (encoders whose CPU/GPU numerics differ); else FAIL. Rows whose data or optional extra is missing
    are SKIP with the reason. Exit status 1 when any row is FAIL or ERROR.

    Examples:

      bench reproduce --data-dir ~/data

      bench reproduce --only homedepot --data-dir ../shared/data

      bench reproduce --only bm25-lucene --update
    """
    from benchmark.app import reproduce as rp

    path = matrix or rp.DEFAULT_MATRIX
    loaded = rp.load_matrix(path)
    runner = rp.harness_runner(data_dir, cache_dir, output_dir)
    results = rp.run_matrix(loaded, runner, only,
                            on_result=lambda r: console.print(f"[dim]{r.row.id}: {r.status}[/]"))
    rp.render(results)
    if update:
        old = path.read_text()
        new = rp.updated_text(loaded, results)
        diff = rp.diff_text(old, new, path)
        if not diff:
            console.print("expected values unchanged")
        else:
            console.print(diff, markup=False, highlight=False)
            if yes or typer.confirm(f"write {path}?"):
                path.write_text(new)
                console.print(f"wrote {path}")
        return
    raise typer.Exit(rp.exit_code(results))


@app.command("leaderboard")
def leaderboard_command(
    results_dir: Annotated[Path, typer.Argument(help="Folder of result files (searched recursively).")] = Path("results"),
    output: Annotated[Path | None, typer.Option("--output", help="Markdown file to write; plots go to <stem>_plots/ beside it. Default LEADERBOARD.md (none with --html alone).")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the leaderboard as one self-contained web page (sortable tables, plots, per-query view).")] = None,
    alpha: StatAlpha = 0.05,
    test: StatTest = "permutation",
    correction: StatCorrection = "holm",
    permutations: StatPermutations = 10_000,
    seed: StatSeed = 42,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Draw PNG plots (needs matplotlib).")] = True,
    price_per_hour: PricePerHour = None,
    gpu_price_per_hour: GpuPricePerHour = None,
    data_dir: DataDir = None,
    cache_dir: CacheDir = None,
    hits: Annotated[int, typer.Option("--hits", min=1, help="With --html: top hits per system and query embedded in the per-query view.")] = 10,
    dataset_texts: Annotated[bool, typer.Option("--dataset/--no-dataset", help="With --html: load the dataset for query texts, product titles and judgements.")] = True,
) -> None:
    """Write LEADERBOARD.md (or, with --html, a web page) from result files: tables per dataset/split with
    significance letters, plots.

    Unreadable result files are reported and skipped; the newest result of each system is used.
    The same files and options give a byte-identical leaderboard. The page's per-query view reads the
    TREC run files beside the result files and the dataset (--data-dir) for texts and judgements.

    Examples:

      bench leaderboard results --output LEADERBOARD.md

      bench leaderboard results --html leaderboard.html --data-dir ~/data

      bench leaderboard /tmp/res-hd --test t-test --correction bonferroni --alpha 0.01
    """
    from leaderboard.commands import html_command
    from leaderboard.commands import leaderboard_command as build
    from leaderboard.html.queries import Caps, DataSource

    options = _stat_options(test, correction, alpha, permutations, seed)
    prices = _prices(price_per_hour, gpu_price_per_hour)
    if output is not None or html is None:
        build(results_dir, output or Path("LEADERBOARD.md"), options, plots, prices)
    if html is not None:
        html_command(results_dir, html, options, DataSource(data_dir, cache_dir, dataset_texts), Caps(hits=hits),
                     prices)


@app.command("compare")
def compare_command(
    systems: Annotated[list[str], typer.Argument(help="Result files, or retriever names/labels with --dataset.")],
    results_dir: Annotated[Path, typer.Option("--results-dir", help="Where to look up retriever names.")] = Path("results"),
    dataset: Annotated[str | None, typer.Option("--dataset", "-d", help="Dataset, when systems are given by name.")] = None,
    split: Annotated[str, typer.Option("--split", help="Split, when systems are given by name.")] = "test",
    metric: Annotated[list[str] | None, typer.Option("--metric", "-m", help="Metric to test, repeatable (default: NDCG@10, MRR@10, Recall@100).")] = None,
    markdown: Annotated[str | None, typer.Option("--markdown", help="Also write markdown to this file ('-': print it instead of tables).")] = None,
    alpha: StatAlpha = 0.05,
    test: StatTest = "permutation",
    correction: StatCorrection = "holm",
    permutations: StatPermutations = 10_000,
    seed: StatSeed = 42,
    price_per_hour: PricePerHour = None,
    gpu_price_per_hour: GpuPricePerHour = None,
) -> None:
    """Paired significance tests between two or more systems, with effect sizes and win/tie/loss.

    Examples:

      bench compare results/homedepot__test__bm25__20250101T000000Z.json results/homedepot__test__splade__20250101T000100Z.json

      bench compare bm25 splade dense --dataset homedepot --split test --results-dir /tmp/res-hd

      bench compare bm25 hybrid -d homedepot --metric NDCG@10 --test t-test --markdown compare.md
    """
    from leaderboard.commands import compare_command as compare

    compare(systems, results_dir, dataset, split, metric, _stat_options(test, correction, alpha, permutations, seed),
            markdown, _prices(price_per_hour, gpu_price_per_hour))


@app.command("explain")
def explain_command(
    retriever: Annotated[str | None, typer.Option("--retriever", "-r", help="bm25, splade, splade-ft[@NAME], dense, or hybrid:A+B (fused client side): its index must exist (bench run builds it).")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", "-d", help="The dataset whose index and judgements to use.")] = None,
    query: Annotated[str | None, typer.Option("--query", help="Query text (judgements shown when it is one of the dataset's queries).")] = None,
    query_id: Annotated[str | None, typer.Option("--query-id", help="A query of the dataset, by id.")] = None,
    product: Annotated[str | None, typer.Option("--product", help="A product id: where it ranks and what separates it from the top hit.")] = None,
    k: Annotated[int, typer.Option("-k", min=1, help="Hits shown.")] = 10,
    compare: Annotated[tuple[str, str] | None, typer.Option("--compare", help="Two sparse retrievers (e.g. splade splade-ft@NAME): their query vectors term by term.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Retriever setting key=value, as for bench run.")] = None,
    option: Options = None,
    data_dir: DataDir = None,
    cache_dir: CacheDir = None,
    qdrant_url: Annotated[str | None, typer.Option("--qdrant-url", envvar="QDRANT_URL", help="Qdrant server/cluster URL; default: embedded qdrant-edge.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Also write markdown to this file.")] = None,
) -> None:
    """Why products rank where they do for one query: each hit's judgement, score and matched terms.

    Sparse retrievers show every hit's terms with their contributions (BM25: query count x idf x saturated tf;
    SPLADE: query weight x document weight), which sum to the score, and mark query expansion terms; a dense
    retriever shows the cosine only. Reads the existing index; encodes only the query.

    Examples:

      bench explain -r splade-ft@hd-cpu -d homedepot --query "cordless drill" --product 100123456

      bench explain -r bm25 -d homedepot --query-id 1234 -k 5 --markdown why.md

      bench explain --compare splade splade-ft@hd-cpu --query "3/4 in. pvc elbow"
    """
    from benchmark.explain.commands import compare_command
    from benchmark.explain.commands import explain_command as run_explain
    from benchmark.explain.explain import ExplainRequest
    from benchmark.fusion.resolve import overrides_for

    base = ExplainRequest(retriever=retriever or "", dataset=dataset or "", query=query, query_id=query_id,
                          product=product, k=k, data_dir=data_dir, cache_dir=cache_dir, dataset_options=option or (),
                          qdrant_url=qdrant_url)
    if compare:
        compare_command(compare[0], compare[1], replace(base, dataset=dataset), as_json, markdown)  # type: ignore[arg-type]
        return
    if not retriever or not dataset:
        raise ShopbenchError("bench explain needs --retriever and --dataset (or --compare A B --query TEXT)")
    run_explain(replace(base, overrides=overrides_for(retriever, set_ or (), None)), as_json, markdown)


@app.command("diff")
def diff_command(
    systems: Annotated[list[str], typer.Argument(help="Two result files, or two retriever names/labels (with --dataset).")],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="The results' dataset (its queries, products and judgements).")],
    split: Annotated[str, typer.Option("--split", help="Split, when systems are given by name.")] = "test",
    metric: Annotated[str, typer.Option("--metric", "-m", help="Per-query metric of the result files.")] = "NDCG@10",
    top: Annotated[int, typer.Option("--top", min=1, help="Biggest wins and losses shown.")] = 20,
    results_dir: Annotated[Path, typer.Option("--results-dir", help="Where to look up retriever names.")] = Path("results"),
    data_dir: DataDir = None,
    cache_dir: CacheDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Also write markdown to this file.")] = None,
) -> None:
    """Per-query differences between two systems (B against A), from their result files.

    The biggest wins and losses with both systems' top 3 hits and judgements, and wins/ties/losses by query
    length, numbers and units, and judged@10. Two SPLADE systems also get what changed in their query vectors
    over the split's queries (terms whose weight grew or shrank most, weight on expansion terms, non-zeros).

    Examples:

      bench diff bm25 splade-ft@hd-cpu -d homedepot --data-dir ../shared/data/homedepot --results-dir results

      bench diff results/a.json results/b.json -d homedepot --metric MRR@10 --top 10 --markdown diff.md
    """
    from benchmark.explain.commands import diff_command as run_diff

    if len(systems) != 2:
        raise ShopbenchError(f"bench diff compares two systems, got {len(systems)}")
    run_diff(systems, results_dir, dataset, split, metric, top, data_dir, cache_dir, as_json, markdown)


@app.command("train")
def train_command(
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Training config YAML (see configs/train/).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override any config key: key=value, dotted (mining.rounds=1, datasets.0.max_pairs=5000).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Name to register the model under (config key `name`).")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Data folder for every dataset without its own data_dir.")] = None,
    on: Annotated[str, typer.Option("--on", help="local or modal.")] = "local",
    gpu: Annotated[str | None, typer.Option("--gpu", help="Modal GPU type (config key modal.gpu), e.g. A100, H100, L4.")] = None,
    detach: Annotated[bool, typer.Option("--detach", help="Modal: start the run (or a --sweep's runs) and return; prints the --fetch-call (or --resume) command that gets the result.")] = False,
    sweep: Annotated[Path | None, typer.Option("--sweep", help="Sweep YAML: one detached Modal GPU per config in parallel; registers the best by dev nDCG@10.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="With --sweep: re-attach to the started sweep of that file (starts runs that never started, collects all).")] = False,
    fetch: Annotated[str | None, typer.Option("--fetch", help="Download model NAME from the Modal checkpoint Volume (the default one, or that of --config / --set modal.checkpoint_volume=...) and register it.")] = None,
    fetch_call: Annotated[str | None, typer.Option("--fetch-call", help="Download and register the model of a detached Modal run, by the call id it printed (fc-...).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the resolved config and pair counts (leakage guard included); train nothing.")] = False,
    cache_dir: CacheDir = None,
    encode_on: Annotated[str, typer.Option("--encode-on", help="Training here: where the mining rounds and dev evaluation encode their catalogs (local or modal).")] = "local",
    workers: Annotated[int, typer.Option("--workers", min=1, help="With --encode-on modal: containers encoding chunks at once.")] = 4,
    report_to: Annotated[list[str] | None, typer.Option("--report-to", help="Experiment tracker to log to as well (config key report_to; repeatable): tensorboard (offline, events in the run folder), wandb or mlflow (each needs its package).")] = None,
) -> None:
    """Fine-tune SPLADE on train-split pairs (optionally with hard-negative mining rounds) and register it.

    The model goes to CACHE/models/NAME/ and is what `bench run -r splade-ft` (latest) or
    `-r splade-ft@NAME` uses. Rerunning an interrupted command resumes from its last checkpoint.

    Examples:

      bench train --config configs/train/hd-cpu.yaml --data-dir ../shared/data/homedepot

      bench train --config configs/train/esci.yaml --on modal --gpu H100 --set mining.rounds=2

      bench train --sweep configs/train/sweep-hd.yaml            (--resume: re-attach after Ctrl-C)

      bench train --config configs/train/esci.yaml --on modal --detach; then bench train --fetch-call fc-...

      bench train --config configs/train/hd-cpu.yaml --report-to tensorboard   (tensorboard --logdir CACHE/train-runs)
    """
    from benchmark.train.commands import train_command as run_train

    _check_model_name(name, "--name")
    _check_model_name(fetch, "--fetch")
    overrides = list(set_ or ())
    if report_to:
        trackers = [t.strip() for value in report_to for t in value.split(",") if t.strip()]
        overrides.append(f"report_to=[{', '.join(trackers)}]")
    if encode_on != "local" and on != "local":
        raise ShopbenchError("--encode-on is for training here (--on local): a Modal run encodes on its own GPU")
    remote = _remote_encoding(encode_on, gpu or "A10G", workers, cache_dir)
    run_train(config_path=config, overrides=overrides, name=name, data_dir=data_dir, on=on, gpu=gpu, detach=detach,
              sweep_path=sweep, fetch_name=fetch, dry_run=dry_run, cache_dir=cache_dir, fetch_call=fetch_call,
              resume=resume, remote_encoding=remote)


def _check_model_name(value: str | None, option: str) -> None:
    """A model name becomes a folder under CACHE/models/: no separators, no '..', nothing hidden."""
    from benchmark.train.config import NAME_CHARS

    if value is not None and (not value or not set(value) <= NAME_CHARS or value.startswith(".")):
        raise ShopbenchError(f"{option} {value!r}: a model name uses letters, digits, '.', '_' and '-' only "
                             "and does not start with '.'")


@app.command("demo")
def demo_command(
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Folder for everything the demo writes (results, leaderboard, model, cache).")] = Path("shopbench-demo"),
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Cache folder (default: OUTPUT_DIR/cache, never the user cache).")] = None,
    train_config: Annotated[Path | None, typer.Option("--train-config", help="Training config (default: configs/train/demo-cpu.yaml).")] = None,
    permutations: StatPermutations = 10_000,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Draw the leaderboard's PNG plots.")] = True,
) -> None:
    """The whole product offline on the bundled demo catalog, in a few minutes on a CPU.

    Runs bm25, splade, dense and hybrid (bundled models, embedded Qdrant);
    fine-tunes SPLADE-tiny on the demo's train split (about a minute);
    runs splade-ft with that model; prints the summary and `bench compare`;
    writes LEADERBOARD.md (+ plots) and COMPARE.md under OUTPUT_DIR.
    A second run replaces nothing: earlier leaderboard files move to OUTPUT_DIR/earlier/<time>/.

    Examples:

      bench demo

      bench demo --output-dir /tmp/shopbench-demo

      bench demo --train-config configs/train/demo-cpu.yaml --no-plots
    """
    from benchmark.app.demo import run_demo

    run_demo(output_dir, cache_dir=cache_dir, config_path=train_config, permutations=permutations, plots=plots)


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

"""The ``bench explain`` and ``bench diff`` commands: arguments in, tables / markdown / JSON out."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape as rich_escape
from rich.table import Table

from benchmark.core.console import console as log
from benchmark.datasets.registry import load_dataset
from benchmark.explain.diff import Diff, diff
from benchmark.explain.explain import ExplainError, ExplainRequest, explain, query_of
from benchmark.explain.render import diff_markdown, diff_tables, explanation_markdown, explanation_tables
from benchmark.explain.term_shift import splade_encoder, term_shift
from leaderboard.build import write_file
from leaderboard.markdown import escape, table
from leaderboard.resolve import select
from retrievers.registry import build, resolve_config
from retrievers.vocabulary import HasVocabulary


def _emit(tables: Sequence[Table | str], markdown: str, data: dict, as_json: bool, markdown_path: Path | None) -> None:
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        out = Console(highlight=False)
        for item in tables:
            out.print(item)
    if markdown_path:
        write_file(markdown_path, markdown.encode("utf-8"))
        log.print(f"[green]wrote[/] {rich_escape(str(markdown_path))}", highlight=False)


def explain_command(request: ExplainRequest, as_json: bool, markdown_path: Path | None) -> None:
    t0 = time.perf_counter()
    result = explain(request)
    log.print(f"[dim]explained in {time.perf_counter() - t0:.2f} s[/]")
    _emit(explanation_tables(result), explanation_markdown(result), result.as_dict(), as_json, markdown_path)


@dataclass(frozen=True)
class QueryComparison:
    """Two models' vectors of one query, term by term."""

    query: str
    a: str
    b: str
    rows: tuple[tuple[str, float, float, bool, bool], ...]  # term, weight A, weight B, expansion in A, in B


def compare_queries(a: str, b: str, request: ExplainRequest) -> QueryComparison:
    text = request.query
    if request.query_id is not None or text is None:
        if request.dataset is None:
            raise ExplainError("--query-id needs --dataset")
        dataset = load_dataset(request.dataset, data_dir=request.data_dir, cache_dir=request.cache_dir)
        text, _ = query_of(dataset, request.query, request.query_id)
    weights: list[dict[str, tuple[float, bool]]] = []
    for name in (a, b):
        retriever = build(name, resolve_config(name, (), cache_dir=request.cache_dir))
        encoder = retriever.encoders[0]
        if len(retriever.encoders) != 1 or not isinstance(encoder, HasVocabulary):
            raise ExplainError(f"{name}: --compare shows sparse query vectors (bm25, splade, splade-ft)")
        vocabulary = encoder.vocabulary()
        own = vocabulary.own_terms(text)
        vector = encoder.encode_queries([text])[0]
        weights.append({vocabulary.term(i): (w, i not in own) for i, w in zip(vector.indices.tolist(),
                                                                            vector.values.tolist(), strict=True)})
    terms = set(weights[0]) | set(weights[1])
    rows = sorted(((t, weights[0].get(t, (0.0, False))[0], weights[1].get(t, (0.0, False))[0],
                    weights[0].get(t, (0.0, False))[1], weights[1].get(t, (0.0, False))[1]) for t in terms),
                  key=lambda r: (-max(r[1], r[2]), r[0]))
    return QueryComparison(text, a, b, tuple(rows))


def compare_command(a: str, b: str, request: ExplainRequest, as_json: bool, markdown_path: Path | None) -> None:
    result = compare_queries(a, b, request)
    t = Table(title=f"{result.a} vs {result.b}: {result.query!r}", title_justify="left")
    for column in ("term", result.a, result.b, "Δ"):
        t.add_column(rich_escape(column), justify="left" if column == "term" else "right")

    def cell(weight: float, expansion: bool) -> str:
        return f"{weight:.3f}{'+' if expansion and weight else ''}" if weight else "—"

    for term, wa, wb, xa, xb in result.rows:
        t.add_row(rich_escape(term), cell(wa, xa), cell(wb, xb), f"{wb - wa:+.3f}")
    markdown = "\n".join([f"### {escape(result.a)} vs {escape(result.b)}: {escape(result.query)}", "", *table(
        ["term", escape(result.a), escape(result.b), "Δ"],
        [[escape(term), cell(wa, xa), cell(wb, xb), f"{wb - wa:+.3f}"] for term, wa, wb, xa, xb in result.rows],
        ["l", "r", "r", "r"]), "", "+: an expansion term (not produced by the query's own tokens).", "", ""])
    _emit([t, "+: an expansion term (not produced by the query's own tokens)"], markdown, asdict(result), as_json,
          markdown_path)


def diff_command(items: Sequence[str], results_dir: Path, dataset_name: str, split: str, metric: str, top: int,
                 data_dir: Path | None, cache_dir: Path | None, as_json: bool, markdown_path: Path | None) -> Diff:
    selection = select(items, results_dir, dataset_name, split)
    (first, second), (label_a, label_b) = selection.results, selection.labels
    dataset = load_dataset(dataset_name, data_dir=data_dir, cache_dir=cache_dir)
    if first.record.dataset.checksum != dataset.checksum:
        raise ExplainError(f"the results were made on another version of {dataset_name} (checksum "
                           f"{first.record.dataset.checksum[:12]}, the data here: {dataset.checksum[:12]})")
    shift = None
    encoders = (splade_encoder(first.record, cache_dir), splade_encoder(second.record, cache_dir))
    if encoders[0] is not None and encoders[1] is not None:
        view = dataset.split(first.record.dataset.split)
        shift = term_shift(encoders[0], encoders[1], list(view.queries.values()),
                           (first.record.efficiency.nnz_doc, second.record.efficiency.nnz_doc))
    result = diff((label_a, first.path, first.record), (label_b, second.path, second.record), dataset, metric, top,
                  shift)
    _emit(diff_tables(result), diff_markdown(result), result.as_dict(), as_json, markdown_path)
    return result

"""``bench explain`` / ``bench diff`` output: rich tables for the terminal, markdown for reports (every name,
query and title escaped as in the leaderboard), JSON for scripts (:meth:`as_dict` of the records)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape as rich_escape
from rich.table import Table

from benchmark.explain.contributions import Contribution
from benchmark.explain.diff import Diff, QueryDelta
from benchmark.explain.explain import Explanation, Hit, PartExplanation
from leaderboard.markdown import code, escape, signed, table

TERMS_SHOWN = 6  # contributions listed per hit
QUERY_TERMS_SHOWN = 25
EXPANSION_MARK = "+"  # after a term the query's own tokens do not produce
LEGEND = (f"term{EXPANSION_MARK}: a query expansion term (weighted by the model, not produced by the query's own "
          "tokens). Contributions (sum to the score): SPLADE query weight x document weight; BM25 query term count "
          "x idf x saturated term frequency.")


def _term(c: Contribution) -> str:
    return f"{c.term}{EXPANSION_MARK if c.expansion else ''} {c.value:.3f}"


def terms_text(terms: Sequence[Contribution] | None, shown: int = TERMS_SHOWN) -> str:
    if terms is None:
        return "(cosine)"
    if not terms:
        return "(no shared term)"
    text = ", ".join(_term(c) for c in terms[:shown])
    return text + (f", … {len(terms) - shown} more" if len(terms) > shown else "")


def _part_ranks(hit: Hit) -> str:
    return ", ".join(f"{name} #{rank}" if rank else f"{name} —" for name, rank in hit.part_ranks)


def _heading(e: Explanation) -> str:
    qid = f" (query id {e.query_id})" if e.query_id else " (free text: no judgements)"
    return f"{e.retriever} on {e.dataset}: {e.query!r}{qid}, top {e.k}"


# --------------------------------------------------------------------------------------------- terminal


def explanation_tables(e: Explanation) -> list[Table | str]:
    out: list[Table | str] = [f"[bold]{rich_escape(_heading(e))}[/]"]
    fused = bool(e.hits and e.hits[0].part_ranks)
    if fused:
        out.append(_hits_table("fused ranking", e.hits, fused=True))
    for part in e.parts:
        if part.query_terms:
            out.append(_query_table(part))
        out.append(_hits_table(f"{part.name}: hits" + (" (cosine only: a dense model has no terms)"
                                                        if part.kind == "dense" else ""), part.hits))
    if e.product:
        p = e.product
        where = f"rank {p.rank}" if p.rank else "not in the top 1000"
        lines = [(f"[bold]product {rich_escape(p.doc_id)}[/] {rich_escape(p.title)}: {where}, score {p.score:.4f}, "
                  f"{rich_escape(p.judgement.shown)}"),
                 f"  its terms: {rich_escape(terms_text(p.terms))}",
                 f"  the top hit's terms: {rich_escape(terms_text(p.top_terms))}",
                 f"  scoring terms of the top hit it lacks: {rich_escape(', '.join(p.missing) or 'none')}"]
        out.append("\n".join(lines))
    out.append(f"[dim]{rich_escape(LEGEND)}[/]")
    out.extend(f"[dim]{rich_escape(n)}[/]" for n in e.notes)
    return out


def _query_table(part: PartExplanation) -> Table:
    t = Table(title=f"{part.name}: query vector ({len(part.query_terms)} terms)", title_justify="left")
    for column in ("term", "weight", "from"):
        t.add_column(column, justify="right" if column == "weight" else "left")
    for term, weight, expansion in part.query_terms[:QUERY_TERMS_SHOWN]:
        t.add_row(rich_escape(term), f"{weight:.3f}", "expansion" if expansion else "query")
    return t


def _hits_table(title: str, hits: Sequence[Hit], fused: bool = False) -> Table:
    t = Table(title=title, title_justify="left")
    for column in ("#", "product", "title", "judgement", "score", "parts" if fused else "terms"):
        t.add_column(column, justify="right" if column in ("#", "score") else "left", overflow="fold")
    for h in hits:
        t.add_row(str(h.rank), rich_escape(h.doc_id), rich_escape(h.title[:60]), rich_escape(h.judgement.shown),
                  f"{h.score:.4f}", rich_escape(_part_ranks(h) if fused else terms_text(h.terms)))
    return t


# --------------------------------------------------------------------------------------------- markdown


def explanation_markdown(e: Explanation) -> str:
    lines = [f"### {escape(_heading(e))}", ""]
    fused = bool(e.hits and e.hits[0].part_ranks)
    if fused:
        lines += ["Fused ranking:", "", *_hits_md(e.hits, fused=True), ""]
    for part in e.parts:
        if part.query_terms:
            shown = ", ".join(f"{escape(t)}{EXPANSION_MARK if x else ''} {w:.3f}"
                              for t, w, x in part.query_terms[:QUERY_TERMS_SHOWN])
            lines += [f"{code(part.name)} query vector ({len(part.query_terms)} terms): {shown}", ""]
        lines += [f"{code(part.name)} hits" + (" (cosine only)" if part.kind == "dense" else "") + ":", "",
                  *_hits_md(part.hits), ""]
    if e.product:
        p = e.product
        where = f"rank {p.rank}" if p.rank else "not in the top 1000"
        lines += [(f"Product {code(p.doc_id)} {escape(p.title)}: {where}, score {p.score:.4f}, "
                   f"{escape(p.judgement.shown)}. Its terms: {escape(terms_text(p.terms))}. Scoring terms of the top "
                   f"hit it lacks: {escape(', '.join(p.missing) or 'none')}."), ""]
    lines += [escape(LEGEND), *[escape(n) for n in e.notes], ""]
    return "\n".join(lines) + "\n"


def _hits_md(hits: Sequence[Hit], fused: bool = False) -> list[str]:
    rows = [[str(h.rank), code(h.doc_id, in_table=True), escape(h.title), escape(h.judgement.shown), f"{h.score:.4f}",
             escape(_part_ranks(h) if fused else terms_text(h.terms))] for h in hits]
    return table(["#", "product", "title", "judgement", "score", "parts" if fused else "terms"], rows,
                 ["r", "l", "l", "l", "r", "l"])


def diff_markdown(d: Diff) -> str:
    counts = d.counts()
    lines = [f"### {escape(d.b)} vs {escape(d.a)} on {escape(d.dataset)} / {escape(d.split)}, {escape(d.metric)}", "",
             (f"Mean {escape(d.metric)}: {escape(d.a)} {d.mean_a:.4f}, {escape(d.b)} {d.mean_b:.4f} "
              f"({signed(d.mean_b - d.mean_a)}); {len(d.deltas)} queries: {counts['win']} wins, {counts['tie']} ties, "
              f"{counts['loss']} losses for {escape(d.b)}."), ""]
    for title, rows in (("Biggest wins", d.wins), ("Biggest losses", d.losses)):
        lines += [f"{title} of {escape(d.b)}:", "", *_deltas_md(d, rows), ""]
    lines += ["By query trait:", "", *table(
        ["trait", "bucket", "queries", "wins", "ties", "losses", "mean Δ"],
        [[escape(r.trait), escape(r.bucket), str(r.queries), str(r.wins), str(r.ties), str(r.losses),
          signed(r.mean_delta)] for r in d.by_trait], ["l", "l", "r", "r", "r", "r", "r"]), ""]
    if d.terms:
        lines += _terms_md(d)
    lines += [escape(n) for n in d.notes]
    return "\n".join(lines) + "\n"


def _top3(hits) -> str:  # type: ignore[no-untyped-def]
    return "<br>".join(f"{escape(h.title[:50])} ({escape(h.judgement.shown)})" for h in hits) or "—"


def _deltas_md(d: Diff, rows: Sequence[QueryDelta]) -> list[str]:
    return table(["query", escape(d.a), escape(d.b), "Δ", f"{escape(d.a)} top 3", f"{escape(d.b)} top 3"],
                 [[escape(r.query), f"{r.a:.4f}", f"{r.b:.4f}", signed(r.delta), _top3(r.top_a), _top3(r.top_b)]
                  for r in rows], ["l", "r", "r", "r", "l", "l"])


def _terms_md(d: Diff, esc=escape) -> list[str]:  # type: ignore[no-untyped-def]
    t = d.terms
    assert t is not None
    nnz_doc = " vs ".join(f"{v:.1f}" if v is not None else "—" for v in t.nnz_doc)
    return [
        (f"What changed in the query vectors, {esc(d.a)} -> {esc(d.b)} (over the split's queries; mean weight "
         "change per query):"), "",
        "- grew: " + esc(", ".join(f"{term} {v:+.3f}" for term, v in t.grew) or "none"),
        "- shrank: " + esc(", ".join(f"{term} {v:+.3f}" for term, v in t.shrank) or "none"),
        f"- share of query weight on expansion terms: {t.expansion_share[0]:.1%} vs {t.expansion_share[1]:.1%}",
        f"- non-zeros per query: {t.nnz_query[0]:.1f} vs {t.nnz_query[1]:.1f}; per document: {nnz_doc}", "",
    ]


def diff_tables(d: Diff) -> list[Table | str]:
    counts = d.counts()
    out: list[Table | str] = [
        (f"[bold]{rich_escape(d.b)} vs {rich_escape(d.a)}[/] on {rich_escape(d.dataset)} / {rich_escape(d.split)}, "
         f"{rich_escape(d.metric)}: {d.mean_a:.4f} -> {d.mean_b:.4f} ({signed(d.mean_b - d.mean_a)}); "
         f"{counts['win']} wins, {counts['tie']} ties, {counts['loss']} losses over {len(d.deltas)} queries")]
    for title, rows in (("biggest wins", d.wins), ("biggest losses", d.losses)):
        t = Table(title=f"{title} of {d.b}", title_justify="left")
        for column in ("query", d.a, d.b, "Δ", f"{d.a} top 3", f"{d.b} top 3"):
            t.add_column(rich_escape(column), overflow="fold")
        for r in rows:
            t.add_row(rich_escape(r.query), f"{r.a:.4f}", f"{r.b:.4f}", signed(r.delta),
                      rich_escape("\n".join(f"{h.title[:40]} ({h.judgement.shown})" for h in r.top_a)),
                      rich_escape("\n".join(f"{h.title[:40]} ({h.judgement.shown})" for h in r.top_b)))
        out.append(t)
    t = Table(title="by query trait", title_justify="left")
    for column in ("trait", "bucket", "queries", "wins", "ties", "losses", "mean Δ"):
        t.add_column(column)
    for r in d.by_trait:
        t.add_row(rich_escape(r.trait), rich_escape(r.bucket), str(r.queries), str(r.wins), str(r.ties), str(r.losses),
                  signed(r.mean_delta))
    out.append(t)
    if d.terms:
        out.append("\n".join(_terms_md(d, rich_escape)))
    out.extend(f"[dim]{rich_escape(n)}[/]" for n in d.notes)
    return out

"""`bench leaderboard --html`: the page's content, escaping, size handling and bytes (no browser needed).

The browser checks (sorting, per-query view, console errors, hostile strings as text) are in
tests/test_leaderboard_browser.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from html_fixtures import HITS, HOSTILE_MODEL, HOSTILE_NAME, QRELS, QUERIES, TITLES, build

from benchmark.app.cli import app
from leaderboard.html.build import build_html, sibling_path
from leaderboard.html.markup import el, json_script, json_text, text
from leaderboard.html.queries import Caps, DataSource
from leaderboard.options import StatOptions

FAST = StatOptions(permutations=200, bootstrap=100)


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return build(tmp_path_factory.mktemp("html"))


def page_of(fixture, tmp_path: Path, name: str = "board.html", **kwargs) -> str:
    kwargs.setdefault("source", DataSource(cache_dir=tmp_path / "cache"))
    report = build_html(fixture.results, tmp_path / name, FAST, **kwargs)
    return report.output.read_text(encoding="utf-8")


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    return parser.tags


def data_blocks(page: str) -> dict[str, dict]:
    found = re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', page, flags=re.DOTALL)
    return {block_id: json.loads(body) for block_id, body in found}


def test_the_same_results_give_the_same_bytes(fixture, tmp_path):
    first = page_of(fixture, tmp_path, "one.html")
    second = page_of(fixture, tmp_path, "two.html")
    assert first == second
    assert first.startswith("<!DOCTYPE html>")


def test_the_page_needs_no_network(fixture, tmp_path):
    page = page_of(fixture, tmp_path)
    for tag, attrs in tags(page):
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page


def test_hostile_strings_are_inert_and_no_event_handler_comes_from_data(fixture, tmp_path):
    page = page_of(fixture, tmp_path)
    for hostile in ("<img src=x", "<script>window", "<svg onload", "</script><script>"):
        assert hostile not in page
    scripts = [attrs for tag, attrs in tags(page) if tag == "script"]
    assert sum(1 for attrs in scripts if not attrs) == 1  # the page's own script
    assert all(attrs.get("type") == "application/json" for attrs in scripts if attrs)
    for tag, attrs in tags(page):
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert text(HOSTILE_NAME) in page and text(HOSTILE_MODEL) in page


def test_the_content_security_policy_allows_only_the_pages_own_script_and_style(fixture, tmp_path):
    page = page_of(fixture, tmp_path)
    policy = next(attrs["content"] for tag, attrs in tags(page)
                  if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+';", policy)


def test_the_tables_match_the_markdown_rows_letters_and_sort_keys(fixture, tmp_path):
    page = page_of(fixture, tmp_path)
    table = page[page.index('id="t1-table"'):page.index("</table>", page.index('id="t1-table"'))]
    rows = re.findall(r'<tr data-row="(\d)"><td data-sort="([a-z])">', table)
    assert rows == [("0", "a"), ("1", "b"), ("2", "c")]
    ndcg = [float(v) for v in re.findall(r'<td data-sort="([0-9.e-]+)" class="num"><span>', table)][0::3]
    assert ndcg == pytest.approx([0.425, 0.4, 0.3])
    assert table.count('<button type="button" class="sort"') >= 6
    assert "significantly better than row" in page and "Superscript x: significantly better than row x" in page


def test_every_row_has_its_provenance_and_reproduce_command(fixture, tmp_path):
    page = page_of(fixture, tmp_path)
    for letter in "abc":
        assert f'id="t1-{letter}"' in page
    assert page.count("bench run -r ") == 3
    assert "…/shop" in page  # the machine path of the catalog is shortened


def test_the_per_query_data_holds_the_runs_top_hits_and_the_qrels(fixture, tmp_path):
    page = page_of(fixture, tmp_path)
    data = data_blocks(page)["t1-queries"]
    assert data["qids"] == sorted(QUERIES)
    assert data["texts"] == [QUERIES[q] for q in data["qids"]]
    letters = {s["label"]: s["letter"] for s in data["systems"]}
    docs, titles = data["docs"], data["titles"]
    for name, per_query in HITS.items():
        hits = data["hits"][letters[name]]
        for position, qid in enumerate(data["qids"]):
            assert [docs[i] for i in hits[position]] == per_query[qid]
            assert [titles[i] for i in hits[position]] == [TITLES[d] for d in per_query[qid]]
    for position, qid in enumerate(data["qids"]):
        judged = {docs[i]: gain for i, gain in data["judged"][position]}
        shown = {d for per_query in HITS.values() for d in per_query[qid]}
        assert judged == {d: g for d, g in QRELS[qid].items() if d in shown}
    assert data["scores"]["NDCG@10"][letters["splade"]] == [0.8, 0.5, 0.3, 0.1]
    assert data["gainLabels"] == {"0": "0", "1": "1", "2": "2"} and data["relevantLevel"] == 1


def test_what_is_embedded_is_capped_and_the_page_says_so(fixture, tmp_path):
    page = page_of(fixture, tmp_path, caps=Caps(hits=2))
    data = data_blocks(page)["t1-queries"]
    assert max(len(h) for per_system in data["hits"].values() for h in per_system) == 2
    assert "the top 2 hits per system and query are embedded (the run files hold up to 4)" in page


def test_a_page_over_the_limit_loads_its_per_query_data_from_a_sibling_file(fixture, tmp_path):
    page = page_of(fixture, tmp_path, embed_limit=1000)
    sibling = sibling_path(tmp_path / "board.html")
    assert sibling.is_file() and not data_blocks(page)
    assert f'<script src="{sibling.name}"></script>' in page
    body = sibling.read_text()
    assert body.startswith("window.shopbenchQueries = ") and "\\u003cscript\\u003e" in body
    data = json.loads(body.removeprefix("window.shopbenchQueries = ").rstrip().rstrip(";"))
    assert list(data) == ["t1-queries"] and 'data-source="t1-queries"' in page
    assert f"is in {sibling.name} beside this page" in page


def test_without_the_dataset_the_page_says_why_and_still_shows_the_hits(tmp_path):
    moved = build(tmp_path / "moved")
    moved.data.rename(tmp_path / "elsewhere")
    page = page_of(moved, tmp_path, source=DataSource(tmp_path / "nowhere", tmp_path / "cache"))
    data = data_blocks(page)["t1-queries"]
    assert "texts" not in data and "judged" not in data and "titles" not in data
    assert [data["docs"][i] for i in data["hits"]["a"][0]] == HITS["splade"]["q1"]
    assert "not found here" in page and "pass --data-dir" in page and str(tmp_path) not in page
    off = page_of(moved, tmp_path, "off.html", source=DataSource(enabled=False))
    assert "(--no-dataset)" in off


def test_a_dataset_with_other_content_is_not_used(tmp_path):
    changed = build(tmp_path / "changed")
    queries = changed.data / "queries.jsonl"
    queries.write_text(queries.read_text().replace("hammer", "mallet"))
    page = page_of(changed, tmp_path)
    assert "texts" not in data_blocks(page)["t1-queries"]
    assert "has checksum" in page and changed.checksum[:12] in page


def test_the_quality_latency_plot_is_an_svg_with_a_point_per_system(fixture, tmp_path):
    page = page_of(fixture, tmp_path)
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert svg.count('<circle') == 3 and svg.count('class="point front"') >= 1
    assert text(HOSTILE_NAME) in svg  # in the hover title, escaped


def test_markup_refuses_event_handlers_and_scripts_and_json_cannot_close_its_block():
    with pytest.raises(ValueError):
        el("div", "x", onclick="alert(1)")
    with pytest.raises(ValueError):
        el("img", onError="alert(1)")
    with pytest.raises(ValueError):
        el("script", "alert(1)")
    block = json_script("d", {"x": "</script><script>alert(1)</script>", "y": "\u2028&"})
    assert block.count("</script>") == 1 and "<script>alert" not in block
    assert json.loads(json_text({"x": "</script>"})) == {"x": "</script>"}


def test_the_cli_writes_only_the_page_with_html_alone(fixture, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    out = tmp_path / "lb.html"
    result = CliRunner().invoke(app, ["leaderboard", str(fixture.results), "--html", str(out), "--permutations",
                                      "200", "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert out.is_file() and not (tmp_path / "LEADERBOARD.md").exists()
    assert "wrote" in result.output and "MB" in result.output


def test_several_tables_without_run_files_each_get_a_section_that_says_so(tmp_path):
    from test_leaderboard import standard_results

    results = standard_results(tmp_path / "results")
    report = build_html(results, tmp_path / "board.html", FAST, source=DataSource(enabled=False))
    page = report.output.read_text()
    assert report.tables == 2
    blocks = data_blocks(page)
    assert sorted(blocks) == ["t1-queries", "t2-queries"]
    for tid, data in blocks.items():
        assert all(hits is None for hits in data["hits"].values())
        assert f'id="{tid.removesuffix("-queries")}-per-query"' in page
    assert "no hits for row a: its run file dataset__test__" not in page
    assert re.search(r"no hits for row a: its run file [^ /]+\.trec is not beside its result file", page)
    assert str(tmp_path) not in page  # no machine path in a shared page

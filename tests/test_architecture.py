"""One-way architecture: no import cycle among the project's modules (read from the source by tests/architecture.py).

Lazy (function-level) imports count: they tie two modules together as much as top-level ones. Imports under
``if TYPE_CHECKING:`` do not: they never run (see tests/architecture.py).
"""

from __future__ import annotations

from pathlib import Path

from architecture import describe, import_cycles, import_graph

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("benchmark", "retrievers", "leaderboard")


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_project_has_no_import_cycle():
    cycles = import_cycles(REPO, PACKAGES)
    assert not cycles, "import cycles (module:line -> imported module):\n" + describe(cycles)


def test_the_graph_sees_the_project():
    """The check is not vacuous: it reads every package and finds their known imports, lazy ones included."""
    edges = {(e.source, e.target) for e in import_graph(REPO, PACKAGES)}
    assert ("benchmark.fusion.systems", "benchmark.fusion.run") in edges
    assert ("benchmark.fusion.run", "benchmark.pipeline.harness") in edges
    assert ("retrievers.analyzer", "retrievers.lucene_analyzer") in edges  # inside make_analyzer
    assert {source.split(".")[0] for source, _ in edges} == set(PACKAGES)


def test_a_cycle_through_a_lazy_import_is_reported(tmp_path):
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg import b\n",
        "pkg/b.py": "def late():\n    from . import a\n    return a\n",
        "pkg/c.py": "import pkg.a\n",  # imports into the cycle, is not part of it
    })
    cycles = import_cycles(tmp_path, ["pkg"])
    assert [sorted({(e.source, e.target) for e in edges}) for edges in cycles] == [
        [("pkg.a", "pkg.b"), ("pkg.b", "pkg.a")]]
    text = describe(cycles)
    assert "pkg.a:1 -> pkg.b" in text and "pkg.b:2 -> pkg.a" in text


def test_relative_and_package_imports_resolve(tmp_path):
    """``from . import x`` in a package's __init__, ``from ..m import f`` (a name, not a module) and
    ``import a.b.c`` (the deepest module) all resolve to the module they run."""
    write(tmp_path, {
        "top/__init__.py": "from . import sub\n",
        "top/sub/__init__.py": "from .leaf import thing\n",
        "top/sub/leaf.py": "from ..base import helper\nthing = 1\n",
        "top/base.py": "import top.sub.leaf\ndef helper():\n    pass\n",
    })
    edges = {(e.source, e.target) for e in import_graph(tmp_path, ["top"])}
    assert edges == {("top", "top.sub"), ("top.sub", "top.sub.leaf"), ("top.sub.leaf", "top.base"),
                     ("top.base", "top.sub.leaf")}
    assert [sorted({e.source for e in c}) for c in import_cycles(tmp_path, ["top"])] == [["top.base", "top.sub.leaf"]]


def test_type_checking_imports_are_left_out_unless_asked(tmp_path):
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg.b import B\n",
        "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\nclass B: ...\n",
    })
    assert import_cycles(tmp_path, ["pkg"]) == []
    assert len(import_cycles(tmp_path, ["pkg"], type_only=True)) == 1

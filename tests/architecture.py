"""The import graph of the project's packages, read from the source (AST), and its cycles.

Every ``import x`` and ``from x import y`` counts, wherever it is written: at module level, inside a function
(a lazy import still runs, so it still ties the two modules together) or under ``try``. Relative imports are
resolved against the importing module, and ``from pkg import name`` means the submodule ``pkg.name`` when
there is one. Imports under ``if TYPE_CHECKING:`` are recorded but left out of the cycle check by default:
they never run, so they cannot make an import-time cycle, and they are the sanctioned way for a lower module
to name a higher type in an annotation. Only edges between the given packages' modules are kept.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Edge:
    """One import: ``source`` imports ``target`` at ``line``; ``type_only`` under ``if TYPE_CHECKING:``."""

    source: str
    target: str
    line: int
    type_only: bool = False


def module_name(path: Path, root: Path) -> str:
    """``root/a/b/c.py`` is ``a.b.c``; ``root/a/b/__init__.py`` is ``a.b``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def find_modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module of the named top-level packages under ``root``, by dotted name."""
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            modules[module_name(path, root)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _import_nodes(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Each import statement anywhere in ``tree``, with whether it sits in the body of ``if TYPE_CHECKING:``."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, type_only = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, type_only
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend((child, True) for child in node.body)
            stack.extend((child, type_only) for child in node.orelse)
            continue
        stack.extend((child, type_only) for child in ast.iter_child_nodes(node))


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is a project module (``a.b.func`` is module ``a.b``)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def _from_base(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    anchor = package[: len(package) - (node.level - 1)]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def imports_of(module: str, path: Path, modules: Mapping[str, Path]) -> list[Edge]:
    """The project modules that ``module`` (at ``path``) imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    edges: list[Edge] = []
    for node, type_only in _import_nodes(tree):
        targets: list[str | None]
        if isinstance(node, ast.Import):
            targets = [_known(alias.name, modules) for alias in node.names]
        else:
            base = _from_base(node, module, is_package)
            targets = [_known(f"{base}.{alias.name}", modules) or _known(base, modules) for alias in node.names]
        edges.extend(
            Edge(module, target, node.lineno, type_only)
            for target in dict.fromkeys(targets)
            if target is not None and target != module
        )
    return edges


def import_graph(root: Path, packages: Iterable[str]) -> list[Edge]:
    """Every import between the modules of ``packages`` under ``root``."""
    modules = find_modules(root, packages)
    return [edge for name, path in modules.items() for edge in imports_of(name, path, modules)]


def strongly_connected(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iterative; only components that are cycles (two or more
    modules, or one that imports itself), each sorted, in sorted order."""
    graph: dict[str, list[str]] = {node: [] for node in nodes}
    for source, target in edges:
        graph.setdefault(source, []).append(target)
        graph.setdefault(target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    found.append(sorted(component))
    return sorted(found)


def import_cycles(root: Path, packages: Iterable[str], *, type_only: bool = False) -> list[list[Edge]]:
    """Each import cycle among ``packages`` as the edges inside its strongly connected component.
    ``type_only=True`` also counts imports under ``if TYPE_CHECKING:``."""
    packages = list(packages)
    edges = [edge for edge in import_graph(root, packages) if type_only or not edge.type_only]
    components = strongly_connected(find_modules(root, packages), ((e.source, e.target) for e in edges))
    return [
        [edge for edge in edges if edge.source in members and edge.target in members]
        for members in map(set, components)
    ]


def describe(cycles: Iterable[list[Edge]]) -> str:
    """The cycles as text: one block per component, one ``source:line -> target`` line per edge."""
    blocks = []
    for edges in cycles:
        members = sorted({edge.source for edge in edges})
        lines = [f"  {edge.source}:{edge.line} -> {edge.target}" for edge in edges]
        blocks.append(f"cycle among {', '.join(members)}:\n" + "\n".join(lines))
    return "\n".join(blocks)

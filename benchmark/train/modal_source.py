"""Which of this project's packages the Modal image must ship: those the remote entry point imports.

The container imports :mod:`benchmark.train.modal_app` and calls ``run_job``, which imports the trainer, which
imports the model card, which imports ``leaderboard`` ... A hand-kept list of packages misses such an edge (it
did: ``leaderboard``), so the list is derived here: starting from the entry module, every ``import`` statement
is read from the source (at any depth: a function's lazy import counts as much as a module-level one) and
followed while it stays inside this project's top-level packages. Nothing is imported to find them.

This project's top-level packages are the packages beside ``benchmark`` that belong to its distribution
(``shopbench``: ``benchmark``, ``leaderboard``, ``retrievers``); without installed metadata (inside the
container, where the sources are mounted), every package beside ``benchmark``.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ENTRY_MODULE = "benchmark.train.modal_app"
ANCHOR = "benchmark"  # the package whose distribution (or folder) defines "this project"


@cache
def package_dir(top: str) -> Path | None:
    """The folder of top-level package ``top`` (found without importing it), or None."""
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def project_packages() -> frozenset[str]:
    """The top-level package names of this project: beside ``benchmark`` and, where the install says, of its
    distribution (so an unrelated package that sits beside it, as in site-packages, is not one)."""
    anchor = package_dir(ANCHOR)
    if anchor is None:  # pragma: no cover - this module is inside it
        return frozenset({ANCHOR})
    beside = {p.name for p in anchor.parent.iterdir() if (p / "__init__.py").is_file()}
    distributions = packages_distributions()
    owners = set(distributions.get(ANCHOR, ()))
    if not owners:
        return frozenset(beside)
    return frozenset(top for top in beside if owners & set(distributions.get(top, ())))


def module_file(module: str) -> Path | None:
    """The source file of dotted ``module`` of this project (``a/b.py`` or ``a/b/__init__.py``), or None."""
    top, *rest = module.split(".")
    base = package_dir(top) if top in project_packages() else None
    if base is None:
        return None
    path = base.joinpath(*rest)
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module name of ``from ..x import y`` inside ``module``."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    base = ".".join(parts[:max(keep, 0)])
    return f"{base}.{node.module}" if node.module else base


def imported_names(module: str, source: Path) -> set[str]:
    """Every module ``module`` (whose file is ``source``) may import: ``import a.b`` gives a.b; ``from a import
    b`` gives a and a.b (b may be a submodule); parents are added by the caller."""
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    is_package = source.name == "__init__.py"
    names: set[str] = set()
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node)
            if base:
                names.add(base)
                names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement in ``body`` and in the blocks nested in it (functions, classes, if, try, with, ...):
    an import is a statement, so expressions need no visit."""
    for node in body:
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(node, field, None)
            if isinstance(block, list):
                yield from _statements([b for b in block if isinstance(b, ast.stmt)])
            if field in ("handlers", "cases") and isinstance(block, list):
                for part in block:
                    yield from _statements(part.body)


def _with_parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


@cache
def imported_project_modules(entry: str = ENTRY_MODULE) -> frozenset[str]:
    """The modules of this project that importing ``entry`` and running its functions may import."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        for module in _with_parents(todo.pop()):
            if module in seen:
                continue
            source = module_file(module)
            if source is None:
                continue
            seen.add(module)
            todo.extend(imported_names(module, source))
    return frozenset(seen)


def shipped_packages(entry: str = ENTRY_MODULE) -> tuple[str, ...]:
    """The top-level packages of this project that ``entry`` reaches, sorted: what the image must carry."""
    return tuple(sorted({m.partition(".")[0] for m in imported_project_modules(entry)}))

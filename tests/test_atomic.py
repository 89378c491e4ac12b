"""benchmark.core.atomic: the one temp-file-then-rename write, and that no other module hand-writes one."""

from __future__ import annotations

import ast
import errno
import json
import os
import time
from pathlib import Path

import pytest

from benchmark.core import atomic, faults
from benchmark.core.atomic import OutputExistsError, OutputWriteError, atomic_write, remove_stale_temp_files
from benchmark.core.errors import ShopbenchError
from benchmark.ranking import runs

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("benchmark", "retrievers", "leaderboard")

# (module path, enclosing function) -> why a rename there is not a temp-file write that benchmark.core.atomic should do
ALLOWED = {
    ("benchmark/datasets/cache.py", "save_cached"): "moves whole cache folders (old one aside, the new one in)",
    ("benchmark/datasets/fetch.py", "_download"): "a resumable download's NAME.part, kept across runs, then renamed",
    ("benchmark/datasets/fetch.py", "_move_into_place"): "moves whole extracted folders",
    ("benchmark/datasets/fetch_hf.py", "fetch_esci_hf"): "moves a whole downloaded snapshot folder",
    ("benchmark/datasets/esci_hf.py", "_query_locales"): "pandas Series.rename, not a file",
    ("benchmark/train/fitting.py", "save_model"): "moves a whole saved model folder",
    ("benchmark/train/remote.py", "_download"): "moves a whole fetched model folder",
    ("benchmark/train/trainer.py", "_publish"): "moves a whole trained model folder",
    ("benchmark/train/model_admin.py", "remove"): "moves a whole model folder aside before deleting it",
    ("benchmark/train/model_admin.py", "export"): "moves a whole exported model folder into place",
}


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_failing_writer_leaves_no_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.json"

    def failing(handle):
        handle.write(b"half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        atomic_write(target, failing)
    assert _entries(tmp_path) == []


def test_a_failing_overwrite_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")

    def failing(handle):
        handle.write(b"new, half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, failing, overwrite=True)
    assert target.read_text() == "old" and _entries(tmp_path) == ["out.json"]


def test_no_clobber_refuses_an_existing_file(tmp_path):
    target = tmp_path / "run.trec"
    target.write_text("first")
    with pytest.raises(OutputExistsError, match="run.trec"):
        atomic.write_text(target, "second")
    assert target.read_text() == "first" and _entries(tmp_path) == ["run.trec"]
    assert isinstance(OutputExistsError(target), ShopbenchError)


def test_no_clobber_loses_to_a_writer_that_got_there_first(tmp_path):
    target = tmp_path / "run.trec"

    def racing(handle):  # another writer takes the name while we write
        target.write_text("theirs")
        handle.write(b"ours")

    with pytest.raises(OutputExistsError):
        atomic_write(target, racing)
    assert target.read_text() == "theirs" and _entries(tmp_path) == ["run.trec"]


def test_overwrite_replaces(tmp_path):
    target = tmp_path / "sub" / "state.json"
    atomic.write_json(target, {"a": 1}, overwrite=True)
    atomic.write_json(target, {"b": [1, 2]}, indent=2, sort_keys=True, newline=True, overwrite=True)
    assert target.read_text() == json.dumps({"b": [1, 2]}, indent=2) + "\n"
    assert atomic.write_bytes(target, b"\x00raw", overwrite=True) == target and target.read_bytes() == b"\x00raw"
    assert _entries(target.parent) == ["state.json"]


def test_the_temporary_file_is_recognisable_and_beside_the_target(tmp_path):
    seen: list[str] = []
    atomic_write(tmp_path / "x.npz", lambda handle: seen.extend(_entries(tmp_path)))
    (name,) = seen
    assert atomic.is_temp_file(name) and name.startswith(".tmp-x.npz.") and name.endswith(".tmp")


def test_a_failed_rename_removes_the_temporary_and_names_the_path(tmp_path, monkeypatch):
    target = tmp_path / "out.json"

    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OutputWriteError, match=rf"^cannot write {target}: No space left"):
        atomic.write_text(target, "x", overwrite=True)
    assert _entries(tmp_path) == []
    with pytest.raises(OSError, match="No space left") as raw:  # a caller that words the error itself
        atomic.write_text(target, "x", overwrite=True, wrap_errors=False)
    assert not isinstance(raw.value, ShopbenchError) and _entries(tmp_path) == []


def test_the_fault_point_fires_once_the_data_is_written_before_the_rename(tmp_path, monkeypatch):
    reached = []

    def point(name):
        reached.append((name, [n if not atomic.is_temp_file(n) else "TEMP" for n in _entries(tmp_path)]))

    monkeypatch.setattr(faults, "point", point)
    atomic.write_text(tmp_path / "r.json", "x", fault="some.point", fsync_dir=True)
    atomic.write_text(tmp_path / "s.json", "y")  # no fault point unless asked for
    runs.atomic_write(tmp_path / "t.trec", lambda handle: handle.write(b"q Q0 d 1 1 t\n"))
    assert reached == [("some.point", ["TEMP"]), ("result.before_rename", ["TEMP", "r.json", "s.json"])]


def test_runs_and_the_leaderboard_use_this_module():
    from leaderboard import build

    assert runs.OutputWriteError is OutputWriteError and runs.OutputExistsError is OutputExistsError
    assert build.atomic_write is atomic_write  # not taken from benchmark.ranking.runs (an upward import)


def test_stale_temporary_files_are_removed_and_nothing_else(tmp_path):
    old, young = tmp_path / ".tmp-a.json.x1.tmp", tmp_path / ".tmp-a.json.x2.tmp"
    kept = [tmp_path / "a.json", tmp_path / ".a.json.x3.tmp", tmp_path / "b.tmp"]
    for path in [old, young, *kept]:
        path.write_text("x")
    (tmp_path / ".tmp-folder.tmp").mkdir()
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    os.utime(kept[1], (an_hour_ago, an_hour_ago))
    assert remove_stale_temp_files(tmp_path, older_than_s=600) == 1
    assert not old.exists() and young.exists() and all(p.exists() for p in kept)
    assert (tmp_path / ".tmp-folder.tmp").is_dir()
    assert remove_stale_temp_files(tmp_path / "missing", 0) == 0


def _renames(tree: ast.AST) -> list[tuple[str, int, str]]:
    """(enclosing function, line, call) for each file rename/temp-file call in a module."""
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, func: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else func
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
                attr, owner = child.func.attr, child.func.value
                module = owner.id if isinstance(owner, ast.Name) else ""
                if (module, attr) in {("os", "replace"), ("os", "rename"), ("tempfile", "mkstemp"),
                                      ("tempfile", "NamedTemporaryFile")}:
                    found.append((func, child.lineno, f"{module}.{attr}"))
                elif attr in ("replace", "rename") and len(child.args) == 1 and not child.keywords:
                    found.append((func, child.lineno, f".{attr}"))  # Path.replace/rename (str.replace takes 2)
            visit(child, inner)

    visit(tree, "<module>")
    return found


def test_no_other_module_writes_a_temporary_file_and_renames_it():
    offending, used = [], set()
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if rel == "benchmark/core/atomic.py":
                continue
            for func, line, call in _renames(ast.parse(path.read_text(), rel)):
                if (rel, func) in ALLOWED:
                    used.add((rel, func))
                else:
                    offending.append(f"{rel}:{line} in {func}: {call}")
    assert not offending, "use benchmark.core.atomic (or allow-list with a reason):\n" + "\n".join(offending)
    assert used == set(ALLOWED), f"allow-list entries no longer needed: {sorted(set(ALLOWED) - used)}"


def test_the_rename_check_sees_hand_written_writes():
    code = ("import os, tempfile\ndef save(path):\n    tmp = path.with_suffix('.tmp')\n    tmp.write_text('x')\n"
            "    tmp.replace(path)\n    os.replace(tmp, path)\n    fd, name = tempfile.mkstemp()\n"
            "    return 'a'.replace('a', 'b')\n")
    assert _renames(ast.parse(code)) == [("save", 5, ".replace"), ("save", 6, "os.replace"),
                                         ("save", 7, "tempfile.mkstemp")]


def test_a_written_file_has_the_mode_of_any_new_file_not_mkstemps_0600(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    path = atomic.write_bytes(tmp_path / "page.html", b"<!DOCTYPE html>")
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
    reference = tmp_path / "plain.html"
    reference.write_bytes(b"x")
    assert path.stat().st_mode & 0o777 == reference.stat().st_mode & 0o777

"""Atomic file writes: a temporary file beside the target, then one rename (or a no-clobber hard link).

The lowest layer of the project: it imports only the standard library, :mod:`benchmark.core.errors` and
:mod:`benchmark.core.faults`, so every other module (the leaderboard included) may use it.

Readers of the target see the old file or the new one, never a partial one. Temporary files are named
``.tmp-<target name>.<random>.tmp`` (:data:`TEMP_PREFIX`, :data:`TEMP_SUFFIX`): what a killed process
leaves behind is recognisable, hidden from ``*.json``/``*.npz``/``*.trec`` globs, and can be swept by
:func:`remove_stale_temp_files`. A folder that is built and then renamed into place (a dataset cache, a
download) is made by :func:`temp_dir` under the same naming, so the same sweep finds it.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from benchmark.core import faults
from benchmark.core.errors import ShopbenchError

TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".tmp"
STALE_TEMP_S = 24 * 3600.0  # a temporary file untouched this long is a killed writer's leftover
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


def _file_mode() -> int:
    """The mode ``open()`` would give a new file under this process's umask (mkstemp's own is 0600)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


class OutputWriteError(ShopbenchError):
    """An output file could not be written (disk full, read-only folder, ...); nothing was replaced."""


class OutputExistsError(ShopbenchError):
    """An output file already exists and overwriting was not asked for."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        super().__init__(f"{self.path} already exists; refusing to overwrite it (pass overwrite=True to replace it)")


def is_temp_file(name: str) -> bool:
    """Whether a file name is one of :func:`atomic_write`'s temporary files."""
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def atomic_write(
    path: Path | str,
    write: Callable[[IO[bytes]], None],
    *,
    overwrite: bool = False,
    fault: str | None = None,
    fsync_dir: bool = False,
    wrap_errors: bool = True,
) -> Path:
    """Write a file through ``write(handle)`` into a temporary file beside ``path``, then move it in place.

    On any error (in ``write`` too) the temporary file is removed and ``path`` is untouched. Without
    ``overwrite`` an existing ``path`` raises :class:`OutputExistsError`; the final step is then a hard
    link, which fails rather than replaces when another writer got there first. ``fault`` names a
    :mod:`benchmark.core.faults` point reached after the data is written and synced, before the rename;
    ``fsync_dir`` also syncs the folder so the rename itself survives a power loss. A file-system error
    is an :class:`OutputWriteError` naming ``path``, or the ``OSError`` itself with ``wrap_errors=False``.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not overwrite and path.exists():
            raise OutputExistsError(path)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMP_PREFIX}{path.name}.", suffix=TEMP_SUFFIX)
        os.fchmod(fd, FILE_MODE)  # like any file the user creates: a page or result others may read
    except OSError as exc:
        if not wrap_errors:
            raise
        raise OutputWriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if fault is not None:
            faults.point(fault)
        if overwrite:
            os.replace(tmp, path)
        else:
            _link_no_clobber(tmp, path)
    except OSError as exc:
        if not wrap_errors:
            raise
        raise OutputWriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    if fsync_dir:
        _fsync_folder(path.parent)
    return path


def write_bytes(path: Path | str, data: bytes, **options: Any) -> Path:
    """:func:`atomic_write` of ``data`` (same keyword options)."""
    return atomic_write(path, lambda handle: handle.write(data), **options)


def write_text(path: Path | str, text: str, *, encoding: str = "utf-8", **options: Any) -> Path:
    """:func:`atomic_write` of ``text`` in ``encoding`` (same keyword options)."""
    return write_bytes(path, text.encode(encoding), **options)


def write_json(
    path: Path | str,
    data: Any,
    *,
    indent: int | None = None,
    sort_keys: bool = False,
    default: Callable[[Any], Any] | None = None,
    newline: bool = False,
    **options: Any,
) -> Path:
    """:func:`atomic_write` of ``data`` as JSON (``json.dumps`` options; ``newline`` ends the file with one)."""
    text = json.dumps(data, indent=indent, sort_keys=sort_keys, default=default) + ("\n" if newline else "")
    return write_text(path, text, **options)


def temp_dir(parent: Path | str, name: str) -> Path:
    """A new empty folder ``.tmp-<name>.<random>.tmp`` in ``parent`` (created if needed), to be renamed into place
    when complete; :func:`remove_stale_temp_files` removes it if its writer is killed."""
    Path(parent).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{name}.", suffix=TEMP_SUFFIX, dir=parent))


def remove_stale_temp_files(folder: Path | str, older_than_s: float) -> int:
    """Delete this module's temporary files and folders (:func:`temp_dir`) directly in ``folder`` last modified
    over ``older_than_s`` ago.

    They are what killed processes left; a live writer's file is younger (pick ``older_than_s`` well above
    the longest write). Other files and sub-folders are never touched; errors are ignored (another
    process may sweep at the same time). Returns how many were removed.
    """
    removed = 0
    cutoff = time.time() - older_than_s
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not is_temp_file(entry.name):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            elif entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
            else:
                continue
            removed += 1
        except OSError:
            continue
    return removed


def _link_no_clobber(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputExistsError(path) from None
    except OSError as exc:  # file system without hard links: check, then rename (a small race window)
        if exc.errno not in _NO_HARD_LINKS:
            raise
        if path.exists():
            raise OutputExistsError(path) from None
        os.replace(tmp, path)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

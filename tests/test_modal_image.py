"""What the Modal image ships (issue 18): this project's packages that the remote entry point imports, found
through modal's own listing of the files it would upload, and the library versions the tests run with.

The import test copies exactly the files Modal would put in the container's /root into a temp folder and
imports the remote entry point (and all of benchmark.train) in `python -I -S` whose sys.path is that folder plus
the venv's site-packages, without the editable install's finder: the repo checkout is not visible."""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

import pytest

pytest.importorskip("modal", reason="pip install 'shopbench[modal]'")

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from benchmark.train import modal_app, modal_source

REPO = Path(__file__).resolve().parents[1]
CONTAINER_ROOT = PurePosixPath("/root")  # where add_local_python_source puts packages (on the container's path)
# The packages whose versions decide what training computes: pinned exactly, to the versions tested here.
TESTED = ("torch", "sentence-transformers", "transformers", "accelerate", "datasets", "pydantic", "qdrant-client",
          "qdrant-edge-py")


def image_files(image) -> list[tuple[Path, PurePosixPath]]:
    """(local file, path in the container) for every file the image's local mounts upload, as modal lists them
    (``_Mount.entries`` -> ``_MountedPythonModule.get_files_to_upload()``), found through the image's deps."""
    from modal._utils.async_utils import synchronizer
    from modal.mount import _Mount

    stack, mounts, seen = [synchronizer._translate_in(image)], [], set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, _Mount):
            mounts.append(obj)
        stack.extend(obj._deps_())
    return [(Path(local), PurePosixPath(remote)) for mount in mounts for entry in mount.entries
            for local, remote in entry.get_files_to_upload()]


def test_the_image_ships_every_project_package_the_remote_entry_point_imports():
    files = image_files(modal_app.image)
    tops = {remote.relative_to(CONTAINER_ROOT).parts[0] for _, remote in files}
    assert {"benchmark", "retrievers", "leaderboard"} <= tops
    assert CONTAINER_ROOT / "leaderboard" / "markdown.py" in {remote for _, remote in files}
    assert CONTAINER_ROOT / "benchmark" / "datasets" / "demo" / "corpus.jsonl" in {r for _, r in files}  # package data
    assert not any("__pycache__" in str(remote) for _, remote in files)


def test_the_remote_entry_point_imports_from_the_shipped_files_alone(tmp_path):
    root = tmp_path / "root"
    for local, remote in image_files(modal_app.image):
        target = root / remote.relative_to(CONTAINER_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(local, target)
    script = (
        "import sys\n"
        f"sys.path[:0] = [{str(root)!r}]\n"
        # third-party packages; with -S their .pth files (the editable install's finder) are not read
        f"sys.path.extend({site.getsitepackages()!r})\n"
        "import importlib, pkgutil\n"
        "from benchmark.train import modal_app\n"
        "import benchmark.train.trainer  # what run_job imports\n"
        "import benchmark.train\n"
        "for info in pkgutil.walk_packages(benchmark.train.__path__, 'benchmark.train.'):\n"
        "    importlib.import_module(info.name)\n"
        "for name in ('benchmark', 'leaderboard', 'retrievers'):\n"
        f"    assert sys.modules[name].__file__.startswith({str(root)!r}), sys.modules[name].__file__\n"
        "print('imported', modal_app.run_job.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, cwd=tmp_path,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "imported run_job" in done.stdout


def test_the_shipped_packages_come_from_the_entry_points_imports():
    modules = modal_source.imported_project_modules()
    assert {"benchmark.train.trainer", "benchmark.train.card", "leaderboard.markdown", "retrievers.models"} <= modules
    assert modal_app.SOURCE_PACKAGES == modal_source.shipped_packages() == ("benchmark", "leaderboard", "retrievers")


def test_relative_and_nested_imports_are_followed(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text("def f():\n    try:\n        from .sib import x\n    except ImportError:\n"
                      "        import leaderboard.markdown\n")
    names = modal_source.imported_names("benchmark.train.mod", source)
    assert {"benchmark.train.sib", "benchmark.train.sib.x", "leaderboard.markdown"} <= names


def _pins() -> dict[str, Requirement]:
    return {canonicalize_name(r.name): r for r in map(Requirement, modal_app.PINNED)}


@pytest.mark.parametrize("package", TESTED)
def test_the_image_pins_the_versions_the_tests_run_with(package):
    try:
        installed = Version(version(package))
    except PackageNotFoundError:
        pytest.skip(f"{package} is not installed here")
    pin = _pins()[canonicalize_name(package)]
    assert str(pin.specifier) == f"=={installed.public}", f"image pins {pin}, tests run {package} {installed}"


def test_the_image_installs_every_dependency_of_the_project_and_of_training():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    needed = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["train"]]
    pins = _pins()
    missing = [str(r) for r in needed if canonicalize_name(r.name) not in pins]
    assert not missing, f"add to modal_app.PINNED: {missing}"
    assert all(len(r.specifier) for r in pins.values()), "every image requirement is pinned or bounded"

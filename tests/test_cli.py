from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import FIXTURES, REPO, shared

from benchmark.app.cli import app
from benchmark.core import paths as bench_paths


def bench(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmark.app.cli", *args],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=120,
    )


def _commands(group, prefix=()):
    import typer.main

    click_group = typer.main.get_command(group)
    stack = [(prefix, click_group)]
    while stack:
        path, command = stack.pop()
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            stack.append(((*path, name), sub))


def test_every_command_explains_itself_with_examples():
    from typer.testing import CliRunner

    runner = CliRunner()
    paths = list(_commands(app))
    assert ("data", "info") in paths and ("data", "fetch") in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, path
        assert "Example" in result.output, f"`bench {' '.join(path)} --help` shows no example"


def test_version():
    result = bench("--version")
    assert result.returncode == 0 and result.stdout.startswith("shopbench ")


def test_info_json_for_a_beir_folder():
    result = bench("data", "info", f"beir:{FIXTURES / 'beir'}", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["name"] == "beir:beir" and info["products"] == 4 and info["judgements"] == 6  # missing-doc is kept
    assert info["splits"] == {"test": {"queries": 2, "judgements": 4}, "train": {"queries": 1, "judgements": 2}}
    assert [a["kind"] for a in info["anomalies"]] == ["qrels-missing-docs"]
    assert len(info["checksum"]) == 64


def test_info_tables_show_counts_and_gain_histogram():
    result = bench("data", "info", "homedepot", "--data-dir", str(FIXTURES / "homedepot"))
    assert result.returncode == 0, result.stderr
    out = result.stderr  # rich output goes to the console (stderr); stdout is for --json
    for words in ("products", "judgements per gain", "train", "dev", "test", "conflicting-titles", "relevant"):
        assert words in out


def test_unknown_dataset_is_one_line_listing_valid_names():
    result = bench("data", "info", "amazon")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "unknown dataset 'amazon'; valid: esci, wands, homedepot, beir:PATH" in result.stderr


def test_bad_file_error_names_file_and_row(tmp_path):
    import shutil

    shutil.copytree(FIXTURES / "homedepot", tmp_path / "hd")
    path = tmp_path / "hd" / "train.csv"
    path.write_bytes(path.read_bytes().replace(b"2.33", b"7", 1))
    result = bench("data", "info", "homedepot", "--data-dir", str(tmp_path / "hd"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "train.csv" in result.stderr and "row 4" in result.stderr and "relevance" in result.stderr


@pytest.mark.realdata
def test_real_homedepot_info_is_stable_across_processes_and_caches(tmp_path):
    root = shared("homedepot")
    runs = [
        bench("data", "info", "homedepot", "--data-dir", str(root), "--json", env={"SHOPBENCH_CACHE_DIR": str(tmp_path / "a")}),
        bench("data", "info", "homedepot", "--data-dir", str(root), "--json", env={"SHOPBENCH_CACHE_DIR": str(tmp_path / "a")}),
        bench("data", "info", "homedepot", "--data-dir", str(root), "--json", "--no-cache"),
    ]
    infos = [json.loads(r.stdout) for r in runs]
    first = infos[0]
    assert first["queries"] == 9_435 and first["judgements"] == 59_262 and first["products"] == 45_753
    assert set(first["splits"]) == {"train", "dev", "test"}
    # pinned: the same content and the same split assignment on every machine and version
    assert first["checksum"] == "af0c522e433b92d3e6086abc7517facc9fed5f8da493d31d04528364f94d6167"
    assert {k: v["queries"] for k, v in first["splits"].items()} == {"train": 7525, "dev": 992, "test": 918}
    assert sum(s["queries"] for s in first["splits"].values()) == 9_435
    assert [g["count"] for g in first["judgements_per_gain"]] == [1691, 2405, 5492, 9490, 12952, 12040, 15192]
    for other in infos[1:]:
        assert other["splits"] == first["splits"] and other["checksum"] == first["checksum"]


@pytest.mark.parametrize("option", ["--data-dir", "--cache-dir"])
def test_a_home_folder_of_an_unknown_user_is_a_clear_error(option):
    data = [] if option == "--data-dir" else ["--data-dir", str(FIXTURES / "homedepot")]
    result = bench("data", "info", "homedepot", *data, option, "~no-such-user-shopbench/x")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "~no-such-user-shopbench/x" in result.stderr and "cannot expand '~'" in result.stderr


def test_unknown_user_home_in_beir_paths_and_model_names():
    from benchmark.core.errors import ShopbenchError
    from retrievers import models

    with pytest.raises(ShopbenchError, match="cannot expand"):
        bench_paths.expand("~no-such-user-shopbench", "data folder")
    with pytest.raises(models.ModelError, match="cannot expand"):
        models.resolve("~no-such-user-shopbench/model")

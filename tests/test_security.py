"""Security (issue 9, part 5): secrets never written, models load without running their code, system names
render inert in markdown/HTML, downloads refuse non-HTTPS redirects and verify published checksums, and names
that become paths cannot leave their folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from conftest import FIXTURES, REPO
from hostile import examples
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from benchmark.core.errors import ChecksumError, NetworkError, ShopbenchError, UnknownNameError
from benchmark.datasets import fetch as fetch_mod
from benchmark.datasets.fetch import RemoteFile, download, source_for
from benchmark.datasets.registry import DatasetRef, load_dataset
from benchmark.ranking.results import ResultRecord, SecretLeakError, load_result, result_stem, save_result
from benchmark.ranking.runs import Run
from retrievers import models
from retrievers.neural import ModelSettings, load_model

RESULTS = FIXTURES / "results" / "v1"
SENTINELS = {
    "QDRANT_API_KEY": "qdrant-sentinel-5b1e0c9f7a",
    "MODAL_TOKEN_ID": "ak-sentinel-3c8d2e61f0",
    "MODAL_TOKEN_SECRET": "as-sentinel-9f4a7b2c1d",
    "HF_TOKEN": "hf_sentinel7e3d9a0b4c",
}
EVIL = "x|<script>alert(1)</script>*[a](javascript:x)"


# --- secrets ---------------------------------------------------------------------------------------------------


def leaks(root: Path, texts: dict[str, str]) -> list[str]:
    """'file (VAR)' / 'stream (VAR)' for every sentinel value found in any file under ``root`` or in ``texts``."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found.extend(f"{path} ({var})" for var, value in SENTINELS.items() if value.encode() in data)
    for name, text in texts.items():
        found.extend(f"{name} ({var})" for var, value in SENTINELS.items() if value in text)
    return found


def test_leak_detector_finds_a_planted_secret(tmp_path: Path) -> None:
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "f.bin").write_bytes(b"\x00 x " + SENTINELS["HF_TOKEN"].encode() + b" \xff")
    assert leaks(tmp_path, {"stdout": "token=" + SENTINELS["MODAL_TOKEN_SECRET"]}) == [
        f"{tmp_path / 'deep' / 'f.bin'} (HF_TOKEN)", "stdout (MODAL_TOKEN_SECRET)"]


def _bench(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    bench = Path(sys.executable).with_name("bench")
    return subprocess.run([str(bench), *map(str, args)], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


def test_secrets_never_reach_results_runs_leaderboards_cards_or_logs(tmp_path: Path, monkeypatch) -> None:
    """A real `bench run` (demo, bm25, twice), `bench data info`, `bench leaderboard`, `bench compare`,
    `bench train --dry-run` and a model card, with sentinel secrets in the environment: no produced file and
    no captured output contains any of them."""
    env = {**os.environ, **SENTINELS, "SHOPBENCH_CACHE_DIR": str(tmp_path / "cache"),
           "SHOPBENCH_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1", "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("QDRANT_URL", None)
    results = tmp_path / "results"
    streams: dict[str, str] = {}
    steps = {
        "run": ["run", "-r", "bm25", "-d", "demo", "--output-dir", results],
        "run-k1": ["run", "-r", "bm25", "--set", "k1=1.2", "-d", "demo", "--output-dir", results],
        "info": ["data", "info", "demo", "--json"],
        "leaderboard": ["leaderboard", results, "--output", tmp_path / "LEADERBOARD.md", "--no-plots",
                        "--permutations", "200"],
        "dry-run": ["train", "--config", REPO / "configs" / "train" / "demo-cpu.yaml", "--dry-run"],
    }
    for name, args in steps.items():
        done = _bench(args, env, tmp_path)
        assert done.returncode == 0, f"{name}: {done.stderr[-2000:]}"
        streams[f"{name} stdout"], streams[f"{name} stderr"] = done.stdout, done.stderr
    jsons = sorted(results.glob("*.json"))
    assert len(jsons) == 2 and len(list(results.glob("*.trec"))) == 2
    done = _bench(["compare", *jsons, "--markdown", tmp_path / "COMPARE.md", "--permutations", "200"], env, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    streams["compare stdout"], streams["compare stderr"] = done.stdout, done.stderr
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = _bench(["run", "-r", "bm25", "-d", "demo", "--qdrant-url", f"http://127.0.0.1:{port}", "--output-dir",
                   tmp_path / "server-results"], env, tmp_path)  # the key is sent to a server that is not there
    assert done.returncode == 2 and "cannot connect" in done.stdout + done.stderr
    streams["server stdout"], streams["server stderr"] = done.stdout, done.stderr
    card_dir = tmp_path / "model"
    card_dir.mkdir()
    for key, value in SENTINELS.items():  # the card is written in this process: secrets in its environment
        monkeypatch.setenv(key, value)
    _write_model_card(card_dir)
    assert (tmp_path / "LEADERBOARD.md").is_file() and (tmp_path / "COMPARE.md").is_file()
    assert (card_dir / "README.md").is_file()
    assert leaks(tmp_path, streams) == []


def _write_model_card(folder: Path) -> None:
    from benchmark.train.card import write_card
    from benchmark.train.config import build_config
    from benchmark.train.trainer import RoundResult, TrainResult, hardware

    config = build_config({"name": "card-test", "datasets": [{"name": "demo", "dev_split": None}]})
    rounds = [RoundResult(round=0, model_dir=str(folder), train_s=1.0, steps=3, rows={"demo": 10},
                          dev={"demo": {"NDCG@10": 0.5}}, train_loss=0.25)]
    data = [{"dataset": "demo", "positive_rule": "gain >= 1", "train_split_queries": 40, "queries": 40,
             "pairs": 360, "leaked_dropped": 0, "dev_queries": 0}]
    write_card(folder, TrainResult("card-test", folder, config, rounds, data, 2.0, hardware()))


def test_a_record_holding_a_secret_is_refused_and_nothing_is_written(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", SENTINELS["HF_TOKEN"])
    record = load_result(RESULTS / "demo__test__bm25__20261125T191109Z.json")
    leaked = record.model_copy(update={"command": ["bench", "run", "--set", f"token={SENTINELS['HF_TOKEN']}"]})
    with pytest.raises(SecretLeakError, match="HF_TOKEN") as info:
        save_result(leaked, Run.from_hits({"q": [("d", 1.0)]}), tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert SENTINELS["HF_TOKEN"] not in str(info.value)  # the message names the variable, not the value


# --- model loading: no remote code, safetensors only, unless the user opts in --------------------------------


class _FakeEncoder:
    """Stands in for SentenceTransformer / SparseEncoder: records how it was constructed."""

    calls: ClassVar[list[tuple[str, dict]]] = []

    def __init__(self, path: str, **kwargs) -> None:
        _FakeEncoder.calls.append((path, kwargs))
        self.max_seq_length = 0


def _model_folder(tmp_path: Path, weights: list[str]) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    for name in weights:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"weights")
    return folder


def test_models_load_without_remote_code_and_with_safetensors_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(models.TRUST_REMOTE_CODE_ENV, raising=False)
    _FakeEncoder.calls.clear()
    folder = _model_folder(tmp_path, ["model.safetensors", "heads.pt"])
    load_model(_FakeEncoder, ModelSettings(str(folder), device="cpu"), "test")
    load_model(_FakeEncoder, ModelSettings("some-org/some-model", device="cpu"), "test")  # a hub id
    for _path, kwargs in _FakeEncoder.calls:
        assert kwargs["trust_remote_code"] is False
        assert kwargs["model_kwargs"] == {"use_safetensors": True}


@pytest.mark.parametrize("weights", [["pytorch_model.bin"], ["0_Transformer/pytorch_model.bin", "heads.pt"]])
def test_a_folder_with_only_pickle_weights_is_refused_unless_opted_in(tmp_path: Path, monkeypatch, weights) -> None:
    monkeypatch.delenv(models.TRUST_REMOTE_CODE_ENV, raising=False)
    _FakeEncoder.calls.clear()
    folder = _model_folder(tmp_path, weights)
    with pytest.raises(models.ModelError, match=r"only pickle weights.*SHOPBENCH_TRUST_REMOTE_CODE=1") as info:
        load_model(_FakeEncoder, ModelSettings(str(folder), device="cpu"), "test")
    assert str(folder) in str(info.value) and _FakeEncoder.calls == []
    monkeypatch.setenv(models.TRUST_REMOTE_CODE_ENV, "1")
    load_model(_FakeEncoder, ModelSettings(str(folder), device="cpu"), "test")
    assert _FakeEncoder.calls == [(str(folder), {"device": "cpu", "trust_remote_code": True, "model_kwargs": {}})]


def test_real_bundled_models_load_under_the_safe_defaults(monkeypatch) -> None:
    pytest.importorskip("cognition")
    from sentence_transformers import SparseEncoder

    monkeypatch.delenv(models.TRUST_REMOTE_CODE_ENV, raising=False)
    model, identity = load_model(SparseEncoder, ModelSettings("bundled:splade-tiny", device="cpu"), "SPLADE")
    assert identity.weights_sha256 and model.max_seq_length == 256


def test_bench_run_trust_remote_code_flag_is_the_opt_in(monkeypatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from benchmark.app import cli

    seen: list[str | None] = []

    def fake_resolve(name, values, cache_dir=None):  # stops the command before anything runs
        seen.append(os.environ.get(models.TRUST_REMOTE_CODE_ENV))
        raise ShopbenchError("stop")

    monkeypatch.setenv(models.TRUST_REMOTE_CODE_ENV, "0")  # recorded, so the flag's "1" is undone afterwards
    monkeypatch.setattr("benchmark.fusion.resolve.resolve_system", fake_resolve)
    runner = CliRunner()
    runner.invoke(cli.app, ["run", "-r", "dense", "-d", "demo", "--output-dir", str(tmp_path)])
    runner.invoke(cli.app, ["run", "-r", "dense", "-d", "demo", "--trust-remote-code", "--output-dir", str(tmp_path)])
    assert seen == ["0", "1"]


# --- names rendered inert in markdown / HTML ------------------------------------------------------------------

MD = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def _evil_results(folder: Path) -> list[Path]:
    """Three result files: systems named EVIL and 'bm25' on the demo, and one on a dataset named EVIL."""
    out = []
    for i, (src, changes) in enumerate([
        ("demo__test__bm25__20261125T191109Z.json", {"retriever": {"name": EVIL, "model_id": EVIL}}),
        ("demo__test__dense__20261125T191122Z.json", {"retriever": {"name": "bm25"}}),
        ("demo__test__splade__20261125T191112Z.json", {"dataset": {"name": EVIL}, "retriever": {"name": EVIL}}),
    ]):
        doc = json.loads((RESULTS / src).read_text())
        for part, values in changes.items():
            doc[part].update(values)
        path = folder / f"r{i}.json"
        path.write_text(json.dumps(doc))
        out.append(path)
    return out


def assert_inert(markdown: str) -> str:
    html = MD.render(markdown)
    assert "<script" not in html and "javascript:" not in re.sub(r">[^<]*<", "><", html)  # only in text nodes
    assert "<a " not in html and "<em>" not in html
    assert "x|&lt;script&gt;alert(1)&lt;/script&gt;*[a](javascript:x)" in html  # shown literally, nothing lost
    for table in re.findall(r"<table>.*?</table>", html, flags=re.DOTALL):
        header = len(re.findall(r"<th[ >]", table))
        assert all(len(re.findall(r"<td[ >]", row)) == header for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)
                   if "<td" in row)
    return html


def test_the_inertness_check_catches_a_raw_name() -> None:
    with pytest.raises(AssertionError):
        assert_inert(f"| a | b |\n|---|---|\n| {EVIL} | 1 |\n")


def test_system_and_model_names_render_inert_in_the_leaderboard(tmp_path: Path) -> None:
    from leaderboard.commands import leaderboard_command
    from leaderboard.options import StatOptions

    _evil_results(tmp_path)
    output = tmp_path / "LEADERBOARD.md"
    leaderboard_command(tmp_path, output, StatOptions(permutations=100, bootstrap=100), plots=False)
    text = output.read_text()
    assert text.count("## ") >= 2  # both datasets got a table
    assert_inert(text)


def test_system_names_render_inert_in_compare_markdown(tmp_path: Path, capsys) -> None:
    from leaderboard.commands import compare_command
    from leaderboard.options import StatOptions

    paths = _evil_results(tmp_path)[:2]
    out = tmp_path / "COMPARE.md"
    compare_command([str(p) for p in paths], tmp_path, None, "test", None,
                    StatOptions(permutations=100, bootstrap=100), str(out))
    assert_inert(out.read_text())


@examples(60)
@given(st.text(min_size=1, max_size=40))
def test_any_name_escapes_to_one_inert_table_cell(name: str) -> None:
    from leaderboard.markdown import escape, table

    html = MD.render("\n".join(table(["a", "b"], [[escape(name), "1"]], ["l", "r"])) + "\n")
    for tag in ("<script", "<a ", "<em>", "<strong>", "<img", "<code>", "<del>", "<s>", "<br"):
        assert tag not in html
    assert len(re.findall(r"<td[ >]", html)) == 2


def test_model_card_values_render_inert_and_cannot_edit_the_front_matter(tmp_path: Path) -> None:
    import yaml

    from benchmark.train.card import render
    from benchmark.train.config import build_config
    from benchmark.train.trainer import RoundResult, TrainResult

    base = "org/m\nlicense: evil\n---\n" + EVIL
    config = build_config({"name": "card-test", "base_model": base, "datasets": [{"name": "demo", "dev_split": None}]})
    rounds = [RoundResult(round=0, model_dir=str(tmp_path), train_s=1.0, steps=3, rows={EVIL: 10},
                          mined={EVIL: {"queries": 1}}, dev={EVIL: {"NDCG@10": 0.5}}, train_loss=0.25)]
    data = [{"dataset": EVIL, "positive_rule": EVIL, "train_split_queries": 1, "queries": 1, "pairs": 1,
             "leaked_dropped": 0, "dev_queries": 0}]
    card = render(TrainResult("card-test", tmp_path, config, rounds, data, 2.0, {"cpu": EVIL}))
    _, front, body = card.split("---\n", 2)
    assert yaml.safe_load(front) == {"library_name": "sentence-transformers", "base_model": base,
                                     "tags": ["sparse-encoder", "splade", "product-search", "shopbench"]}
    link = "[training_metrics.jsonl](training_metrics.jsonl)"  # the card's own link to the metrics file, no value's
    assert body.count(link) == 1
    assert_inert(body.replace(link, "training_metrics.jsonl"))


# --- downloads: redirect policy and published checksums ---------------------------------------------------------


def _client(routes: dict[str, httpx.Response], seen: list[str]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return routes.get(str(request.url), httpx.Response(404))
    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize("target", ["http://example.org/data.bin", "ftp://example.org/data.bin",
                                    "file:///etc/passwd", "//evil.example/x"])
def test_a_redirect_to_a_non_https_url_is_refused(tmp_path: Path, target: str) -> None:
    seen: list[str] = []
    routes = {"https://example.org/data.bin": httpx.Response(302, headers={"location": target}),
              "http://example.org/data.bin": httpx.Response(200, content=b"payload"),
              "http://evil.example/x": httpx.Response(200, content=b"payload")}
    if target.startswith("//"):  # scheme-relative: resolved against an http URL it would stay http
        routes["http://example.org/start"] = httpx.Response(302, headers={"location": target})
        url = "http://example.org/start"
    else:
        url = "https://example.org/data.bin"
    with _client(routes, seen) as client, pytest.raises(NetworkError, match="not https://"):
        download(RemoteFile(url, "data.bin"), tmp_path, client=client, progress=False)
    assert seen == [url] and list(tmp_path.iterdir()) == []


def test_https_redirects_are_followed_and_the_result_verified(tmp_path: Path) -> None:
    import hashlib

    body = b"the real bytes"
    seen: list[str] = []
    routes = {"https://a.example/f": httpx.Response(301, headers={"location": "https://b.example/g"}),
              "https://b.example/g": httpx.Response(302, headers={"location": "/h"}),
              "https://b.example/h": httpx.Response(200, content=body)}
    good = RemoteFile("https://a.example/f", "f.bin", sha256=hashlib.sha256(body).hexdigest())
    with _client(routes, seen) as client:
        assert download(good, tmp_path, client=client, progress=False).read_bytes() == body
    assert seen == ["https://a.example/f", "https://b.example/g", "https://b.example/h"]
    bad = RemoteFile("https://a.example/f", "g.bin", sha256="0" * 64)
    with _client(routes, []) as client, pytest.raises(ChecksumError, match="sha256 mismatch"):
        download(bad, tmp_path, client=client, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.bin"]


def test_a_redirect_loop_is_cut_off(tmp_path: Path) -> None:
    routes = {"https://a.example/f": httpx.Response(302, headers={"location": "https://a.example/f"})}
    seen: list[str] = []
    with _client(routes, seen) as client, pytest.raises(NetworkError, match="redirects"):
        download(RemoteFile("https://a.example/f", "f.bin"), tmp_path, client=client, progress=False)
    assert len(seen) == fetch_mod.MAX_REDIRECTS + 1 and list(tmp_path.iterdir()) == []


def test_published_checksums_are_pinned() -> None:
    esci = {f.filename: f for f in source_for("esci").files}
    assert esci["shopping_queries_dataset_examples.parquet"].sha256 == (
        "4a735b693b4a424a6fc67f5be6e4c811495c488bbf66d02a602d308b2744263a")
    assert esci["shopping_queries_dataset_products.parquet"].size == 1_108_857_465
    assert source_for("beir:scifact").files[0].md5 == "5f7d1de60b170fc8027bb7898e2efca1"
    for name in ("esci", "wands", "beir:scifact"):
        assert all(f.url.startswith("https://") for f in source_for(name).files)


def test_the_default_client_does_not_follow_redirects_by_itself() -> None:
    with fetch_mod._new_client(1.0) as client:
        assert client.follow_redirects is False


# --- names that become paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["beir:../../etc", "beir:..", "beir:/etc", "beir:..\\x", "BEIR:scifact/../..",
                                  "beir:a/b", "beir:", "esci/../x", "../esci", "/etc/passwd", "beir:.hidden"])
def test_fetch_refuses_names_that_are_paths(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnknownNameError):
        fetch_mod.fetch(name, tmp_path / "data", progress=False)
    assert not (tmp_path / "data").exists() and not (tmp_path.parent / "etc").exists()


@pytest.mark.parametrize("name", ["beir:.hidden", "beir:...", "beir:a\x00b", "beir:a\nb", "beir:" + "a" * 5000,
                                  "beir:~no-such-user-x/y"])
def test_beir_names_must_be_plain_names_or_existing_paths(tmp_path: Path, name: str) -> None:
    with pytest.raises(ShopbenchError) as info:
        load_dataset(name, data_dir=tmp_path, cache_dir=tmp_path / "cache")
    assert "\n" not in str(info.value) and len(str(info.value)) < 600
    assert not (tmp_path / "cache" / "datasets").exists()


def test_a_beir_path_outside_the_data_dir_is_only_read_and_caches_stay_inside(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "beir", tmp_path / "elsewhere" / "cat")
    data, cache = tmp_path / "data" / "sub", tmp_path / "cache"
    data.mkdir(parents=True)
    ref = f"beir:{data}/../../elsewhere/cat"
    ds = load_dataset(ref, data_dir=data, cache_dir=cache)
    assert ds.name == "beir:cat" and len(ds.queries) > 0
    (written,) = (cache / "datasets").iterdir()
    assert written.parent == cache / "datasets" and ".." not in written.name and "/" not in written.name
    with pytest.raises(ShopbenchError, match="qrels"):  # a real folder that is not a BEIR collection
        load_dataset("beir:../../..", data_dir=data, cache_dir=cache)


@examples(60)
@given(st.text(min_size=0, max_size=60), st.text(min_size=0, max_size=60), st.text(min_size=0, max_size=20))
def test_result_file_names_stay_in_the_output_folder(retriever: str, dataset: str, split: str) -> None:
    record = load_result(RESULTS / "demo__test__bm25__20261125T191109Z.json")
    data = record.model_dump()
    data["retriever"]["name"], data["dataset"]["name"], data["dataset"]["split"] = retriever, dataset, split
    stem = result_stem(ResultRecord.model_validate(data))
    assert re.fullmatch(r"[A-Za-z0-9._-]+", stem) and not stem.startswith(".") and ".." not in stem.split("__")
    assert stem.endswith(datetime(2026, 11, 25, 19, 11, 9, tzinfo=UTC).strftime("%Y%m%dT%H%M%SZ"))


def test_saved_results_with_hostile_names_land_in_the_output_folder(tmp_path: Path) -> None:
    record = load_result(RESULTS / "demo__test__bm25__20261125T191109Z.json")
    data = record.model_dump()
    data["retriever"]["name"], data["dataset"]["name"] = "../../../escape", "/etc/passwd"
    out = tmp_path / "out"
    path = save_result(ResultRecord.model_validate(data), Run.from_hits({"q": [("d", 1.0)]}), out)
    assert path.parent == out and {p.parent for p in tmp_path.rglob("*") if p.is_file()} == {out}


@pytest.mark.parametrize("option", ["--name", "--fetch"])
@pytest.mark.parametrize("bad", ["../../x", "a/b", "..", ".hidden", "", "a\\b", "/abs"])
def test_bench_train_refuses_model_names_that_are_paths(option: str, bad: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from benchmark.app import cli

    result = CliRunner().invoke(cli.app, ["train", option, bad, "--cache-dir", str(tmp_path), "--dry-run"])
    assert isinstance(result.exception, ShopbenchError) and "model name" in str(result.exception)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("variant", ["../../x", "/etc", "..", "a/../../b"])
def test_registered_model_names_that_are_paths_are_unknown_names(tmp_path: Path, variant: str) -> None:
    from retrievers.registry import resolve_config

    with pytest.raises(ShopbenchError):
        resolve_config(f"splade-ft@{variant}", cache_dir=tmp_path)


def test_dataset_ref_rejects_control_characters() -> None:
    for text in ("beir:a\x00b", "beir:a\rb"):
        with pytest.raises(ShopbenchError, match="control characters"):
            DatasetRef.parse(text)


def test_training_loads_its_base_model_under_the_same_safe_defaults(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("sentence_transformers")
    from benchmark.train import fitting

    monkeypatch.delenv(models.TRUST_REMOTE_CODE_ENV, raising=False)
    folder = _model_folder(tmp_path, ["pytorch_model.bin"])
    with pytest.raises(models.ModelError, match=r"only pickle weights"):
        fitting.load_model(str(folder), "cpu")
    calls: list[dict] = []

    def fake_encoder(path, **kwargs):
        calls.append(kwargs)
        raise OSError("stop here")

    monkeypatch.setattr(fitting, "SparseEncoder", fake_encoder)
    with pytest.raises(models.ModelError, match="cannot load"):
        fitting.load_model("some-org/some-model", "cpu")
    assert calls == [{"device": "cpu", "trust_remote_code": False, "model_kwargs": {"use_safetensors": True}}]

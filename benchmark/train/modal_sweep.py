"""`bench train --sweep`: one detached Modal call per config, collected by call id, the best registered here.

The runs are spawned in a *detached* app, so they do not depend on this terminal: Ctrl-C, a closed laptop or a
lost connection leaves them running. Each call id is written to a local sweep file as soon as it exists
(``<cache>/modal-sweeps/<sweep>-<hash>.json``, with each run's config and, once collected, its summary), so
``bench train --sweep FILE --resume`` re-attaches: it starts any run that never started, waits for the others
(``FunctionCall.get``), and ranks them by dev nDCG@10 only when every run has a result: an interrupted sweep is
never ranked as if complete. The best model is downloaded and registered; the others stay in the checkpoint
Volume (the command to fetch each is printed). Each run writes its own registry entry on the Volume
(:func:`retrievers.trained_models.write_run_record`): runs never rewrite a shared file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmark.core import atomic, paths
from benchmark.core.console import console
from benchmark.core.errors import ShopbenchError
from benchmark.train.config import TrainConfig
from benchmark.train.modal_client import LiveModal, ModalClient
from benchmark.train.modal_errors import explain, interrupted, is_session_error, translated
from benchmark.train.remote import call_result, check_modal_ready, fetch, fetch_command, on_gpu, upload_datasets
from retrievers.trained_models import now_iso

SWEEP_DIR = "modal-sweeps"


@dataclass
class SweepRun:
    name: str
    config_json: str
    call_id: str | None = None  # set once spawned
    summary: dict[str, Any] | None = None  # the call's result, or {"error": ...}; set once collected

    def config(self) -> TrainConfig:
        return TrainConfig.from_json(self.config_json)


@dataclass
class SweepState:
    sweep_file: str
    started_at: str
    runs: list[SweepRun] = field(default_factory=list)
    registered: str | None = None  # the local name of the best model, once registered

    def waiting(self) -> list[SweepRun]:
        return [run for run in self.runs if run.summary is None]


def state_path(sweep_file: Path, cache_dir: Path | str | None = None) -> Path:
    """The local sweep file of ``sweep_file`` (one per sweep file, by its absolute path)."""
    resolved = str(Path(sweep_file).resolve())
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:10]
    return paths.cache_dir(cache_dir) / SWEEP_DIR / f"{Path(sweep_file).stem}-{digest}.json"


def load_state(path: Path) -> SweepState | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        return SweepState(sweep_file=data["sweep_file"], started_at=data["started_at"],
                          runs=[SweepRun(**run) for run in data["runs"]], registered=data.get("registered"))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ShopbenchError(f"{path}: unreadable sweep file ({err}); remove it to start the sweep again") from None


def save_state(path: Path, state: SweepState) -> None:
    atomic.write_json(path, asdict(state), indent=2, newline=True, overwrite=True, wrap_errors=False)


def resume_command(sweep_file: Path, cache_dir: Path | str | None) -> str:
    return f"bench train --sweep {sweep_file} --resume" + (f" --cache-dir {cache_dir}" if cache_dir is not None else "")


def prepare(sweep_file: Path, configs: list[TrainConfig], cache_dir: Path | str | None, resume: bool) -> SweepState:
    """The state to work on: the saved one (``resume``), or a new one (refused while a started one is unfinished)."""
    path = state_path(sweep_file, cache_dir)
    saved = load_state(path)
    if resume:
        if saved is None:
            raise ShopbenchError(f"no started sweep of {sweep_file} to resume (looked for {path}); start it without "
                                 "--resume")
        return saved
    if saved is not None and saved.registered is None and any(run.call_id for run in saved.runs):
        raise ShopbenchError(f"a sweep of {sweep_file} started at {saved.started_at} has not been collected (its runs "
                             f"may still be running on Modal): {resume_command(sweep_file, cache_dir)} collects it; "
                             f"to start over instead, remove {path}")
    state = SweepState(sweep_file=str(Path(sweep_file).resolve()), started_at=now_iso(),
                       runs=[SweepRun(name=c.name, config_json=on_gpu(c).to_json()) for c in configs])
    save_state(path, state)
    return state


def spawn_missing(state: SweepState, path: Path, client: ModalClient, resume_hint: str) -> None:
    """Start every run without a call id, in one detached app; save each call id at once."""
    todo = [run for run in state.runs if run.call_id is None]
    if not todo:
        return
    upload_datasets([run.config() for run in todo], client)
    try:
        with client.session(detach=True):
            for run in todo:
                run.call_id = client.function(run.config()).spawn(run.config_json).object_id
                save_state(path, state)
    except KeyboardInterrupt:
        pass
    missing = [run.name for run in state.runs if run.call_id is None]
    if missing:  # modal's runner swallows Ctrl-C inside its `with`: check what was started
        started = len(state.runs) - len(missing)
        raise interrupted(f"stopped while starting the sweep: {started} of {len(state.runs)} runs started and keep "
                          f"running on Modal (detached); not started: {', '.join(missing)} (the one being started "
                          f"at Ctrl-C may be running too: `modal app list`). {resume_hint} starts those and "
                          "collects all")
    console.print(f"started {len(todo)} detached Modal call(s); sweep file {path}")


def collect(state: SweepState, path: Path, client: ModalClient, resume_hint: str) -> None:
    """Wait for each run's result (saved as it comes); a failed run is recorded, not fatal to the others."""
    for run in state.waiting():
        assert run.call_id is not None
        try:
            run.summary = call_result(client, run.call_id, None)
        except KeyboardInterrupt:
            done = len(state.runs) - len(state.waiting())
            raise interrupted(f"stopped waiting: {done} of {len(state.runs)} runs collected; the others keep "
                              f"running on Modal (detached). {resume_hint} collects them; nothing was ranked") from None
        except Exception as err:
            if is_session_error(err):
                raise
            run.summary = {"error": _run_error(err, run)}
        save_state(path, state)


def _run_error(err: Exception, run: SweepRun) -> str:
    clear = explain(err, f"the run {run.name} (call {run.call_id})")
    if clear is not None:
        return str(clear)
    return str(err) if isinstance(err, ShopbenchError) else f"{type(err).__name__}: {err}"


def rank(state: SweepState) -> list[tuple[TrainConfig, dict[str, Any]]]:
    """Every run, best dev nDCG@10 first; refuses a sweep with runs still waiting."""
    if state.waiting():
        raise ShopbenchError(f"{len(state.waiting())} sweep run(s) have no result yet: not ranking a partial sweep")
    results = [(run.config(), run.summary or {}) for run in state.runs]
    return sorted(results, key=lambda r: _score(r[1]), reverse=True)


def _score(summary: dict[str, Any]) -> float:
    score = summary.get("dev_ndcg10")
    return -1.0 if score is None else float(score)


def report(ranked: list[tuple[TrainConfig, dict[str, Any]]], cache_dir: Path | str | None) -> None:
    for config, summary in ranked:
        score = summary.get("dev_ndcg10")
        where = (f"; {fetch_command(summary['name'], config.modal, cache_dir)}" if summary.get("name") else "")
        console.print(f"{config.name}: " + (f"dev nDCG@10 {score:.4f}" if score is not None else
                                            summary.get("error", "no dev metric")) + where, highlight=False)


def sweep(sweep_file: Path, configs: list[TrainConfig], *, cache_dir: Path | str | None = None, resume: bool = False,
          detach: bool = False, client: ModalClient | None = None) -> list[tuple[TrainConfig, dict[str, Any]]]:
    """Start (or resume) the sweep, collect every run, register the best by dev nDCG@10; ``detach``: only start."""
    check_modal_ready()
    client = client or LiveModal()
    path = state_path(sweep_file, cache_dir)
    hint = resume_command(sweep_file, cache_dir)
    with translated("the Modal sweep"):
        state = prepare(sweep_file, configs, cache_dir, resume)
        spawn_missing(state, path, client, hint)
        if detach:
            console.print(f"the runs go on without this terminal; collect them with: {hint}", highlight=False)
            return []
        collect(state, path, client, hint)
        ranked = rank(state)
        report(ranked, cache_dir)
        if state.registered is not None:
            console.print(f"this sweep's best is registered already: {state.registered}")
            return ranked
        best_config, best = ranked[0]
        if best.get("dev_ndcg10") is None:
            raise ShopbenchError("no sweep run produced a dev nDCG@10")
        console.print(f"[green]best[/]: {best_config.name} (dev nDCG@10 {best['dev_ndcg10']:.4f})")
        entry = fetch(best["name"], best_config, cache_dir=cache_dir, local_name=best_config.name, client=client)
        state.registered = entry.name
        save_state(path, state)
        return ranked

"""Stand-ins for Modal, for the launcher tests (no credentials, no network).

:class:`FakeModal` has the launcher's client interface (benchmark.train.modal_client.ModalClient). Its sessions
swallow KeyboardInterrupt the way modal's runner does (modal/runner.py ``_run_app``: ``except KeyboardInterrupt:
... return``); its functions "train" by writing a model folder, the training record and the run's own registry
entry into the fake checkpoint Volume, naming the model NAME-2, ... where the Volume has NAME already (as the
trainer does against the Volume); its calls return, raise, or time out (builtin TimeoutError, as modal's
``FunctionCall.get`` does when no output came).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from benchmark.train.config import TrainConfig


class FileType(Enum):
    FILE = 1
    DIRECTORY = 2


@dataclass
class Entry:
    path: str
    size: int
    type: FileType = FileType.FILE


@dataclass
class FakeVolume:
    files: dict[str, bytes] = field(default_factory=dict)
    uploads: list[str] = field(default_factory=list)

    def listdir(self, prefix: str, recursive: bool = True) -> list[Entry]:
        key = prefix.strip("/") + "/"
        found = [Entry(p, len(b)) for p, b in sorted(self.files.items()) if p.startswith(key)]
        if not found:
            raise FileNotFoundError(prefix)
        return found

    def read_file(self, path: str) -> Iterator[bytes]:
        yield self.files[path]

    @contextmanager
    def batch_upload(self, force: bool = False) -> Iterator[Any]:
        yield self

    def put_file(self, local: str, remote: str) -> None:
        self.uploads.append(remote)

    def has_model(self, name: str) -> bool:
        return any(p.startswith(f"models/{name}/") for p in self.files)


@dataclass
class FakeCall:
    object_id: str
    outcome: Callable[[], dict[str, Any]]
    finished: bool = True

    def get(self, timeout: float | None = None) -> dict[str, Any]:
        if not self.finished:
            raise TimeoutError()
        return self.outcome()


class FakeFunction:
    def __init__(self, client: FakeModal, config: TrainConfig) -> None:
        self.client, self.config = client, config

    def remote(self, config_json: str) -> dict[str, Any]:
        self.client.remote_calls.append(config_json)
        if self.client.on_remote is not None:
            self.client.on_remote(config_json)
        return self.client.train(config_json)

    def spawn(self, config_json: str) -> FakeCall:
        if self.client.on_spawn is not None:
            self.client.on_spawn(config_json)
        call = FakeCall(f"fc-{next(self.client.ids)}", lambda: self.client.outcome(config_json))
        self.client.calls[call.object_id] = call
        self.client.spawned.append(config_json)
        return call


class FakeModal:
    """The launcher's Modal client, in memory."""

    def __init__(self, scores: dict[str, float] | None = None) -> None:
        self.volumes: dict[str, FakeVolume] = {}
        self.calls: dict[str, FakeCall] = {}
        self.spawned: list[str] = []
        self.remote_calls: list[str] = []
        self.sessions: list[bool] = []  # detach flag of each session
        self.ids = itertools.count(1)
        self.scores = scores or {}
        self.failures: dict[str, BaseException] = {}  # run name -> what its call raises
        self.on_remote: Callable[[str], None] | None = None
        self.on_spawn: Callable[[str], None] | None = None

    @contextmanager
    def session(self, detach: bool) -> Iterator[None]:
        self.sessions.append(detach)
        try:
            yield None
        except KeyboardInterrupt:
            return  # modal's runner: disconnects (stopping the app unless detached) and returns normally

    def function(self, config: TrainConfig) -> FakeFunction:
        return FakeFunction(self, config)

    def call(self, call_id: str) -> FakeCall:
        return self.calls[call_id]

    def volume(self, name: str, create: bool = False) -> FakeVolume:
        return self.volumes.setdefault(name, FakeVolume())

    def outcome(self, config_json: str) -> dict[str, Any]:
        config = TrainConfig.from_json(config_json)
        if config.name in self.failures:
            raise self.failures[config.name]
        return self.train(config_json)

    def train(self, config_json: str) -> dict[str, Any]:
        """What run_job returns, after writing what it writes into the checkpoint Volume."""
        config = TrainConfig.from_json(config_json)
        volume = self.volume(config.modal.checkpoint_volume)
        name = config.name
        for i in itertools.count(2):
            if not volume.has_model(name):
                break
            name = f"{config.name}-{i}"
        score = self.scores.get(config.name, 0.5)
        record = {"config": json.loads(config_json) | {"name": name}, "data": [{"dataset": "demo"}],
                  "rounds": [{"dev": {"demo": {"NDCG@10": score}}}], "hardware": {"gpu": "fake"}}
        volume.files[f"models/{name}/shopbench_train.json"] = json.dumps(record).encode()
        volume.files[f"models/{name}/model.safetensors"] = b"weights"
        volume.files[f"models/.runs/{name}.json"] = json.dumps(
            {"name": name, "path": f"models/{name}", "base_model": config.base_model, "registered_at": "now",
             "datasets": ["demo"], "dev_metrics": {"demo": {"NDCG@10": score}}, "extra": {}}).encode()
        return {"name": name, "model_path": f"models/{name}", "dev_ndcg10": score, "config_json": config_json}

"""The few Modal operations the launcher uses, behind one small interface (tests pass a stand-in).

:class:`LiveModal` is the real thing: a session is ``modal.enable_output()`` + ``app.run(detach=...)``; a
function is :data:`benchmark.train.modal_app.train_remote` with the config's GPU, timeout and Volumes; a call is
``modal.FunctionCall.from_id``; a Volume is ``modal.Volume.from_name``.

Note on sessions: modal's runner catches a KeyboardInterrupt raised inside ``with app.run()`` and returns
normally (modal/runner.py, ``_run_app``: ``except KeyboardInterrupt: ... return``; the app is stopped unless
detached). Code after a ``with`` block therefore cannot assume the block ran to its end: the launcher checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

from benchmark.train.config import TrainConfig


class ModalClient(Protocol):
    def session(self, detach: bool) -> AbstractContextManager[Any]: ...

    def function(self, config: TrainConfig) -> Any: ...  # .remote(config_json) / .spawn(config_json)

    def call(self, call_id: str) -> Any: ...  # .get(timeout=...) / .object_id

    def volume(self, name: str, create: bool = False) -> Any: ...  # .listdir / .read_file / .batch_upload


class LiveModal:
    """Modal itself (needs credentials and network; :func:`check_modal_ready` first)."""

    def session(self, detach: bool) -> AbstractContextManager[Any]:
        return _session(detach)

    def function(self, config: TrainConfig) -> Any:
        from benchmark.train import modal_app

        return modal_app.train_remote.with_options(**modal_app.options_for(config))

    def call(self, call_id: str) -> Any:
        import modal

        return modal.FunctionCall.from_id(call_id)

    def volume(self, name: str, create: bool = False) -> Any:
        import modal

        return modal.Volume.from_name(name, create_if_missing=create)


@contextmanager
def _session(detach: bool) -> Iterator[Any]:
    import modal

    from benchmark.train import modal_app

    with modal.enable_output(), modal_app.app.run(detach=detach) as app:
        yield app

"""Modal's own errors, at the launcher's boundary: one line that says what failed and what to do.

Every error modal raises derives from ``modal.exception.Error`` (modal/exception.py); the launcher's public
functions run inside :func:`translated`, which turns them into :class:`ModalError` (a ShopbenchError: the CLI
prints it on one line and exits 2). An interrupted run is :class:`ModalInterrupted`, a KeyboardInterrupt that
carries what happened to the remote side and how to get the result.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from contextlib import contextmanager

from benchmark.core.console import console
from benchmark.core.errors import ShopbenchError, one_line
from benchmark.train.config import MODAL_MAX_TIMEOUT_S
from benchmark.train.modal_credentials import AUTH_HELP


class ModalError(ShopbenchError):
    """Modal refused or failed a request."""


class ModalInterrupted(KeyboardInterrupt):
    """Ctrl-C (or a lost session) while a Modal run was starting or running; the message says where it stands."""


def _hints() -> list[tuple[type[BaseException], str]]:
    """(modal exception class, what to do), most specific first."""
    from modal import exception as e

    return [
        (e.AuthError, f"Modal rejected the credentials (an expired or revoked token?): {AUTH_HELP}"),
        (e.PermissionDeniedError,
         "the token's workspace may not do this: check `modal profile current` and the workspace's permissions"),
        (e.NotFoundError,
         ("Modal has no such object in this workspace/environment: check the Volume names (modal.data_volume, "
          "modal.checkpoint_volume), the call id, and MODAL_ENVIRONMENT")),
        (e.FunctionTimeoutError,
         (f"the run took longer than modal.timeout_s: rerun the same command to resume from its last checkpoint, "
          f"or raise modal.timeout_s (at most {MODAL_MAX_TIMEOUT_S})")),
        (e.OutputExpiredError,
         ("Modal no longer keeps this call's result: fetch the model by name (bench train --fetch NAME; "
          "`modal volume ls VOLUME models` lists them)")),
        (e.ResourceExhaustedError, "a Modal quota or rate limit was hit: wait, or ask for fewer/smaller GPUs"),
        (e.ImageBuildError,
         "the training image did not build: see the build log above (benchmark/train/modal_app.py PINNED)"),
        (e.InvalidError,
         ("Modal refused the request as invalid (a GPU type, Volume name or option): check the config's modal "
          "section")),
        (e.ConnectionError, "the connection to Modal failed: check the network and retry"),
        (e.VersionError, "this modal client is too old for Modal's servers: pip install -U 'modal>=1,<2'"),
        (e.Error, "Modal reported an error"),
    ]


def explain(err: BaseException, action: str) -> ModalError | None:
    """A :class:`ModalError` for a modal exception raised while doing ``action``; None for any other error."""
    try:
        hints = _hints()
    except ImportError:
        return None
    for kind, hint in hints:
        if isinstance(err, kind):
            detail = one_line(str(err) or repr(err), 300)
            return ModalError(f"{action} failed: {type(err).__name__}: {detail} ({hint})")
    return None


def is_session_error(err: BaseException) -> bool:
    """Whether ``err`` concerns the client's session with Modal (credentials, network) rather than one run."""
    from modal import exception as e

    return isinstance(err, (e.AuthError, e.PermissionDeniedError, e.ConnectionError, builtins.ConnectionError))


@contextmanager
def translated(action: str) -> Iterator[None]:
    """Run the body; a modal exception leaves as one clear :class:`ModalError`."""
    try:
        yield
    except ShopbenchError:
        raise
    except Exception as err:
        clear = explain(err, action)
        if clear is None:
            raise
        raise clear from None


def interrupted(message: str) -> ModalInterrupted:
    """Print what the interruption means for the remote side; return the exception to raise."""
    console.print(f"[yellow]interrupted:[/] {message}", highlight=False, soft_wrap=True)
    return ModalInterrupted(message)

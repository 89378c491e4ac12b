"""Can Modal be used from here? Credentials of the active profile and a reachable API host, checked in seconds.

The rules are modal's own (modal/config.py and modal/client.py, modal 1.x), read without importing modal:

- Settings come from the active profile of ``~/.modal.toml`` (or ``$MODAL_CONFIG_PATH``): ``$MODAL_PROFILE``,
  else the profile marked ``active = true``, else ``default``. Each setting KEY is overridden by the environment
  variable ``MODAL_<KEY>`` (set, even empty, it wins). Tokens of other profiles are not used.
- Two kinds of credentials, never both: a token (``token_id`` + ``token_secret``), or OAuth (``oauth_refresh_token``
  + ``oauth_client_id`` + exactly one of ``oauth_client_secret`` / ``oauth_jwt_key``).
- More than one active profile, or several profiles with none active (and no ``$MODAL_PROFILE``), is an error.
- ``server_url`` is a comma-separated list of API URLs tried in turn (default: api.modal.com, then api.modal2.com):
  Modal is reachable when one of them is.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from benchmark.core.errors import ShopbenchError

AUTH_HELP = ("run `modal setup` (or `python -m modal setup`) to store a token in ~/.modal.toml, "
             "or set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (from https://modal.com/settings/tokens)")
DEFAULT_SERVER_URL = "https://api.modal.com,https://api.modal2.com"  # modal.config.DEFAULT_SERVER_URL
TOKEN_KEYS = ("token_id", "token_secret")
OAUTH_KEYS = ("oauth_refresh_token", "oauth_client_id", "oauth_client_secret", "oauth_jwt_key")


class ModalUnavailable(ShopbenchError):
    """Modal cannot be used from here: package, credentials or network missing."""


def config_path() -> Path:
    return Path(os.environ.get("MODAL_CONFIG_PATH") or "~/.modal.toml").expanduser()


def read_profiles(path: Path) -> dict[str, dict[str, Any]]:
    """The profiles of Modal's config file ({} when there is none)."""
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ModalUnavailable(f"cannot read Modal's config {path}: {err}; fix it or run `modal setup`") from None
    if not all(isinstance(v, dict) for v in data.values()):
        raise ModalUnavailable(f"{path}: every entry of Modal's config must be a [profile] table")
    return data


def active_profile(profiles: dict[str, dict[str, Any]]) -> str:
    """``$MODAL_PROFILE``, else the profile with ``active = true``, else ``default`` (as modal decides)."""
    chosen = os.environ.get("MODAL_PROFILE")
    if chosen:
        return chosen
    return next((name for name, values in profiles.items() if values.get("active", False) is True), "default")


def profile_problem(profiles: dict[str, dict[str, Any]], profile: str, path: Path) -> str | None:
    """What modal would refuse about the profiles (its ``_check_config``), or None."""
    active = [name for name, values in profiles.items() if values.get("active", False) is True]
    if len(active) > 1:
        return (f"more than one Modal profile is active in {path} ({', '.join(active)}): "
                "run `modal profile activate NAME`")
    if len(profiles) > 1 and not active and profile == "default":
        return f"no Modal profile is active in {path}: run `modal profile activate NAME` or set MODAL_PROFILE"
    return None


def setting(key: str, profiles: dict[str, dict[str, Any]], profile: str) -> str | None:
    """Setting ``key``: ``$MODAL_<KEY>`` when set, else the active profile's value."""
    variable = f"MODAL_{key.upper()}"
    if variable in os.environ:
        return os.environ[variable]
    value = profiles.get(profile, {}).get(key)
    return None if value is None else str(value)


def credential_problem() -> str | None:
    """Why Modal would not authenticate with the active profile and environment, or None when it would."""
    path = config_path()
    profiles = read_profiles(path)
    profile = active_profile(profiles)
    problem = profile_problem(profiles, profile, path)
    if problem:
        return problem
    values = {key: setting(key, profiles, profile) for key in TOKEN_KEYS + OAUTH_KEYS}
    token = [values[k] for k in TOKEN_KEYS]
    oauth = [values[k] for k in OAUTH_KEYS]
    if any(token) and any(oauth):
        return f"profile '{profile}' sets both a token and OAuth credentials; Modal accepts one kind only"
    if any(oauth):
        refresh, client_id, secret, jwt_key = oauth
        if not refresh or not client_id or bool(secret) == bool(jwt_key):
            return (f"incomplete OAuth credentials in profile '{profile}': Modal needs oauth_refresh_token, "
                    "oauth_client_id and exactly one of oauth_client_secret / oauth_jwt_key")
        return None
    if all(token):
        return None
    if os.environ.get("MODAL_PROFILE") and profile not in profiles:
        return f"Modal profile '{profile}' (MODAL_PROFILE) is not in {path}: `modal profile list`; {AUTH_HELP}"
    if any(token):
        return f"profile '{profile}' has only half a token (token_id and token_secret are both needed): {AUTH_HELP}"
    return f"no Modal credentials found for profile '{profile}': {AUTH_HELP}"


def has_credentials() -> bool:
    return credential_problem() is None


def server_urls() -> list[str]:
    """The API URLs modal would try, in order."""
    profiles = read_profiles(config_path())
    raw = setting("server_url", profiles, active_profile(profiles)) or DEFAULT_SERVER_URL
    return [url.strip() for url in raw.split(",") if url.strip()]


def _endpoint(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    if not parsed.hostname:
        raise ModalUnavailable(f"MODAL_SERVER_URL / server_url entry {url!r} is not a URL")
    return parsed.hostname, parsed.port or (80 if parsed.scheme == "http" else 443)


def reachable(urls: list[str], timeout: float) -> list[str]:
    """Connection failures, one per URL; an empty list as soon as one URL answers."""
    failures = []
    for url in urls:
        host, port = _endpoint(url)
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            return []
        except OSError as err:
            failures.append(f"{host}:{port} ({err})")
    return failures


def check_modal_ready(timeout: float = 3.0) -> None:
    """Raise :class:`ModalUnavailable` unless the package, credentials and an API host are all there."""
    if importlib.util.find_spec("modal") is None:
        raise ModalUnavailable("the modal package is not installed: pip install 'shopbench[modal]'")
    problem = credential_problem()
    if problem:
        raise ModalUnavailable(problem)
    failures = reachable(server_urls(), timeout)
    if failures:
        raise ModalUnavailable(f"cannot reach Modal at {', '.join(failures)}; Modal needs outbound HTTPS")

"""The sign-in configuration (Streamlit's `[auth]` secrets) and the local-mode host rule.

Read here, not through `st.secrets`, so that an unreadable file is told apart from a missing
one: a secrets file that exists but cannot be read, or an `[auth]` section missing a key,
stops the app with a clear message — never a fallback to local mode (which is admin). Used
by the dashboard on every run and by `resultsboard serve` before it starts. No streamlit
import at module level: the command line imports this.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


class SignInConfigError(RuntimeError):
    """The sign-in configuration exists but cannot be used: the app must not start."""


def streamlit_secrets_files() -> list[Path]:
    """Where Streamlit reads secrets (its `secrets.files` option; `serve --secrets` sets it)."""
    from streamlit import config

    return [Path(p).expanduser() for p in config.get_option("secrets.files") or []]


def read_auth(paths: list[Path]) -> dict | None:
    """The `[auth]` table of the secrets files (later files win, as in Streamlit), or None
    when no file has one (local mode). SignInConfigError when a file that exists cannot be
    read or the table lacks what sign-in needs."""
    auth: dict | None = None
    for path in paths:
        if path.is_dir():
            continue  # a folder of Kubernetes-style secrets holds no [auth] table
        if not path.exists():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SignInConfigError(
                f"The secrets file {path} cannot be read ({_reason(exc)}). Fix it, or remove it to run in "
                "local single-user mode; the dashboard does not start without a readable sign-in configuration."
            ) from None
        if "auth" in data:
            if not isinstance(data["auth"], dict):
                raise SignInConfigError(f"The secrets file {path}: [auth] must be a table of sign-in settings.")
            auth = {**(auth or {}), **data["auth"]}
    if auth is None:
        return None
    missing = [k for k in AUTH_KEYS if not str(auth.get(k) or "").strip()]
    if missing:
        raise SignInConfigError(
            f"The sign-in configuration ([auth] in the secrets file) lacks {', '.join(missing)}: "
            f"it needs {', '.join(AUTH_KEYS)} (README, \"Sign-in and deployment\").")
    return auth


def _reason(exc: Exception) -> str:
    if isinstance(exc, tomllib.TOMLDecodeError):
        return f"not valid TOML: {exc}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return exc.strerror or "it cannot be opened"


def host_name(host: str) -> str:
    """The name part of a Host header ('127.0.0.1:8501' -> '127.0.0.1', '[::1]:8501' -> '::1')."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def local_host_refusal(headers) -> str | None:
    """Local mode answers the computer it runs on only: why a request is refused, or None.
    A page served under any other name (a DNS-rebinding page that resolves to 127.0.0.1, a
    proxy) is refused. `headers` is empty only where no browser sent a request (AppTest)."""
    if not headers:
        return None
    host = headers.get("Host") or headers.get("host") or ""
    if host_name(host) in LOOPBACK_NAMES:
        return None
    return (f"This dashboard runs in local single-user mode and answers only http://127.0.0.1 or "
            f"http://localhost on the computer it runs on, not '{host}'. To share it, configure sign-in "
            "(README, \"Sign-in and deployment\").")


def is_loopback(address: str) -> bool:
    import ipaddress

    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False

"""`resultsboard serve` and the sign-in configuration: an unreadable configuration stops
with a message (never local admin); a non-loopback address needs sign-in; local mode
answers 127.0.0.1 and localhost only; error details stay out of the browser."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_sqlite
from dashboard import serve as serve_module
from dashboard.signin import SignInConfigError, host_name, is_loopback, local_host_refusal, read_auth

AUTH = """[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "a-long-random-secret"
client_id = "resultsboard"
client_secret = "secret"
server_metadata_url = "http://127.0.0.1:9400/.well-known/openid-configuration"
"""


@pytest.mark.parametrize("headers, refused", [
    ({}, False),  # no browser request (AppTest): nothing to check
    ({"Host": "127.0.0.1:8501"}, False),
    ({"Host": "localhost:8501"}, False),
    ({"host": "LOCALHOST"}, False),
    ({"Host": "[::1]:8501"}, False),
    ({"Host": "rebind.example.org:8501"}, True),
    ({"Host": "127.0.0.1.nip.io:8501"}, True),
    ({"Host": "192.168.1.20:8501"}, True),
    ({"Host": ""}, True),
    ({"Origin": "http://127.0.0.1:8501"}, True),  # a request without Host
], ids=["no-request", "ip", "localhost", "folded", "ipv6", "rebinding", "lookalike", "lan", "empty", "no-host"])
def test_local_mode_answers_this_computer_only(headers, refused):
    refusal = local_host_refusal(headers)
    assert (refusal is not None) == refused
    if refused:
        assert "local single-user mode" in refusal and "configure sign-in" in refusal


@pytest.mark.parametrize("host, name", [("127.0.0.1:8501", "127.0.0.1"), ("[::1]:80", "::1"), ("Example.ORG", "example.org"), ("::1", "::1")])
def test_host_name(host, name):
    assert host_name(host) == name


@pytest.mark.parametrize("address, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
                                                ("0.0.0.0", False), ("10.0.0.5", False), ("example.org", False)])
def test_is_loopback(address, loopback):
    assert is_loopback(address) == loopback


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.mark.parametrize("files, outcome", [
    ([], None),
    (["missing.toml"], None),
    ([("plain.toml", 'other = "x"\n')], None),
    ([("auth.toml", AUTH)], "resultsboard"),
    ([("plain.toml", 'other = "x"\n'), ("auth.toml", AUTH)], "resultsboard"),
    ([("bad.toml", "[auth\nclient_id = 1")], "not valid TOML"),
    ([("latin.toml", b"[auth]\nclient_id = \"caf\xe9\"\n")], "not UTF-8 text"),
    ([("auth.toml", AUTH), ("bad.toml", "= broken")], "not valid TOML"),
    ([("partial.toml", "[auth]\nclient_id = \"x\"\n")], "lacks redirect_uri, cookie_secret, client_secret, server_metadata_url"),
    ([("blank.toml", AUTH.replace('"secret"', '""'))], "lacks client_secret"),
    ([("scalar.toml", 'auth = "yes"\n')], "[auth] must be a table"),
], ids=["none", "missing-file", "no-auth", "auth", "auth-later", "bad-toml", "not-utf8", "one-bad", "partial", "blank-key", "scalar"])
def test_read_auth(tmp_path, files, outcome):
    paths = [tmp_path / f if isinstance(f, str) else _write(tmp_path, *f) for f in files]
    if outcome is None:
        assert read_auth(paths) is None
    elif outcome == "resultsboard":
        assert read_auth(paths)["client_id"] == "resultsboard"
    else:
        with pytest.raises(SignInConfigError) as e:
            read_auth(paths)
        assert outcome in str(e.value)


@pytest.fixture
def served(monkeypatch):
    """`serve` with the exec replaced: records what it would start."""
    calls = []
    monkeypatch.setattr(serve_module, "serve", lambda **kw: calls.append(kw) or 0)
    monkeypatch.setattr(serve_module, "DEFAULT_SECRETS", [Path("/nonexistent/secrets.toml")])
    return calls


@pytest.mark.parametrize("args, secrets, code, message", [
    (["--address", "0.0.0.0"], None, 2, "Refusing to serve on 0.0.0.0"),
    (["--address", "10.1.2.3"], None, 2, "listens on 127.0.0.1 only"),
    (["--secrets", "nowhere.toml"], None, 2, "No such file: nowhere.toml"),
    (["--secrets", "{secrets}"], "[auth\n", 1, "cannot be read (not valid TOML"),
    (["--secrets", "{secrets}", "--address", "0.0.0.0"], "[auth]\nclient_id = 'x'\n", 1, "lacks redirect_uri"),
    (["--address", "127.0.0.1"], None, 0, "not configured — local single-user mode"),
    (["--secrets", "{secrets}", "--address", "0.0.0.0"], AUTH, 0, "Sign-in: configured"),
], ids=["any-address", "lan-address", "no-secrets-file", "bad-secrets", "partial-secrets", "local", "signed-in-any-address"])
def test_serve_refuses_what_would_open_the_data(run_cli, empty_sqlite_file, tmp_path, served, args, secrets, code, message):
    url = f"sqlite:///{copy_sqlite(empty_sqlite_file, tmp_path / 'db.sqlite')}"
    path = _write(tmp_path, "secrets.toml", secrets) if secrets else None
    result = run_cli(url, "serve", *[a.replace("{secrets}", str(path)) for a in args])
    assert result.returncode == code, result.stdout + result.stderr
    assert message in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    if code == 0:
        assert served[0]["address"] == args[args.index("--address") + 1]
    else:
        assert served == []


def test_the_streamlit_command_keeps_error_details_and_secrets_in_hand(tmp_path):
    command = serve_module.streamlit_command(8600, "0.0.0.0", [tmp_path / "s.toml"])
    pairs = dict(zip(command[5::2], command[6::2]))
    assert pairs["--server.address"] == "0.0.0.0"
    assert pairs["--client.showErrorDetails"] == "none"
    assert pairs["--secrets.files"] == str(tmp_path / "s.toml")
    assert pairs["--browser.gatherUsageStats"] == "false"
    default = serve_module.streamlit_command(8600)
    assert [default[i + 1] for i, a in enumerate(default) if a == "--secrets.files"] == [str(p) for p in serve_module.DEFAULT_SECRETS]

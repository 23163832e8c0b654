"""The sign-in harness: a local OpenID provider, a secrets file pointing Streamlit's
`st.login` at it, `resultsboard serve --secrets` on a copy of the demo database, the browser
steps of a sign-in and a sign-out, and what a page shows. Used by test_signin_browser.py
and test_signin_trusted_browser.py; reusable by any test that needs a real sign-in: import
the fixtures by name (`from signin import provider, signin_app, signin_browser, signin_db,
signin_config, signin_guard`) and override `signin_accounts` (the accounts: their claims
go to the provider, their user rows are added with `resultsboard users add` before the app
starts) and, if need be, `signin_config` (a resultsboard.toml of the module's own, e.g.
`write_config(..., trusted_issuers=[provider.issuer])`).

The provider is `oidc-provider-mock` (PyPI, the `test` extras), run in this process on a
thread (werkzeug), on 127.0.0.1 and a free port. How it is driven:

- `provider.set_user(sub, email=..., email_verified=...)` stores the claims a subject gets
  (`PUT /users/<sub>` with the claims as JSON; a later call replaces them; a subject never
  set gets only `email` = the subject). The ID token carries `sub`, `iss` (the provider's
  base URL, `http://127.0.0.1:PORT` = `provider.issuer`) and, for the `email` scope that
  `st.login` asks for, `email` and `email_verified` as set (leave `email_verified` out to
  send no such claim).
- The provider's authorization page (`/oauth2/authorize`) has one text field, `sub`, and an
  "Authorize" button: the browser types the subject and clicks, and is sent back to the
  app's `/oauth2callback` as that subject (`sign_in`). Any client id and secret are
  accepted; no nonce is required.
- Its end-session page (`/oauth2/end_session`, where Streamlit's `/auth/logout` sends the
  browser) has an "End session" button that returns to the app (`sign_out`).

The app's `redirect_uri` is `http://localhost:PORT/oauth2callback` and the browser opens
the app on `localhost` too (the sign-in state cookie is per host name). Every request is
checked by the guard of test_browser.py: nothing may leave 127.0.0.1/localhost (the
provider's pages ask a CDN for a stylesheet: it fails like any such request and is not counted, see SigninGuard).
"""
from __future__ import annotations

import io
import json
import os
import re
import secrets
import sqlite3
import threading
import unicodedata
import urllib.request
from contextlib import closing, contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

# Authlib adds an "always" filter for its deprecation warnings when first imported; imported
# here, before any test, pytest's own filters (pyproject.toml) come in front of it per test.
import authlib.deprecate  # noqa: F401, E402

from conftest import ROOT, checkout_env, copy_sqlite, forget_cli_engine
from servers import free_port, served
from test_browser import CHROMIUM_ARGS, Guard, _Reports, _test_failed, open_app, settle

STEP_TIMEOUT = 30_000  # ms: one browser step of a sign-in or sign-out


# --- the provider ---------------------------------------------------------------------------


class MockProvider:
    """oidc-provider-mock on 127.0.0.1, on a thread of this process."""

    def __init__(self):
        import werkzeug.serving
        from oidc_provider_mock import app

        self._server = werkzeug.serving.make_server("127.0.0.1", 0, app(), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def issuer(self) -> str:
        """The `iss` of its tokens (its base URL as the app's server reaches it)."""
        return self.url

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def start(self) -> "MockProvider":
        self._thread.start()
        with urllib.request.urlopen(self.metadata_url, timeout=10) as r:
            assert json.load(r)["issuer"] == self.issuer
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def set_user(self, sub: str, **claims) -> None:
        """The claims `sub` signs in with (e.g. email=..., email_verified=True)."""
        request = urllib.request.Request(f"{self.url}/users/{sub}", data=json.dumps(claims).encode(),
                                         method="PUT", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.status == 204, r.status


def write_secrets(path: Path, *, app_port: int, provider: MockProvider) -> Path:
    """A secrets.toml whose [auth] points Streamlit's sign-in at the provider."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "resultsboard-test"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n',
        encoding="utf-8",
    )
    return path


# --- the app --------------------------------------------------------------------------------


def write_config(path: Path, *, trusted_issuers: list[str]) -> Path:
    """The project's resultsboard.toml with `[access] trusted_issuers` set (for RESULTSBOARD_CONFIG)."""
    text = (ROOT / "resultsboard.toml").read_text(encoding="utf-8")
    line = "trusted_issuers = " + json.dumps(trusted_issuers)
    assert text.count("\ntrusted_issuers = []\n") == 1, "resultsboard.toml: no `trusted_issuers = []` line to set"
    path.write_text(text.replace("\ntrusted_issuers = []\n", f"\n{line}\n"), encoding="utf-8")
    return path


@contextmanager
def served_signin(db: Path, secrets_file: Path, port: int, config: Path | None = None):
    """`resultsboard serve` with sign-in read from `secrets_file`, on 127.0.0.1:port and the
    SQLite database `db`, run from a folder outside the checkout (this checkout first on the
    path); yields its base URL (on `localhost`, the host name of the redirect URI)."""
    env = checkout_env(DATABASE_URL=f"sqlite:///{db}", **({"RESULTSBOARD_CONFIG": str(config)} if config else {}))
    with served(db.parent, env, port=port, args=("--address", "127.0.0.1", "--secrets", str(secrets_file)),
                log_name="serve-signin.log"):
        yield f"http://localhost:{port}"


def resultsboard(database_url: str, *args: str) -> tuple[int, str]:
    """`resultsboard ARGS` in this process on `database_url` -> (exit code, stdout+stderr)."""
    from dashboard.cli import main

    out = io.StringIO()
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    forget_cli_engine()
    try:
        with redirect_stdout(out), redirect_stderr(out):
            try:
                code = main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        forget_cli_engine()
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old
    return int(code or 0), out.getvalue()


# --- the browser steps ------------------------------------------------------------------------


def sign_in(page, provider: MockProvider, sub: str, *, settle_page: bool = True) -> None:
    """Click "Sign in", be the subject `sub` at the provider, come back to the app (and
    wait until the page has finished drawing, unless settle_page is false)."""
    page.get_by_role("button", name="Sign in").first.click()
    page.wait_for_url(f"{provider.url}/oauth2/authorize*", timeout=STEP_TIMEOUT)
    page.locator('input[name="sub"]').fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(lambda url: not url.startswith(provider.url) and "oauth2callback" not in url, timeout=STEP_TIMEOUT)
    if settle_page:
        settle(page)


def sign_out(page, provider: MockProvider) -> None:
    """Click "Sign out", confirm at the provider's end-session page, come back to the app."""
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(f"{provider.url}/oauth2/end_session*", timeout=STEP_TIMEOUT)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(lambda url: not url.startswith(provider.url) and "oauth2callback" not in url, timeout=STEP_TIMEOUT)
    settle(page)


# --- what the database says each scope may see --------------------------------------------


def catalogue(db) -> dict[str, dict[str, str]]:
    """{"partner": {code: name}, "donor": {code: name}} of the demo (programme level aside)."""
    with closing(sqlite3.connect(db)) as conn:
        return {
            "partner": dict(conn.execute("SELECT code, name FROM partner WHERE code != ''")),
            "donor": dict(conn.execute("SELECT code, name FROM donor")),
        }


def funded_by(db, donor: str) -> set[str]:
    with closing(sqlite3.connect(db)) as conn:
        return {code for (code,) in conn.execute(
            """SELECT DISTINCT p.code FROM funding f JOIN donor d ON d.id = f.donor_id
               JOIN partner p ON p.id = f.partner_id WHERE d.code = ? AND p.code != ''""", (donor,))}


def shown(page, names: dict[str, str], echoed: tuple[str, ...] = ()) -> list[str]:
    """The codes among `names` whose code (a whole word) or name is on the page; for the
    `echoed` codes (the page address names them: a message may repeat it) only the name."""
    text = visible(page.locator("body").inner_text())
    return sorted(code for code, name in names.items()
                  if name in text or (code not in echoed and re.search(rf"\b{re.escape(code)}\b", text)))


# --- reading the page ---------------------------------------------------------------------------


def heading(page, text: str):
    return page.locator("h1, h2, h3").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def button(page, text: str):
    return page.get_by_role("button", name=text, exact=True)


def sidebar_filters(page) -> int:
    return page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"], '
                        '[data-testid="stSidebar"] [data-testid="stSelectbox"]').count()


def signed_in_captions(page):
    return page.locator('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]').filter(
        has_text=re.compile(r"^\s*Signed in:"))


def visible(text: str) -> str:
    """The text as read: without invisible format characters (a word joiner keeps an e-mail
    address from being turned into a link)."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def main_text(page) -> str:
    return visible(page.locator('[data-testid="stMain"]').inner_text())


def signed_in_caption(page) -> str:
    captions = signed_in_captions(page)
    return visible(captions.first.inner_text()) if captions.count() else ""


def multiselect_options(page, label: str) -> list[str] | None:
    """The codes a sidebar multiselect offers (its list is virtual: scrolled through), or
    None when there is no such filter."""
    widget = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))
    if not widget.count():
        return None
    widget.first.click()
    listbox = page.locator('[data-testid="stMultiSelectDropdown"] [role="listbox"]')
    listbox.wait_for()
    seen: set[str] = set()
    for _ in range(50):
        seen |= set(listbox.locator('[role="option"]').all_inner_texts())
        moved = listbox.evaluate("""el => {
            const before = el.scrollTop; el.scrollTop = before + el.clientHeight / 2; return el.scrollTop !== before; }""")
        if not moved:
            break
        page.wait_for_timeout(50)
    seen |= set(listbox.locator('[role="option"]').all_inner_texts())
    page.keyboard.press("Escape")
    listbox.wait_for(state="detached")
    seen = {visible(t) for t in seen}
    return sorted(t.split(" — ")[0].strip() for t in seen if t.strip() and t.strip() != "Select all")


def assert_sign_in_page(page, everything: dict[str, dict[str, str]]) -> None:
    assert heading(page, "Sign in").count() == 1 and button(page, "Sign in").count() == 1, page.url
    assert page.get_by_text("Page not found").count() == 0, f"{page.url}: a 'Page not found' dialog covers the sign-in page"
    assert button(page, "Sign in").is_enabled()
    assert signed_in_caption(page) == ""
    assert sidebar_filters(page) == 0, "the sign-in page shows the sidebar filters"
    assert shown(page, everything["partner"]) == [] and shown(page, everything["donor"]) == []


def assert_no_access_page(page, everything: dict[str, dict[str, str]]) -> None:
    assert heading(page, "No access").count() == 1 and button(page, "Sign out").count() == 1, page.url
    assert page.get_by_text("Page not found").count() == 0, f"{page.url}: a 'Page not found' dialog covers the no-access page"
    assert heading(page, "Sign in").count() == 0
    assert sidebar_filters(page) == 0, "the no-access page shows the sidebar filters"
    assert shown(page, everything["partner"]) == [] and shown(page, everything["donor"]) == []


def signed_in_page(guard, app, provider, sub: str, *, landing: bool = True):
    """A new guarded page, signed in as `sub`: settled on the page the sign-in returns to
    (the overview) or, with landing=False for a caller that opens another page next, as soon
    as the sidebar says who is signed in (the overview need not finish drawing first)."""
    page = guard.new_page()
    open_app(page, app.base, "")
    sign_in(page, provider, sub, settle_page=landing)
    if not landing:
        signed_in_captions(page).first.wait_for()
    return page


# --- fixtures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A provider account, and the user row (if any) registered for its e-mail."""

    sub: str
    email: str
    email_verified: bool | None = True  # None: the provider sends no such claim
    role: str | None = None  # None: no user row
    donor: str | None = None
    partner: str | None = None

    @property
    def claims(self) -> dict:
        claims = {"email": self.email}
        if self.email_verified is not None:
            claims["email_verified"] = self.email_verified
        return claims

    def users_add(self) -> list[str]:
        """The arguments of `resultsboard users add` for this account's user row."""
        scope = ["--donor", self.donor] if self.donor else ["--partner", self.partner] if self.partner else []
        return ["users", "add", self.email, "--role", self.role, *scope]


@dataclass(frozen=True)
class SigninApp:
    base: str  # http://localhost:PORT
    db: Path
    database_url: str
    secrets_file: Path


@pytest.fixture(scope="module")
def provider():
    p = MockProvider().start()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def signin_db(tmp_path_factory, demo_sqlite_file) -> Path:
    return copy_sqlite(demo_sqlite_file, tmp_path_factory.mktemp("signin") / "demo.db")


@pytest.fixture(scope="module")
def signin_accounts() -> tuple[Account, ...]:
    """The accounts a module signs in with (override it in the test module)."""
    return ()


@pytest.fixture(scope="module")
def signin_config(provider, signin_db) -> Path | None:
    """The config file the app runs with (RESULTSBOARD_CONFIG): None, the project's own.
    Override it in a test module, e.g. to trust the provider's issuer (write_config)."""
    return None


@pytest.fixture(scope="module")
def signin_app(signin_db, provider, signin_accounts, signin_config):
    """The app with sign-in configured against `provider`, on its own copy of the demo;
    each account's claims given to the provider and, for those with a role, its user row
    registered (`resultsboard users add`) before the app starts."""
    database_url = f"sqlite:///{signin_db}"
    for account in signin_accounts:
        provider.set_user(account.sub, **account.claims)
        if account.role:
            code, output = resultsboard(database_url, *account.users_add())
            assert code == 0, output
    port = free_port()
    secrets_file = write_secrets(signin_db.parent / "secrets.toml", app_port=port, provider=provider)
    with served_signin(signin_db, secrets_file, port, signin_config) as base:
        yield SigninApp(base=base, db=signin_db, database_url=database_url, secrets_file=secrets_file)


@pytest.fixture(scope="module")
def signin_browser(rb_browser):
    """The worker's one Chromium (conftest.rb_browser: Playwright's sync API allows one per
    process); each test's pages get contexts of their own, so no sign-in cookie is shared."""
    return rb_browser


class SigninGuard(Guard):
    """test_browser.Guard, except that the stylesheet the provider's own pages (test tooling,
    not the app) ask a CDN for is not counted against the app: like every request addressed
    elsewhere it fails at the guard's proxy (no request leaves the machine), and the pages
    work without it."""

    def __init__(self, browser, name: str, provider: MockProvider):
        super().__init__(browser, name)
        self.provider = provider

    def _request(self, request) -> None:
        try:
            from_provider = request.frame.url.startswith(self.provider.url)
        except Exception:  # a request with no frame (a service worker)
            from_provider = False
        if not (from_provider and request.resource_type == "stylesheet"):
            super()._request(request)


@pytest.fixture
def signin_guard(signin_browser, provider, request):
    """Guarded browser pages (each page its own context: its own cookies); after the test no
    request may have tried to leave the machine."""
    g = SigninGuard(signin_browser, request.node.name, provider)
    yield g
    g.close(_test_failed(request.node))
    g.assert_offline()

"""The role matrix through the pages (issue 9, DESIGN.md "Access"): every page through
AppTest with sign-in configured and a signed-in user — admin, editor, viewer, donor NOR,
donor CAN, partner GTM. The sidebar offers exactly the partners and donors the user sees
(computed from the database's funding table) and nothing the page renders — text, tables,
charts' JSON, widgets' options — names a partner or donor outside the scope. A visitor
who has not signed in gets the sign-in page only, on every page; an unknown or unverified
e-mail gets "No access"; an unreadable secrets file stops the app. One process serves
donor NOR and then donor CAN without clearing Streamlit's caches: CAN sees CAN's only."""
from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from helpers import shown
from access_matrix import BY_NAME, ISSUER, USERS, mentioned, outside, read_programme, users_demo_file
from conftest import app_database, copy_sqlite

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
AS_OF = "2026-06-30"
PAGES = {
    "home": "views/overview.py", "regions": "views/regions.py", "donors": "views/donors.py", "partner": "views/partner.py",
    "indicators": "views/indicators.py", "key-factors": "views/key_factors.py", "activities": "views/activities.py",
    "reporting": "views/reporting.py", "upload": "views/upload.py", "history": "views/history.py", "users": "views/users.py",
}
AUTH = """[auth]
redirect_uri = "http://127.0.0.1:8501/oauth2callback"
cookie_secret = "a-cookie-secret-for-the-tests"
client_id = "resultsboard"
client_secret = "a-client-secret"
server_metadata_url = "http://127.0.0.1:9400/.well-known/openid-configuration"
"""


@pytest.fixture(autouse=True, scope="module")
def signed_in_mode(tmp_path_factory):
    """Sign-in configured (a secrets file with a full [auth] table); "as of" pinned."""
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text(AUTH, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RESULTSBOARD_TODAY", AS_OF)
        mp.setattr("dashboard.signin.streamlit_secrets_files", lambda: [secrets])
        yield secrets


@pytest.fixture(scope="module")
def users_file(demo_sqlite_file, tmp_path_factory):
    return users_demo_file(demo_sqlite_file, tmp_path_factory.mktemp("access-pages"))


@pytest.fixture(scope="module")
def db_url(users_file, tmp_path_factory):
    """The module's database (Streamlit's caches kept across its tests, cleared around it)."""
    path = copy_sqlite(users_file, tmp_path_factory.mktemp("pages") / "users.db")
    with app_database(f"sqlite:///{path}") as url:
        yield url


@pytest.fixture(scope="module")
def prog(db_url):
    return read_programme(db_url)


@pytest.fixture
def own_url(users_file, tmp_path):
    """A test's own copy (no account bound to a sign-in yet)."""
    with app_database(f"sqlite:///{copy_sqlite(users_file, tmp_path / 'own.db')}") as url:
        yield url


def open_page(user: dict, page: str, **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.user = user
    at.query_params.update(params)
    at.run()
    try:
        at.switch_page(PAGES[page])
    except ValueError as e:  # not in this user's navigation: not offered, not reachable (the home page stays)
        assert page == "users" and "Could not find a navigation page" in str(e), e
        return at
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def asked_then(first: dict, page: str, then: dict) -> AppTest:
    """`page` asked for (AppTest switches only to pages the navigation holds: opened by a
    signed-in user first), then run again as `then` — what anyone asking for that address gets."""
    at = open_page(BY_NAME["admin"].claims if page == "users" else first, page, p="GTM")
    at.user = then
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def rendered(at: AppTest) -> str:
    """Everything the run rendered, as text: every element's message (charts' JSON, widgets'
    options and values, markdown), tables' values (but activities' descriptions: prose)."""
    parts = []
    for node in _nodes(at._tree):
        if getattr(node, "type", None) == "arrow_data_frame":
            frame = node.value
            parts.append(frame.drop(columns=[c for c in frame.columns if str(c).lower() == "description"]).to_csv())
        elif getattr(node, "proto", None) is not None and getattr(node, "type", None) != "arrow_data_frame":
            parts.append(text_format.MessageToString(node.proto, as_utf8=True))
    # as a person reads it: the proto's own escaping, then Markdown's (dashboard.text), taken out
    return shown("\n".join(parts).replace("\\\\", "\\"))


def sidebar_codes(at: AppTest, label: str) -> set[str]:
    [box] = [m for m in at.sidebar.multiselect if m.label == label]
    return {o.split(" — ")[0] for o in box.options}


def title(at: AppTest) -> str:
    return at.title[0].value if at.title else ""


TITLES = {"home": "Overview", "regions": "Regions", "donors": "Donors", "indicators": "Indicators",
          "key-factors": "Key factors", "activities": "Activities", "reporting": "Reporting", "upload": "Upload"}


@pytest.mark.parametrize("pg", list(PAGES))
@pytest.mark.parametrize("name", [u.name for u in USERS])
def test_every_page_shows_only_the_scope(db_url, prog, name, pg):
    u = BY_NAME[name]
    at = open_page(u.claims, pg)
    assert sidebar_codes(at, "Partner") == prog.partners_of(u)
    assert sidebar_codes(at, "Donor") == prog.donors_of(u)
    text = rendered(at)
    assert outside(text, prog, u) == (set(), set())
    assert f"Signed in: {u.email} — {u.role}" in text
    if pg == "users":  # the admin page, for admins only
        assert (title(at) == "Users") == (u.role == "admin")
        assert {x.email for x in USERS if x.email in text} == ({x.email for x in USERS} if u.role == "admin" else {u.email})


@pytest.mark.parametrize("name", ["partner-GTM", "donor-CAN"])
def test_a_link_to_a_partner_outside_the_scope_shows_nothing_of_it(db_url, prog, name):
    u = BY_NAME[name]
    at = open_page(u.claims, "partner", p="SLE")
    text = rendered(at).replace("No administration with code SLE", "")  # the link's own words, echoed
    assert outside(text, prog, u) == (set(), set())
    assert "No administration with code SLE: choose an administration below." in [shown(w.value) for w in at.warning]


# --- fails closed ------------------------------------------------------------------------------


@pytest.mark.parametrize("pg", list(PAGES))
def test_a_visitor_who_has_not_signed_in_gets_the_sign_in_page_only(db_url, prog, pg):
    at = asked_then(BY_NAME["editor"].claims, pg, {"is_logged_in": False})
    assert title(at) == "Sign in"
    assert [b.label for b in at.button] == ["Sign in"]
    text = rendered(at)
    assert (mentioned(text, prog.partners), mentioned(text, prog.donors)) == (set(), set())
    assert not at.sidebar.multiselect and not at.get("plotly_chart") and not at.dataframe


def no_access(at: AppTest, prog) -> None:
    assert title(at) == "No access"
    assert [b.label for b in at.button] == ["Sign out"]
    text = rendered(at)
    assert (mentioned(text, prog.partners), mentioned(text, prog.donors)) == (set(), set())
    assert not at.sidebar.multiselect and not at.get("plotly_chart") and not at.dataframe


@pytest.mark.parametrize("pg", ["home", "partner", "donors"])
@pytest.mark.parametrize("claims, reason", [
    ({"email": "nobody@example.org", "email_verified": True, "sub": "sub-nobody"}, "No Resultsboard account matches nobody@example.org."),
    ({"email": "admin@example.org", "email_verified": False, "sub": "sub-attacker"},
     "Your identity provider has not verified the e-mail admin@example.org."),
    ({"email": "admin@example.org", "sub": "sub-attacker"}, "Your identity provider has not verified the e-mail admin@example.org."),
    ({"email": "admin@example.org", "email_verified": "false", "sub": "sub-attacker"},
     "Your identity provider has not verified the e-mail admin@example.org."),
], ids=["unknown", "unverified", "no-verified-claim", "unverified-text"])
def test_unknown_and_unverified_e_mails_get_no_access(own_url, prog, claims, reason, pg):
    at = asked_then(BY_NAME["editor"].claims, pg, {"is_logged_in": True, "iss": ISSUER, **claims})
    no_access(at, prog)
    assert reason in shown(at.markdown[0].value)


def test_an_unreadable_secrets_file_stops_the_app(db_url, prog, monkeypatch, tmp_path):
    broken = tmp_path / "secrets.toml"
    broken.write_text('[auth]\nredirect_uri = "http://127.0.0.1:8501/oauth2callback\n', encoding="utf-8")
    for pg in ("home", "partner", "users"):
        at = open_page(BY_NAME["admin"].claims, pg, p="GTM")
        with monkeypatch.context() as mp:
            mp.setattr("dashboard.signin.streamlit_secrets_files", lambda: [broken])
            at.run()
        assert title(at) == "Sign-in is misconfigured"
        assert f"The secrets file {broken} cannot be read" in shown(at.markdown[0].value)
        text = rendered(at)
        assert (mentioned(text, prog.partners), mentioned(text, prog.donors)) == (set(), set())
        assert not at.button and not at.sidebar.multiselect and not at.dataframe


# --- Streamlit's process-wide caches: donor NOR, then donor CAN -----------------------------------


def test_a_donor_after_another_sees_its_own_only(own_url):
    """Caches are not cleared between the two users (st.cache_data is process-wide)."""
    prog = read_programme(own_url)
    for name in ("donor-NOR", "donor-CAN", "donor-NOR"):
        u = BY_NAME[name]
        for pg in ("donors", "home", "partner", "reporting"):
            at = open_page(u.claims, pg)
            assert sidebar_codes(at, "Partner") == prog.partners_of(u), (name, pg)
            assert outside(rendered(at), prog, u) == (set(), set()), (name, pg)
            if pg == "donors":  # the donor pack offered: its own donor's only
                packs = [shown(b.label) for b in at.button if b.label.startswith("Donor pack")]
                assert packs == [f"Donor pack for {u.bound} (zip)"], (name, packs)

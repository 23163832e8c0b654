"""Browser tests of a real sign-in (DESIGN.md, "Access"): the app served with `[auth]`
pointing at a local OpenID provider (oidc-provider-mock on 127.0.0.1, see signin.py), on a
copy of the demo, driven by Chromium.

It fails closed: a visitor who never signs in sees only the sign-in page, whatever the
address; an unknown e-mail, an e-mail the provider does not vouch for, or a known e-mail
from another subject than the one first recorded gets the "no access" page. A partner user
sees only its own administration, a donor user only the partners its donor funds (as the
funding table says), in the pages and in the sidebar's options. Signing out returns to the
sign-in page.

Every request the browser makes is checked (no request leaves the machine). Under
pytest-xdist the module runs whole on one worker (conftest.py, ONE_WORKER_MODULES): one
provider, one server, one browser; no test relies on another having run before it.
"""
from __future__ import annotations

import re
import sqlite3
from contextlib import closing

import pytest

from signin import (  # noqa: F401  (fixtures, by name)
    Account,
    provider,
    sign_in,
    sign_out,
    signin_app,
    signin_browser,
    signin_db,
    signin_guard,
)
from test_browser import open_app

ACCOUNTS = {a.sub: a for a in (
    Account("partner-gtm", "partner.gtm@example.org", role="partner", partner="GTM"),
    Account("donor-can", "donor.can@example.org", role="donor", donor="CAN"),
    Account("admin-unverified", "admin@example.org", email_verified=False, role="admin"),
    Account("admin-no-claim", "admin2@example.org", email_verified=None, role="admin"),
    Account("stranger", "stranger@example.org"),  # verified, no user row
    Account("viewer-first", "viewer@example.org", role="viewer"),
    Account("viewer-other-sub", "viewer@example.org"),  # the same e-mail from another subject
)}
VISITOR_PATHS = ["", "partner?p=SLE", "donors", "upload", "history"]


@pytest.fixture(scope="module")
def signin_accounts():
    return tuple(ACCOUNTS.values())


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
    text = page.locator("body").inner_text()
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


def signed_in_caption(page) -> str:
    captions = signed_in_captions(page)
    return captions.first.inner_text() if captions.count() else ""


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
    assert heading(page, "Sign in").count() == 0
    assert sidebar_filters(page) == 0, "the no-access page shows the sidebar filters"
    assert shown(page, everything["partner"]) == [] and shown(page, everything["donor"]) == []


def signed_in_page(guard, app, provider, sub: str):
    page = guard.new_page()
    open_app(page, app.base, "")
    sign_in(page, provider, sub)
    return page


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", VISITOR_PATHS)
def test_visitor_sees_only_the_sign_in_page(signin_app, signin_guard, path):
    page = signin_guard.new_page()
    open_app(page, signin_app.base, path)
    assert_sign_in_page(page, catalogue(signin_app.db))


def test_partner_sees_only_its_own_administration(signin_app, provider, signin_guard):
    account = ACCOUNTS["partner-gtm"]
    everything = catalogue(signin_app.db)
    others = {c: n for c, n in everything["partner"].items() if c != "GTM"}
    page = signed_in_page(signin_guard, signin_app, provider, account.sub)
    assert signed_in_caption(page).startswith(f"Signed in: {account.email}"), signed_in_caption(page)
    assert button(page, "Sign out").count() == 1
    assert multiselect_options(page, "Partner") in (["GTM"], None)
    assert shown(page, others) == []

    open_app(page, signin_app.base, "partner?p=GTM")
    assert everything["partner"]["GTM"] in page.locator('[data-testid="stMain"]').inner_text()
    open_app(page, signin_app.base, "partner?p=SLE")
    assert shown(page, others, echoed=("SLE",)) == []
    refused = page.locator('[data-testid="stMain"]').inner_text()
    open_app(page, signin_app.base, "partner?p=ZZZ")  # no such partner: the same answer, nothing to tell them apart
    assert refused.replace("SLE", "ZZZ") == page.locator('[data-testid="stMain"]').inner_text()


def test_donor_sees_only_the_partners_it_funds(signin_app, provider, signin_guard):
    account = ACCOUNTS["donor-can"]
    everything = catalogue(signin_app.db)
    funded = funded_by(signin_app.db, "CAN")
    assert 0 < len(funded) < len(everything["partner"]), funded
    page = signed_in_page(signin_guard, signin_app, provider, account.sub)
    assert signed_in_caption(page).startswith(f"Signed in: {account.email}"), signed_in_caption(page)
    assert multiselect_options(page, "Partner") == sorted(funded)
    assert multiselect_options(page, "Donor") in (["CAN"], None)
    others = {c: n for c, n in everything["partner"].items() if c not in funded}
    assert shown(page, others) == []
    assert shown(page, {c: n for c, n in everything["donor"].items() if c != "CAN"}) == []


@pytest.mark.parametrize("sub, also", [
    ("admin-unverified", None),  # a registered admin's e-mail, email_verified false
    ("admin-no-claim", None),  # a registered admin's e-mail, no email_verified claim
    ("stranger", "partner?p=GTM"),  # a verified e-mail with no user row; then a direct link
])
def test_no_access_without_a_vouched_registered_email(signin_app, provider, signin_guard, sub, also):
    page = signed_in_page(signin_guard, signin_app, provider, sub)
    assert_no_access_page(page, catalogue(signin_app.db))
    if also:
        open_app(page, signin_app.base, also)
        assert_no_access_page(page, catalogue(signin_app.db))


def test_sign_out_returns_to_the_sign_in_page(signin_app, provider, signin_guard):
    everything = catalogue(signin_app.db)
    page = signin_guard.new_page()
    open_app(page, signin_app.base, "")
    sign_in(page, provider, "partner-gtm", settle_page=False)
    signed_in_captions(page).first.wait_for()
    sign_out(page, provider)
    assert_sign_in_page(page, everything)
    open_app(page, signin_app.base, "partner?p=GTM")  # the identity cookie is gone
    assert_sign_in_page(page, everything)


def test_another_subject_with_a_recorded_email_has_no_access(signin_app, provider, signin_guard):
    """The first sign-in records issuer and subject; the same e-mail from another subject
    of the same provider is refused afterwards."""
    page = signin_guard.new_page()
    open_app(page, signin_app.base, "")
    sign_in(page, provider, "viewer-first", settle_page=False)  # the sidebar says who; the page need not finish
    signed_in_captions(page).first.wait_for()
    assert signed_in_caption(page).startswith("Signed in: viewer@example.org"), signed_in_caption(page)
    sign_out(page, provider)
    sign_in(page, provider, "viewer-other-sub")
    assert_no_access_page(page, catalogue(signin_app.db))

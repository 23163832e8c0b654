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

import pytest

from signin import (  # noqa: F401  (provider ... signin_guard: fixtures, by name)
    Account,
    assert_no_access_page,
    assert_sign_in_page,
    button,
    catalogue,
    funded_by,
    main_text,
    multiselect_options,
    provider,
    shown,
    sign_in,
    sign_out,
    signed_in_caption,
    signed_in_captions,
    signed_in_page,
    signin_app,
    signin_browser,
    signin_config,
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
    assert everything["partner"]["GTM"] in main_text(page)
    open_app(page, signin_app.base, "partner?p=SLE")
    assert shown(page, others, echoed=("SLE",)) == []
    refused = main_text(page)
    open_app(page, signin_app.base, "partner?p=ZZZ")  # no such partner: the same answer, nothing to tell them apart
    assert refused.replace("SLE", "ZZZ") == main_text(page)


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

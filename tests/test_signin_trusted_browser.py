"""Browser tests of a sign-in through a trusted issuer (DESIGN.md, "Access"): the provider's
issuer listed in `[access] trusted_issuers` (as for Microsoft Entra ID, whose e-mail claims
carry no `email_verified`). A registered e-mail from that issuer signs in without the claim;
an unregistered one still gets the "no access" page.

The app and provider as in test_signin_browser.py (see signin.py), with a config file of its
own (RESULTSBOARD_CONFIG). One worker runs the module whole (conftest.py, ONE_WORKER_MODULES).
"""
from __future__ import annotations

from signin import (  # noqa: F401  (provider ... signin_guard: fixtures, by name)
    Account,
    assert_no_access_page,
    catalogue,
    provider,
    shown,
    signed_in_caption,
    signed_in_page,
    signin_app,
    signin_browser,
    signin_db,
    signin_guard,
    write_config,
)

import pytest

ACCOUNTS = {a.sub: a for a in (
    Account("entra-partner", "partner.tza@example.org", email_verified=None, role="partner", partner="TZA"),
    Account("entra-stranger", "stranger@example.org", email_verified=None),
)}


@pytest.fixture(scope="module")
def signin_accounts():
    return tuple(ACCOUNTS.values())


@pytest.fixture(scope="module")
def signin_config(provider, signin_db):
    return write_config(signin_db.parent / "resultsboard.toml", trusted_issuers=[provider.issuer])


def test_registered_email_from_a_trusted_issuer_signs_in(signin_app, provider, signin_guard):
    account = ACCOUNTS["entra-partner"]
    page = signed_in_page(signin_guard, signin_app, provider, account.sub)
    assert signed_in_caption(page).startswith(f"Signed in: {account.email}"), signed_in_caption(page)
    everything = catalogue(signin_app.db)
    assert shown(page, {c: n for c, n in everything["partner"].items() if c != "TZA"}) == []


def test_unregistered_email_from_a_trusted_issuer_has_no_access(signin_app, provider, signin_guard):
    page = signed_in_page(signin_guard, signin_app, provider, "entra-stranger")
    assert_no_access_page(page, catalogue(signin_app.db))

"""Access fails closed (DESIGN.md, "Access"): one module decides; no scope gets nothing; a
scope that names nothing cannot be built; a signed-in identity is a user only on an e-mail
the provider vouches for, then on the issuer and subject its first sign-in recorded."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select, update

from models.access import (
    LOCAL_ADMIN, AccessDenied, AccessError, Scope, can_lock, can_manage_users, can_review, can_revert, can_see_history,
    can_upload, require, visible_batches, visible_partner_codes,
)
from models.importing import Upload, import_files
from models.queries.filters import Filters
from models.queries.snapshot import load_snapshot, view
from models.tables import AuditEvent, User
from models.users import Identity, NoAccess, UserError, list_users, remove_user, save_user, scope_for, scope_for_identity

ISSUER = "http://127.0.0.1:9400"
ENTRA = "https://login.microsoftonline.com/tenant/v2.0"

# --- the scope itself -------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, message", [
    (dict(email="x@example.org", role="superuser"), "unknown role 'superuser'"),
    (dict(email="x@example.org", role=""), "unknown role ''"),
    (dict(email="x@example.org", role="donor"), "a donor user needs --donor CODE"),
    (dict(email="x@example.org", role="donor", donor="  "), "a donor user needs --donor CODE"),
    (dict(email="x@example.org", role="partner"), "a partner user needs --partner CODE"),
    (dict(email="x@example.org", role="viewer", donor="NOR"), "--donor goes with --role donor"),
    (dict(email="x@example.org", role="admin", partner="GTM"), "--partner with --role partner"),
], ids=["unknown-role", "no-role", "donor-unbound", "donor-blank", "partner-unbound", "viewer-with-donor", "admin-with-partner"])
def test_a_scope_that_names_nothing_cannot_be_built(kwargs, message):
    with pytest.raises(AccessError, match=message):
        Scope(**kwargs)


@pytest.mark.parametrize("ask", [
    can_upload, can_revert, can_review, can_lock, can_manage_users, can_see_history, require,
    lambda s: visible_partner_codes(s, pd.Series(["GTM"]), pd.DataFrame({"donor": [], "partner": []})),
    lambda s: visible_batches(s, pd.DataFrame({"user": ["a"]})),
], ids=["upload", "revert", "review", "lock", "users", "history", "require", "partners", "batches"])
@pytest.mark.parametrize("nobody", [None, "admin", {"role": "admin"}], ids=["none", "a-role-name", "a-dict"])
def test_no_scope_is_refused_by_every_question(ask, nobody):
    with pytest.raises(AccessDenied):
        ask(nobody)


# (role, bound) -> what the role may do: upload, revert, review, lock, manage users, see history
MAY = [
    ("admin", None, (True, True, True, True, True, True)),
    ("editor", None, (True, True, True, False, False, True)),
    ("partner", "GTM", (True, False, False, False, False, True)),
    ("donor", "NOR", (False, False, False, False, False, False)),
    ("viewer", None, (False, False, False, False, False, False)),
]


def _scope(role: str, bound: str | None, email: str = "u@example.org") -> Scope:
    return Scope(email=email, role=role, donor=bound if role == "donor" else None, partner=bound if role == "partner" else None)


@pytest.mark.parametrize("role, bound, may", MAY, ids=[m[0] for m in MAY])
def test_what_each_role_may_do(role, bound, may):
    s = _scope(role, bound)
    assert (can_upload(s), can_revert(s), can_review(s), can_lock(s), can_manage_users(s), can_see_history(s)) == may


@pytest.mark.parametrize("role, bound, seen", [
    ("admin", None, [1, 2, 3]), ("editor", None, [1, 2, 3]), ("partner", "GTM", [2]), ("donor", "NOR", []), ("viewer", None, []),
], ids=["admin", "editor", "partner-own", "donor", "viewer"])
def test_history_rows_each_role_sees(role, bound, seen):
    batches = pd.DataFrame({"id": [1, 2, 3], "user": ["demo", "U@example.org", "other@example.org"]})
    assert list(visible_batches(_scope(role, bound), batches)["id"]) == seen


def test_the_view_and_the_import_refuse_no_scope(demo_engine):
    with pytest.raises(AccessDenied):
        view(load_snapshot(demo_engine), Filters(), None)
    with pytest.raises(AccessDenied):
        import_files(demo_engine, [Upload("r.csv", b"indicator,partner,period,actual\nIND03,GTM,2030,1\n")], user="x", scope=None)


# --- the view for each role, on the demo programme ---------------------------------------------


def _funded(snap, donor: str) -> set[str]:
    return set(snap.funding.loc[snap.funding["donor"] == donor, "partner"])


@pytest.mark.parametrize("role, bound", [("admin", None), ("viewer", None), ("partner", "GTM"), ("donor", "NOR"), ("donor", "CAN")])
def test_each_role_sees_exactly_its_partners_and_donors(demo_engine, role, bound):
    snap = load_snapshot(demo_engine)
    v = view(snap, Filters(), _scope(role, bound))
    everyone = set(snap.partners["code"])
    partners = {"partner": {"GTM"}, "donor": _funded(snap, bound or "")}.get(role, everyone)
    assert set(v.partners["code"]) == partners
    assert set(v.values["partner"]) - {""} <= partners
    assert set(v.activity_partners["partner"]) - {""} <= partners
    funders = set(snap.funding.loc[snap.funding["partner"].isin(partners), "donor"])
    assert set(v.donors["code"]) == ({bound} if role == "donor" else funders)
    if role == "partner":
        assert "" not in set(v.values["partner"])  # programme-level figures are not a partner's


# --- who a signed-in identity is ----------------------------------------------------------------


@pytest.fixture
def users(demo_engine):
    for email, role, bound in [("admin@example.org", "admin", None), ("gtm@example.org", "partner", "GTM"),
                               ("nor@example.org", "donor", "NOR")]:
        save_user(demo_engine, email, role, donor=bound if role == "donor" else None,
                  partner=bound if role == "partner" else None, by="test", create=True)
    return demo_engine


def _identity(email, verified=True, issuer=ISSUER, subject=None):
    return Identity(email=email, verified=verified, issuer=issuer, subject=subject or f"sub-{email}")


@pytest.mark.parametrize("identity, trusted, outcome", [
    (_identity("gtm@example.org"), (), ("partner", "GTM")),
    (_identity("GTM@Example.org "), (), ("partner", None)),  # e-mails compare folded
    (_identity("admin@example.org", verified=False), (), "unverified"),
    (_identity("admin@example.org", verified=False, issuer=ENTRA), (ENTRA,), ("admin", None)),
    (_identity("admin@example.org", verified=False, issuer=ENTRA), (ISSUER,), "unverified"),
    (_identity("nobody@example.org"), (), "unknown"),
    (_identity("gtm@example.org", issuer=""), (), "unverified"),
    (_identity("gtm@example.org", subject=" ").__class__("gtm@example.org", True, ISSUER, ""), (), "unverified"),
], ids=["verified", "folded-email", "unverified", "trusted-issuer", "other-issuer-trusted", "unknown", "no-issuer", "no-subject"])
def test_an_identity_is_a_user_only_when_vouched_for(users, identity, trusted, outcome):
    if isinstance(outcome, str):
        with pytest.raises(NoAccess) as e:
            scope_for_identity(users, identity, trusted)
        assert e.value.reason == outcome
        assert _bound(users) == []
    else:
        scope = scope_for_identity(users, identity, trusted)
        assert scope.role == outcome[0]
        if outcome[1]:
            assert scope.partner == outcome[1]


def _bound(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(select(User.email, User.issuer, User.subject).where(User.subject.is_not(None))).all()


def test_the_first_sign_in_binds_issuer_and_subject_and_later_ones_must_match(users):
    first = _identity("gtm@example.org", subject="abc")
    assert scope_for_identity(users, first).partner == "GTM"
    assert _bound(users) == [("gtm@example.org", ISSUER, "abc")]
    # the same account again; then the same account after its e-mail changed at the provider
    assert scope_for_identity(users, first).partner == "GTM"
    assert scope_for_identity(users, _identity("renamed@example.org", subject="abc")).partner == "GTM"
    # another account of the provider (or another provider) claiming the same verified e-mail
    for other in (_identity("gtm@example.org", subject="xyz"), _identity("gtm@example.org", issuer="http://evil", subject="abc")):
        with pytest.raises(NoAccess) as e:
            scope_for_identity(users, other)
        assert e.value.reason == "other-account"
    with users.connect() as conn:
        assert conn.execute(select(AuditEvent.action).where(AuditEvent.action == "user-bind")).all() == [("user-bind",)]


def test_a_removed_user_loses_access_even_when_bound(users):
    identity = _identity("gtm@example.org", subject="abc")
    scope_for_identity(users, identity)
    remove_user(users, "gtm@example.org", by="test")
    with pytest.raises(NoAccess):
        scope_for_identity(users, identity)


@pytest.mark.parametrize("change, message", [
    ({"role": "superuser"}, "unknown role 'superuser'"),
    ({"donor_id": None}, "a donor user needs --donor CODE"),
], ids=["unknown-role", "donor-gone"])
def test_a_user_row_that_names_nothing_stops_with_a_message(users, change, message):
    with users.begin() as conn:
        conn.execute(update(User).where(User.email == "nor@example.org").values(**change))
    with pytest.raises(AccessError, match=message):
        scope_for(users, "nor@example.org")
    with pytest.raises(AccessError, match=message):
        scope_for_identity(users, _identity("nor@example.org"))


def test_command_line_users_unknown_is_refused(users):
    with pytest.raises(NoAccess, match="No user nobody@example.org"):
        scope_for(users, "nobody@example.org")
    assert scope_for(users, " NOR@example.org").donor == "NOR"


def test_users_add_set_remove_list(users):
    with pytest.raises(UserError, match="a user already: change their role with `resultsboard users set`"):
        save_user(users, "gtm@example.org", "viewer", by="test", create=True)
    with pytest.raises(UserError, match="no user new@example.org: add them"):
        save_user(users, "new@example.org", "viewer", by="test", create=False)
    save_user(users, "gtm@example.org", "donor", donor="can", by="test", create=False)
    with pytest.raises(UserError, match="no user gone@example.org"):
        remove_user(users, "gone@example.org", by="test")
    remove_user(users, "admin@example.org", by="test")
    assert list_users(users) == [
        {"email": "gtm@example.org", "role": "donor", "donor": "CAN", "partner": None, "signed_in": False},
        {"email": "nor@example.org", "role": "donor", "donor": "NOR", "partner": None, "signed_in": False},
    ]
    assert LOCAL_ADMIN.local and LOCAL_ADMIN.role == "admin"

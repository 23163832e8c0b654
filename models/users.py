"""Users, their roles and scopes (the User table), and who a signed-in identity is.

Every change is recorded as an audit event. A signed-in identity becomes a user only on an
identity the provider vouches for (DESIGN.md, "Access"): the e-mail is matched when the
provider marks it verified or the issuer is trusted; the first such sign-in records the
issuer and subject, and later sign-ins must match them. Anything else gets no scope.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Mapping

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from models.access import AccessDenied, AccessError, Scope
from models.db import write_transaction
from models.tables import AuditEvent, Donor, Partner, User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserError(ValueError):
    """A user change that cannot be made (the message says why and what to do)."""


class NoAccess(AccessDenied):
    """An identity that matches no user: `reason` is unknown, unverified or other-account."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _audit(conn: Connection, by: str, action: str, detail: dict) -> None:
    conn.execute(insert(AuditEvent).values(at=_now(), user=by, action=action, detail=json.dumps(detail, ensure_ascii=False)))


def normal_email(email: str) -> str:
    return (email or "").strip().lower()


def _checked(email: str, role: str, donor: str | None, partner: str | None) -> str:
    """The e-mail, folded; UserError when it is no e-mail or the role and codes do not fit
    (models.access decides what a role needs)."""
    email = normal_email(email)
    if not _EMAIL.match(email):
        raise UserError(f"'{email}' is not an e-mail address")
    try:
        Scope(email=email, role=role, donor=donor, partner=partner)
    except AccessError as e:
        raise UserError(str(e)) from None
    return email


def _bound_ids(conn: Connection, donor: str | None, partner: str | None) -> dict:
    donor_id = partner_id = None
    if donor:
        donor_id = conn.scalar(select(Donor.id).where(func.lower(Donor.code) == donor.strip().lower()))
        if donor_id is None:
            raise UserError(f"unknown donor '{donor}': add the donor first, or check the code")
    if partner:
        partner_id = conn.scalar(select(Partner.id).where(func.lower(Partner.code) == partner.strip().lower(), Partner.code != ""))
        if partner_id is None:
            raise UserError(f"unknown partner '{partner}': add the administration first, or check the code")
    return dict(donor_id=donor_id, partner_id=partner_id)


def save_user(engine: Engine, email: str, role: str, *, donor: str | None = None, partner: str | None = None,
              by: str, create: bool) -> None:
    """`users add` (create=True: a new user) or `users set` (create=False: change an existing
    user's role and scope); each recorded as an audit event by `by`."""
    email = _checked(email, role, donor, partner)
    with write_transaction(engine) as conn:
        values = dict(role=role, **_bound_ids(conn, donor, partner))
        existing = conn.scalar(select(User.id).where(User.email == email))
        if create and existing is not None:
            raise UserError(f"{email} is a user already: change their role with `resultsboard users set`")
        if not create and existing is None:
            raise UserError(f"no user {email}: add them with `resultsboard users add`")
        if existing is None:
            conn.execute(insert(User).values(email=email, created_at=_now(), **values))
        else:
            conn.execute(update(User).where(User.id == existing).values(**values))
        _audit(conn, by, "user-add" if create else "user-set",
               {"email": email, "role": role, "donor": donor, "partner": partner})


def remove_user(engine: Engine, email: str, *, by: str) -> None:
    email = normal_email(email)
    with write_transaction(engine) as conn:
        if conn.execute(delete(User).where(User.email == email)).rowcount == 0:
            raise UserError(f"no user {email}: `resultsboard users list` shows who there is")
        _audit(conn, by, "user-remove", {"email": email})


def list_users(engine: Engine) -> list[dict]:
    """Every user: {email, role, donor, partner, signed_in} (signed_in: an identity is bound)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(User.email, User.role, Donor.code, Partner.code, User.subject)
            .outerjoin(Donor, Donor.id == User.donor_id).outerjoin(Partner, Partner.id == User.partner_id)
            .order_by(User.email)
        ).all()
    return [{"email": e, "role": r, "donor": d, "partner": p, "signed_in": s is not None} for e, r, d, p, s in rows]


def _scope(row) -> Scope:
    """The Scope of a user row (AccessError for a role or scope that names nothing)."""
    email, role, _donor_id, donor, _partner_id, partner = row
    return Scope(email=email, role=role, donor=donor, partner=partner)


def _user_rows(conn: Connection, *where):
    return conn.execute(
        select(User.email, User.role, User.donor_id, Donor.code, User.partner_id, Partner.code, User.id, User.issuer, User.subject)
        .outerjoin(Donor, Donor.id == User.donor_id).outerjoin(Partner, Partner.id == User.partner_id).where(*where)
    ).all()


def scope_for(engine: Engine, email: str) -> Scope:
    """The registered user's scope (`--user EMAIL` on the command line); NoAccess when there is none."""
    with engine.connect() as conn:
        rows = _user_rows(conn, User.email == normal_email(email))
    if not rows:
        raise NoAccess("unknown", f"No user {email}: access refused (an administrator adds users with `resultsboard users add`)")
    return _scope(rows[0][:6])


@dataclass(frozen=True)
class Identity:
    """What the identity provider says of a signed-in person (the ID token's claims)."""

    email: str
    verified: bool
    issuer: str
    subject: str

    @classmethod
    def from_claims(cls, claims: Mapping) -> "Identity":
        verified = claims.get("email_verified")
        return cls(email=normal_email(str(claims.get("email") or "")),
                   verified=verified is True or str(verified).lower() == "true",
                   issuer=str(claims.get("iss") or ""), subject=str(claims.get("sub") or ""))


def scope_for_identity(engine: Engine, identity: Identity, trusted_issuers: Iterable[str] = ()) -> Scope:
    """The scope of a signed-in identity, or NoAccess saying why there is none."""
    if not identity.issuer or not identity.subject:
        raise NoAccess("unverified", "The identity provider did not say who you are (no issuer or subject).")
    with engine.connect() as conn:
        bound = _user_rows(conn, User.issuer == identity.issuer, User.subject == identity.subject)
        email = normal_email(identity.email)
        by_email = _user_rows(conn, User.email == email) if email else []
    if bound:
        return _scope(bound[0][:6])
    if not by_email:
        raise NoAccess("unknown", f"No Resultsboard account matches {identity.email or 'your sign-in'}.")
    row = by_email[0]
    if row[8] is not None:  # bound to another account of a provider: never re-bound by e-mail
        raise NoAccess("other-account", f"The account {identity.email} is bound to another sign-in; "
                                        "use the account you first signed in with, or ask an administrator.")
    if not (identity.verified or identity.issuer in set(trusted_issuers)):
        raise NoAccess("unverified", f"Your identity provider has not verified the e-mail {identity.email}.")
    scope = _scope(row[:6])
    with write_transaction(engine) as conn:
        conn.execute(update(User).where(User.id == row[6], User.subject.is_(None))
                     .values(issuer=identity.issuer, subject=identity.subject))
        _audit(conn, identity.email, "user-bind", {"email": identity.email, "issuer": identity.issuer, "subject": identity.subject})
    return scope


def record_sign_in(engine: Engine, scope: Scope) -> None:
    """An audit event for a sign-in (once per browser session)."""
    with write_transaction(engine) as conn:
        _audit(conn, scope.email, "sign-in", {"email": scope.email, "role": scope.role})

"""Users, their roles and scopes (the User table), with an audit event for each change."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from sqlalchemy import Engine, func, insert, select, update

from models.access import ROLES, Scope
from models.db import write_transaction
from models.tables import AuditEvent, Donor, Partner, User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserError(ValueError):
    pass


def add_user(engine: Engine, email: str, role: str, *, donor: str | None = None, partner: str | None = None, by: str = "") -> None:
    """Add a user or change an existing one's role and scope."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise UserError(f"'{email}' is not an email address")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if role == "donor" and not donor:
        raise UserError("a donor user needs --donor CODE")
    if role == "partner" and not partner:
        raise UserError("a partner user needs --partner CODE")
    if donor and role != "donor" or partner and role != "partner":
        raise UserError("--donor goes with --role donor, --partner with --role partner")
    with write_transaction(engine) as conn:
        donor_id = partner_id = None
        if donor:
            donor_id = conn.scalar(select(Donor.id).where(func.lower(Donor.code) == donor.strip().lower()))
            if donor_id is None:
                raise UserError(f"unknown donor '{donor}'")
        if partner:
            partner_id = conn.scalar(select(Partner.id).where(func.lower(Partner.code) == partner.strip().lower(), Partner.code != ""))
            if partner_id is None:
                raise UserError(f"unknown partner '{partner}'")
        now = datetime.now(timezone.utc)
        existing = conn.scalar(select(User.id).where(User.email == email))
        values = dict(role=role, donor_id=donor_id, partner_id=partner_id)
        if existing is None:
            conn.execute(insert(User).values(email=email, created_at=now, **values))
        else:
            conn.execute(update(User).where(User.id == existing).values(**values))
        conn.execute(insert(AuditEvent).values(at=now, user=by or email, action="user", detail=json.dumps({"email": email, "role": role, "donor": donor, "partner": partner})))


def scope_for(engine: Engine, email: str | None) -> Scope | None:
    """The registered user's scope, or None (unrestricted) when the email is not registered."""
    if not email:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(User.email, User.role, Donor.code, Partner.code)
            .outerjoin(Donor, Donor.id == User.donor_id)
            .outerjoin(Partner, Partner.id == User.partner_id)
            .where(User.email == email.strip().lower())
        ).first()
    if row is None:
        return None
    return Scope(email=row[0], role=row[1], donor=row[2], partner=row[3])



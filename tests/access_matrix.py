"""The role matrix shared by the access tests of the command line and of the pages: the
users (registered with `resultsboard users add`), what each may see — computed from the
database's funding table, not written down — and a finder of the partner and donor codes
and names a text mentions (a CSV, a chart's JSON, a page's rendered text)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import copy_sqlite, forget_cli_engine
from models.db import make_engine
from models.tables import PROGRAMME_PARTNER_CODE, Donor, Funding, Partner

ISSUER = "http://127.0.0.1:9400"
UNKNOWN = "nobody@example.org"


@dataclass(frozen=True)
class User:
    name: str  # the case id
    email: str
    role: str
    bound: str | None = None

    @property
    def flags(self) -> list[str]:
        return {"donor": ["--donor", self.bound], "partner": ["--partner", self.bound]}.get(self.role, [])

    @property
    def claims(self) -> dict:
        """What a provider that vouches for this e-mail says (AppTest's `at.user`)."""
        return {"is_logged_in": True, "email": self.email, "email_verified": True, "iss": ISSUER, "sub": f"sub-{self.name}"}


USERS = [
    User("admin", "admin@example.org", "admin"),
    User("editor", "editor@example.org", "editor"),
    User("viewer", "viewer@example.org", "viewer"),
    User("donor-NOR", "nor@example.org", "donor", "NOR"),
    User("donor-CAN", "can@example.org", "donor", "CAN"),
    User("partner-GTM", "gtm@example.org", "partner", "GTM"),
]
BY_NAME = {u.name: u for u in USERS}


def register_users(db_file: Path) -> None:
    """`resultsboard users add` for every user of the matrix, on the database file `db_file`."""
    from dashboard.cli import main

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", f"sqlite:///{db_file}")
        forget_cli_engine()
        try:
            for u in USERS:
                assert main(["users", "add", u.email, "--role", u.role, *u.flags]) == 0, u
        finally:
            forget_cli_engine()


def users_demo_file(demo_sqlite_file: Path, folder: Path) -> Path:
    """A copy of the demo database with the matrix's users registered."""
    path = copy_sqlite(demo_sqlite_file, folder / "users-demo.db")
    register_users(path)
    return path


@dataclass(frozen=True)
class Programme:
    """Codes and names of the database, and who funds whom."""

    partners: dict[str, str]  # code -> name (the programme-level partner left out)
    donors: dict[str, str]
    funding: frozenset[tuple[str, str]]  # (donor, partner)

    def partners_of(self, u: User) -> set[str]:
        if u.role == "partner":
            return {u.bound}
        if u.role == "donor":
            return {p for d, p in self.funding if d == u.bound}
        return set(self.partners)

    def donors_of(self, u: User) -> set[str]:
        """Every donor for those who see every partner; else those funding a partner the user
        sees (a donor user: its own only)."""
        if u.role in ("admin", "editor", "viewer"):
            return set(self.donors)
        seen = {d for d, p in self.funding if p in self.partners_of(u)}
        return seen & {u.bound} if u.role == "donor" else seen


def read_programme(url: str) -> Programme:
    eng = make_engine(url)
    try:
        with eng.connect() as conn:
            partners = dict(conn.execute(select(Partner.code, Partner.name).where(Partner.code != PROGRAMME_PARTNER_CODE)).all())
            donors = dict(conn.execute(select(Donor.code, Donor.name)).all())
            funding = frozenset(conn.execute(
                select(Donor.code, Partner.code).select_from(Funding).join(Donor, Donor.id == Funding.donor_id).join(Partner, Partner.id == Funding.partner_id)
            ).all())
    finally:
        eng.dispose()
    return Programme(partners, donors, funding)


def mentioned(text: str, names: dict[str, str]) -> set[str]:
    """The codes of `names` (code -> name) that `text` mentions by code (a whole word, as
    written) or by name."""
    return {code for code, name in names.items() if re.search(rf"\b{re.escape(code)}\b", text) or (name and name in text)}


def outside(text: str, prog: Programme, u: User) -> tuple[set[str], set[str]]:
    """(partners, donors) that `text` mentions and the user may not see: both empty, or a leak."""
    return (mentioned(text, prog.partners) - prog.partners_of(u), mentioned(text, prog.donors) - prog.donors_of(u))

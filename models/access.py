"""Who may see and change what: the one module that knows the roles.

Every page, chart, table, sidebar option, export, pack, upload, revert and history view asks
here; nothing else compares role names. It fails closed: there is no "no scope means
everything" — a caller without a `Scope` gets `AccessDenied`, and the single-user local
mode is the explicit scope `LOCAL_ADMIN`. A scope that cannot be trusted (an unknown role,
a donor or partner role bound to nothing) cannot be built: `AccessError`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line's parser imports this module without pandas
    import pandas as pd

ROLES = ("admin", "editor", "donor", "partner", "viewer")
ROLE_HELP = {
    "admin": "everything: view all, upload, review, revert, lock periods, manage users",
    "editor": "view all, upload, review and revert",
    "donor": "view what its donor funds",
    "partner": "view its own administration; upload its own actuals and comments",
    "viewer": "view all, change nothing",
}
_SEES_ALL = frozenset({"admin", "editor", "viewer"})
_UPLOADS = frozenset({"admin", "editor", "partner"})
_SECRETARIAT = frozenset({"admin", "editor"})  # review, revert, every batch in the history


class AccessError(ValueError):
    """A scope that names no role or nothing to be bound to: the app stops, never falls back."""


class AccessDenied(PermissionError):
    """No user, or a user whose role does not allow the act: nothing is shown or written."""


@dataclass(frozen=True)
class Scope:
    """A user's role and, for donor and partner roles, the code they are bound to.
    `local` marks the single-user local mode (no identity provider)."""

    email: str
    role: str
    donor: str | None = None
    partner: str | None = None
    local: bool = False

    def __post_init__(self) -> None:
        who = self.email or "a user"
        if self.role not in ROLES:
            raise AccessError(f"{who} has the unknown role '{self.role}' (roles: {', '.join(ROLES)})")
        if self.role == "donor" and not (self.donor or "").strip():
            raise AccessError(f"{who}: a donor user needs --donor CODE (the donor whose funding they see)")
        if self.role == "partner" and not (self.partner or "").strip():
            raise AccessError(f"{who}: a partner user needs --partner CODE (their administration)")
        if (self.donor and self.role != "donor") or (self.partner and self.role != "partner"):
            raise AccessError(f"{who}: --donor goes with --role donor, --partner with --role partner")

    @property
    def label(self) -> str:
        bound = f" ({self.donor or self.partner})" if (self.donor or self.partner) else ""
        return f"{self.email} — {self.role}{bound}"


LOCAL_ADMIN = Scope(email="local", role="admin", local=True)


def require(scope: object) -> Scope:
    """The scope itself; AccessDenied when there is none (no user, no data)."""
    if not isinstance(scope, Scope):
        raise AccessDenied("no user: sign in, or name a registered user with --user")
    return scope


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip().lower() == (b or "").strip().lower()


# --- seeing -------------------------------------------------------------------------------


def visible_partner_codes(scope: Scope, partners: pd.Series, funding: pd.DataFrame) -> set[str]:
    """The partner codes (of `partners`) the scope may see: all for the secretariat and
    viewers, its own for a partner, those its donor funds (`funding`: donor, partner) for a donor."""
    scope = require(scope)
    codes = set(partners)
    if scope.role == "partner":
        return {c for c in codes if _same(c, scope.partner)}
    if scope.role == "donor":
        funded = funding.loc[funding["donor"].str.lower() == scope.donor.strip().lower(), "partner"]
        return codes & set(funded)
    return codes


def sees_all_partners(scope: Scope) -> bool:
    """Whether the scope sees every administration (the secretariat and viewers)."""
    return require(scope).role in _SEES_ALL


def visible_donor_codes(scope: Scope, donors) -> set[str]:
    """The donor codes (of `donors`) the scope may see: a donor user sees only its own."""
    scope = require(scope)
    if scope.role == "donor":
        return {d for d in donors if _same(d, scope.donor)}
    return set(donors)


def narrows_to_donor(scope: Scope) -> bool:
    """Whether what the scope sees is cut to one donor's funding (activities of other donors hidden)."""
    return require(scope).role == "donor"


def sees_programme_level(scope: Scope) -> bool:
    """Programme-level figures and activities (no partner): everyone but a partner user."""
    return require(scope).role != "partner"


# --- doing --------------------------------------------------------------------------------


def can_upload(scope: Scope) -> bool:
    return require(scope).role in _UPLOADS


def uploads_own_actuals_only(scope: Scope) -> bool:
    """A partner user uploads actuals and comments for its own administration only."""
    return require(scope).role == "partner"


def upload_partner(scope: Scope) -> str | None:
    """The administration a partner user uploads for (None: any)."""
    return require(scope).partner if uploads_own_actuals_only(scope) else None


def can_revert(scope: Scope) -> bool:
    return require(scope).role in _SECRETARIAT


def can_review(scope: Scope) -> bool:
    return require(scope).role in _SECRETARIAT


def can_lock(scope: Scope) -> bool:
    return require(scope).role == "admin"


def can_manage_users(scope: Scope) -> bool:
    return require(scope).role == "admin"


def sees_pending(scope: Scope) -> bool:
    """Values waiting for review: the secretariat sees them flagged, a partner its own as
    "awaiting review"; donors and viewers see approved values only."""
    return require(scope).role in _SECRETARIAT | {"partner"}


def can_see_history(scope: Scope) -> bool:
    """The import history names people and files: the secretariat sees every batch, a partner
    its own uploads; donors and viewers none."""
    return require(scope).role in _SECRETARIAT | {"partner"}


def can_see_audit(scope: Scope) -> bool:
    """The audit trail (who did what, sign-ins included) is the secretariat's: admins and editors."""
    return require(scope).role in _SECRETARIAT


def visible_batches(scope: Scope, batches: pd.DataFrame) -> pd.DataFrame:
    """The rows of an import history (`user` column) the scope may see."""
    scope = require(scope)
    if scope.role in _SECRETARIAT:
        return batches
    if scope.role == "partner":
        return batches[batches["user"].astype(str).str.lower() == scope.email.lower()]
    return batches.iloc[0:0]


def recorded_as(scope: Scope) -> str:
    """Who a batch or an audit event is recorded for: the user's e-mail, or the OS login for
    the local admin (the operator of this machine)."""
    if require(scope).local:
        from models.db import default_user

        return default_user()
    return scope.email


def refusal(scope: Scope, act: str) -> str:
    """One sentence saying the scope may not `act` (for messages)."""
    scope = require(scope)
    return f"{scope.email} ({scope.role}) may not {act}: {ROLE_HELP[scope.role]}"

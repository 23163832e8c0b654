"""Who may see and change what. Scope is applied here, in one place, for every chart,
table, export and upload."""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "editor", "donor", "partner", "viewer")
UPLOAD_ROLES = ("admin", "editor", "partner")


@dataclass(frozen=True)
class Scope:
    """The signed-in user's role and, for donor and partner roles, the code they are bound to."""

    email: str
    role: str
    donor: str | None = None
    partner: str | None = None

    @property
    def label(self) -> str:
        bound = f" ({self.donor or self.partner})" if (self.donor or self.partner) else ""
        return f"{self.email} — {self.role}{bound}"


LOCAL_ADMIN = Scope(email="local", role="admin")


def can_upload(scope: Scope) -> bool:
    return scope.role in UPLOAD_ROLES


def can_revert(scope: Scope) -> bool:
    return scope.role in ("admin", "editor")


def may_see_donor(scope: Scope | None, donor: str) -> bool:
    """Whether the scope may see what `donor` funds (a donor user sees only its own donor)."""
    if scope is None or scope.role != "donor":
        return True
    return (scope.donor or "").strip().lower() == donor.strip().lower()

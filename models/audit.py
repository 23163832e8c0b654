"""The audit trail (DESIGN.md, "Access": Audit): who did what, when — imports (files,
SHA-256), reverts, reviews, locks, user and role changes, sign-ins — newest first.

Each write path records its own event (models.importing.transaction, models.batches,
models.users, models.locking); this module only reads them."""
from __future__ import annotations

import json

from sqlalchemy import Engine, select

from models.tables import AuditEvent

AUDIT_COLUMNS = ["id", "at", "user", "action", "batch_id", "detail"]
ACTION_HELP = {
    "import": "an import committed a batch (files, SHA-256, source)",
    "revert": "a batch was reverted (the revert's own batch)",
    "lock": "reporting was closed through a date (and the lock before)",
    "review-approve": "a partner's submitted batch was approved (the batch that applied it)",
    "review-return": "a partner's submitted batch was returned (the reason)",
    "user-add": "a user was added", "user-set": "a user's role or scope changed", "user-remove": "a user was removed",
    "user-bind": "a user's first sign-in bound their account", "sign-in": "a user signed in",
}


def _detail(text: str) -> dict:
    """An event's detail as an object ({} when empty; {"text": ...} for text that is not JSON)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"text": text}
    return value if isinstance(value, dict) else {"value": value}


def audit_events(engine: Engine, limit: int | None = None) -> list[dict]:
    """Every audit event, newest first: {id, at (ISO, UTC), user, action, batch_id, detail (an object)}."""
    stmt = select(AuditEvent.id, AuditEvent.at, AuditEvent.user, AuditEvent.action, AuditEvent.batch_id,
                  AuditEvent.detail).order_by(AuditEvent.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [{"id": int(i), "at": at.isoformat(timespec="seconds") if at is not None else None, "user": user,
             "action": action, "batch_id": None if batch is None else int(batch), "detail": _detail(detail)}
            for i, at, user, action, batch, detail in rows]


def describe(detail: dict) -> str:
    """An event's detail in one line (for tables): key: value pairs, lists joined."""
    parts = []
    for key, value in detail.items():
        if isinstance(value, list):
            value = ", ".join(str(v)[:12] if key == "sha256" else str(v) for v in value)
        parts.append(f"{key}: {'—' if value is None else value}")
    return "; ".join(parts)

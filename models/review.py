"""Review of partner uploads (DESIGN.md, "Access": Review).

A partner coordinator's upload is checked like any other (keys, overlaps, scale, locked
periods) but its changes to indicator values are kept apart, in `pending_value`
(models.importing.results_pending), and the batch is stored `submitted`: donors, viewers, their exports and packs keep seeing the
approved values. An editor or admin — never the uploader — approves the batch, which
applies its pending rows as a new batch through the import engine (every check runs again;
refused whole, nothing written, when one fails now; revertible like any other batch), or
returns it with a reason, which discards them and always succeeds.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from models.access import Scope, can_review, refusal, require
from models.formats import CLEAR_TOKEN
from models.wording import plural
from models.issues import ERROR, Issue
from models.tables import AuditEvent, ImportBatch, Indicator, Partner, PendingValue, Value
from models.writes import read_frame

SUBMITTED, APPROVED, RETURNED = "submitted", "approved", "returned"
FILE_COLUMNS = ["indicator", "partner", "period_start", "period_end", "dimension", "dimension_value", "actual", "comment"]


# --- reading ------------------------------------------------------------------------------


def pending_values(conn: Connection, batch_id: int | None = None) -> pd.DataFrame:
    """Pending rows (of one batch, or all) with their batch, uploader, codes, the approved value
    they would replace (`stored_actual`, `stored_actual_text`, `stored_comment`) and the file row."""
    stored = Value.__table__.alias("stored")
    key = [stored.c[c] == PendingValue.__table__.c[c] for c in
           ("indicator_id", "partner_id", "period_start", "period_end", "dimension", "dimension_value")]
    stmt = (select(PendingValue.batch_id, ImportBatch.user, ImportBatch.at, Indicator.code.label("indicator"),
                   Partner.code.label("partner"), PendingValue.period_start, PendingValue.period_end, PendingValue.dimension,
                   PendingValue.dimension_value, PendingValue.actual, PendingValue.actual_text, PendingValue.comment,
                   PendingValue.clears, stored.c.actual.label("stored_actual"), stored.c.actual_text.label("stored_actual_text"),
                   stored.c.comment.label("stored_comment"), PendingValue.file, PendingValue.row)
            .join(ImportBatch, ImportBatch.id == PendingValue.batch_id)
            .join(Indicator, Indicator.id == PendingValue.indicator_id).join(Partner, Partner.id == PendingValue.partner_id)
            .outerjoin(stored, key[0] & key[1] & key[2] & key[3] & key[4] & key[5])
            .order_by(PendingValue.batch_id, PendingValue.id))
    if batch_id is not None:
        stmt = stmt.where(PendingValue.batch_id == batch_id)
    frame = read_frame(conn, stmt)
    for c in ("actual", "stored_actual"):
        frame[c] = frame[c].astype(float)
    return frame


def submitted_batches(engine: Engine) -> pd.DataFrame:
    """Batches waiting for review, oldest first: id, user, at, files, rows."""
    with engine.connect() as conn:
        frame = read_frame(conn, select(ImportBatch.id, ImportBatch.user, ImportBatch.at, ImportBatch.files)
                           .where(ImportBatch.status == SUBMITTED).order_by(ImportBatch.id))
        counts = {int(b): int(n) for b, n in conn.execute(select(PendingValue.batch_id, func.count())
                                                          .group_by(PendingValue.batch_id))}
    frame["files"] = frame["files"].map(json.loads)
    frame["rows"] = frame["id"].map(counts).fillna(0).astype(int)
    return frame


REVIEW_COLUMNS = ["indicator", "partner", "period", "breakdown", "approved", "submitted", "comment", "file", "row"]


def batch_changes(engine: Engine, batch_id: int) -> pd.DataFrame:
    """A submitted batch's pending values beside the approved ones they would replace (for the
    review page): indicator, partner, period, breakdown, approved, submitted, comment, file, row."""
    with engine.connect() as conn:
        p = pending_values(conn, batch_id)

    def shown(number, text) -> str:
        if _given(text):
            return str(text)
        return f"{float(number):g}" if _given(number) else ""

    rows = []
    for r in p.itertuples(index=False):
        clears = set(filter(None, r.clears.split(",")))
        rows.append({
            "indicator": r.indicator, "partner": r.partner,
            "period": f"{r.period_start:%Y-%m-%d} – {r.period_end:%Y-%m-%d}",
            "breakdown": f"{r.dimension}: {r.dimension_value}" if r.dimension else "",
            "approved": shown(r.stored_actual, r.stored_actual_text) or "–",
            "submitted": shown(r.actual, r.actual_text) or ("cleared" if "actual" in clears else "(kept)"),
            "comment": r.comment if _given(r.comment) else ("cleared" if "comment" in clears else ""),
            "file": r.file, "row": int(r.row),
        })
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)


# --- reviewing ----------------------------------------------------------------------------


@dataclass
class ReviewReport:
    status: str  # approved | returned | refused
    batch_id: int
    applied_batch_id: int | None = None
    rows: int = 0
    reason: str = ""
    issues: list[Issue] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"status": self.status, "batch_id": self.batch_id, "applied_batch_id": self.applied_batch_id,
                "rows": self.rows, "reason": self.reason or None, "issues": [i.as_dict() for i in self.issues]}

    def summary(self) -> str:
        if self.status == APPROVED:
            applied = f" as batch {self.applied_batch_id}" if self.applied_batch_id else " (the values were already stored)"
            return f"Approved batch {self.batch_id}: {plural(self.rows, 'pending value')} applied{applied}"
        if self.status == RETURNED:
            return f"Returned batch {self.batch_id} to its uploader ({plural(self.rows, 'pending value')} discarded): {self.reason}"
        return f"Refused to review batch {self.batch_id}: " + "; ".join(i.message for i in self.issues)


def _refused(conn: Connection, batch_id: int, scope: Scope, user: str, act: str) -> Issue | None:
    """Why `user` (as `scope`) may not review `batch_id` now; None when they may."""
    if not can_review(scope):
        return Issue(0, "", "not-permitted", scope.role, refusal(scope, "review uploads"))
    batch = conn.execute(select(ImportBatch.user, ImportBatch.status).where(ImportBatch.id == batch_id)).first()
    if batch is None:
        return Issue(0, "", "unknown-reference", str(batch_id), f"there is no batch {batch_id}; see `resultsboard history`")
    if batch.status != SUBMITTED:
        return Issue(0, "", "not-permitted", batch.status,
                     f"batch {batch_id} is not waiting for review (it is {batch.status}); see `resultsboard history`")
    if batch.user.strip().lower() == user.strip().lower():
        return Issue(0, "", "not-permitted", user, f"{user} uploaded batch {batch_id} and may not {act} it: "
                                                     "another editor or administrator reviews it")
    return None


def _file(pending: pd.DataFrame) -> bytes:
    """The pending rows as a results file (actual and comment; the clear token where cleared)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FILE_COLUMNS)
    for r in pending.itertuples(index=False):
        clears = set(filter(None, r.clears.split(",")))
        actual = (r.actual_text if _given(r.actual_text) else repr(float(r.actual)) if _given(r.actual)
                  else CLEAR_TOKEN if "actual" in clears else "")
        comment = r.comment if _given(r.comment) else CLEAR_TOKEN if "comment" in clears else ""
        writer.writerow([r.indicator, r.partner, r.period_start.isoformat(), r.period_end.isoformat(), r.dimension,
                         r.dimension_value, actual, comment])
    return out.getvalue().encode("utf-8")


def _given(value) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value))


def approve_batch(engine: Engine, batch_id: int, *, scope: Scope, user: str) -> ReviewReport:
    """Apply a submitted batch's pending rows as a new batch (all of them or none: every check
    of an import runs again, the locked period's too), delete them and mark the batch approved."""
    from models.importing import Upload, import_files

    require(scope)
    report = ReviewReport("refused", batch_id)
    with engine.connect() as conn:
        problem = _refused(conn, batch_id, scope, user, "approve")
        pending = pending_values(conn, batch_id) if problem is None else None
    if problem:
        report.issues.append(problem)
        return report
    report.rows = len(pending)

    def close(conn: Connection, applied: int | None) -> list[Issue]:
        problem = _refused(conn, batch_id, scope, user, "approve")  # still waiting, inside the write transaction
        if problem:
            return [problem]
        if _finish(conn, batch_id, APPROVED, user, applied_as=applied) < 0:
            return [Issue(0, "", "not-permitted", str(batch_id), f"batch {batch_id} was reviewed meanwhile; see `resultsboard history`")]
        _event(conn, user, "review-approve", batch_id, {"applied_batch": applied, "rows": len(pending)})
        return []

    result = import_files(engine, [Upload(f"batch-{batch_id}-approved.csv", _file(pending))], user=user, source="review",
                          kind="results", scope=scope, on_commit=close)
    if result.status != "committed":
        origin = list(zip(pending["file"], pending["row"]))
        for i in result.issues:
            file, row = origin[i.row - 2] if 2 <= i.row < len(origin) + 2 else ("", i.row)
            report.issues.append(Issue(int(row), i.column, i.check, i.value,
                                       (f"{file} row {row}: " if file else "") + i.message, i.severity, file))
        return report
    report.status = APPROVED
    report.applied_batch_id = result.batch_id
    return report


def return_batch(engine: Engine, batch_id: int, reason: str, *, scope: Scope, user: str) -> ReviewReport:
    """Discard a submitted batch's pending rows, keeping `reason` for its uploader (no lock or
    data check: returning always succeeds for a reviewer)."""
    from models.db import write_transaction

    require(scope)
    report = ReviewReport("refused", batch_id, reason=reason.strip())
    if not report.reason:
        report.issues.append(Issue(0, "reason", "missing-cell", "", "say why the batch is returned: --return REASON"))
        return report
    with write_transaction(engine) as conn:
        problem = _refused(conn, batch_id, scope, user, "return")
        if problem:
            report.issues.append(problem)
            return report
        report.rows = _finish(conn, batch_id, RETURNED, user, reason=report.reason)
        if report.rows < 0:
            report.issues.append(Issue(0, "", "not-permitted", str(batch_id), f"batch {batch_id} was reviewed meanwhile"))
            return report
        _event(conn, user, "review-return", batch_id, {"reason": report.reason, "rows": report.rows})
    report.status = RETURNED
    return report


def _finish(conn: Connection, batch_id: int, status: str, user: str, **values) -> int:
    """Record the review of a batch still submitted and delete its pending rows; returns how
    many rows went (-1: the batch is no longer submitted, another reviewer was first)."""
    marked = conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.status == SUBMITTED)
                          .values(status=status, reviewer=user, reviewed_at=datetime.now(timezone.utc), **values)).rowcount
    if marked != 1:
        return -1
    return int(conn.execute(delete(PendingValue).where(PendingValue.batch_id == batch_id)).rowcount or 0)


def _event(conn: Connection, user: str, action: str, batch_id: int, detail: dict) -> None:
    conn.execute(insert(AuditEvent).values(at=datetime.now(timezone.utc), user=user, action=action, batch_id=batch_id,
                                           detail=json.dumps(detail)))

"""Import history and exact revert.

A batch's created rows are the rows whose batch_id is the batch and which have no prior
version from it; its updated rows have a RowVersion holding their prior state. A revert
restores the one and deletes the other, and refuses — naming them — when later batches
changed the same rows or depend on rows it created. The revert is a batch of its own.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import Engine, and_, insert, select, update

from models.db import write_transaction
from models.issues import ERROR, Issue
from models.locking import revert_issues
from models.tables import (
    Activity,
    ActivityKeyFactor,
    ActivityPartner,
    Agreement,
    AuditEvent,
    Baseline,
    Donor,
    Funding,
    ImportBatch,
    Indicator,
    Partner,
    PendingValue,
    Result,
    RowVersion,
    User,
    Value,
)
from models.writes import bulk_delete, bulk_update, read_frame, replace_link_sets

# Tables a batch writes, in dependency order (parents first).
BATCH_TABLES = [Donor, Partner, Agreement, Funding, Result, Indicator, Activity, Baseline, Value]
TABLE_LABEL = {
    "donor": "donor", "partner": "partner", "agreement": "agreement", "funding": "funding link",
    "result": "result", "indicator": "indicator", "activity": "activity", "baseline": "baseline",
    "result_value": "indicator value",
}
# (child table, column, parent table): rows that would be orphaned by deleting a parent.
REFERENCES = [
    (Agreement, "donor_id", Donor), (Funding, "donor_id", Donor), (Activity, "donor_id", Donor),
    (User, "donor_id", Donor),
    (Funding, "partner_id", Partner), (Baseline, "partner_id", Partner), (Value, "partner_id", Partner),
    (ActivityPartner, "partner_id", Partner), (User, "partner_id", Partner),
    (Result, "parent_id", Result), (Indicator, "result_id", Result),
    (Baseline, "indicator_id", Indicator), (Value, "indicator_id", Indicator),
    (PendingValue, "partner_id", Partner), (PendingValue, "indicator_id", Indicator),
]

HISTORY_COLUMNS = ["id", "user", "at", "files", "sha256", "kinds", "created", "updated", "unchanged", "deleted", "status", "source", "reverts",
                   "reviewer", "reviewed_at", "reason", "applied_as"]


@dataclass
class RevertReport:
    status: str  # reverted | refused
    batch_id: int  # the batch asked for
    revert_batch_id: int | None = None
    restored: int = 0
    deleted: int = 0
    issues: list[Issue] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "batch_id": self.batch_id,
            "revert_batch_id": self.revert_batch_id,
            "restored": self.restored,
            "deleted": self.deleted,
            "issues": [{k: v for k, v in i.as_dict().items() if k != "file"} for i in self.issues],
        }

    def summary(self) -> str:
        if self.status == "reverted":
            return (f"Reverted batch {self.batch_id} (recorded as batch {self.revert_batch_id}): "
                    f"{self.restored} rows restored, {self.deleted} rows removed")
        return f"Refused to revert batch {self.batch_id}: " + "; ".join(i.message for i in self.issues)


def history(engine: Engine) -> pd.DataFrame:
    """Every stored batch, newest first; files and sha256 as lists."""
    with engine.connect() as conn:
        frame = read_frame(conn, select(*[ImportBatch.__table__.c[c] for c in HISTORY_COLUMNS]).order_by(ImportBatch.id.desc()))
    frame["files"] = frame["files"].map(json.loads)
    frame["sha256"] = frame["sha256"].map(json.loads)
    frame["applied_as"] = [None if pd.isna(b) else int(b) for b in frame["applied_as"]]
    for c in ("reviewer", "reviewed_at", "reason"):
        frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    return frame


def revert_batch(engine: Engine, batch_id: int, *, user: str) -> RevertReport:
    report = RevertReport("refused", batch_id)
    with write_transaction(engine) as conn:
        batch = conn.execute(select(ImportBatch).where(ImportBatch.id == batch_id)).mappings().first()
        problem, check = None, "not-permitted"
        if batch is None:
            problem, check = f"there is no batch {batch_id}; see `resultsboard history`", "unknown-reference"
        elif batch["status"] == "reverted":
            problem = f"batch {batch_id} was already reverted"
        elif batch["status"] in ("submitted", "returned"):
            problem = f"batch {batch_id} was never applied (it is {batch['status']}): nothing to revert"
        elif batch["status"] == "approved":
            problem = f"batch {batch_id} was applied by its approval, batch {batch['applied_as']}: revert that one"
        elif batch["source"] == "revert":
            problem = f"batch {batch_id} is itself a revert; import the files again instead"
        if problem:
            report.issues.append(Issue(0, "", check, str(batch_id), problem, ERROR))
            return report

        versions = read_frame(conn, select(RowVersion.table_name, RowVersion.row_id, RowVersion.prior_batch_id, RowVersion.prior)
                              .where(RowVersion.batch_id == batch_id))
        # later committed batches that changed rows this batch wrote
        later = read_frame(conn, select(RowVersion.table_name, RowVersion.row_id, RowVersion.batch_id)
                           .join(ImportBatch, ImportBatch.id == RowVersion.batch_id)
                           .where(and_(RowVersion.prior_batch_id == batch_id, RowVersion.batch_id != batch_id,
                                       ImportBatch.status == "committed")))
        conflicts: dict[str, set] = {}
        for t, b in zip(later["table_name"], later["batch_id"]):
            conflicts.setdefault(t, set()).add(int(b))
        restore: dict[str, pd.DataFrame] = {}
        created: dict[str, list[int]] = {}
        for model in BATCH_TABLES:
            name = model.__tablename__
            mine = versions[versions["table_name"] == name]
            if not mine.empty:
                current = dict(conn.execute(select(model.id, model.batch_id).where(model.id.in_([int(i) for i in mine["row_id"]]))).all())
                for rid in mine["row_id"]:
                    now = current.get(int(rid))
                    if now != batch_id:
                        conflicts.setdefault(name, set()).add(now if now is not None else -1)
                restore[name] = mine
            ids = [i for (i,) in conn.execute(select(model.id).where(model.batch_id == batch_id))]
            updated_ids = set(int(i) for i in mine["row_id"])
            created[name] = [i for i in ids if i not in updated_ids]
        if conflicts:
            for name, batches in sorted(conflicts.items()):
                named = ", ".join(str(b) for b in sorted(batches) if b != -1) or "a later change"
                report.issues.append(Issue(0, "", "dependent-rows", name,
                                           f"later batches ({named}) changed {TABLE_LABEL.get(name, name)} rows this batch wrote; revert those first", ERROR))
            return report
        # rows of other batches that depend on rows this batch created
        deleting = {m.__tablename__: set(created.get(m.__tablename__, [])) for m in BATCH_TABLES}
        for child, column, parent in REFERENCES:
            doomed = deleting.get(parent.__tablename__)
            if not doomed:
                continue
            col = child.__table__.c[column]
            stmt = select(col).where(col.in_(list(doomed)))
            if "batch_id" in child.__table__.c:
                stmt = select(col, child.__table__.c.batch_id).where(col.in_(list(doomed)), child.__table__.c.batch_id != batch_id)
            elif child is ActivityPartner:
                stmt = (select(col, Activity.batch_id).join(Activity, Activity.id == ActivityPartner.activity_id)
                        .where(col.in_(list(doomed)), Activity.batch_id != batch_id))
            else:
                stmt = select(col, User.email).where(col.in_(list(doomed)))
            rows = conn.execute(stmt).all()
            if rows:
                others = sorted({str(r[1]) for r in rows})
                report.issues.append(Issue(0, "", "dependent-rows", parent.__tablename__,
                                           f"{len(rows)} {TABLE_LABEL.get(child.__tablename__, child.__tablename__)} rows of later batches or users "
                                           f"({', '.join(others)}) depend on {TABLE_LABEL.get(parent.__tablename__)} rows this batch created; revert or remove them first", ERROR))
        # values of locked periods it would restore or delete
        touched = {name: [*created.get(name, []), *[int(i) for i in mine["row_id"]]] for name, mine in restore.items()}
        touched |= {name: ids for name, ids in created.items() if name not in touched}
        report.issues += revert_issues(conn, batch_id, touched)
        if report.issues:
            return report

        # restore updated rows
        for name, mine in restore.items():
            table = next(m for m in BATCH_TABLES if m.__tablename__ == name).__table__
            by_cols: dict[tuple, list] = {}
            for rid, prior_batch, prior in zip(mine["row_id"], mine["prior_batch_id"], mine["prior"]):
                values = json.loads(prior)
                links = {k: values.pop(k) for k in ("partners", "key_factors") if k in values}
                cols = tuple(sorted(values))
                by_cols.setdefault(cols, []).append((*[values[c] for c in cols], None if pd.isna(prior_batch) else int(prior_batch), int(rid)))
                if name == "activity" and links:
                    _restore_links(conn, int(rid), links)
            for cols, rows in by_cols.items():
                bulk_update(conn, table, [*cols, "batch_id"], rows)
            report.restored += mine["row_id"].nunique()
        # delete created rows, children first
        for model in reversed(BATCH_TABLES):
            ids = created.get(model.__tablename__, [])
            if not ids:
                continue
            if model is Activity:
                bulk_delete(conn, ActivityPartner.__table__, ids, "activity_id")
                bulk_delete(conn, ActivityKeyFactor.__table__, ids, "activity_id")
            if model is Result:
                conn.execute(update(Result).where(Result.id.in_(ids)).values(parent_id=None))
            bulk_delete(conn, model.__table__, ids)
            report.deleted += len(ids)
        now = datetime.now(timezone.utc)
        conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(status="reverted"))
        new_id = conn.execute(insert(ImportBatch).values(
            user=user, at=now, files=batch["files"], sha256=batch["sha256"], kinds=batch["kinds"],
            created=0, updated=report.restored, unchanged=0, deleted=report.deleted,
            status="committed", source="revert", reverts=batch_id,
        )).inserted_primary_key[0]
        conn.execute(insert(AuditEvent).values(at=now, user=user, action="revert", batch_id=batch_id,
                                               detail=json.dumps({"revert_batch": int(new_id)})))
        report.status = "reverted"
        report.revert_batch_id = int(new_id)
    return report


def _restore_links(conn, activity_id: int, links: dict) -> None:
    """Put back an activity's link sets as its prior version kept them."""
    for name, table, column in (("partners", ActivityPartner, "partner_id"), ("key_factors", ActivityKeyFactor, "key_factor")):
        if name in links:
            replace_link_sets(conn, table.__table__, "activity_id", column, {activity_id: links[name]})

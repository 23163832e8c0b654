"""Import history and exact revert.

A batch's created rows are the rows whose batch_id is the batch and which have no prior
version from it; its updated rows have a RowVersion holding their prior state. A revert
restores the one and deletes the other, and refuses — naming them — when later batches
changed the same rows or depend on rows it created. The revert is a batch of its own, and
keeps the state of every row it restores or deletes as a version of its own.

`batch_detail` gives one batch with the rows it created or changed, before -> after
(`history BATCH_ID`, the history page's drill-down), read from those versions: a row's
state before a batch is the batch's version of it; its state after the batch is the version
the next batch that wrote the row kept, else the row as stored.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import Connection, Engine, Text, and_, cast, func, insert, literal, select, union, update

from models.access import Scope, can_see_history, visible_batches
from models.db import write_transaction
from models.issues import ERROR, Issue
from models.locking import revert_issues
from models.row_changes import (
    CREATED, DELETED, KEYS, LINK_SETS, ROWS_CAP, TABLE_KIND, UPDATED, Entry, described, differs, plain, value_columns,
)
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
from models.wording import plural
from models.writes import bulk_delete, bulk_update, read_frame, record_versions, replace_link_sets

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
                    f"{plural(self.restored, 'row')} restored, {plural(self.deleted, 'row')} removed")
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

        now = datetime.now(timezone.utc)
        new_id = int(conn.execute(insert(ImportBatch).values(
            user=user, at=now, files=batch["files"], sha256=batch["sha256"], kinds=batch["kinds"],
            created=0, updated=0, unchanged=0, deleted=0, status="committed", source="revert", reverts=batch_id,
        )).inserted_primary_key[0])
        _keep_reverted_state(conn, new_id, batch_id, [n for n in KEYS if restore.get(n) is not None or created.get(n)])
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
        conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(status="reverted"))
        conn.execute(update(ImportBatch).where(ImportBatch.id == new_id).values(updated=report.restored, deleted=report.deleted))
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


def _keep_reverted_state(conn: Connection, revert_id: int, batch_id: int, tables: list[str], chunk: int = 20_000) -> None:
    """Keep, as versions of the revert `revert_id`, every row of `batch_id` as it stands before
    the revert restores or deletes it (key and values, an activity's link sets too): what the
    batch wrote stays readable in the history once it is reverted.

    One INSERT ... SELECT per table, the JSON built by the database (SQLite's json_object,
    PostgreSQL's json_build_object): no Python per row; an activity's link sets go through
    Python (few rows)."""
    for name in tables:
        model = next(m for m in BATCH_TABLES if m.__tablename__ == name)
        t = model.__table__
        columns = [c for c in t.c.keys() if c not in ("id", "batch_id")]
        builder = {"sqlite": func.json_object, "postgresql": func.json_build_object}.get(conn.dialect.name)
        if builder is not None and name not in LINK_SETS:
            prior = builder(*[x for c in columns for x in (literal(c), t.c[c])])
            conn.execute(insert(RowVersion).from_select(
                ["batch_id", "table_name", "row_id", "prior_batch_id", "prior"],
                select(literal(revert_id), literal(name), t.c.id, t.c.batch_id, cast(prior, Text)).where(t.c.batch_id == batch_id)))
            continue
        ids = [i for (i,) in conn.execute(select(t.c.id).where(t.c.batch_id == batch_id).order_by(t.c.id))]
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            rows = read_frame(conn, select(*[t.c[c] for c in ["id", "batch_id", *columns]]).where(t.c.id.in_(part)))
            links = list(LINK_SETS.get(name, ()))
            if links:
                sets = _link_sets(conn, part)
                for link in links:
                    rows[link] = [sets[link].get(int(i), []) for i in rows["id"]]
            record_versions(conn, revert_id, name, rows, [*columns, *links])


def _link_sets(conn: Connection, activity_ids: list[int]) -> dict[str, dict[int, list[int]]]:
    """{"partners": {activity id: sorted partner ids}, "key_factors": {...}} of the activities."""
    out: dict[str, dict[int, list[int]]] = {"partners": {}, "key_factors": {}}
    for name, table, column in (("partners", ActivityPartner, "partner_id"), ("key_factors", ActivityKeyFactor, "key_factor")):
        for aid, value in conn.execute(select(table.activity_id, getattr(table, column)).where(table.activity_id.in_(activity_ids))):
            out[name].setdefault(int(aid), []).append(int(value))
    for sets in out.values():
        for values in sets.values():
            values.sort()
    return out


# --- one batch: what it created or changed ----------------------------------------------------


def batch_record(row: dict) -> dict:
    """One batch of `history()` as `history --json` lists it."""
    def at(value):
        return value.isoformat(timespec="seconds") if value is not None and not pd.isna(value) else None

    reverts = row.get("reverts")
    return {
        "id": int(row["id"]), "user": row["user"], "at": at(row["at"]), "files": row["files"], "sha256": row["sha256"],
        "kinds": [k for k in (row["kinds"] or "").split(",") if k], "created": int(row["created"]),
        "updated": int(row["updated"]), "unchanged": int(row["unchanged"]), "deleted": int(row["deleted"]),
        "status": row["status"], "source": row["source"],
        "reverts": None if reverts is None or pd.isna(reverts) else int(reverts),
        "reviewer": row["reviewer"], "reviewed_at": at(row["reviewed_at"]), "reason": row["reason"],
        "applied_as": None if row["applied_as"] is None or pd.isna(row["applied_as"]) else int(row["applied_as"]),
    }


def batch_detail(engine: Engine, batch_id: int, scope: Scope, cap: int = ROWS_CAP) -> dict | None:
    """One batch as `history BATCH_ID --json` gives it: its `history --json` record (who,
    when, files, counts, status) with `rows` — the first `cap` rows it created or changed,
    before -> after (models.row_changes; a revert's rows are those it restored, `updated`,
    or removed, `deleted`) — and `rows_total`. None when `scope` may not see such a batch
    (none, or not theirs: models.access.visible_batches)."""
    if not can_see_history(scope):
        return None
    frame = visible_batches(scope, history(engine))
    found = frame[frame["id"].eq(batch_id).to_numpy()]
    if found.empty:
        return None
    record = batch_record(found.iloc[0].to_dict())
    with engine.connect() as conn:
        entries, total = _batch_entries(conn, record, cap)
        record["rows"] = described(conn, entries)
    record["rows_total"] = total
    return record


def _batch_entries(conn: Connection, batch: dict, cap: int) -> tuple[list[Entry], int]:
    if batch["source"] == "revert" and batch["reverts"] is not None:
        return _revert_entries(conn, batch, cap)
    if batch["status"] == "submitted":
        return _pending_entries(conn, batch, cap)
    if batch["status"] == "returned":
        return [], 0
    if batch["status"] == "approved" and batch["applied_as"] is not None:
        applied = conn.execute(select(ImportBatch.files, ImportBatch.kinds).where(ImportBatch.id == batch["applied_as"])).first()
        if applied is None:
            return [], 0
        return _written_entries(conn, batch["applied_as"], _files_of(json.loads(applied.files), applied.kinds), cap)
    return _written_entries(conn, batch["id"], _files_of(batch["files"], ",".join(batch["kinds"])), cap)


def _files_of(files: list[str], kinds: str) -> dict[str, str | None]:
    """The file each table's rows came from, where the batch's files and kinds tell (one file,
    or one file of that kind); None where they do not."""
    names = list(TABLE_KIND)
    if len(files) == 1:
        return {n: files[0] for n in names}
    kinds_list = (kinds or "").split(",")
    if len(kinds_list) != len(files):
        return {n: None for n in names}
    out = {}
    for n in names:
        of_kind = [f for f, k in zip(files, kinds_list) if k == TABLE_KIND[n]]
        out[n] = of_kind[0] if len(of_kind) == 1 else None
    return out


def _versions(conn: Connection, name: str, ids: list[int], *, batch: int | None = None,
              prior_batch: int | None = None) -> dict[int, dict]:
    """{row id: prior state} of the versions of `name` rows `ids` that `batch` kept, or (with
    `prior_batch`) the first version a later batch kept of the state `prior_batch` left."""
    v = RowVersion.__table__
    stmt = select(v.c.row_id, v.c.prior).where(v.c.table_name == name, v.c.row_id.in_(ids))
    if batch is not None:
        stmt = stmt.where(v.c.batch_id == batch).order_by(v.c.id)
    else:
        stmt = stmt.where(v.c.prior_batch_id == prior_batch, v.c.batch_id != prior_batch).order_by(v.c.batch_id, v.c.id)
    out: dict[int, dict] = {}
    for rid, prior in conn.execute(stmt):
        out.setdefault(int(rid), json.loads(prior))
    return out


def _current(conn: Connection, name: str, ids: list[int]) -> dict[int, dict]:
    """{row id: stored state (batch_id, key, values, link sets)} of the rows that still exist."""
    t = next(m for m in BATCH_TABLES if m.__tablename__ == name).__table__
    rows = conn.execute(select(t).where(t.c.id.in_(ids))).mappings().all()
    out = {int(r["id"]): dict(r) for r in rows}
    if name in LINK_SETS and out:
        sets = _link_sets(conn, list(out))
        for rid, state in out.items():
            for link in LINK_SETS[name]:
                state[link] = sets[link].get(rid, [])
    return out


def _changed(name: str, before: dict, after: dict) -> list[str]:
    return [c for c in value_columns(name) if c in before and c in after
            and differs(plain(name, c, before[c]), plain(name, c, after[c]))]


def _written_entries(conn: Connection, batch_id: int, files: dict, cap: int) -> tuple[list[Entry], int]:
    """The rows a committed batch created or changed (by table, parents first, then row id)."""
    v = RowVersion.__table__
    entries: list[Entry] = []
    total = 0
    for name in KEYS:
        t = next(m for m in BATCH_TABLES if m.__tablename__ == name).__table__
        ids_q = union(select(t.c.id.label("rid")).where(t.c.batch_id == batch_id),
                      select(v.c.row_id.label("rid")).where(v.c.batch_id == batch_id, v.c.table_name == name),
                      select(v.c.row_id.label("rid")).where(v.c.prior_batch_id == batch_id, v.c.batch_id != batch_id,
                                                            v.c.table_name == name)).subquery()
        count = int(conn.execute(select(func.count()).select_from(ids_q)).scalar() or 0)
        if not count:
            continue
        room = cap - len(entries)
        ids = [int(i) for (i,) in conn.execute(select(ids_q.c.rid).order_by(ids_q.c.rid).limit(room))] if room > 0 else []
        mine = _versions(conn, name, ids, batch=batch_id) if ids else {}
        later = _versions(conn, name, ids, prior_batch=batch_id) if ids else {}
        current = _current(conn, name, ids) if ids else {}
        unknown = 0
        for rid in ids:
            now = current.get(rid)
            after_state = later.get(rid)
            if after_state is None and now is not None and now["batch_id"] == batch_id:
                after_state = now
            if after_state is None:  # reverted before reverts kept what they removed: nothing to show
                unknown += 1
                continue
            # a removed row's id may since name another row: the key a version kept comes first
            key_source = after_state if all(k in after_state for k in KEYS[name]) or now is None else now
            key = {(name, k): key_source.get(k) for k in KEYS[name]}
            if rid in mine:
                cols = _changed(name, mine[rid], after_state)
                entries.append(Entry(files.get(name), None, UPDATED, key, {(name, c): mine[rid][c] for c in cols},
                                     {(name, c): after_state[c] for c in cols}))
            else:
                after = {(name, c): after_state[c] for c in value_columns(name)
                         if c in after_state and plain(name, c, after_state[c]) not in (None, [])}
                entries.append(Entry(files.get(name), None, CREATED, key, {}, after))
        total += count - unknown
    return entries, total


def _revert_entries(conn: Connection, batch: dict, cap: int) -> tuple[list[Entry], int]:
    """A revert's rows: those it restored (`updated`: before = what the reverted batch wrote,
    after = what it restored) and those it removed (`deleted`)."""
    reverted = batch["reverts"]
    files_row = conn.execute(select(ImportBatch.files, ImportBatch.kinds).where(ImportBatch.id == reverted)).first()
    files = _files_of(json.loads(files_row.files), files_row.kinds) if files_row else {}
    v = RowVersion.__table__
    total = int(conn.execute(select(func.count()).select_from(v).where(v.c.batch_id == batch["id"])).scalar() or 0)
    entries: list[Entry] = []
    for name in KEYS:
        room = cap - len(entries)
        if room <= 0:
            break
        found = conn.execute(select(v.c.row_id, v.c.prior).where(v.c.batch_id == batch["id"], v.c.table_name == name)
                             .order_by(v.c.row_id, v.c.id).limit(room)).all()
        if not found:
            continue
        ids = [int(r) for r, _ in found]
        restored = _versions(conn, name, ids, batch=reverted)
        for rid, prior in found:
            state = json.loads(prior)
            key = {(name, k): state.get(k) for k in KEYS[name]}
            if int(rid) in restored:
                cols = _changed(name, state, restored[int(rid)])
                entries.append(Entry(files.get(name), None, UPDATED, key, {(name, c): state[c] for c in cols},
                                     {(name, c): restored[int(rid)][c] for c in cols}))
            else:
                before = {(name, c): state[c] for c in value_columns(name)
                          if c in state and plain(name, c, state[c]) not in (None, [])}
                entries.append(Entry(files.get(name), None, DELETED, key, before, {}))
    return entries, total


def _pending_entries(conn: Connection, batch: dict, cap: int) -> tuple[list[Entry], int]:
    """A submitted batch's rows: the values it proposes (kept for review) beside the approved ones."""
    stored = Value.__table__.alias("stored")
    p = PendingValue.__table__
    key = ("indicator_id", "partner_id", "period_start", "period_end", "dimension", "dimension_value")
    join = and_(*[stored.c[c] == p.c[c] for c in key])
    total = int(conn.execute(select(func.count()).select_from(p).where(p.c.batch_id == batch["id"])).scalar() or 0)
    rows = conn.execute(select(p, stored.c.id.label("stored_id"), stored.c.actual.label("stored_actual"),
                               stored.c.actual_text.label("stored_actual_text"), stored.c.comment.label("stored_comment"))
                        .select_from(p.outerjoin(stored, join)).where(p.c.batch_id == batch["id"])
                        .order_by(p.c.file, p.c.row, p.c.id).limit(cap)).mappings().all()
    entries = []
    name = "result_value"
    for r in rows:
        clears = set(filter(None, (r["clears"] or "").split(",")))
        k = {(name, c): r[c] for c in key}
        new = {}
        for c, cleared in (("actual", "actual"), ("actual_text", "actual"), ("comment", "comment")):
            if r[c] is not None:
                new[c] = r[c]
            elif cleared in clears:
                new[c] = None
        if r["stored_id"] is None:
            entries.append(Entry(r["file"] or None, int(r["row"]) or None, CREATED, k, {},
                                 {(name, c): v for c, v in new.items() if v is not None}))
            continue
        old = {c: r[f"stored_{c}"] for c in ("actual", "actual_text", "comment")}
        cols = [c for c in new if differs(plain(name, c, old[c]), plain(name, c, new[c]))]
        entries.append(Entry(r["file"] or None, int(r["row"]) or None, UPDATED, k, {(name, c): old[c] for c in cols},
                             {(name, c): new[c] for c in cols}))
    return entries, total

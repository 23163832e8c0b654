"""Period locking (DESIGN.md, "Access": Period locking): an administrator closes reporting
through a date, so nobody changes what donors were told.

A value is locked when its period ends on or before the lock date: an indicator value by its
period_end, a baseline by the end of its year (31 December). Every write path asks here —
imports (indicator values, baselines, and indicator changes that would re-score locked
values), reverts and approvals of partner uploads (which run through the import engine) — and a write that would create, change or delete a locked
value is refused whole with the check `locked-period`, nothing written. Each move of the
lock is a row of `period_lock` (the newest is in force) and an audit event `lock`.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from models.db import write_transaction
from models.issues import ERROR, Issue
from models.tables import AuditEvent, Baseline, Indicator, Partner, PeriodLock, Value

CHECK = "locked-period"
# Indicator columns that change how its stored values are scored (what donors were told).
SCORING_COLUMNS = ("measure", "ascending", "cumulative", "aggregation", "scale_min", "scale_max")


def lock_in_force(conn: Connection) -> date | None:
    """The date reporting is closed through (None: no lock)."""
    return conn.scalar(select(PeriodLock.through).order_by(PeriodLock.id.desc()).limit(1))


def current_lock(engine: Engine) -> dict | None:
    """{through, at, user} of the lock in force, None when there is none."""
    with engine.connect() as conn:
        row = conn.execute(select(PeriodLock.through, PeriodLock.at, PeriodLock.user)
                           .order_by(PeriodLock.id.desc()).limit(1)).first()
    if row is None or row[0] is None:
        return None
    return {"through": row[0], "at": row[1], "user": row[2]}


def move_lock(engine: Engine, through: date, *, by: str) -> date | None:
    """Close reporting through `through` (later or earlier than before: an administrator's
    act either way), recorded as an audit event `lock`; returns the previous lock date."""
    with write_transaction(engine) as conn:
        previous = lock_in_force(conn)
        now = datetime.now(timezone.utc)
        conn.execute(insert(PeriodLock).values(through=through, at=now, user=by))
        conn.execute(insert(AuditEvent).values(at=now, user=by, action="lock", detail=json.dumps(
            {"through": through.isoformat(), "previous": previous.isoformat() if previous else None})))
    return previous


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def message(what: str, end, through) -> str:
    """`what` (a sentence naming the locked value), the period end, the lock, and what to do."""
    return (f"{what} (period ending {_iso(end)}; reporting is closed through {_iso(through)}): values of a locked "
            "period cannot be created, changed or deleted; leave it out, or ask an administrator to move the lock "
            "(`resultsboard lock --through DATE`)")


def locked_ends(ends: pd.Series, through: date | None) -> pd.Series:
    """Which period ends (ISO text or dates) fall on or before the lock."""
    if through is None or ends.empty:
        return pd.Series(False, index=ends.index)
    return ends.map(_iso) <= through.isoformat()


def baseline_end(years: pd.Series) -> pd.Series:
    """A baseline year's period end: 31 December of it."""
    return years.map(lambda y: f"{int(y):04d}-12-31")


def revert_issues(conn: Connection, batch_id: int, rows: dict[str, list[int]]) -> list[Issue]:
    """Issues for the locked values a revert of `batch_id` would change or delete (`rows`:
    table name -> ids of the rows it restores or deletes)."""
    through = lock_in_force(conn)
    if through is None:
        return []
    issues = []
    ids = [int(i) for i in rows.get(Value.__tablename__, [])]
    if ids:
        found = conn.execute(select(Indicator.code, Partner.code, Value.period_start, Value.period_end)
                             .join(Indicator, Indicator.id == Value.indicator_id).join(Partner, Partner.id == Value.partner_id)
                             .where(Value.id.in_(ids), Value.period_end <= through)
                             .order_by(Value.period_end, Indicator.code, Partner.code)).all()
        for ind, partner, start, end in found:
            who = f" of {partner}" if partner else ""
            issues.append(Issue(0, "period_end", CHECK, _iso(end),
                                message(f"batch {batch_id} wrote the value of {ind}{who} for {_iso(start)} to {_iso(end)}, "
                                        "which is locked", end, through)))
    ids = [int(i) for i in rows.get(Baseline.__tablename__, [])]
    if ids:
        found = conn.execute(select(Indicator.code, Partner.code, Baseline.year)
                             .join(Indicator, Indicator.id == Baseline.indicator_id).join(Partner, Partner.id == Baseline.partner_id)
                             .where(Baseline.id.in_(ids), Baseline.year <= through.year - (through < date(through.year, 12, 31)))
                             .order_by(Baseline.year, Indicator.code, Partner.code)).all()
        for ind, partner, year in found:
            who = f" of {partner}" if partner else ""
            issues.append(Issue(0, "baseline_year", CHECK, str(year),
                                message(f"batch {batch_id} wrote the {year} baseline of {ind}{who}, which is locked",
                                        f"{year}-12-31", through)))
    return issues


def scoring_before(conn: Connection) -> pd.DataFrame | None:
    """The stored indicators' scoring columns by id, read before an indicators upload (None
    when no lock is in force: nothing to compare)."""
    if lock_in_force(conn) is None:
        return None
    from models.writes import read_frame

    return read_frame(conn, select(Indicator.id, *[Indicator.__table__.c[c] for c in SCORING_COLUMNS])).set_index("id")


def indicator_issues(conn: Connection, before: pd.DataFrame | None, updated_ids: pd.Series, frame: pd.DataFrame) -> list[Issue]:
    """Issues for indicators whose scoring columns an upload changes while they have values in
    a locked period (`before`: the stored indicators, by id, before the upload; `updated_ids`:
    spreadsheet row -> id of the indicators it updated)."""
    through = lock_in_force(conn)
    if through is None or before is None or updated_ids.empty:
        return []
    issues = []
    for row, iid in updated_ids.items():
        iid = int(iid)
        if iid not in before.index:
            continue
        now = conn.execute(select(*[Indicator.__table__.c[c] for c in ("code", *SCORING_COLUMNS)])
                           .where(Indicator.id == iid)).mappings().one()
        changed = [c for c in SCORING_COLUMNS if not _same(before.loc[iid, c], now[c])]
        if not changed:
            continue
        last = conn.scalar(select(Value.period_end).where(Value.indicator_id == iid, Value.period_end <= through)
                           .order_by(Value.period_end.desc()).limit(1))
        if last is None:
            continue
        col = changed[0]
        issues.append(Issue(int(row), col, CHECK, str(frame.loc[row, col]) if col in frame else "",
                            message(f"indicator {now['code']}: changing its {', '.join(changed)} would re-score "
                                    "its values of locked periods", last, through), ERROR))
    return issues


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and pd.isna(a)):
        return b is None or (isinstance(b, float) and pd.isna(b))
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)

"""Stored rows in, plans out: each kind's rows go through the one write path
(`upsert.plan_upsert` then `upsert.apply_plan`), keyed by the kind's natural key."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from models.formats import CASE_FREE_KEYS, KINDS, STORED_AS
from models.importing.context import ImportContext
from models.upsert import Plan, apply_plan, plan_upsert
from models.writes import iso_dates, read_stored


# A write of more rows than this reports its progress chunk by chunk.
WRITE_STEPS_FROM = 10_000
ROWS_OF = {"result_value": "values", "baseline": "baselines"}


def stored_key(names, table) -> list[str]:
    """A natural key (file column names, e.g. `formats.Kind.key`) as the table's columns:
    a reference names its id (partner -> partner_id); a column the table lacks is left
    out (an agreement has no partner)."""
    out = []
    for name in names:
        for candidate in (f"{name}_id", STORED_AS.get(name, name)):
            if candidate in table.c:
                out.append(candidate)
                break
    return out


def kind_key(kind: str, model) -> list[str]:
    return stored_key(KINDS[kind].key, model.__table__)


def stored(ctx: ImportContext, model, columns: list[str], where=None, *, dates=()) -> pd.DataFrame:
    """id, batch_id and `columns` of the stored rows (those matching `where`); `dates` as ISO text."""
    t = model.__table__
    stmt = select(*[t.c[c] for c in ["id", "batch_id", *columns]])
    if where is not None:
        stmt = stmt.where(where)
    return iso_dates(read_stored(ctx.conn, stmt), dates)


def upsert(ctx: ImportContext, model, incoming: pd.DataFrame, key: list[str], columns: list[str], *,
           where=None, dates=(), keep: pd.DataFrame | None = None, extra_changed: pd.Series | None = None,
           stored_rows: pd.DataFrame | None = None, apply: bool = True, codes=None) -> Plan:
    """Plan `incoming` (key + columns, index = spreadsheet row) against the stored rows and apply it.

    Key columns holding codes or breakdown names and values match case-insensitively. `keep` and `extra_changed` as in
    `apply_plan` and `plan_upsert`; `stored_rows` when the caller has read them already; `apply=False`
    only plans (a partner's upload, kept for review); `codes`: the key codes of `incoming` and
    `stored_rows` when the caller has them (`upsert.key_codes`, computed on both together)."""
    if stored_rows is None:
        stored_rows = stored(ctx, model, [*key, *columns], where, dates=dates)
    fold = tuple(k for k in key if k in CASE_FREE_KEYS)
    plan = plan_upsert(incoming[[*key, *columns]], stored_rows, table=model.__table__, key=key, columns=columns,
                       fold_case=fold, extra_changed=extra_changed, codes=codes)
    if apply:
        if len(plan.created) + len(plan.updated) > WRITE_STEPS_FROM:
            apply_plan(ctx.conn, plan, ctx.batch_id, keep,
                       lambda done, total: ctx.step(f"writing {ROWS_OF.get(model.__tablename__, 'rows')}", done, total))
        else:
            apply_plan(ctx.conn, plan, ctx.batch_id, keep)
    if ctx.changes is not None:
        ctx.changes.add_plan(ctx.file, model.__tablename__, plan)
    return plan


def upsert_by_code(ctx: ImportContext, kind: str, model, parsed: pd.DataFrame, columns: list[str], ok: pd.Series, *,
                   keep: pd.DataFrame | None = None, extra_changed: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """Upsert the rows `ok` of a code-keyed kind; returns (action per row, stored id per row)."""
    rows = parsed[ok.reindex(parsed.index).fillna(False).to_numpy(dtype=bool)]
    key = kind_key(kind, model)
    plan = upsert(ctx, model, rows, key, columns, dates=columns, keep=keep, extra_changed=extra_changed)
    ids = plan.ids.copy()
    codes = ctx.codes(model, refresh=not plan.created.empty or not plan.updated.empty)
    if not plan.created.empty:
        ids.loc[plan.created.index] = rows.loc[plan.created.index, "code"].str.lower().map(codes)
    return plan.actions, ids

"""Activities, with their link sets (partners and key factors): a non-empty list cell
replaces the stored set, and the prior sets are kept with the activity's prior version."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from models.cells import parse_choice, parse_date, parse_number, parse_text, split_list
from models.formats import ACTIVITY_STATUSES, ACTIVITY_TYPES, CLEAR_TOKEN, MODES
from models.importing.checks import (
    admin_kind,
    code_rows,
    column,
    did_you_mean,
    end_before_start,
    key_factor_hint,
    key_factor_number,
    no_issues,
    resolve_clearable,
    with_clear,
)
from models.importing.context import ImportContext
from models.importing.store import upsert_by_code
from models.issues import Issue
from models.reading import Table
from models.row_changes import link_changes
from models.tables import Activity, ActivityKeyFactor, ActivityPartner, Donor, Partner
from models.upsert import CREATED, UNCHANGED
from models.writes import replace_link_sets

ACTIVITY_COLUMNS = ["title", "type", "start", "end", "mode", "status", "participants", "donor_id", "description"]
# list column -> (link table, its value column)
LINKS = {"partners": (ActivityPartner, "partner_id"), "key_factors": (ActivityKeyFactor, "key_factor")}


@admin_kind
def import_activities(ctx: ImportContext, t: Table) -> pd.Series:
    frame, ok, parsed = code_rows(ctx, t, ["title", "type", "start"])
    issues: list[Issue] = []
    parsed["title"], _ = parse_text(frame["title"], "title")
    parsed["type"], iss = parse_choice(frame["type"], "type", ACTIVITY_TYPES, label="activity type"); issues += iss
    parsed["start"], iss = parse_date(frame["start"], "start"); issues += iss
    parsed["end"], iss = parse_date(column(frame, "end"), "end"); issues += iss
    parsed["mode"], iss = parse_choice(column(frame, "mode"), "mode", MODES, label="delivery mode"); issues += iss
    parsed["status"], iss = parse_choice(column(frame, "status"), "status", ACTIVITY_STATUSES, label="activity status"); issues += iss
    part, cleared, iss = parse_number(column(frame, "participants"), "participants", integer=True, minimum=0); issues += iss
    parsed["participants"] = with_clear(part.astype(object).where(part.notna(), None).map(lambda v: int(v) if isinstance(v, float) else v), cleared)
    parsed["description"], _ = parse_text(column(frame, "description"), "description")
    parsed["donor_id"], donor_ok = resolve_clearable(ctx, column(frame, "donor"), "donor", Donor, "donor")
    issues += end_before_start(parsed, "start", "end")
    ok &= donor_ok
    sets = {"partners": _list_cells(frame, "partners", _partner_resolver(ctx), issues),
            "key_factors": _list_cells(frame, "key_factors", _key_factor_resolver(), issues)}
    ctx.add(issues)
    ok &= no_issues(frame.index, issues)
    stored_sets = _stored_link_sets(ctx)
    actions, ids = upsert_by_code(ctx, "activities", Activity, parsed, ACTIVITY_COLUMNS, ok,
                                  keep=stored_sets, extra_changed=_links_changed(ctx, frame, sets, stored_sets))
    written = ok & ids.reindex(frame.index).notna() & actions.reindex(frame.index).ne(UNCHANGED)
    if ctx.changes is not None:  # the link sets each row changes, for the report's rows
        ctx.changes.add_fields(ctx.file, "activity", link_changes(sets, ids, stored_sets, written),
                               set(actions.index[actions.eq(CREATED).to_numpy()]))
    for name, (table, value_column) in LINKS.items():
        replace = {int(ids.loc[row]): values for row, values in sets[name].items() if written.loc[row]}
        replace_link_sets(ctx.conn, table.__table__, "activity_id", value_column, replace)
    return actions


def _partner_resolver(ctx: ImportContext):
    codes = ctx.codes(Partner)
    choices = [k for k in codes if k]
    return (lambda item: codes.get(item.lower())), (lambda item: did_you_mean(item, choices, str.upper)), "partner"


def _key_factor_resolver():
    return key_factor_number, key_factor_hint, "key factor (1 to 10, or its name)"


def _list_cells(frame: pd.DataFrame, name: str, resolver, issues: list[Issue]) -> dict[int, set]:
    """{row: set of ids} for the non-empty cells of a list column (the clear token: an empty set).

    `resolver`: (item -> id or None, item -> did-you-mean text, what an item is)."""
    resolve, hint, what = resolver
    cells = column(frame, name)
    out: dict[int, set] = {}
    for row in frame.index[cells.ne("").to_numpy()]:
        cell = cells.loc[row]
        if cell == CLEAR_TOKEN:
            out[row] = set()
            continue
        found = set()
        for item in split_list(cell):
            value = resolve(item)
            if value is None:
                issues.append(Issue(int(row), name, "unknown-reference", item, f"unknown {what} '{item}'{hint(item)}"))
            else:
                found.add(value)
        out[row] = found
    return out


def _stored_link_sets(ctx: ImportContext) -> pd.DataFrame:
    """Every stored activity's link sets as sorted lists, indexed by activity id."""
    ids = sorted(ctx.codes(Activity).values())
    links = {name: {i: set() for i in ids} for name in LINKS}
    for name, (table, value_column) in LINKS.items():
        for aid, value in ctx.conn.execute(select(table.activity_id, getattr(table, value_column))):
            links[name].setdefault(aid, set()).add(value)
    return pd.DataFrame({name: pd.Series({i: sorted(v) for i, v in links[name].items()}, dtype=object) for name in LINKS},
                        index=pd.Index(ids, dtype="int64"))


def _links_changed(ctx: ImportContext, frame: pd.DataFrame, sets: dict, stored_sets: pd.DataFrame) -> pd.Series:
    """Rows whose list cells change a stored activity's link set (so the row is updated)."""
    ids = frame["code"].str.lower().map(ctx.codes(Activity))
    changed = pd.Series(False, index=frame.index)
    for name in LINKS:
        for row, values in sets[name].items():
            aid = ids.loc[row]
            if pd.notna(aid) and set(stored_sets.loc[int(aid), name]) != values:
                changed.loc[row] = True
    return changed

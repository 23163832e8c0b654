"""Baselines given on results rows: one per indicator, partner, disaggregation and year."""
from __future__ import annotations

import pandas as pd

from models import locking
from models.formats import BASELINE_KEY, folded_keys
from models.importing.context import ImportContext
from models.importing.results_rows import ResultRows
from models.importing.store import stored_key, upsert
from models.tables import Baseline
from models.upsert import REJECTED, combine_actions

BASELINE_COLUMNS = ["value", "value_text", "comment"]


def write_baselines(ctx: ImportContext, rows: ResultRows, actions: pd.Series) -> pd.Series:
    """Write the rows' baselines; returns `actions` with theirs combined in."""
    sel = (rows.ok & rows.has_baseline & rows.baseline_year.notna()).to_numpy()
    if not sel.any():
        return actions
    key = stored_key(BASELINE_KEY, Baseline.__table__)
    number, _cleared, text = rows.values["baseline"]
    incoming = pd.DataFrame({
        "indicator_id": rows.indicator_id[sel].astype("int64"), "partner_id": rows.partner_id[sel].astype("int64"),
        "dimension": rows.dimension[sel], "dimension_value": rows.dimension_value[sel],
        "year": rows.baseline_year[sel].astype("int64"),
    })
    incoming["value"] = number[sel].astype(object).where(number[sel].notna(), None)
    incoming["value_text"] = text[sel]
    incoming["comment"] = rows.comment[sel].where(~rows.has_value[sel].to_numpy(), None)
    actions = actions.copy()
    # the same baseline repeated on several rows is fine; differing ones are not
    matching = folded_keys(incoming, key).assign(value=incoming["value"], value_text=incoming["value_text"])
    first = ~matching.duplicated(key, keep="first")
    same = matching.duplicated(key + ["value", "value_text"], keep="first")
    conflict = ~first & ~same
    if conflict.any():
        firsts = {tuple(k): row for row, k in zip(matching.index[first.to_numpy()],
                                                  matching.loc[first.to_numpy(), key].itertuples(index=False))}
        for row in incoming.index[conflict.to_numpy()]:
            k = tuple(matching.loc[row, key])
            ctx.issue(row, "baseline", "duplicate-key", rows.frame.loc[row, "baseline"],
                      f"a different baseline for the same indicator, partner, disaggregation and year is on row {int(firsts[k])}")
        actions[incoming.index[conflict.to_numpy()]] = REJECTED
    incoming = incoming[first.to_numpy()]
    plan = upsert(ctx, Baseline, incoming, key, BASELINE_COLUMNS,
                  where=Baseline.indicator_id.in_([int(i) for i in pd.unique(incoming["indicator_id"])]))
    through = locking.lock_in_force(ctx.conn)
    written = pd.concat([plan.created["year"], plan.updated["year"]])
    for row, year in written[locking.locked_ends(locking.baseline_end(written), through).to_numpy()].sort_index().items():
        ctx.issue(row, "baseline_year", locking.CHECK, rows.frame.loc[row, "baseline_year"] if "baseline_year" in rows.frame else year,
                  locking.message(f"this row would {'create' if row in plan.created.index else 'change'} the {int(year)} baseline, "
                                  "which is in a locked period", f"{int(year)}-12-31", through))
    # a row's action: created if anything on it was created, else updated if anything was
    actions.loc[plan.actions.index] = combine_actions(actions[plan.actions.index], plan.actions)
    return actions

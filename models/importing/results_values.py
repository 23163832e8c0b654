"""Indicator values (targets, actuals, comments) of a results file: keys unique within the
file, one diff against the stored values of the same indicators, periods that do not overlap."""
from __future__ import annotations

import pandas as pd

from models import locking
from models.cells import CLEAR, is_clear_token
from models.formats import CASE_FREE_KEYS
from models.importing.checks import column, duplicates
from models.importing.context import ImportContext
from models.importing.results_overlaps import check_overlaps
from models.importing.results_pending import keep_for_review
from models.importing.results_periods import PERIOD_COLUMNS, period_as_given
from models.importing.results_rows import ResultRows
from models.importing.store import kind_key, stored, upsert
from models.issues import ERROR
from models.tables import Value
from models.upsert import REJECTED, UNCHANGED, key_codes

VALUE_COLUMNS = ["target", "actual", "target_text", "actual_text", "comment"]
# key problems are reported on period_start (the key's column), showing the cell as given
KEY_COLUMN = "period_start"


def write_values(ctx: ImportContext, rows: ResultRows) -> pd.Series:
    """Write the rows' values; returns the action per row (rows found duplicate leave `rows.ok`)."""
    frame, idx = rows.frame, rows.frame.index
    key = kind_key("results", Value)
    period_text = period_as_given(frame)
    keys = _keys(ctx, rows)
    actions = pd.Series(UNCHANGED, index=idx, dtype=object)
    stored_rows = codes = None
    if not keys.empty:
        ind_ids = [int(i) for i in pd.unique(keys["indicator_id"])]
        where = Value.indicator_id.in_(ind_ids) if len(ind_ids) < 500 else None
        stored_rows = stored(ctx, Value, [*key, *VALUE_COLUMNS], where, dates=("period_start", "period_end"))
        # one integer per key (breakdowns case-insensitive), the same for the file's and the stored
        # rows: a million keys checked for duplicates and matched with the stored ones as numbers
        codes, stored_codes = key_codes(keys, stored_rows, key, tuple(c for c in key if c in CASE_FREE_KEYS))
        dup = duplicates(ctx, pd.DataFrame({"key": codes}, index=keys.index), KEY_COLUMN,
                         "indicator, partner, period and disaggregation", period_text[keys.index])
        rows.ok &= ~dup.reindex(idx, fill_value=False)
        keys, codes = keys[~dup.to_numpy()], codes[~dup.to_numpy()]
    actions[~rows.ok.to_numpy()] = REJECTED
    if keys.empty:
        return actions
    incoming = _incoming(rows, keys)
    matching = (codes[keys.index.get_indexer(incoming.index)], stored_codes)
    # a partner's changes are checked like any other, then kept apart for review (models.review)
    plan = upsert(ctx, Value, incoming, key, VALUE_COLUMNS, stored_rows=stored_rows, apply=not ctx.partner_scoped,
                  codes=matching)
    if ctx.partner_scoped:
        ctx.pending += keep_for_review(ctx, incoming.loc[[*plan.created.index, *plan.updated.index]])
    _check_locked(ctx, plan, frame)
    # rows refused for another reason still count with the cells they give
    others = keys.loc[keys.index.difference(incoming.index)].copy()
    for c in ("target", "actual"):
        others[f"has_{c}"] = column(frame, c).loc[others.index].pipe(lambda v: v.ne("") & ~is_clear_token(v))
    check_overlaps(ctx, plan, others, stored_rows, key, KEY_COLUMN, period_text)
    actions.loc[plan.actions.index] = plan.actions
    return actions


def _check_locked(ctx: ImportContext, plan, frame: pd.DataFrame) -> None:
    """Values this file creates or changes in a locked period: refused (`locked-period`)."""
    through = locking.lock_in_force(ctx.conn)
    if through is None:
        return
    written = pd.concat([plan.created["period_end"], plan.updated["period_end"]])
    col = "period" if "period" in frame and "period_end" not in frame else "period_end"
    for row, end in written[locking.locked_ends(written, through).to_numpy()].sort_index().items():
        ctx.issue(row, col, locking.CHECK, frame.loc[row, col],
                  locking.message(f"this row would {'create' if row in plan.created.index else 'change'} a value of a locked period",
                                  end, through))


def _keys(ctx: ImportContext, rows: ResultRows) -> pd.DataFrame:
    """The key of each row that writes a value and whose key is known. Such rows take part in
    the duplicate and overlap checks even when another of their cells is wrong: every problem
    is reported, not just the first."""
    idx = rows.frame.index
    period_bad = idx.isin([i.row for i in ctx.issues if i.severity == ERROR and i.column in PERIOD_COLUMNS])
    keyed = (rows.wants_value & rows.indicator_id.notna() & rows.partner_id.notna() & rows.start.notna()
             & rows.end.notna()).to_numpy() & ~period_bad
    keys = pd.DataFrame({
        "indicator_id": rows.indicator_id, "partner_id": rows.partner_id, "period_start": rows.start,
        "period_end": rows.end, "dimension": rows.dimension, "dimension_value": rows.dimension_value,
    }, index=idx)
    if not keyed.all():  # (every row keyed: no copy of a million keys)
        keys = keys[keyed]
    return keys.astype({"indicator_id": "int64", "partner_id": "int64"})


def _incoming(rows: ResultRows, keys: pd.DataFrame) -> pd.DataFrame:
    """Key and value columns of the rows to write (None keeps, CLEAR clears)."""
    idx = rows.frame.index
    vrows = (rows.ok & rows.wants_value).to_numpy()
    every = bool(vrows.all()) and len(keys) == len(idx)  # every row writes a value: no selection to copy
    pick = (lambda s: s) if every else (lambda s: s[vrows])
    incoming = keys.copy(deep=False) if every else keys.loc[idx[vrows]].copy()
    qualitative = pick(pd.Series(rows.qualitative, index=idx))
    for c in ("target", "actual"):
        number, cleared, text = (pick(v) for v in rows.values[c])
        clears = (cleared & ~qualitative).to_numpy()
        if clears.any():
            num = number.astype(object).where(number.notna(), None)
            incoming[c] = num.where(~clears, CLEAR)
        else:  # numbers stay floats (NaN keeps): compared with the stored ones in C
            incoming[c] = number
        incoming[f"{c}_text"] = text.where(~is_clear_token(text), CLEAR) if text.notna().any() else text
    incoming["comment"] = pick(rows.comment)
    return incoming

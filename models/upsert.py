"""The one write path of the import engine: a diff of incoming rows against stored ones
decides created / updated / unchanged, then one step writes it.

`plan_upsert` compares; `apply_plan` writes (set-based) and records prior versions of the
rows it updates so a batch can be reverted exactly. Every kind goes through these two.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table

from models.cells import CLEAR
from models.writes import insert_frame, record_versions, update_frame

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"


@dataclass
class Plan:
    table: Table
    key: list[str]
    columns: list[str]
    created: pd.DataFrame  # key + columns (new values); index = spreadsheet row
    updated: pd.DataFrame  # id + key + columns (new values); index = spreadsheet row
    prior: pd.DataFrame  # id + batch_id + columns (stored values of the updated rows)
    actions: pd.Series  # spreadsheet row -> created / updated / unchanged
    ids: pd.Series  # spreadsheet row -> stored id (NaN for created rows until applied)
    # which columns of each updated row change (bool; index and order as `updated`): what a
    # dry run and the history show as before -> after (models.row_changes)
    changed: pd.DataFrame | None = None


def _is_missing(series: pd.Series) -> np.ndarray:
    """None, NaN or CLEAR (vectorised: a million-row column is compared in C, not in a loop)."""
    if series.dtype != object:
        return series.isna().to_numpy()
    return pd.isna(series).to_numpy() | _is_clear(series)


def _is_clear(series: pd.Series) -> np.ndarray:
    if series.dtype != object:
        return np.zeros(len(series), dtype=bool)
    values = series.to_numpy(dtype=object)
    given = np.flatnonzero(~pd.isna(values))
    out = np.zeros(len(values), dtype=bool)
    if len(given) == len(values):
        out[:] = values == CLEAR
    elif len(given):
        out[given] = values[given] == CLEAR
    return out


def _equal(new: pd.Series, old: pd.Series, new_missing: np.ndarray | None = None) -> np.ndarray:
    """Element-wise equality of incoming and stored values; a missing stored value is never equal.

    Python equality, element by element in C (1 == 1.0, 'a' == 'a'); only cells that differ
    with a float on one side get a second look, converted to float ('5' vs 5.0).
    `new_missing`: `_is_missing(new)` when the caller has it."""
    stored = ~pd.isna(old).to_numpy()
    if not stored.any():  # nothing stored to compare with (new rows)
        return stored
    a = new.to_numpy(dtype=object)
    b = old.to_numpy(dtype=object)
    out = np.asarray(a == b, dtype=bool) & stored
    second = np.flatnonzero(~out & stored & ~(_is_missing(new) if new_missing is None else new_missing))
    for i in second:
        x, y = a[i], b[i]
        if isinstance(x, float) or isinstance(y, float):
            try:
                out[i] = float(x) == float(y)
            except (TypeError, ValueError):
                out[i] = False
    return out


def _object_array(value, n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    out[:] = [value] * n
    return out


def _equal_fast(new: pd.Series, old: pd.Series, new_missing: np.ndarray | None = None) -> np.ndarray:
    if new.dtype.kind == "f" and old.dtype.kind == "f":
        return (new.to_numpy() == old.to_numpy())
    return _equal(new, old, new_missing)


def column_defaults(table: Table, columns: list[str]) -> dict:
    """Scalar defaults of NOT NULL columns (e.g. partner status 'active', cumulative false):
    what a created row gets for an empty cell, and what the clear token resets to."""
    out = {}
    for c in columns:
        col = table.c.get(c)
        if col is None or col.nullable or col.default is None or not getattr(col.default, "is_scalar", False):
            continue
        out[c] = col.default.arg
    return out


def key_codes(incoming: pd.DataFrame, stored: pd.DataFrame, key: list[str], fold_case) -> tuple[np.ndarray, np.ndarray]:
    """One int64 code per row for its key, equal codes for equal keys on either side (the
    `fold_case` columns lower-cased): each column is factorized on its own side, only the
    distinct values are matched across sides and folded, and the columns' codes combine
    into one number (densified whenever the product could overflow)."""
    n_in = len(incoming)
    left = np.zeros(n_in, dtype="int64")
    right = np.zeros(len(stored), dtype="int64")
    size = 1
    for k in key:
        a, b = _small_ids(incoming[k], stored[k])
        if a is not None:  # ids: their own codes
            width = int(max(a.max(initial=0), b.max(initial=0))) + 1
        else:
            a_codes, a_uniq = _factorize(incoming[k])
            b_codes, b_uniq = _factorize(stored[k])
            uniq = np.concatenate([np.asarray(a_uniq, dtype=object), np.asarray(b_uniq, dtype=object)])
            if k in fold_case:
                uniq = np.array([u.lower() if isinstance(u, str) else u for u in uniq] or [], dtype=object)
            shared, distinct = pd.factorize(uniq, use_na_sentinel=False)
            width = max(len(distinct), 1)
            a, b = shared[: len(a_uniq)][a_codes], shared[len(a_uniq):][b_codes]
        if size * width >= 2**62:  # densify the codes so far
            both, dense = pd.factorize(np.concatenate([left, right]))
            left, right, size = both[:n_in].astype("int64"), both[n_in:].astype("int64"), max(len(dense), 1)
        left = left * width + a
        right = right * width + b
        size *= width
    return left, right


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """`pd.factorize(values, use_na_sentinel=False)` as far as equality goes — equal values one
    code, every missing one (None, NaN) one code of its own, after the others — without the
    separate pass pandas makes over a text column for its missing cells (keys have none)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    missing = codes < 0
    if missing.any():
        codes = np.where(missing, len(uniques), codes)
        uniques = np.append(np.asarray(uniques, dtype=object), np.array([np.nan], dtype=object))
    return codes, uniques


def _small_ids(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    """Both columns as int64 when they hold integers from 0 to a million (ids), else (None, None)."""
    if not all(s.dtype.kind in "iu" or (s.empty and s.dtype == object) for s in (a, b)) or a.dtype.kind not in "iu":
        return None, None
    x = a.to_numpy(dtype="int64")
    y = b.to_numpy(dtype="int64") if len(b) else np.zeros(0, dtype="int64")
    if min(x.min(initial=0), y.min(initial=0)) < 0 or max(x.max(initial=0), y.max(initial=0)) >= 1_000_000:
        return None, None
    return x, y


def _matched(incoming: pd.DataFrame, stored: pd.DataFrame, key: list[str], fold_case, codes=None) -> pd.DataFrame:
    """Each incoming row (index = spreadsheet row) with the stored row of its key beside it:
    a left join as `incoming.merge(stored, on=key, how="left", suffixes=("", "_old"))` gives
    (stored columns the incoming side also has take `_old`; a case-folded key column is
    one of those), matched on one integer code per key instead of the key's columns."""
    left, right = codes if codes is not None else key_codes(incoming, stored, key, fold_case)
    if len(right) and not pd.Index(right).is_unique:  # two stored rows for one key (folded): the join repeats rows
        return _merged_slowly(incoming, stored, key, fold_case)
    position = pd.Index(right).get_indexer(left) if len(right) else np.full(len(left), -1, dtype="int64")
    merged = incoming.copy(deep=False)  # copy-on-write: the columns added here never reach `incoming`
    merged.index.name = None
    on = {k for k in key if k not in fold_case}
    nothing = not (position >= 0).any()
    for c in stored.columns:
        if c in on:
            continue
        if nothing:  # no stored row matches (a first import): missing throughout, as the join gives
            values = np.full(len(position), np.nan)
        else:
            values = pd.api.extensions.take(stored[c].to_numpy(), position, allow_fill=True)
        merged[f"{c}_old" if c in incoming.columns else c] = values
    return merged


def _merged_slowly(incoming: pd.DataFrame, stored: pd.DataFrame, key: list[str], fold_case) -> pd.DataFrame:
    incoming = incoming.copy()
    incoming["_row"] = incoming.index
    on = list(key)
    if fold_case:
        stored = stored.copy()
        for k in fold_case:
            incoming[f"_fold_{k}"] = incoming[k].str.lower()
            stored[f"_fold_{k}"] = stored[k].str.lower() if not stored.empty else pd.Series(dtype=object)
        on = [f"_fold_{k}" if k in fold_case else k for k in key]
    merged = incoming.merge(stored, on=on, how="left", suffixes=("", "_old"), sort=False).set_index("_row")
    merged.index.name = None
    return merged


def plan_upsert(
    incoming: pd.DataFrame,
    stored: pd.DataFrame,
    *,
    table: Table,
    key: list[str],
    columns: list[str],
    fold_case: tuple[str, ...] = (),
    extra_changed: pd.Series | None = None,
    codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> Plan:
    """incoming: key + columns, index = spreadsheet row; values None/NaN = keep, CLEAR = clear.
    stored: id + batch_id + key + columns.

    `fold_case`: key columns (codes) matched case-insensitively; a created row takes the
    incoming spelling, an updated row keeps the stored one (keys are never rewritten).
    `extra_changed`: rows that changed in something the columns do not show (a link set).
    `codes`: `key_codes(incoming, stored, key, fold_case)` when the caller has computed them."""
    if stored.empty:
        return _all_created(incoming, table=table, key=key, columns=columns)
    merged = _matched(incoming, stored, key, fold_case, codes)
    matched = merged["id"].notna().to_numpy()
    changed = np.zeros(len(merged), dtype=bool)
    new_values, diffs = {}, {}
    defaults = column_defaults(table, columns)
    for c in columns:
        new = merged[c]
        old = merged[f"{c}_old"] if f"{c}_old" in merged else None
        if new.dtype.kind == "f" and c not in defaults and (old is None or old.dtype.kind == "f"):
            # numbers on both sides (NaN: none given / none stored): compared and kept as floats
            # in C; a float column has no clear token (CLEAR makes it an object column)
            new_f = new.to_numpy()
            old_f = old.to_numpy() if old is not None else np.full(len(new_f), np.nan)
            provided = ~np.isnan(new_f)
            diff = provided & ~(new_f == old_f)
            changed |= matched & diff
            new_values[c] = np.where(provided, new_f, old_f)
            diffs[c] = diff
            continue
        if old is None:
            old = pd.Series([None] * len(merged), index=merged.index)
        clear = _is_clear(new)  # once per column: comparing a million objects with CLEAR is not free
        missing = pd.isna(new).to_numpy() | clear
        provided = ~missing
        value = np.where(provided, new.to_numpy(dtype=object), np.where(clear, None, old.to_numpy(dtype=object)))
        diff = provided & ~_equal_fast(new, old, missing)
        if c in defaults:
            # a NOT NULL column with a default: empty on a new row, or cleared, means the default
            default = _object_array(defaults[c], len(value))
            if clear.any():
                diff |= clear & ~_equal(pd.Series(default, index=old.index), old)
            value = np.where(clear | (~matched & missing), default, value)
        else:
            if clear.any():
                diff |= clear & ~_is_missing(old)
            value = np.where(~matched & (missing | clear), None, value)
        changed |= matched & diff
        new_values[c] = value
        diffs[c] = diff
    if extra_changed is not None:
        changed |= matched & extra_changed.reindex(merged.index).fillna(False).to_numpy(dtype=bool)
    result = pd.DataFrame(new_values, index=merged.index)
    for k in key:
        result[k] = merged[k]
    outcome = np.where(~matched, 0, np.where(changed, 1, 2))
    actions = pd.Series(np.array([CREATED, UPDATED, UNCHANGED], dtype=object)[outcome], index=merged.index, dtype=object)
    created = result[key + columns] if not matched.any() else result[~matched][key + columns]
    upd_mask = matched & changed
    updated = result[upd_mask][key + columns].copy()
    for k in fold_case:  # an updated row keeps its stored spelling (what the plan reports)
        if f"{k}_old" in merged:
            updated[k] = merged.loc[upd_mask, f"{k}_old"].to_numpy()
    updated["id"] = merged.loc[upd_mask, "id"].astype("int64").to_numpy()
    prior = pd.DataFrame({"id": merged.loc[upd_mask, "id"].astype("int64").to_numpy()}, index=updated.index)
    prior["batch_id"] = merged.loc[upd_mask, "batch_id"].to_numpy() if "batch_id" in merged else None
    for c in columns:
        prior[c] = merged.loc[upd_mask, f"{c}_old"].to_numpy() if f"{c}_old" in merged else None
    ids = merged["id"]
    changed_columns = pd.DataFrame({c: diffs[c][upd_mask] for c in columns}, index=updated.index, dtype=bool)
    return Plan(table, key, columns, created, updated, prior, actions, ids, changed_columns)


def _all_created(incoming: pd.DataFrame, *, table: Table, key: list[str], columns: list[str]) -> Plan:
    """`plan_upsert` when nothing is stored to compare with (a first import): every row is
    created as given — an empty or cleared cell stores NULL, or the column's default —
    without matching a million keys against nothing."""
    created = incoming[key + columns].copy(deep=False)  # copy-on-write: `incoming` is never changed
    created.index = created.index.rename(None)
    defaults = column_defaults(table, columns)
    for c in columns:
        col = incoming[c]
        clear = _is_clear(col)
        if c in defaults:
            missing = pd.isna(col).to_numpy() | clear
            if missing.any():
                created[c] = np.where(missing, _object_array(defaults[c], len(col)), col.to_numpy(dtype=object))
        elif clear.any():  # NaN and None store NULL as they are
            created[c] = np.where(clear, None, col.to_numpy(dtype=object))
    updated = created.iloc[:0].copy()
    updated["id"] = np.zeros(0, dtype="int64")
    prior = pd.DataFrame({"id": np.zeros(0, dtype="int64"), "batch_id": np.zeros(0, dtype=object),
                          **{c: np.zeros(0, dtype=object) for c in columns}}, index=updated.index)
    actions = pd.Series(CREATED, index=created.index, dtype=object)
    ids = pd.Series(np.nan, index=created.index, name="id")
    changed = pd.DataFrame({c: np.zeros(0, dtype=bool) for c in columns}, index=updated.index)
    return Plan(table, key, columns, created, updated, prior, actions, ids, changed)


def versions_to_keep(prior: pd.DataFrame, batch_id: int) -> pd.DataFrame:
    """The prior states a revert needs: not those of rows this batch wrote already (created,
    or updated and kept, by an earlier file of the same call), so a revert deletes the one
    and restores the state before the batch for the other."""
    if prior.empty:
        return prior
    return prior[prior["batch_id"].ne(batch_id).to_numpy()]


def combine_actions(first: pd.Series, second: pd.Series) -> pd.Series:
    """One action per row from two steps writing it: created if either created it, else
    updated if either updated it, else unchanged (rejected wins over all)."""
    rank = {UNCHANGED: 0, UPDATED: 1, CREATED: 2, REJECTED: 3}
    return pd.Series([a if rank[a] >= rank[b] else b for a, b in zip(first, second)], index=first.index, dtype=object)


def apply_plan(conn: Connection, plan: Plan, batch_id: int, keep: pd.DataFrame | None = None,
               progress: Callable[[int, int], None] | None = None) -> None:
    """Write a plan: insert created rows, keep prior versions, update changed rows.

    `keep`: stored values (indexed by row id) this plan does not write but that are kept
    with the prior versions of its updated rows, so a revert restores them too (a parent
    link a later step of the same import may change; an activity's link sets).
    `progress(rows written, rows to write)` after each chunk."""
    cols = plan.key + plan.columns
    total = len(plan.created) + len(plan.updated)
    step = (lambda done, _n: progress(done, total)) if progress else None
    if not plan.created.empty:
        created = plan.created.assign(batch_id=batch_id)
        insert_frame(conn, plan.table, created, cols + ["batch_id"], step)
    if not plan.updated.empty:
        prior, kept = plan.prior, list(plan.columns)
        if keep is not None:
            also = [c for c in keep.columns if c not in kept]
            prior = prior.assign(**{c: prior["id"].map(keep[c]) for c in also})
            kept += also
        record_versions(conn, batch_id, plan.table.name, versions_to_keep(prior, batch_id), kept)
        upd = plan.updated.copy()
        upd["batch_id"] = batch_id
        update_frame(conn, plan.table, upd, plan.columns + ["batch_id"],
                     (lambda done, _n: progress(len(plan.created) + done, total)) if progress else None)

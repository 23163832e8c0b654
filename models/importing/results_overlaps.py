"""Two actuals of one series (indicator, partner, disaggregation — its name and value matched
case-insensitively) may not cover overlapping periods, and two targets may nest (one inside
the other: an end-of-programme target around annual ones) but not overlap partly: within a
file, and against stored values it does not replace."""
from __future__ import annotations

import numpy as np
import pandas as pd

from models.formats import CASE_FREE_KEYS
from models.importing.context import ImportContext
from models.upsert import Plan, _is_missing, key_codes

SERIES = ["indicator_id", "partner_id", "dimension", "dimension_value"]


def check_overlaps(ctx: ImportContext, plan: Plan, others: pd.DataFrame, stored: pd.DataFrame, key: list[str],
                   column: str, period_text: pd.Series) -> None:
    """The file's rows (as they would be stored: `plan`, plus `others`, rows refused for another
    reason) are checked against each other and against stored rows they do not replace.
    A clash is reported on the later row of the file, naming the other row (or the stored value).
    """
    allrows = _all_rows(plan, others, stored, key)
    if allrows.empty:
        return
    allrows["s"] = _day_numbers(allrows["period_start"])
    allrows["e"] = _day_numbers(allrows["period_end"])
    # one integer per series (its breakdown matched case-insensitively), sorted on with the days
    allrows["g"] = _series_codes(allrows)
    reported: set = set()
    seen = None  # (rows, order, reach, clashing) of the last pass: targets and actuals mostly come together
    for what in ("actual", "target"):
        has = allrows[f"has_{what}"].to_numpy(dtype=bool)
        if has.sum() < 2:
            continue
        if seen is not None and np.array_equal(seen[0], has):
            order, reach, clashing = seen[1:]
        else:
            g, s, e = (allrows[c].to_numpy()[has] for c in ("g", "s", "e"))
            order = np.lexsort((e, s, g))  # stable: equal rows keep their order
            g, s, e = g[order], s[order], e[order]
            # the latest end among the earlier periods of the same series (0: none)
            first = np.r_[True, g[1:] != g[:-1]]
            prev_end = np.r_[0, e[:-1]]
            prev_end[first] = 0
            rank = np.cumsum(first) * 10**9  # above any YYYYMMDD: the running maximum restarts with each series
            reach = np.maximum.accumulate(rank + prev_end) - rank
            clashing = (reach > 0) & (s <= reach)
            seen = (has, order, reach, clashing)
        if not clashing.any():  # the rows in order are only needed to name a clash
            continue
        sub = allrows[has].iloc[order].reset_index(drop=True)
        sub["reach"] = reach
        clash = sub[clashing]
        if what == "target":  # targets may nest (one inside the other); only a partial overlap clashes
            clash, other = _partial_overlaps(sub, set(clash["g"]))
            if clash.empty:
                continue
        else:
            # the other row: the first earlier row of the series that reaches this one's start
            firsts = sub.reset_index().drop_duplicates(["g", "e"])[["g", "e", "index"]]
            other = clash[["g", "reach"]].astype("int64").merge(firsts, left_on=["g", "reach"], right_on=["g", "e"], how="left")["index"]
        for (_pos, mine), theirs in zip(clash.iterrows(), other):
            them = sub.loc[int(theirs)]
            rows = (int(mine["_row"]), int(them["_row"]))
            if rows == (0, 0):
                continue  # both stored: not this file's doing
            here, there = (max(rows), min(rows)) if min(rows) else (max(rows), 0)
            a, b = (mine, them) if here == rows[0] else (them, mine)
            if (here, what) in reported:
                continue
            reported.add((here, what))
            where = f"row {there}" if there else "a stored value"
            ctx.issue(here, column, "overlapping-period", period_text.get(here, f"{a['period_start']}..{a['period_end']}"),
                      f"this {what} for {a['period_start']} to {a['period_end']} overlaps the {what} for "
                      f"{b['period_start']} to {b['period_end']} ({where}) of the same indicator, partner and "
                      "disaggregation; two actuals may not cover the same time, and two targets only one inside the other")


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """ISO dates as YYYYMMDD integers (ordered as the dates), converted once per distinct date."""
    codes, uniques = pd.factorize(dates.to_numpy(dtype=object))
    return np.array([int(str(u).replace("-", "")) for u in uniques], dtype="int64")[codes]


def _partial_overlaps(sub: pd.DataFrame, groups: set) -> tuple[pd.DataFrame, list[int]]:
    """Rows of `sub` (series `g` in `groups`) that overlap an earlier target partly — neither
    inside the other — and that earlier row's index. A stack of the periods still open at each
    start: a period must end within the innermost one that contains its start."""
    mine, theirs = [], []
    part = sub[sub["g"].isin(groups).to_numpy()].sort_values(["g", "s", "e"], ascending=[True, True, False], kind="stable")
    open_ends: list[tuple[int, int, int]] = []  # (series, end, index)
    for idx, g, start, end in zip(part.index, part["g"], part["s"], part["e"]):
        while open_ends and (open_ends[-1][0] != g or open_ends[-1][1] < start):
            open_ends.pop()
        if open_ends and end > open_ends[-1][1]:
            mine.append(idx)
            theirs.append(open_ends[-1][2])
        else:
            open_ends.append((g, end, idx))
    return sub.loc[mine], theirs


FOLDED = tuple(c for c in SERIES if c in CASE_FREE_KEYS)


def _series_codes(rows: pd.DataFrame) -> np.ndarray:
    """One integer per series (indicator, partner, breakdown name and value, case-insensitive)."""
    return key_codes(rows, rows.iloc[:0], SERIES, FOLDED)[0]


def _all_rows(plan: Plan, others: pd.DataFrame, stored: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """key, has_target, has_actual and _row (spreadsheet row; 0 for a stored value) of every value to compare."""
    parts = [frame[key].assign(has_target=_present(frame, "target"), has_actual=_present(frame, "actual"), _row=frame.index)
             for frame in (plan.created, plan.updated) if not frame.empty]
    if not others.empty:
        parts.append(others[key].assign(has_target=others["has_target"], has_actual=others["has_actual"], _row=others.index))
    if not parts:  # nothing of the file's to check (stored values never clash with each other here)
        return pd.DataFrame(columns=key)
    incoming_keys = pd.concat([p[key] for p in parts]) if len(parts) > 1 else parts[0][key]
    if not stored.empty:
        folded = tuple(k for k in key if k in CASE_FREE_KEYS)
        # only the series the file touches can clash with its rows
        theirs, ours = key_codes(stored, incoming_keys, SERIES, folded)
        touched = np.isin(theirs, ours)
        stored = stored[touched]
        theirs, ours = key_codes(stored, incoming_keys, key, folded)
        rest = stored[~np.isin(theirs, ours)]
        parts.append(rest[key].assign(has_target=_present(rest, "target"), has_actual=_present(rest, "actual"), _row=0))
    return pd.concat(parts, ignore_index=True)


def _present(frame: pd.DataFrame, what: str) -> pd.Series:
    """Rows holding a number or a text for `what` (target or actual)."""
    return pd.Series(~_is_missing(frame[what]) | ~_is_missing(frame[f"{what}_text"]), index=frame.index)

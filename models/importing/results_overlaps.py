"""Two actuals of one series (indicator, partner, disaggregation — its name and value matched
case-insensitively) may not cover overlapping periods, and two targets may nest (one inside
the other: an end-of-programme target around annual ones) but not overlap partly: within a
file, and against stored values it does not replace."""
from __future__ import annotations

import numpy as np
import pandas as pd

from models.cells import CLEAR
from models.formats import folded_keys
from models.importing.context import ImportContext
from models.upsert import Plan

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
    reported: set = set()
    for what in ("actual", "target"):
        sub = allrows[allrows[f"has_{what}"].to_numpy(dtype=bool)].sort_values([*SERIES, "s", "e"], kind="stable")
        if len(sub) < 2:
            continue
        sub = sub.reset_index(drop=True)
        sub["g"] = sub.groupby(SERIES, sort=False, dropna=False).ngroup()
        sub["prev_end"] = sub.groupby("g")["e"].shift()
        sub["reach"] = sub.groupby("g")["prev_end"].cummax()
        clash = sub[(sub["s"] <= sub["reach"]).to_numpy()]
        if clash.empty:
            continue
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


def _all_rows(plan: Plan, others: pd.DataFrame, stored: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """key, has_target, has_actual and _row (spreadsheet row; 0 for a stored value) of every value to compare."""
    new = pd.concat([plan.created, plan.updated.drop(columns=["id"])])
    parts = [folded_keys(new, key).assign(has_target=_present(new, "target"), has_actual=_present(new, "actual"), _row=new.index)]
    if not others.empty:
        parts.append(folded_keys(others, key).assign(has_target=others["has_target"], has_actual=others["has_actual"],
                                                     _row=others.index))
    incoming_keys = pd.concat([p[key] for p in parts])
    if incoming_keys.empty:  # nothing of the file's to check (stored values never clash with each other here)
        return incoming_keys
    if not stored.empty:
        stored_keys = folded_keys(stored, key)
        # only the series the file touches can clash with its rows
        touched = stored_keys[SERIES].merge(incoming_keys[SERIES].drop_duplicates(), on=SERIES, how="left",
                                            indicator=True)["_merge"].eq("both").to_numpy()
        stored, stored_keys = stored[touched], stored_keys[touched]
        replaced = stored_keys.merge(incoming_keys.drop_duplicates(), on=key, how="left", indicator=True)["_merge"].eq("both")
        rest = stored[~replaced.to_numpy()]
        parts.append(stored_keys[~replaced.to_numpy()].assign(has_target=_present(rest, "target"), has_actual=_present(rest, "actual"), _row=0))
    return pd.concat(parts, ignore_index=True)


def _present(frame: pd.DataFrame, what: str) -> pd.Series:
    """Rows holding a number or a text for `what` (target or actual)."""
    return pd.Series(~_missing(frame[what]) | ~_missing(frame[f"{what}_text"]), index=frame.index)


def _missing(series: pd.Series) -> np.ndarray:
    """None, NaN or CLEAR."""
    return series.isna().to_numpy() | (series.to_numpy(dtype=object) == CLEAR)

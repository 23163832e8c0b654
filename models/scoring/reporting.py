"""Reporting completeness (DESIGN.md, "Progress rules", "Reporting completeness").

For each (indicator, partner) pair, the reports due are the indicator's frequency periods
lying inside one of the pair's target periods whose due date — period end + `grace_days`
— is before "as of" (a due date equal to "as of" is not yet due). A report is received
when any actual of the pair (total or breakdown; 0 counts; a text answer counts; a comment
alone does not) overlaps its period. Programme-level pairs (partner '') count; inactive
partners owe nothing. Nothing here reads the data's own dates: one partner uploading early
changes nobody else's reports.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from models.scoring.figures import one_key, order_by
from models.scoring.inputs import inactive_partners, indicators_frame, key, values_frame, with_indicators
from models.scoring.periods import frequency_periods_inside, period_labels, to_dates

DEFAULT_GRACE_DAYS = 30
DUE_COLUMNS = ["partner", "indicator", "period_start", "period_end", "due_on", "received"]
OVERDUE_COLUMNS = ["partner", "indicator", "period_start", "period_end", "due_on"]
RATE_COLUMNS = ["period_start", "period_end", "period_label", "due", "received", "rate"]


def overlaps_any(q_pair, q_start, q_end, a_pair, a_start, a_end) -> np.ndarray:
    """For each query period, whether any period of the same pair overlaps it (set-based).

    Pairs are integer codes; periods datetime64[D] arrays. Actual periods are sorted by
    (pair, start); for a query, the last one starting on or before its end is found by
    binary search, and the running maximum of ends up to there tells whether one reaches
    its start.
    """
    q_pair, a_pair = np.asarray(q_pair, dtype=np.int64), np.asarray(a_pair, dtype=np.int64)
    if not len(q_pair) or not len(a_pair):
        return np.zeros(len(q_pair), dtype=bool)
    shift = np.int64(1) << 32
    day = lambda d: np.asarray(d, dtype="datetime64[D]").astype(np.int64) + (np.int64(1) << 31)  # noqa: E731
    a_key = a_pair * shift + day(a_start)
    order = np.argsort(a_key, kind="stable")
    a_key, a_pair_sorted, a_end_sorted = a_key[order], a_pair[order], day(a_end)[order]
    # running max of ends within each pair
    reach = pd.Series(a_end_sorted).groupby(a_pair_sorted).cummax().to_numpy()
    pos = np.searchsorted(a_key, q_pair * shift + day(q_end), side="right") - 1
    found = pos >= 0
    pos = np.where(found, pos, 0)
    return found & (a_pair_sorted[pos] == q_pair) & (reach[pos] >= day(q_start))


def actual_periods(v: pd.DataFrame, reported: pd.DataFrame | None = None, start: date | None = None, *,
                   distinct: bool = True) -> pd.DataFrame:
    """Distinct (indicator, partner, start, end) holding an actual (number or text, any row)
    — reports received. `reported` (indicator, partner, period_start, period_end): reports
    received whose figures are not in `v` (waiting for review), added; `start` as values_frame's.
    `distinct=False`: a period may repeat (enough to tell whether one overlaps a period)."""
    has_actual = v["actual"].notna().to_numpy() | v["has_actual_text"].to_numpy()
    keys = ["pair"] if "pair" in v.columns else ["indicator", "partner"]
    got = v.loc[has_actual, [*keys, "start", "end"]]
    if reported is None or reported.empty:
        return got.drop_duplicates() if distinct else got
    r = values_frame(reported.assign(actual=1.0), start)[["indicator", "partner", "start", "end"]]
    if "pair" in v.columns:  # the pairs' own codes; a pair with no value row has nothing due
        r = r.merge(v[["indicator", "partner", "pair"]].drop_duplicates(), on=["indicator", "partner"])[["pair", "start", "end"]]
    return pd.concat([got, r], ignore_index=True).drop_duplicates()


def _due_periods(pair: np.ndarray, v: pd.DataFrame, months: np.ndarray, owes: np.ndarray, year_start_month: int):
    """The frequency periods inside the target periods of each pair (integer codes; `months`
    per row of `v`; rows where `owes` is False left out): (pair, start, end) arrays, not yet
    distinct. Each distinct (start, end, months) is divided once."""
    has_target = (v["target"].notna().to_numpy() | v["has_target_text"].to_numpy()) & owes
    starts = v["start"].to_numpy(dtype="datetime64[D]")[has_target]
    ends = v["end"].to_numpy(dtype="datetime64[D]")[has_target]
    months = months[has_target]
    key = one_key([starts.astype(np.int64), ends.astype(np.int64), months])
    if key is None or not len(key):
        at, first, last = frequency_periods_inside(starts, ends, months, year_start_month)
        return pair[has_target][at], first, last
    code, distinct = pd.factorize(key)
    one = np.zeros(len(distinct), dtype=np.int64)
    one[code[::-1]] = np.arange(len(code) - 1, -1, -1)  # a row of each distinct period
    u_at, u_first, u_last = frequency_periods_inside(starts[one], ends[one], months[one], year_start_month)
    u_count = np.bincount(u_at, minlength=len(one))
    count = u_count[code]
    at = np.repeat(np.arange(len(code)), count)
    # the periods of each row's distinct period, in order
    idx = np.repeat(np.cumsum(u_count)[code] - count, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return pair[has_target][at], u_first[idx], u_last[idx]


def _distinct_sorted(pair: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Positions of the distinct (pair, start, end), ordered by them (integer codes, days)."""
    s, e = start.astype(np.int64), end.astype(np.int64)
    order = order_by(pair, s, e)
    p, s, e = pair[order], s[order], e[order]
    new = np.r_[True, (p[1:] != p[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1])] if len(order) else np.zeros(0, bool)
    return order[new]


def due_reports(
    values: pd.DataFrame,
    indicators: pd.DataFrame | None = None,
    partners: pd.DataFrame | None = None,
    *,
    as_of: date,
    start: date | None = None,
    grace_days: int = DEFAULT_GRACE_DAYS,
    year_start_month: int = 1,
    reported: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every report due by `as_of`: DUE_COLUMNS, one row per (pair, frequency period).
    `reported`: reports received whose figures wait for review (see actual_periods).

    `start` (`--from`): value rows whose period starts before it are left out. `partners`
    (code, status): partners with status 'inactive' owe nothing; codes not listed (the
    programme-level partner '') owe as active ones do.
    """
    v = values_frame(values, start)
    # pairs as integers ordered by partner, then indicator (the order of the rows returned)
    ind_code, ind_names = pd.factorize(v["indicator"], sort=True)
    part_code, part_names = pd.factorize(v["partner"], sort=True)
    inactive = inactive_partners(partners)
    owes = np.ones(len(v), dtype=bool)
    if inactive and len(part_names):
        owes = ~key(pd.Series(np.asarray(part_names, dtype=object))).isin(inactive).to_numpy()[part_code]
    n_ind = max(len(ind_names), 1)
    pair = part_code.astype(np.int64) * n_ind + ind_code
    ind_months = with_indicators(pd.DataFrame({"indicator": np.asarray(ind_names, dtype=object)}),
                                 indicators_frame(indicators))["months"].to_numpy(dtype=np.int64)
    p, first, last = _due_periods(pair, v, ind_months[ind_code], owes, year_start_month)
    due_on = last + np.timedelta64(int(grace_days), "D")
    due = due_on < np.datetime64(as_of, "D")
    p, first, last, due_on = p[due], first[due], last[due], due_on[due]
    keep = _distinct_sorted(p, first, last)
    p, first, last, due_on = p[keep], first[keep], last[keep], due_on[keep]

    has_actual = (v["actual"].notna().to_numpy() | v["has_actual_text"].to_numpy()) & owes
    a_pair = pair[has_actual]
    a_start = v["start"].to_numpy(dtype="datetime64[D]")[has_actual]
    a_end = v["end"].to_numpy(dtype="datetime64[D]")[has_actual]
    if reported is not None and not reported.empty:  # a pair with no value row has nothing due
        r = values_frame(reported.assign(actual=1.0), start)
        r_ind = ind_names.get_indexer(r["indicator"]) if len(ind_names) else np.full(len(r), -1)
        r_part = part_names.get_indexer(r["partner"]) if len(part_names) else np.full(len(r), -1)
        known = (r_ind >= 0) & (r_part >= 0)
        a_pair = np.r_[a_pair, r_part[known].astype(np.int64) * n_ind + r_ind[known]]
        a_start = np.r_[a_start, r["start"].to_numpy(dtype="datetime64[D]")[known]]
        a_end = np.r_[a_end, r["end"].to_numpy(dtype="datetime64[D]")[known]]
    received = overlaps_any(p, first, last, a_pair, a_start, a_end)
    return pd.DataFrame({
        "partner": np.asarray(part_names, dtype=object)[p // n_ind],
        "indicator": np.asarray(ind_names, dtype=object)[p % n_ind],
        "period_start": to_dates(first),
        "period_end": to_dates(last),
        "due_on": to_dates(due_on),
        "received": received.astype(bool),
    })


def overdue_reports(due: pd.DataFrame) -> pd.DataFrame:
    """Reports due and not received (due_reports output): by partner, oldest first."""
    late = due[~due["received"].astype(bool)]
    late = late.sort_values(["partner", "period_end", "period_start", "indicator"], kind="stable")
    return late[OVERDUE_COLUMNS].reset_index(drop=True)


def reporting_rate(due: pd.DataFrame, year_start_month: int = 1) -> pd.DataFrame:
    """Per period (oldest first): reports due, received and the rate received ÷ due."""
    if due.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            RATE_COLUMNS, (object, object, object, np.int64, np.int64, float))})
    per = due.groupby(["period_start", "period_end"], sort=False).agg(
        due=("received", "size"), received=("received", "sum")).reset_index()
    per = per.sort_values(["period_end", "period_start"], ascending=[True, False], kind="stable").reset_index(drop=True)
    per["period_label"] = period_labels(per["period_start"].to_numpy(dtype="datetime64[D]"),
                                        per["period_end"].to_numpy(dtype="datetime64[D]"), year_start_month)
    per["due"] = per["due"].astype(np.int64)
    per["received"] = per["received"].astype(np.int64)
    per["rate"] = per["received"] / per["due"]
    return per[RATE_COLUMNS]


def reports_in_spans(spans: pd.DataFrame, actuals: pd.DataFrame, *, as_of: date, year_start_month: int = 1) -> pd.DataFrame:
    """Per span (pair, span, s, e, months): the frequency periods inside it that ended by
    `as_of` — `reports_due` — and how many an actual of the pair overlaps — `reports_received`.
    `actuals`: actual_periods output with the same `pair` codes."""
    spans = spans.reset_index(drop=True)
    at, first, last = frequency_periods_inside(spans["s"].to_numpy(), spans["e"].to_numpy(),
                                               spans["months"].to_numpy(), year_start_month)
    ended = last <= np.datetime64(as_of, "D")
    at, first, last = at[ended], first[ended], last[ended]
    received = overlaps_any(spans["pair"].to_numpy()[at], first, last,
                            actuals["pair"], actuals["start"], actuals["end"])
    n = len(spans)
    return pd.DataFrame({
        "span": spans["span"].to_numpy(),
        "reports_due": np.bincount(at, minlength=n).astype(np.int64),
        "reports_received": np.bincount(at, weights=received, minlength=n).astype(np.int64),
    })

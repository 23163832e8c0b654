"""Reporting completeness on a view (DESIGN.md, "Reporting completeness"), from
models.scoring.reporting with the project's grace days and reporting year: the reports due
by "as of" — each indicator's frequency periods inside a pair's target periods, once their
grace days are over — whether each was received, the reporting rate per period (received ÷
due), per partner and period, and the overdue reports by partner, oldest first.

Programme-level pairs count (their partner reads as the programme); inactive partners owe
nothing. Nothing here reads "as of" from the data: one early upload hides nobody's report.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from models import progress
from models.queries.frames import empty_frame, json_value
from models.queries.labels import partner_names, period_labels
from models.queries.memo import memo
from models.queries.snapshot import Snapshot, per_pair

DUE_COLUMNS = ["partner", "partner_name", "indicator", "indicator_name", "period", "period_start", "period_end",
               "due_on", "received"]


def _partners_with_status(v: Snapshot) -> pd.DataFrame:
    cols = [c for c in ("code", "status") if c in v.partners.columns]
    return v.partners[cols] if "code" in cols else pd.DataFrame({"code": pd.Series(dtype=object)})


def due_reports(v: Snapshot) -> pd.DataFrame:
    """Every report due by the view's "as of" (DUE_COLUMNS), with names and period labels.
    Found once per snapshot and period for the whole programme (snapshot.per_pair)."""
    return per_pair(v, "due_reports", _due_reports)


def _due_reports(v: Snapshot) -> pd.DataFrame:
    if v.values.empty:
        return empty_frame(DUE_COLUMNS)
    due = progress.due_reports(v.values, v.indicators, _partners_with_status(v), as_of=v.as_of, start=v.filters.start,
                               reported=v.reported)
    if due.empty:
        return empty_frame(DUE_COLUMNS)
    due["partner_name"] = _each_once(due["partner"], lambda codes: partner_names(v, codes))
    names = v.indicators.set_index("code")["name"] if "name" in v.indicators else pd.Series(dtype=object)
    due["indicator_name"] = _each_once(due["indicator"], lambda codes: codes.map(names))
    due["period"] = _period_labels(due)
    return due[DUE_COLUMNS].reset_index(drop=True)


def _each_once(codes: pd.Series, label: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """label(codes), each distinct code labelled once (a million reports, a few hundred codes)."""
    found, uniques = pd.factorize(codes)
    labels = label(pd.Series(uniques, dtype=codes.dtype))
    return labels.take(found).set_axis(codes.index)


def _period_labels(due: pd.DataFrame) -> pd.Series:
    """labels.period_labels, each distinct period labelled once."""
    starts, first_starts = pd.factorize(due["period_start"])
    ends, first_ends = pd.factorize(due["period_end"])
    found, uniques = pd.factorize(starts.astype(np.int64) * max(len(first_ends), 1) + ends)
    distinct = pd.DataFrame({"period_start": np.asarray(first_starts, dtype=object)[uniques // max(len(first_ends), 1)],
                             "period_end": np.asarray(first_ends, dtype=object)[uniques % max(len(first_ends), 1)]})
    return pd.Series(period_labels(distinct).to_numpy()[found], index=due.index, dtype=object)


RATE_COLUMNS = ["period", "period_start", "period_end", "due", "received", "missing", "rate", "partners"]


def reporting_rate_by_period(v: Snapshot) -> pd.DataFrame:
    """Per frequency period (oldest first): reports due, received, missing, the reporting rate
    (received ÷ due) and how many administrations (or the programme) owed one."""
    return memo(v, ("reporting_rate_by_period", v.as_of), lambda: _reporting_rate_by_period(v))


def _reporting_rate_by_period(v: Snapshot) -> pd.DataFrame:
    due = due_reports(v)
    if due.empty:
        return empty_frame(RATE_COLUMNS)
    out = progress.reporting_rate(due)
    out = out.rename(columns={"period_label": "period"})
    partners = due.groupby(["period_start", "period_end"])["partner"].nunique()
    out["partners"] = [int(partners[(s, e)]) for s, e in zip(out["period_start"], out["period_end"])]
    out["missing"] = out["due"] - out["received"]
    return out[RATE_COLUMNS].reset_index(drop=True)


PARTNER_PERIOD_COLUMNS = ["partner", "partner_name", "period", "period_start", "period_end", "due", "received", "missing",
                          "rate"]


def reporting_by_partner_period(v: Snapshot) -> pd.DataFrame:
    """Per partner and period: reports due, received, missing and the rate received ÷ due."""
    return memo(v, ("reporting_by_partner_period", v.as_of), lambda: _reporting_by_partner_period(v))


def _reporting_by_partner_period(v: Snapshot) -> pd.DataFrame:
    due = due_reports(v)
    if due.empty:
        return empty_frame(PARTNER_PERIOD_COLUMNS)
    out = due.groupby(["partner", "partner_name", "period", "period_start", "period_end"], as_index=False, dropna=False).agg(
        due=("received", "size"), received=("received", "sum"))
    out["due"] = out["due"].astype(int)
    out["received"] = out["received"].astype(int)
    out["missing"] = out["due"] - out["received"]
    out["rate"] = out["received"] / out["due"]
    out = out.sort_values(["partner", "period_end", "period_start"], kind="stable")
    return out[PARTNER_PERIOD_COLUMNS].reset_index(drop=True)


OVERDUE_COLUMNS = ["partner", "partner_name", "indicator", "indicator_name", "period", "period_start", "period_end",
                   "due_on"]


def overdue_reports(v: Snapshot) -> pd.DataFrame:
    """Reports due and not received: by partner, oldest first (then indicator)."""
    return memo(v, ("overdue_reports", v.as_of), lambda: _overdue_reports(v))


def _overdue_reports(v: Snapshot) -> pd.DataFrame:
    due = due_reports(v)
    late = due[~due["received"].astype(bool)] if len(due) else due
    if late.empty:
        return empty_frame(OVERDUE_COLUMNS)
    late = late.sort_values(["partner", "period_end", "period_start", "indicator"], kind="stable")
    return late[OVERDUE_COLUMNS].reset_index(drop=True)


OVERDUE_PARTNER_COLUMNS = ["partner", "partner_name", "overdue", "oldest", "oldest_due_on", "indicators"]


def overdue_by_partner(v: Snapshot, overdue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per partner with overdue reports (the one owing the oldest first): how many, the oldest
    period and its due date, and the indicators concerned."""
    late = overdue_reports(v) if overdue is None else overdue
    origin = v.memo.key_of(late)  # the view's own overdue reports: once per view
    if origin is None:
        return _overdue_by_partner(late)
    return memo(v, ("overdue_by_partner", origin), lambda: _overdue_by_partner(late))


def _overdue_by_partner(late: pd.DataFrame) -> pd.DataFrame:
    if late.empty:
        return empty_frame(OVERDUE_PARTNER_COLUMNS)
    out = late.groupby(["partner", "partner_name"], as_index=False, sort=False, dropna=False).agg(
        overdue=("indicator", "size"), oldest=("period", "first"), oldest_due_on=("due_on", "first"),
        indicators=("indicator", lambda s: sorted(set(s))))
    out["overdue"] = out["overdue"].astype(int)
    out = out.sort_values(["oldest_due_on", "partner"], kind="stable")
    return out[OVERDUE_PARTNER_COLUMNS].reset_index(drop=True)


def missing_records(v: Snapshot) -> list[dict]:
    """overdue_reports as DESIGN.md's `missing --json` records: partner ('' for the programme
    level), indicator, period_start, period_end, due_on (ISO dates)."""
    late = overdue_reports(v)
    return [{k: json_value(r[k]) for k in ("partner", "indicator", "period_start", "period_end", "due_on")}
            for r in late.to_dict("records")]

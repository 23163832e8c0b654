"""Reporting completeness on a view: which reports are due by 'as of' (a target set, the
period ended) and which have no actual — per partner and period, per period, the missing
reports one by one, and who has not reported for the latest period due."""
from __future__ import annotations

import pandas as pd

from models.progress import completeness
from models.queries.frames import empty_frame
from models.queries.labels import partner_names, period_labels
from models.queries.snapshot import Snapshot
from models.tables import PROGRAMME_PARTNER_CODE


def reporting_completeness(v: Snapshot) -> pd.DataFrame:
    """Due reports (target set, period ended by 'as of') and whether each has an actual."""
    out = completeness(v.values, as_of=v.as_of)
    out = out[out["partner"] != PROGRAMME_PARTNER_CODE].copy()
    out["partner_name"] = out["partner"].map(v.partners.set_index("code")["name"])
    out["indicator_name"] = out["indicator"].map(v.indicators.set_index("code")["name"])
    return out.reset_index(drop=True)


COMPLETENESS_CELL_COLUMNS = ["partner", "partner_name", "period", "period_start", "period_end", "due", "reported", "missing", "share"]


def completeness_by_partner_period(v: Snapshot) -> pd.DataFrame:
    """Per partner and period: reports due, reported, missing and the share reported."""
    rc = reporting_completeness(v)
    if rc.empty:
        return empty_frame(COMPLETENESS_CELL_COLUMNS)
    out = rc.groupby(["partner", "period_start", "period_end"], as_index=False).agg(
        due=("reported", "size"), reported=("reported", "sum"))
    out["due"] = out["due"].astype(int)
    out["reported"] = out["reported"].astype(int)
    out["missing"] = out["due"] - out["reported"]
    out["share"] = out["reported"] / out["due"]
    out["partner_name"] = partner_names(v, out["partner"])
    out["period"] = period_labels(out)
    return out[COMPLETENESS_CELL_COLUMNS].sort_values(["partner", "period_end", "period_start"], kind="stable").reset_index(drop=True)


def completeness_by_period(v: Snapshot) -> pd.DataFrame:
    """Per period: reports due, reported, missing, share reported, and partners due."""
    rc = reporting_completeness(v)
    cols = ["period", "period_start", "period_end", "due", "reported", "missing", "share", "partners"]
    if rc.empty:
        return empty_frame(cols)
    out = rc.groupby(["period_start", "period_end"], as_index=False).agg(
        due=("reported", "size"), reported=("reported", "sum"), partners=("partner", "nunique"))
    for c in ("due", "reported", "partners"):
        out[c] = out[c].astype(int)
    out["missing"] = out["due"] - out["reported"]
    out["share"] = out["reported"] / out["due"]
    out["period"] = period_labels(out)
    return out[cols].sort_values(["period_end", "period_start"], kind="stable").reset_index(drop=True)


MISSING_REPORT_COLUMNS = ["partner", "partner_name", "indicator", "indicator_name", "period", "period_start", "period_end"]


def missing_reports(v: Snapshot) -> pd.DataFrame:
    """The (partner, indicator, period) reports that are due and have no actual."""
    rc = reporting_completeness(v)
    out = rc[~rc["reported"].astype(bool)].copy()
    out["period"] = period_labels(out)
    return out[MISSING_REPORT_COLUMNS].sort_values(["partner", "indicator", "period_end"], kind="stable").reset_index(drop=True)


def latest_period_missing(v: Snapshot) -> pd.DataFrame:
    """Administrations that have not reported for the latest period due, and on which indicators
    (the latest period_end among due reports, by 'as of')."""
    rc = reporting_completeness(v)
    cols = ["partner", "partner_name", "period", "period_end", "due", "missing", "indicators", "indicator_names"]
    if rc.empty:
        return empty_frame(cols)
    latest = rc[rc["period_end"] == rc["period_end"].max()].copy()
    latest["period"] = period_labels(latest)
    due = latest.groupby("partner")["reported"].size()
    gone = latest[~latest["reported"].astype(bool)].sort_values(["partner", "indicator"], kind="stable")
    if gone.empty:
        return empty_frame(cols)
    out = gone.groupby("partner", as_index=False).agg(
        partner_name=("partner_name", "first"), period=("period", lambda s: ", ".join(sorted(set(s)))),
        period_end=("period_end", "first"), missing=("indicator", "size"),
        indicators=("indicator", list), indicator_names=("indicator_name", lambda s: "; ".join(s.astype(str))))
    out["due"] = out["partner"].map(due).astype(int)
    out["missing"] = out["missing"].astype(int)
    return out[cols].sort_values(["partner"], kind="stable").reset_index(drop=True)

"""Activities on a view: the table with partners and key factors as lists, the listing with
absent mode and donor labelled, counts per group and per key factor, and the activities of
one donor or one partner."""
from __future__ import annotations

import pandas as pd

from models import reference
from models.queries.frames import empty_frame
from models.queries.labels import NO_DONOR, NO_MODE, key_factor_label, partner_names
from models.queries.memo import memoized
from models.queries.snapshot import Snapshot


def activities_table(v: Snapshot) -> pd.DataFrame:
    """Activities with their partner codes and key factors as lists (for tables and timelines)."""
    acts = v.activities.copy()
    parts = v.activity_partners.groupby("activity_id")["partner"].apply(lambda s: sorted(s))
    kfs = v.activity_key_factors.groupby("activity_id")["key_factor"].apply(lambda s: sorted(int(x) for x in s))
    acts["partners"] = acts["id"].map(parts).map(lambda x: x if isinstance(x, list) else [])
    acts["key_factors"] = acts["id"].map(kfs).map(lambda x: x if isinstance(x, list) else [])
    acts["end"] = acts["end"].where(acts["end"].notna(), acts["start"])
    return acts.reset_index(drop=True)


def activities_listing(v: Snapshot) -> pd.DataFrame:
    """activities_table with mode and donor labelled where absent and participants as numbers."""
    acts = activities_table(v)
    acts["mode"] = acts["mode"].fillna("").replace("", NO_MODE)
    acts["donor"] = acts["donor"].fillna("").replace("", NO_DONOR)
    acts["participants"] = pd.to_numeric(acts["participants"], errors="coerce").astype("Int64")
    acts["year"] = acts["start"].map(lambda d: d.year).astype("Int64") if len(acts) else pd.Series(dtype="Int64")
    return acts


def activity_counts(v: Snapshot, by: str | list[str]) -> pd.DataFrame:
    """Activities and participants per group (mode, type, donor, status, year — or several);
    missing mode reads 'not set', missing donor 'no donor'."""
    by = [by] if isinstance(by, str) else list(by)
    acts = activities_listing(v)
    if acts.empty:
        return pd.DataFrame({**{b: pd.Series(dtype=object) for b in by}, "activities": pd.Series(dtype=int), "participants": pd.Series(dtype=int)})
    out = acts.groupby(by, as_index=False, dropna=False).agg(activities=("id", "size"), participants=("participants", "sum"))
    out["activities"] = out["activities"].astype(int)
    out["participants"] = out["participants"].fillna(0).astype(int)
    return out.sort_values(by, kind="stable").reset_index(drop=True)


@memoized
def activities_by_key_factor(v: Snapshot) -> pd.DataFrame:
    """Per key factor (all ten, or those the filter selects): activities and participants.
    An activity on several key factors counts in each."""
    numbers = list(v.filters.key_factors) or list(reference.KEY_FACTORS)
    acts = v.activities[["id", "participants"]]
    links = v.activity_key_factors.merge(acts, left_on="activity_id", right_on="id", how="inner")
    links = links.drop_duplicates(["activity_id", "key_factor"])
    counts = links.groupby("key_factor").agg(activities=("activity_id", "nunique"), participants=("participants", "sum"))
    out = pd.DataFrame({"key_factor": numbers})
    out["key_factor_name"] = out["key_factor"].map(reference.KEY_FACTORS)
    out["label"] = out["key_factor"].map(key_factor_label)
    out["activities"] = out["key_factor"].map(counts["activities"]).fillna(0).astype(int)
    out["participants"] = out["key_factor"].map(counts["participants"]).fillna(0).astype(int)
    return out


ACTIVITY_ROW_COLUMNS = [
    "code", "title", "type", "mode", "status", "start", "end", "year", "participants", "donor", "partners", "partner_names",
    "key_factors",
]


def activity_rows(v: Snapshot, acts: pd.DataFrame) -> pd.DataFrame:
    """activities_listing rows (by start date) plus the partners' names as one text."""
    if acts.empty:
        return empty_frame(ACTIVITY_ROW_COLUMNS)
    out = acts.copy()
    out["partner_names"] = out["partners"].map(lambda codes: ", ".join(partner_names(v, pd.Series(codes, dtype=object))))
    out = out.sort_values(["start", "code"], kind="stable")
    return out[ACTIVITY_ROW_COLUMNS].reset_index(drop=True)


@memoized
def donor_activities(v: Snapshot, donor: str) -> pd.DataFrame:
    """The visible activities a donor funds, as activities_listing rows (by start date)."""
    acts = activities_listing(v)
    return activity_rows(v, acts[acts["donor"].str.lower() == donor.lower()])


@memoized
def partner_activities(v: Snapshot, partner: str) -> pd.DataFrame:
    """The visible activities a partner took part in, as activities_listing rows (by start date)."""
    acts = activities_listing(v)
    return activity_rows(v, acts[acts["partners"].map(lambda codes: partner in codes)])

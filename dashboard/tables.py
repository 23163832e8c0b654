"""How the dashboard's tables look, in one place: a missing value reads '—' (never `None`),
progress bars are green (never the theme's red), and the main tables' columns have widths
that add up to what a 1440 px wide window shows beside the sidebar, so they fit without
scrolling sideways (long text is cut with '…' inside its cell, never a column off-screen).
Every column of a main table has a width; labels are short, the detail is in `help`.

`show_table` draws a table; the `*_columns` functions give the column settings of the tables
several pages share (a partner list reads the same on the regions, donors and partner pages).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.charts.common import STATUS_COLOURS
from models.progress import progress_help

MISSING = "—"  # what an empty cell shows
PROGRESS_COLOUR = STATUS_COLOURS["achieved"]  # green: a longer bar is better (progress is direction-aware)
TABLE_WIDTH = 960  # px a table has at 1440 px wide with the sidebar open (980), less a scroll bar's room

PARTNER_TABLE = ["partner_name", "country_name", "region_name", "donor_names", "partner_status", "progress", "n", "status", "activities"]
REGION_PARTNER_TABLE = [c for c in PARTNER_TABLE if c != "region_name"]
ACTIVITY_TABLE = ["code", "title", "type", "mode", "status", "start", "end", "participants", "partner_names", "key_factors"]


TRENDS_SHOWN = 6  # partner profile: trend charts drawn at a time
OVERDUE_ROWS_SHOWN = 1_000  # reporting: overdue reports listed at a time
PARTNERS_SHOWN = 50  # charts with a row per administration: administrations drawn at a time


def shown_part(n: int, per_part: int, *, key: str, label: str, describe, help: str | None = None) -> slice:
    """Which of `n` items (charts, rows) a page draws: all of them up to `per_part`; beyond, one
    part of `per_part` consecutive items at a time, the first unless another is chosen (a select
    box `key`, each part named `describe(first, last)`, 1-based) — so the browser gets and draws
    what is shown, and every item stays a choice away."""
    if n <= per_part:
        return slice(0, n)
    parts = -(-n // per_part)
    if key in st.session_state and st.session_state[key] not in range(parts):
        st.session_state[key] = 0  # fewer parts than before (another partner, other filters)
    at = st.selectbox(label, list(range(parts)), key=key, help=help,
                      format_func=lambda i: describe(i * per_part + 1, min(n, (i + 1) * per_part)))
    return slice(at * per_part, min(n, (at + 1) * per_part))


def partners_part(frame: pd.DataFrame, *, key: str) -> tuple[pd.DataFrame, tuple]:
    """`frame`'s rows of at most PARTNERS_SHOWN administrations (`partner_name`, in the charts'
    order: by name, case aside) — all of them up to that many; beyond, one part at a time, as
    `shown_part` — and which part it is (part of a kept figure's key): a chart with a row per
    administration stays readable and costs the browser what it shows, whatever the programme's size."""
    names = sorted(frame["partner_name"].dropna().unique(), key=lambda name: str(name).lower())
    part = shown_part(len(names), PARTNERS_SHOWN, key=key, label="Administrations shown",
                      describe=lambda first, last: f"{first}–{last} of {len(names)}: {names[first - 1]} … {names[last - 1]}",
                      help=f"{PARTNERS_SHOWN} administrations at a time, by name: the chart and its downloads hold the part shown.")
    if part == slice(0, len(names)):
        return frame, ()
    return frame[frame["partner_name"].isin(set(names[part]))], (part.start, part.stop)


def show_table(frame, columns: dict, *, key: str | None = None) -> None:
    """`frame`'s columns named in `columns` (st.dataframe column_config), in that order, with
    empty cells as '—'."""
    st.dataframe(frame[list(columns)], hide_index=True, width="stretch", column_config=columns, placeholder=MISSING, key=key)


def progress_column(label: str, *, help: str | None = None, width: int = 110):
    """A 0–100 % bar (values 0–1), green whatever its length: the status column says how good it is."""
    return st.column_config.ProgressColumn(label, format="percent", min_value=0.0, max_value=1.0, color=PROGRESS_COLOUR,
                                           help=help, width=width)


def _text(label: str, width: int, help: str | None = None):
    return st.column_config.TextColumn(label, width=width, help=help)


def _count(label: str, width: int, help: str | None = None):
    return st.column_config.NumberColumn(label, format="%d", width=width, help=help)


def _date(label: str, width: int = 82):
    return st.column_config.DateColumn(label, format="YYYY-MM-DD", width=width)


def n_column():
    return _count("n", 40, "Indicator–partner pairs with a scored status")


def partner_columns(*, region: bool = True, phases: bool = False) -> dict:
    """Columns of models.queries.summaries.partner_summary output (donor_partners: with `phases`)."""
    columns = {
        "partner_name": _text("Administration", 185),
        "country_name": _text("Country", 95),
        "region_name": _text("WCO region", 125),
        "donor_names": _text("Funded by", 115),
        "partner_status": _text("Partnership", 85, "active or inactive"),
        "progress": progress_column("Mean progress", help="Unweighted mean of clamped progress over the administration's "
                                                          "indicators. " + progress_help()),
        "n": n_column(),
        "status": _text("Status", 75),
        "activities": _count("Activities", 72),
    }
    if not region:
        del columns["region_name"]
    if phases:
        columns["phases"] = _text("Phases", 58)
    return columns


def region_columns(activity_help: str) -> dict:
    """Columns of models.queries.summaries.region_summary output (donors per region: the funding chart)."""
    return {
        "region_name": _text("WCO region", 150),
        "partners": _count("Partners", 72, "Partner administrations in the region"),
        "progress": progress_column("Mean progress", help=progress_help()),
        "n": n_column(),
        "status": _text("Status", 75),
        "n_achieved": _count("Achieved", 72),
        "n_on_track": _count("On track", 68),
        "n_at_risk": _count("At risk", 62),
        "n_off_track": _count("Off track", 72),
        "n_no_data": _count("No data", 66, "Pairs whose latest ended target period has no report"),
        "activities": _count("Activities", 72, activity_help),
        "participants": _count("Participants", 90),
    }


def donor_columns() -> dict:
    """Columns of models.queries.summaries.donor_summary output."""
    return {
        "donor_name": _text("Donor", 148),
        "country": _text("Country", 85),
        "agreements": _count("Agreements", 88),
        "committed": _text("Committed", 140, "Sum of the donor's agreements per currency (not converted)."),
        "partners": _count("Partners funded", 112, "Partner administrations the donor funds"),
        "progress": progress_column("Mean progress", help="Of the administrations it funds. " + progress_help()),
        "n": n_column(),
        "status": _text("Status", 75),
        "activities": _count("Activities", 72, "Activities the donor funds"),
        "participants": _count("Participants", 90),
    }


def agreement_columns() -> dict:
    """Columns of models.queries.summaries.donor_agreements output for one donor."""
    return {
        "phase": _text("Phase", 70),
        "amount": st.column_config.NumberColumn("Amount", format="localized", width=130),
        "currency": _text("Currency", 80),
        "signed_on": _date("Signed", 100),
        "start": _date("Start", 100),
        "end": _date("End", 100),
        "partners": _count("Partners funded", 120, "Partner administrations funded under the agreement"),
    }


def partner_indicator_columns() -> dict:
    """Columns of models.queries.profiles.partner_indicators output (the partner page)."""
    return {
        "label": _text("Indicator", 185),
        "period": _text("Period", 85, "The figure's period: the latest target period ended by the as-of date (a range for "
                                      "running totals), or the one under way."),
        "progress": progress_column("Progress", help="Raw distance travelled (may pass 100 % or fall below 0 %); the "
                                                     "status uses it clamped to 0–100 %. " + progress_help()),
        "status": _text("Status", 80),
        "note": _text("Note", 110, "so far: a target period under way (no status); last figure: beside no data; reports: "
                                   "reporting periods with an actual, of those due."),
        "baseline_shown": _text("Baseline (year)", 110),
        "target_shown": _text("Target", 95),
        "actual_shown": _text("Actual", 95),
        "key_factor_label": _text("Key factor", 90, "Arusha key factor"),
    }


def activity_columns(*, donor: bool = True, partners: bool = False) -> dict:
    """Columns of models.queries.activities.partner_activities (donor) / donor_activities
    (partners: partner_names) output."""
    columns = {
        "code": _text("Code", 88),
        "title": _text("Activity", 160),
        "type": _text("Type", 105),
        "mode": _text("Mode", 74),
        "status": _text("Status", 82),
        "start": _date("Start"),
        "end": _date("End"),
        "participants": _count("Participants", 90),
        "donor": _text("Donor", 58),
        "partner_names": _text("Administrations", 105),
        "key_factors": st.column_config.ListColumn("Key factors", width=86, help="Arusha key factors"),
    }
    if not donor:
        del columns["donor"]
    if not partners:
        del columns["partner_names"]
    return columns


def listing_columns() -> dict:
    """Columns of models.queries.activities.activities_listing output (the Activities page)."""
    return {
        "code": _text("Code", 88),
        "title": _text("Title", 140),
        "type": _text("Type", 98),
        "mode": _text("Mode", 74),
        "status": _text("Status", 82),
        "start": _date("Start"),
        "end": _date("End"),
        "partners": st.column_config.ListColumn("Partners", width=80, help="Empty: programme-wide"),
        "donor": _text("Donor", 58),
        "participants": _count("Participants", 90),
        "key_factors": st.column_config.ListColumn("Key factors", width=86, help="Arusha key factors"),
    }


def indicator_target_columns(unit: str | None) -> dict:
    """Columns of models.queries.profiles.indicator_targets output (a numeric indicator)."""
    in_unit = f"In {unit}." if unit else None
    return {
        "partner_name": _text("Administration", 215),
        "status": _text("Status", 80),
        "progress": progress_column("Progress", help="Raw distance travelled; the bar stops at 100 %. " + progress_help()),
        "actual": st.column_config.NumberColumn("Actual", format="%.2f", width=78, help=in_unit),
        "target": st.column_config.NumberColumn("Target", format="%.2f", width=78, help=in_unit),
        "baseline": st.column_config.NumberColumn("Baseline", format="%.2f", width=80, help=in_unit),
        "baseline_year": st.column_config.NumberColumn("Baseline year", format="%d", width=98),
        "period": _text("Period", 96, "The period each figure is for (a range for running totals)."),
        "note": _text("Note", 110),
    }


def qualitative_columns() -> dict:
    """Columns of models.queries.profiles.indicator_targets output (a qualitative indicator)."""
    return {
        "partner_name": _text("Administration", 215),
        "period": _text("Period", 96),
        "text": _text("Reported", 260),
        "target_text": _text("Target", 220),
        "note": _text("Note", 160),
    }


def survey_columns() -> dict:
    """Columns of models.queries.surveys.survey_comparison output."""
    return {
        "partner_name": _text("Administration", 240),
        "group": _text("Respondents", 130),
        "first_wave": st.column_config.NumberColumn("First round", format="%d", width=95, help="The year of the first round"),
        "first": st.column_config.NumberColumn("First score", format="%.2f", width=90),
        "latest_wave": st.column_config.NumberColumn("Latest round", format="%d", width=100, help="The year of the latest round"),
        "latest": st.column_config.NumberColumn("Latest score", format="%.2f", width=95),
        "change": st.column_config.NumberColumn("Change", format="%+.2f", width=80),
    }

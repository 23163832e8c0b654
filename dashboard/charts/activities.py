"""Activities: a timeline (Gantt) by type, counts by delivery mode and by donor, and
participants per year."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.common import SERIES_COLOURS, empty_figure, finish
from dashboard.text import plotly_frame, plotly_text

ACTIVITY_TYPES = ("meeting", "technical-assistance", "capacity-building", "survey", "e-learning", "diagnostic", "other")
TYPE_COLOURS = dict(zip(ACTIVITY_TYPES, SERIES_COLOURS))
MODES = ("in-person", "remote", "hybrid", "not set")
MODE_COLOURS = {"in-person": SERIES_COLOURS[0], "remote": SERIES_COLOURS[1], "hybrid": SERIES_COLOURS[2], "not set": "#BBBBBB"}
DAY_MS = 86_400_000


def _type_order(types) -> list[str]:
    known = [t for t in ACTIVITY_TYPES if t in set(types)]
    return known + sorted(set(types) - set(ACTIVITY_TYPES))


def _mode_order(modes) -> list[str]:
    known = [m for m in MODES if m in set(modes)]
    return known + sorted(set(modes) - set(MODES))


def _as_date(value) -> date:
    return value if isinstance(value, date) else pd.Timestamp(value).date()


def _participants(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{int(value):,}"


def activity_timeline(acts: pd.DataFrame, *, note: str, title: str = "Activity timeline by type") -> go.Figure:
    """One horizontal bar per activity from its start to its end (inclusive), coloured by type.

    acts: models.queries.activities.activities_listing output. Bars use a date `base` and a length in
    milliseconds (as px.timeline does); one-day activities are one day long."""
    if acts.empty:
        return empty_figure(title, note)
    data = plotly_frame(acts).sort_values(["start", "code"], kind="stable")
    order = list(data["code"])
    fig = go.Figure()
    for kind in _type_order(data["type"]):
        part = data[data["type"] == kind]
        starts = [_as_date(s) for s in part["start"]]
        ends = [_as_date(e) for e in part["end"]]
        fig.add_trace(go.Bar(
            base=[s.isoformat() for s in starts],
            x=[((e - s).days + 1) * DAY_MS for s, e in zip(starts, ends)],
            y=list(part["code"]), orientation="h", name=kind,
            marker_color=TYPE_COLOURS.get(kind, SERIES_COLOURS[-1]),
            hovertext=[
                f"<b>{c}</b> {t}<br>{kind} · {m} · {st}<br>{s.isoformat()} to {e.isoformat()}"
                f"<br>partners: {', '.join(p) if len(p) else 'programme-wide'}<br>donor: {d} · participants: {_participants(n)}"
                for c, t, m, st, s, e, p, d, n in zip(part["code"], part["title"], part["mode"], part["status"], starts, ends,
                                                      part["partners"], part["donor"], part["participants"])
            ],
            hoverinfo="text",
        ))
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(type="date", title="Dates (start to end)")
    fig.update_yaxes(title=None, automargin=True, categoryorder="array", categoryarray=list(reversed(order)))
    return finish(fig, title=title, note=note, height=max(320, 130 + 20 * len(data)))


def activities_by_mode_chart(counts: pd.DataFrame, *, note: str, title: str = "Activities by delivery mode") -> go.Figure:
    """models.queries.activities.activity_counts(v, "mode") output: activities per mode, participants in hover."""
    if counts.empty or counts["activities"].sum() == 0:
        return empty_figure(title, note)
    data = plotly_frame(counts).set_index("mode").loc[_mode_order(counts["mode"])].reset_index()
    fig = go.Figure(go.Bar(
        x=list(data["mode"]), y=list(data["activities"]), name="activities",
        marker_color=[MODE_COLOURS.get(m, "#BBBBBB") for m in data["mode"]],
        text=list(data["activities"]), textposition="outside", customdata=list(data["participants"]),
        hovertemplate="<b>%{x}</b><br>%{y} activities · %{customdata:,} participants<extra></extra>",
    ))
    fig.update_xaxes(title=None)
    fig.update_yaxes(title="Activities (count)", range=[0, max(data["activities"]) * 1.15])
    return finish(fig, title=title, note=note, height=360)


def activities_by_donor_chart(counts: pd.DataFrame, *, note: str, donor_names: dict | None = None,
                              title: str = "Activities by donor and delivery mode") -> go.Figure:
    """models.queries.activities.activity_counts(v, ["donor", "mode"]) output: stacked bars per donor."""
    if counts.empty or counts["activities"].sum() == 0:
        return empty_figure(title, note)
    counts = plotly_frame(counts)
    names = {plotly_text(code): plotly_text(name) for code, name in (donor_names or {}).items()}
    donors = sorted(counts["donor"].unique(), key=lambda d: (d == "no donor", d))
    labels = {d: names.get(d, d) if d != "no donor" else "no donor (programme-wide)" for d in donors}
    fig = go.Figure()
    for mode in _mode_order(counts["mode"]):
        part = counts[counts["mode"] == mode].set_index("donor").reindex(donors)
        fig.add_trace(go.Bar(
            x=[labels[d] for d in donors], y=[int(a) if pd.notna(a) else 0 for a in part["activities"]],
            name=mode, marker_color=MODE_COLOURS.get(mode, "#BBBBBB"),
            customdata=[int(p) if pd.notna(p) else 0 for p in part["participants"]],
            hovertemplate=f"<b>%{{x}}</b> · {mode}<br>%{{y}} activities · %{{customdata:,}} participants<extra></extra>",
        ))
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=None)
    fig.update_yaxes(title="Activities (count)")
    return finish(fig, title=title, note=note, height=360)


def participants_by_year_chart(counts: pd.DataFrame, *, note: str, title: str = "Participants per year by activity type") -> go.Figure:
    """models.queries.activities.activity_counts(v, ["year", "type"]) output: stacked participants per start year."""
    if counts.empty or counts["participants"].sum() == 0:
        return empty_figure(title, note)
    counts = plotly_frame(counts)
    years = sorted(int(y) for y in counts["year"].unique())
    fig = go.Figure()
    for kind in _type_order(counts["type"]):
        part = counts[counts["type"] == kind].set_index("year").reindex(years)
        fig.add_trace(go.Bar(
            x=[str(y) for y in years], y=[int(p) if pd.notna(p) else 0 for p in part["participants"]],
            name=kind, marker_color=TYPE_COLOURS.get(kind, SERIES_COLOURS[-1]),
            customdata=[int(a) if pd.notna(a) else 0 for a in part["activities"]],
            hovertemplate=f"<b>%{{x}}</b> · {kind}<br>%{{y:,}} participants in %{{customdata}} activities<extra></extra>",
        ))
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title="Year the activity started", type="category")
    fig.update_yaxes(title="Participants (people)")
    return finish(fig, title=title, note=note, height=380)


# --- named charts -----------------------------------------------------------------------


def _note(v) -> str:
    from dashboard.charts.common import data_note

    return data_note(v)


def chart_activity_timeline(v, prog) -> go.Figure:
    from models.queries.activities import activities_listing

    return activity_timeline(activities_listing(v), note=_note(v))


def chart_activities_by_mode(v, prog) -> go.Figure:
    from models.queries.activities import activity_counts

    return activities_by_mode_chart(activity_counts(v, "mode"), note=_note(v))


def chart_activities_by_donor(v, prog) -> go.Figure:
    from models.queries.activities import activity_counts

    return activities_by_donor_chart(activity_counts(v, ["donor", "mode"]), note=_note(v),
                                     donor_names=dict(zip(v.donors["code"], v.donors["name"])))


def chart_activity_participants(v, prog) -> go.Figure:
    from models.queries.activities import activity_counts

    return participants_by_year_chart(activity_counts(v, ["year", "type"]), note=_note(v))


CHARTS = {
    "activity-timeline": chart_activity_timeline,
    "activities-by-mode": chart_activities_by_mode,
    "activities-by-donor": chart_activities_by_donor,
    "activity-participants": chart_activity_participants,
}

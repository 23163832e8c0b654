"""Regions and donors: funding committed per donor, agreement periods, partners funded per
region and donor, activities per region, and the status mix per region."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.common import SERIES_COLOURS, empty_figure, finish
from dashboard.charts.progress import status_mix
from dashboard.text import plotly_frame, plotly_text

ACTIVITY_COLOUR = SERIES_COLOURS[0]
# two footnote lines, each short enough for a half-width chart
FUNDING_NOTE = "Public totals per agreement, not split by partner. · One axis per currency, never converted or added."
DAY_MS = 86_400_000
PANEL_GAP = 80  # px between stacked panels (funding_bars): room for the upper panel's axis


def donor_colours(codes) -> dict:
    """One stable colour per donor code (sorted codes take the series colours in turn)."""
    return {c: SERIES_COLOURS[i % len(SERIES_COLOURS)] for i, c in enumerate(sorted(set(codes)))}


def _millions(amount: float) -> str:
    return f"{amount / 1e6:,.2f}m"


def funding_bars(summary: pd.DataFrame, *, title: str, note: str) -> go.Figure:
    """Committed amounts per donor, one panel per currency, each on its own axis: amounts in
    different currencies are never added up nor drawn on one scale. Partners funded (n) in
    the hover.

    summary: models.queries.summaries.funding_summary output (donor, currency, amount, partners, donor_name)."""
    from plotly.subplots import make_subplots

    if summary.empty:
        return empty_figure(title, note, "No donor agreement in this selection")
    data = plotly_frame(summary).sort_values(["amount"], kind="stable")
    data["currency"] = data["currency"].fillna("").astype(str)
    colours = donor_colours(data["donor"])
    currencies = sorted(set(data["currency"]))
    rows = [data[data["currency"] == c] for c in currencies]
    height = max(300, 150 + 50 * len(data) + 110 * (len(currencies) - 1))
    # between two panels: the upper one's tick labels and axis title (~75 px of the plot's height)
    spacing = min(0.4, PANEL_GAP / max(height - 160, 1)) if len(currencies) > 1 else 0
    fig = make_subplots(rows=len(currencies), cols=1, vertical_spacing=spacing, row_heights=[max(len(r), 1) for r in rows])
    for n, (cur, part) in enumerate(zip(currencies, rows), start=1):
        fig.add_trace(go.Bar(
            x=list(part["amount"] / 1e6), y=[f"{name} ({cur})" for name in part["donor_name"]], orientation="h",
            name=cur or "no currency", marker_color=[colours[d] for d in part["donor"]],
            text=[f"{cur} {_millions(a)}" for a in part["amount"]], textposition="outside", cliponaxis=False, showlegend=False,
            customdata=list(zip(part["currency"], part["amount"], part["partners"])),
            hovertemplate="<b>%{y}</b><br>committed %{customdata[0]} %{customdata[1]:,.0f}"
                          "<br>n = %{customdata[2]} partner administrations funded<extra></extra>",
        ), row=n, col=1)
        fig.update_xaxes(title=f"Committed, {cur or 'no currency'} (millions)", range=[0, float(part["amount"].max()) / 1e6 * 1.3],
                         row=n, col=1)
        fig.update_yaxes(title=None, automargin=True, row=n, col=1)
    note = note + " · " + FUNDING_NOTE
    return finish(fig, title=title, note=note, height=height)


def agreement_timeline(agreements: pd.DataFrame, *, title: str, note: str) -> go.Figure:
    """Each agreement (donor, phase) as a bar from its start to its end date, amount in the hover.

    agreements: models.queries.summaries.donor_agreements output."""
    data = agreements.dropna(subset=["start"]) if len(agreements) else agreements
    if data.empty:
        return empty_figure(title, note, "No donor agreement in this selection")
    data = plotly_frame(data).sort_values(["donor", "phase"], kind="stable")
    colours = donor_colours(data["donor"])
    fig = go.Figure()
    for donor, rows in data.groupby("donor", sort=True):
        starts = pd.to_datetime(rows["start"])
        ends = pd.to_datetime(rows["end"].where(rows["end"].notna(), rows["start"]))
        fig.add_trace(go.Bar(
            base=[d.strftime("%Y-%m-%d") for d in starts],
            x=[int(((e - s).days + 1) * DAY_MS) for s, e in zip(starts, ends)],
            y=[f"{name} — phase {ph}" for name, ph in zip(rows["donor_name"], rows["phase"])],
            orientation="h", name=str(rows["donor_name"].iloc[0]), marker_color=colours[donor],
            customdata=list(zip(rows["currency"].fillna(""), rows["amount"].fillna(0), rows["signed_on"].astype(str),
                                rows["period"], rows["partners"])),
            hovertemplate="<b>%{y}</b><br>%{customdata[3]} (signed %{customdata[2]})"
                          "<br>committed %{customdata[0]} %{customdata[1]:,.0f}"
                          "<br>n = %{customdata[4]} partner administrations funded<extra></extra>",
        ))
    fig.update_xaxes(type="date", title="Agreement period (date)")
    fig.update_yaxes(title=None, automargin=True, autorange="reversed")
    return finish(fig, title=title, note=note, height=max(300, 190 + 40 * len(data)))


def activity_bars(counts: pd.DataFrame, *, label: str, title: str, note: str, hover_note: str = "") -> go.Figure:
    """Activities per group (horizontal bars, count as text), participants in the hover.

    counts: a frame with `label`, activities and participants columns (e.g.
    models.queries.summaries.region_summary or donor_summary output)."""
    if counts.empty or counts["activities"].sum() == 0:
        return empty_figure(title, note, "No activity in this selection")
    data = plotly_frame(counts).iloc[::-1]
    extra = f"<br>{plotly_text(hover_note)}" if hover_note else ""
    fig = go.Figure(go.Bar(
        x=list(data["activities"]), y=list(data[label]), orientation="h", name="activities",
        marker_color=ACTIVITY_COLOUR, text=list(data["activities"]), textposition="outside", cliponaxis=False,
        showlegend=False, customdata=list(data["participants"]),
        hovertemplate="<b>%{y}</b><br>%{x} activities<br>%{customdata:,} participants" + extra + "<extra></extra>",
    ))
    fig.update_xaxes(title="Activities (count)", range=[0, float(data["activities"].max()) * 1.2])
    fig.update_yaxes(title=None, automargin=True)
    return finish(fig, title=title, note=note, height=max(300, 190 + 36 * len(data)))


def funded_partners_bars(frame: pd.DataFrame, *, title: str, note: str) -> go.Figure:
    """Partner administrations funded per region, stacked by donor (no amounts: agreements
    are not split by partner).

    frame: models.queries.summaries.funded_partners_by_region output."""
    if frame.empty:
        return empty_figure(title, note, "No funded partner in this selection")
    frame = plotly_frame(frame)
    colours = donor_colours(frame["donor"])
    regions = list(dict.fromkeys(frame["region_name"]))[::-1]
    fig = go.Figure()
    for donor, rows in frame.groupby("donor", sort=True):
        counts = dict(zip(rows["region_name"], rows["partners"]))
        fig.add_trace(go.Bar(
            x=[counts.get(r, 0) for r in regions], y=regions, orientation="h", name=str(rows["donor_name"].iloc[0]),
            marker_color=colours[donor],
            hovertemplate="<b>%{y}</b><br>" + str(rows["donor_name"].iloc[0]) + ": %{x} partner administrations<extra></extra>",
        ))
    fig.update_layout(barmode="stack", legend_traceorder="normal")  # donors in the legend as in the stack
    fig.update_xaxes(title="Partner administrations funded (count)", dtick=1)
    fig.update_yaxes(title=None, automargin=True)
    return finish(fig, title=title, note=note, height=max(330, 220 + 36 * len(regions)))


# --- named charts ------------------------------------------------------------------------


def _note(v) -> str:
    from dashboard.charts.common import data_note

    return data_note(v)


def chart_funding_by_donor(v, prog) -> go.Figure:
    from models.queries.summaries import funding_summary

    return funding_bars(funding_summary(v), title="Funding committed by donor", note=_note(v))


def chart_agreements_timeline(v, prog) -> go.Figure:
    from models.queries.summaries import donor_agreements

    return agreement_timeline(donor_agreements(v), title="Donor agreements over time", note=_note(v))


REGION_ACTIVITY_NOTE = "Activities in several regions count in each."


def chart_activities_by_region(v, prog) -> go.Figure:
    from models.queries.summaries import region_summary

    return activity_bars(region_summary(v, prog), label="region_name", title="Activities by WCO region",
                         note=_note(v) + " · " + REGION_ACTIVITY_NOTE, hover_note=REGION_ACTIVITY_NOTE)


def chart_funded_partners_by_region(v, prog) -> go.Figure:
    from models.queries.summaries import funded_partners_by_region

    return funded_partners_bars(funded_partners_by_region(v), title="Partner administrations funded, by region and donor",
                                note=_note(v))


def region_status_mix(regions: pd.DataFrame, *, title: str, note: str) -> go.Figure:
    """status_mix per region (models.queries.summaries.region_summary output), taller than the
    default so the plot keeps its height when the colour key wraps to several rows on a
    narrow chart (the legend pushes the plot down, never over the title)."""
    return status_mix(regions, label="region_name", title=title, note=note, height=max(380, 240 + 34 * len(regions)))


def chart_status_by_region(v, prog) -> go.Figure:
    from models.queries.summaries import region_summary

    return region_status_mix(region_summary(v, prog), title="Indicator–partner pairs by status and region", note=_note(v))


CHARTS = {
    "funding-by-donor": chart_funding_by_donor,
    "agreements-timeline": chart_agreements_timeline,
    "activities-by-region": chart_activities_by_region,
    "funded-partners-by-region": chart_funded_partners_by_region,
    "status-by-region": chart_status_by_region,
}

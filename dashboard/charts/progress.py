"""Progress roll-ups as bars (by region, donor, partner, key factor) and status mixes."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.common import STATUS_COLOURS, empty_figure, finish, pct
from dashboard.text import plotly_frame
from models.queries.frames import STATUS_COUNT_COLUMNS


def counts_text(row, sep: str = " · ") -> str:
    """'achieved 2 · on track 1 · no data 3': a roll-up row's pairs per status (none left out
    but zeros), in DESIGN.md's order."""
    parts = [f"{s} {int(row[c])}" for s, c in STATUS_COUNT_COLUMNS.items() if c in row and row[c] and row[c] == row[c]]
    return sep.join(parts) or "no pair"


NO_DATA_COLOUR = "#777777"
PROGRESS_AXIS_TITLE = "Mean progress (%, clamped to 0–100)"


def no_progress_text(status, n) -> str:
    """What a group without a progress figure shows in place of a bar: its status ('no data'
    when it has none, e.g. a key factor no indicator measures) and n."""
    shown = status if isinstance(status, str) and status else "no data"
    return f"{shown} (n={int(n)})"


def progress_bars(rollup: pd.DataFrame, *, label: str, title: str, note: str, help_text: str = "") -> go.Figure:
    """Horizontal bars of mean clamped progress per group, coloured by status, n shown.

    rollup: models.progress.rollup output (progress, n, status, n_<status> counts) plus a
    `label` column to show. A group with no progress figure keeps its row: no bar (its value
    is empty, in the chart and in its data), and an explicit marker — 'no data (n=0)', or its
    status — where the bar would start; its counts are in the hover."""
    if rollup.empty or rollup["n"].sum() == 0:
        return empty_figure(title, note)
    # the highest progress on top; rows alike (no figure, equal figures) read top-down in the rollup's order
    data = plotly_frame(rollup).iloc[::-1].sort_values("progress", ascending=True, na_position="first", kind="stable")
    scored = data["progress"].notna()
    data = data.assign(status=data["status"].where(data["status"].notna(), "no data"))
    text = [f"{pct(p)}  (n={n})" if ok else no_progress_text(s, n)
            for p, n, s, ok in zip(data["progress"], data["n"], data["status"], scored)]
    hover = [
        f"<b>{lab}</b><br>mean progress {pct(p)} — {s}<br>n = {n} indicator–partner pairs with a scored status"
        f"<br>{counts_text(row, '<br>')}"
        for lab, p, s, n, row in zip(data[label], data["progress"], data["status"], data["n"], data.to_dict("records"))
    ]
    labels = list(data[label])
    fig = go.Figure(go.Bar(
        x=[p * 100 if ok else None for p, ok in zip(data["progress"], scored)], y=labels, orientation="h",
        marker_color=[STATUS_COLOURS.get(s, "#BBBBBB") for s in data["status"]],
        text=text, textposition="outside", cliponaxis=False, hovertext=hover, hoverinfo="text", name="mean progress",
        showlegend=False,
    ))
    for lab, t in zip(data[label][~scored], [t for t, ok in zip(text, scored) if not ok]):  # the marker of a row without a bar
        fig.add_annotation(x=0, y=lab, xref="x", yref="y", text=t, showarrow=False, xanchor="left", xshift=4,
                           font={"color": NO_DATA_COLOUR})
    for status in [s for s in STATUS_COLOURS if s in set(data["status"][scored])]:  # a colour key of the bars drawn
        fig.add_trace(go.Bar(x=[None], y=[None], orientation="h", name=status, marker_color=STATUS_COLOURS[status], hoverinfo="skip"))
    fig.update_xaxes(title=PROGRESS_AXIS_TITLE, range=[0, 135], ticksuffix=" %")
    fig.update_yaxes(title=None, automargin=True, categoryorder="array", categoryarray=labels)
    return finish(fig, title=title, note=note + (" " + help_text if help_text else ""), height=max(280, 60 + 34 * len(data)))


def status_mix(rollup: pd.DataFrame, *, label: str, title: str, note: str, height: int | None = None) -> go.Figure:
    """Stacked counts of indicator–partner pairs by status per group, every status in
    DESIGN.md's order (n_<status> columns; a status without its column is left out)."""
    if rollup.empty:
        return empty_figure(title, note)
    rollup = plotly_frame(rollup)
    fig = go.Figure()
    for status, col in STATUS_COUNT_COLUMNS.items():
        if col not in rollup:
            continue
        fig.add_trace(go.Bar(x=rollup[col], y=rollup[label], orientation="h", name=status, marker_color=STATUS_COLOURS[status],
                             hovertemplate=f"%{{y}}: %{{x}} pairs {status}<extra></extra>"))
    fig.update_layout(barmode="stack", legend_traceorder="normal")  # the colour key in DESIGN.md's order
    fig.update_xaxes(title="Indicator–partner pairs (count)")
    fig.update_yaxes(title=None, automargin=True)
    return finish(fig, title=title, note=note, height=height or max(280, 60 + 34 * len(rollup)))


def status_donut(counts: dict, *, title: str, note: str) -> go.Figure:
    """Share of indicator–partner pairs by status."""
    items = [(s, counts.get(s, 0)) for s in STATUS_COLOURS if counts.get(s, 0)]
    if not items:
        return empty_figure(title, note)
    fig = go.Figure(go.Pie(labels=[s for s, _ in items], values=[c for _, c in items], hole=0.55,
                           marker_colors=[STATUS_COLOURS[s] for s, _ in items], sort=False,
                           hovertemplate="%{label}: %{value} pairs (%{percent})<extra></extra>"))
    return finish(fig, title=title, note=note, height=340)


# --- named charts (the catalogue used by pages and `resultsboard export chart`) -----------


def _note(v) -> str:
    from dashboard.charts.common import data_note

    return data_note(v)


def chart_progress_by_region(v, prog) -> go.Figure:
    from models.queries.rollups import progress_by_region

    r = progress_by_region(v, prog)
    return progress_bars(r.assign(label=r["region_name"]), label="label", title="Progress by region", note=_note(v))


def chart_progress_by_donor(v, prog) -> go.Figure:
    from models.queries.rollups import progress_by_donor

    r = progress_by_donor(v, prog)
    return progress_bars(r.assign(label=r["donor_name"]), label="label", title="Progress by donor", note=_note(v))


def chart_progress_by_partner(v, prog) -> go.Figure:
    from models.queries.rollups import progress_by_partner

    r = progress_by_partner(v, prog)
    return progress_bars(r.assign(label=r["partner_name"]), label="label", title="Progress by partner administration", note=_note(v))


def chart_status_overview(v, prog) -> go.Figure:
    counts = prog["status"].value_counts().to_dict()
    return status_donut(counts, title="Indicator–partner pairs by status", note=_note(v))


CHARTS = {
    "progress-by-region": chart_progress_by_region,
    "progress-by-donor": chart_progress_by_donor,
    "progress-by-partner": chart_progress_by_partner,
    "status-overview": chart_status_overview,
}

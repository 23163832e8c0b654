"""Revised Arusha Declaration key factors: progress per key factor, partner × key factor
heatmap, activities per key factor, and the Customs Integrity Perception Survey rounds
compared (per administration and per key factor, by respondent group)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts.common import CELL_TEXT_MAX, SERIES_COLOURS, empty_figure, finish, grid_cells
from dashboard.charts.progress import progress_bars
from dashboard.text import plotly_frame, plotly_text

# Sequential and colour-blind safe (perceptually uniform, readable in grey scale).
SEQUENTIAL_SCALE = "Cividis"
FIRST_ROUND_COLOUR = SERIES_COLOURS[1]  # orange
LATEST_ROUND_COLOUR = SERIES_COLOURS[0]  # blue
LINK_COLOUR = "#AAAAAA"


def key_factor_progress_bars(rollup: pd.DataFrame, *, note: str, title: str = "Progress by Arusha key factor",
                             key_factors=None) -> go.Figure:
    """models.queries.rollups.progress_by_key_factor output as progress bars (n in text and hover).

    Every key factor in `key_factors` (default: all ten; pass the key factor filter) has a row,
    the same in the chart and its data: one without a progress figure — no indicator measures
    it, or none of its pairs is scored — shows 'no data (n=0)' (or its status) and no bar."""
    from models.queries.labels import key_factor_label
    from models.reference import KEY_FACTORS

    numbers = sorted(int(k) for k in key_factors) if key_factors else sorted(KEY_FACTORS)
    full = pd.DataFrame({"key_factor": numbers}).merge(rollup, how="left", on="key_factor")
    counts = [c for c in full.columns if c == "n" or c.startswith("n_")]
    full[counts] = full[counts].fillna(0).astype(int)
    return progress_bars(full.assign(label=full["key_factor"].map(key_factor_label)), label="label", title=title, note=note)


def key_factor_heatmap(cells: pd.DataFrame, *, note: str, title: str = "Mean progress by partner and Arusha key factor") -> go.Figure:
    """Partner × key factor, colour = mean clamped progress (%), n pairs in the hover; each
    cell's figure written in it up to common.CELL_TEXT_MAX cells (beyond, in the hover only).

    cells: models.queries.rollups.key_factor_cells output."""
    from models.queries.labels import key_factor_label

    if cells.empty or cells["n"].sum() == 0:
        return empty_figure(title, note)
    cells = plotly_frame(cells)
    scored = cells[cells["n"] > 0]
    factors = sorted(scored["key_factor"].astype(int).unique())  # key factors with a progress figure
    partners = sorted(scored["partner_name"].unique(), key=str.lower)
    z = [[None] * len(factors) for _ in partners]
    n = [[0] * len(factors) for _ in partners]
    text = [[""] * len(factors) for _ in partners]
    keyed = ((p, None if pd.isna(k) else int(k), (progress, count))
             for p, k, progress, count in zip(cells["partner_name"], cells["key_factor"], cells["progress"], cells["n"]))
    for i, j, (progress, count) in grid_cells(partners, factors, keyed):  # one cell per partner and key factor
        value = None if pd.isna(progress) else round(float(progress) * 100, 1)
        z[i][j] = value
        n[i][j] = int(count)
        text[i][j] = "" if value is None else f"{value:.0f}"
    x = [plotly_text(key_factor_label(k)) for k in factors]
    drawn = len(partners) * len(factors) <= CELL_TEXT_MAX  # each cell's figure, while few enough to draw (else: hover)
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=partners, customdata=n, text=text if drawn else None, texttemplate="%{text}" if drawn else None,
        colorscale=SEQUENTIAL_SCALE, zmin=0, zmax=100, xgap=2, ygap=2,
        colorbar={"title": {"text": "Mean progress (%)", "side": "right"}, "ticksuffix": " %"},
        hovertemplate="<b>%{y}</b><br>%{x}<br>mean progress %{z:.0f} %<br>n = %{customdata} indicator–partner pairs<extra></extra>",
        hoverongaps=False,
    ))
    fig.update_xaxes(title=None, side="top", tickangle=-35, tickfont={"size": 11}, automargin=True)
    fig.update_yaxes(title=None, automargin=True, autorange="reversed")
    # the key factor names stand at the top, slanted, between the title and the cells (automargin gives them room)
    return finish(fig, title=title, note=note, height=max(400, 280 + 26 * len(partners)))


def activities_by_key_factor_chart(counts: pd.DataFrame, *, note: str, title: str = "Activities by Arusha key factor") -> go.Figure:
    """models.queries.activities.activities_by_key_factor output: activities per key factor, participants in hover."""
    if counts.empty or counts["activities"].sum() == 0:
        return empty_figure(title, note)
    data = plotly_frame(counts).iloc[::-1]
    fig = go.Figure(go.Bar(
        x=list(data["activities"]), y=list(data["label"]), orientation="h", name="activities",
        marker_color=SERIES_COLOURS[0], text=list(data["activities"]), textposition="outside",
        customdata=list(data["participants"]),
        hovertemplate="<b>%{y}</b><br>%{x} activities · %{customdata:,} participants"
                      "<br>(an activity on several key factors counts in each)<extra></extra>",
    ))
    fig.update_xaxes(title="Activities (count)", range=[0, max(data["activities"]) * 1.12])
    fig.update_yaxes(title=None, automargin=True)
    return finish(fig, title=title, note=note, height=max(300, 60 + 34 * len(data)))


def survey_dumbbell(comparison: pd.DataFrame, *, note: str, scale: tuple[float, float] | None = None,
                    title: str | None = None) -> go.Figure:
    """First round (○) against latest round (●) per administration, one panel per respondent group.

    comparison: models.queries.surveys.survey_comparison output for one indicator."""
    name = comparison["indicator_name"].iloc[0] if len(comparison) else "survey score"
    title = title or f"{name}: first round against latest round"
    if comparison.empty:
        return empty_figure(title, note)
    comparison = plotly_frame(comparison)
    groups = sorted(comparison["group"].unique())
    partners = sorted(comparison["partner_name"].unique(), key=str.lower)
    fig = make_subplots(rows=1, cols=len(groups), shared_yaxes=True, horizontal_spacing=0.04)
    for col, group in enumerate(groups, start=1):
        g = comparison[comparison["group"] == group]
        both = g.dropna(subset=["latest"])
        lx, ly = [], []
        for _, r in both.iterrows():
            lx += [r["first"], r["latest"], None]
            ly += [r["partner_name"], r["partner_name"], None]
        fig.add_trace(go.Scatter(x=lx, y=ly, mode="lines", line={"color": LINK_COLOUR, "width": 3},
                                 hoverinfo="skip", showlegend=False, name="change"), row=1, col=col)
        fig.add_trace(go.Scatter(
            x=list(g["first"]), y=list(g["partner_name"]), mode="markers", name="first round",
            marker={"symbol": "circle-open", "size": 11, "color": FIRST_ROUND_COLOUR, "line": {"width": 2.5}},
            customdata=list(g["first_wave"]), legendgroup="first", showlegend=col == 1,
            hovertemplate=f"<b>%{{y}}</b> · {group}<br>first round (%{{customdata}}): %{{x:.2f}}<extra></extra>",
        ), row=1, col=col)
        fig.add_trace(go.Scatter(
            x=list(both["latest"]), y=list(both["partner_name"]), mode="markers", name="latest round",
            marker={"symbol": "circle", "size": 11, "color": LATEST_ROUND_COLOUR},
            customdata=[[int(w), c] for w, c in zip(both["latest_wave"], both["change"])],
            legendgroup="latest", showlegend=col == 1,
            hovertemplate=f"<b>%{{y}}</b> · {group}<br>latest round (%{{customdata[0]}}): %{{x:.2f}}"
                          "<br>change %{customdata[1]:+.2f}<extra></extra>",
        ), row=1, col=col)
        fig.update_xaxes(title=f"<b>{group}</b>: mean score" + (f" ({scale[0]:g} to {scale[1]:g})" if scale else ""), row=1, col=col)
        if scale:
            fig.update_xaxes(range=[scale[0] - 0.1, scale[1] + 0.1], row=1, col=col)
    fig.update_yaxes(title=None, automargin=True, categoryorder="array", categoryarray=list(reversed(partners)))
    return finish(fig, title=title, note=note + " Administrations with one round so far show one marker.",
                  height=max(320, 150 + 26 * len(partners)))


def survey_key_factor_bars(summary: pd.DataFrame, *, note: str,
                           title: str = "Survey scores by Arusha key factor: first round against latest round") -> go.Figure:
    """models.queries.surveys.survey_change_by_key_factor output: grouped horizontal bars per
    (key factor, indicator, respondent group), n administrations in the hover."""
    from models.queries.labels import key_factor_label

    if summary.empty:
        return empty_figure(title, note)
    summary = plotly_frame(summary)
    labels = [f"{plotly_text(key_factor_label(k))} ({i}) · {g}"
              for k, i, g in zip(summary["key_factor"], summary["indicator"], summary["group"])]
    fig = go.Figure()
    for column, name, colour in (("first", "first round", FIRST_ROUND_COLOUR), ("latest", "latest round", LATEST_ROUND_COLOUR)):
        fig.add_trace(go.Bar(
            y=labels, x=[round(float(x), 2) for x in summary[column]], name=name, marker_color=colour, orientation="h",
            customdata=[[int(n), round(float(c), 2)] for n, c in zip(summary["n"], summary["change"])],
            texttemplate="%{x:.2f}", textposition="outside",
            hovertemplate=f"<b>%{{y}}</b><br>{name}: mean %{{x:.2f}}<br>change %{{customdata[1]:+.2f}}"
                          "<br>n = %{customdata[0]} administrations with both rounds<extra></extra>",
        ))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="Mean score", rangemode="tozero")
    fig.update_yaxes(title=None, automargin=True, autorange="reversed")
    return finish(fig, title=title, note=note + " Means over administrations with both rounds.",
                  height=max(320, 130 + 50 * len(labels)))


# --- named charts -----------------------------------------------------------------------


def _note(v) -> str:
    from dashboard.charts.common import data_note

    return data_note(v)


def chart_progress_by_key_factor(v, prog) -> go.Figure:
    from models.queries.rollups import progress_by_key_factor

    return key_factor_progress_bars(progress_by_key_factor(v, prog), note=_note(v), key_factors=v.filters.key_factors)


def chart_key_factor_heatmap(v, prog) -> go.Figure:
    from models.queries.rollups import key_factor_cells

    return key_factor_heatmap(key_factor_cells(v, prog), note=_note(v))


def chart_activities_by_key_factor(v, prog) -> go.Figure:
    from models.queries.activities import activities_by_key_factor

    return activities_by_key_factor_chart(activities_by_key_factor(v), note=_note(v))


def survey_indicators(v) -> list[str]:
    """Codes of the survey (ordinal) indicators in the view, in code order."""
    return list(v.indicators.loc[v.indicators["measure"] == "ordinal", "code"])


def chart_survey_waves(v, prog, indicator: str | None = None) -> go.Figure:
    """First against latest survey round per administration (default: the first survey indicator)."""
    from models.queries.profiles import indicator_definition
    from models.queries.surveys import survey_comparison

    codes = survey_indicators(v)
    if not codes:
        return empty_figure("Survey rounds compared", _note(v), "No survey indicator in this selection")
    code = indicator if indicator in codes else codes[0]
    d = indicator_definition(v, code)
    scale = (d["scale_min"], d["scale_max"]) if d["scale_min"] is not None and d["scale_max"] is not None else None
    return survey_dumbbell(survey_comparison(v, code), note=_note(v), scale=scale,
                           title=f"{code} · {d['name']}: first round against latest round")


def chart_survey_by_key_factor(v, prog) -> go.Figure:
    from models.queries.surveys import survey_change_by_key_factor

    return survey_key_factor_bars(survey_change_by_key_factor(v), note=_note(v))


CHARTS = {
    "progress-by-key-factor": chart_progress_by_key_factor,
    "key-factor-heatmap": chart_key_factor_heatmap,
    "activities-by-key-factor": chart_activities_by_key_factor,
    "survey-waves": chart_survey_waves,
    "survey-by-key-factor": chart_survey_by_key_factor,
}

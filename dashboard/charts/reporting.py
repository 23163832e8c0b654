"""Reporting completeness: the reporting rate (received ÷ due) per partner × period, and the
reports received and overdue per period (DESIGN.md, "Reporting completeness")."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.common import CELL_TEXT_MAX, SERIES_COLOURS, STATUS_COLOURS, empty_figure, finish, grid_cells, slant_many_ticks
from dashboard.charts.key_factors import SEQUENTIAL_SCALE
from dashboard.text import plotly_frame



def rule_text(grace_days: int = 30) -> str:
    """The completeness rule in one sentence, with the grace days in force."""
    return (f"Due: each reporting period (the indicator's frequency) inside a target period, {grace_days} days after "
            "the period ends, before the as-of date; received: an actual covers part of the period (an actual "
            "awaiting review counts: the partner did report); rate: received ÷ due.")


RULE = rule_text()


def completeness_heatmap(cells: pd.DataFrame, *, note: str,
                         title: str = "Reports received, % of due, by partner and period") -> go.Figure:
    """models.queries.reporting.reporting_by_partner_period output: colour = reporting rate (%), text = received/due."""
    if cells.empty:
        return empty_figure(title, note, "No report is due in this selection")
    cells = plotly_frame(cells)
    periods = list(cells.sort_values(["period_end", "period_start"])["period"].drop_duplicates())
    partners = sorted(cells["partner_name"].unique(), key=str.lower)
    z = [[None] * len(periods) for _ in partners]
    text = [[""] * len(periods) for _ in partners]
    custom = [[[0, 0, 0] for _ in periods] for _ in partners]
    keyed = ((p, per, (rate, received, due, missing)) for p, per, rate, received, due, missing in zip(
        cells["partner_name"], cells["period"], cells["rate"], cells["received"], cells["due"], cells["missing"]))
    for i, j, (rate, received, due, missing) in grid_cells(partners, periods, keyed):  # one cell per partner and period
        z[i][j] = round(float(rate) * 100, 1)
        text[i][j] = f"{int(received)}/{int(due)}"
        custom[i][j] = [int(due), int(received), int(missing)]
    # each cell's "received/due" is drawn only while the cells are large enough to read it and few
    # enough to draw (common.CELL_TEXT_MAX; 25,000 for 250 partners x 100 quarters): the hover gives it
    readable = len(partners) * len(periods) <= CELL_TEXT_MAX
    fig = go.Figure(go.Heatmap(
        z=z, x=periods, y=partners, text=text if readable else None, texttemplate="%{text}" if readable else None,
        customdata=custom,
        colorscale=SEQUENTIAL_SCALE, zmin=0, zmax=100, xgap=2, ygap=2, hoverongaps=False,
        colorbar={"title": {"text": "Reporting rate (% of due)", "side": "right"}, "ticksuffix": " %"},
        hovertemplate="<b>%{y}</b> · %{x}<br>reporting rate %{z:.0f} %<br>due %{customdata[0]} · received %{customdata[1]}"
                      " · overdue %{customdata[2]}<extra></extra>",
    ))
    fig.update_xaxes(title="Reporting period", type="category", side="top")
    fig.update_yaxes(title=None, automargin=True, autorange="reversed")
    return finish(fig, title=title, note=note, height=max(340, 170 + 26 * len(partners)))


def completeness_by_period_chart(periods: pd.DataFrame, *, note: str,
                                 title: str = "Reports received and overdue per period (count)") -> go.Figure:
    """models.queries.reporting.reporting_rate_by_period output: stacked received / overdue counts, the rate and n in hover."""
    if periods.empty:
        return empty_figure(title, note, "No report is due in this selection")
    data = plotly_frame(periods).sort_values(["period_end", "period_start"])
    x = list(data["period"])
    custom = [[round(float(s) * 100, 1), int(d), int(p)] for s, d, p in zip(data["rate"], data["due"], data["partners"])]
    fig = go.Figure()
    for column, name, colour in (("received", "received", SERIES_COLOURS[0]), ("missing", "overdue", STATUS_COLOURS["off track"])):
        fig.add_trace(go.Bar(
            x=x, y=[int(n) for n in data[column]], name=name, marker_color=colour, customdata=custom,
            hovertemplate=f"<b>%{{x}}</b><br>{name}: %{{y}} of %{{customdata[1]}} due (reporting rate %{{customdata[0]:.0f}} %)"
                          "<br>%{customdata[2]} administrations with reports due<extra></extra>",
        ))
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=None, type="category")
    slant_many_ticks(fig, x)
    fig.update_yaxes(title="Reports due (count)")
    return finish(fig, title=title, note=note, height=380)


# --- named charts -----------------------------------------------------------------------


def _note(v) -> str:
    from dashboard.charts.common import data_note

    return data_note(v)


def chart_reporting_completeness(v, prog) -> go.Figure:
    from models.queries.reporting import reporting_by_partner_period

    return completeness_heatmap(reporting_by_partner_period(v), note=_note(v))


def chart_reporting_by_period(v, prog) -> go.Figure:
    from models.queries.reporting import reporting_rate_by_period

    return completeness_by_period_chart(reporting_rate_by_period(v), note=_note(v))


CHARTS = {
    "reporting-completeness": chart_reporting_completeness,
    "reporting-by-period": chart_reporting_by_period,
}

"""One indicator across partners: actual (bar, coloured by status) against target and
baseline (markers) — a bullet chart per administration."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.common import STATUS_COLOURS, STATUS_ORDER, empty_figure, finish, pct
from dashboard.text import plotly_frame, plotly_text

TARGET_COLOUR = "#000000"
BASELINE_COLOUR = "#777777"


def _num(value, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def indicator_targets_chart(rows: pd.DataFrame, *, definition: dict, note: str) -> go.Figure:
    """Bullet chart: one row per partner; bar = actual (status colour), | = target, ◇ = baseline.

    rows: models.queries.profiles.indicator_targets output; definition: models.queries.profiles.indicator_definition."""
    title = f"{definition['code']} · {definition['name']}: actual against target"
    if definition["measure"] == "qualitative":
        return empty_figure(title, note, "Qualitative indicator: see the table of texts")
    data = plotly_frame(rows[rows["actual"].notna() | rows["target"].notna()])
    if data.empty:
        return empty_figure(title, note)
    unit = plotly_text(definition.get("unit") or "")
    ordinal = definition["measure"] == "ordinal" and definition.get("scale_min") is not None
    bar_base = definition["scale_min"] if ordinal else 0.0
    labels = list(data["partner_name"])
    hover = [
        f"<b>{name}</b> ({period})<br>actual {_num(a, unit)} · target {_num(t, unit)} · baseline {_num(b, unit)}"
        f"{f' ({int(by)})' if pd.notna(by) else ''}<br>progress {pct(p)} — {s}"
        for name, period, a, t, b, by, p, s in zip(
            data["partner_name"], data["period"], data["actual"], data["target"], data["baseline"],
            data["baseline_year"], data["progress"], data["status"])
    ]
    data = data.assign(_label=labels, _hover=hover)
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = data[(data["status"] == status) & data["actual"].notna()]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            x=list(part["actual"] - bar_base), base=[bar_base] * len(part), y=list(part["_label"]), orientation="h",
            name=f"actual: {status}", marker_color=STATUS_COLOURS[status], width=0.55,
            hovertext=list(part["_hover"]), hoverinfo="text",
        ))
    targets = data[data["target"].notna()]
    fig.add_trace(go.Scatter(
        x=list(targets["target"]), y=list(targets["_label"]), mode="markers", name="target",
        marker={"symbol": "line-ns", "size": 26, "line": {"width": 4, "color": TARGET_COLOUR}, "color": TARGET_COLOUR},
        hovertext=list(targets["_hover"]), hoverinfo="text",
    ))
    baselines = data[data["baseline"].notna()]
    if not baselines.empty:
        fig.add_trace(go.Scatter(
            x=list(baselines["baseline"]), y=list(baselines["_label"]), mode="markers", name="baseline",
            marker={"symbol": "diamond-open", "size": 11, "line": {"width": 2, "color": BASELINE_COLOUR}, "color": BASELINE_COLOUR},
            hovertext=list(baselines["_hover"]), hoverinfo="text",
        ))
    fig.update_layout(barmode="overlay")
    axis_title = f"{unit} ({definition['direction']})" if unit else definition["direction"]
    fig.update_xaxes(title=axis_title, zeroline=True)
    if ordinal:
        fig.update_xaxes(range=[definition["scale_min"], definition["scale_max"]])
    fig.update_yaxes(title=None, automargin=True, categoryorder="array", categoryarray=list(reversed(labels)))
    return finish(fig, title=title, note=note, height=max(340, 180 + 32 * len(data)))


# --- named charts -----------------------------------------------------------------------


def _note(v) -> str:
    from dashboard.charts.common import data_note

    return data_note(v)


def chart_indicator_targets(v, prog, indicator: str | None = None) -> go.Figure:
    """Actual against target per partner for one indicator (default: the first in the view)."""
    from models.queries.profiles import indicator_definition, indicator_targets

    codes = list(v.indicators["code"])
    if not codes:
        return empty_figure("Indicator: actual against target", _note(v))
    code = indicator if indicator in codes else codes[0]
    return indicator_targets_chart(indicator_targets(v, prog, code), definition=indicator_definition(v, code), note=_note(v))


CHARTS = {
    "indicator-targets": chart_indicator_targets,
}

"""One partner administration: progress per indicator and target against actual over the
periods (one series per disaggregation). Its activities use activities.activity_timeline."""
from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.common import SERIES_COLOURS, STATUS_COLOURS, empty_figure, finish, pct, slant_many_ticks
from dashboard.text import plotly_frame, plotly_text

BASELINE_DASH = "dot"
TARGET_DASH = "dash"


def _unit_suffix(unit) -> str:
    if unit is None or (not isinstance(unit, str) and pd.isna(unit)) or not str(unit).strip():
        return ""
    return f" ({plotly_text(str(unit).strip())})"


def indicator_progress(rows: pd.DataFrame, *, title: str, note: str) -> go.Figure:
    """Progress per indicator for one partner: bar = progress clamped to 0–100 % (status
    colour), label = the raw figure; indicators without a percentage show their status.

    rows: models.queries.profiles.partner_indicators output."""
    if rows.empty:
        return empty_figure(title, note)
    data = plotly_frame(rows).iloc[::-1]
    clamped = data["progress_clamped"].fillna(0) * 100
    notes = data["note"].fillna("") if "note" in data else pd.Series("", index=data.index)
    # a target period under way shows "so far: X of Y", never a percentage or a status
    text = [pct(p) if pd.notna(p) else (n.split("; ")[0] if s == "in progress" and n else s)
            for p, s, n in zip(data["progress"], data["status"], notes)]
    hover = [
        f"<b>{label}</b><br>baseline {b or '–'} · target {t or '–'} · actual {a or '–'}"
        f"<br>period {period}<br>progress {pct(p)} — {s}" + (f"<br>{n}" if n else "")
        for label, b, t, a, period, p, s, n in zip(
            data["label"], data["baseline_shown"], data["target_shown"], data["actual_shown"], data["period"],
            data["progress"], data["status"], notes)
    ]
    fig = go.Figure(go.Bar(
        x=list(clamped), y=list(data["label"]), orientation="h", name="progress",
        marker_color=[STATUS_COLOURS.get(s, "#BBBBBB") for s in data["status"]],
        text=text, textposition="outside", cliponaxis=False, hovertext=hover, hoverinfo="text", showlegend=False,
    ))
    for status in [s for s in STATUS_COLOURS if s in set(data["status"])]:  # a colour key
        fig.add_trace(go.Bar(x=[None], y=[None], orientation="h", name=status, marker_color=STATUS_COLOURS[status],
                             hoverinfo="skip"))
    fig.update_xaxes(title="Progress (%): bar clamped to 0–100, label raw", range=[0, 125], ticksuffix=" %")
    fig.update_yaxes(title=None, automargin=True)
    return finish(fig, title=title, note=note, height=max(300, 170 + 36 * len(data)))


def wrap_title(title: str, width: int = 52) -> tuple[str, int]:
    """A long chart title on several lines (for half-width charts): (plain text with a newline
    between lines — finish() makes each a line of the title —, lines)."""
    lines = textwrap.wrap(title, width) or [title]
    return "\n".join(lines), len(lines)


def indicator_trend(series: pd.DataFrame, *, title: str, note: str, unit: str | None = None,
                    baselines: pd.DataFrame | None = None, scale: tuple[float, float] | None = None) -> go.Figure:
    """Target (dashed) against actual (solid) per period for one indicator and partner; each
    disaggregation ('total', 'private sector', …) is its own set of lines in its own colour,
    never averaged with the others; its baseline a dotted line across the periods.

    Legend: 'actual', 'target', 'baseline YYYY' for a single total series; otherwise one
    colour key entry per disaggregation (a trace with no data) — the line styles are the same.

    series: models.queries.profiles.partner_series output for one indicator; baselines:
    models.queries.profiles.partner_baselines output (series, year, value); scale: (min, max) of an
    ordinal indicator, used as the y range (else the axis starts at zero)."""
    text, _ = wrap_title(title)
    if series.empty:
        return empty_figure(text, note)
    series = plotly_frame(series)
    baselines = plotly_frame(baselines) if baselines is not None else None
    order = series.sort_values(["period_end", "period_start"], kind="stable")
    periods = list(dict.fromkeys(order["period"]))
    names = list(dict.fromkeys(series["series"]))
    several = names != ["total"]
    u = _unit_suffix(unit)
    fig = go.Figure()
    for i, name in enumerate(names):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        rows = order[order["series"] == name]
        suffix = f" — {name}" if several else ""
        comments = [c if isinstance(c, str) and c else "" for c in rows["comment"]]
        if several:  # a colour key entry for the series; the lines themselves stay out of the legend
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines+markers", name=name, line={"color": colour},
                                     marker={"color": colour}, hoverinfo="skip"))
        for kind, dash, symbol in (("actual", "solid", "circle"), ("target", TARGET_DASH, "circle-open")):
            part = rows[rows[kind].notna()]
            if part.empty:
                continue
            part_comments = [c for c, keep in zip(comments, rows[kind].notna()) if keep]
            fig.add_trace(go.Scatter(
                x=list(part["period"]), y=list(part[kind]), mode="lines+markers", name=f"{kind}{suffix}",
                line={"color": colour, "dash": dash}, marker={"symbol": symbol, "size": 8, "color": colour},
                customdata=part_comments, showlegend=not several,
                hovertemplate=f"{kind}{suffix}<br>%{{x}}: %{{y:,.3~f}}{u}<br>%{{customdata}}<extra></extra>",
            ))
        if baselines is not None and len(baselines):
            b = baselines[baselines["series"] == name]
            if len(b):
                value, year = float(b["value"].iloc[0]), int(b["year"].iloc[0])
                fig.add_trace(go.Scatter(
                    x=periods, y=[value] * len(periods), mode="lines+markers", name=f"baseline {year}{suffix}",
                    line={"color": colour, "dash": BASELINE_DASH, "width": 1.5},
                    marker={"symbol": "line-ew-open", "size": 14, "color": colour}, showlegend=not several,
                    hovertemplate=f"baseline {year}{suffix}: %{{y:,.3~f}}{u}<extra></extra>",
                ))
    fig.update_xaxes(title="Period", type="category", categoryorder="array", categoryarray=periods)
    slant_many_ticks(fig, periods)
    fig.update_yaxes(title=f"Value{u}" if u else "Value")
    if scale is not None:
        fig.update_yaxes(range=[scale[0], scale[1]])
    else:
        fig.update_yaxes(rangemode="tozero")
    return finish(fig, title=text, note=note, height=420, min_title_lines=2)  # two lines, so charts side by side align


# --- named charts (the first visible partner: filter --partner to choose) -----------------


def _note(v) -> str:
    from dashboard.charts.common import data_note

    return data_note(v)


def default_partner(v) -> str | None:
    """The partner the named charts show: the first visible one by name, as on the partner
    profile page (a --partner filter picks it)."""
    if v.partners.empty:
        return None
    return str(v.partners.sort_values(["name", "code"], key=lambda s: s.str.lower())["code"].iloc[0])


def chart_partner_progress(v, prog, partner: str | None = None) -> go.Figure:
    from models.queries.profiles import partner_indicators

    code = partner if partner in set(v.partners["code"]) else default_partner(v)
    if code is None:
        return empty_figure("Partner: progress by indicator", _note(v), "No partner administration in this selection")
    name = v.partners.set_index("code")["name"][code]
    return indicator_progress(partner_indicators(v, prog, code), title=f"{name}: progress by indicator", note=_note(v))


def chart_partner_activities(v, prog, partner: str | None = None) -> go.Figure:
    from dashboard.charts.activities import activity_timeline
    from models.queries.activities import partner_activities

    code = partner if partner in set(v.partners["code"]) else default_partner(v)
    if code is None:
        return empty_figure("Partner: activities", _note(v), "No partner administration in this selection")
    name = v.partners.set_index("code")["name"][code]
    return activity_timeline(partner_activities(v, code), title=f"{name}: activities", note=_note(v))


CHARTS = {
    "partner-progress": chart_partner_progress,
    "partner-activities": chart_partner_activities,
}

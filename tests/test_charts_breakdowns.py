"""Regions and donors charts on small hand-made frames (fig.data exactly), and the named
charts of the regions / donors / partner modules under any filter."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.charts import breakdowns, catalog, maps, partner
from dashboard.charts.breakdowns import (
    DAY_MS,
    activity_bars,
    agreement_timeline,
    donor_colours,
    funded_partners_bars,
    funding_bars,
    region_status_mix,
)
from dashboard.charts.common import SERIES_COLOURS, STATUS_COLOURS
from models.access import LOCAL_ADMIN
from models.db import init_database, make_engine
from models.demo import load_demo
from models.queries.filters import Filters
from models.queries.rollups import progress_table
from models.queries.snapshot import load_snapshot, view

NOTE = "Data as of 2025-12-31. · Illustrative demo data, not official results."


def test_donor_colours_are_stable_by_code():
    assert donor_colours(["NOR", "CAN", "NOR"]) == {"CAN": SERIES_COLOURS[0], "NOR": SERIES_COLOURS[1]}


def test_funding_bars_one_panel_per_currency_never_on_one_axis():
    summary = pd.DataFrame({
        "donor": ["CAN", "NOR", "NOR", "CAN"], "currency": ["CAD", "EUR", "USD", "USD"],
        "amount": [3_496_777.0, 7_950_000.0, 500_000.0, 250_000.0],
        "partners": [8, 18, 18, 8], "donor_name": ["Global Affairs Canada", "Norad", "Norad", "Global Affairs Canada"],
    })
    fig = funding_bars(summary, title="Funding", note=NOTE)
    # (currency, axis, bars smallest first, x in millions, labels, n partners)
    assert [(b.name, b.xaxis, list(b.y), list(b.x), list(b.text), [c[2] for c in b.customdata]) for b in fig.data] == [
        ("CAD", "x", ["Global Affairs Canada (CAD)"], [3.496777], ["CAD 3.50m"], [8]),
        ("EUR", "x2", ["Norad (EUR)"], [7.95], ["EUR 7.95m"], [18]),
        ("USD", "x3", ["Global Affairs Canada (USD)", "Norad (USD)"], [0.25, 0.5], ["USD 0.25m", "USD 0.50m"], [8, 18]),
    ]
    assert [fig.layout[f"xaxis{n}"].title.text for n in ("", "2", "3")] == [
        "Committed, CAD (millions)", "Committed, EUR (millions)", "Committed, USD (millions)"]
    assert [list(b.marker.color) for b in fig.data] == [[SERIES_COLOURS[0]], [SERIES_COLOURS[1]], [SERIES_COLOURS[0], SERIES_COLOURS[1]]]
    assert all("n = %{customdata[2]}" in b.hovertemplate for b in fig.data)
    assert fig.layout.annotations[-1].text.endswith("<br>Public totals per agreement, not split by partner.<br>One axis per currency, never converted or added.")


def test_agreement_timeline_bars_from_start_to_end():
    agreements = pd.DataFrame({
        "donor": ["CAN", "NOR"], "donor_name": ["Global Affairs Canada", "Norad"], "phase": ["1", "2"],
        "amount": [3_496_777.0, 2_950_000.0], "currency": ["CAD", "EUR"],
        "signed_on": [date(2021, 3, 9), date(2019, 11, 29)], "start": [date(2021, 3, 9), date(2019, 11, 29)],
        "end": [date(2024, 3, 31), None], "period": ["2021-03-09 – 2024-03-31", "2019-11-29 – …"], "partners": [8, 7],
    })
    fig = agreement_timeline(agreements, title="Agreements", note=NOTE)
    assert [(t.name, list(t.y), list(t.base), list(t.x), t.marker.color) for t in fig.data] == [
        ("Global Affairs Canada", ["Global Affairs Canada — phase 1"], ["2021-03-09"],
         [((date(2024, 3, 31) - date(2021, 3, 9)).days + 1) * DAY_MS], SERIES_COLOURS[0]),
        ("Norad", ["Norad — phase 2"], ["2019-11-29"], [DAY_MS], SERIES_COLOURS[1]),  # no end: one day
    ]
    assert fig.layout.xaxis.type == "date"
    assert [c[4] for c in fig.data[0].customdata] == [8]


def test_activity_bars_counts_with_participants_in_the_hover():
    counts = pd.DataFrame({"region_name": ["Americas and the Caribbean", "Europe"], "activities": [12, 5],
                           "participants": [10123, 1010]})
    fig = activity_bars(counts, label="region_name", title="Activities", note=NOTE, hover_note="Counted in each.")
    bar = fig.data[0]
    assert list(bar.y) == ["Europe", "Americas and the Caribbean"]  # first row on top
    assert list(bar.x) == [5, 12]
    assert list(bar.customdata) == [1010, 10123]
    assert "participants<br>Counted in each." in bar.hovertemplate
    assert bar.marker.color == SERIES_COLOURS[0]
    assert fig.layout.xaxis.title.text == "Activities (count)"


def test_funded_partners_bars_stack_donors_per_region():
    frame = pd.DataFrame({
        "region": ["AME", "AME", "ESA"], "region_name": ["Americas and the Caribbean", "Americas and the Caribbean", "East and Southern Africa"],
        "donor": ["CAN", "NOR", "NOR"], "donor_name": ["Global Affairs Canada", "Norad", "Norad"], "partners": [8, 1, 4],
    })
    fig = funded_partners_bars(frame, title="Funded", note=NOTE)
    assert fig.layout.barmode == "stack"
    assert [(t.name, list(t.y), list(t.x), t.marker.color) for t in fig.data] == [
        ("Global Affairs Canada", ["East and Southern Africa", "Americas and the Caribbean"], [0, 8], SERIES_COLOURS[0]),
        ("Norad", ["East and Southern Africa", "Americas and the Caribbean"], [4, 1], SERIES_COLOURS[1]),
    ]
    assert fig.layout.xaxis.title.text == "Partner administrations funded (count)"


def test_region_status_mix_uses_the_status_colours():
    counts = {"qualitative": 1, "achieved": 2, "on track": 2, "at risk": 0, "off track": 0, "no baseline": 0, "no data": 2,
              "in progress": 1, "not due": 0, "no target": 3}  # every status, in DESIGN.md's order
    regions = pd.DataFrame({"region_name": ["Europe"], **{"n_" + s.replace(" ", "_"): [c] for s, c in counts.items()}})
    fig = region_status_mix(regions, title="Status", note=NOTE)
    assert [(t.name, list(t.x), t.marker.color) for t in fig.data] == [
        (s, [c], STATUS_COLOURS[s]) for s, c in counts.items()
    ]
    assert fig.layout.height == 380


@pytest.mark.parametrize("builder, frame", [
    (lambda f: funding_bars(f, title="t", note=NOTE), pd.DataFrame(columns=["donor", "currency", "amount", "partners", "donor_name"])),
    (lambda f: agreement_timeline(f, title="t", note=NOTE), pd.DataFrame(columns=["donor", "start"])),
    (lambda f: activity_bars(f, label="region_name", title="t", note=NOTE), pd.DataFrame({"region_name": [], "activities": [], "participants": []})),
    (lambda f: funded_partners_bars(f, title="t", note=NOTE), pd.DataFrame(columns=["region_name", "donor"])),
    (lambda f: region_status_mix(f, title="t", note=NOTE), pd.DataFrame(columns=["region_name"])),
], ids=["funding", "agreements", "activities", "funded-partners", "status-mix"])
def test_empty_frames_give_empty_figures(builder, frame):
    fig = builder(frame)
    assert len(fig.data) == 0
    assert fig.layout.title.text == "t"


# --- the catalogue ---------------------------------------------------------------------


def test_chart_names_are_unique_across_modules():
    names = [name for module in catalog.MODULES for name in module.CHARTS]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_regions_donors_partner_charts_are_in_the_catalogue():
    assert list(breakdowns.CHARTS) == ["funding-by-donor", "agreements-timeline", "activities-by-region",
                                       "funded-partners-by-region", "status-by-region"]
    assert list(maps.CHARTS) == ["partner-map", "region-map"]
    assert list(partner.CHARTS) == ["partner-progress", "partner-activities"]
    assert {**breakdowns.CHARTS, **maps.CHARTS, **partner.CHARTS}.items() <= catalog.all_charts().items()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('breakdowns') / 'demo.db'}")
    init_database(engine)
    assert load_demo(engine).status == "committed"
    snap = load_snapshot(engine)
    engine.dispose()
    return snap


FILTERS = {
    "none": Filters(),
    "americas-2021-2024": Filters.from_values(regions=["AME"], period_from="2021", period_to="2024"),
    "donor-canada": Filters.from_values(donors=["CAN"]),
    "one-partner": Filters.from_values(partners=["GTM"]),
    "key-factor-10": Filters.from_values(key_factors=["10"]),
    "nobody": Filters.from_values(regions=["AME"], donors=["NOR"]),
    "nothing-in-period": Filters.from_values(period_from="2030"),
}
OURS = {**breakdowns.CHARTS, **maps.CHARTS, **partner.CHARTS}


@pytest.mark.parametrize("filters", list(FILTERS.values()), ids=list(FILTERS))
def test_named_charts_render_under_any_filter(demo, filters):
    v = view(demo, filters, LOCAL_ADMIN)
    prog = progress_table(v)
    for name, build in OURS.items():
        fig = build(v, prog)
        assert fig.layout.title.text, name
        assert fig.layout.annotations[-1].text.startswith("Data as of "), name
        assert "cdn" not in fig.to_json().lower(), name


def test_named_charts_on_an_empty_selection_say_so(demo):
    v = view(demo, FILTERS["nobody"], LOCAL_ADMIN)
    prog = progress_table(v)
    assert {name for name, build in OURS.items() if len(build(v, prog).data) == 0} == set(OURS)


def test_named_charts_with_no_filter(demo):
    v = view(demo, Filters(), LOCAL_ADMIN)
    prog = progress_table(v)
    built = {name: build(v, prog) for name, build in OURS.items()}
    assert [list(t.y) for t in built["funding-by-donor"].data] == [["Global Affairs Canada (CAD)"], ["Norad (EUR)"]]
    assert list(built["activities-by-region"].data[0].x) == [23, 18, 16, 5, 20, 12]  # WCA … AME, bottom to top
    assert [t.name for t in built["funded-partners-by-region"].data] == ["Global Affairs Canada", "Norad"]
    assert [list(t.y) for t in built["agreements-timeline"].data] == [["Global Affairs Canada — phase 1"],
                                                                     ["Norad — phase 1", "Norad — phase 2"]]
    assert built["partner-progress"].layout.title.text == "Afghanistan Customs Department: progress by indicator"
    assert built["partner-activities"].layout.title.text == "Afghanistan Customs Department: activities"

"""Reporting completeness (DESIGN.md, "Progress rules"): due = a target and the period ended
by "as of"; missing = no actual. Reshaping and charts on small hand-made frames."""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from dashboard.charts.common import SERIES_COLOURS, STATUS_COLOURS
from dashboard.charts.reporting import completeness_by_period_chart, completeness_heatmap
from models.queries.filters import Filters
from models.queries.reporting import (
    completeness_by_partner_period,
    completeness_by_period,
    latest_period_missing,
    missing_reports,
)
from models.queries.snapshot import Snapshot
from models.tables import PROGRAMME_PARTNER_CODE

NAN = math.nan
NOTE = "Data as of 2025-12-31."


def year(y):
    return date(y, 1, 1), date(y, 12, 31)


def val(partner, indicator, period, target=NAN, actual=NAN, *, target_text=None, actual_text=None):
    return dict(indicator=indicator, partner=partner, period_start=period[0], period_end=period[1], dimension="",
                dimension_value="", target=target, actual=actual, target_text=target_text, actual_text=actual_text)


def snapshot(values, filters=Filters()) -> Snapshot:
    empty = pd.DataFrame()
    return Snapshot(
        regions=empty, key_factors=empty, donors=empty,
        partners=pd.DataFrame({"code": ["GTM", "HND"], "name": ["Guatemala", "Honduras"]}),
        agreements=empty, funding=empty, framework=empty,
        indicators=pd.DataFrame({"code": ["IND1", "IND2", "IND8"], "name": ["Officers trained", "Cases", "Plan adopted"]}),
        activities=empty, activity_partners=empty, activity_key_factors=empty,
        values=pd.DataFrame(values, columns=list(val("", "", year(2000)))), baselines=empty, filters=filters,
    )


VALUES = [
    val("GTM", "IND1", year(2024), 10, 9),
    val("GTM", "IND2", year(2024), 5),  # missing
    val("GTM", "IND1", year(2025), 12),  # missing
    val("GTM", "IND8", year(2025), target_text="Adopted", actual_text="Draft"),  # qualitative, reported
    val("HND", "IND1", year(2025), 8, 8),
    val("HND", "IND2", year(2025), actual=3),  # no target: not due
    val("HND", "IND8", year(2025), target_text="Adopted"),  # qualitative, missing
    val(PROGRAMME_PARTNER_CODE, "IND1", year(2025), 100),  # programme level: not a partner's report
    val("GTM", "IND1", (date(2026, 1, 1), date(2026, 3, 31)), 3),  # ends after as of (the filter's end): not due
]


def rows(frame, columns):
    return list(frame[columns].itertuples(index=False, name=None))


# --- reshaping --------------------------------------------------------------------------------

def test_completeness_by_partner_and_period():
    v = snapshot(VALUES, Filters(period_to="2025"))
    assert v.as_of == date(2025, 12, 31)
    assert rows(completeness_by_partner_period(v), ["partner", "partner_name", "period", "due", "reported", "missing", "share"]) == [
        ("GTM", "Guatemala", "2024", 2, 1, 1, 0.5),
        ("GTM", "Guatemala", "2025", 2, 1, 1, 0.5),
        ("HND", "Honduras", "2025", 2, 1, 1, 0.5),
    ]


def test_completeness_by_period():
    v = snapshot(VALUES, Filters(period_to="2025"))
    assert rows(completeness_by_period(v), ["period", "due", "reported", "missing", "share", "partners"]) == [
        ("2024", 2, 1, 1, 0.5, 1),
        ("2025", 4, 2, 2, 0.5, 2),
    ]


def test_as_of_defaults_to_the_latest_period_end_in_the_data():
    v = snapshot(VALUES)
    assert v.as_of == date(2026, 3, 31)
    assert rows(completeness_by_period(v), ["period", "due", "missing"]) == [("2024", 2, 1), ("2025", 4, 2), ("2026-Q1", 1, 1)]


def test_missing_reports_lists_partner_indicator_period():
    v = snapshot(VALUES, Filters(period_to="2025"))
    assert rows(missing_reports(v), ["partner", "partner_name", "indicator", "indicator_name", "period"]) == [
        ("GTM", "Guatemala", "IND1", "Officers trained", "2025"),
        ("GTM", "Guatemala", "IND2", "Cases", "2024"),
        ("HND", "Honduras", "IND8", "Plan adopted", "2025"),
    ]


@pytest.mark.parametrize(
    "period_to, expected",
    [
        ("2025", [("GTM", "2025", 2, 1, ["IND1"]), ("HND", "2025", 2, 1, ["IND8"])]),
        ("2024", [("GTM", "2024", 2, 1, ["IND2"])]),
        ("2026-Q1", [("GTM", "2026-Q1", 1, 1, ["IND1"])]),
    ],
)
def test_latest_period_missing(period_to, expected):
    v = snapshot(VALUES, Filters(period_to=period_to))
    assert rows(latest_period_missing(v), ["partner", "period", "due", "missing", "indicators"]) == expected


def test_latest_period_all_reported_and_nothing_due():
    all_in = snapshot([val("GTM", "IND1", year(2024), 10, 9), val("GTM", "IND1", year(2025), 10, 11)])
    assert latest_period_missing(all_in).empty
    assert rows(completeness_by_period(all_in), ["period", "due", "missing"]) == [("2024", 1, 0), ("2025", 1, 0)]
    nothing = snapshot([val("GTM", "IND1", year(2025), actual=3)])
    for frame in (completeness_by_partner_period(nothing), completeness_by_period(nothing), missing_reports(nothing),
                  latest_period_missing(nothing)):
        assert frame.empty


# --- charts -----------------------------------------------------------------------------------

def test_completeness_heatmap():
    cells = completeness_by_partner_period(snapshot(VALUES + [val("HND", "IND1", year(2024), 8, 7)], Filters(period_to="2025")))
    fig = completeness_heatmap(cells, note=NOTE)
    hm = fig.data[0]
    assert (list(hm.x), list(hm.y)) == (["2024", "2025"], ["Guatemala", "Honduras"])
    assert [list(r) for r in hm.z] == [[50.0, 50.0], [100.0, 50.0]]
    assert [list(r) for r in hm.text] == [["1/2", "1/2"], ["1/1", "1/2"]]
    assert [[list(c) for c in r] for r in hm.customdata] == [[[2, 1, 1], [2, 1, 1]], [[1, 1, 0], [2, 1, 1]]]
    assert (hm.zmin, hm.zmax) == (0, 100)
    assert fig.layout.title.text == "Reports received, % of due, by partner and period"


def test_completeness_heatmap_leaves_periods_with_nothing_due_blank():
    cells = completeness_by_partner_period(snapshot(VALUES, Filters(period_to="2025")))
    hm = completeness_heatmap(cells, note=NOTE).data[0]
    assert [list(r) for r in hm.z] == [[50.0, 50.0], [None, 50.0]]
    assert [list(r) for r in hm.text] == [["1/2", "1/2"], ["", "1/2"]]


def test_completeness_by_period_chart():
    fig = completeness_by_period_chart(completeness_by_period(snapshot(VALUES, Filters(period_to="2025"))), note=NOTE)
    assert [t.name for t in fig.data] == ["reported", "missing"]
    assert [list(t.x) for t in fig.data] == [["2024", "2025"], ["2024", "2025"]]
    assert [list(t.y) for t in fig.data] == [[1, 2], [1, 2]]
    assert [t.marker.color for t in fig.data] == [SERIES_COLOURS[0], STATUS_COLOURS["off track"]]
    assert [list(c) for c in fig.data[0].customdata] == [[50.0, 2, 1], [50.0, 4, 2]]
    assert fig.layout.barmode == "stack"


@pytest.mark.parametrize("build", [completeness_heatmap, completeness_by_period_chart])
def test_nothing_due_gives_an_empty_figure(build):
    fig = build(pd.DataFrame(), note=NOTE)
    assert len(fig.data) == 0
    assert [a.text for a in fig.layout.annotations] == ["No report is due in this selection", NOTE]

"""Reporting completeness (DESIGN.md, "Reporting completeness"): due = each frequency period
inside a target period, once its end + 30 days is before "as of"; received = an actual
covers part of it. Reshaping and charts on small hand-made frames."""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from dashboard.charts.common import SERIES_COLOURS, STATUS_COLOURS
from dashboard.charts.reporting import completeness_by_period_chart, completeness_heatmap
from models.queries.filters import Filters
from models import reference
from models.queries.reporting import (
    missing_records,
    overdue_by_partner,
    overdue_reports,
    reporting_by_partner_period,
    reporting_rate_by_period,
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
    val(PROGRAMME_PARTNER_CODE, "IND1", year(2025), 100),  # programme level: its report counts too
    val("GTM", "IND1", (date(2026, 1, 1), date(2026, 3, 31)), 3),  # no annual period inside a quarter: nothing due
]


def rows(frame, columns):
    return list(frame[columns].itertuples(index=False, name=None))


# --- reshaping --------------------------------------------------------------------------------
# "As of" 2026-03-31 (--to 2026-Q1): the annual reports of 2024 and 2025 are due (period end + 30 days is
# before it: 2025-01-30, 2026-01-30); the programme level owes its report too; HND's IND2 has no target (not due);
# GTM's 2026-Q1 target holds no whole annual period (nothing due).
Q1 = Filters(period_to="2026-Q1")
PROGRAMME = reference.PROGRAMME_PARTNER_NAME


def test_reporting_by_partner_and_period():
    v = snapshot(VALUES, Q1)
    assert v.as_of == date(2026, 3, 31)
    assert rows(reporting_by_partner_period(v), ["partner", "partner_name", "period", "due", "received", "missing", "rate"]) == [
        ("", PROGRAMME, "2025", 1, 0, 1, 0.0),
        ("GTM", "Guatemala", "2024", 2, 1, 1, 0.5),  # IND1 received, IND2 missing
        ("GTM", "Guatemala", "2025", 2, 1, 1, 0.5),  # IND8 (a text answer) received, IND1 missing
        ("HND", "Honduras", "2025", 2, 1, 1, 0.5),  # IND1 received, IND8 missing
    ]


def test_reporting_rate_per_period():
    v = snapshot(VALUES, Q1)
    assert rows(reporting_rate_by_period(v), ["period", "due", "received", "missing", "rate", "partners"]) == [
        ("2024", 2, 1, 1, 0.5, 1),
        ("2025", 5, 2, 3, 0.4, 3),  # 2 of 5: GTM 1 of 2, HND 1 of 2, the programme 0 of 1
    ]


def test_grace_days_keep_a_period_just_ended_off_the_list():
    """As of 2025-12-31 the 2025 reports are not due before 2026-01-30: only 2024 counts."""
    v = snapshot(VALUES, Filters(period_to="2025"))
    assert rows(reporting_rate_by_period(v), ["period", "due", "received"]) == [("2024", 2, 1)]
    assert rows(overdue_reports(v), ["partner", "indicator", "period", "due_on"]) == [
        ("GTM", "IND2", "2024", date(2025, 1, 30))]


def test_as_of_defaults_to_today_never_to_the_data(monkeypatch):
    monkeypatch.setenv("RESULTSBOARD_TODAY", "2025-06-30")
    v = snapshot(VALUES)  # the data reach 2026-03-31; "as of" does not follow them
    assert v.as_of == date(2025, 6, 30)
    assert rows(reporting_rate_by_period(v), ["period", "due", "missing"]) == [("2024", 2, 1)]


def test_overdue_reports_by_partner_oldest_first():
    v = snapshot(VALUES, Q1)
    assert rows(overdue_reports(v), ["partner", "partner_name", "indicator", "indicator_name", "period", "due_on"]) == [
        ("", PROGRAMME, "IND1", "Officers trained", "2025", date(2026, 1, 30)),
        ("GTM", "Guatemala", "IND2", "Cases", "2024", date(2025, 1, 30)),
        ("GTM", "Guatemala", "IND1", "Officers trained", "2025", date(2026, 1, 30)),
        ("HND", "Honduras", "IND8", "Plan adopted", "2025", date(2026, 1, 30)),
    ]
    assert rows(overdue_by_partner(v), ["partner", "overdue", "oldest", "oldest_due_on", "indicators"]) == [
        ("GTM", 2, "2024", date(2025, 1, 30), ["IND1", "IND2"]),  # owes the oldest report
        ("", 1, "2025", date(2026, 1, 30), ["IND1"]),
        ("HND", 1, "2025", date(2026, 1, 30), ["IND8"]),
    ]
    assert missing_records(v)[1] == {"partner": "GTM", "indicator": "IND2", "period_start": "2024-01-01",
                                     "period_end": "2024-12-31", "due_on": "2025-01-30"}


def test_an_early_upload_hides_no_missing_report():
    early = val("HND", "IND1", (date(2026, 1, 1), date(2026, 3, 31)), 3, 3)
    before, after = snapshot(VALUES, Q1), snapshot(VALUES + [early], Q1)
    assert rows(overdue_reports(after), ["partner", "indicator", "period"]) == rows(overdue_reports(before), ["partner", "indicator", "period"])


def test_inactive_partners_owe_nothing():
    v = snapshot(VALUES, Q1)
    v.partners = v.partners.assign(status=["active", "inactive"])
    assert set(overdue_reports(v)["partner"]) == {"", "GTM"}


def test_all_reported_and_nothing_due():
    all_in = snapshot([val("GTM", "IND1", year(2024), 10, 9), val("GTM", "IND1", year(2025), 10, 11)], Q1)
    assert overdue_reports(all_in).empty
    assert rows(reporting_rate_by_period(all_in), ["period", "due", "missing"]) == [("2024", 1, 0), ("2025", 1, 0)]
    nothing = snapshot([val("GTM", "IND1", year(2025), actual=3)], Q1)
    for frame in (reporting_by_partner_period(nothing), reporting_rate_by_period(nothing), overdue_reports(nothing),
                  overdue_by_partner(nothing)):
        assert frame.empty


# --- charts -----------------------------------------------------------------------------------

def test_completeness_heatmap():
    cells = reporting_by_partner_period(snapshot(VALUES + [val("HND", "IND1", year(2024), 8, 7)], Q1))
    fig = completeness_heatmap(cells, note=NOTE)
    hm = fig.data[0]
    assert (list(hm.x), list(hm.y)) == (["2024", "2025"], ["Guatemala", "Honduras", PROGRAMME])
    assert [list(r) for r in hm.z] == [[50.0, 50.0], [100.0, 50.0], [None, 0.0]]
    assert [list(r) for r in hm.text] == [["1/2", "1/2"], ["1/1", "1/2"], ["", "0/1"]]
    assert [[list(c) for c in r] for r in hm.customdata] == [[[2, 1, 1], [2, 1, 1]], [[1, 1, 0], [2, 1, 1]],
                                                              [[0, 0, 0], [1, 0, 1]]]
    assert (hm.zmin, hm.zmax) == (0, 100)
    assert fig.layout.title.text == "Reports received, % of due, by partner and period"


def test_completeness_heatmap_leaves_periods_with_nothing_due_blank():
    cells = reporting_by_partner_period(snapshot(VALUES, Q1))
    hm = completeness_heatmap(cells, note=NOTE).data[0]
    assert [list(r) for r in hm.z] == [[50.0, 50.0], [None, 50.0], [None, 0.0]]
    assert [list(r) for r in hm.text] == [["1/2", "1/2"], ["", "1/2"], ["", "0/1"]]


def test_completeness_by_period_chart():
    fig = completeness_by_period_chart(reporting_rate_by_period(snapshot(VALUES, Q1)), note=NOTE)
    assert [t.name for t in fig.data] == ["received", "overdue"]
    assert [list(t.x) for t in fig.data] == [["2024", "2025"], ["2024", "2025"]]
    assert [list(t.y) for t in fig.data] == [[1, 2], [1, 3]]
    assert [t.marker.color for t in fig.data] == [SERIES_COLOURS[0], STATUS_COLOURS["off track"]]
    assert [list(c) for c in fig.data[0].customdata] == [[50.0, 2, 1], [40.0, 5, 3]]
    assert fig.layout.barmode == "stack"


@pytest.mark.parametrize("build", [completeness_heatmap, completeness_by_period_chart])
def test_nothing_due_gives_an_empty_figure(build):
    fig = build(pd.DataFrame(), note=NOTE)
    assert len(fig.data) == 0
    assert [a.text for a in fig.layout.annotations] == ["No report is due in this selection", NOTE]

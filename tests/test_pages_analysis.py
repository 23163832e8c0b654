"""The analysis pages (indicators, key factors, activities, reporting) with AppTest on the demo
programme, and every named chart of their modules under any filter (journeys 4, 6 and 7)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.charts import activities, indicators, key_factors, reporting
from models.access import LOCAL_ADMIN
from models.db import make_engine
from models.exporting import to_csv_bytes
from models.queries.filters import Filters
from models.queries.reporting import overdue_reports
from models.queries.rollups import progress_table
from models.queries.snapshot import load_snapshot, view
from test_pages_programme import AS_OF, pinned_today  # noqa: F401  (autouse: "as of" pinned for the module)

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


@pytest.fixture(scope="module")
def demo(demo_url):
    """The demo snapshot, read directly (for expectations computed outside the pages)."""
    engine = make_engine(demo_url)
    yield load_snapshot(engine)
    engine.dispose()


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(params)
    at.run()  # the router binds the filters from the link
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def titles(at) -> list[str]:
    return [c["layout"]["title"]["text"] for c in charts(at)]


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


# --- indicators ----------------------------------------------------------------------------------

def test_indicators_page_first_indicator(demo_url):
    at = open_page("views/indicators.py")
    assert at.selectbox(key="ind_indicator").value == "IND01"
    assert titles(at) == ["IND01 · Customs Integrity Perception Survey score: perceived integrity:<br>actual against target"]
    names = [t["name"] for t in charts(at)[0]["data"]]
    # survey actuals of partners without a target for their round read "no target" (they were "no data")
    assert names == ["actual: achieved", "actual: on track", "actual: at risk", "actual: off track", "actual: no target", "target",
                     "baseline"]
    table = at.dataframe[0].value
    assert len(table) == 26
    assert list(table.columns) == ["partner_name", "status", "progress", "actual", "target", "baseline", "baseline_year", "period",
                                   "note"]
    assert at.query_params["indicator"] == "IND01"


@pytest.mark.parametrize(
    "code, n_charts, n_rows, first_columns",
    [
        ("IND03", 1, 8, ["partner_name", "status", "progress"]),
        ("IND08", 0, 26, ["partner_name", "period", "text", "target_text"]),  # qualitative: texts, no chart
        ("IND10", 1, 1, ["partner_name", "status", "progress"]),  # programme level only
    ],
)
def test_indicators_page_other_indicators(demo_url, code, n_charts, n_rows, first_columns):
    at = open_page("views/indicators.py")
    at.selectbox(key="ind_indicator").set_value(code).run()
    assert not at.exception
    assert len(charts(at)) == n_charts
    table = at.dataframe[0].value
    assert (len(table), list(table.columns)[:len(first_columns)]) == (n_rows, first_columns)
    assert at.query_params["indicator"] == code


def test_indicators_page_opens_the_indicator_in_the_link(demo_url):
    at = open_page("views/indicators.py", indicator="ind03")
    assert at.selectbox(key="ind_indicator").value == "IND03"
    assert len(at.dataframe[0].value) == 8


def test_indicators_page_with_no_indicator_selected(demo_url):
    at = open_page("views/indicators.py", key_factor="2")  # no indicator on key factor 2
    assert [i.value for i in at.main.info] == ["No indicator in this selection (check the key factor filter)."]
    assert len(charts(at)) == 0


# --- key factors ----------------------------------------------------------------------------------

def test_key_factors_page(demo_url):
    at = open_page("views/key_factors.py")
    assert titles(at) == [
        "Progress by Arusha key factor",
        "Mean progress by partner and Arusha key factor",
        "Activities by Arusha key factor",
        "IND01 · Customs Integrity Perception Survey score: perceived integrity:<br>first round against latest round",
        "Survey scores by Arusha key factor: first round against latest round",
    ]
    heatmap = charts(at)[1]["data"][0]
    # administrations with a scored pair: AFG (inactive) and ECU (every 2025 report missing) have none now
    assert (len(heatmap["y"]), len(heatmap["x"])) == (24, 8)
    activities_bar = charts(at)[2]["data"][0]
    assert len(activities_bar["y"]) == 10
    assert at.selectbox(key="kf_survey_indicator").options == [
        "IND01 — Customs Integrity Perception Survey score: perceived integrity",
        "IND02 — Customs Integrity Perception Survey score: transparency",
    ]
    assert len(at.dataframe[0].value) == 52  # 26 administrations × 2 respondent groups
    at.selectbox(key="kf_survey_indicator").set_value("IND02").run()
    assert not at.exception
    assert titles(at)[3].startswith("IND02 · ")


def test_key_factors_page_filtered_to_one_key_factor_without_survey(demo_url):
    at = open_page("views/key_factors.py", key_factor="5")
    assert len(charts(at)) == 3
    assert [i.value for i in at.main.info] == ["No survey (ordinal) indicator in this selection."]
    assert len(charts(at)[2]["data"][0]["y"]) == 1  # activities: key factor 5 only


# --- activities -----------------------------------------------------------------------------------

def test_activities_page(demo_url):
    at = open_page("views/activities.py")
    assert titles(at) == [
        "Activity timeline by type", "Activities by delivery mode", "Activities by donor and delivery mode",
        "Participants per year by activity type",
    ]
    assert metrics(at) == {"Activities": "39", "Participants": "24,281", "Completed": "35", "Planned or ongoing": "3"}
    table = at.dataframe[0].value
    assert len(table) == 39
    assert list(table.columns) == ["code", "title", "type", "mode", "status", "start", "end", "partners", "donor",
                                   "participants", "key_factors"]
    timeline = charts(at)[0]
    assert sum(len(t["y"]) for t in timeline["data"]) == 39


def test_activities_page_filtered(demo_url):
    at = open_page("views/activities.py", region="AME", **{"from": "2021", "to": "2024"})
    assert metrics(at)["Activities"] == "12"
    assert len(at.dataframe[0].value) == 12


# --- reporting -------------------------------------------------------------------------------------

def test_reporting_page_default_as_of(demo_url):
    at = open_page("views/reporting.py")
    # due: each annual report inside a target period, 30 days after the year ends; AFG is inactive and owes nothing
    # quarterly indicators owe a report per quarter inside their annual targets
    assert metrics(at) == {"As of": AS_OF, "Reports due": "1221", "Overdue": "78", "Reporting rate": "94%"}
    rates, by_partner, overdue = (d.value for d in at.dataframe)
    assert list(rates[["period", "due", "received", "missing"]].itertuples(index=False, name=None))[-5:] == [
        ("2025-Q1", 35, 25, 10), ("2025-Q2", 35, 25, 10), ("2025-Q3", 35, 25, 10), ("2025-Q4", 35, 21, 14),
        ("2025", 65, 49, 16)]  # a year after its last quarter
    assert len(rates) == 35  # 2019–2025: a year and its four quarters each
    # by administration, the one owing the oldest report first; 2025's late reporters are no longer hidden
    assert list(by_partner["partner"]) == ["NPL", "LBR", "TUN", "MWI", "LBN", "GTM", "HND", "MOZ", "BFA", "ECU", "ETH", "GUY",
                                           "MLI", "SLV", "TZA", "", "CIV", "GHA", "NER", "PSE", "UKR"]
    assert list(by_partner.loc[by_partner["partner"] == "TZA", "indicators"].iloc[0]) == ["IND05", "IND06", "IND08", "IND09"]
    assert len(overdue) == 78
    assert titles(at) == ["Reports received, % of due, by partner and period", "Reports received and overdue per period (count)"]
    button = at.download_button(key="rep_download")
    assert button.proto.label == "Download the overdue reports (CSV)"
    assert button.proto.deferred_file_id  # built on click, not on every rerun
    assert any(f"As of {AS_OF}" in m.value for m in at.markdown)


def test_reporting_lists_a_part_of_the_overdue_reports_at_a_time(demo, demo_url, monkeypatch):
    """Beyond tables.OVERDUE_ROWS_SHOWN the browser gets one part of the list at a time; every report is a choice away."""
    from dashboard import tables

    monkeypatch.setattr(tables, "OVERDUE_ROWS_SHOWN", 50)
    at = open_page("views/reporting.py")
    assert at.selectbox(key="rep_overdue_part").options == ["1–50 of 78", "51–78 of 78"]
    first = at.dataframe[2].value
    at.selectbox(key="rep_overdue_part").set_value(1).run()
    assert not at.exception, [e.value for e in at.exception]
    both = [list(part[["partner", "indicator", "period"]].itertuples(index=False, name=None)) for part in (first, at.dataframe[2].value)]
    every = overdue_reports(view(demo, Filters(), LOCAL_ADMIN))
    assert both == [list(every[["partner", "indicator", "period"]].iloc[a:b].itertuples(index=False, name=None))
                    for a, b in ((0, 50), (50, 78))]


def test_reporting_as_of_is_today_not_the_data(demo_url, monkeypatch):
    """One upload for a later period never moves "as of": without a period filter it is today."""
    monkeypatch.delenv("RESULTSBOARD_TODAY")
    at = open_page("views/reporting.py")
    assert metrics(at)["As of"] == datetime.now(timezone.utc).date().isoformat()


def test_reporting_as_of_follows_the_period_filter(demo_url):
    at = open_page("views/reporting.py", to="2023")
    # as of 2023-12-31 the 2023 annual and fourth-quarter reports are not due yet (2024-01-30)
    assert metrics(at) == {"As of": "2023-12-31", "Reports due": "682", "Overdue": "16", "Reporting rate": "98%"}
    by_partner = at.dataframe[1].value
    assert list(by_partner["partner"]) == ["NPL", "LBR", "TUN", "MWI", "LBN", "GTM"]  # MWI owes a 2021 quarter, due first


def test_overdue_reports_csv(demo):
    v = view(demo, Filters(), LOCAL_ADMIN)
    text = to_csv_bytes(overdue_reports(v)).decode("utf-8-sig").splitlines()
    assert text[0] == "partner,partner_name,indicator,indicator_name,period,period_start,period_end,due_on"
    assert len(text) == 79
    # the programme level (no partner code) first, then by partner, each oldest first
    assert text[1] == (",Programme level (all partners),IND10,Integrity e-learning module completions,"
                       "2025-Q4,2025-10-01,2025-12-31,2026-01-30")


# --- the named charts ------------------------------------------------------------------------------

NAMED = {**indicators.CHARTS, **key_factors.CHARTS, **activities.CHARTS, **reporting.CHARTS}
FILTERS = {
    "none": Filters(),
    "americas-2021-2024": Filters.from_values(regions=["AME"], period_from="2021", period_to="2024"),
    "key-factor-2": Filters.from_values(key_factors=["2"]),
    "one-partner-one-factor": Filters.from_values(partners=["AFG"], key_factors=["4"]),
    "donor-canada": Filters.from_values(donors=["CAN"]),
    "europe-2025": Filters.from_values(regions=["EUR"], period_from="2025"),
    "nothing-in-period": Filters.from_values(period_from="2026"),
    "up-to-2019": Filters.from_values(period_to="2019"),
}


def test_chart_names():
    assert list(NAMED) == [
        "indicator-targets", "progress-by-key-factor", "key-factor-heatmap", "activities-by-key-factor", "survey-waves",
        "survey-by-key-factor", "activity-timeline", "activities-by-mode", "activities-by-donor", "activity-participants",
        "reporting-completeness", "reporting-by-period",
    ]


@pytest.mark.parametrize("filters", list(FILTERS.values()), ids=list(FILTERS))
def test_named_charts_render_under_any_filter(demo, filters):
    v = view(demo, filters, LOCAL_ADMIN)
    prog = progress_table(v)
    for name, build in NAMED.items():
        fig = build(v, prog)
        assert fig.layout.title.text, name
        assert fig.layout.annotations[-1].text.startswith("Data as of "), name
        fig.to_json()


def test_named_charts_on_an_empty_selection_say_so(demo):
    v = view(demo, FILTERS["nothing-in-period"], LOCAL_ADMIN)
    prog = progress_table(v)
    empty = {name for name, build in NAMED.items() if len(build(v, prog).data) == 0}
    assert empty == set(NAMED)

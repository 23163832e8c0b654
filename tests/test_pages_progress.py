"""What the pages say about each figure (DESIGN.md, "Progress rules"), with AppTest on the small
programme of test_cli_progress (imported through the import engine): the period each figure
is for (2025, 2025-Q3, 2021–2025 for a running total), "so far: X of Y" and no status for a
target period under way, the last figure beside `no data`, "reports: n of m quarters
reported", and the Reporting page's "as of", rate per period and overdue reports."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import app_database
from helpers import committed
from models.db import init_database, make_engine
from models.scoring.periods import TODAY_ENV_VAR
from test_cli_progress import DONORS, FUNDING, INDICATORS, LATER, PARTNERS, RESULTS

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


@pytest.fixture(scope="module")
def small_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "small.db"
    engine = make_engine(f"sqlite:///{path}")
    init_database(engine)
    committed(engine, ("donors.csv", DONORS), ("partners.csv", PARTNERS), ("funding.csv", FUNDING),
              ("indicators.csv", INDICATORS), ("results.csv", RESULTS))
    committed(engine, ("later.csv", LATER))
    engine.dispose()
    with app_database(f"sqlite:///{path}") as url:
        yield url


def open_page(page: str, today: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv(TODAY_ENV_VAR, today)
    st.cache_data.clear()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(params)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def indicator_rows(at) -> dict:
    table = at.dataframe[0].value
    return {label[:5]: row for label, row in zip(table["label"], table.to_dict("records"))}


def test_partner_page_names_periods_and_says_so_far(small_url, monkeypatch):
    at = open_page("views/partner.py", "2026-07-15", monkeypatch, p="HND")
    rows = indicator_rows(at)
    # IND06: the 2026 target is under way; Q1 = Sex/Women 40 + sex/men 60: so far 100 of 300, no percentage, no score
    trained = rows["IND06"]
    assert (trained["period"], trained["status"]) == ("2026", "in progress")
    assert trained["progress"] != trained["progress"]  # NaN: no percentage for a period under way
    assert trained["note"] == "so far: 100 of 300; reports: 1 of 2 quarters reported"
    # IND07: a quarterly target, scored on its quarter from 0 (12 of 13), not from the annual baseline 34
    cases = rows["IND07"]
    assert (cases["period"], cases["status"], round(cases["progress"], 4)) == ("2025-Q3", "on track", 0.9231)
    # IND04: the 2025 report is missing, and nothing was reported before
    assert (rows["IND04"]["period"], rows["IND04"]["status"], rows["IND04"]["note"]) == (
        "2025", "no data", "no figure reported yet")
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert dict(zip([y[:5] for y in bars["y"]], bars["text"]))["IND06"] == "so far: 100 of 300"
    assert [m.value for m in at.metric][:2] == ["92 %", "on track"]  # only IND07 is scored: 12 / 13


def test_partner_page_running_total_and_reports(small_url, monkeypatch):
    at = open_page("views/partner.py", "2027-01-15", monkeypatch, p="KEN")
    rows = indicator_rows(at)
    assert (rows["IND02"]["period"], rows["IND02"]["status"], rows["IND02"]["progress"]) == ("2021–2025", "achieved", 1.25)
    assert (rows["IND03"]["period"], rows["IND03"]["status"]) == ("2025", "no target")
    gtm = indicator_rows(open_page("views/partner.py", "2027-01-15", monkeypatch, p="GTM"))
    assert (gtm["IND07"]["period"], gtm["IND07"]["note"]) == ("2025", "reports: 4 of 4 quarters reported")
    assert (gtm["IND04"]["period"], gtm["IND04"]["status"]) == ("2026-Q1", "achieved")


def test_reporting_page_rate_and_overdue_by_partner(small_url, monkeypatch):
    at = open_page("views/reporting.py", "2027-01-15", monkeypatch)
    assert [m.value for m in at.metric][0] == "2027-01-15"
    assert any("As of 2027-01-15" in m.value for m in at.markdown)
    rates, by_partner, overdue = (d.value for d in at.dataframe)
    assert list(by_partner["partner"]) == ["HND", "KEN"]  # HND owes the oldest report (2025, due 2026-01-30)
    assert list(overdue[["partner", "indicator", "period"]].itertuples(index=False, name=None)) == [
        ("HND", "IND04", "2025"), ("HND", "IND06", "2026-Q2"), ("HND", "IND06", "2026-Q3"), ("KEN", "IND04", "2025")]
    quarters = rates[rates["period"].str.startswith("2026-")]
    # IND06 (HND): Q1 received, Q2 and Q3 overdue, Q4 not due before 2027-01-30
    assert list(quarters[["period", "due", "received", "rate"]].itertuples(index=False, name=None)) == [
        ("2026-Q1", 1, 1, 1.0), ("2026-Q2", 1, 0, 0.0), ("2026-Q3", 1, 0, 0.0)]


def test_partner_page_lists_disagreeing_breakdowns_as_text(tmp_path, monkeypatch):
    """Breakdowns of one actual that add up differently: a warning, and a table naming them
    (uploaded labels shown as text, never markup)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'split.db'}")
    init_database(engine)
    committed(engine, ("partners.csv", "code,name,country,region\nGTM,SAT,Guatemala,AME\n"),
              ("indicators.csv", "code,name,level,measure,ascending\nU1,Officers trained,output,unit,true\n"),
              ("results.csv", "indicator,partner,period,target,actual,dimension,dimension_value\n"
                              "U1,GTM,2025,100,,,\nU1,GTM,2025,,40,**sex**,women\nU1,GTM,2025,,60,**sex**,men\n"
                              "U1,GTM,2025,,30,age,young\nU1,GTM,2025,,30,age,old\n"))
    engine.dispose()
    with app_database(f"sqlite:///{tmp_path / 'split.db'}"):
        at = open_page("views/partner.py", "2026-06-30", monkeypatch, p="GTM")
        assert [w.value for w in at.warning] == [
            "Some figures have breakdowns that add up differently: the first dimension (alphabetically) is used."]
        assert list(at.dataframe[0].value["Breakdowns that disagree"]) == [
            "U1 GTM 2025: the actual breakdowns disagree (**sex**: 100, age: 60); **sex** is used"]

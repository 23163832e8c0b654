"""Read queries behind the regions, donors and partner profile pages, on the demo programme
(exact figures), and on selections that leave nothing."""
from __future__ import annotations

from datetime import date

import pytest

from conftest import pin_today

from models.access import LOCAL_ADMIN, Scope
from models.db import init_database, make_engine
from models.demo import load_demo
from models.queries.activities import donor_activities, partner_activities
from models.queries.filters import Filters, checked_filters
from models.queries.profiles import (
    PARTNER_INDICATOR_COLUMNS,
    partner_baselines,
    partner_indicators,
    partner_profile,
    partner_series,
)
from models.queries.rollups import progress_table
from models.queries.snapshot import load_snapshot, partner_link_problem, view
from models.queries.summaries import (
    DONOR_AGREEMENT_COLUMNS,
    PARTNER_SUMMARY_COLUMNS,
    REGION_SUMMARY_COLUMNS,
    donor_agreements,
    donor_partners,
    donor_summary,
    funded_partners_by_region,
    partner_summary,
    region_summary,
)

AME = ["ATG", "ECU", "SLV", "GTM", "GUY", "HND", "JAM", "MEX"]  # by name: Antigua…, Ecuador, El Salvador, …
AS_OF = "2026-06-30"  # "as of" for the whole module: the 2025 targets have ended, their reports are overdue


pinned_today = pin_today(AS_OF)  # "as of" defaults to today: pinned, so the figures stay put


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('queries') / 'demo.db'}")
    init_database(engine)
    assert load_demo(engine).status == "committed"
    snap = load_snapshot(engine)
    engine.dispose()
    return snap


@pytest.fixture(scope="module")
def whole(demo):
    v = view(demo, Filters(), LOCAL_ADMIN)
    return v, progress_table(v)


def test_region_summary(whole):
    v, prog = whole
    r = region_summary(v, prog)
    assert list(r[["region", "partners", "n", "status", "activities", "donors"]].itertuples(index=False, name=None)) == [
        # n counts pairs scored on their latest ended target period: a missing 2025 report is "no data"
        # now, not an older figure, and survey actuals without a target are "no target"
        ("AME", 8, 26, "on track", 12, "CAN"),
        ("ESA", 4, 9, "at risk", 20, "NOR"),
        ("EUR", 1, 3, "on track", 5, "NOR"),
        ("AP", 2, 5, "at risk", 16, "NOR"),
        ("MENA", 4, 16, "on track", 18, "NOR"),
        ("WCA", 7, 26, "at risk", 23, "NOR"),
    ]
    assert r["progress"].round(4).tolist() == [0.8371, 0.7073, 0.821, 0.7082, 0.7688, 0.7484]
    assert int(r["partners"].sum()) == 26


def test_funded_partners_by_region(whole):
    v, _ = whole
    assert list(funded_partners_by_region(v)[["region", "donor", "partners"]].itertuples(index=False, name=None)) == [
        ("AME", "CAN", 8), ("ESA", "NOR", 4), ("EUR", "NOR", 1), ("AP", "NOR", 2), ("MENA", "NOR", 4), ("WCA", "NOR", 7),
    ]


def test_partner_summary_all_and_narrowed(whole):
    v, prog = whole
    everyone = partner_summary(v, prog)
    assert len(everyone) == 26
    assert list(everyone.columns) == PARTNER_SUMMARY_COLUMNS
    assert everyone["partner"].iloc[0] == "AFG"  # by name: Afghanistan Customs Department
    assert list(partner_summary(v, prog, region="ame")["partner"]) == AME
    assert list(partner_summary(v, prog, donor="can")["partner"]) == AME
    assert len(partner_summary(v, prog, donor="NOR")) == 18
    gtm = everyone.set_index("partner").loc["GTM"]
    assert (gtm["country"], gtm["region"], gtm["donors"], gtm["donor_names"], gtm["partner_status"]) == (
        "GTM", "AME", "CAN", "Global Affairs Canada", "active")
    # IND09's 2025 report is missing: no data (no longer its 2024 figure), so n = 5
    assert (round(gtm["progress"], 4), gtm["n"], gtm["status"], gtm["activities"]) == (0.8119, 5, "on track", 11)
    assert (gtm["n_no_data"], gtm["n_qualitative"]) == (1, 1)
    assert everyone.set_index("partner").loc["AFG", "partner_status"] == "inactive"


def test_donor_summary_and_agreements(whole):
    v, prog = whole
    d = donor_summary(v, prog)
    assert list(d[["donor", "country", "partners", "agreements", "committed", "n", "activities", "participants"]]
                .itertuples(index=False, name=None)) == [
        ("CAN", "Canada", 8, 1, "CAD 3,496,777", 26, 6, 2892),
        ("NOR", "Norway", 18, 2, "EUR 7,950,000", 59, 26, 14158),
    ]
    a = donor_agreements(v, "nor")
    assert list(a.columns) == DONOR_AGREEMENT_COLUMNS
    assert list(a[["phase", "amount", "currency", "signed_on", "period", "partners"]].itertuples(index=False, name=None)) == [
        ("1", 5_000_000.0, "EUR", date(2018, 11, 16), "2019-01-01 – 2025-09-30", 11),
        ("2", 2_950_000.0, "EUR", date(2019, 11, 29), "2019-11-29 – 2025-09-30", 7),
    ]
    assert list(donor_agreements(v)["donor"]) == ["CAN", "NOR", "NOR"]


def test_donor_partners_and_activities(whole):
    v, prog = whole
    funded = donor_partners(v, prog, "NOR")
    assert len(funded) == 18
    assert funded.set_index("partner")["phases"].to_dict()["UKR"] == "2"
    assert funded.set_index("partner")["phases"].to_dict()["AFG"] == "1"
    assert list(donor_activities(v, "CAN")["code"]) == [
        "ACT-2021-04", "ACT-2021-06", "ACT-2021-08", "ACT-2022-02", "ACT-2022-04", "ACT-2023-05"]


def test_partner_profile(whole):
    v, _ = whole
    assert partner_profile(v, "GTM") == {
        "code": "GTM", "name": "Guatemala Customs", "country": "GTM", "country_name": "Guatemala", "region": "AME",
        "region_name": "Americas and the Caribbean", "joined_on": date(2021, 5, 20), "status": "active",
        "donors": [{"donor": "CAN", "donor_name": "Global Affairs Canada", "phases": ["1"]}],
        "donors_text": "Global Affairs Canada (phase 1)",
    }
    assert partner_profile(v, "XXX") is None


def test_partner_indicators_show_figures_with_units_and_texts(whole):
    v, prog = whole
    rows = partner_indicators(v, prog, "GTM")
    assert list(rows.columns) == PARTNER_INDICATOR_COLUMNS
    assert list(rows[["indicator", "period", "baseline_shown", "target_shown", "actual_shown", "status", "note"]]
                .itertuples(index=False, name=None)) == [
        ("IND01", "2023", "3.57 score (1 to 5) (2021)", "3.915 score (1 to 5)", "3.67 score (1 to 5)", "off track",
         "estimated from the breakdown"),  # the mean of the respondent groups
        ("IND02", "2023", "2.755 score (1 to 5) (2021)", "3.07 score (1 to 5)", "3.05 score (1 to 5)", "on track",
         "estimated from the breakdown"),
        # quarterly reports against annual targets: the mean of 4 quarters (IND04), a running total of increments (IND06)
        ("IND04", "2025", "31 % (2020)", "51.4 %", "51.6 %", "achieved", "reports: 4 of 4 quarters reported"),
        ("IND06", "2021–2025", "0 officers (2020)", "480 officers", "483 officers", "achieved",
         "reports: 4 of 4 quarters reported"),
        ("IND07", "2025", "34 cases (2020)", "52 cases", "49 cases", "on track", ""),
        ("IND08", "2025", "No integrity action plan (2020)", "Action plan reviewed and updated",
         "Action plan reviewed and updated", "qualitative", ""),
        # the 2025 report is missing: no data for 2025, with the last scored figure beside it
        ("IND09", "2025", "1 consultations (2020)", "6 consultations", "", "no data", "last figure: 2024, achieved"),
    ]
    # raw progress is kept (101 %), the status uses it clamped
    assert [None if p != p else round(p, 4) for p in rows["progress"]] == [0.2899, 0.9365, 1.0098, 1.0063, 0.8333, None, None]
    assert [None if p != p else round(p, 4) for p in rows["progress_clamped"]] == [0.2899, 0.9365, 1.0, 1.0, 0.8333, None, None]


def test_partner_series_keeps_disaggregations_apart(whole):
    v, _ = whole
    s = partner_series(v, "GTM")
    assert s.groupby(["indicator", "series"]).size().to_dict() == {
        ("IND01", "customs officers"): 2, ("IND01", "private sector"): 2,
        ("IND02", "customs officers"): 2, ("IND02", "private sector"): 2,
        ("IND04", "total"): 5, ("IND06", "men"): 8, ("IND06", "total"): 13, ("IND06", "women"): 8, ("IND07", "total"): 5,
        ("IND09", "total"): 5,
    }
    assert "IND08" not in set(s["indicator"])  # qualitative: no trend line
    ind01 = partner_series(v, "GTM", "IND01")
    assert [(s, p, None if t != t else t, a) for s, p, t, a in ind01[["series", "period", "target", "actual"]].itertuples(index=False)] == [
        ("customs officers", "2021", None, 3.82), ("customs officers", "2023", 4.06, 3.67),
        ("private sector", "2021", None, 3.32), ("private sector", "2023", 3.77, 3.67),
    ]
    assert list(partner_baselines(v, "GTM", "IND01").itertuples(index=False, name=None)) == [
        ("customs officers", 2021, 3.82), ("private sector", 2021, 3.32)]
    assert list(partner_baselines(v, "GTM", "IND04").itertuples(index=False, name=None)) == [("total", 2020, 31.0)]


def test_partner_activities(whole):
    v, _ = whole
    acts = partner_activities(v, "GTM")
    assert list(acts["code"]) == [
        "ACT-2021-04", "ACT-2021-06", "ACT-2022-01", "ACT-2022-02", "ACT-2022-04", "ACT-2022-05", "ACT-2023-03",
        "ACT-2023-04", "ACT-2023-05", "ACT-2023-06", "ACT-2024-01"]
    first = acts.iloc[0]
    assert (first["donor"], first["mode"], first["participants"], first["key_factors"]) == ("CAN", "remote", 40, [1])
    assert first["partner_names"].startswith("Antigua and Barbuda Customs and Excise Division, Ecuador Customs")


@pytest.mark.parametrize("filters", [
    Filters.from_values(regions=["AME"], donors=["NOR"]),  # nobody
    Filters.from_values(period_from="2030"),  # partners, but no value and no activity
], ids=["no-partner", "no-value"])
def test_empty_selections_give_empty_frames_with_their_columns(demo, filters):
    v = view(demo, filters, LOCAL_ADMIN)
    prog = progress_table(v)
    people = partner_summary(v, prog)
    assert list(people.columns) == PARTNER_SUMMARY_COLUMNS
    assert list(region_summary(v, prog).columns) == REGION_SUMMARY_COLUMNS
    assert partner_indicators(v, prog, "GTM").empty
    assert partner_series(v, "GTM").empty
    assert partner_activities(v, "GTM").empty
    if len(people):  # partners without values: no data, n = 0
        assert set(people["status"]) == {"no data"}
        assert set(people["n"]) == {0}


# --- filters from a link: each problem drops only its part ---------------------------------------

CHECKED = [  # values asked for, the filters kept, the problems (without the "kept" sentence)
    (dict(regions=["ame", "XYZ"], donors=["CAN"]), Filters(("ame",), ("CAN",)), ["No region with code XYZ: ignored."]),
    (dict(donors=["CAN,ZZZ"], partners=["GTM", "XXX"]), Filters((), ("CAN",), ("GTM",)),
     ["No donor with code ZZZ: ignored.", "No partner with code XXX: ignored."]),
    (dict(key_factors=["3", "42", "x"]), Filters(key_factors=(3,)),
     ["No Arusha key factor 42, x (they are numbered 1 to 10): ignored."]),
    (dict(regions=["AME"], period_from="2024", period_to="2021"), Filters(("AME",)),
     ["'From' (2024) is after 'To' (2021): the period filter is ignored."]),
    (dict(period_from="2021-Q5", period_to="2024"), Filters(period_to="2024"),
     ["From: '2021-Q5' is not a period (use 2025, 2025-H1, 2025-Q3, 2025-03 or a date YYYY-MM-DD), so it is ignored."]),
    (dict(regions=["AME"], period_from="2021", period_to="2024-06-30"), Filters(("AME",), period_from="2021", period_to="2024-06-30"), []),
]


@pytest.mark.parametrize("asked, kept, problems", CHECKED)
def test_checked_filters_drop_only_what_cannot_be_used(asked, kept, problems):
    filters, said = checked_filters(**asked, known_donors=["CAN", "NOR"], known_partners=["GTM", "HND"])
    assert filters == kept
    suffix = " No other filter is set." if kept.is_empty() else f" The other filters are kept ({kept.describe()})."
    assert said == [p + suffix for p in problems]


def test_checked_filters_leave_unchecked_what_they_are_not_given():
    assert checked_filters(donors=["ANY"], partners=["ONE"]) == (Filters((), ("ANY",), ("ONE",)), [])


@pytest.mark.parametrize("code, filters, problem", [
    ("gtm", Filters(), None),
    ("GTM", Filters(("WCA",)), "Administration GTM is not in this selection (Region: WCA): widen the filters in the "
                               "sidebar to see it, or choose an administration below."),
    ("XXX", Filters(), "No administration with code XXX: choose an administration below."),
])
def test_partner_link_problem(demo, code, filters, problem):
    assert partner_link_problem(demo, view(demo, filters, LOCAL_ADMIN), LOCAL_ADMIN, code) == problem


def test_partner_link_problem_does_not_reveal_an_administration_out_of_scope(demo):
    scope = Scope(email="hnd@example.org", role="partner", partner="HND")
    assert partner_link_problem(demo, view(demo, Filters(), scope), scope, "GTM") == (
        "No administration with code GTM: choose an administration below.")

"""Each upload kind through the import engine, stored exactly (DESIGN.md, "Upload formats")."""
from datetime import date

import pytest
from sqlalchemy import select

from models.tables import Activity, ActivityKeyFactor, ActivityPartner, Agreement, Donor, Funding, Indicator, Partner

from helpers import (
    baselines_stored,
    committed,
    donors_stored,
    framework_stored,
    import_csv,
    indicators_stored,
    partners_stored,
    problems,
    stored,
    values_stored,
)

DONORS = """
code,name,country
NOR,Norad,Norway
CAN,Global Affairs Canada,CA
"""
PARTNERS = """
code,name,country,region,joined_on,status
GTM,Superintendencia de Administración Tributaria,Guatemala,AME,2020-01-15,active
SLE,National Revenue Authority,Sierra Leone,wca,2019-03-01,inactive
TZA,Tanzania Revenue Authority,Tanzania,East and Southern Africa,,
"""
FRAMEWORK = """
code,title,level,parent
IMP,Improved integrity,impact,
OC1,Transparency improved,outcome,IMP
OP1,Officers trained,output,OC1
"""
INDICATORS = """
code,name,level,measure,ascending,unit,key_factor,result,description,cumulative,scale_min,scale_max
IND1,Perception score,outcome,ordinal,true,score (1 to 5),9,OC1,Mean score,false,1,5
IND2,Release time,outcome,unit,false,hours,5,OC1,,,,
IND3,Share of staff declaring assets,impact,percentage,yes,%,,IMP,,no,,
IND4,Code of conduct adopted,other,qualitative,1,,7,,,,,
IND5,Officers trained,output,unit,true,officers,8,OP1,,true,,
"""
BASE = [("donors.csv", DONORS), ("partners.csv", PARTNERS), ("framework.csv", FRAMEWORK), ("indicators.csv", INDICATORS)]


def activities_stored(engine):
    return stored(engine, select(
        Activity.code, Activity.title, Activity.type, Activity.start, Activity.end, Activity.mode, Activity.status,
        Activity.participants, Donor.code, Activity.description,
    ).outerjoin(Donor, Donor.id == Activity.donor_id).order_by(Activity.code))


def activity_links(engine):
    """{activity code: (sorted partner codes, sorted key factor numbers)}"""
    acts = dict(stored(engine, select(Activity.code, Activity.id)))
    partners = stored(engine, select(ActivityPartner.activity_id, Partner.code)
                      .join(Partner, Partner.id == ActivityPartner.partner_id))
    factors = stored(engine, select(ActivityKeyFactor.activity_id, ActivityKeyFactor.key_factor))
    return {
        code: (sorted(p for a, p in partners if a == aid), sorted(k for a, k in factors if a == aid))
        for code, aid in sorted(acts.items())
    }


# --- each kind, stored exactly -----------------------------------------------------------------

def funding_stored(engine):
    agreements = stored(engine, select(Donor.code, Agreement.phase, Agreement.amount, Agreement.currency,
                                       Agreement.signed_on, Agreement.start, Agreement.end)
                        .join(Donor, Donor.id == Agreement.donor_id).order_by(Donor.code, Agreement.phase))
    links = stored(engine, select(Donor.code, Partner.code, Funding.phase, Funding.amount, Funding.currency,
                                  Funding.signed_on, Funding.start, Funding.end)
                   .join(Donor, Donor.id == Funding.donor_id).join(Partner, Partner.id == Funding.partner_id)
                   .order_by(Donor.code, Partner.code, Funding.phase))
    return {"agreements": agreements, "funding": links}


def everything_stored(engine):
    return {"activities": activities_stored(engine), "links": activity_links(engine)}


def results_stored(engine):
    return {"values": values_stored(engine), "baselines": baselines_stored(engine)}


KIND_CASES = [
    pytest.param(
        [], ("donors.csv", DONORS), donors_stored,
        [("CAN", "Global Affairs Canada", "CAN"), ("NOR", "Norad", "NOR")],
        id="donors",
    ),
    pytest.param(
        [], ("partners.csv", PARTNERS), partners_stored,
        [
            ("GTM", "Superintendencia de Administración Tributaria", "GTM", "AME", date(2020, 1, 15), "active"),
            ("SLE", "National Revenue Authority", "SLE", "WCA", date(2019, 3, 1), "inactive"),
            ("TZA", "Tanzania Revenue Authority", "TZA", "ESA", None, "active"),
        ],
        id="partners",
    ),
    pytest.param(
        [("donors.csv", DONORS), ("partners.csv", PARTNERS)],
        ("funding.csv", """
            donor,phase,partner,amount,currency,signed_on,start,end
            NOR,1,,5000000,EUR,2018-11-16,2019-01-01,2025-09-30
            CAN,1,,3496777.5,cad,2021-03-09,2021-03-09,2024-03-31
            NOR,1,GTM,,,,,
            CAN,,SLE,120000,CAD,,2022-01-01,2022-12-31
        """),
        funding_stored,
        {
            "agreements": [
                ("CAN", "1", 3496777.5, "CAD", date(2021, 3, 9), date(2021, 3, 9), date(2024, 3, 31)),
                ("NOR", "1", 5000000.0, "EUR", date(2018, 11, 16), date(2019, 1, 1), date(2025, 9, 30)),
            ],
            "funding": [
                ("CAN", "SLE", "", 120000.0, "CAD", None, date(2022, 1, 1), date(2022, 12, 31)),
                ("NOR", "GTM", "1", None, None, None, None, None),
            ],
        },
        id="funding",
    ),
    pytest.param(
        [], ("framework.csv", FRAMEWORK), framework_stored,
        [("IMP", "Improved integrity", "impact", None), ("OC1", "Transparency improved", "outcome", "IMP"),
         ("OP1", "Officers trained", "output", "OC1")],
        id="framework",
    ),
    pytest.param(
        [("framework.csv", FRAMEWORK)], ("indicators.csv", INDICATORS), indicators_stored,
        [
            ("IND1", "Perception score", "outcome", "ordinal", True, False, "score (1 to 5)", 9, "OC1", "Mean score", 1.0, 5.0),
            ("IND2", "Release time", "outcome", "unit", False, False, "hours", 5, "OC1", None, None, None),
            ("IND3", "Share of staff declaring assets", "impact", "percentage", True, False, "%", None, "IMP", None, None, None),
            ("IND4", "Code of conduct adopted", "other", "qualitative", True, False, None, 7, None, None, None, None),
            ("IND5", "Officers trained", "output", "unit", True, True, "officers", 8, "OP1", None, None, None),
        ],
        id="indicators",
    ),
    pytest.param(
        [("donors.csv", DONORS), ("partners.csv", PARTNERS)],
        ("activities.csv", """
            code,title,type,start,end,mode,status,partners,donor,participants,key_factors,description
            ACT-1,"Integrity workshop, Accra",capacity-building,2019-03-25,2019-03-29,in person,completed,GTM;SLE,NOR,35,1;7,Regional
            ACT-2,Remote technical assistance,technical-assistance,2020-05-04,,remote,ongoing,tza,can,,3|4|5,
            ACT-3,Coordinators' meeting,meeting,2021-06-01,2021-06-02,Hybrid,planned,,,12,,
        """),
        everything_stored,
        {
            "activities": [
                ("ACT-1", "Integrity workshop, Accra", "capacity-building", date(2019, 3, 25), date(2019, 3, 29), "in-person",
                 "completed", 35, "NOR", "Regional"),
                ("ACT-2", "Remote technical assistance", "technical-assistance", date(2020, 5, 4), None, "remote", "ongoing",
                 None, "CAN", None),
                ("ACT-3", "Coordinators' meeting", "meeting", date(2021, 6, 1), date(2021, 6, 2), "hybrid", "planned", 12,
                 None, None),
            ],
            "links": {"ACT-1": (["GTM", "SLE"], [1, 7]), "ACT-2": (["TZA"], [3, 4, 5]), "ACT-3": ([], [])},
        },
        id="activities",
    ),
    pytest.param(
        BASE,
        ("results.csv", """
            indicator,partner,period_start,period_end,target,actual,baseline,baseline_year,comment,dimension,dimension_value
            IND1,GTM,2024-01-01,2024-12-31,4,3.25,2.5,2023,survey round 1,respondent,customs officers
            IND2,SLE,2024-01-01,2024-06-30,48,,,,,,
            IND3,,2024-01-01,2024-12-31,80,45%,,,programme level,,
            IND4,GTM,2024-01-01,2024-12-31,Code adopted,Draft approved,,,,,
        """),
        results_stored,
        {
            "values": [
                ("IND1", "GTM", date(2024, 1, 1), date(2024, 12, 31), "respondent", "customs officers", 4.0, 3.25, None, None,
                 "survey round 1"),
                ("IND2", "SLE", date(2024, 1, 1), date(2024, 6, 30), "", "", 48.0, None, None, None, None),
                ("IND3", "", date(2024, 1, 1), date(2024, 12, 31), "", "", 80.0, 45.0, None, None, "programme level"),
                ("IND4", "GTM", date(2024, 1, 1), date(2024, 12, 31), "", "", None, None, "Code adopted", "Draft approved", None),
            ],
            "baselines": [("IND1", "GTM", "respondent", "customs officers", 2023, 2.5, None, None)],
        },
        id="results",
    ),
]


@pytest.mark.parametrize("before, upload, read, expected", KIND_CASES)
def test_each_kind_is_stored_exactly(engine, before, upload, read, expected):
    if before:
        committed(engine, *before)
    report = committed(engine, upload)
    assert problems(report) == []
    assert read(engine) == expected


@pytest.mark.parametrize(
    "upload, expected_kind, expected_created",
    [
        pytest.param(("donors.csv", DONORS), "donors", 2, id="donors"),
        pytest.param(("partners.csv", PARTNERS), "partners", 3, id="partners"),
        pytest.param(("framework.csv", FRAMEWORK), "framework", 3, id="framework"),
    ],
)
def test_report_names_detected_kind_and_counts(engine, upload, expected_kind, expected_created):
    report = committed(engine, upload)
    assert [f["kind"] for f in report.files] == [expected_kind]
    assert (report.created, report.updated, report.unchanged, report.rejected) == (expected_created, 0, 0, 0)


# --- funding: agreements and whom a donor funds -----------------------------------------------

@pytest.mark.parametrize(
    "row, expected",
    [
        pytest.param("NOR,2,,100,EUR", {"agreements": [("NOR", "2")], "funding": []}, id="no-partner-is-agreement"),
        pytest.param("NOR,2,GTM,100,EUR", {"agreements": [], "funding": [("NOR", "GTM", "2")]}, id="partner-is-funding"),
        pytest.param("NOR,,GTM,,", {"agreements": [], "funding": [("NOR", "GTM", "")]}, id="partner-without-phase"),
    ],
)
def test_funding_row_without_partner_becomes_agreement(engine, row, expected):
    committed(engine, ("donors.csv", DONORS), ("partners.csv", PARTNERS))
    committed(engine, ("funding.csv", "donor,phase,partner,amount,currency\n" + row + "\n"))
    found = funding_stored(engine)
    assert {"agreements": [r[:2] for r in found["agreements"]], "funding": [r[:3] for r in found["funding"]]} == expected


# --- activities: list cells replace the stored set --------------------------------------------

ACTIVITY = "code,title,type,start,partners,key_factors\n"


@pytest.mark.parametrize(
    "partners_cell, key_factors_cell, expected",
    [
        pytest.param("SLE", "2", (["SLE"], [2]), id="semicolon-set-replaced"),
        pytest.param("SLE|TZA", "2|9", (["SLE", "TZA"], [2, 9]), id="pipe-separator"),
        pytest.param(" tza ; gtm ", " 10 ; 1 ", (["GTM", "TZA"], [1, 10]), id="trimmed-case-insensitive"),
        pytest.param("", "", (["GTM", "SLE"], [1, 7]), id="empty-keeps-stored"),
        pytest.param("[clear]", "[clear]", ([], []), id="clear-token-empties"),
        pytest.param("GTM;SLE", "7;1", (["GTM", "SLE"], [1, 7]), id="same-set"),
    ],
)
def test_activity_list_cells_replace_stored_set(engine, partners_cell, key_factors_cell, expected):
    committed(engine, ("partners.csv", PARTNERS))
    committed(engine, ("activities.csv", ACTIVITY + "A1,Workshop,meeting,2024-01-01,GTM;SLE,1;7\n"))
    committed(engine, ("activities.csv", ACTIVITY + f"A1,Workshop,meeting,2024-01-01,{partners_cell},{key_factors_cell}\n"))
    assert activity_links(engine) == {"A1": expected}


@pytest.mark.parametrize(
    "partners_cell, key_factors_cell, expected",
    [
        pytest.param("SLE", "", (0, 1, 0), id="new-partner-set-updates"),
        pytest.param("", "3", (0, 1, 0), id="new-key-factor-set-updates"),
        pytest.param("SLE;GTM", "7|1", (0, 0, 1), id="same-sets-unchanged"),
        pytest.param("", "", (0, 0, 1), id="empty-cells-unchanged"),
    ],
)
def test_activity_link_changes_count_as_updates(engine, partners_cell, key_factors_cell, expected):
    committed(engine, ("partners.csv", PARTNERS))
    committed(engine, ("activities.csv", ACTIVITY + "A1,Workshop,meeting,2024-01-01,GTM;SLE,1;7\n"))
    report = committed(engine, ("activities.csv", ACTIVITY + f"A1,Workshop,meeting,2024-01-01,{partners_cell},{key_factors_cell}\n"))
    assert (report.created, report.updated, report.unchanged) == expected


@pytest.mark.parametrize(
    "partners_cell, key_factors_cell, expected",
    [
        pytest.param("GTM;XXX", "1", [(2, "partners", "unknown-reference")], id="unknown-partner"),
        pytest.param("GTM", "1;11", [(2, "key_factors", "unknown-reference")], id="key-factor-out-of-range"),
        pytest.param("GMT", "0|12", [(2, "key_factors", "unknown-reference"), (2, "key_factors", "unknown-reference"),
                                     (2, "partners", "unknown-reference")], id="every-bad-item"),
    ],
)
def test_activity_list_items_must_exist(engine, partners_cell, key_factors_cell, expected):
    committed(engine, ("partners.csv", PARTNERS))
    report = import_csv(engine, ("activities.csv", ACTIVITY + f"A1,Workshop,meeting,2024-01-01,{partners_cell},{key_factors_cell}\n"))
    assert report.status == "rejected"
    assert problems(report) == expected
    assert activities_stored(engine) == []


# --- framework parents ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "before, text, expected",
    [
        pytest.param(
            None, "code,title,level,parent\nOC1,Outcome,outcome,IMP\nIMP,Impact,impact,\n",
            [("IMP", "Impact", "impact", None), ("OC1", "Outcome", "outcome", "IMP")],
            id="parent-later-in-same-file",
        ),
        pytest.param(
            None, "code,title,level,parent\nOP1,Output,output,oc1\nOC1,Outcome,outcome,imp\nIMP,Impact,impact,\n",
            [("IMP", "Impact", "impact", None), ("OC1", "Outcome", "outcome", "IMP"), ("OP1", "Output", "output", "OC1")],
            id="chain-defined-backwards-any-case",
        ),
        pytest.param(
            "code,title,level\nIMP,Impact,impact\n", "code,title,level,parent\nOC1,Outcome,outcome,IMP\n",
            [("IMP", "Impact", "impact", None), ("OC1", "Outcome", "outcome", "IMP")],
            id="parent-stored-earlier",
        ),
        pytest.param(
            "code,title,level,parent\nIMP,Impact,impact,\nOC1,Outcome,outcome,IMP\n",
            "code,title,level,parent\nOC1,Outcome,outcome,[clear]\n",
            [("IMP", "Impact", "impact", None), ("OC1", "Outcome", "outcome", None)],
            id="parent-cleared",
        ),
        pytest.param(
            "code,title,level,parent\nIMP,Impact,impact,\nIMP2,Impact 2,impact,\nOC1,Outcome,outcome,IMP\n",
            "code,title,level,parent\nOC1,Outcome,outcome,IMP2\n",
            [("IMP", "Impact", "impact", None), ("IMP2", "Impact 2", "impact", None), ("OC1", "Outcome", "outcome", "IMP2")],
            id="parent-moved",
        ),
    ],
)
def test_framework_parents(engine, before, text, expected):
    if before:
        committed(engine, ("framework.csv", before))
    committed(engine, ("framework.csv", text))
    assert framework_stored(engine) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("code,title,level,parent\nOC1,Outcome,outcome,IPM\nIMP,Impact,impact,\n",
                     [(2, "parent", "unknown-reference")], id="unknown-parent"),
        pytest.param("code,title,level,parent\nOC1,Outcome,outcome,OC1\n", [(2, "parent", "out-of-range")], id="own-parent"),
        pytest.param("code,title,level,parent\nA,A,outcome,B\nB,B,outcome,A\n",
                     [(2, "parent", "out-of-range"), (3, "parent", "out-of-range")], id="cycle"),
    ],
)
def test_framework_parent_refusals(engine, text, expected):
    report = import_csv(engine, ("framework.csv", text))
    assert problems(report) == expected
    assert framework_stored(engine) == []


# --- indicators -------------------------------------------------------------------------------

INDICATOR_HEADER = "code,name,level,measure,ascending,result,scale_min,scale_max\n"


@pytest.mark.parametrize(
    "row, expected",
    [
        pytest.param("I1,x,outcome,unit,true,OC1,,", [], id="same-level"),
        pytest.param("I1,x,impact,unit,true,OC1,,", [(2, "level", "out-of-range")], id="differs"),
        pytest.param("I1,x,output,unit,true,,,", [], id="no-result"),
        pytest.param("I1,x,Outcome,unit,true,oc1,,", [], id="spelled-differently"),
    ],
)
def test_indicator_level_agrees_with_result(engine, row, expected):
    committed(engine, ("framework.csv", FRAMEWORK))
    report = import_csv(engine, ("indicators.csv", INDICATOR_HEADER + row + "\n"))
    assert problems(report) == expected
    assert len(indicators_stored(engine)) == (0 if expected else 1)


def test_indicator_level_change_must_still_agree(engine):
    committed(engine, ("framework.csv", FRAMEWORK))
    committed(engine, ("indicators.csv", INDICATOR_HEADER + "I1,x,outcome,unit,true,OC1,,\n"))
    report = import_csv(engine, ("indicators.csv", "code,name,level,measure,ascending\nI1,x,impact,unit,true\n"))
    assert problems(report) == [(2, "level", "out-of-range")]


@pytest.mark.parametrize(
    "measure, scale_min, scale_max, expected_problems, expected_scale",
    [
        pytest.param("ordinal", "1", "5", [], (1.0, 5.0), id="ordinal-with-scale"),
        pytest.param("ordinal", "0.5", "4.5", [], (0.5, 4.5), id="ordinal-decimal-scale"),
        pytest.param("ordinal", "", "5", [(2, "scale_min", "missing-cell")], None, id="ordinal-without-min"),
        pytest.param("ordinal", "1", "", [(2, "scale_max", "missing-cell")], None, id="ordinal-without-max"),
        pytest.param("ordinal", "5", "1", [(2, "scale_max", "out-of-range")], None, id="ordinal-min-above-max"),
        pytest.param("unit", "", "", [], (None, None), id="unit-without-scale"),
        pytest.param("unit", "1", "5", [(2, "scale_max", "out-of-range"), (2, "scale_min", "out-of-range")], None,
                     id="unit-refuses-scale"),
        pytest.param("percentage", "0", "", [(2, "scale_min", "out-of-range")], None, id="percentage-refuses-scale"),
        pytest.param("qualitative", "", "3", [(2, "scale_max", "out-of-range")], None, id="qualitative-refuses-scale"),
    ],
)
def test_ordinal_needs_scale_others_refuse_it(engine, measure, scale_min, scale_max, expected_problems, expected_scale):
    report = import_csv(engine, ("indicators.csv", f"{INDICATOR_HEADER}I1,x,outcome,{measure},true,,{scale_min},{scale_max}\n"))
    assert problems(report) == expected_problems
    found = [r[10:12] for r in indicators_stored(engine)]
    assert found == ([] if expected_scale is None else [expected_scale])


@pytest.mark.parametrize(
    "spelling, expected",
    [
        ("unit", "unit"), ("1", "unit"), ("Unit", "unit"),
        ("percentage", "percentage"), ("2", "percentage"), ("PERCENTAGE", "percentage"),
        ("qualitative", "qualitative"), ("5", "qualitative"),
    ],
)
def test_measure_spellings(engine, spelling, expected):
    committed(engine, ("indicators.csv", f"code,name,level,measure,ascending\nI1,x,outcome,{spelling},true\n"))
    assert [r[3] for r in indicators_stored(engine)] == [expected]


@pytest.mark.parametrize("spelling", ["ordinal", "4", " Ordinal "])
def test_measure_spellings_ordinal(engine, spelling):
    committed(engine, ("indicators.csv", f"code,name,level,measure,ascending,scale_min,scale_max\nI1,x,outcome,{spelling},true,1,5\n"))
    assert [r[3] for r in indicators_stored(engine)] == ["ordinal"]


@pytest.mark.parametrize("spelling", ["3", "ratio", "percent age", "0"])
def test_unknown_measure_refused(engine, spelling):
    report = import_csv(engine, ("indicators.csv", f"code,name,level,measure,ascending\nI1,x,outcome,{spelling},true\n"))
    assert problems(report) == [(2, "measure", "type-error")]


@pytest.mark.parametrize(
    "spelling, expected",
    [
        ("true", True), ("TRUE", True), ("yes", True), ("Yes", True), ("1", True),
        ("false", False), ("False", False), ("no", False), ("NO", False), ("0", False),
    ],
)
def test_booleans(engine, spelling, expected):
    committed(engine, ("indicators.csv", f"code,name,level,measure,ascending,cumulative\nI1,x,outcome,unit,{spelling},{spelling}\n"))
    assert [r[4:6] for r in indicators_stored(engine)] == [(expected, expected)]


@pytest.mark.parametrize("spelling", ["y", "2", "t", "oui", "-"])
def test_other_booleans_refused(engine, spelling):
    report = import_csv(engine, ("indicators.csv", f"code,name,level,measure,ascending,cumulative\nI1,x,outcome,unit,{spelling},{spelling}\n"))
    assert problems(report) == [(2, "ascending", "type-error"), (2, "cumulative", "type-error")]


def test_cumulative_defaults_to_false(engine):
    committed(engine, ("indicators.csv", "code,name,level,measure,ascending\nI1,x,outcome,unit,no\n"))
    assert [r[4:6] for r in indicators_stored(engine)] == [(False, False)]


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("code,name,level,measure,ascending\nI1,x,outcome,unit,true\n",
                     [(2, "scale_max", "out-of-range"), (2, "scale_min", "out-of-range")], id="stored-scale-kept"),
        pytest.param("code,name,level,measure,ascending,scale_min,scale_max\nI1,x,outcome,unit,true,[clear],[clear]\n", [],
                     id="stored-scale-cleared"),
        pytest.param("code,name,level,measure,ascending,scale_min,scale_max\nI1,x,outcome,ordinal,true,,[clear]\n",
                     [(2, "scale_max", "missing-cell")], id="ordinal-scale-cleared"),
        pytest.param("code,name,level,measure,ascending,scale_max\nI1,x,outcome,ordinal,true,10\n", [], id="ordinal-max-changed"),
    ],
)
def test_measure_change_and_stored_scale(engine, text, expected):
    committed(engine, ("indicators.csv", "code,name,level,measure,ascending,scale_min,scale_max\nI1,x,outcome,ordinal,true,1,5\n"))
    report = import_csv(engine, ("indicators.csv", text))
    assert problems(report) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("code,name,level,measure,ascending,scale_min,scale_max\nORD,x,outcome,ordinal,true,1,4\n",
                     [(2, "scale_max", "out-of-range")], id="scale-narrowed-below-stored"),
        pytest.param("code,name,level,measure,ascending,scale_min,scale_max\nORD,x,outcome,ordinal,true,2,5\n",
                     [(2, "scale_min", "out-of-range")], id="scale-raised-above-stored"),
        pytest.param("code,name,level,measure,ascending,scale_min,scale_max\nORD,x,outcome,ordinal,true,1,10\n", [],
                     id="scale-widened"),
        pytest.param("code,name,level,measure,ascending,scale_min,scale_max\nORD,x,outcome,percentage,true,[clear],[clear]\n", [],
                     id="ordinal-to-percentage-fits"),
        pytest.param("code,name,level,measure,ascending,scale_min,scale_max\nORD,x,outcome,qualitative,true,[clear],[clear]\n",
                     [(2, "measure", "out-of-range")], id="numbers-to-qualitative"),
        pytest.param("code,name,level,measure,ascending\nQUAL,x,outcome,unit,true\n", [(2, "measure", "out-of-range")],
                     id="text-to-unit"),
        pytest.param("code,name,level,measure,ascending\nUNIT,x,outcome,percentage,true\n", [(2, "measure", "out-of-range")],
                     id="unit-to-percentage-above-100"),
        pytest.param("code,name,level,measure,ascending\nUNIT,x,outcome,unit,false\n", [], id="direction-only"),
    ],
)
def test_indicator_change_rechecks_stored_values(engine, text, expected):
    committed(engine, ("partners.csv", PARTNERS), ("indicators.csv", (
        "code,name,level,measure,ascending,scale_min,scale_max\n"
        "ORD,x,outcome,ordinal,true,1,5\nQUAL,x,outcome,qualitative,true,,\nUNIT,x,outcome,unit,true,,\n")))
    committed(engine, ("results.csv", "indicator,partner,period,target,actual\nORD,GTM,2024,4.5,1.5\nQUAL,GTM,2024,Adopted,\n"
                                      "UNIT,GTM,2024,250,\n"))
    before = indicators_stored(engine)
    report = import_csv(engine, ("indicators.csv", text))
    assert problems(report) == expected
    if expected:
        assert indicators_stored(engine) == before


@pytest.mark.parametrize(
    "files, expected",
    [
        pytest.param([("framework.csv", "code,title,level\nOC1,Transparency improved,impact\n")],
                     [("framework.csv", 2, "level", "out-of-range")], id="result-level-changed-alone"),
        pytest.param([("framework.csv", "code,title,level\nOC1,Transparency improved,impact\n"),
                      ("indicators.csv", "code,name,level,measure,ascending\nIND1,Perception score,impact,ordinal,true\n"
                                         "IND2,Release time,impact,unit,false\n")],
                     [], id="with-its-indicators"),
        pytest.param([("framework.csv", "code,title,level\nOC1,Transparency improved,impact\n"),
                      ("indicators.csv", "code,name,level,measure,ascending\nIND1,Perception score,impact,ordinal,true\n")],
                     [("framework.csv", 2, "level", "out-of-range")], id="with-one-of-its-indicators"),
        pytest.param([("framework.csv", "code,title,level\nOP1,Officers trained,output\n")], [], id="level-unchanged"),
    ],
)
def test_result_level_change_must_agree_with_indicators(engine, files, expected):
    committed(engine, ("framework.csv", FRAMEWORK), ("indicators.csv", INDICATORS))
    before = (framework_stored(engine), indicators_stored(engine))
    report = import_csv(engine, *files)
    assert [(i.file, i.row, i.column, i.check) for i in report.issues] == expected
    if expected:
        assert "IND2 (outcome)" in report.issues[0].message
        assert (framework_stored(engine), indicators_stored(engine)) == before


# --- indicators: reporting frequency, aggregation over time, key factor by name ----------------

REPORTING_HEADER = "code,name,level,measure,ascending,key_factor,frequency,aggregation,cumulative,scale_min,scale_max\n"


def reporting_stored(engine):
    """(code, key_factor, frequency, aggregation, cumulative) as stored (the aggregation resolved)."""
    return stored(engine, select(Indicator.code, Indicator.key_factor, Indicator.frequency, Indicator.aggregation,
                                 Indicator.cumulative).order_by(Indicator.code))


def reporting_resolved(engine):
    """{code: (frequency, aggregation)} as the snapshot delivers them (defaults resolved)."""
    from models.queries.snapshot import load_snapshot

    ind = load_snapshot(engine).indicators
    return {c: (f, a) for c, f, a in zip(ind["code"], ind["frequency"], ind["aggregation"])}


@pytest.mark.parametrize(
    "row, stored_row, resolved",
    [
        pytest.param("I1,x,outcome,unit,true,,,,,,", ("I1", None, "annual", "sum", False), ("annual", "sum"), id="unit-defaults"),
        pytest.param("I1,x,outcome,percentage,true,,,,,,", ("I1", None, "annual", "mean", False), ("annual", "mean"),
                     id="percentage-defaults"),
        pytest.param("I1,x,outcome,ordinal,true,,,,,1,5", ("I1", None, "annual", "mean", False), ("annual", "mean"),
                     id="ordinal-defaults"),
        pytest.param("I1,x,outcome,qualitative,true,,,,,,", ("I1", None, "annual", "latest", False), ("annual", "latest"),
                     id="qualitative-defaults"),
        pytest.param("I1,x,outcome,unit,true,8,quarterly,sum,true,,", ("I1", 8, "quarterly", "sum", True), ("quarterly", "sum"),
                     id="quarterly-cumulative-flow"),
        pytest.param("I1,x,outcome,unit,true,,Monthly,LATEST,,,", ("I1", None, "monthly", "latest", False), ("monthly", "latest"),
                     id="any-case"),
        pytest.param("I1,x,outcome,percentage,true,,semiannual,latest,,,", ("I1", None, "semiannual", "latest", False),
                     ("semiannual", "latest"), id="percentage-latest"),
        pytest.param("I1,x,outcome,ordinal,true,,annual,mean,false,1,5", ("I1", None, "annual", "mean", False),
                     ("annual", "mean"), id="ordinal-mean"),
        pytest.param("I1,x,outcome,qualitative,true,,quarterly,latest,,,", ("I1", None, "quarterly", "latest", False),
                     ("quarterly", "latest"), id="qualitative-latest"),
        pytest.param("I1,x,outcome,unit,true,Automation,,,,,", ("I1", 4, "annual", "sum", False), ("annual", "sum"),
                     id="key-factor-name"),
        pytest.param("I1,x,outcome,unit,true, human resource  MANAGEMENT ,,,,,", ("I1", 8, "annual", "sum", False),
                     ("annual", "sum"), id="key-factor-name-any-case-and-spacing"),
        pytest.param("I1,x,outcome,unit,true,10,,,,,", ("I1", 10, "annual", "sum", False), ("annual", "sum"),
                     id="key-factor-number"),
    ],
)
def test_indicator_reporting_attributes_stored(engine, row, stored_row, resolved):
    committed(engine, ("indicators.csv", REPORTING_HEADER + row + "\n"))
    assert reporting_stored(engine) == [stored_row]
    assert reporting_resolved(engine) == {"I1": resolved}
    again = committed(engine, ("indicators.csv", REPORTING_HEADER + row + "\n"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


@pytest.mark.parametrize(
    "row, expected, words",
    [
        pytest.param("I1,x,outcome,unit,true,,weekly,,,,", [(2, "frequency", "type-error")],
                     ["annual", "semiannual", "quarterly", "monthly"], id="unknown-frequency-lists-allowed"),
        pytest.param("I1,x,outcome,unit,true,,,average,,,", [(2, "aggregation", "type-error")],
                     ["sum", "mean", "latest"], id="unknown-aggregation-lists-allowed"),
        pytest.param("I1,x,outcome,percentage,true,,,sum,,,", [(2, "aggregation", "out-of-range")],
                     ["'sum'", "percentage", "mean or latest"], id="sum-refused-for-percentage"),
        pytest.param("I1,x,outcome,ordinal,true,,,Sum,,1,5", [(2, "aggregation", "out-of-range")],
                     ["'sum'", "ordinal", "mean or latest"], id="sum-refused-for-ordinal"),
        pytest.param("I1,x,outcome,qualitative,true,,,mean,,,", [(2, "aggregation", "out-of-range")],
                     ["qualitative", "latest"], id="qualitative-takes-latest-only"),
        pytest.param("I1,x,outcome,unit,true,,,mean,true,,", [(2, "cumulative", "out-of-range")],
                     ["increments", "sum", "mean"], id="cumulative-with-mean"),
        pytest.param("I1,x,outcome,unit,true,,,latest,yes,,", [(2, "cumulative", "out-of-range")],
                     ["sum", "latest"], id="cumulative-with-latest"),
        pytest.param("I1,x,outcome,percentage,true,,,,true,,", [(2, "cumulative", "out-of-range")],
                     ["sum", "percentage"], id="cumulative-percentage-default-mean"),
        pytest.param("I1,x,outcome,unit,true,11,,,,,", [(2, "key_factor", "out-of-range")], ["1 to 10"],
                     id="key-factor-number-out-of-range"),
        pytest.param("I1,x,outcome,unit,true,0,,,,,", [(2, "key_factor", "out-of-range")], ["1 to 10"],
                     id="key-factor-zero"),
        pytest.param("I1,x,outcome,unit,true,Automaton,,,,,", [(2, "key_factor", "unknown-reference")],
                     ["did you mean '4 Automation'"], id="key-factor-name-misspelt"),
        pytest.param("I1,x,outcome,percentage,true,Audit,weekly,sum,true,,",
                     [(2, "aggregation", "out-of-range"), (2, "frequency", "type-error"), (2, "key_factor", "unknown-reference")],
                     [], id="every-problem-reported"),
    ],
)
def test_indicator_reporting_attributes_refused(engine, row, expected, words):
    report = import_csv(engine, ("indicators.csv", REPORTING_HEADER + row + "\n"))
    assert report.status == "rejected"
    assert problems(report) == expected
    message = report.issues[0].message
    assert [w for w in words if w not in message] == [], message
    assert reporting_stored(engine) == []


@pytest.mark.parametrize(
    "first, then, expected, after",
    [
        pytest.param("I1,x,outcome,unit,true,,,sum,,,", "I1,x,outcome,percentage,true,,,,,,",
                     [], ("I1", None, "annual", "mean", False), id="stored-sum-becomes-the-percentage-default"),
        pytest.param("I1,x,outcome,unit,true,,,latest,,,", "I1,x,outcome,percentage,true,,,,,,",
                     [], ("I1", None, "annual", "latest", False), id="stored-latest-kept-for-a-percentage"),
        pytest.param("I1,x,outcome,unit,true,,,sum,,,", "I1,x,outcome,percentage,true,,,sum,,,",
                     [(2, "aggregation", "out-of-range")], None, id="sum-given-with-percentage"),
        pytest.param("I1,x,outcome,percentage,true,,,,,,", "I1,x,outcome,unit,true,,,,,,",
                     [], ("I1", None, "annual", "sum", False), id="default-follows-the-measure"),
        pytest.param("I1,x,outcome,percentage,true,,,latest,,,", "I1,x,outcome,unit,true,,,,,,",
                     [], ("I1", None, "annual", "latest", False), id="a-chosen-aggregation-stays"),
        pytest.param("I1,x,outcome,percentage,true,,,,,,", "I1,x,outcome,ordinal,true,,,,,1,5",
                     [], ("I1", None, "annual", "mean", False), id="percentage-to-ordinal-keeps-mean"),
        pytest.param("I1,x,outcome,unit,true,,,,true,,", "I1,x,outcome,percentage,true,,,,,,",
                     [(2, "cumulative", "out-of-range")], None, id="stored-cumulative-then-percentage"),
        pytest.param("I1,x,outcome,unit,true,,,,true,,", "I1,x,outcome,unit,true,,,mean,,,",
                     [(2, "cumulative", "out-of-range")], None, id="stored-cumulative-then-mean"),
        pytest.param("I1,x,outcome,unit,true,,,,true,,", "I1,x,outcome,unit,true,,,mean,false,,",
                     [], ("I1", None, "annual", "mean", False), id="cumulative-off-with-mean"),
        pytest.param("I1,x,outcome,unit,true,,,mean,,,", "I1,x,outcome,unit,true,,,,true,,",
                     [(2, "cumulative", "out-of-range")], None, id="stored-mean-then-cumulative"),
        pytest.param("I1,x,outcome,unit,true,4,quarterly,latest,,,", "I1,x,outcome,unit,true,,,,,,",
                     [], ("I1", 4, "quarterly", "latest", False), id="empty-cells-keep-stored"),
        pytest.param("I1,x,outcome,unit,true,4,quarterly,latest,,,", "I1,x,outcome,unit,true,[clear],[clear],[clear],,,",
                     [], ("I1", None, "annual", "sum", False), id="clear-returns-to-defaults"),
    ],
)
def test_indicator_reporting_attributes_against_stored(engine, first, then, expected, after):
    committed(engine, ("indicators.csv", REPORTING_HEADER + first + "\n"))
    before = reporting_stored(engine)
    report = import_csv(engine, ("indicators.csv", REPORTING_HEADER + then + "\n"))
    assert problems(report) == expected
    assert reporting_stored(engine) == (before if expected else [after])


def test_activities_take_key_factor_names_too(engine):
    """One key factor parser for activities and indicators: numbers and names, any case."""
    committed(engine, ("partners.csv", PARTNERS))
    committed(engine, ("activities.csv", ACTIVITY + "A1,Workshop,meeting,2024-01-01,GTM,automation; Code of Conduct |1\n"))
    assert activity_links(engine) == {"A1": (["GTM"], [1, 4, 7])}
    report = import_csv(engine, ("activities.csv", ACTIVITY + "A1,Workshop,meeting,2024-01-01,GTM,Transparancy\n"))
    assert problems(report) == [(2, "key_factors", "unknown-reference")]
    assert "did you mean '3 Transparency'" in report.issues[0].message

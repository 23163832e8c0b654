"""Upsert on natural keys, empty and clear cells, batches, dry runs (DESIGN.md, "Import rules")."""
from datetime import date

import pytest
from sqlalchemy import select

from models.batches import history
from models.formats import CLEAR_TOKEN
from models.tables import (
    Activity,
    ActivityKeyFactor,
    ActivityPartner,
    Agreement,
    Baseline,
    Donor,
    Funding,
    Indicator,
    Partner,
    Value,
)

from helpers import (
    committed,
    counts,
    database_content,
    donors_stored,
    framework_stored,
    import_csv,
    indicators_stored,
    partners_stored,
    problems,
    stored,
    undisaggregated_values_stored as values_stored,
)

DONORS = "code,name,country\nNOR,Norad,Norway\nCAN,Global Affairs Canada,Canada\n"
PARTNERS = (
    "code,name,country,region,joined_on,status\n"
    "GTM,SAT Guatemala,Guatemala,AME,2020-01-15,active\n"
    "SLE,National Revenue Authority,Sierra Leone,WCA,2019-03-01,inactive\n"
)
FUNDING = "donor,phase,partner,amount,currency,start,end\nNOR,1,,5000000,EUR,2019-01-01,2025-09-30\nNOR,1,GTM,1000,EUR,,\n"
FRAMEWORK = "code,title,level,parent\nIMP,Impact,impact,\nOC1,Outcome,outcome,IMP\n"
INDICATORS = (
    "code,name,level,measure,ascending,unit,key_factor,result,description,scale_min,scale_max\n"
    "IND1,Perception score,outcome,ordinal,true,score,9,OC1,Mean score,1,5\n"
    "IND2,Release time,outcome,unit,false,hours,5,OC1,Lower is better,,\n"
    "IND3,Code adopted,other,qualitative,true,,,,,,\n"
)
ACTIVITIES = (
    "code,title,type,start,end,mode,status,partners,donor,participants,key_factors,description\n"
    "A1,Workshop,meeting,2024-01-01,2024-01-02,remote,completed,GTM;SLE,NOR,20,1;7,First\n"
)
RESULTS = (
    "indicator,partner,period,target,actual,baseline,baseline_year,comment\n"
    "IND1,GTM,2024,4,3.5,2,2023,round 1\n"
    "IND2,SLE,2024-H1,48,50,,,\n"
    "IND3,,2024,Adopted,Drafted,,,\n"
)
REFERENCE = [("donors.csv", DONORS), ("partners.csv", PARTNERS), ("framework.csv", FRAMEWORK), ("indicators.csv", INDICATORS)]


def funding_stored(engine):
    return (
        stored(engine, select(Donor.code, Agreement.phase, Agreement.amount, Agreement.currency, Agreement.start, Agreement.end)
               .join(Donor, Donor.id == Agreement.donor_id).order_by(Donor.code, Agreement.phase)),
        stored(engine, select(Donor.code, Partner.code, Funding.phase, Funding.amount, Funding.currency)
               .join(Donor, Donor.id == Funding.donor_id).join(Partner, Partner.id == Funding.partner_id)
               .order_by(Donor.code, Partner.code)),
    )


def activities_stored(engine):
    acts = stored(engine, select(
        Activity.id, Activity.code, Activity.title, Activity.type, Activity.start, Activity.end, Activity.mode,
        Activity.status, Activity.participants, Donor.code, Activity.description,
    ).outerjoin(Donor, Donor.id == Activity.donor_id).order_by(Activity.code))
    partners = stored(engine, select(ActivityPartner.activity_id, Partner.code).join(Partner, Partner.id == ActivityPartner.partner_id))
    factors = stored(engine, select(ActivityKeyFactor.activity_id, ActivityKeyFactor.key_factor))
    return [
        (*a[1:], sorted(p for i, p in partners if i == a[0]), sorted(k for i, k in factors if i == a[0]))
        for a in acts
    ]


def baselines_stored(engine):
    return stored(engine, select(Indicator.code, Partner.code, Baseline.year, Baseline.value, Baseline.comment)
                  .join(Indicator, Indicator.id == Baseline.indicator_id).join(Partner, Partner.id == Baseline.partner_id)
                  .order_by(Indicator.code, Partner.code, Baseline.year))


# --- the same file twice ------------------------------------------------------------------------

SAME_TWICE = [
    pytest.param([], ("donors.csv", DONORS), 2, id="donors"),
    pytest.param([], ("partners.csv", PARTNERS), 2, id="partners"),
    pytest.param([("donors.csv", DONORS), ("partners.csv", PARTNERS)], ("funding.csv", FUNDING), 2, id="funding"),
    pytest.param([], ("framework.csv", FRAMEWORK), 2, id="framework"),
    pytest.param([("framework.csv", FRAMEWORK)], ("indicators.csv", INDICATORS), 3, id="indicators"),
    pytest.param([("donors.csv", DONORS), ("partners.csv", PARTNERS)], ("activities.csv", ACTIVITIES), 1, id="activities"),
    pytest.param(REFERENCE, ("results.csv", RESULTS), 3, id="results"),
]


@pytest.mark.parametrize("before, upload, n", SAME_TWICE)
def test_same_file_twice_is_unchanged(engine, before, upload, n):
    if before:
        committed(engine, *before)
    first = committed(engine, upload)
    content = database_content(engine)
    second = committed(engine, upload)
    assert counts(first) == (n, 0, 0, 0)
    assert counts(second) == (0, 0, n, 0)
    assert second.batch_id is None
    assert database_content(engine) == content


def test_whole_reference_set_twice_is_unchanged(engine):
    files = [*REFERENCE, ("funding.csv", FUNDING), ("activities.csv", ACTIVITIES), ("results.csv", RESULTS)]
    assert counts(committed(engine, *files)) == (2 + 2 + 2 + 3 + 2 + 1 + 3, 0, 0, 0)
    assert counts(committed(engine, *files)) == (0, 0, 15, 0)


# --- changed cells, empty cells, the clear token ---------------------------------------------------

CHANGES = [
    pytest.param(
        [], ("partners.csv", PARTNERS),
        "code,name,country,region,joined_on,status\nGTM,SAT,Guatemala,AME,2020-01-15,active\nSLE,National Revenue Authority,Sierra Leone,WCA,2019-03-01,active\n",
        partners_stored, (0, 2, 0),
        [("GTM", "SAT", "GTM", "AME", date(2020, 1, 15), "active"),
         ("SLE", "National Revenue Authority", "SLE", "WCA", date(2019, 3, 1), "active")],
        id="partners-changed",
    ),
    pytest.param(
        [], ("partners.csv", PARTNERS),
        "code,name,country,region,joined_on,status\nGTM,SAT Guatemala,Guatemala,AME,,\nSLE,National Revenue Authority,Sierra Leone,WCA,,\n",
        partners_stored, (0, 0, 2),
        [("GTM", "SAT Guatemala", "GTM", "AME", date(2020, 1, 15), "active"),
         ("SLE", "National Revenue Authority", "SLE", "WCA", date(2019, 3, 1), "inactive")],
        id="partners-empty-keeps",
    ),
    pytest.param(
        [], ("partners.csv", PARTNERS),
        f"code,name,country,region,joined_on,status\nGTM,SAT Guatemala,Guatemala,AME,{CLEAR_TOKEN},\n"
        f"SLE,National Revenue Authority,Sierra Leone,WCA,,{CLEAR_TOKEN}\n",
        partners_stored, (0, 2, 0),
        [("GTM", "SAT Guatemala", "GTM", "AME", None, "active"),
         ("SLE", "National Revenue Authority", "SLE", "WCA", date(2019, 3, 1), "active")],
        id="partners-clear",  # clearing status resets it to its default, active
    ),
    pytest.param(
        [], ("donors.csv", DONORS), f"code,name,country\nNOR,Norad,{CLEAR_TOKEN}\nCAN,Global Affairs Canada,\n",
        donors_stored, (0, 1, 1), [("CAN", "Global Affairs Canada", "CAN"), ("NOR", "Norad", None)],
        id="donors-clear-country",
    ),
    pytest.param(
        [], ("donors.csv", DONORS), "code,name,country\nNOR,Norad,Sweden\nCAN,GAC,\n",
        donors_stored, (0, 2, 0), [("CAN", "GAC", "CAN"), ("NOR", "Norad", "SWE")],
        id="donors-changed",
    ),
    pytest.param(
        [("framework.csv", FRAMEWORK)], ("indicators.csv", INDICATORS),
        "code,name,level,measure,ascending,unit,key_factor,result,description,scale_min,scale_max\n"
        "IND1,Perception score,outcome,ordinal,true,,,,,,4\n"
        f"IND2,Release time,outcome,unit,false,{CLEAR_TOKEN},{CLEAR_TOKEN},{CLEAR_TOKEN},{CLEAR_TOKEN},,\n"
        "IND3,Code adopted,other,qualitative,true,,,,,,\n",
        indicators_stored, (0, 2, 1),
        [("IND1", "Perception score", "outcome", "ordinal", True, False, "score", 9, "OC1", "Mean score", 1.0, 4.0),
         ("IND2", "Release time", "outcome", "unit", False, False, None, None, None, None, None, None),
         ("IND3", "Code adopted", "other", "qualitative", True, False, None, None, None, None, None, None)],
        id="indicators-change-keep-clear",
    ),
    pytest.param(
        [("framework.csv", FRAMEWORK)], ("indicators.csv", INDICATORS),
        "code,name,level,measure,ascending,cumulative\nIND2,Release time,outcome,unit,false,true\n",
        indicators_stored, (0, 1, 0),
        [("IND1", "Perception score", "outcome", "ordinal", True, False, "score", 9, "OC1", "Mean score", 1.0, 5.0),
         ("IND2", "Release time", "outcome", "unit", False, True, "hours", 5, "OC1", "Lower is better", None, None),
         ("IND3", "Code adopted", "other", "qualitative", True, False, None, None, None, None, None, None)],
        id="indicators-missing-columns-keep",
    ),
    pytest.param(
        [], ("framework.csv", FRAMEWORK), "code,title,level,parent\nIMP,Impact,impact,\nOC1,Outcome,outcome,\n",
        framework_stored, (0, 0, 2), [("IMP", "Impact", "impact", None), ("OC1", "Outcome", "outcome", "IMP")],
        id="framework-empty-parent-keeps",
    ),
    pytest.param(
        [], ("framework.csv", FRAMEWORK), f"code,title,level,parent\nOC1,Outcome,outcome,{CLEAR_TOKEN}\n",
        framework_stored, (0, 1, 0), [("IMP", "Impact", "impact", None), ("OC1", "Outcome", "outcome", None)],
        id="framework-clear-parent",
    ),
    pytest.param(
        [("donors.csv", DONORS), ("partners.csv", PARTNERS)], ("funding.csv", FUNDING),
        f"donor,phase,partner,amount,currency,start,end\nNOR,1,,5500000,,,\nNOR,1,GTM,{CLEAR_TOKEN},{CLEAR_TOKEN},,\n",
        funding_stored, (0, 2, 0),
        ([("NOR", "1", 5500000.0, "EUR", date(2019, 1, 1), date(2025, 9, 30))], [("NOR", "GTM", "1", None, None)]),
        id="funding-change-and-clear",
    ),
    pytest.param(
        [("donors.csv", DONORS), ("partners.csv", PARTNERS)], ("activities.csv", ACTIVITIES),
        "code,title,type,start,end,mode,status,partners,donor,participants,key_factors,description\n"
        f"A1,Workshop,meeting,2024-01-01,{CLEAR_TOKEN},,ongoing,,{CLEAR_TOKEN},{CLEAR_TOKEN},,{CLEAR_TOKEN}\n",
        activities_stored, (0, 1, 0),
        [("A1", "Workshop", "meeting", date(2024, 1, 1), None, "remote", "ongoing", None, None, None, ["GTM", "SLE"], [1, 7])],
        id="activities-change-keep-clear",
    ),
    pytest.param(
        REFERENCE, ("results.csv", RESULTS),
        "indicator,partner,period,target,actual,baseline,baseline_year,comment\n"
        "IND1,GTM,2024,,3.75,2,2023,\n"
        f"IND2,SLE,2024-H1,{CLEAR_TOKEN},50,,,{CLEAR_TOKEN}\n"
        f"IND3,,2024,,{CLEAR_TOKEN},,,\n",
        values_stored, (0, 3, 0),
        [("IND1", "GTM", date(2024, 1, 1), date(2024, 12, 31), 4.0, 3.75, None, None, "round 1"),
         ("IND2", "SLE", date(2024, 1, 1), date(2024, 6, 30), None, 50.0, None, None, None),
         ("IND3", "", date(2024, 1, 1), date(2024, 12, 31), None, None, "Adopted", None, None)],
        id="results-change-keep-clear",
    ),
    pytest.param(
        REFERENCE, ("results.csv", RESULTS),
        "indicator,partner,baseline,baseline_year,comment\nIND1,GTM,2.5,2023,revised\n",
        baselines_stored, (0, 1, 0), [("IND1", "GTM", 2023, 2.5, "revised")],
        id="baseline-changed",
    ),
]


@pytest.mark.parametrize("before, first, second, read, expected_counts, expected", CHANGES)
def test_changed_empty_and_cleared_cells(engine, before, first, second, read, expected_counts, expected):
    if before:
        committed(engine, *before)
    committed(engine, first)
    report = committed(engine, (first[0], second))
    assert problems(report) == []
    assert counts(report)[:3] == expected_counts
    assert read(engine) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(f"code,name,country\nNOR,{CLEAR_TOKEN},\n", [(2, "name", "missing-cell")], id="donor-name"),
        pytest.param(f"code,name,country,region\nGTM,SAT,Guatemala,{CLEAR_TOKEN}\n", [(2, "region", "missing-cell")],
                     id="partner-region"),
        pytest.param(f"code,name,country\n{CLEAR_TOKEN},x,\n", [(2, "code", "missing-cell")], id="code"),
    ],
)
def test_clear_token_cannot_clear_required_cells(engine, text, expected):
    committed(engine, ("donors.csv", DONORS), ("partners.csv", PARTNERS))
    content = database_content(engine)
    report = import_csv(engine, ("upload.csv", text))
    assert problems(report) == expected
    assert database_content(engine) == content


# --- codes: trimmed, matched case-insensitively ---------------------------------------------------

@pytest.mark.parametrize(
    "text, expected_counts",
    [
        pytest.param("code,name,country,region,joined_on,status\ngtm,SAT Guatemala,Guatemala,AME,2020-01-15,active\n",
                     (0, 0, 1), id="lower-case"),
        pytest.param('code,name,country,region,joined_on,status\n"  Gtm ",SAT Guatemala,guatemala,ame,2020-01-15,ACTIVE\n',
                     (0, 0, 1), id="padded-mixed-case"),
        pytest.param("code,name,country,region\ngtm,SAT,GT,AME\n", (0, 1, 0), id="lower-case-changed"),
    ],
)
def test_codes_matched_case_insensitively_and_trimmed(engine, text, expected_counts):
    committed(engine, ("partners.csv", PARTNERS))
    report = committed(engine, ("partners.csv", text))
    assert counts(report)[:3] == expected_counts
    assert [r[0] for r in partners_stored(engine)] == ["GTM", "SLE"]  # the stored spelling stays


def test_references_matched_case_insensitively_and_trimmed(engine):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", "indicator,partner,period,actual\nind2, sle ,2024-H1,50\n"))
    committed(engine, ("results.csv", 'indicator,partner,period,actual\n" IND2","Sle",2024-h1,50\n'))
    assert values_stored(engine) == [("IND2", "SLE", date(2024, 1, 1), date(2024, 6, 30), None, 50.0, None, None, None)]


def test_duplicate_codes_differing_in_case_refused(engine):
    report = import_csv(engine, ("donors.csv", "code,name\nNOR,Norad\nnor,Norad again\n"))
    assert problems(report) == [(3, "code", "duplicate-key")]
    assert "row 2" in report.issues[0].message
    assert donors_stored(engine) == []


# --- batches ------------------------------------------------------------------------------------

def test_batch_that_changes_nothing_is_not_stored(engine):
    committed(engine, ("donors.csv", DONORS))
    before = history(engine).to_dict("records")
    report = committed(engine, ("donors.csv", DONORS))
    assert (report.status, report.batch_id, counts(report)) == ("committed", None, (0, 0, 2, 0))
    assert history(engine).to_dict("records") == before
    assert len(before) == 1


def test_batch_records_files_kinds_and_counts(engine):
    committed(engine, ("donors.csv", DONORS))
    report = committed(engine, ("donors.csv", "code,name,country\nNOR,Norad,Norway\nCAN,GAC,Canada\nSWE,Sida,Sweden\n"),
                       source="upload")
    last = history(engine).iloc[0]
    assert (int(last["id"]), last["files"], last["kinds"], int(last["created"]), int(last["updated"]),
            int(last["unchanged"]), last["status"], last["source"], last["user"]) == (
        report.batch_id, ["donors.csv"], "donors", 1, 1, 1, "committed", "upload", "tester")


DRY_RUNS = [
    pytest.param([], [("donors.csv", DONORS)], id="donors-new"),
    pytest.param([("donors.csv", DONORS)], [("donors.csv", "code,name\nNOR,Norad!\nCAN,Global Affairs Canada\nSWE,Sida\n")],
                 id="donors-mixed"),
    pytest.param(REFERENCE, [("results.csv", RESULTS)], id="results-new"),
    pytest.param([*REFERENCE, ("results.csv", RESULTS)],
                 [("results.csv", "indicator,partner,period,target,actual\nIND1,GTM,2024,4,4.5\nIND2,SLE,2024-H2,40,\nIND9,SLE,2024,1,\n")],
                 id="results-with-error"),
    pytest.param([], [("results.csv", RESULTS), *REFERENCE, ("activities.csv", ACTIVITIES)], id="multi-file"),
    pytest.param([("donors.csv", DONORS), ("partners.csv", PARTNERS)],
                 [("activities.csv", ACTIVITIES.replace("GTM;SLE", "SLE"))], id="activities-first-then-links"),
]


@pytest.mark.parametrize("before, files", DRY_RUNS)
def test_dry_run_reports_what_commit_does_and_writes_nothing(engine, before, files):
    if before:
        committed(engine, *before)
    content = database_content(engine)
    dry = import_csv(engine, *files, dry_run=True)
    assert database_content(engine) == content
    real = import_csv(engine, *files)
    assert dry.status == ("dry-run" if real.status == "committed" else "rejected")
    assert dry.batch_id is None
    assert counts(dry) == counts(real)
    assert [i.as_dict() for i in dry.issues] == [i.as_dict() for i in real.issues]
    assert dry.rows.to_dict("records") == real.rows.to_dict("records")


def test_multi_file_call_in_dependency_order_is_one_batch(engine):
    files = [
        ("results.csv", "indicator,partner,period,actual\nIND2,NEW,2024,12\n"),
        ("partners.csv", "code,name,country,region\nNEW,New Customs,Kenya,ESA\n"),
        ("indicators.csv", "code,name,level,measure,ascending\nIND2,Release time,outcome,unit,false\n"),
    ]
    report = committed(engine, *files)
    assert counts(report) == (3, 0, 0, 0)
    assert [f["kind"] for f in report.files] == ["results", "partners", "indicators"]
    batches = history(engine)
    assert len(batches) == 1
    assert (batches.iloc[0]["files"], batches.iloc[0]["kinds"]) == (
        ["results.csv", "partners.csv", "indicators.csv"], "results,partners,indicators")
    assert values_stored(engine) == [("IND2", "NEW", date(2024, 1, 1), date(2024, 12, 31), None, 12.0, None, None, None)]
    batch_ids = {
        stored(engine, select(Partner.batch_id).where(Partner.code == "NEW"))[0][0],
        stored(engine, select(Indicator.batch_id))[0][0],
        stored(engine, select(Value.batch_id))[0][0],
    }
    assert batch_ids == {report.batch_id}


def test_multi_file_call_error_in_one_file_writes_nothing(engine):
    content = database_content(engine)
    report = import_csv(
        engine,
        ("partners.csv", "code,name,country,region\nNEW,New Customs,Kenya,ESA\n"),
        ("results.csv", "indicator,partner,period,actual\nIND2,NEW,2024,12\n"),
    )
    assert report.status == "rejected"
    assert [(i.file, i.row, i.column, i.check) for i in report.issues] == [("results.csv", 2, "indicator", "unknown-reference")]
    assert database_content(engine) == content

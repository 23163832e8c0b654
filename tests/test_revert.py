"""Revert undoes one batch exactly, or refuses naming the batches in the way (DESIGN.md,
"Import rules": Revert)."""

import pytest
from sqlalchemy import select

from models.batches import history, revert_batch
from models.tables import Activity, ActivityKeyFactor, ActivityPartner, ImportBatch, Partner

from helpers import PROGRAMME_TABLES, committed, database_content, problems, stored

DONORS = "code,name,country\nNOR,Norad,Norway\nCAN,Global Affairs Canada,Canada\n"
PARTNERS = (
    "code,name,country,region,joined_on,status\n"
    "GTM,SAT Guatemala,Guatemala,AME,2020-01-15,active\n"
    "SLE,National Revenue Authority,Sierra Leone,WCA,2019-03-01,inactive\n"
    "TZA,Tanzania Revenue Authority,Tanzania,ESA,,\n"
)
FUNDING = "donor,phase,partner,amount,currency,start,end\nNOR,1,,5000000,EUR,2019-01-01,2025-09-30\nNOR,1,GTM,1000,EUR,,\n"
FRAMEWORK = "code,title,level,parent\nIMP,Impact,impact,\nIMP2,Second impact,impact,\nOC1,Outcome,outcome,IMP\n"
INDICATORS = (
    "code,name,level,measure,ascending,unit,key_factor,result,description,cumulative,scale_min,scale_max\n"
    "IND1,Perception score,outcome,ordinal,true,score,9,OC1,Mean score,false,1,5\n"
    "IND2,Release time,outcome,unit,false,hours,5,OC1,Lower is better,false,,\n"
    "IND3,Code adopted,other,qualitative,true,,,,,,,\n"
)
ACTIVITIES = (
    "code,title,type,start,end,mode,status,partners,donor,participants,key_factors,description\n"
    "A1,Workshop,meeting,2024-01-01,2024-01-02,remote,completed,GTM;SLE,NOR,20,1;7,First\n"
    "A2,Survey,survey,2024-03-01,,,planned,,,,,\n"
)
RESULTS = (
    "indicator,partner,period,target,actual,baseline,baseline_year,comment\n"
    "IND1,GTM,2024,4,3.5,2,2023,round 1\n"
    "IND2,SLE,2024-H1,48,50,,,\n"
    "IND3,,2024,Adopted,Drafted,,,\n"
)
BATCH_A = [("donors.csv", DONORS), ("partners.csv", PARTNERS), ("funding.csv", FUNDING), ("framework.csv", FRAMEWORK),
           ("indicators.csv", INDICATORS), ("activities.csv", ACTIVITIES), ("results.csv", RESULTS)]

# Batch B updates some rows of every table and creates others.
BATCH_B = [
    ("donors.csv", "code,name,country\nNOR,Norad (Norway),[clear]\nSWE,Sida,Sweden\n"),
    ("partners.csv", "code,name,country,region,joined_on,status\nGTM,SAT,Guatemala,AME,[clear],inactive\n"
                     "KEN,Kenya Revenue Authority,Kenya,ESA,2024-01-01,\n"),
    ("funding.csv", "donor,phase,partner,amount,currency,start,end\nNOR,1,,5500000,,,2026-12-31\nNOR,1,GTM,[clear],,,\n"
                    "SWE,1,,100,SEK,,\nSWE,1,KEN,,,,\n"),
    ("framework.csv", "code,title,level,parent\nOC1,Outcome (revised),outcome,IMP2\nOC2,New outcome,outcome,IMP\n"),
    ("indicators.csv", "code,name,level,measure,ascending,unit,key_factor,result,description,cumulative,scale_min,scale_max\n"
                       "IND1,Perception score,outcome,ordinal,true,,[clear],OC2,,,0,10\n"
                       "IND2,Release time,outcome,unit,false,hours,5,OC1,Lower is better,true,,\n"
                       "IND4,New,outcome,unit,true,,,OC2,,,,\n"),
    ("activities.csv", "code,title,type,start,end,mode,status,partners,donor,participants,key_factors,description\n"
                       "A1,Workshop (moved),meeting,2024-02-01,[clear],hybrid,,TZA|KEN,SWE,25,3,\n"
                       "A2,Survey,survey,2024-03-01,,,planned,GTM,,,2;4,\n"
                       "A3,New activity,e-learning,2024-05-01,,,,KEN,,,,\n"),
    ("results.csv", "indicator,partner,period,target,actual,baseline,baseline_year,comment\n"
                    "IND1,GTM,2024,,3.75,2.5,2023,[clear]\n"
                    "IND2,SLE,2024-H1,[clear],55,,,late\n"
                    "IND3,,2024,,Adopted,,,\n"
                    "IND2,KEN,2024,12,,,,\n"
                    "IND1,GTM,2025,4.5,,,,\n"),
]

def reverted(engine, batch_id):
    report = revert_batch(engine, batch_id, user="admin@example.org")
    assert report.status == "reverted", report.issues
    return report


def refused(engine, batch_id):
    report = revert_batch(engine, batch_id, user="admin@example.org")
    assert report.status == "refused"
    return report


def batch_status(engine):
    return stored(engine, select(ImportBatch.id, ImportBatch.status, ImportBatch.source, ImportBatch.reverts)
                  .order_by(ImportBatch.id))


# --- exact revert ------------------------------------------------------------------------------

def test_batch_b_touches_every_table(engine):
    committed(engine, *BATCH_A)
    after_a = database_content(engine, PROGRAMME_TABLES)
    b = committed(engine, *BATCH_B)
    after_b = database_content(engine, PROGRAMME_TABLES)
    changed = {name for name in after_a if after_a[name] != after_b[name]}
    assert changed == set(after_a)
    assert (b.created, b.updated) == (1 + 1 + 2 + 1 + 1 + 1 + 2, 1 + 1 + 2 + 1 + 2 + 2 + 3)  # indicators: IND1 and IND2 change


def test_revert_restores_every_value_exactly(engine):
    committed(engine, *BATCH_A)
    after_a = database_content(engine, PROGRAMME_TABLES)
    b = committed(engine, *BATCH_B)
    report = reverted(engine, b.batch_id)
    assert database_content(engine, PROGRAMME_TABLES) == after_a
    assert (report.restored, report.deleted) == (13, 9)


@pytest.mark.parametrize("file_index", range(len(BATCH_B)), ids=[name for name, _ in BATCH_B])
def test_revert_each_kind_alone(engine, file_index):
    committed(engine, *BATCH_A)
    committed(engine, ("donors.csv", "code,name\nSWE,Sida\n"), ("partners.csv", "code,name,country,region\nKEN,KRA,Kenya,ESA\n"),
              ("framework.csv", "code,title,level,parent\nOC2,New outcome,outcome,IMP\n"))
    before = database_content(engine, PROGRAMME_TABLES)
    b = committed(engine, BATCH_B[file_index])
    reverted(engine, b.batch_id)
    assert database_content(engine, PROGRAMME_TABLES) == before


def test_revert_restores_activity_link_sets(engine):
    committed(engine, ("donors.csv", DONORS), ("partners.csv", PARTNERS))
    committed(engine, ("activities.csv", ACTIVITIES))
    links = sorted(stored(engine, select(Activity.code, Partner.code).join(ActivityPartner, ActivityPartner.activity_id == Activity.id)
                          .join(Partner, Partner.id == ActivityPartner.partner_id)))
    factors = sorted(stored(engine, select(Activity.code, ActivityKeyFactor.key_factor)
                            .join(ActivityKeyFactor, ActivityKeyFactor.activity_id == Activity.id)))
    assert (links, factors) == ([("A1", "GTM"), ("A1", "SLE")], [("A1", 1), ("A1", 7)])
    b = committed(engine, ("activities.csv", "code,title,type,start,partners,key_factors\n"
                                             "A1,Workshop,meeting,2024-01-01,TZA,3|4\nA2,Survey,survey,2024-03-01,GTM;TZA,9\n"))
    assert b.updated == 2
    reverted(engine, b.batch_id)
    assert sorted(stored(engine, select(Activity.code, Partner.code).join(ActivityPartner, ActivityPartner.activity_id == Activity.id)
                         .join(Partner, Partner.id == ActivityPartner.partner_id))) == links
    assert sorted(stored(engine, select(Activity.code, ActivityKeyFactor.key_factor)
                         .join(ActivityKeyFactor, ActivityKeyFactor.activity_id == Activity.id))) == factors


def test_revert_restores_parent_changed_with_title(engine):
    committed(engine, ("framework.csv", FRAMEWORK))
    before = database_content(engine, PROGRAMME_TABLES)
    b = committed(engine, ("framework.csv", "code,title,level,parent\nOC1,Outcome (revised),outcome,IMP2\n"))
    assert b.updated == 1
    reverted(engine, b.batch_id)
    assert database_content(engine, PROGRAMME_TABLES) == before


def test_revert_of_first_batch_empties_the_database(engine):
    empty = database_content(engine, PROGRAMME_TABLES)
    a = committed(engine, *BATCH_A)
    reverted(engine, a.batch_id)
    assert database_content(engine, PROGRAMME_TABLES) == empty


def test_revert_is_recorded_as_a_batch(engine):
    a = committed(engine, ("donors.csv", DONORS))
    b = committed(engine, ("donors.csv", "code,name\nNOR,Norad!\nSWE,Sida\n"))
    report = reverted(engine, b.batch_id)
    assert report.revert_batch_id not in (None, a.batch_id, b.batch_id)
    assert batch_status(engine) == [
        (a.batch_id, "committed", "cli", None),
        (b.batch_id, "reverted", "cli", None),
        (report.revert_batch_id, "committed", "revert", b.batch_id),
    ]
    last = history(engine).iloc[0]
    assert (last["user"], last["files"], int(last["updated"]), int(last["deleted"])) == (
        "admin@example.org", ["donors.csv"], 1, 1)


def test_reverted_batch_can_be_imported_again(engine):
    committed(engine, ("donors.csv", DONORS))
    b = committed(engine, ("donors.csv", "code,name\nNOR,Norad!\nSWE,Sida\n"))
    reverted(engine, b.batch_id)
    again = committed(engine, ("donors.csv", "code,name\nNOR,Norad!\nSWE,Sida\n"))
    assert (again.created, again.updated) == (1, 1)


# --- refusals ---------------------------------------------------------------------------------

LATER_CHANGES = [
    pytest.param(("donors.csv", "code,name\nNOR,Norad (again)\n"), id="donor"),
    pytest.param(("partners.csv", "code,name,country,region\nGTM,SAT 2,Guatemala,AME\n"), id="partner"),
    pytest.param(("results.csv", "indicator,partner,period,actual\nIND2,SLE,2024-H1,60\n"), id="value"),
    pytest.param(("activities.csv", "code,title,type,start,partners\nA1,Workshop,meeting,2024-01-01,SLE\n"), id="activity-links"),
    pytest.param(("framework.csv", "code,title,level,parent\nOC1,Outcome,outcome,IMP\n"), id="framework-parent"),
]


@pytest.mark.parametrize("later", LATER_CHANGES)
def test_revert_refused_when_later_batch_changed_same_rows(engine, later):
    committed(engine, *BATCH_A)
    b = committed(engine, *BATCH_B)
    c = committed(engine, later)
    before = database_content(engine, PROGRAMME_TABLES)
    report = refused(engine, b.batch_id)
    assert {i.check for i in report.issues} == {"dependent-rows"}
    assert all(str(c.batch_id) in i.message for i in report.issues)
    assert database_content(engine, PROGRAMME_TABLES) == before
    assert [s[1] for s in batch_status(engine)] == ["committed", "committed", "committed"]
    # once the later batch is reverted, the earlier one can be
    reverted(engine, c.batch_id)
    reverted(engine, b.batch_id)


DEPENDENTS = [
    pytest.param(("results.csv", "indicator,partner,period,actual\nIND2,NEW,2024,5\n"), id="value-for-new-partner"),
    pytest.param(("results.csv", "indicator,partner,baseline,baseline_year\nIND2,NEW,5,2020\n"), id="baseline-for-new-partner"),
    pytest.param(("activities.csv", "code,title,type,start,partners\nA9,New,meeting,2024-01-01,NEW\n"), id="activity-with-new-partner"),
    pytest.param(("funding.csv", "donor,partner\nNOR,NEW\n"), id="funding-of-new-partner"),
]


@pytest.mark.parametrize("later", DEPENDENTS)
def test_revert_refused_when_later_batches_depend_on_created_rows(engine, later):
    committed(engine, ("donors.csv", DONORS), ("indicators.csv", "code,name,level,measure,ascending\nIND2,x,outcome,unit,true\n"))
    b = committed(engine, ("partners.csv", "code,name,country,region\nNEW,New Customs,Kenya,ESA\n"))
    c = committed(engine, later)
    before = database_content(engine, PROGRAMME_TABLES)
    report = refused(engine, b.batch_id)
    assert problems(report) == [(0, "", "dependent-rows")]
    assert str(c.batch_id) in report.issues[0].message
    assert database_content(engine, PROGRAMME_TABLES) == before


def test_revert_refused_when_later_framework_hangs_on_created_result(engine):
    b = committed(engine, ("framework.csv", "code,title,level\nIMP,Impact,impact\n"))
    c = committed(engine, ("framework.csv", "code,title,level,parent\nOC1,Outcome,outcome,IMP\n"),
                  ("indicators.csv", "code,name,level,measure,ascending,result\nI1,x,impact,unit,true,IMP\n"))
    report = refused(engine, b.batch_id)
    assert [i.check for i in report.issues] == ["dependent-rows", "dependent-rows"]
    assert all(str(c.batch_id) in i.message for i in report.issues)


@pytest.mark.parametrize(
    "which, expected_check, words",
    [
        pytest.param("unknown", "unknown-reference", "no batch", id="unknown"),
        pytest.param("reverted", "not-permitted", "already reverted", id="already-reverted"),
        pytest.param("revert", "not-permitted", "itself a revert", id="a-revert"),
    ],
)
def test_revert_refused_for_unknown_or_reverted_batches(engine, which, expected_check, words):
    committed(engine, ("donors.csv", DONORS))
    b = committed(engine, ("donors.csv", "code,name\nSWE,Sida\n"))
    first = reverted(engine, b.batch_id)
    target = {"unknown": 999, "reverted": b.batch_id, "revert": first.revert_batch_id}[which]
    before = (database_content(engine, PROGRAMME_TABLES), batch_status(engine))
    report = refused(engine, target)
    assert problems(report) == [(0, "", expected_check)]
    assert words in report.issues[0].message
    assert (database_content(engine, PROGRAMME_TABLES), batch_status(engine)) == before


@pytest.mark.parametrize(
    "files",
    [
        pytest.param([("results_a.csv", "indicator,partner,period,actual\nIND2,GTM,2024,5\n"),
                      ("results_b.csv", "indicator,partner,period,actual\nIND2,GTM,2024,6\n")], id="two-results-files"),
        pytest.param([("donors_a.csv", "code,name\nSWE,Sida\nNOR,Norad!\n"),
                      ("donors_b.csv", "code,name\nSWE,Sida (Sweden)\nNOR,Norad?\n")], id="two-donors-files"),
        pytest.param([("framework_a.csv", "code,title,level,parent\nOC9,New,outcome,IMP\n"),
                      ("framework_b.csv", "code,title,level,parent\nOC9,New (revised),outcome,IMP2\nOC1,Outcome,outcome,IMP2\n"),
                      ("framework_c.csv", "code,title,level,parent\nOC1,Outcome!,outcome,OC9\n")], id="three-framework-files"),
        pytest.param([("activities_a.csv", "code,title,type,start,partners\nA9,New,meeting,2024-01-01,GTM\nA1,Workshop,meeting,2024-01-01,TZA\n"),
                      ("activities_b.csv", "code,title,type,start,partners\nA9,New,meeting,2024-01-01,SLE\nA1,Workshop,meeting,2024-01-01,SLE\n")],
                     id="two-activities-files"),
    ],
)
def test_revert_when_files_of_one_call_write_the_same_rows(engine, files):
    committed(engine, *BATCH_A)
    before = database_content(engine, PROGRAMME_TABLES)
    b = committed(engine, *files)
    reverted(engine, b.batch_id)
    assert database_content(engine, PROGRAMME_TABLES) == before

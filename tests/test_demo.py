"""The demo programme (DESIGN.md, "Layout: seeds/" and "Import rules": `init --demo`): seed
files loaded through the import engine, once, as a batch with source 'demo'."""
from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from sqlalchemy import distinct, func, select

from models.access import LOCAL_ADMIN
from models.demo import SEEDS_DIR, load_demo, seed_files
from models.queries.snapshot import load_snapshot
from models.tables import (
    Activity,
    ActivityPartner,
    Donor,
    Funding,
    ImportBatch,
    Indicator,
    Partner,
    Value,
)


def scalar(engine, stmt):
    with engine.connect() as conn:
        return conn.scalar(stmt)


def rows(engine, stmt):
    with engine.connect() as conn:
        return conn.execute(stmt).all()


REAL_PARTNER = Partner.code != ""


@pytest.mark.parametrize(
    "label, stmt, minimum",
    [
        ("partners (not the programme level)", select(func.count()).select_from(Partner).where(REAL_PARTNER), 20),
        ("regions with partners", select(func.count(distinct(Partner.region))).where(REAL_PARTNER), 4),
        ("indicators", select(func.count()).select_from(Indicator), 8),
        ("key factors with indicators", select(func.count(distinct(Indicator.key_factor))), 4),
        ("activities", select(func.count()).select_from(Activity), 20),
        ("values", select(func.count()).select_from(Value), 100),
    ],
)
def test_demo_size(demo_engine, label, stmt, minimum):
    assert scalar(demo_engine, stmt) >= minimum, label


def test_both_donors(demo_engine):
    assert sorted(rows(demo_engine, select(Donor.code, Donor.country))) == [("CAN", "CAN"), ("NOR", "NOR")]


def test_the_2022_coordinators_meeting(demo_engine):
    found = rows(demo_engine, select(Activity.start, Activity.end, Activity.participants, Activity.type, Activity.mode)
                 .where(Activity.start == date(2022, 2, 7)))
    assert found == [(date(2022, 2, 7), date(2022, 2, 9), 80, "meeting", "remote")]
    partners = scalar(demo_engine, select(func.count()).select_from(ActivityPartner).join(Activity, Activity.id == ActivityPartner.activity_id)
                      .where(Activity.start == date(2022, 2, 7)))
    assert partners >= 20


def test_every_partner_has_a_funding_link(demo_engine):
    unfunded = rows(demo_engine, select(Partner.code).where(REAL_PARTNER, ~Partner.id.in_(select(Funding.partner_id))).order_by(Partner.code))
    assert unfunded == []


def test_every_measure_and_a_descending_indicator(demo_engine):
    assert {m for (m,) in rows(demo_engine, select(Indicator.measure).distinct())} == {"unit", "percentage", "ordinal", "qualitative"}
    assert scalar(demo_engine, select(func.count()).select_from(Indicator).where(Indicator.ascending.is_(False))) >= 1
    assert rows(demo_engine, select(Indicator.code).where(Indicator.measure == "ordinal", Indicator.scale_min.is_(None) | Indicator.scale_max.is_(None))) == []


def test_every_measure_has_values(demo_engine):
    counts = dict(rows(demo_engine, select(Indicator.measure, func.count()).join(Value, Value.indicator_id == Indicator.id).group_by(Indicator.measure)))
    assert set(counts) == {"unit", "percentage", "ordinal", "qualitative"}
    qualitative = rows(demo_engine, select(Value.actual, Value.actual_text).join(Indicator, Indicator.id == Value.indicator_id)
                       .where(Indicator.measure == "qualitative", Value.actual_text.is_not(None)).limit(1))
    assert len(qualitative) == 1 and qualitative[0][0] is None


def test_ordinal_values_disaggregated_by_respondent_group(demo_engine):
    groups = rows(demo_engine, select(Value.dimension, Value.dimension_value).distinct().join(Indicator, Indicator.id == Value.indicator_id)
                  .where(Indicator.measure == "ordinal"))
    assert sorted(set(groups)) == [("respondent", "customs officers"), ("respondent", "private sector")]


def test_some_indicators_are_quarterly_against_annual_targets(demo_engine):
    """IND04 (a percentage) and IND06 (a count) are reported per quarter against annual targets."""
    freq = dict(rows(demo_engine, select(Indicator.code, Indicator.frequency)))
    assert {c for c, f in freq.items() if f == "quarterly"} == {"IND04", "IND06", "IND10"}
    assert {f for c, f in freq.items() if c not in ("IND04", "IND06", "IND10")} == {"annual"}
    found = rows(demo_engine, select(Indicator.code, Partner.code, Value.period_start, Value.period_end, Value.target, Value.actual)
                 .join(Indicator, Indicator.id == Value.indicator_id).join(Partner, Partner.id == Value.partner_id)
                 .where(Indicator.code.in_(["IND04", "IND06"]), Value.dimension == ""))
    quarters = {(i, p, s.year) for i, p, s, e, t, a in found if (e - s).days < 100 and a is not None}
    assert len({i for i, _, _ in quarters}) == 2 and min(y for _, _, y in quarters) == 2024
    annual = {(i, p, s.year): (t, a) for i, p, s, e, t, a in found if (s.month, s.day, e.month, e.day) == (1, 1, 12, 31)}
    for key in quarters:  # the year holds a target and no annual actual: the quarters make the year's figure
        assert annual[key][0] is not None and annual[key][1] is None, key
    targets_in_quarters = [r for r in found if (r[3] - r[2]).days < 100 and r[4] is not None]
    assert targets_in_quarters == []


def test_officers_trained_by_sex_add_up(demo_engine):
    """IND06 quarters are split by sex: women + men = the quarter's total; some partners send only the split."""
    found = rows(demo_engine, select(Partner.code, Value.period_start, Value.dimension, Value.dimension_value, Value.actual)
                 .join(Indicator, Indicator.id == Value.indicator_id).join(Partner, Partner.id == Value.partner_id)
                 .where(Indicator.code == "IND06", Value.actual.is_not(None)))
    totals = {(p, s): a for p, s, d, dv, a in found if d == ""}
    split: dict = {}
    for p, s, d, dv, a in found:
        if d:
            assert (d, dv) in (("sex", "women"), ("sex", "men"))
            split.setdefault((p, s), {})[dv] = a
    assert len(split) >= 50
    assert all(set(parts) == {"women", "men"} for parts in split.values())
    with_total = [k for k in split if k in totals]
    assert with_total and all(split[k]["women"] + split[k]["men"] == totals[k] for k in with_total)
    only_split = {p for p, s in split if (p, s) not in totals}
    assert len(only_split) >= 3


def test_demo_loads_without_a_problem(engine):
    report = load_demo(engine)
    assert (report.status, report.issues) == ("committed", [])


def test_programme_level_values(demo_engine):
    n = scalar(demo_engine, select(func.count()).select_from(Value).join(Partner, Partner.id == Value.partner_id).where(Partner.code == ""))
    assert n >= 1


def test_demo_batch(demo_engine):
    batches = rows(demo_engine, select(ImportBatch.user, ImportBatch.source, ImportBatch.status, ImportBatch.files, ImportBatch.kinds))
    assert len(batches) == 1
    user, source, status, files, kinds = batches[0]
    assert (user, source, status) == ("demo", "demo", "committed")
    assert json.loads(files) == [p.name for p in seed_files()]
    assert kinds == "donors,partners,funding,framework,indicators,activities,results"
    assert load_snapshot(demo_engine).is_demo  # the dashboard's 'illustrative data' label
    assert scalar(demo_engine, select(func.count()).select_from(Value).where(Value.batch_id.is_(None))) == 0


def test_second_load_changes_nothing(demo_engine):
    before = scalar(demo_engine, select(func.count()).select_from(Value))
    assert load_demo(demo_engine) is None
    assert scalar(demo_engine, select(func.count()).select_from(Value)) == before
    assert scalar(demo_engine, select(func.count()).select_from(ImportBatch)) == 1


def test_changed_seed_files_never_reach_a_database_with_data(demo_engine, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    donors = seeds / "01_donors.csv"
    donors.write_text(donors.read_text() + "SWE,Sida,Sweden\n")
    before = scalar(demo_engine, select(func.count()).select_from(Donor))
    assert load_demo(demo_engine, seeds) is None
    assert scalar(demo_engine, select(func.count()).select_from(Donor)) == before
    assert scalar(demo_engine, select(func.count()).select_from(ImportBatch)) == 1


@pytest.mark.parametrize("csv", [
    "code,name\nHD1,Holdout Donor One\n",                              # a donor alone
    "code,name,country,region\nXXA,Some Customs,Ghana,WCA\n",          # a partner alone
    "code,title,level\nOC9,An outcome,outcome\n",                      # a framework entry alone
])
def test_the_demo_never_loads_over_programme_data(engine, csv):
    from models.importing import Upload, import_files

    assert import_files(engine, [Upload("mine.csv", csv.encode())], user="someone", scope=LOCAL_ADMIN).status == "committed"
    assert load_demo(engine) is None
    assert scalar(engine, select(func.count()).select_from(ImportBatch)) == 1
    assert not load_snapshot(engine).is_demo


def test_demo_not_shown_after_revert(demo_engine):
    from models.batches import revert_batch

    batch_id = scalar(demo_engine, select(ImportBatch.id))
    assert revert_batch(demo_engine, batch_id, user="admin").status == "reverted"
    assert not load_snapshot(demo_engine).is_demo
    assert scalar(demo_engine, select(func.count()).select_from(Value)) == 0

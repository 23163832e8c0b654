"""Period locking (DESIGN.md, "Access": Period locking): `resultsboard lock --through DATE`
(admins only) closes reporting; every write path that would create, change or delete a value
whose period ends on or before it is refused whole (`locked-period`, naming row and column),
nothing written; later periods still import; moving the lock is an audit event."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from models.batches import revert_batch
from models.locking import current_lock
from models.tables import AuditEvent
from models.users import save_user

from helpers import committed, database_content, import_csv, problems, values_stored

PARTNERS = "code,name,country,region\nGTM,SAT Guatemala,Guatemala,AME\nSLE,National Revenue Authority,Sierra Leone,WCA\n"
FRAMEWORK = "code,title,level,parent\nOC1,Outcome,outcome,\n"
INDICATOR_HEADER = "code,name,level,measure,ascending,unit,key_factor,result,scale_min,scale_max\n"
INDICATORS = INDICATOR_HEADER + "IND1,Releases,outcome,unit,true,count,,OC1,,\nIND2,Score,outcome,ordinal,true,,,OC1,1,5\n"
RESULTS_HEADER = "indicator,partner,period,target,actual,baseline,baseline_year\n"
RESULTS = RESULTS_HEADER + "IND1,GTM,2023,10,5,2,2022\nIND1,GTM,2024,10,8,,\nIND2,GTM,2024,4,3,,\n"
LATER = RESULTS_HEADER + "IND1,GTM,2024,,9,,\nIND1,SLE,2025,12,,,\n"

# (case, file name, text) -> the problems: every write that touches a locked value
REFUSED = [
    ("change an actual", "results.csv", RESULTS_HEADER + "IND1,GTM,2023,,6,,\n", [(2, "period", "locked-period")]),
    ("create a value", "results.csv", RESULTS_HEADER + "IND1,SLE,2023,,3,,\n", [(2, "period", "locked-period")]),
    ("clear a target", "results.csv", RESULTS_HEADER + "IND1,GTM,2023,[clear],,,\n", [(2, "period", "locked-period")]),
    ("a quarter ending on the lock day", "results.csv", RESULTS_HEADER + "IND1,SLE,2023-Q4,,1,,\n",
     [(2, "period", "locked-period")]),
    ("period_end column", "results.csv",
     "indicator,partner,period_start,period_end,actual\nIND1,GTM,2023-01-01,2023-12-31,7\n",
     [(2, "period_end", "locked-period")]),
    ("change a baseline", "results.csv", RESULTS_HEADER + "IND1,GTM,,,,3,2022\n", [(2, "baseline_year", "locked-period")]),
    ("create a baseline", "results.csv", RESULTS_HEADER + "IND1,SLE,,,,1,2021\n", [(2, "baseline_year", "locked-period")]),
    ("one locked row refuses the whole file", "results.csv", RESULTS_HEADER + "IND1,GTM,2025,10,1,,\nIND1,GTM,2023,,6,,\n",
     [(3, "period", "locked-period")]),
    ("re-score locked values: direction", "indicators.csv", INDICATOR_HEADER + "IND1,Releases,outcome,unit,false,count,,OC1,,\n",
     [(2, "ascending", "locked-period")]),
]


def url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def locked(engine, run_cli):
    """A programme with values in 2023 (and a 2022 baseline) and 2024, locked through 2023."""
    committed(engine, ("partners.csv", PARTNERS), ("framework.csv", FRAMEWORK), ("indicators.csv", INDICATORS))
    assert committed(engine, ("results.csv", RESULTS)).batch_id == 2
    result = run_cli(url(engine), "lock", "--through", "2023-12-31")
    assert result.returncode == 0, result.stderr
    return engine


@pytest.mark.parametrize("case, name, text, expected", REFUSED, ids=[c[0] for c in REFUSED])
def test_an_import_touching_a_locked_period_is_refused_whole(locked, case, name, text, expected):
    before = database_content(locked)
    report = import_csv(locked, (name, text))
    assert report.status == "rejected"
    assert [p for p in problems(report) if p[2] == "locked-period"] == expected
    assert "2023-12-31" in report.issues[0].message and "resultsboard lock" in report.issues[0].message
    assert database_content(locked) == before


def test_later_periods_and_unchanged_locked_rows_still_import(locked):
    report = committed(locked, ("results.csv", LATER + "IND1,GTM,2023,10,5,2,2022\n"))
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert ("IND1", "GTM", date(2024, 1, 1), date(2024, 12, 31), "", "", 10.0, 9.0) in [v[:8] for v in values_stored(locked)]
    # an indicator change that does not re-score (its name) goes through
    committed(locked, ("indicators.csv", INDICATOR_HEADER + "IND1,Releases (all),outcome,unit,true,count,,OC1,,\n"))


def test_a_revert_touching_a_locked_period_is_refused_whole(locked):
    before = database_content(locked)
    first = revert_batch(locked, 2, user="tester")
    assert first.status == "refused"
    assert {(i.column, i.check) for i in first.issues} == {("period_end", "locked-period"), ("baseline_year", "locked-period")}
    assert any("IND1 of GTM for 2023-01-01 to 2023-12-31" in i.message for i in first.issues)
    assert database_content(locked) == before
    later = committed(locked, ("results.csv", LATER))
    assert revert_batch(locked, later.batch_id, user="tester").status == "reverted"


def test_a_revert_through_the_command_line_is_refused_with_exit_1(locked, run_cli):
    before = database_content(locked)
    result = run_cli(url(locked), "revert", "2", "--json")
    assert result.returncode == 1
    assert {i["check"] for i in json.loads(result.stdout)["issues"]} == {"locked-period"}
    assert database_content(locked) == before


def test_an_import_through_the_command_line_is_refused_with_exit_1(locked, run_cli, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(RESULTS_HEADER + "IND1,GTM,2023,,6,,\nIND1,GTM,2025,,6,,\n", encoding="utf-8")
    before = database_content(locked)
    result = run_cli(url(locked), "import", path, "--json")
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert out["status"] == "rejected"
    assert [(i["row"], i["column"], i["check"]) for i in out["issues"]] == [(2, "period", "locked-period")]
    assert database_content(locked) == before


USERS = [("admin@example.org", "admin", None, None), ("editor@example.org", "editor", None, None),
         ("partner@example.org", "partner", None, "GTM"), ("viewer@example.org", "viewer", None, None)]


@pytest.mark.parametrize("user, code", [(None, 0), ("admin@example.org", 0), ("editor@example.org", 1),
                                        ("partner@example.org", 1), ("viewer@example.org", 1), ("nobody@example.org", 1)])
def test_only_an_admin_can_lock(engine, run_cli, user, code):
    committed(engine, ("partners.csv", PARTNERS))
    for email, role, donor, partner in USERS:
        save_user(engine, email, role, donor=donor, partner=partner, by="tester", create=True)
    args = ["lock", "--through", "2023"] + (["--user", user] if user else [])
    result = run_cli(url(engine), *args)
    assert result.returncode == code, result.stderr
    lock = current_lock(engine)
    assert (lock["through"].isoformat() if lock else None) == ("2023-12-31" if code == 0 else None)
    if code:
        assert "Traceback" not in result.stderr and result.stderr.strip()


@pytest.mark.parametrize("through, code", [("2023-13-01", 2), ("last year", 2), ("2023-Q2", 0)])
def test_lock_dates(engine, run_cli, through, code):
    assert run_cli(url(engine), "lock", "--through", through).returncode == code


def test_lock_show_and_the_audit_entry(engine, run_cli):
    assert "No period is locked" in run_cli(url(engine), "lock", "--show").stdout
    assert run_cli(url(engine), "lock", "--through", "2023-12-31").returncode == 0
    assert run_cli(url(engine), "lock", "--through", "2024-06-30").returncode == 0
    shown = run_cli(url(engine), "lock", "--show")
    assert shown.returncode == 0 and "closed through 2024-06-30" in shown.stdout
    with engine.connect() as conn:
        events = conn.execute(select(AuditEvent.action, AuditEvent.detail).order_by(AuditEvent.id)).all()
    assert [(a, json.loads(d)) for a, d in events] == [
        ("lock", {"through": "2023-12-31", "previous": None}),
        ("lock", {"through": "2024-06-30", "previous": "2023-12-31"}),
    ]
    assert run_cli(url(engine), "lock", "--through", "2024-01-01", "--show").returncode == 2

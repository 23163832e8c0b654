"""Review of partner uploads (DESIGN.md, "Access": Review), through the command line on both
backends: a partner's upload is stored as pending values (`submitted`); donors keep seeing
the approved value until an editor approves (`resultsboard review BATCH --approve`, applied
as a new, revertible batch, every check run again) or returns it with a reason (discarded,
always succeeds). A partner cannot review, nor can the uploader; each act is audited."""
from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from models.access import Scope
from models.batches import history as batch_history
from models.importing import Upload, import_files
from models.locking import move_lock
from models.queries.filters import Filters
from models.queries.profiles import awaiting_review
from models.queries.snapshot import load_snapshot, view
from models.tables import AuditEvent, ImportBatch, PendingValue

from helpers import committed, database_content, stored

DONORS = "code,name,country\nNOR,Norad,Norway\n"
PARTNERS = "code,name,country,region\nGTM,SAT Guatemala,Guatemala,AME\nSLE,National Revenue Authority,Sierra Leone,WCA\n"
FUNDING = "donor,phase,partner,amount,currency,signed_on,start,end\nNOR,1,GTM,,,,2019-01-01,2025-12-31\n"
FRAMEWORK = "code,title,level,parent\nOC1,Outcome,outcome,\n"
INDICATORS = ("code,name,level,measure,ascending,unit,key_factor,result,scale_min,scale_max\n"
              "IND1,Releases,outcome,unit,true,count,,OC1,,\nIND2,Score,outcome,ordinal,true,,,OC1,1,5\n")
HEADER = "indicator,partner,period,target,actual,comment\n"
RESULTS = HEADER + "IND1,GTM,2023,10,5,\nIND1,GTM,2024,10,8,first count\nIND2,GTM,2024,4,3,\n"
PARTNER_FILE = HEADER + "IND1,GTM,2024,,9,recounted\nIND1,GTM,2025,,2,\n"
USERS = [("editor@example.org", "editor", []), ("admin@example.org", "admin", []),
         ("partner@example.org", "partner", ["--partner", "GTM"]), ("donor@example.org", "donor", ["--donor", "NOR"]),
         ("viewer@example.org", "viewer", [])]


def url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def programme(engine, run_cli):
    """GTM's 2023 and 2024 values (batch 1 holds the organisations, batch 2 the values) and one user per role."""
    committed(engine, ("donors.csv", DONORS), ("partners.csv", PARTNERS), ("funding.csv", FUNDING),
              ("framework.csv", FRAMEWORK), ("indicators.csv", INDICATORS))
    assert committed(engine, ("results.csv", RESULTS)).batch_id == 2
    for email, role, extra in USERS:
        result = run_cli(url(engine), "users", "add", email, "--role", role, *extra)
        assert result.returncode == 0, result.stderr
    return engine


def upload(engine, run_cli, tmp_path, text=PARTNER_FILE, user="partner@example.org"):
    path = tmp_path / "results.csv"
    path.write_text(text, encoding="utf-8")
    return run_cli(url(engine), "import", path, "--json", "--user", user)


def donor_sees(engine, run_cli, tmp_path) -> dict:
    """(indicator, period start) -> (actual, comment) in the donor's `export data results`."""
    out = tmp_path / "donor.csv"
    result = run_cli(url(engine), "export", "data", "results", "--format", "csv", "--out", out, "--user", "donor@example.org")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    return {(r["indicator"], r["period_start"]): (r["actual"], r["comment"]) for r in rows if r["actual"]}


def review(engine, run_cli, batch, *args, user="editor@example.org"):
    return run_cli(url(engine), "review", batch, "--json", *args, *(["--user", user] if user else []))


def history(engine, run_cli, user="editor@example.org") -> dict:
    result = run_cli(url(engine), "history", "--json", "--user", user)
    assert result.returncode == 0, result.stderr
    return {b["id"]: b for b in json.loads(result.stdout)}


def actions(engine) -> list[tuple]:
    return [(a, b, json.loads(d)) for a, b, d in stored(engine, select(AuditEvent.action, AuditEvent.batch_id, AuditEvent.detail)
                                                        .where(AuditEvent.action.like("review-%")).order_by(AuditEvent.id))]


OLD = {("IND1", "2023-01-01"): ("5.0", ""), ("IND1", "2024-01-01"): ("8.0", "first count"), ("IND2", "2024-01-01"): ("3.0", "")}
NEW = OLD | {("IND1", "2024-01-01"): ("9.0", "recounted"), ("IND1", "2025-01-01"): ("2.0", "")}


def test_a_partner_upload_reaches_the_donor_only_once_approved(programme, run_cli, tmp_path):
    before = donor_sees(programme, run_cli, tmp_path)
    assert before == OLD
    result = upload(programme, run_cli, tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["status"], report["batch_id"], report["created"], report["updated"]) == ("submitted", 3, 1, 1)
    assert "Submitted for review as batch 3" in result.stderr
    assert donor_sees(programme, run_cli, tmp_path) == OLD  # the approved value stays visible meanwhile
    assert len(stored(programme, select(PendingValue.id).where(PendingValue.batch_id == 3))) == 2
    assert history(programme, run_cli, "partner@example.org")[3]["status"] == "submitted"

    approved = review(programme, run_cli, 3, "--approve")
    assert approved.returncode == 0, approved.stdout + approved.stderr
    out = json.loads(approved.stdout)
    assert (out["status"], out["batch_id"], out["applied_batch_id"], out["rows"]) == ("approved", 3, 4, 2)
    assert donor_sees(programme, run_cli, tmp_path) == NEW
    assert stored(programme, select(PendingValue.id)) == []
    batches = history(programme, run_cli)
    assert (batches[3]["status"], batches[3]["reviewer"], batches[3]["applied_as"]) == ("approved", "editor@example.org", 4)
    assert (batches[4]["status"], batches[4]["source"], batches[4]["created"], batches[4]["updated"]) == ("committed", "review", 1, 1)
    assert actions(programme) == [("review-approve", 3, {"applied_batch": 4, "rows": 2})]
    imported = stored(programme, select(AuditEvent.detail).where(AuditEvent.action == "import", AuditEvent.batch_id == 3))
    assert json.loads(imported[0][0])["status"] == "submitted"  # the upload itself: files, SHA-256, submitted
    shown = run_cli(url(programme), "history", "--user", "partner@example.org").stdout
    assert "approved by editor@example.org as batch 4" in shown


def test_a_returned_upload_is_discarded_with_its_reason(programme, run_cli, tmp_path):
    assert json.loads(upload(programme, run_cli, tmp_path).stdout)["status"] == "submitted"
    result = review(programme, run_cli, 3, "--return", "2024 count not verified", user="admin@example.org")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout) | {"issues": []} == {"status": "returned", "batch_id": 3, "applied_batch_id": None,
                                                          "rows": 2, "reason": "2024 count not verified", "issues": []}
    assert donor_sees(programme, run_cli, tmp_path) == OLD
    assert stored(programme, select(PendingValue.id)) == []
    mine = history(programme, run_cli, "partner@example.org")[3]
    assert (mine["status"], mine["reason"], mine["reviewer"]) == ("returned", "2024 count not verified", "admin@example.org")
    assert "returned by admin@example.org: 2024 count not verified" in run_cli(url(programme), "history", "--user",
                                                                                "partner@example.org").stdout
    assert actions(programme) == [("review-return", 3, {"reason": "2024 count not verified", "rows": 2})]
    # once reviewed, a batch is not reviewed again, nor reverted
    again = review(programme, run_cli, 3, "--approve")
    assert again.returncode == 1 and "not waiting for review (it is returned)" in again.stdout
    assert run_cli(url(programme), "revert", "3").returncode == 1


@pytest.mark.parametrize("user, code, says", [
    ("partner@example.org", 1, "may not review uploads"),
    ("donor@example.org", 1, "may not review uploads"),
    ("viewer@example.org", 1, "may not review uploads"),
    ("nobody@example.org", 1, "nobody@example.org"),
    ("editor@example.org", 0, ""),
    (None, 0, ""),  # the operator, as the local admin
])
@pytest.mark.parametrize("act", [["--approve"], ["--return", "not checked"]])
def test_who_may_review(programme, run_cli, tmp_path, user, code, says, act):
    upload(programme, run_cli, tmp_path)
    before = database_content(programme)
    result = review(programme, run_cli, 3, *act, user=user)
    assert result.returncode == code, result.stdout + result.stderr
    if code:
        assert says in result.stderr and "Traceback" not in result.stderr
        assert database_content(programme) == before


@pytest.mark.parametrize("act", [["--approve"], ["--return", "not checked"]])
def test_the_uploader_may_not_review_their_own_upload(programme, run_cli, tmp_path, act):
    upload(programme, run_cli, tmp_path)
    # the partner coordinator since became an editor: still not their own upload
    assert run_cli(url(programme), "users", "set", "partner@example.org", "--role", "editor").returncode == 0
    before = database_content(programme)
    result = review(programme, run_cli, 3, *act, user="partner@example.org")
    assert result.returncode == 1
    assert [(i["check"], i["message"]) for i in json.loads(result.stdout)["issues"]] == [
        ("not-permitted", f"partner@example.org uploaded batch 3 and may not {act[0][2:]} it: "
                          "another editor or administrator reviews it")]
    assert database_content(programme) == before


def test_an_approval_touching_a_locked_period_is_refused_whole(programme, run_cli, tmp_path):
    upload(programme, run_cli, tmp_path)
    assert run_cli(url(programme), "lock", "--through", "2024-12-31").returncode == 0
    before = database_content(programme)
    result = review(programme, run_cli, 3, "--approve")
    assert result.returncode == 1
    issues = json.loads(result.stdout)["issues"]
    assert [(i["file"], i["row"], i["column"], i["check"]) for i in issues] == [("results.csv", 2, "period_end", "locked-period")]
    assert issues[0]["message"].startswith("results.csv row 2: this row would change a value of a locked period")
    assert database_content(programme) == before  # nothing written: still submitted, its pending rows kept
    assert donor_sees(programme, run_cli, tmp_path) == OLD
    # returning always succeeds
    assert review(programme, run_cli, 3, "--return", "2024 is closed").returncode == 0


def test_a_partner_upload_touching_a_locked_period_is_refused_at_once(programme, run_cli, tmp_path):
    assert run_cli(url(programme), "lock", "--through", "2024-12-31").returncode == 0
    before = database_content(programme)
    result = upload(programme, run_cli, tmp_path)
    assert result.returncode == 1
    assert [(i["row"], i["check"]) for i in json.loads(result.stdout)["issues"]] == [(2, "locked-period")]
    assert database_content(programme) == before


def test_the_approved_batch_reverts_like_any_other(programme, run_cli, tmp_path):
    upload(programme, run_cli, tmp_path)
    assert review(programme, run_cli, 3, "--approve").returncode == 0
    refused = run_cli(url(programme), "revert", "3")
    assert refused.returncode == 1 and "revert that one" in refused.stdout
    reverted = run_cli(url(programme), "revert", "4", "--user", "editor@example.org")
    assert reverted.returncode == 0, reverted.stdout
    assert donor_sees(programme, run_cli, tmp_path) == OLD


@pytest.mark.parametrize("text, expected", [
    (HEADER + "IND1,GTM,2024,,[clear],\n", OLD | {("IND1", "2024-01-01"): None}),
    (HEADER + "IND1,GTM,2024,,8,[clear]\n", OLD | {("IND1", "2024-01-01"): ("8.0", "")}),
    (HEADER + "IND2,GTM,2024,,4.5,\n", OLD | {("IND2", "2024-01-01"): ("4.5", "")}),
])
def test_what_an_approval_writes(programme, run_cli, tmp_path, text, expected):
    report = json.loads(upload(programme, run_cli, tmp_path, text).stdout)
    assert (report["status"], report["updated"]) == ("submitted", 1)
    assert review(programme, run_cli, 3, "--approve").returncode == 0
    assert donor_sees(programme, run_cli, tmp_path) == {k: v for k, v in expected.items() if v is not None}


def test_an_editor_upload_is_approved_at_once(programme, run_cli, tmp_path):
    result = upload(programme, run_cli, tmp_path, user="editor@example.org")
    assert json.loads(result.stdout)["status"] == "committed"
    assert donor_sees(programme, run_cli, tmp_path) == NEW
    assert stored(programme, select(ImportBatch.status).where(ImportBatch.id == 3)) == [("committed",)]


@pytest.mark.parametrize("scope, expected", [
    (Scope("editor@example.org", "editor"), [("IND1", "8", "9", "recounted"), ("IND1", "–", "2", "")]),
    (Scope("partner@example.org", "partner", partner="GTM"), [("IND1", "8", "9", "recounted"), ("IND1", "–", "2", "")]),
    (Scope("other@example.org", "partner", partner="SLE"), []),
    (Scope("donor@example.org", "donor", donor="NOR"), []),
    (Scope("viewer@example.org", "viewer"), []),
])
def test_who_sees_values_awaiting_review(programme, run_cli, tmp_path, scope, expected):
    upload(programme, run_cli, tmp_path)
    v = view(load_snapshot(programme), Filters(), scope)
    gtm = v.values[(v.values["partner"] == "GTM") & (v.values["indicator"] == "IND1")]
    assert sorted(gtm["actual"]) == ([5.0, 8.0] if scope.partner != "SLE" else [])  # approved values only
    waiting = awaiting_review(v, "GTM")
    assert [(r.indicator, r.approved, r.submitted, r.comment) for r in waiting.itertuples()] == expected


# --- the review page (AppTest, local mode: the operator as admin) ----------------------------

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
GTM = Scope("coordinator@example.org", "partner", partner="GTM")


def review_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/review.py").run()
    assert not at.exception, at.exception
    return at


def gtm_2025(engine) -> float:
    snap = load_snapshot(engine)
    v = snap.values
    return float(v[(v["indicator"] == "IND04") & (v["partner"] == "GTM") & (v["period_start"].astype(str) == "2025-01-01")
                   & (v["dimension"] == "")]["actual"].iloc[0])


@pytest.mark.parametrize("act, status, actual", [("approve", "approved", 52.1), ("return", "returned", 51.6)])
def test_the_review_page_approves_and_returns(db, act, status, actual):
    report = import_files(db, [Upload("update.csv", b"indicator,partner,period,actual\nIND04,GTM,2025,52.1\n")],
                          user=GTM.email, scope=GTM, source="upload")
    assert (report.status, report.batch_id) == ("submitted", 2)
    at = review_page()
    changes = at.dataframe[0].value
    assert list(changes.itertuples(index=False, name=None)) == [
        ("IND04", "GTM", "2025-01-01 – 2025-12-31", "", "51.6", "52.1", "", "update.csv", 2)]
    if act == "return":
        at.text_input(key="rev_reason").input("not verified").run()
    at.button(key=f"rev_{act}").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith(f"{status.capitalize()} batch 2")
    assert gtm_2025(db) == actual
    assert batch_history(db).set_index("id").loc[2, "status"] == status
    assert "No upload is waiting for review." in [i.value for i in at.info]


def test_the_review_page_shows_a_refused_approval(db):
    import_files(db, [Upload("update.csv", b"indicator,partner,period,actual\nIND04,GTM,2025,52.1\n")],
                 user=GTM.email, scope=GTM, source="upload")
    move_lock(db, date(2025, 12, 31), by="admin")
    at = review_page()
    at.button(key="rev_approve").click().run()
    assert "cannot be approved now: nothing was written" in at.error[0].value
    assert list(at.dataframe[-1].value[["row", "column", "check"]].itertuples(index=False, name=None)) == [
        (2, "period_end", "locked-period")]
    assert gtm_2025(db) == 51.6


def test_the_review_page_is_the_secretariats(db, monkeypatch):
    from dashboard import state

    monkeypatch.setattr(state, "current_scope", lambda: GTM)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/review.py").run()
    assert "Review" not in [t.value for t in at.title]  # not in a partner's navigation
    assert not [b for b in at.button if b.key in ("rev_approve", "rev_return")]


@pytest.mark.parametrize("scope, shown", [(None, True), (GTM, True), (Scope("donor@example.org", "donor", donor="CAN"), False)])
def test_the_partner_page_shows_values_awaiting_review(db, monkeypatch, scope, shown):
    from dashboard import state

    if scope is not None:
        monkeypatch.setattr(state, "current_scope", lambda: scope)
    import_files(db, [Upload("update.csv", b"indicator,partner,period,actual,comment\nIND04,GTM,2025,52.1,recount\n")],
                 user=GTM.email, scope=GTM, source="upload")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"p": "GTM"})
    at.run()
    at.switch_page("views/partner.py").run()
    assert not at.exception, at.exception
    assert "Indicators" in [h.value for h in at.subheader]  # the profile of GTM is shown (CAN funds it)
    assert ("Awaiting review" in [h.value for h in at.subheader]) is shown
    if shown:
        waiting = [d.value for d in at.dataframe if "submitted" in d.value.columns][0]
        assert list(waiting[["indicator", "approved", "submitted", "comment", "batch"]].itertuples(index=False, name=None)) == [
            ("IND04", "51.6", "52.1", "recount", 2)]


def test_a_report_awaiting_review_is_received_but_not_scored(programme, run_cli, tmp_path):
    """The partner did report: the period is no longer overdue, for everyone; the figure is
    scored for donors only once approved."""
    committed(programme, ("targets.csv", HEADER + "IND1,GTM,2025,10,,\n"))

    def donor(command):
        result = run_cli(url(programme), command, "--json", "--to", "2026", "--user", "donor@example.org")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def pair_2025():
        [pair] = [p for p in donor("progress") if p["indicator"] == "IND1"]
        return pair["period_start"], pair["status"], pair["actual"], pair["reports"]

    assert [(m["indicator"], m["period_start"]) for m in donor("missing")] == [("IND1", "2025-01-01")]
    assert pair_2025() == ("2025-01-01", "no data", None, {"received": 0, "due": 1})
    assert json.loads(upload(programme, run_cli, tmp_path).stdout)["status"] == "submitted"
    assert donor("missing") == []
    assert pair_2025() == ("2025-01-01", "no data", None, {"received": 1, "due": 1})

"""One batch's history (`history BATCH_ID`, the history page's drill-down): the rows it created
or changed, before -> after, who and when — for every kind, on SQLite and PostgreSQL; after a
later batch and after a revert; for a submitted, returned and approved partner upload; only
for those who may see the batch (DESIGN.md, "Partner reporting workbook")."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from helpers import committed, import_csv
from test_dry_run_rows import BASE, CASES, value_key

from models.access import LOCAL_ADMIN, Scope
from models.batches import batch_detail, revert_batch
from models.review import approve_batch, return_batch

EDITOR = Scope("editor@example.org", "editor")
PARTNER = Scope("coordinator@example.org", "partner", partner="GTM")
DETAIL_KEYS = {"id", "user", "at", "files", "sha256", "kinds", "created", "updated", "unchanged", "deleted", "status", "source",
               "reverts", "reviewer", "reviewed_at", "reason", "applied_as", "rows", "rows_total"}


def rows_of(engine, batch_id, scope=LOCAL_ADMIN) -> list[tuple]:
    detail = batch_detail(engine, batch_id, scope)
    return [(r["file"], r["row"], r["action"], r["key"], r["before"], r["after"]) for r in detail["rows"]]


def history_rows(name, expected) -> list[tuple]:
    """A dry run's rows as the history gives them: the file, no row number (not kept), and a
    line that wrote a value and a baseline as two rows (they are two records), baselines first."""
    out = []
    for row, action, key, before, after in expected:
        if "baseline_year" in key and "period_start" in key:
            base_key = {k: key[k] for k in ("indicator", "partner", "dimension", "dimension_value", "baseline_year")}
            value = {k: v for k, v in key.items() if k != "baseline_year"}
            out.append((name, None, "updated" if "baseline" in before else "created", base_key,
                        {k: v for k, v in before.items() if k == "baseline"}, {k: v for k, v in after.items() if k == "baseline"}))
            out.append((name, None, action, value, {k: v for k, v in before.items() if k != "baseline"},
                        {k: v for k, v in after.items() if k != "baseline"}))
        else:
            out.append((name, None, action, key, before, after))
    return sorted(out, key=lambda r: "baseline_year" not in r[3]) if name == "results.csv" else out


@pytest.mark.parametrize("name, text, expected", [c for c in CASES if c.id != "nothing-changes"])
def test_batch_history_gives_its_rows_before_after_and_keeps_them_once_reverted(engine, name, text, expected):
    committed(engine, *BASE)
    batch = committed(engine, (name, text), user="ana.maria.rodriguez.de.la.fuente@customs.example.org")
    want = history_rows(name, expected)
    detail = batch_detail(engine, batch.batch_id, LOCAL_ADMIN)
    assert set(detail) == DETAIL_KEYS
    assert (detail["id"], detail["user"], detail["files"], detail["status"], detail["rows_total"]) == (
        batch.batch_id, "ana.maria.rodriguez.de.la.fuente@customs.example.org", [name], "committed", len(want))
    assert rows_of(engine, batch.batch_id) == want

    report = revert_batch(engine, batch.batch_id, user="admin@example.org")
    assert report.status == "reverted", report.issues
    assert rows_of(engine, batch.batch_id) == want  # what it wrote stays readable once reverted
    undone = [(f, None, "updated", key, after, before) if action == "updated" else (f, None, "deleted", key, after, {})
              for f, _, action, key, before, after in want]
    revert = batch_detail(engine, report.revert_batch_id, LOCAL_ADMIN)
    assert (revert["source"], revert["reverts"], revert["rows_total"]) == ("revert", batch.batch_id, len(want))
    assert rows_of(engine, report.revert_batch_id) == undone


def test_after_is_what_the_batch_wrote_not_what_a_later_batch_did(engine):
    committed(engine, *BASE)
    b = committed(engine, ("results.csv", "indicator,partner,period,actual\nIND1,GTM,2024,3.6\nIND1,GTM,2025,3.9\n"))
    c = committed(engine, ("results.csv", "indicator,partner,period,actual,comment\nIND1,GTM,2024,3.7,\nIND1,GTM,2025,4.1,late\n"))
    k24, k25 = value_key("IND1", "GTM", "2024-01-01", "2024-12-31"), value_key("IND1", "GTM", "2025-01-01", "2025-12-31")
    assert rows_of(engine, b.batch_id) == [
        ("results.csv", None, "updated", k24, {"actual": 3.5}, {"actual": 3.6}),
        ("results.csv", None, "created", k25, {}, {"actual": 3.9}),
    ]
    assert rows_of(engine, c.batch_id) == [
        ("results.csv", None, "updated", k24, {"actual": 3.6}, {"actual": 3.7}),
        ("results.csv", None, "updated", k25, {"actual": 3.9, "comment": None}, {"actual": 4.1, "comment": "late"}),
    ]


def test_files_of_a_batch_of_several_files(engine):
    batch = committed(engine, *BASE)
    detail = batch_detail(engine, batch.batch_id, LOCAL_ADMIN)
    files = [r["file"] for r in detail["rows"]]
    assert files[:2] == ["donors.csv", "donors.csv"] and files[-1] == "results.csv"
    assert detail["rows_total"] == len(detail["rows"]) == batch.created + 1  # a results line with a baseline: two records


def test_partner_upload_submitted_returned_approved(engine):
    committed(engine, *BASE)
    text = "indicator,partner,period,actual,comment\nIND1,GTM,2024,3.8,checked\nIND1,GTM,2026,4,\n"
    submitted = import_csv(engine, ("gtm.csv", text), scope=PARTNER, user=PARTNER.email)
    assert submitted.status == "submitted"
    k24, k26 = value_key("IND1", "GTM", "2024-01-01", "2024-12-31"), value_key("IND1", "GTM", "2026-01-01", "2026-12-31")
    pending = [("gtm.csv", 2, "updated", k24, {"actual": 3.5, "comment": "round 1"}, {"actual": 3.8, "comment": "checked"}),
               ("gtm.csv", 3, "created", k26, {}, {"actual": 4.0})]
    assert rows_of(engine, submitted.batch_id, PARTNER) == pending
    assert [r[2:] for r in pending] == [(r["action"], r["key"], r["before"], r["after"]) for r in submitted.changes]

    approved = approve_batch(engine, submitted.batch_id, scope=EDITOR, user=EDITOR.email)
    assert approved.status == "approved", approved.issues
    applied = [(f"batch-{submitted.batch_id}-approved.csv", None, *r[2:]) for r in pending]
    assert rows_of(engine, submitted.batch_id, PARTNER) == applied  # the rows its approval applied
    assert rows_of(engine, approved.applied_batch_id) == applied

    again = import_csv(engine, ("gtm.csv", text.replace("3.8", "3.9")), scope=PARTNER, user=PARTNER.email)
    assert return_batch(engine, again.batch_id, "wrong figure", scope=EDITOR, user=EDITOR.email).status == "returned"
    detail = batch_detail(engine, again.batch_id, PARTNER)
    assert (detail["status"], detail["reason"], detail["rows"], detail["rows_total"]) == ("returned", "wrong figure", [], 0)


# (scope, the batches whose rows it sees)
WHO_SEES = [
    (LOCAL_ADMIN, {"admin", "partner"}),
    (EDITOR, {"admin", "partner"}),
    (PARTNER, {"partner"}),  # its own uploads only
    (Scope("other@example.org", "partner", partner="SLE"), set()),
    (Scope("donor@example.org", "donor", donor="NOR"), set()),
    (Scope("viewer@example.org", "viewer"), set()),
]


def test_only_who_may_see_a_batch_sees_its_rows(engine):
    committed(engine, *BASE)
    batches = {"admin": committed(engine, ("donors.csv", "code,name\nSWE,Sida\n")).batch_id,
               "partner": import_csv(engine, ("gtm.csv", "indicator,partner,period,actual\nIND1,GTM,2024,3.8\n"),
                                     scope=PARTNER, user=PARTNER.email).batch_id}
    seen = {scope.email: {who for who, b in batches.items() if batch_detail(engine, b, scope) is not None}
            for scope, _ in WHO_SEES}
    assert seen == {scope.email: sees for scope, sees in WHO_SEES}
    assert [batch_detail(engine, 999, scope) for scope, _ in WHO_SEES] == [None] * len(WHO_SEES)


# --- the command line -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory, empty_sqlite_file):
    """Three batches (the base, 1,205 new values, a partner's submitted upload), once for the
    module's command-line tests, which only read."""
    from conftest import copy_sqlite
    from models.db import make_engine
    from models.users import save_user

    url = f"sqlite:///{copy_sqlite(empty_sqlite_file, tmp_path_factory.mktemp('cli') / 'cli.db')}"
    eng = make_engine(url)
    committed(eng, *BASE, user="ana.maria.rodriguez.de.la.fuente@customs.example.org")
    rows = "indicator,partner,period,actual\n" + "".join(f"IND2,GTM,{2100 + i},{i}\n" for i in range(1_205))
    committed(eng, ("many.csv", rows), user="bo@example.org")
    import_csv(eng, ("gtm.csv", "indicator,partner,period,actual\nIND1,GTM,2024,3.8\n"), scope=PARTNER, user=PARTNER.email)
    save_user(eng, PARTNER.email, "partner", partner="GTM", by="tester", create=True)
    save_user(eng, "viewer@example.org", "viewer", by="tester", create=True)
    eng.dispose()
    return url


def test_cli_history_batch_json(run_cli, cli_db):
    result = run_cli(cli_db, "history", "2", "--json")
    assert result.returncode == 0, result.stderr
    detail = json.loads(result.stdout)
    assert set(detail) == DETAIL_KEYS
    assert (detail["id"], detail["user"], detail["files"], detail["created"], detail["rows_total"], len(detail["rows"])) == (
        2, "bo@example.org", ["many.csv"], 1_205, 1_205, 1_000)
    assert detail["rows"][0] == {"file": "many.csv", "row": None, "action": "created",
                                 "key": value_key("IND2", "GTM", "2100-01-01", "2100-12-31"), "before": {}, "after": {"actual": 0.0}}
    assert detail["rows"][-1]["key"]["period_start"] == "3099-01-01"


@pytest.mark.parametrize("user, batch, code, out", [
    (None, "3", 0, "Batch 3: submitted (cli), by coordinator@example.org"),
    ("coordinator@example.org", "3", 0, "Batch 3: submitted (cli), by coordinator@example.org"),
    ("coordinator@example.org", "1", 1, ""),  # not its own
    ("viewer@example.org", "1", 1, ""),
    (None, "99", 1, ""),
])
def test_cli_history_batch_only_for_who_may_see_it(run_cli, cli_db, user, batch, code, out):
    result = run_cli(cli_db, "history", batch, *(["--user", user] if user else []))
    assert result.returncode == code, result.stderr
    assert result.stdout.startswith(out)
    if code:
        assert result.stdout == ""
        assert result.stderr in (f"There is no batch {batch} you may see; `resultsboard history` lists those you may.\n",
                                 "viewer@example.org (viewer) may not see the import history: view all, change nothing\n")


def test_cli_history_batch_text(run_cli, cli_db):
    result = run_cli(cli_db, "history", "3")
    assert result.stdout.splitlines()[1:] == [
        "Files: gtm.csv",
        "0 new, 1 changed, 0 unchanged",
        "",
        "file     row  action   indicator  partner  period                   field   old  new",
        "gtm.csv  2    changed  IND1       GTM      2024-01-01 – 2024-12-31  actual  3.5  3.8",
    ]


def test_cli_history_columns_line_up_with_long_emails(run_cli, cli_db):
    import re

    header, *lines = run_cli(cli_db, "history").stdout.splitlines()
    assert header.split() == ["batch", "when", "(UTC)", "who", "source", "status", "+new", "~changed", "=same", "-removed", "files"]
    columns = {name: header.index(name) for name in ("when", "who", "source", "status", "+new")}
    for line in lines:  # id, date, time, who, source, status, counts...: each starts where its header does
        starts = [m.start() for m in re.finditer(r"\S+", line)]
        assert (starts[1], starts[3], starts[4], starts[5], starts[6]) == tuple(columns.values()), line
    assert [line.split()[0] for line in lines] == ["3", "2", "1"]
    assert lines[-1].split()[3] == "ana.maria.rodriguez.de.la.fuente@customs.example.org"


# --- the history page -------------------------------------------------------------------------------

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def test_history_page_drills_into_a_batch(db):
    from models.importing import Upload, import_files

    report = import_files(db, [Upload("last-year.csv", b"indicator,partner,period,target,actual,comment\n"
                                                       b"IND04,GTM,2025,51.4,52.1,<i>Revised</i>\n")],
                          user="coordinator@example.org", scope=LOCAL_ADMIN, source="upload")
    assert report.status == "committed"
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/history.py").run()
    assert not at.exception, at.exception
    box = at.selectbox(key="hist_detail")
    assert box.value == 2  # the newest batch first
    rows = [d.value for d in at.dataframe if "field" in d.value.columns]
    assert [tuple(r) for r in rows[0].astype(object).itertuples(index=False)] == [
        ("last-year.csv", "changed", "IND04", "GTM", "2025-01-01 – 2025-12-31", "actual", "51.6", "52.1"),
        ("last-year.csv", "changed", "IND04", "GTM", "2025-01-01 – 2025-12-31", "comment", "–", "<i>Revised</i>"),
    ]
    assert list(rows[0].columns) == ["file", "action", "indicator", "partner", "period", "field", "old", "new"]
    box.set_value(1).run()
    assert not at.exception, at.exception
    demo = [d.value for d in at.dataframe if "field" in d.value.columns][0]
    assert demo["action"].eq("new").all()
    assert "The first 1,000 of" in " ".join(c.value for c in at.caption)
    table = at.dataframe[0].value
    assert table["reverts"].isna().all() and table["reviewer"].eq("").all()  # empty cells, never "None"

"""The partner reporting workbook (DESIGN.md, "Partner reporting workbook") on both backends:
the rows a partner with quarterly and annual indicators owes (overdue and next due, each
breakdown reported before on its own row), the validation and the locked cells as openpyxl
reads them back, the round trip through the ordinary import (untouched: nothing changes;
filled: exactly what was typed is stored; a partner user's: submitted for review), the
`resultsboard workbook` command through its entry point, and the download on the pages."""
from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from models.access import LOCAL_ADMIN, Scope
from models.importing import Upload, import_files
from models.db import make_engine
from models.queries.filters import Filters
from models.queries.reporting import missing_records
from models.queries.snapshot import load_snapshot, view
from models.reporting_workbook import COLUMNS, REF_COLUMNS, WorkbookRefused, build_workbook, workbooks_zip
from models.tables import Indicator, Partner, PendingValue
from models.users import save_user

from helpers import committed, counts, database_content, shown, stored, values_stored

AS_OF = date(2025, 8, 15)  # 2025-Q2 is overdue (due 2025-07-30); 2025-Q3 is next (due 2025-10-30)
P1 = Scope(email="p1@example.org", role="partner", partner="P1")

PARTNERS = ("code,name,country,region,status\nP1,First Customs,Guatemala,AME,active\n"
            "P2,Second Customs,Ghana,WCA,active\nP3,Third Customs,Mali,WCA,inactive\n")
FRAMEWORK = "code,title,level\nOC1,Outcome,outcome\n"
INDICATORS = (
    "code,name,level,measure,ascending,unit,result,frequency,scale_min,scale_max\n"
    "QTR,Officers trained,outcome,unit,true,officers,OC1,quarterly,,\n"
    "PCT,Declarations lodged electronically,outcome,percentage,true,%,OC1,annual,,\n"
    "ORD,Integrity score,outcome,ordinal,true,score,OC1,annual,1,5\n"
    "TXT,Action plan,outcome,qualitative,true,,OC1,annual,,\n")
RESULTS = (
    "indicator,partner,period_start,period_end,dimension,dimension_value,target,actual,baseline,baseline_year,comment\n"
    "QTR,P1,2025-01-01,2025-12-31,,,100,,,,\n"
    "QTR,P1,2025-01-01,2025-03-31,,,,20,,,\n"
    "QTR,P1,2025-01-01,2025-03-31,sex,women,,12,,,\n"
    "QTR,P1,2025-01-01,2025-03-31,sex,men,,8,,,\n"
    "PCT,P1,2024-01-01,2024-12-31,,,50,45,40,2020,\n"
    "PCT,P1,2025-01-01,2025-12-31,,,60,,,,=1+2 provisional\n"
    "ORD,P1,2023-01-01,2023-12-31,,,3,3.2,,,\n"
    "ORD,P1,2024-01-01,2024-12-31,,,3.5,,,,\n"
    "ORD,P1,2025-01-01,2025-12-31,,,4,3.5,,,\n"
    "TXT,P1,2024-01-01,2024-12-31,,,Plan adopted,,,,\n"
    "TXT,P1,2025-01-01,2025-12-31,,,Plan implemented,,,,\n"
    "QTR,P2,2025-01-01,2025-12-31,,,40,,,,\n"
    "QTR,P3,2025-01-01,2025-12-31,,,40,,,,\n")

# (indicator, period_start, period_end, dimension, dimension_value, actual, comment, ref_report), in sheet order
P1_ROWS = [
    ("ORD", "2024-01-01", "2024-12-31", "", "", None, None, "overdue"),
    ("TXT", "2024-01-01", "2024-12-31", "", "", None, None, "overdue"),
    ("QTR", "2025-04-01", "2025-06-30", "", "", None, None, "overdue"),
    ("QTR", "2025-04-01", "2025-06-30", "sex", "men", None, None, "overdue"),
    ("QTR", "2025-04-01", "2025-06-30", "sex", "women", None, None, "overdue"),
    ("QTR", "2025-07-01", "2025-09-30", "", "", None, None, "next due"),
    ("QTR", "2025-07-01", "2025-09-30", "sex", "men", None, None, "next due"),
    ("QTR", "2025-07-01", "2025-09-30", "sex", "women", None, None, "next due"),
    ("ORD", "2025-01-01", "2025-12-31", "", "", 3.5, None, "next due"),
    ("PCT", "2025-01-01", "2025-12-31", "", "", None, "'=1+2 provisional", "next due"),
    ("TXT", "2025-01-01", "2025-12-31", "", "", None, None, "next due"),
]
# (indicator, period) -> the reference columns a person reads beside the row's total
P1_REFS = {
    ("ORD", "2024"): ("Integrity score", "score", None, None, 3.5, 3.2, "2023", "2025-01-30",
                      "a score from 1 to 5 (a mean such as 3.4 is allowed)"),
    ("QTR", "2025-Q2"): ("Officers trained", "officers", None, None, 100, 20, "2025-Q1", "2025-07-30", "a number"),
    ("PCT", "2025"): ("Declarations lodged electronically", "%", 40, 2020, 60, 45, "2024", "2026-01-30",
                      "a number from 0 to 100 (45 means 45 %)"),
    ("TXT", "2024"): ("Action plan", None, None, None, "Plan adopted", None, None, "2025-01-30", "text"),
}
# the validation of `actual`, by indicator: (type, operator, formula1, formula2, errorStyle)
VALIDATION = {
    "QTR": ("decimal", "between", "-1E+300", "1E+300", "stop"),
    "PCT": ("decimal", "between", "0", "100", "stop"),
    "ORD": ("list", None, '"1,2,3,4,5"', None, "warning"),
    "TXT": ("textLength", "lessThanOrEqual", "32767", None, "stop"),
}


@pytest.fixture
def programme(engine):
    committed(engine, ("partners.csv", PARTNERS), ("framework.csv", FRAMEWORK), ("indicators.csv", INDICATORS),
              ("results.csv", RESULTS))
    return engine


def workbook_for(engine, partner="P1", scope=LOCAL_ADMIN, as_of=AS_OF):
    return build_workbook(load_snapshot(engine), partner, scope=scope, as_of=as_of)


def sheet(data: bytes, name="results"):
    return openpyxl.load_workbook(io.BytesIO(data))[name]


def cells(ws) -> list[dict]:
    """The results sheet's data rows as {header: value} (dates as ISO text)."""
    header = [c.value for c in ws[1]]
    out = []
    for row in ws.iter_rows(min_row=2, values_only=True):
        out.append({h: (v.date().isoformat() if hasattr(v, "date") else v) for h, v in zip(header, row)})
    return out


# --- the rows ---------------------------------------------------------------------------------


def test_rows_are_the_reports_owed_and_next_due_with_each_breakdown(programme):
    book = workbook_for(programme)
    ws = sheet(book.data)
    assert [c.value for c in ws[1]] == [*COLUMNS, *REF_COLUMNS]
    rows = cells(ws)
    assert [(r["indicator"], r["period_start"], r["period_end"], r["dimension"] or "", r["dimension_value"] or "",
             r["actual"], r["comment"], r["ref_report"]) for r in rows] == P1_ROWS
    assert {r["partner"] for r in rows} == {"P1"}
    assert (book.overdue, book.next_due, book.file_name) == (3, 4, "resultsboard-workbook-P1-2025-08-15.xlsx")
    totals = {(r["indicator"], r["ref_period"]): r for r in rows if not r["dimension"]}
    for where, expected in P1_REFS.items():
        r = totals[where]
        assert (r["ref_indicator_name"], r["ref_unit"], r["ref_baseline"], r["ref_baseline_year"], r["ref_target"],
                r["ref_last_actual"], r["ref_last_period"], r["ref_due_on"], r["ref_allowed"]) == expected, where


@pytest.mark.parametrize("partner, scope, as_of, expected", [
    pytest.param("p2", LOCAL_ADMIN, AS_OF, [("QTR", "2025-01-01", "overdue"), ("QTR", "2025-04-01", "overdue"),
                                            ("QTR", "2025-07-01", "next due")], id="codes-any-case"),
    pytest.param("P3", LOCAL_ADMIN, AS_OF, [], id="inactive-owes-nothing"),
    pytest.param("P1", P1, date(2025, 5, 15), [("ORD", "2024-01-01", "overdue"), ("TXT", "2024-01-01", "overdue"),
                                               ("QTR", "2025-04-01", "next due"), ("ORD", "2025-01-01", "next due"),
                                               ("PCT", "2025-01-01", "next due"), ("TXT", "2025-01-01", "next due")],
                 id="partner-user-earlier-as-of"),
])
def test_reports_by_partner_and_date(programme, partner, scope, as_of, expected):
    rows = workbook_for(programme, partner, scope, as_of).rows
    totals = rows[rows["dimension"] == ""]
    assert [(r.indicator, r.period_start.isoformat(), r.ref_report) for r in totals.itertuples()] == expected


@pytest.mark.parametrize("partner, scope, message", [
    ("NOPE", LOCAL_ADMIN, "No administration with code 'NOPE' that you may see; choose one of: P1, P2, P3"),
    ("P2", P1, "No administration with code 'P2' that p1@example.org may see; choose one of: P1"),
    ("", P1, "No administration with code '' that p1@example.org may see; choose one of: P1"),
])
def test_unknown_and_unseen_partners_are_refused_alike(programme, partner, scope, message):
    with pytest.raises(WorkbookRefused) as e:
        workbook_for(programme, partner, scope)
    assert str(e.value) == message


# --- validation, locks, looks -----------------------------------------------------------------


def test_validation_locks_and_instructions_read_back(programme):
    data = workbook_for(programme).data
    ws = sheet(data)
    header = [c.value for c in ws[1]]
    actual_col = openpyxl.utils.get_column_letter(header.index("actual") + 1)
    rules = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col):
                for cell in row:
                    rules[cell.coordinate] = (dv.type, dv.operator, dv.formula1, dv.formula2, dv.errorStyle or "stop")
    expected = {f"{actual_col}{n}": VALIDATION[r[0]] for n, r in enumerate(P1_ROWS, start=2)}
    assert rules == expected
    # keys and references locked, actual and comment open; the sheet protected, without a password
    assert ws.protection.sheet is True and not ws.protection.password
    locked = {(h, n): ws.cell(n, c).protection.locked for c, h in enumerate(header, start=1) for n in range(1, ws.max_row + 1)}
    assert {k for k, v in locked.items() if not v} == {(h, n) for h in ("actual", "comment") for n in range(2, ws.max_row + 1)}
    assert ws.freeze_panes == "A2"
    widths = {h: ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c, h in enumerate(header, start=1)}
    assert all(len(h) < widths[h] <= 60 for h in header), widths
    assert widths["comment"] >= 40
    grey = {ws.cell(2, c).fill.start_color.rgb[-6:] for c, h in enumerate(header, start=1) if h.startswith("ref_")}
    assert grey == {"D9D9D9"}
    # text is text: a stored comment that a spreadsheet would run as a formula is defused
    pct = 2 + [r[0] for r in P1_ROWS].index("PCT")
    comment = ws.cell(pct, header.index("comment") + 1)
    assert (comment.value, comment.data_type) == ("'=1+2 provisional", "s")
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    guide = [[v for v in row if v is not None] for row in sheet(data, "instructions").iter_rows(values_only=True)]
    assert guide[0] == ["Reporting workbook — First Customs (P1), as of 2025-08-15"]
    assert ["QTR", "Officers trained", "officers", "a number"] in guide
    assert ["ORD", "2024", "2024-01-01", "2024-12-31", "2025-01-30", "overdue"] == \
        [v.date().isoformat() if hasattr(v, "date") else v for v in guide[guide.index(["Due dates"]) + 2]]


# --- the round trip ---------------------------------------------------------------------------


def fill(data: bytes, typed: dict[tuple, dict]) -> bytes:
    """The workbook with cells typed in: {(indicator, period_start, dimension_value): {column: value}}."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book["results"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    for n in range(2, ws.max_row + 1):
        start = ws.cell(n, col["period_start"]).value.date().isoformat()
        where = (ws.cell(n, col["indicator"]).value, start, ws.cell(n, col["dimension_value"]).value or "")
        for column, value in typed.get(where, {}).items():
            ws.cell(n, col[column]).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


TYPED = {
    ("QTR", "2025-04-01", ""): {"actual": 25},
    ("QTR", "2025-04-01", "men"): {"actual": 10},
    ("QTR", "2025-04-01", "women"): {"actual": 15.5},
    ("PCT", "2025-01-01", ""): {"actual": 61.5, "comment": "estimate from the first half"},
    ("ORD", "2024-01-01", ""): {"actual": 4},
    ("TXT", "2024-01-01", ""): {"actual": "Plan adopted in March", "comment": "signed by the DG"},
}
# what the filled workbook stores: (indicator, partner, start, end, dimension, value, target, actual, target_text, actual_text, comment)
STORED_AFTER = [
    ("ORD", "P1", date(2024, 1, 1), date(2024, 12, 31), "", "", 3.5, 4.0, None, None, None),
    ("PCT", "P1", date(2025, 1, 1), date(2025, 12, 31), "", "", 60.0, 61.5, None, None, "estimate from the first half"),
    ("QTR", "P1", date(2025, 4, 1), date(2025, 6, 30), "", "", None, 25.0, None, None, None),
    ("QTR", "P1", date(2025, 4, 1), date(2025, 6, 30), "sex", "men", None, 10.0, None, None, None),
    ("QTR", "P1", date(2025, 4, 1), date(2025, 6, 30), "sex", "women", None, 15.5, None, None, None),
    ("TXT", "P1", date(2024, 1, 1), date(2024, 12, 31), "", "", None, None, "Plan adopted", "Plan adopted in March",
     "signed by the DG"),
]


def upload(engine, data: bytes, scope=LOCAL_ADMIN, name="P1-workbook.xlsx"):
    return import_files(engine, [Upload(name, data)], user=scope.email, scope=scope)


def test_untouched_workbook_changes_nothing(programme):
    before = database_content(programme)
    report = upload(programme, workbook_for(programme).data)
    assert (report.status, report.batch_id, counts(report)) == ("committed", None, (0, 0, 2, 0))
    assert [(i.row, i.column, i.check, i.value, i.severity) for i in report.issues] == [
        (0, "actual", "blank-rows", "9", "warning")]
    assert report.issues[0].message == (
        "9 rows with no target, actual, baseline or comment were skipped (rows 2, 3, 4, 5, 6, 7, 8, 9, 12): nothing to "
        "store; fill in actual (or comment) to report a figure")
    assert database_content(programme) == before


def test_filled_workbook_stores_exactly_what_was_typed(programme):
    untouched = {v for v in values_stored(programme)}
    report = upload(programme, fill(workbook_for(programme).data, TYPED))
    assert (report.status, counts(report)) == ("committed", (3, 3, 1, 0)), report.issues
    assert [i.check for i in report.issues] == ["blank-rows"]
    now = values_stored(programme)
    changed = sorted((v for v in now if v not in untouched), key=lambda v: (v[0], v[2], v[5]))
    assert [tuple(c) for c in changed] == STORED_AFTER
    # the workbook as of the same date now owes only what was left blank
    rows = workbook_for(programme).rows
    assert [(r.indicator, r.period_start.isoformat(), r.dimension_value, r.actual) for r in rows.itertuples()
            if r.ref_report == "overdue"] == []


def test_a_partner_users_filled_workbook_waits_for_review(programme):
    approved = values_stored(programme)
    save_user(programme, P1.email, "partner", partner="P1", by="tester", create=True)
    data = fill(workbook_for(programme, scope=P1).data, TYPED)
    report = upload(programme, data, scope=P1)
    assert (report.status, counts(report)) == ("submitted", (3, 3, 1, 0)), report.issues
    assert values_stored(programme) == approved
    pending = stored(programme, select(
        Indicator.code, Partner.code, PendingValue.period_start, PendingValue.dimension_value, PendingValue.actual,
        PendingValue.actual_text, PendingValue.comment, PendingValue.batch_id)
        .join(Indicator, Indicator.id == PendingValue.indicator_id).join(Partner, Partner.id == PendingValue.partner_id)
        .order_by(Indicator.code, PendingValue.period_start, PendingValue.dimension_value))
    assert pending == [
        ("ORD", "P1", date(2024, 1, 1), "", 4.0, None, None, report.batch_id),
        ("PCT", "P1", date(2025, 1, 1), "", 61.5, None, "estimate from the first half", report.batch_id),
        ("QTR", "P1", date(2025, 4, 1), "", 25.0, None, None, report.batch_id),
        ("QTR", "P1", date(2025, 4, 1), "men", 10.0, None, None, report.batch_id),
        ("QTR", "P1", date(2025, 4, 1), "women", 15.5, None, None, report.batch_id),
        ("TXT", "P1", date(2024, 1, 1), "", None, "Plan adopted in March", "signed by the DG", report.batch_id),
    ]
    # the reports are received (awaiting review): no longer overdue; the value shows beside its row
    rows = workbook_for(programme, scope=P1).rows
    assert list(rows["ref_report"]) == ["next due"] * 6


# --- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize("args, code, out, err", [
    pytest.param(["--partner", "p1"], 0, "Wrote the reporting workbook of P1 as of 2025-08-15 to {out}: 3 overdue "
                 "reports, 4 next due, 11 rows\n", "", id="today-pinned"),
    pytest.param(["--partner", "P1", "--to", "2025-Q2"], 0, "Wrote the reporting workbook of P1 as of 2025-06-30 to "
                 "{out}: 2 overdue reports, 4 next due, 8 rows\n", "", id="to-a-quarter"),
    pytest.param(["--partner", "P1", "--user", P1.email], 0, "Wrote the reporting workbook of P1 as of 2025-08-15 to "
                 "{out}: 3 overdue reports, 4 next due, 11 rows\n", "", id="partner-user"),
    pytest.param(["--partner", "NOPE"], 1, "", "No administration with code 'NOPE' that you may see; choose one of: P1, "
                 "P2, P3 (`resultsboard missing` lists the administrations with overdue reports)\n", id="unknown"),
    pytest.param(["--partner", "P2", "--user", P1.email], 1, "", "No administration with code 'P2' that p1@example.org "
                 "may see; choose one of: P1 (`resultsboard missing` lists the administrations with overdue reports)\n",
                 id="out-of-scope"),
    pytest.param(["--partner", "P1", "--user", "who@example.org"], 1, "", None, id="unknown-user"),
    pytest.param(["--partner", "P1", "--to", "2025-13"], 2, "", "--to 2025-13: '2025-13' is not a period: month 13 does "
                 "not exist (use 2025, 2025-H1, 2025-Q3, 2025-03 or a date YYYY-MM-DD)\n", id="bad-date"),
    pytest.param(["--partner", "P1", "--out", "/no/such/folder/w.xlsx"], 2, "", "No such folder: /no/such/folder\n",
                 id="no-folder"),
])
def test_workbook_command(programme, run_cli, monkeypatch, tmp_path, args, code, out, err):
    monkeypatch.setenv("RESULTSBOARD_TODAY", AS_OF.isoformat())
    save_user(programme, P1.email, "partner", partner="P1", by="tester", create=True)
    target = tmp_path / "w.xlsx"
    if "--out" not in args:
        args = [*args, "--out", target]
    result = run_cli(programme.url.render_as_string(hide_password=False), "workbook", *args)
    assert (result.returncode, result.stdout) == (code, out.format(out=target)), result.stderr
    if err is not None:
        assert result.stderr == err
    assert target.exists() == (code == 0)
    if code == 0:
        assert len(cells(sheet(target.read_bytes()))) == int(out.split(", ")[-1].split()[0])


# --- the pages --------------------------------------------------------------------------------

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def test_pages_offer_the_workbooks(demo_url, monkeypatch):
    monkeypatch.setenv("RESULTSBOARD_TODAY", "2025-12-31")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["p"] = "GTM"
    at.run()
    at.switch_page("views/partner.py").run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = {shown(b.proto.label): b.proto for b in at.get("download_button")}
    assert "Reporting workbook (.xlsx)" in buttons, list(buttons)
    assert "GTM owes as of 2025-12-31" in shown(buttons["Reporting workbook (.xlsx)"].help)
    at.switch_page("views/reporting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [shown(b.proto.label) for b in at.get("download_button")]
    assert "Reporting workbooks of the 15 administrations that owe reports (zip)" in labels, labels
    eng = make_engine(demo_url)
    owing = {r["partner"] for r in missing_records(view(load_snapshot(eng), Filters(), LOCAL_ADMIN))}
    eng.dispose()
    assert len(owing - {""}) == 15


@pytest.mark.parametrize("scope, files", [
    (LOCAL_ADMIN, ["resultsboard-workbook-P1-2025-08-15.xlsx", "resultsboard-workbook-P2-2025-08-15.xlsx"]),
    (P1, ["resultsboard-workbook-P1-2025-08-15.xlsx"]),
])
def test_one_zip_holds_a_workbook_per_partner_owing(programme, scope, files):
    snap = load_snapshot(programme)
    v = view(snap, Filters(period_to=AS_OF.isoformat()), scope)
    with zipfile.ZipFile(io.BytesIO(workbooks_zip(snap, v, scope=scope))) as z:
        assert z.namelist() == files
        assert z.read(files[0])[:2] == b"PK"
        assert len(cells(sheet(z.read(files[0])))) == len(P1_ROWS)

"""The upload page (AppTest) on a demo SQLite database: detected kind, dry run, problems,
confirm, the journey-2 file (semicolons, decimal commas, Windows-1252), and roles."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from models.access import Scope
from models.batches import history
from models.db import default_user
from models.demo import load_demo
from models.review import approve_batch
from models.tables import Indicator, Partner, Value

from helpers import shown

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"

CLEAN = (b"indicator,partner,period_start,period_end,target,actual,comment\n"
         b"IND04,GTM,2026-01-01,2026-12-31,55.5,53.2,First figures for 2026\n"   # new
         b"IND04,GTM,2025-01-01,2025-12-31,51.4,52.1,\n"                          # changed (actual 51.6 -> 52.1)
         b"IND04,GTM,2024-01-01,2024-12-31,47.4,45.8,\n")                         # unchanged
BAD = (b"indicator,partner,period_start,period_end,target,actual\n"
       b"IND4,GTM,2026-01-01,2026-12-31,55,53\n"
       b"IND04,GTM,2026-01-01,2026-12-31,55,120\n"
       b"IND04,GTM,2025-01-01,31/03/2025,50,\n"
       b"IND04,GTM,2024-01-01,2024-12-31,47.4,45.8\n")
EXCEL_FR = ("indicator;partner;period;target;actual;comment\r\n"
            "IND04;GTM;2026;55,5;53,2;Révisé après la réunion\r\n"
            "IND04;GTM;2025;51,4;52,1;Données révisées\r\n"
            "IND04;GTM;2024;47,4;45,8;\r\n").encode("cp1252")


def upload_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/upload.py").run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


PROBLEM_NAMES = {"File": "file", "Row": "row", "Column": "column", "Check": "check", "Value": "value", "Message": "message",
                 "Severity": "severity"}


def problems_table(at: AppTest):
    """The problems table (st.table: text wraps, nothing cut off) as its reader sees it: cells
    unescaped, rows as numbers, columns by their names."""
    frame = at.table[0].value.rename(columns=PROBLEM_NAMES).map(shown)
    frame["row"] = frame["row"].astype(int)
    return frame


def row_actions(at: AppTest):
    """The "Row by row" table (the last dataframe of the page)."""
    return at.dataframe[-1].value


def metrics(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}


def confirm(at: AppTest):
    return at.button(key=f"up_confirm_{at.session_state['up_nonce']}")


def file_lines(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**") and " · " in m.value and "\n" not in m.value]


def gtm_values(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Value.period_start, Value.period_end, Value.target, Value.actual, Value.comment)
            .join(Indicator, Indicator.id == Value.indicator_id).join(Partner, Partner.id == Value.partner_id)
            .where(Indicator.code == "IND04", Partner.code == "GTM", Value.period_start >= "2024-01-01")
            .order_by(Value.period_start)
        ).all()
    return [(str(a), str(b), t, v, c) for a, b, t, v, c in rows]


BEFORE = [
    ("2024-01-01", "2024-12-31", 47.4, 45.8, None),
    ("2025-01-01", "2025-12-31", 51.4, 51.6, None),
]


def test_page_runs_and_offers_templates(db):
    at = upload_page()
    assert at.title[0].value == "Upload updates"
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["donors", "partners", "funding", "framework", "indicators", "activities", "results"]
    assert len(at.file_uploader) == 1
    assert [b.key for b in at.button] == []  # no confirm before a file


def test_clean_file_dry_run_then_confirm(db):
    at = upload(upload_page(), "update.csv", CLEAN)
    assert file_lines(at) == ["**update\\.csv** — detected kind: **results** · encoding utf-8 · delimiter comma (,) · 3 rows"]
    assert at.toggle[0].value is False
    assert metrics(at) == {"New": "1", "Changed": "1", "Unchanged": "1", "Rejected": "0"}
    assert [s.value for s in at.success] == [
        "Ready: 1 new, 1 changed. Check what changes below, then press “Confirm and import” to save them as one batch."]
    assert [list(t.value.columns) for t in at.table] == []  # no problems
    rows = row_actions(at)
    assert list(rows.itertuples(index=False, name=None)) == [
        ("update.csv", "results", 2, "new"), ("update.csv", "results", 3, "changed"), ("update.csv", "results", 4, "unchanged"),
    ]
    assert "Download the problems (CSV)" not in [b.label for b in at.get("download_button")]
    assert gtm_values(db) == BEFORE  # a dry run writes nothing

    button = confirm(at)
    assert button.disabled is False
    button.click().run()
    assert not at.exception, at.exception
    batch = history(db).iloc[0]
    assert [s.value for s in at.success] == [
        f"Committed as batch {batch['id']}: 1 new, 1 changed, 1 unchanged, 0 rejected; 0 errors, 0 warnings"]
    assert at.file_uploader[0].value in ([], None)  # cleared for the next batch
    assert at.file_uploader[0].key == "up_files_1"
    assert at.session_state["_data_version"][0] == batch["id"]
    assert gtm_values(db) == [
        ("2024-01-01", "2024-12-31", 47.4, 45.8, None),
        ("2025-01-01", "2025-12-31", 51.4, 52.1, None),
        ("2026-01-01", "2026-12-31", 55.5, 53.2, "First figures for 2026"),
    ]
    assert (batch["source"], batch["user"], batch["files"], batch["kinds"], batch["status"]) == (
        "upload", default_user(), ["update.csv"], "results", "committed")
    assert (batch["created"], batch["updated"], batch["unchanged"]) == (1, 1, 1)


def test_file_with_errors_lists_problems_and_blocks_confirm(db):
    at = upload(upload_page(), "update.csv", BAD)
    assert metrics(at) == {"New": "0", "Changed": "0", "Unchanged": "1", "Rejected": "3"}
    problems = problems_table(at)
    assert list(problems.columns) == ["row", "column", "check", "value", "message", "severity"]
    assert list(problems.itertuples(index=False, name=None)) == [
        (2, "indicator", "unknown-reference", "IND4",
         "unknown indicator 'IND4'; did you mean 'IND04'? Add it with an indicators upload first, or correct the code", "error"),
        (3, "actual", "out-of-range", "120", "a percentage must be between 0 and 100", "error"),
        (4, "period_end", "invalid-date", "31/03/2025",
         "'31/03/2025' is not an ISO date; write it as YYYY-MM-DD, e.g. 2025-03-31", "error"),
    ]
    assert list(row_actions(at)["action"]) == ["rejected", "rejected", "rejected", "unchanged"]
    assert [e.value for e in at.error] == [
        "3 problems must be fixed before anything can be saved; nothing was written. "
        "Fix them in your file (the list below downloads as CSV) and upload it again."]
    assert [b for b in at.get("download_button") if b.label == "Download the problems (CSV)"]
    assert confirm(at).disabled is True
    assert gtm_values(db) == BEFORE


def test_unchanged_file_cannot_be_confirmed(db):
    at = upload(upload_page(), "same.csv", b"indicator,partner,period,target,actual\nIND04,GTM,2024,47.4,45.8\n")
    assert metrics(at) == {"New": "0", "Changed": "0", "Unchanged": "1", "Rejected": "0"}
    assert [i.value for i in at.main.info] == ["Nothing would change: every row equals what is stored."]
    assert confirm(at).disabled is True


def test_excel_semicolon_decimal_comma_cp1252_file(db):
    at = upload(upload_page(), "guatemala.csv", EXCEL_FR)
    assert file_lines(at) == ["**guatemala\\.csv** — detected kind: **results** · encoding cp1252 · delimiter semicolon (;) · 3 rows"]
    assert at.toggle[0].value is True  # pre-set: ';' between columns and numbers like 55,5
    assert metrics(at) == {"New": "1", "Changed": "1", "Unchanged": "1", "Rejected": "0"}
    problems = problems_table(at)
    assert list(problems[["row", "check", "severity"]].itertuples(index=False, name=None)) == [(0, "encoding", "warning")]
    confirm(at).click().run()
    assert not at.exception, at.exception
    assert gtm_values(db) == [
        ("2024-01-01", "2024-12-31", 47.4, 45.8, None),
        ("2025-01-01", "2025-12-31", 51.4, 52.1, "Données révisées"),
        ("2026-01-01", "2026-12-31", 55.5, 53.2, "Révisé après la réunion"),
    ]


def test_decimal_comma_switched_off_refuses_naming_the_option(db):
    at = upload(upload_page(), "guatemala.csv", EXCEL_FR)
    at.toggle[0].set_value(False).run()
    problems = problems_table(at)
    errors = problems[problems["severity"] == "error"]
    assert list(errors[["row", "column", "check", "value"]].itertuples(index=False, name=None)) == [
        (2, "actual", "type-error", "53,2"), (2, "target", "type-error", "55,5"),
        (3, "actual", "type-error", "52,1"), (3, "target", "type-error", "51,4"),
        (4, "actual", "type-error", "45,8"), (4, "target", "type-error", "47,4"),
    ]
    assert all(m.endswith("uses a decimal comma; write " + m.split("'")[1].replace(",", ".") + " or switch on the "
                          "'Decimal comma' toggle") for m in errors["message"])  # the page's control, not --decimal-comma
    assert confirm(at).disabled is True


def test_kind_not_detected_then_chosen(db):
    data = b"code,name\nZZZ,Another donor\n"  # donors: the only kind whose required columns are all here
    at = upload(upload_page(), "who.csv", data)
    assert file_lines(at) == ["**who\\.csv** — detected kind: **donors** · encoding utf-8 · delimiter comma (,) · 1 row"]
    odd = b"label,remark\nx,y\n"
    at = upload(upload_page(), "odd.csv", odd)
    assert file_lines(at) == ["**odd\\.csv** — kind **not detected** — choose it · encoding utf-8 · delimiter comma (,) · 1 row"]
    assert [p["check"] for p in problems_table(at).to_dict("records")] == ["unknown-kind"]
    assert problems_table(at)["message"][0].endswith("; choose its kind in the Kind box beside the file")
    assert confirm(at).disabled is True
    kind_box = at.selectbox(key=next(s.key for s in at.selectbox if s.key and s.key.startswith("up_kind_")))
    kind_box.set_value("donors").run()
    assert file_lines(at) == ["**odd\\.csv** — kind **donors** (chosen; detected: none) · encoding utf-8 · delimiter comma (,) · 1 row"]
    checks = [(p["column"], p["check"]) for p in problems_table(at).to_dict("records")]
    assert ("code", "missing-column") in checks and ("name", "missing-column") in checks


def test_several_files_are_one_batch(db):
    at = upload_page()
    at.file_uploader[0].set_value([
        ("donors.csv", b"code,name,country\nZZZ,Test Donor,Canada\n", "text/csv"),
        ("funding.csv", b"donor,phase,amount,currency\nZZZ,1,1000,CAD\n", "text/csv"),
    ]).run()
    assert not at.exception, at.exception
    assert metrics(at) == {"New": "2", "Changed": "0", "Unchanged": "0", "Rejected": "0"}
    confirm(at).click().run()
    batch = history(db).iloc[0]
    assert (batch["files"], batch["kinds"], batch["created"], batch["source"]) == (
        ["donors.csv", "funding.csv"], "donors,funding", 2, "upload")


@pytest.mark.parametrize("role", ["viewer", "donor"])
def test_roles_that_cannot_upload_see_why(db, monkeypatch, role):
    from dashboard import state

    monkeypatch.setattr(state, "current_scope", lambda: Scope(email="someone@example.org", role=role,
                                                             donor="CAN" if role == "donor" else None))
    at = upload_page()
    assert len(at.file_uploader) == 0
    assert [i.value for i in at.main.info][0].startswith(f"Your role ({role}: ")


def test_partner_coordinator_uploads_actuals_not_targets(db, monkeypatch):
    from dashboard import state

    monkeypatch.setattr(state, "current_scope", lambda: Scope(email="coordinator@example.org", role="partner", partner="GTM"))
    at = upload(upload_page(), "update.csv", b"indicator,partner,period,target,actual\nIND04,GTM,2025,60,52.1\n")
    problems = problems_table(at)
    assert list(problems[["row", "column", "check"]].itertuples(index=False, name=None)) == [(2, "target", "not-permitted")]
    assert confirm(at).disabled is True
    at = upload(upload_page(), "update.csv", b"indicator,partner,period,actual\nIND04,GTM,2025,52.1\n")
    assert metrics(at) == {"New": "0", "Changed": "1", "Unchanged": "0", "Rejected": "0"}
    at = confirm(at).click().run()
    # a partner's upload waits for review (tests/test_review.py): the approved value stays until then
    assert at.success[0].value.startswith("Submitted for review as batch 2")
    assert gtm_values(db)[1] == ("2025-01-01", "2025-12-31", 51.4, 51.6, None)
    assert approve_batch(db, 2, scope=Scope("editor@example.org", "editor"), user="editor@example.org").status == "approved"
    assert gtm_values(db)[1] == ("2025-01-01", "2025-12-31", 51.4, 52.1, None)


def test_many_problems_list_the_first_ones_and_count_them_all(db):
    """1,200 bad rows: the page lists the first 500 problems ([import] max_issues) and says how many there are."""
    rows = b"".join(b"NOPE,GTM,2026-01-01,2026-12-31,55,53\n" for _ in range(1_200))
    at = upload(upload_page(), "many.csv", b"indicator,partner,period_start,period_end,target,actual\n" + rows)
    assert len(problems_table(at)) == 500
    assert list(problems_table(at)["row"][:2]) == [2, 3]
    assert "Problems: 1200 errors, 0 warnings" in [s.value for s in at.subheader]
    assert ("The first 500 of 1,200 problems are listed (by file, row and column; errors first). "
            "Fix them and upload again to see the rest.") in [c.value for c in at.caption]
    assert [e.value for e in at.error][0].startswith("1200 problems must be fixed")


def test_a_workbook_names_the_sheet_read(db):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["indicator", "partner", "period", "actual"])
    book.active.append(["IND04", "GTM", "2026", 53])
    hidden = book.create_sheet("results")
    hidden.append(["nothing", "here"])
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    at = upload(upload_page(), "book.xlsx", out.getvalue())
    assert file_lines(at) == ["**book\\.xlsx** — detected kind: **results** · Excel workbook, sheet “Sheet1” · 1 row"]


IATI_FILE = (b'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03"><iati-activity>'
             b'<iati-identifier>XM-TEST-GTM</iati-identifier><result type="2"><title><narrative>Faster clearance'
             b'</narrative></title><indicator measure="1" ascending="1"><title><narrative>Declarations cleared'
             b'</narrative></title><reference vocabulary="99" code="IATI-T1"/><period><period-start iso-date="2024-01-01"/>'
             b'<period-end iso-date="2024-12-31"/><target value="10"/><actual value="7"/></period></indicator></result>'
             b'</iati-activity></iati-activities>')


@pytest.mark.parametrize("map_csv, partner", [
    (b"iati_identifier,partner\nXM-TEST-GTM,GTM\n", "GTM"),  # mapped: the partner's component
    (None, ""),  # no map: programme level
])
def test_an_iati_file_is_uploaded_with_its_activity_map(db, map_csv, partner):
    at = upload_page()
    at.file_uploader[0].set_value(("results.xml", IATI_FILE, "text/xml")).run()
    assert not at.exception, at.exception
    assert [s.label for s in at.selectbox if s.label == "Kind"] == []
    assert len(at.file_uploader) == 2  # the IATI activity map, offered once an .xml file is there
    if map_csv:
        at.file_uploader[1].set_value(("map.csv", map_csv, "text/csv")).run()
        assert not at.exception, at.exception
    # the result, its indicator and one value (target 10, actual 7)
    assert metrics(at) == {"New": "3", "Changed": "0", "Unchanged": "0", "Rejected": "0"}
    confirm(at).click().run()
    assert not at.exception, at.exception
    with db.connect() as conn:
        rows = conn.execute(select(Partner.code, Value.target, Value.actual)
                            .join(Partner, Partner.id == Value.partner_id)
                            .join(Indicator, Indicator.id == Value.indicator_id)
                            .where(Indicator.code == "IATI-T1")).all()
    assert [tuple(r) for r in rows] == [(partner, 10.0, 7.0)]


def test_a_bad_iati_map_is_refused_naming_the_file_and_nothing_is_checked(db):
    at = upload_page()
    at.file_uploader[0].set_value(("results.xml", IATI_FILE, "text/xml")).run()
    at.file_uploader[1].set_value(("map.csv", b"activity,partner\nXM-TEST-GTM,GTM\n", "text/csv")).run()
    assert not at.exception, at.exception
    assert [shown(e.value) for e in at.error] == [
        "map.csv: the IATI map needs the columns iati_identifier and partner (found: activity, partner). "
        "Fix the map and upload it again."]
    assert metrics(at) == {}  # no dry run

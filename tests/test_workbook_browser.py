"""The partner reporting loop in a real browser (DESIGN.md, "Partner reporting workbook"):
`resultsboard serve` on a copy of the demo ("as of" pinned to 2025-12-31), driven by Chromium.

The workbook is downloaded from GTM's partner page, a value is typed into it with openpyxl
(the 2025 count of consultations with the private sector, IND09, left blank in the demo
with the comment "Report not yet received"), it is uploaded on the Upload page, the dry run
is read, the upload confirmed; the value then shows on GTM's partner page and the batch in
the import history. Every request the browser makes is checked (no request leaves the
machine). One server for the module; under pytest-xdist it runs whole on one worker
(conftest.py, ONE_WORKER_MODULES).
"""
from __future__ import annotations

import io
import sqlite3
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest

from conftest import checkout_env, copy_sqlite
from servers import served
from test_browser import (  # noqa: F401  (guard: a fixture, by name)
    RENDER_TIMEOUT, goto_by_nav, guard, history_row, main_text, no_exception, open_app, settle,
)
from test_review_browser import main_table, table_row

AS_OF = "2025-12-31"
TYPED = 7
FILE = f"resultsboard-workbook-GTM-{AS_OF}.xlsx"


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_sqlite_file):
    """(base URL, database path): `resultsboard serve` on a copy of the demo, "as of" pinned."""
    db = copy_sqlite(demo_sqlite_file, tmp_path_factory.mktemp("workbook-browser") / "demo.db")
    with served(db.parent, checkout_env(DATABASE_URL=f"sqlite:///{db}", RESULTSBOARD_TODAY=AS_OF)) as port:
        yield f"http://127.0.0.1:{port}", db


def ind09_2025(db: Path) -> tuple:
    """GTM's stored 2025 IND09 row: (target, actual, comment)."""
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            """SELECT v.target, v.actual, v.comment FROM result_value v JOIN indicator i ON i.id = v.indicator_id
               JOIN partner p ON p.id = v.partner_id WHERE i.code = 'IND09' AND p.code = 'GTM'
               AND v.period_start = '2025-01-01' AND v.period_end = '2025-12-31' AND v.dimension = ''""").fetchone()


def typed_in(data: bytes) -> bytes:
    """The downloaded workbook with TYPED in IND09's 2025 actual, as a coordinator types it."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book["results"]
    header = [c.value for c in ws[1]]
    rows = [n for n in range(2, ws.max_row + 1) if ws.cell(n, header.index("indicator") + 1).value == "IND09"]
    assert len(rows) == 1, rows
    cell = ws.cell(rows[0], header.index("actual") + 1)
    assert cell.value is None and not cell.protection.locked
    cell.value = TYPED
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_download_fill_upload_and_see_the_value(app, guard):
    base, db = app
    assert ind09_2025(db) == (6.0, None, "Report not yet received")
    page = guard.new_page()

    # (1) the workbook, from GTM's partner page
    open_app(page, base, "partner?p=GTM")
    no_exception(page, "/partner?p=GTM")
    with page.expect_download(timeout=RENDER_TIMEOUT) as dl:
        page.get_by_role("button", name="Reporting workbook (.xlsx)").click()
    assert dl.value.suggested_filename == FILE
    filled = typed_in(Path(dl.value.path()).read_bytes())

    # (2) uploaded on the Upload page: the dry run, then confirmed
    goto_by_nav(page, "upload")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(files=[{
        "name": FILE, "buffer": filled,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    confirm = page.get_by_role("button", name="Confirm and import")
    confirm.wait_for()
    settle(page)
    text = main_text(page)
    assert ("Ready: 0 new, 1 changed. Check what changes below, then press “Confirm and import” to save them as one "
            "batch.") in text, text[:3000]
    assert "Problems: 0 errors, 1 warning" in text, text[:3000]  # the rows left blank, skipped
    assert ind09_2025(db) == (6.0, None, "Report not yet received")  # a dry run writes nothing
    confirm.click()
    page.get_by_text("Committed as batch").wait_for()
    settle(page)
    assert ind09_2025(db) == (6.0, float(TYPED), "Report not yet received")
    with closing(sqlite3.connect(db)) as conn:
        batch, updated, files = conn.execute("SELECT id, updated, files FROM import_batch ORDER BY id DESC LIMIT 1").fetchone()
    assert (updated, files) == (1, f'["{FILE}"]')
    assert f"Committed as batch {batch}: 0 new, 1 changed" in main_text(page)

    # (3) the value on the partner page, the batch in the history
    open_app(page, base, "partner?p=GTM")
    no_exception(page, "/partner?p=GTM after the upload")
    row = table_row(page, main_table(page), "IND09")
    assert (row["Period"], row["Actual"], row["Target"]) == ("2025", f"{TYPED} consultations", "6 consultations"), row
    goto_by_nav(page, "history")
    no_exception(page, "/history")
    cells = history_row(page, FILE)
    assert str(batch) in cells and FILE in cells, cells
    guard.assert_offline()

"""Review of partner uploads in a real browser (DESIGN.md, "Access": Review): the app served
with sign-in against a local OpenID provider (signin.py), on a copy of the demo, driven by
Chromium; four people, each in a browser context of their own.

A partner coordinator (partner GTM) uploads GTM's 2025 actual of IND04 through the Upload
page (the file given to the page's file uploader); the donor CAN, which funds GTM, still
sees the approved 51.6 % on GTM's partner page; an editor opens the Review page, sees the
batch with the approved value beside the submitted one and approves it; the donor then sees
52.1 %. A batch an editor returns with a reason (imported for speed with `resultsboard
import --user` through the command line's entry point, on the server's database) changes
nothing and the partner reads the reason in its import history.

Every request the browser makes is checked (no request leaves the machine). Under
pytest-xdist the module runs whole on one worker (conftest.py, ONE_WORKER_MODULES); no test
relies on another having run before it (each touches its own value and finds its own batch).
"""
from __future__ import annotations

import re
import sqlite3
from contextlib import closing

import pytest

from signin import (  # noqa: F401  (provider ... signin_guard: fixtures, by name)
    Account,
    main_text,
    provider,
    resultsboard,
    signed_in_page,
    signin_app,
    signin_browser,
    signin_config,
    signin_db,
    signin_guard,
    visible,
)
from test_browser import RENDER_TIMEOUT, no_exception, open_app, settle

PARTNER = Account("partner-gtm", "partner.gtm@example.org", role="partner", partner="GTM")
DONOR = Account("donor-can", "donor.can@example.org", role="donor", donor="CAN")
EDITOR = Account("editor", "editor@example.org", role="editor")


@pytest.fixture(scope="module")
def signin_accounts():
    return (PARTNER, DONOR, EDITOR)


# --- the database, read beside the app ----------------------------------------------------------


def approved_actual(db, indicator: str, period_start: str) -> float:
    """GTM's approved actual of `indicator` for the year starting `period_start` (no breakdown)."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            """SELECT v.actual FROM result_value v JOIN indicator i ON i.id = v.indicator_id
               JOIN partner p ON p.id = v.partner_id
               WHERE i.code = ? AND p.code = 'GTM' AND v.period_start = ? AND v.dimension = ''""",
            (indicator, period_start)).fetchall()
    assert len(rows) == 1, rows
    return rows[0][0]


def batch(db, batch_id: int) -> tuple:
    """(user, status, reviewer, reason, applied_as) of a batch."""
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT user, status, reviewer, reason, applied_as FROM import_batch WHERE id = ?",
                            (batch_id,)).fetchone()


def batch_of(db, file: str) -> int:
    """The one batch whose files include `file`."""
    with closing(sqlite3.connect(db)) as conn:
        ids = [i for (i,) in conn.execute("SELECT id FROM import_batch WHERE files LIKE ?", (f'%"{file}"%',))]
    assert len(ids) == 1, ids
    return ids[0]


# --- reading a table in the page ----------------------------------------------------------------


def table_row(page, table, first_cell: str) -> dict[str, str]:
    """{column header: cell text} of the row of `table` (an stDataFrame locator) whose first
    cell is `first_cell` or starts with it and a space. The grid is a canvas with an
    accessible table of the cells in view: it is scrolled right until every column is read."""
    grid = table.locator('table[role="grid"]')
    grid.wait_for(state="attached")
    index = grid.evaluate(
        """(grid, first) => new Promise(resolve => {
               const find = () => [...grid.querySelectorAll('tr[role=row]')].find(r => {
                   const c = r.querySelector('td[aria-colindex="1"]');
                   return c && (c.textContent === first || c.textContent.startsWith(first + ' ')); });
               const started = Date.now();
               const poll = () => {
                   const r = find();
                   if (r || Date.now() - started > 20000) resolve(r ? r.getAttribute('aria-rowindex') : null);
                   else setTimeout(poll, 100); };
               poll(); })""", first_cell)
    assert index, f"no row starting {first_cell!r} in the table:\n{table.inner_text()[:2000]}"
    total = int(grid.get_attribute("aria-colcount"))
    heads: dict[str, str] = {}
    cells: dict[str, str] = {}
    table.hover()
    for _ in range(12):
        h, c = grid.evaluate(
            """(grid, index) => {
                   const heads = {}, cells = {};
                   const at = e => e.getAttribute('aria-colindex');
                   grid.querySelectorAll('th[role=columnheader]').forEach(e => heads[at(e)] = e.textContent);
                   const row = grid.querySelector(`tr[aria-rowindex="${index}"]`);
                   if (row) row.querySelectorAll('td[role=gridcell]').forEach(e => cells[at(e)] = e.textContent);
                   return [heads, cells]; }""", index)
        heads |= h
        cells |= c
        if len(heads) == total and set(cells) == set(heads):
            break
        page.mouse.wheel(600, 0)
        page.wait_for_timeout(200)
    assert len(heads) == total and set(cells) == set(heads), (heads, cells)
    return {heads[i]: visible(cells[i]) for i in sorted(heads, key=int)}


def main_table(page):
    return page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first


def chosen_batch(page) -> str:
    """The Review page's chosen batch, as its selectbox shows it."""
    return visible(page.get_by_role("combobox", name="Batch", exact=True).input_value())


def donor_sees(page, app) -> tuple[str, str, str]:
    """(actual, target, status) of GTM's IND04 on GTM's partner page; the page shows no
    value awaiting review."""
    open_app(page, app.base, "partner?p=GTM")
    no_exception(page, "/partner?p=GTM")
    assert "Awaiting review" not in main_text(page)
    row = table_row(page, main_table(page), "IND04")
    return row["Actual"], row["Target"], row["Status"]


# --- the tests ------------------------------------------------------------------------------------


def test_a_partner_upload_reaches_the_donor_once_an_editor_approves_it(signin_app, provider, signin_guard):
    db = signin_app.db
    assert approved_actual(db, "IND04", "2025-01-01") == 51.6
    name = "gtm-ind04-2025.csv"

    # (1) the partner coordinator uploads through the Upload page
    partner = signed_in_page(signin_guard, signin_app, provider, PARTNER.sub, landing=False)
    open_app(partner, signin_app.base, "upload")
    partner.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": b"indicator,partner,period,actual\nIND04,GTM,2025,52.1\n"}])
    confirm = partner.get_by_role("button", name="Confirm and import")
    confirm.wait_for()
    settle(partner)
    assert ("Ready: 0 new, 1 changed. Check what changes below, then press “Confirm and import” to save them as one "
            "batch.") in main_text(partner)
    confirm.click()
    partner.get_by_text("Submitted for review as batch").wait_for()
    settle(partner)
    submitted = batch_of(db, name)
    text = main_text(partner)
    assert (f"Submitted for review as batch {submitted}: 0 new, 1 changed, 0 unchanged, 0 rejected; 0 errors, 0 warnings"
            in text), text
    assert batch(db, submitted) == (PARTNER.email, "submitted", None, None, None)
    assert approved_actual(db, "IND04", "2025-01-01") == 51.6

    # (2) the donor still sees the approved value, and nothing of the submitted one
    donor = signed_in_page(signin_guard, signin_app, provider, DONOR.sub, landing=False)
    assert donor_sees(donor, signin_app) == ("51.6 %", "51.4 %", "achieved")

    # (3) an editor reviews the batch: the approved value beside the submitted one, and approves
    editor = signed_in_page(signin_guard, signin_app, provider, EDITOR.sub, landing=False)
    open_app(editor, signin_app.base, "review")
    no_exception(editor, "/review")
    assert re.fullmatch(rf"Batch {submitted} — {re.escape(name)} \({re.escape(PARTNER.email)}, "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d, 1 values\)", chosen_batch(editor)), chosen_batch(editor)
    assert table_row(editor, main_table(editor), "IND04") == {
        "indicator": "IND04", "partner": "GTM", "period": "2025-01-01 – 2025-12-31", "breakdown": "",
        "Approved (shown to donors)": "51.6", "Submitted": "52.1", "comment": "", "file": name, "Row": "2"}
    editor.get_by_role("button", name=f"Approve batch {submitted}").click()
    editor.get_by_text(f"Approved batch {submitted}:").wait_for()
    settle(editor)
    applied = batch(db, submitted)[4]
    assert (f"Approved batch {submitted}: 1 pending value applied as batch {applied} (see the import history to "
            "revert it)") in main_text(editor)
    assert "No upload is waiting for review." in main_text(editor)
    assert batch(db, submitted) == (PARTNER.email, "approved", EDITOR.email, None, applied)
    assert approved_actual(db, "IND04", "2025-01-01") == 52.1

    # (4) the donor now sees the new value
    assert donor_sees(donor, signin_app) == ("52.1 %", "51.4 %", "achieved")


def test_a_returned_upload_shows_its_reason_to_the_partner(signin_app, provider, signin_guard, tmp_path):
    db = signin_app.db
    name = "gtm-ind07-2025.csv"
    reason = "The 2025 count of cases is not verified yet"
    upload = tmp_path / name
    upload.write_text("indicator,partner,period,actual,comment\nIND07,GTM,2025,50,recount\n", encoding="utf-8")
    code, output = resultsboard(signin_app.database_url, "import", str(upload), "--user", PARTNER.email)
    assert code == 0, output
    submitted = batch_of(db, name)
    assert batch(db, submitted) == (PARTNER.email, "submitted", None, None, None)

    editor = signed_in_page(signin_guard, signin_app, provider, EDITOR.sub, landing=False)
    open_app(editor, signin_app.base, "review")
    assert chosen_batch(editor).startswith(f"Batch {submitted} — {name} ({PARTNER.email}, "), chosen_batch(editor)
    back = editor.get_by_role("button", name=f"Return batch {submitted}")
    assert back.is_disabled()  # no reason given yet
    editor.get_by_label("Why it is returned (the partner sees this)").fill(reason)
    editor.keyboard.press("Enter")
    settle(editor)
    back.click()
    editor.get_by_text(f"Returned batch {submitted}").wait_for()
    settle(editor)
    assert (f"Returned batch {submitted} to its uploader (1 pending value discarded): {reason}"
            in main_text(editor)), main_text(editor)
    assert batch(db, submitted) == (PARTNER.email, "returned", EDITOR.email, reason, None)
    assert approved_actual(db, "IND07", "2025-01-01") == 49

    partner = signed_in_page(signin_guard, signin_app, provider, PARTNER.sub, landing=False)
    open_app(partner, signin_app.base, "history")
    no_exception(partner, "/history")
    row = table_row(partner, main_table(partner), str(submitted))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d.*", row.pop("When (UTC)")), row
    assert row == {"Batch": str(submitted), "Who": PARTNER.email, "Files": name, "Kinds": "results", "Created": "0",
                   "Updated": "1", "Unchanged": "0", "Status": "returned", "Source": "cli",
                   "Reviewed by": EDITOR.email, "Returned because": reason}

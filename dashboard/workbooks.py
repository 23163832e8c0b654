"""The reporting workbook's download buttons (models.reporting_workbook): one partner's on
the partner page, a zip of every administration that owes reports on the reporting page.
Each file is built when the button is clicked (a callable), for the signed-in user's scope."""
from __future__ import annotations

from datetime import date
from functools import partial

import streamlit as st

from dashboard import state
from dashboard.exports import MIME
from dashboard.text import markdown_text
from models.queries.snapshot import Snapshot
from models.reporting_workbook import build_workbook, partners_owing, workbook_file_name, workbooks_zip, zip_file_name

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook_bytes(snap: Snapshot, code: str, scope, as_of: date) -> bytes:
    return build_workbook(snap, code, scope=scope, as_of=as_of).data


def partner_workbook_button(code: str, as_of: date) -> None:
    """The partner's reporting workbook as of the page's date."""
    st.download_button(
        "Reporting workbook (.xlsx)", icon=":material/edit_document:",
        data=partial(_workbook_bytes, state.snapshot(), code, state.current_scope(), as_of),
        file_name=workbook_file_name(code, as_of), mime=XLSX_MIME, key=f"pp_workbook_{code}", on_click="ignore",
        help=markdown_text(f"An Excel workbook with a row for each report {code} owes as of {as_of.isoformat()} (overdue, "
                           "and each indicator's next one): type the actuals, then upload it on the Upload page. "
                           "Uploaded untouched, it changes nothing."),
    )


def reporting_zip_button(v: Snapshot, overdue=None) -> None:
    """One zip with a workbook per administration that owes reports in the view (`overdue`:
    the view's overdue reports, when the page has them)."""
    owing = partners_owing(v, overdue)
    if not owing:
        return
    st.download_button(
        f"Reporting workbooks of the {len(owing)} administrations that owe reports (zip)", icon=":material/folder_zip:",
        data=partial(workbooks_zip, state.snapshot(), v, scope=state.current_scope()),
        file_name=zip_file_name(v.as_of), mime=MIME["zip"], key="rep_workbooks", on_click="ignore",
        help=f"One pre-filled Excel workbook per administration with an overdue report as of {v.as_of.isoformat()}, "
             "to send to its coordinator; filled in, each comes back through the Upload page.",
    )

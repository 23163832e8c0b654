"""Upload: CSV, .xlsx or IATI activity .xml files (one or several = one batch; IATI files
with an optional map of activities to partners) → what was detected → a dry run
(counts, problems in full, each row's old → new values) → confirm → the committed batch.
Reading, checking and writing all happen in models/ (models.reading, models.importing,
models.row_changes); this page only asks and shows."""
from __future__ import annotations

import hashlib

import streamlit as st

from dashboard import state
from dashboard.text import markdown_text
from models.access import ROLE_HELP, can_upload, recorded_as, upload_partner
from models.config import load_settings
from models.exporting import to_csv_bytes
from models.formats import KIND_ORDER, KINDS
from models.iati.reading import is_iati, read_map
from models.importing import ImportReport, Upload, import_files
from models.issues import ISSUE_COLUMNS, issues_frame
from models.reading import read_upload
from models.row_changes import ROWS_CAP, changes_frame
from models.templates import ALLOWED_VALUES_HELP, template_csv, template_file_name
from models.wording import plural

AUTO = "auto"
IATI = "IATI activities"  # what the page calls an IATI .xml file's kind (the import reads it as several kinds)
ENCODINGS = [AUTO, "utf-8", "cp1252", "utf-16", "latin-1"]
DELIMITERS = {AUTO: "auto", ",": "comma (,)", ";": "semicolon (;)", "\t": "tab"}
ACTION_LABELS = {"created": "new", "updated": "changed", "unchanged": "unchanged", "rejected": "rejected"}
MAX_ROWS_SHOWN = 10_000


def templates_section() -> None:
    with st.expander("Blank templates and allowed values", icon=":material/description:"):
        st.caption("Each template is the header row of one kind of file (required columns first), as CSV. "
                   "Fill it in Excel or any spreadsheet and upload it here.")
        cols = st.columns(len(KINDS))
        for col, kind in zip(cols, KIND_ORDER):
            col.download_button(kind, data=template_csv(kind), file_name=template_file_name(kind), mime="text/csv",
                                key=f"up_template_{kind}", on_click="ignore", icon=":material/download:",
                                help=KINDS[kind].description, width="stretch")
        st.markdown(ALLOWED_VALUES_HELP)


def detected(name: str, data: bytes, sha: str, encoding: str | None, delimiter: str | None) -> dict:
    """What models.reading sees in a file (kept per rerun-stable key, so large files are not re-read)."""
    cache = st.session_state.setdefault("up_detected", {})
    key = (sha, name, encoding, delimiter)
    if key not in cache and is_iati(data, name):  # read whole by the import (models.iati), not sniffed here
        cache[key] = {"kind": IATI, "encoding": None, "delimiter": None, "sheet": None, "decimal_comma_likely": False,
                      "rows": None}
    if key not in cache:
        t = read_upload(data, name, encoding=encoding, delimiter=delimiter)
        if len(cache) > 32:
            cache.clear()
        cache[key] = {"kind": t.kind, "encoding": t.encoding, "delimiter": t.delimiter, "sheet": t.sheet,
                      "decimal_comma_likely": t.decimal_comma_likely, "rows": len(t.frame)}
    return cache[key]


def describe_file(name: str, info: dict, chosen: str) -> str:
    if info["kind"] == IATI:
        return (f"**{markdown_text(name)}** — IATI activity file: its results, indicators and baselines are read "
                "(activities named in the IATI activity map below go to their partner, the others to programme level)")
    if chosen != AUTO:
        kind = f"kind **{chosen}** (chosen; detected: {info['kind'] or 'none'})"
    elif info["kind"]:
        kind = f"detected kind: **{info['kind']}**"
    else:
        kind = "kind **not detected** — choose it"
    if info.get("sheet"):
        reading = f"Excel workbook, sheet “{markdown_text(info['sheet'])}”"
    elif info["encoding"] is None and info["delimiter"] is None:
        reading = "Excel workbook" if name.lower().endswith(".xlsx") else "not readable as text"
    else:
        reading = f"encoding {info['encoding']} · delimiter {DELIMITERS.get(info['delimiter'], repr(info['delimiter']))}"
    return f"**{markdown_text(name)}** — {kind} · {reading} · {plural(info['rows'], 'row')}"


def batch_kind(infos: list[dict], chosen: list[str]) -> tuple[str | None, str | None]:
    """The one `kind` passed to the import engine (it takes one per call), or a message when
    the per-file choices cannot be honoured in one batch."""
    if all(c == AUTO for c in chosen):
        return None, None
    effective = {c if c != AUTO else i["kind"] for i, c in zip(infos, chosen)}
    if len(effective) == 1:
        return effective.pop(), None
    return None, ("A chosen kind applies to every file of the batch, and these files hold different kinds. "
                  "Upload the file whose kind you choose on its own, or set the others to the same kind.")


PROBLEM_LABELS = {"file": "File", "row": "Row", "column": "Column", "check": "Check", "value": "Value",
                  "message": "Message", "severity": "Severity"}
CHANGE_CONFIG = {
    "file": "File", "row": st.column_config.NumberColumn("Row", format="%d", help="As a spreadsheet shows it: header = row 1"),
    "action": "Action", "indicator": "Indicator", "partner": "Partner", "period": "Period", "breakdown": "Breakdown",
    "record": "Record", "field": "Field",
    "old": st.column_config.TextColumn("Old value", width="medium", help="What is stored now (– none)"),
    "new": st.column_config.TextColumn("New value", width="medium"),
}


def show_problems(report: ImportReport) -> None:
    """Every listed problem in full: a table whose text wraps (no message cut off), as text."""
    problems = issues_frame(report.issues)
    columns = ISSUE_COLUMNS if len(report.files) > 1 else [c for c in ISSUE_COLUMNS if c != "file"]
    shown = problems[columns].astype(object).map(lambda v: markdown_text("" if v is None else v))
    shown.columns = [PROBLEM_LABELS[c] for c in columns]
    box = st.container(height=480) if len(problems) > 12 else st.container()
    box.table(shown, hide_index=True)
    st.download_button("Download the problems (CSV)", data=to_csv_bytes(problems), file_name="upload-problems.csv",
                       mime="text/csv", key="up_problems_csv", on_click="ignore", icon=":material/download:")


def show_changes(report: ImportReport) -> None:
    """Each row that is (or would be) created or changed: its indicator, partner, period (or its
    code), and the old → new value of each field that changes."""
    if not report.changes:
        return
    heading = {"dry-run": "What would change", "committed": "What changed", "submitted": "What was submitted for review",
               }.get(report.status, "What the rows without problems would change")
    st.subheader(f"{heading}: {plural(report.rows_total, 'row')}")
    frame = changes_frame(report.changes)
    if len(report.files) == 1 and "file" in frame:
        frame = frame.drop(columns="file")
    st.dataframe(frame, hide_index=True, width="stretch", key="up_changes",
                 column_config={c: CHANGE_CONFIG[c] for c in frame.columns})
    if report.rows_total > len(report.changes):
        st.caption(f"The first {len(report.changes):,} of {report.rows_total:,} rows are listed (at most {ROWS_CAP:,}).")


def show_report(report: ImportReport) -> None:
    c = st.columns(4)
    c[0].metric("New", report.created)
    c[1].metric("Changed", report.updated)
    c[2].metric("Unchanged", report.unchanged)
    c[3].metric("Rejected", report.rejected)
    errors, warnings = report.error_count, report.warning_count
    if report.issues:
        st.subheader(f"Problems: {plural(errors, 'error')}, {plural(warnings, 'warning')}")
        if report.truncated:
            st.caption(f"The first {len(report.issues):,} of {report.issues_total:,} problems are listed (by file, row "
                       "and column; errors first). Fix them and upload again to see the rest.")
        st.caption("Row as a spreadsheet shows it (header = row 1; 0 = the file as a whole).")
        show_problems(report)
    show_changes(report)
    rows = report.rows.assign(action=report.rows["action"].map(lambda a: ACTION_LABELS.get(a, a)))
    if len(rows):
        with st.expander(f"Row by row ({plural(len(rows), 'row')})", expanded=len(rows) <= 200):
            st.dataframe(rows.head(MAX_ROWS_SHOWN), hide_index=True, width="stretch",
                         column_config={"file": "File", "kind": "Kind", "action": "Action",
                                        "row": st.column_config.NumberColumn("Row", format="%d")})
            if len(rows) > MAX_ROWS_SHOWN:
                st.caption(f"The first {MAX_ROWS_SHOWN:,} of {len(rows):,} rows.")


scope = state.current_scope()
st.title("Upload updates")
st.caption("One or several CSV, .xlsx or IATI activity .xml files make one batch: checked together, then saved all or nothing. "
           "Nothing is written until you confirm the dry run; every batch can be reverted from the import history.")
templates_section()

state.closed_unless(can_upload(scope), f"Your role ({scope.role}: {ROLE_HELP[scope.role]}) does not upload data. "
                    "Uploads are open to admins, editors and partner coordinators (for their own administration); "
                    "ask the secretariat to give your account one of those roles.")
if upload_partner(scope):
    st.caption(f"As a partner coordinator you upload actuals and comments for {markdown_text(upload_partner(scope))}; targets and "
               "baselines agreed with donors are refused (not-permitted).")

limits = load_settings().limits
nonce = st.session_state.setdefault("up_nonce", 0)
last = st.session_state.get("up_last")
files = st.file_uploader("CSV, Excel (.xlsx) or IATI activity (.xml) files", type=["csv", "tsv", "txt", "xlsx", "xml"],
                         accept_multiple_files=True,
                         key=f"up_files_{nonce}",
                         help=f"Several files are imported together as one batch: up to {limits.max_upload_mb:,} MB each and"
                              f" {limits.max_batch_mb:,} MB together, {limits.max_rows:,} rows and {limits.max_columns:,}"
                              " columns per file.")
if last and not files:
    st.success(last.summary(), icon=":material/check_circle:")
    show_changes(last)
    if last.status == "submitted":
        st.info("An editor reviews your values before donors see them: until then they show as awaiting review on "
                "your partner page, and donors see the approved values.", icon=":material/pending:")
    st.page_link("views/history.py", label="See it in the import history", icon=":material/history:")
if not files:
    st.stop()
st.session_state.pop("up_last", None)

uploads = [Upload(f.name, f.getvalue()) for f in files]
hashes = [hashlib.sha256(u.data).hexdigest() for u in uploads]
with st.expander("Reading options", expanded=False):
    o1, o2 = st.columns(2)
    encoding = o1.selectbox("Encoding", ENCODINGS, key=f"up_encoding_{nonce}",
                            help="Detected by default: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (cp1252).")
    delimiter = o2.selectbox("Delimiter", list(DELIMITERS), key=f"up_delimiter_{nonce}", format_func=DELIMITERS.get,
                             help="Detected by default: comma, semicolon or tab.")
encoding = None if encoding == AUTO else encoding
delimiter = None if delimiter == AUTO else delimiter

st.subheader("Files")
infos, chosen = [], []
for n, (u, sha) in enumerate(zip(uploads, hashes)):
    info = detected(u.name, u.data, sha, encoding, delimiter)
    if info["kind"] == IATI:
        st.container(border=True).markdown(describe_file(u.name, info, AUTO))
        infos.append(info)
        chosen.append(AUTO)
        continue
    with st.container(border=True):
        left, right = st.columns([3, 1])
        pick = right.selectbox("Kind", [AUTO, *KIND_ORDER], key=f"up_kind_{nonce}_{n}_{sha[:12]}",
                               format_func=lambda k, i=info: f"auto ({i['kind'] or 'not detected'})" if k == AUTO else k)
        left.markdown(describe_file(u.name, info, pick))
    infos.append(info)
    chosen.append(pick)
kind, kind_problem = batch_kind(infos, chosen)
decimal_comma = st.toggle(
    "Decimal comma (read 12,5 as 12.5)", value=any(i["decimal_comma_likely"] for i in infos),
    key=f"up_decimal_{nonce}_{'-'.join(h[:12] for h in hashes)}",
    help="Switched on by itself when a file uses ';' between columns and numbers like 12,5. Applies to every file of the batch.",
)
if kind_problem:
    st.warning(kind_problem)
    st.stop()
iati_map, map_sha = None, ""
if any(i["kind"] == IATI for i in infos):
    map_file = st.file_uploader(
        "IATI activity map (optional): a CSV with the columns iati_identifier and partner", type=["csv"],
        key=f"up_iati_map_{nonce}",
        help="One line per IATI activity that is a partner's component: its iati-identifier and the partner's code. "
             "Activities not in the map are imported at programme level.")
    if map_file is not None:
        try:
            iati_map = read_map(map_file.getvalue())
        except ValueError as e:
            st.error(markdown_text(f"{map_file.name}: {e}. Fix the map and upload it again."), icon=":material/error:")
            st.stop()
        map_sha = hashlib.sha256(map_file.getvalue()).hexdigest()

st.subheader("Dry run")
signature = (tuple(hashes), tuple(u.name for u in uploads), kind, encoding, delimiter, decimal_comma, map_sha,
             state.current_version(), scope)
saved = st.session_state.get("up_dry")
if saved and saved[0] == signature:
    report = saved[1]
else:
    with st.spinner("Checking the files…"):
        report = import_files(state.engine(), uploads, user=recorded_as(scope), source="upload", dry_run=True,
                              kind=kind, encoding=encoding, delimiter=delimiter, decimal_comma=decimal_comma, scope=scope,
                              iati_map=iati_map)
    st.session_state["up_dry"] = (signature, report)

if report.status == "rejected" and report.rows.empty and report.errors:
    st.error("The files could not be checked: fix the problems below and upload again.", icon=":material/error:")
elif report.errors:
    st.error(f"{plural(report.error_count, 'problem')} must be fixed before anything can be saved; nothing was written. "
             "Fix them in your file (the list below downloads as CSV) and upload it again.", icon=":material/error:")
elif report.created + report.updated == 0:
    st.info("Nothing would change: every row equals what is stored.", icon=":material/info:")
else:
    st.success(f"Ready: {report.created} new, {report.updated} changed. Check what changes below, then press "
               "“Confirm and import” to save them as one batch.", icon=":material/task_alt:")
show_report(report)

blocked = bool(report.errors) or report.created + report.updated == 0
if st.button("Confirm and import", type="primary", disabled=blocked, key=f"up_confirm_{nonce}", icon=":material/upload:"):
    bar = st.progress(0.0, text="Importing…")
    result = import_files(state.engine(), uploads, user=recorded_as(scope), source="upload", kind=kind,
                          encoding=encoding, delimiter=delimiter, decimal_comma=decimal_comma, scope=scope, iati_map=iati_map,
                          on_progress=lambda done, total, what: bar.progress(min(done / total, 1.0) if total else 1.0,
                                                                             text=what))
    state.refresh_version()
    if result.status in ("committed", "submitted"):
        st.session_state["up_last"] = result
        st.session_state["up_nonce"] = nonce + 1
        st.session_state.pop("up_dry", None)
        st.session_state.pop("up_detected", None)
        st.rerun()
    st.session_state["up_dry"] = (signature, result)
    st.error("The import was refused (the data changed since the dry run?): " + result.summary(), icon=":material/error:")

"""One import call: every file read, checked and applied in dependency order inside one
transaction recorded as one batch; any error (or a dry run) rolls it all back."""
from __future__ import annotations

import gc
import hashlib
import heapq
import json
from datetime import datetime, timezone
from typing import Callable

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, update

from models.access import Scope, can_upload, refusal, require, uploads_own_actuals_only
from models.config import ImportLimits, load_settings
from models.formats import KIND_ORDER
from models.importing.activities import import_activities
from models.importing.context import ImportContext, with_file
from models.importing.framework import import_framework, import_indicators
from models.importing.organisations import import_donors, import_funding, import_partners
from models.importing.report import ImportReport, Upload
from models.importing.results import import_results
from models.iati.reading import IatiTable, locate, read_tables
from models.issues import CLI, ERROR, PAGE, WARNING, Issue, has_errors, worded_for
from models.reading import Table, read_upload, too_large_file
from models.row_changes import Recorder
from models.tables import AuditEvent, ImportBatch
from models.upsert import CREATED, REJECTED, UNCHANGED, UPDATED
from models.writes import foreign_keys_set_based

# kind -> the function that checks and applies a file of it (rows -> actions)
HANDLERS: dict[str, Callable[[ImportContext, Table], pd.Series]] = {
    "donors": import_donors,
    "partners": import_partners,
    "funding": import_funding,
    "framework": import_framework,
    "indicators": import_indicators,
    "activities": import_activities,
    "results": import_results,
}


class _Rejected(Exception):
    """Roll the transaction back: the data was refused, or it was a dry run."""


def import_files(
    engine: Engine,
    uploads: list[Upload],
    *,
    user: str,
    source: str = "cli",
    dry_run: bool = False,
    kind: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal_comma: bool = False,
    scope: Scope,
    on_progress: Callable[[int, int, str], None] | None = None,
    limits: ImportLimits | None = None,
    iati_map: dict[str, str] | None = None,
    on_commit: Callable[[Connection, int | None], list[Issue]] | None = None,
) -> ImportReport:
    """Import files as one transaction and one batch (or, with dry_run, report and roll back),
    as `scope` may (no scope: AccessDenied, nothing read). An IATI .xml file becomes its
    framework, indicators and results tables (models.iati; `iati_map`: identifier -> partner).
    A partner coordinator's changes are kept for review (models.review): the batch is
    `submitted`, the report's status too. `on_commit(conn, batch_id)` runs last in the
    transaction (an approval records itself); issues it returns refuse the whole call.

    The `[import]` limits (`limits`, else the config file's) are checked first: a file or a
    call beyond the size limits is refused before anything is read.

    The report's `changes` list the first rows the call creates or changes, before -> after
    (models.row_changes); its messages are worded for the upload page when `source` is
    "upload" (its controls, not the command line's options).

    `on_progress(done, total, what)` is called as the work goes: each file read ("reading
    files", done of total files), each file's steps ("results.csv: checking rows", ...,
    "results.csv: writing values" with the rows written so far of those to write, chunk by
    chunk), and "saving" before the transaction ends (models never draw it: the command
    line and the upload page do)."""
    require(scope)
    limits = limits or load_settings().limits
    surface = PAGE if source == "upload" else CLI
    too_large = size_issues(uploads, limits)
    if too_large:
        return _refused_unread(uploads, too_large, limits, surface)
    collecting = gc.isenabled()
    gc.disable()  # a million rows are millions of tuples: no cycle hunts while they are built (about 3x faster)
    try:
        return _import(engine, uploads, user=user, source=source, dry_run=dry_run, kind=kind, encoding=encoding,
                       delimiter=delimiter, decimal_comma=decimal_comma, scope=scope,
                       progress=on_progress or (lambda _d, _t, _w: None), limits=limits, iati_map=iati_map,
                       on_commit=on_commit, surface=surface)
    except MemoryError:  # the transaction was rolled back on the way out
        return _refused_unread(uploads, [Issue(
            0, "", "too-large", ", ".join(u.name for u in uploads),
            "these files are too large to check in the memory available; nothing was written. Split them into"
            " smaller files and import them one by one", ERROR, uploads[0].name if len(uploads) == 1 else "")], limits,
            surface)
    finally:
        if collecting:
            gc.enable()


def _refused_unread(uploads: list[Upload], issues: list[Issue], limits: ImportLimits, surface: str = CLI) -> ImportReport:
    report = ImportReport("rejected", None, [{"file": u.name, "kind": None, "encoding": None, "delimiter": None,
                                              "sheet": None} for u in uploads])
    _count(report, report.rows, issues, limits, surface)
    return report


def size_issues(uploads: list[Upload], limits: ImportLimits) -> list[Issue]:
    """too-large for each file above the upload limit, and for a call above the batch limit."""
    out = [too_large_file(u.name, u.nbytes, limits) for u in uploads if u.nbytes > limits.max_upload_bytes]
    total = sum(u.nbytes for u in uploads)
    if total > limits.max_batch_bytes and len(uploads) > 1:
        out.append(Issue(0, "", "too-large", f"{total / 1_000_000:,.1f} MB",
                         f"the {len(uploads)} files hold {total / 1_000_000:,.1f} MB together; one import may hold at"
                         f" most {limits.max_batch_mb:,} MB ([import] max_batch_mb in resultsboard.toml). Import"
                         " them in several smaller batches", ERROR, ""))
    return out


def _import(engine: Engine, uploads: list[Upload], *, user: str, source: str, dry_run: bool, kind: str | None,
            encoding: str | None, delimiter: str | None, decimal_comma: bool, scope: Scope,
            progress: Callable[[int, int, str], None], limits: ImportLimits, iati_map: dict[str, str] | None,
            on_commit: Callable[[Connection, int | None], list[Issue]] | None, surface: str = CLI) -> ImportReport:
    def reader(u: Upload) -> Table:
        table = read_upload(u.data, u.name, kind=kind, encoding=encoding, delimiter=delimiter, limits=limits)
        progress(next(n for n, x in enumerate(uploads, 1) if x is u), len(uploads), "reading files")
        return table

    tables = read_tables(uploads, iati_map, reader)
    # an IATI file's tables also carry the elements the file holds (README, "IATI"): the counts to set beside the rows
    files = [{"file": t.file, "kind": t.kind, "encoding": t.encoding, "delimiter": t.delimiter, "sheet": t.sheet,
              **({"elements": dict(t.counts)} if getattr(t, "counts", None) else {})} for t in tables]
    for t in tables:
        t.issues += _no_data(t)
    issues: list[Issue] = [with_file(i, t.file) for t in tables for i in t.issues]
    report = ImportReport("rejected", None, files)
    if not can_upload(scope):  # refused before the rows meet the stored data: no counts, no stored values
        issues.append(Issue(0, "", "not-permitted", scope.role, refusal(scope, "upload data"), ERROR, ""))
        _count(report, report.rows, issues, limits, surface)
        return report
    readable = [t for t in tables if t.kind and not has_errors(t.issues)]
    order = sorted(readable, key=lambda t: KIND_ORDER.index(t.kind))
    with engine.connect() as conn, foreign_keys_set_based(conn, _inserts_and_updates_only(order, scope, on_commit)):
        conn.execution_options(write=True)
        trans = conn.begin()
        try:
            batch_id = _open_batch(conn, uploads, tables, user, source)
            ctx = ImportContext(conn, batch_id, decimal_comma, scope, progress)
            ctx.changes = Recorder(batch_id, [t.file for t in tables])
            frames = []
            for t in order:
                frames.append(_import_table(ctx, t, issues))
            rows = pd.concat(frames, ignore_index=True) if frames else report.rows
            _run_final_checks(ctx, rows, issues)
            _count(report, rows, locate(issues, tables), limits, surface)
            report.changes = ctx.changes.finish(conn, rows)  # ids named by their codes before any rollback
            if has_errors(issues):
                raise _Rejected
            if dry_run:
                report.status = "dry-run"
                raise _Rejected
            progress(1, 1, "saving")
            _close_batch(conn, report, batch_id, uploads, user, source, submitted=ctx.pending > 0)
            late = on_commit(conn, report.batch_id) if on_commit else []
            if late:
                report.status, report.batch_id = "rejected", None
                report.issues = [*report.issues, *late]
                raise _Rejected
            trans.commit()
        except _Rejected:
            trans.rollback()
        except BaseException:
            trans.rollback()
            raise
    return report


def _inserts_and_updates_only(order: list[Table], scope: Scope, on_commit) -> bool:
    """Whether the call's writes are only inserts and updates of result values and baselines
    (with their prior versions, the batch and its audit event): results files, uploaded by a
    role whose changes apply at once, nothing run at commit. SQLite then checks their foreign
    keys set-based (models.writes.foreign_keys_set_based): the ids they reference were read
    from the database in this same write transaction, and each distinct one is checked again
    there before the rows are written; the batch is this transaction's own."""
    return bool(order) and all(t.kind == "results" for t in order) and on_commit is None and not uploads_own_actuals_only(scope)


def _open_batch(conn: Connection, uploads: list[Upload], tables: list[Table], user: str, source: str) -> int:
    return conn.execute(
        insert(ImportBatch).values(
            user=user,
            at=datetime.now(timezone.utc),
            files=json.dumps([u.name for u in uploads]),
            sha256=json.dumps([hashlib.sha256(u.data).hexdigest() for u in uploads]),
            kinds=",".join(t.kind or "" for t in tables),
            source=source,
            status="committed",
        )
    ).inserted_primary_key[0]


def _import_table(ctx: ImportContext, t: Table, issues: list[Issue]) -> pd.DataFrame:
    """Check and apply one file; its issues go to `issues`; returns its rows' actions."""
    ctx.file = t.file
    ctx.issues = file_issues = []
    if t.kind != "results":  # results report their own steps
        ctx.step("checking")
    actions = HANDLERS[t.kind](ctx, t).copy()
    issues += file_issues
    bad_rows = {i.row for i in file_issues if i.severity == ERROR and i.row >= 2}
    if bad_rows:
        actions.loc[actions.index.isin(bad_rows)] = REJECTED
        missing = sorted(bad_rows - set(actions.index))
        if missing:
            actions = pd.concat([actions, pd.Series(REJECTED, index=missing)])
    return pd.DataFrame({"file": t.file, "kind": t.kind, "row": actions.index, "action": actions.to_numpy()})


def _run_final_checks(ctx: ImportContext, rows: pd.DataFrame, issues: list[Issue]) -> None:
    """The checks that need every file of the call applied first; their rows are refused."""
    for check in ctx.final_checks:
        late = check()
        issues += late
        bad = rows.set_index(["file", "row"]).index.isin([(i.file, i.row) for i in late if i.severity == ERROR])
        rows.loc[bad, "action"] = REJECTED


def _no_data(t: Table) -> list[Issue]:
    """`empty-file` for a file whose header is followed by no data row (blank rows do not count):
    refused, so a header-only template never passes for an import that changed nothing."""
    if t.kind is None or isinstance(t, IatiTable) or has_errors(t.issues) or not t.frame.empty:
        return []
    return [Issue(0, "", "empty-file", t.file, f"{t.file} has a header row but no data rows; add the rows below the header "
                  "and import it again", ERROR, t.file)]


def _count(report: ImportReport, rows: pd.DataFrame, issues: list[Issue], limits: ImportLimits, surface: str = CLI) -> None:
    """Row counts, and the first `max_issues` problems (by file, row, column) with the totals,
    worded for `surface`."""
    counts = rows["action"].value_counts()
    report.rows = rows
    report.created = int(counts.get(CREATED, 0))
    report.updated = int(counts.get(UPDATED, 0))
    report.unchanged = int(counts.get(UNCHANGED, 0))
    report.rejected = int(counts.get(REJECTED, 0))
    report.warnings_total = sum(1 for i in issues if i.severity == WARNING)
    report.errors_total = len(issues) - report.warnings_total
    key = lambda i: (i.file, i.row, i.column, i.check)  # noqa: E731
    if len(issues) > limits.max_issues:  # errors first, so a refusal always lists some
        errors = heapq.nsmallest(limits.max_issues, (i for i in issues if i.severity != WARNING), key=key)
        warnings = heapq.nsmallest(limits.max_issues - len(errors), (i for i in issues if i.severity == WARNING), key=key)
        report.issues = sorted(errors + warnings, key=key)
    else:
        report.issues = sorted(issues, key=key)
    report.issues = worded_for(report.issues, surface)


def _close_batch(conn: Connection, report: ImportReport, batch_id: int, uploads: list[Upload], user: str, source: str,
                 submitted: bool = False) -> None:
    """Record the batch's counts and the audit event (an approval records its own), or drop the
    batch when nothing changed; `submitted`: its changes wait for review."""
    report.status = "committed"
    if report.created + report.updated == 0:
        conn.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))
        return
    report.status = "submitted" if submitted else "committed"
    report.batch_id = int(batch_id)
    conn.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch_id)
        .values(created=report.created, updated=report.updated, unchanged=report.unchanged, status=report.status)
    )
    if source == "review":
        return
    conn.execute(
        insert(AuditEvent).values(
            at=datetime.now(timezone.utc),
            user=user,
            action="import",
            batch_id=batch_id,
            detail=json.dumps({"files": [u.name for u in uploads], "sha256": [hashlib.sha256(u.data).hexdigest() for u in uploads],
                               "source": source} | ({"status": "submitted"} if submitted else {})),
        )
    )

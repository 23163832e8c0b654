"""The import engine: one path in for uploads, the command line and the demo seeds.

All files of one call are one transaction and one batch, applied in dependency order.
Every problem is collected; any error means nothing is written. A dry run runs the very
same code and rolls back, so it reports exactly what a commit would.
"""
from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from models import reference
from models.access import Scope, can_upload
from models.cells import (
    CLEAR,
    parse_bool,
    parse_choice,
    parse_date,
    parse_number,
    parse_period,
    parse_text,
    split_list,
)
from models.formats import (
    ACTIVITY_STATUSES,
    ACTIVITY_TYPES,
    CLEAR_TOKEN,
    KIND_ORDER,
    LEVELS,
    MEASURES,
    MODES,
    PARTNER_STATUSES,
)
from models.issues import ERROR, WARNING, Issue, has_errors
from models.reading import Table, read_upload
from models.tables import (
    ActivityKeyFactor,
    ActivityPartner,
    Activity,
    Agreement,
    AuditEvent,
    Baseline,
    Donor,
    Funding,
    ImportBatch,
    Indicator,
    KeyFactor,
    Partner,
    PROGRAMME_PARTNER_CODE,
    Region,
    Result,
    Value,
)
from models.upsert import CREATED, REJECTED, UNCHANGED, UPDATED, apply_plan, plan_upsert, versions_to_keep
from models.writes import bulk_delete, bulk_insert, bulk_update, frame_rows, iso_dates, read_frame, record_versions


@dataclass
class Upload:
    name: str
    data: bytes


@dataclass
class ImportReport:
    status: str  # committed | rejected | dry-run
    batch_id: int | None
    files: list[dict]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    issues: list[Issue] = field(default_factory=list)
    rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["file", "kind", "row", "action"]))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "batch_id": self.batch_id,
            "files": self.files,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "issues": [
                {k: v for k, v in i.as_dict().items() if k != "file"} | ({"file": i.file} if i.file else {})
                for i in self.issues
            ],
        }

    def summary(self) -> str:
        head = {"committed": "Committed", "rejected": "Refused", "dry-run": "Dry run"}[self.status]
        batch = f" as batch {self.batch_id}" if self.batch_id else ""
        return (
            f"{head}{batch}: {self.created} new, {self.updated} changed, {self.unchanged} unchanged, "
            f"{self.rejected} rejected; {len(self.errors)} errors, {len(self.issues) - len(self.errors)} warnings"
        )


class _Rejected(Exception):
    pass


# --------------------------------------------------------------------------------------
# the entry point


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
    scope: Scope | None = None,
    on_progress: Callable[[float, str], None] | None = None,
) -> ImportReport:
    """Import files as one transaction and one batch (or, with dry_run, report and roll back)."""
    progress = on_progress or (lambda _f, _m: None)
    tables = [read_upload(u.data, u.name, kind=kind, encoding=encoding, delimiter=delimiter) for u in uploads]
    progress(0.1, "files read")
    files = [{"file": t.file, "kind": t.kind, "encoding": t.encoding, "delimiter": t.delimiter} for t in tables]
    issues: list[Issue] = []
    for t in tables:
        issues += [_with_file(i, t.file) for i in t.issues]
    report = ImportReport("rejected", None, files)
    if scope is not None and not can_upload(scope):
        issues.append(Issue(0, "", "not-permitted", scope.role, f"the role '{scope.role}' cannot upload data", ERROR, ""))
    readable = [t for t in tables if t.kind and not has_errors(t.issues)]
    order = sorted(readable, key=lambda t: KIND_ORDER.index(t.kind))
    row_frames = []
    with engine.connect() as conn:
        conn.execution_options(write=True)
        trans = conn.begin()
        try:
            batch_id = conn.execute(
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
            ctx = _Context(conn, batch_id, decimal_comma, scope)
            for n, t in enumerate(order):
                handler = HANDLERS[t.kind]
                ctx.file = t.file
                file_issues: list[Issue] = []
                ctx.issues = file_issues
                actions = handler(ctx, t)
                issues += file_issues
                bad_rows = {i.row for i in file_issues if i.severity == ERROR and i.row >= 2}
                actions = actions.copy()
                if bad_rows:
                    actions.loc[actions.index.isin(bad_rows)] = REJECTED
                    missing = sorted(bad_rows - set(actions.index))
                    if missing:
                        actions = pd.concat([actions, pd.Series(REJECTED, index=missing)])
                row_frames.append(
                    pd.DataFrame({"file": t.file, "kind": t.kind, "row": actions.index, "action": actions.to_numpy()})
                )
                progress(0.1 + 0.8 * (n + 1) / max(len(order), 1), f"{t.file} checked")
            rows = pd.concat(row_frames, ignore_index=True) if row_frames else report.rows
            # checks that need every file of the call applied first
            for check in ctx.final_checks:
                late = check()
                issues += late
                bad = rows.set_index(["file", "row"]).index.isin([(i.file, i.row) for i in late if i.severity == ERROR])
                rows.loc[bad, "action"] = REJECTED
            counts = rows["action"].value_counts()
            report.rows = rows
            report.created = int(counts.get(CREATED, 0))
            report.updated = int(counts.get(UPDATED, 0))
            report.unchanged = int(counts.get(UNCHANGED, 0))
            report.rejected = int(counts.get(REJECTED, 0))
            report.issues = _sorted_issues(issues)
            if has_errors(issues):
                raise _Rejected
            if dry_run:
                report.status = "dry-run"
                raise _Rejected
            if report.created + report.updated == 0:
                conn.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))
                report.status = "committed"
            else:
                conn.execute(
                    update(ImportBatch)
                    .where(ImportBatch.id == batch_id)
                    .values(created=report.created, updated=report.updated, unchanged=report.unchanged)
                )
                conn.execute(
                    insert(AuditEvent).values(
                        at=datetime.now(timezone.utc),
                        user=user,
                        action="import",
                        batch_id=batch_id,
                        detail=json.dumps({"files": [u.name for u in uploads], "source": source}),
                    )
                )
                report.status = "committed"
                report.batch_id = int(batch_id)
            trans.commit()
        except _Rejected:
            trans.rollback()
        except BaseException:
            trans.rollback()
            raise
    progress(1.0, report.status)
    return report


def _with_file(issue: Issue, file: str) -> Issue:
    return issue if issue.file else Issue(issue.row, issue.column, issue.check, issue.value, issue.message, issue.severity, file)


def _sorted_issues(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.file, i.row, i.column, i.check))


# --------------------------------------------------------------------------------------
# shared context and helpers


class _Context:
    def __init__(self, conn: Connection, batch_id: int, decimal_comma: bool, scope: Scope | None):
        self.conn = conn
        self.batch_id = batch_id
        self.decimal_comma = decimal_comma
        self.scope = scope
        self.file = ""
        self.issues: list[Issue] = []
        self._codes: dict = {}
        self.final_checks: list[Callable[[], list[Issue]]] = []

    def add(self, issues):
        self.issues.extend(_with_file(i, self.file) for i in issues)

    def issue(self, row, column, check, value, message, severity=ERROR):
        self.issues.append(Issue(int(row), column, check, str(value), message, severity, self.file))

    def codes(self, model, *, refresh: bool = False) -> dict[str, int]:
        """lower(code) -> id for a code-keyed table (read once, refreshed after writes)."""
        if refresh or model not in self._codes:
            rows = self.conn.execute(select(model.code, model.id)).all()
            self._codes[model] = {c.lower(): i for c, i in rows}
        return self._codes[model]

    def spelled(self, model) -> dict[str, str]:
        rows = self.conn.execute(select(model.code)).all()
        return {c.lower(): c for (c,) in rows}


def _resolve(ctx: _Context, raw: pd.Series, column: str, model, label: str, *, allow_empty: bool = False):
    """Codes -> ids, case-insensitive; unknown codes refused with a did-you-mean."""
    codes = ctx.codes(model)
    keys = raw.str.lower()
    ids = keys.map(codes)
    unknown = raw.ne("") & ids.isna()
    if allow_empty:
        ids = ids.where(raw.ne(""), np.nan)
    if unknown.any():
        spelled = ctx.spelled(model)
        choices = [k for k in spelled if k]
        for value in pd.unique(raw[unknown]):
            hint = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.6)
            dym = f"; did you mean '{spelled[hint[0]]}'?" if hint else ""
            message = f"unknown {label} '{value}'{dym} Add it with a {label}s upload first, or correct the code"
            for row in raw.index[(raw == value).to_numpy()]:
                ctx.issue(row, column, "unknown-reference", value, message)
    return ids


def _require(ctx: _Context, frame: pd.DataFrame, columns) -> pd.Series:
    """missing-cell for empty required cells; returns the mask of rows that have all of them."""
    ok = pd.Series(True, index=frame.index)
    for c in columns:
        if c not in frame:
            continue
        cleared = frame[c].eq(CLEAR_TOKEN)
        empty = frame[c].eq("") | cleared
        for row in frame.index[empty.to_numpy()]:
            if cleared.loc[row]:
                ctx.issue(row, c, "missing-cell", CLEAR_TOKEN, f"'{c}' is required; it cannot be cleared")
            else:
                ctx.issue(row, c, "missing-cell", "", f"'{c}' is required")
        ok &= ~empty
    return ok


def _unless_cleared(raw: pd.Series) -> pd.Series:
    """A required reference column with the clear token blanked (`_require` reports it)."""
    return raw.where(raw.ne(CLEAR_TOKEN), "")


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series("", index=frame.index, dtype=object)


def _duplicates(ctx: _Context, keys: pd.DataFrame, column: str, label: str, raw_value: pd.Series | None = None) -> pd.Series:
    """duplicate-key for rows sharing a key, naming the first row; returns mask of duplicates."""
    dup = keys.duplicated(keep=False)
    if not dup.any():
        return pd.Series(False, index=keys.index)
    first_row = pd.Series(keys.index, index=keys.index).groupby([keys[c] for c in keys.columns], dropna=False).transform("min")
    later = dup & (pd.Series(keys.index, index=keys.index) != first_row)
    for row in keys.index[later.to_numpy()]:
        value = raw_value.loc[row] if raw_value is not None else ""
        ctx.issue(row, column, "duplicate-key", value, f"the same {label} as row {int(first_row.loc[row])}; keep one of the two rows")
    return later


def _stored(ctx: _Context, model, columns: list[str], where=None) -> pd.DataFrame:
    t = model.__table__
    stmt = select(*[t.c[c] for c in ["id", "batch_id", *columns]])
    if where is not None:
        stmt = stmt.where(where)
    return read_frame(ctx.conn, stmt)


def _code_key(frame: pd.DataFrame, stored: pd.DataFrame):
    frame = frame.copy()
    frame["_key"] = frame["code"].str.lower()
    stored = stored.copy()
    stored["_key"] = stored["code"].str.lower() if not stored.empty else pd.Series(dtype=object)
    stored = stored.drop(columns=["code"])
    return frame, stored


def _upsert_by_code(ctx: _Context, model, parsed: pd.DataFrame, columns: list[str], ok: pd.Series, extra_changed=None,
                    also_keep: pd.DataFrame | None = None):
    """Upsert a code-keyed entity; returns (actions per row, ids per row).

    `also_keep`: stored columns (indexed by id) this upsert does not write but a later step of
    the same import may, kept with the prior state of updated rows so a revert restores them."""
    rows = parsed[ok.reindex(parsed.index).fillna(False).to_numpy(dtype=bool)]
    stored = _stored(ctx, model, ["code", *columns])
    stored = iso_dates(stored, columns)
    inc, sto = _code_key(rows, stored)
    plan = plan_upsert(
        inc[["_key", *columns]], sto, table=model.__table__, key=["_key"], columns=columns, extra_changed=extra_changed
    )
    # created rows take the file's spelling of the code; updated rows keep the stored one
    plan.created["code"] = inc.loc[plan.created.index, "code"]
    _apply_code_plan(ctx, plan, columns, also_keep)
    ids = plan.ids.copy()
    if not plan.created.empty:
        codes = ctx.codes(model, refresh=True)
        ids.loc[plan.created.index] = inc.loc[plan.created.index, "_key"].map(codes)
    else:
        ctx.codes(model, refresh=bool(len(plan.updated)))
    return plan.actions, ids


def _apply_code_plan(ctx, plan, columns, also_keep: pd.DataFrame | None = None):
    if not plan.created.empty:
        created = plan.created.copy()
        created["batch_id"] = ctx.batch_id
        cols = ["code", *columns, "batch_id"]
        bulk_insert(ctx.conn, plan.table, cols, frame_rows(created, cols))
    if not plan.updated.empty:
        prior, kept = plan.prior, list(columns)
        if also_keep is not None:
            prior = prior.assign(**{c: prior["id"].map(also_keep[c]) for c in also_keep.columns})
            kept += list(also_keep.columns)
        record_versions(ctx.conn, ctx.batch_id, plan.table.name, versions_to_keep(prior, ctx.batch_id), kept)
        upd = plan.updated.copy()
        upd["batch_id"] = ctx.batch_id
        bulk_update(ctx.conn, plan.table, [*columns, "batch_id"], frame_rows(upd, [*columns, "batch_id", "id"]))


def _code_rows(ctx: _Context, t: Table) -> tuple[pd.DataFrame, pd.Series]:
    """Code column checks common to code-keyed kinds: required, unique within the file."""
    frame = t.frame
    code = _col(frame, "code")
    ok = _require(ctx, frame, ["code"])
    dup = _duplicates(ctx, code.str.lower().to_frame("code"), "code", "code", code)
    return frame, ok & ~dup


# --------------------------------------------------------------------------------------
# kinds


def _permit_admin_kinds(ctx: _Context, t: Table) -> bool:
    if ctx.scope is not None and ctx.scope.role == "partner":
        ctx.issue(0, "", "not-permitted", t.kind, f"a partner coordinator can upload results only, not {t.kind}")
        return False
    return True


def import_donors(ctx: _Context, t: Table) -> pd.Series:
    if not _permit_admin_kinds(ctx, t):
        return pd.Series(REJECTED, index=t.frame.index)
    frame, ok = _code_rows(ctx, t)
    ok &= _require(ctx, frame, ["name"])
    parsed = pd.DataFrame({"code": frame["code"]}, index=frame.index)
    parsed["name"], _ = parse_text(frame["name"], "name")
    parsed["country"], ok_c = _country(ctx, _col(frame, "country"))
    actions, _ = _upsert_by_code(ctx, Donor, parsed, ["name", "country"], ok & ok_c)
    return actions


def _country(ctx: _Context, raw: pd.Series):
    out = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    ok = pd.Series(True, index=raw.index)
    for value in pd.unique(raw[raw != ""]):
        mask = (raw == value).to_numpy()
        if value == "[clear]":
            out[mask] = CLEAR
            continue
        code = reference.country_code(value)
        if code:
            out[mask] = code
        else:
            hint = reference.country_suggestion(value)
            dym = f"; did you mean '{hint}'?" if hint else ""
            for row in raw.index[mask]:
                ctx.issue(row, "country", "unknown-reference", value, f"unknown country '{value}'{dym} Use the English name or the ISO 3166 code")
            ok[mask] = False
    return out, ok


def import_partners(ctx: _Context, t: Table) -> pd.Series:
    if not _permit_admin_kinds(ctx, t):
        return pd.Series(REJECTED, index=t.frame.index)
    frame, ok = _code_rows(ctx, t)
    ok &= _require(ctx, frame, ["name", "country", "region"])
    parsed = pd.DataFrame({"code": frame["code"]}, index=frame.index)
    parsed["name"], _ = parse_text(frame["name"], "name")
    parsed["country"], ok_c = _country(ctx, frame["country"])
    regions = {c.lower(): c for c in reference.REGIONS} | {n.lower(): c for c, n in reference.REGIONS.items()}
    parsed["region"], iss = parse_choice(frame["region"], "region", regions, label="WCO region code")
    ctx.add(iss)
    parsed["joined_on"], iss2 = parse_date(_col(frame, "joined_on"), "joined_on")
    ctx.add(iss2)
    parsed["status"], iss3 = parse_choice(_col(frame, "status"), "status", PARTNER_STATUSES, label="partner status")
    ctx.add(iss3)
    ok &= ok_c & _no_issues(parsed.index, iss + iss2 + iss3)
    actions, _ = _upsert_by_code(ctx, Partner, parsed, ["name", "country", "region", "joined_on", "status"], ok)
    return actions


def _no_issues(index, issues) -> pd.Series:
    bad = {i.row for i in issues if i.severity == ERROR}
    return pd.Series(~index.isin(list(bad)), index=index)


def import_funding(ctx: _Context, t: Table) -> pd.Series:
    if not _permit_admin_kinds(ctx, t):
        return pd.Series(REJECTED, index=t.frame.index)
    frame = t.frame
    ok = _require(ctx, frame, ["donor"])
    phase = _col(frame, "phase")
    partner_raw = _col(frame, "partner")
    neither = phase.eq("") & partner_raw.eq("")
    for row in frame.index[neither.to_numpy()]:
        ctx.issue(row, "phase", "missing-cell", "", "a funding row needs a phase (an agreement) or a partner (whom it funds)")
    ok &= ~neither
    donor_id = _resolve(ctx, _unless_cleared(frame["donor"]), "donor", Donor, "donor")
    partner_id = _resolve(ctx, partner_raw, "partner", Partner, "partner", allow_empty=True)
    parsed = pd.DataFrame({"donor_id": donor_id, "partner_id": partner_id, "phase": phase}, index=frame.index)
    issues = []
    parsed["amount"], cleared, iss = parse_number(_col(frame, "amount"), "amount", decimal_comma=ctx.decimal_comma, minimum=0)
    parsed["amount"] = _with_clear(parsed["amount"], cleared)
    issues += iss
    currency = _col(frame, "currency").str.upper()
    bad_cur = currency.ne("") & ~currency.str.match(r"^[A-Z]{3}$") & currency.ne("[CLEAR]")
    for row in frame.index[bad_cur.to_numpy()]:
        issues.append(Issue(int(row), "currency", "type-error", frame.loc[row, "currency"], "currency must be a three-letter ISO 4217 code such as EUR or CAD"))
    parsed["currency"], _ = parse_text(currency.where(currency.ne("[CLEAR]"), "[clear]"), "currency")
    for c in ("signed_on", "start", "end"):
        parsed[c], iss = parse_date(_col(frame, c), c)
        issues += iss
    issues += _end_before_start(parsed, "start", "end")
    ctx.add(issues)
    ok &= donor_id.notna() & (partner_raw.eq("") | partner_id.notna()) & _no_issues(frame.index, issues)
    keys = pd.DataFrame({"d": donor_id, "p": partner_id.fillna(-1), "ph": phase.str.lower()}, index=frame.index)
    ok &= ~_duplicates(ctx, keys, "partner", "donor, partner and phase")
    cols = ["amount", "currency", "signed_on", "start", "end"]
    actions = pd.Series(REJECTED, index=frame.index, dtype=object)
    for model, mask in ((Agreement, partner_raw.eq("")), (Funding, partner_raw.ne(""))):
        sel = parsed[(ok & mask).to_numpy()]
        if sel.empty:
            continue
        key = ["donor_id", "phase"] if model is Agreement else ["donor_id", "partner_id", "phase"]
        sel = sel.copy()
        sel["donor_id"] = sel["donor_id"].astype("int64")
        if model is Funding:
            sel["partner_id"] = sel["partner_id"].astype("int64")
        stored = iso_dates(_stored(ctx, model, [*key, *cols]), cols)
        plan = plan_upsert(sel[[*key, *cols]], stored, table=model.__table__, key=key, columns=cols)
        apply_plan(ctx.conn, plan, ctx.batch_id)
        actions.loc[plan.actions.index] = plan.actions
    return actions


def _with_clear(values: pd.Series, cleared: pd.Series) -> pd.Series:
    if not cleared.any():
        return values
    out = values.astype(object)
    out[cleared.to_numpy()] = CLEAR
    return out


def _end_before_start(parsed: pd.DataFrame, start: str, end: str) -> list[Issue]:
    s, e = parsed[start], parsed[end]
    both = s.map(lambda v: isinstance(v, str)) & e.map(lambda v: isinstance(v, str))
    bad = both & (e.where(both, "") < s.where(both, ""))
    return [
        Issue(int(r), end, "end-before-start", str(e.loc[r]), f"{end} {e.loc[r]} is before {start} {s.loc[r]}")
        for r in parsed.index[bad.to_numpy()]
    ]


def import_framework(ctx: _Context, t: Table) -> pd.Series:
    if not _permit_admin_kinds(ctx, t):
        return pd.Series(REJECTED, index=t.frame.index)
    frame, ok = _code_rows(ctx, t)
    ok &= _require(ctx, frame, ["title", "level"])
    parsed = pd.DataFrame({"code": frame["code"]}, index=frame.index)
    parsed["title"], _ = parse_text(frame["title"], "title")
    parsed["level"], iss = parse_choice(frame["level"], "level", LEVELS, label="level")
    ctx.add(iss)
    ok &= _no_issues(frame.index, iss)
    parent = _col(frame, "parent")
    # parents may be defined in the same file: check them against stored codes + this file's codes
    known = set(ctx.codes(Result)) | set(frame["code"].str.lower())
    unknown = parent.ne("") & parent.ne("[clear]") & ~parent.str.lower().isin(known)
    if unknown.any():
        choices = sorted(known)
        for row in frame.index[unknown.to_numpy()]:
            value = parent.loc[row]
            hint = difflib.get_close_matches(value.lower(), choices, n=1)
            dym = f"; did you mean '{hint[0].upper()}'?" if hint else ""
            ctx.issue(row, "parent", "unknown-reference", value, f"unknown result '{value}'{dym}")
    selfref = parent.str.lower().eq(frame["code"].str.lower()) & parent.ne("")
    for row in frame.index[selfref.to_numpy()]:
        ctx.issue(row, "parent", "out-of-range", parent.loc[row], "a result cannot be its own parent")
    ok &= ~unknown & ~selfref
    # first the rows themselves (parent_id unchanged here), then the parent links; a row's
    # prior state (title, level and parent) is kept once, by whichever step changes it first
    before = read_frame(ctx.conn, select(Result.id, Result.title, Result.level, Result.parent_id, Result.batch_id)).set_index("id")
    before["parent_id"] = _int_or_none(before["parent_id"])
    actions, ids = _upsert_by_code(ctx, Result, parsed, ["title", "level"], ok, also_keep=before[["parent_id"]])
    relevelled = pd.DataFrame({"id": ids, "level": parsed["level"]}, index=frame.index).dropna()
    relevelled = relevelled[relevelled["id"].isin(before.index).to_numpy()]
    relevelled = relevelled[(relevelled["level"] != relevelled["id"].map(before["level"])).to_numpy()]
    if not relevelled.empty:
        ctx.final_checks.append(lambda file=ctx.file, changed=relevelled: _check_result_levels(ctx, file, changed))
    codes = ctx.codes(Result)
    link = pd.DataFrame({"id": ids, "raw": parent}, index=frame.index)[ok.to_numpy() & parent.ne("").to_numpy()]
    if link.empty:
        return actions
    link["id"] = link["id"].astype("int64")
    link["parent_id"] = _int_or_none(link["raw"].str.lower().map(codes).where(link["raw"].ne(CLEAR_TOKEN)))
    link["old"] = _int_or_none(link["id"].map(before["parent_id"]))
    changed = link[(link["parent_id"].fillna(-1) != link["old"].fillna(-1)).to_numpy()]
    if changed.empty:
        return actions
    parents = dict(zip(before.index, before["parent_id"]))
    parents |= dict(zip(changed["id"], changed["parent_id"]))
    _check_cycles(ctx, parents, changed, codes)
    # rows that existed before and that the first step left unchanged: keep their prior state now
    unversioned = changed[(changed["id"].isin(before.index) & actions.loc[changed.index].eq(UNCHANGED)).to_numpy()]
    if not unversioned.empty:
        prior = before.loc[unversioned["id"]].reset_index()
        record_versions(ctx.conn, ctx.batch_id, "result", versions_to_keep(prior, ctx.batch_id), ["title", "level", "parent_id"])
    actions.loc[changed.index[actions.loc[changed.index].eq(UNCHANGED).to_numpy()]] = UPDATED
    rows = changed.assign(batch_id=ctx.batch_id)
    bulk_update(ctx.conn, Result.__table__, ["parent_id", "batch_id"], frame_rows(rows, ["parent_id", "batch_id", "id"]))
    return actions


def _check_result_levels(ctx: _Context, file: str, changed: pd.DataFrame) -> list[Issue]:
    """A result whose level changed must still agree with its indicators' levels once every
    file of the call is applied (an indicators file in the same upload may change them too)."""
    ids = [int(i) for i in changed["id"]]
    found = read_frame(ctx.conn, select(Indicator.code, Indicator.level, Indicator.result_id)
                       .where(Indicator.result_id.in_(ids)).order_by(Indicator.code))
    issues = []
    for row, rid, level in zip(changed.index, changed["id"].astype("int64"), changed["level"]):
        differ = found[(found["result_id"] == rid).to_numpy() & (found["level"] != level).to_numpy()]
        if differ.empty:
            continue
        names = ", ".join(f"{c} ({lv})" for c, lv in zip(differ["code"], differ["level"]))
        issues.append(Issue(int(row), "level", "out-of-range", str(level),
                            f"this result's indicators have another level: {names}; an indicator's level agrees with its "
                            "result's, so change them in the same upload (an indicators file) or keep this level",
                            ERROR, file))
    return issues


def _int_or_none(values: pd.Series) -> pd.Series:
    return values.astype(object).map(lambda v: None if pd.isna(v) else int(v))


def _check_cycles(ctx, parents: dict, changed: pd.DataFrame, codes: dict):
    code_of = {v: k for k, v in codes.items()}
    for row, rid in zip(changed.index, changed["id"]):
        seen, node = set(), int(rid)
        while node is not None and node not in seen:
            seen.add(node)
            node = parents.get(node)
        if node is not None:
            ctx.issue(row, "parent", "out-of-range", changed.loc[row, "raw"],
                      f"this parent would make a cycle in the results framework (through {code_of.get(node, node).upper()})")


def import_indicators(ctx: _Context, t: Table) -> pd.Series:
    if not _permit_admin_kinds(ctx, t):
        return pd.Series(REJECTED, index=t.frame.index)
    frame, ok = _code_rows(ctx, t)
    ok &= _require(ctx, frame, ["name", "level", "measure", "ascending"])
    issues: list[Issue] = []
    parsed = pd.DataFrame({"code": frame["code"]}, index=frame.index)
    parsed["name"], _ = parse_text(frame["name"], "name")
    parsed["level"], iss = parse_choice(frame["level"], "level", LEVELS, label="level"); issues += iss
    parsed["measure"], iss = parse_choice(frame["measure"], "measure", MEASURES, label="measure"); issues += iss
    parsed["ascending"], iss = parse_bool(frame["ascending"], "ascending"); issues += iss
    parsed["cumulative"], iss = parse_bool(_col(frame, "cumulative"), "cumulative"); issues += iss
    parsed["unit"], _ = parse_text(_col(frame, "unit"), "unit")
    parsed["description"], _ = parse_text(_col(frame, "description"), "description")
    kf = _col(frame, "key_factor")
    kf_num, _c, iss = parse_number(kf, "key_factor", integer=True); issues += iss
    bad_kf = kf_num.notna() & ~kf_num.isin(list(reference.KEY_FACTORS))
    for row in frame.index[bad_kf.to_numpy()]:
        issues.append(Issue(int(row), "key_factor", "out-of-range", kf.loc[row], "key_factor must be a Revised Arusha Declaration key factor number, 1 to 10"))
    parsed["key_factor"] = _with_clear(kf_num.where(~bad_kf).astype(object).where(kf_num.notna(), None), _c)
    result_raw = _col(frame, "result")
    result_id = _resolve(ctx, result_raw.where(result_raw.ne("[clear]"), ""), "result", Result, "result")
    parsed["result_id"] = _with_clear(result_id.astype(object).where(result_id.notna(), None), result_raw.eq("[clear]"))
    smin, cmin, iss = parse_number(_col(frame, "scale_min"), "scale_min", decimal_comma=ctx.decimal_comma); issues += iss
    smax, cmax, iss = parse_number(_col(frame, "scale_max"), "scale_max", decimal_comma=ctx.decimal_comma); issues += iss
    # measure / scale / level rules, against the merged (stored + incoming) state
    stored = _stored(ctx, Indicator, ["code", "measure", "scale_min", "scale_max", "level", "result_id", "ascending"])
    stored_by = {c.lower(): r for c, r in zip(stored["code"], stored.to_dict("records"))} if not stored.empty else {}
    levels = dict(ctx.conn.execute(select(Result.id, Result.level)).all())
    for row in frame.index:
        old = stored_by.get(frame.loc[row, "code"].lower(), {})
        measure = parsed.loc[row, "measure"] or old.get("measure")
        lo = smin.loc[row] if pd.notna(smin.loc[row]) else (None if cmin.loc[row] else old.get("scale_min"))
        hi = smax.loc[row] if pd.notna(smax.loc[row]) else (None if cmax.loc[row] else old.get("scale_max"))
        lo = None if lo is None or pd.isna(lo) else lo
        hi = None if hi is None or pd.isna(hi) else hi
        if measure == "ordinal":
            if lo is None or hi is None:
                issues.append(Issue(int(row), "scale_min" if lo is None else "scale_max", "missing-cell", "", "an ordinal indicator needs scale_min and scale_max (e.g. 1 and 5)"))
            elif lo >= hi:
                issues.append(Issue(int(row), "scale_max", "out-of-range", frame.loc[row, "scale_max"] if "scale_max" in frame else "", "scale_max must be greater than scale_min"))
        elif measure in MEASURES.values():
            for c, given, kept in (("scale_min", smin.loc[row], lo), ("scale_max", smax.loc[row], hi)):
                if pd.notna(given):
                    issues.append(Issue(int(row), c, "out-of-range", frame.loc[row, c], f"{c} applies to ordinal indicators only; leave it empty for a {measure} indicator"))
                elif kept is not None:
                    issues.append(Issue(int(row), c, "out-of-range", "", f"the stored {c} {kept:g} applies to ordinal indicators only; clear it with {CLEAR_TOKEN} when the measure becomes {measure}"))
        rid = parsed.loc[row, "result_id"]
        rid = old.get("result_id") if rid is None else rid
        level = parsed.loc[row, "level"] or old.get("level")
        if rid is not None and rid is not CLEAR and pd.notna(rid) and level and levels.get(int(rid)) and levels[int(rid)] != level:
            issues.append(Issue(int(row), "level", "out-of-range", str(level), f"the indicator's level '{level}' differs from its result's level '{levels[int(rid)]}'; they must agree"))
    parsed["scale_min"] = _with_clear(smin, cmin)
    parsed["scale_max"] = _with_clear(smax, cmax)
    ctx.add(issues)
    ok &= _no_issues(frame.index, issues) & (result_raw.eq("") | result_raw.eq("[clear]") | result_id.notna())
    cols = ["name", "level", "measure", "ascending", "cumulative", "unit", "key_factor", "result_id", "description", "scale_min", "scale_max"]
    actions, ids = _upsert_by_code(ctx, Indicator, parsed, cols, ok)
    _recheck_values(ctx, frame, ids[actions.eq(UPDATED).to_numpy()])
    return actions


def _recheck_values(ctx: _Context, frame: pd.DataFrame, ids: pd.Series) -> None:
    """An indicator whose measure or scale changed must still fit its stored values."""
    for row, iid in ids.items():
        ind = ctx.conn.execute(select(Indicator).where(Indicator.id == int(iid))).mappings().one()
        vals = read_frame(ctx.conn, select(Value.target, Value.actual, Value.target_text, Value.actual_text).where(Value.indicator_id == int(iid)))
        base = read_frame(ctx.conn, select(Baseline.value, Baseline.value_text).where(Baseline.indicator_id == int(iid)))
        numbers = pd.concat([vals["target"], vals["actual"], base["value"]]).dropna()
        texts = pd.concat([vals["target_text"], vals["actual_text"], base["value_text"]]).dropna()
        problem, column = None, "measure"
        if ind["measure"] == "qualitative" and len(numbers):
            problem = f"{len(numbers)} stored numeric values"
        elif ind["measure"] != "qualitative" and len(texts):
            problem = f"{len(texts)} stored text values"
        elif ind["measure"] == "percentage" and ((numbers < 0) | (numbers > 100)).any():
            problem = "stored values outside 0–100"
        elif ind["measure"] == "ordinal" and ((numbers < ind["scale_min"]) | (numbers > ind["scale_max"])).any():
            problem = f"stored values outside the scale {ind['scale_min']:g}–{ind['scale_max']:g}"
            column = "scale_min" if (numbers < ind["scale_min"]).any() else "scale_max"
        if problem:
            ctx.issue(row, column, "out-of-range", frame.loc[row, column] if column in frame else "",
                      f"indicator {ind['code']} has {problem} that would no longer fit; correct or remove those values first")


def import_activities(ctx: _Context, t: Table) -> pd.Series:
    if not _permit_admin_kinds(ctx, t):
        return pd.Series(REJECTED, index=t.frame.index)
    frame, ok = _code_rows(ctx, t)
    ok &= _require(ctx, frame, ["title", "type", "start"])
    issues: list[Issue] = []
    parsed = pd.DataFrame({"code": frame["code"]}, index=frame.index)
    parsed["title"], _ = parse_text(frame["title"], "title")
    parsed["type"], iss = parse_choice(frame["type"], "type", ACTIVITY_TYPES, label="activity type"); issues += iss
    parsed["start"], iss = parse_date(frame["start"], "start"); issues += iss
    parsed["end"], iss = parse_date(_col(frame, "end"), "end"); issues += iss
    parsed["mode"], iss = parse_choice(_col(frame, "mode"), "mode", MODES, label="delivery mode"); issues += iss
    parsed["status"], iss = parse_choice(_col(frame, "status"), "status", ACTIVITY_STATUSES, label="activity status"); issues += iss
    part, cl, iss = parse_number(_col(frame, "participants"), "participants", integer=True, minimum=0); issues += iss
    parsed["participants"] = _with_clear(part.astype(object).where(part.notna(), None).map(lambda v: int(v) if isinstance(v, float) else v), cl)
    parsed["description"], _ = parse_text(_col(frame, "description"), "description")
    donor_raw = _col(frame, "donor")
    donor_id = _resolve(ctx, donor_raw.where(donor_raw.ne("[clear]"), ""), "donor", Donor, "donor")
    parsed["donor_id"] = _with_clear(donor_id.astype(object).where(donor_id.notna(), None), donor_raw.eq("[clear]"))
    issues += _end_before_start(parsed, "start", "end")
    ok &= donor_raw.isin(["", "[clear]"]) | donor_id.notna()
    # list cells: partners and key factors (a non-empty cell replaces the stored set)
    partner_codes = ctx.codes(Partner)
    partner_sets, kf_sets = {}, {}
    for row in frame.index:
        for column, target, resolve in (("partners", partner_sets, lambda c: partner_codes.get(c.lower())),
                                        ("key_factors", kf_sets, _key_factor_number)):
            cell = frame.loc[row, column] if column in frame else ""
            if not cell:
                continue
            if cell == "[clear]":
                target[row] = set()
                continue
            found = set()
            for item in split_list(cell):
                value = resolve(item)
                if value is None or (column == "partners" and item == ""):
                    choices = [k for k in partner_codes if k] if column == "partners" else [str(k) for k in reference.KEY_FACTORS]
                    hint = difflib.get_close_matches(item.lower(), choices, n=1)
                    dym = f"; did you mean '{hint[0].upper()}'?" if hint else ""
                    what = "partner" if column == "partners" else "key factor (1 to 10)"
                    issues.append(Issue(int(row), column, "unknown-reference", item, f"unknown {what} '{item}'{dym}"))
                else:
                    found.add(value)
            target[row] = found
    ctx.add(issues)
    ok &= _no_issues(frame.index, issues)
    # has a link set changed? (decides updated vs unchanged)
    stored_links = _activity_links(ctx)
    code_ids = ctx.codes(Activity)
    extra = pd.Series(False, index=frame.index)
    for row in frame.index:
        aid = code_ids.get(frame.loc[row, "code"].lower())
        if aid is None:
            continue
        old_p, old_k = stored_links.get(aid, (set(), set()))
        if (row in partner_sets and partner_sets[row] != old_p) or (row in kf_sets and kf_sets[row] != old_k):
            extra.loc[row] = True
    cols = ["title", "type", "start", "end", "mode", "status", "participants", "donor_id", "description"]
    # prior link sets of updated rows go into their version record with the other columns
    actions, ids = _upsert_activity(ctx, parsed, cols, ok, extra, stored_links)
    for row in frame.index[ok.to_numpy()]:
        aid = ids.loc[row]
        if pd.isna(aid) or actions.loc[row] == UNCHANGED:
            continue
        aid = int(aid)
        if row in partner_sets:
            _replace_links(ctx, ActivityPartner, aid, "partner_id", partner_sets[row])
        if row in kf_sets:
            _replace_links(ctx, ActivityKeyFactor, aid, "key_factor", kf_sets[row])
    return actions


def _key_factor_number(item: str):
    try:
        n = int(item)
    except ValueError:
        low = item.lower()
        for k, name in reference.KEY_FACTORS.items():
            if name.lower() == low:
                return k
        return None
    return n if n in reference.KEY_FACTORS else None


def _activity_links(ctx: _Context) -> dict[int, tuple[set, set]]:
    links: dict[int, tuple[set, set]] = {}
    for aid, pid in ctx.conn.execute(select(ActivityPartner.activity_id, ActivityPartner.partner_id)):
        links.setdefault(aid, (set(), set()))[0].add(pid)
    for aid, kf in ctx.conn.execute(select(ActivityKeyFactor.activity_id, ActivityKeyFactor.key_factor)):
        links.setdefault(aid, (set(), set()))[1].add(kf)
    return links


def _upsert_activity(ctx, parsed, cols, ok, extra, stored_links):
    rows = parsed[ok.to_numpy()]
    stored = iso_dates(_stored(ctx, Activity, ["code", *cols]), cols)
    if not stored.empty:
        stored["partners"] = stored["id"].map(lambda i: sorted(stored_links.get(i, (set(), set()))[0]))
        stored["key_factors"] = stored["id"].map(lambda i: sorted(stored_links.get(i, (set(), set()))[1]))
    inc, sto = _code_key(rows, stored)
    plan = plan_upsert(inc[["_key", *cols]], sto, table=Activity.__table__, key=["_key"], columns=cols, extra_changed=extra)
    plan.created["code"] = inc.loc[plan.created.index, "code"]
    if not plan.prior.empty:
        plan.prior["partners"] = plan.prior["id"].map(lambda i: sorted(stored_links.get(i, (set(), set()))[0]))
        plan.prior["key_factors"] = plan.prior["id"].map(lambda i: sorted(stored_links.get(i, (set(), set()))[1]))
    from models.writes import bulk_update, frame_rows, record_versions

    if not plan.created.empty:
        created = plan.created.copy()
        created["batch_id"] = ctx.batch_id
        bulk_insert(ctx.conn, plan.table, ["code", *cols, "batch_id"], frame_rows(created, ["code", *cols, "batch_id"]))
    if not plan.updated.empty:
        record_versions(ctx.conn, ctx.batch_id, "activity", versions_to_keep(plan.prior, ctx.batch_id), [*cols, "partners", "key_factors"])
        upd = plan.updated.copy()
        upd["batch_id"] = ctx.batch_id
        bulk_update(ctx.conn, plan.table, [*cols, "batch_id"], frame_rows(upd, [*cols, "batch_id", "id"]))
    ids = plan.ids.copy()
    codes = ctx.codes(Activity, refresh=True)
    if not plan.created.empty:
        ids.loc[plan.created.index] = inc.loc[plan.created.index, "_key"].map(codes)
    return plan.actions, ids


def _replace_links(ctx: _Context, model, activity_id: int, column: str, values: set) -> None:
    ctx.conn.execute(delete(model).where(model.activity_id == activity_id))
    if values:
        ctx.conn.execute(insert(model), [{"activity_id": activity_id, column: v} for v in sorted(values)])


# --------------------------------------------------------------------------------------
# results (indicator values and baselines)


def import_results(ctx: _Context, t: Table) -> pd.Series:
    frame = t.frame
    idx = frame.index
    issues: list[Issue] = []
    ok = _require(ctx, frame, ["indicator"])
    indicator_id = _resolve(ctx, _unless_cleared(frame["indicator"]), "indicator", Indicator, "indicator")
    partner_raw = _col(frame, "partner")
    partner_id = _resolve(ctx, partner_raw, "partner", Partner, "partner")
    programme_id = ctx.codes(Partner).get(PROGRAMME_PARTNER_CODE)
    partner_id = partner_id.where(partner_raw.ne(""), programme_id)
    ok &= indicator_id.notna() & partner_id.notna()

    # scope: a partner coordinator uploads its own actuals and comments only
    if ctx.scope is not None and ctx.scope.role == "partner":
        own = ctx.codes(Partner).get((ctx.scope.partner or "").lower())
        foreign = partner_id.ne(own)
        for row in idx[foreign.to_numpy()]:
            issues.append(Issue(int(row), "partner", "not-permitted", partner_raw.loc[row], f"you may upload values for your own administration ({ctx.scope.partner}) only"))
        for c in ("target", "baseline", "baseline_year"):
            given = _col(frame, c).ne("")
            for row in idx[given.to_numpy()]:
                issues.append(Issue(int(row), c, "not-permitted", frame.loc[row, c], f"{c} values are agreed with donors; a partner coordinator uploads actual and comment only"))

    # indicator properties per row
    ind = read_frame(ctx.conn, select(Indicator.id, Indicator.code, Indicator.measure, Indicator.scale_min, Indicator.scale_max)).set_index("id")
    measure = indicator_id.map(ind["measure"]) if not ind.empty else pd.Series(None, index=idx)
    smin = indicator_id.map(ind["scale_min"]) if not ind.empty else pd.Series(np.nan, index=idx)
    smax = indicator_id.map(ind["scale_max"]) if not ind.empty else pd.Series(np.nan, index=idx)
    qual = measure.eq("qualitative").to_numpy()

    # periods
    start, iss = parse_date(_col(frame, "period_start"), "period_start"); issues += iss
    end, iss = parse_date(_col(frame, "period_end"), "period_end"); issues += iss
    period = _col(frame, "period")
    if period.ne("").any():
        p_start, p_end, iss = parse_period(period); issues += iss
        both = period.ne("") & (start.notna() | end.notna())
        disagree = both & ((start.notna() & start.ne(p_start)) | (end.notna() & end.ne(p_end)))
        for row in idx[disagree.to_numpy()]:
            issues.append(Issue(int(row), "period", "out-of-range", period.loc[row], f"period {period.loc[row]} disagrees with period_start/period_end; give one or the other"))
        start = start.where(start.notna(), p_start)
        end = end.where(end.notna(), p_end)
    pf = pd.DataFrame({"s": start, "e": end}, index=idx)
    issues += [Issue(i.row, "period_end", i.check, i.value, i.message) for i in _end_before_start(pf.rename(columns={"s": "period_start", "e": "period_end"}), "period_start", "period_end")]

    # values, measure-aware
    values = {}
    for c in ("target", "actual", "baseline"):
        raw = _col(frame, c)
        number = pd.Series(np.nan, index=idx)
        cleared = pd.Series(False, index=idx)
        for m in ("unit", "percentage", "ordinal"):
            sel = measure.eq(m).to_numpy() & raw.ne("").to_numpy()
            if not sel.any():
                continue
            n, cl, iss = parse_number(raw[sel], c, decimal_comma=ctx.decimal_comma, percent=(m == "percentage"))
            issues += iss
            number[sel] = n
            cleared[sel] = cl
            if m == "percentage":
                out = n.notna() & ((n < 0) | (n > 100))
                issues += [Issue(int(r), c, "out-of-range", raw.loc[r], "a percentage must be between 0 and 100") for r in n.index[out.to_numpy()]]
            elif m == "ordinal":
                lo, hi = smin[sel], smax[sel]
                out = n.notna() & ((n < lo) | (n > hi))
                issues += [Issue(int(r), c, "out-of-range", raw.loc[r], f"must be within the indicator's scale {lo.loc[r]:g} to {hi.loc[r]:g}") for r in n.index[out.to_numpy()]]
        text = raw.where(qual & raw.ne(""), None)
        values[c] = (number, cleared, text)

    has_value = (_col(frame, "target").ne("") | _col(frame, "actual").ne(""))
    has_baseline = _col(frame, "baseline").ne("")
    nothing = ~has_value & ~has_baseline & _col(frame, "comment").eq("")
    for row in idx[nothing.to_numpy()]:
        issues.append(Issue(int(row), "actual", "missing-cell", "", "give at least one of target, actual or baseline"))
    no_period = (has_value | _col(frame, "comment").ne("") & ~has_baseline) & (start.isna() | end.isna())
    for row in idx[no_period.to_numpy()]:
        col = "period" if "period" in frame and "period_start" not in frame else ("period_start" if start.isna().loc[row] else "period_end")
        if not any(i.row == row and i.column in ("period", "period_start", "period_end") for i in issues):
            issues.append(Issue(int(row), col, "missing-cell", "", "a target or actual needs its period: period_start and period_end, or period (2024, 2024-Q1, 2024-H1, 2024-03)"))
    byear_raw = _col(frame, "baseline_year")
    byear, _bc, iss = parse_number(byear_raw, "baseline_year", integer=True); issues += iss
    bad_year = byear.notna() & ((byear < 1900) | (byear > 2100))
    issues += [Issue(int(r), "baseline_year", "out-of-range", byear_raw.loc[r], "baseline_year must be a year such as 2019") for r in idx[bad_year.to_numpy()]]
    for row in idx[(has_baseline & byear_raw.eq("")).to_numpy()]:
        issues.append(Issue(int(row), "baseline_year", "missing-cell", "", "a baseline needs its baseline_year"))
    dim = _col(frame, "dimension")
    dval = _col(frame, "dimension_value")
    for row in idx[(dim.ne("") & dval.eq("")).to_numpy()]:
        issues.append(Issue(int(row), "dimension_value", "missing-cell", "", f"dimension '{dim.loc[row]}' needs a dimension_value (e.g. customs officers)"))
    for row in idx[(dim.eq("") & dval.ne("")).to_numpy()]:
        issues.append(Issue(int(row), "dimension", "missing-cell", "", f"dimension_value '{dval.loc[row]}' needs its dimension (e.g. respondent)"))
    ctx.add(issues)
    ok &= _no_issues(idx, issues)
    issues = []

    # values: one diff against stored rows of the same indicators
    comment, _ = parse_text(_col(frame, "comment"), "comment")
    wants_value = has_value | (_col(frame, "comment").ne("") & ~has_baseline)
    key = ["indicator_id", "partner_id", "period_start", "period_end", "dimension", "dimension_value"]
    # key problems are reported on period_start (the key's column), showing the cell as given
    period_column = "period_start"
    period_text = frame["period"] if "period" in frame and "period_start" not in frame else _col(frame, "period_start")
    # rows whose key is known take part in the duplicate and overlap checks, even when
    # another of their cells is wrong: every problem is reported, not just the first
    period_bad = idx.isin([i.row for i in ctx.issues if i.severity == ERROR and i.column in ("period", "period_start", "period_end")])
    keyed = (wants_value & indicator_id.notna() & partner_id.notna() & start.notna() & end.notna()).to_numpy() & ~period_bad
    keys = pd.DataFrame({
        "indicator_id": indicator_id, "partner_id": partner_id, "period_start": start, "period_end": end,
        "dimension": dim, "dimension_value": dval,
    }, index=idx)[keyed]
    actions = pd.Series(UNCHANGED, index=idx, dtype=object)
    if not keys.empty:
        keys["indicator_id"] = keys["indicator_id"].astype("int64")
        keys["partner_id"] = keys["partner_id"].astype("int64")
        dup = _duplicates(ctx, keys, period_column, "indicator, partner, period and disaggregation", period_text[keyed])
        ok &= ~dup.reindex(idx, fill_value=False)
        keys = keys[~dup.to_numpy()]
    actions[~ok.to_numpy()] = REJECTED
    vrows = (ok & wants_value).to_numpy()
    inc = keys.loc[idx[vrows]].copy()
    if not keys.empty:
        for c in ("target", "actual"):
            number, cleared, text = values[c]
            num = number[vrows].astype(object).where(number[vrows].notna(), None)
            num = num.where(~(cleared[vrows] & ~pd.Series(qual, index=idx)[vrows]), CLEAR)
            inc[c] = num
            txt = text[vrows]
            inc[f"{c}_text"] = txt.where(txt.ne(CLEAR_TOKEN), CLEAR) if txt.notna().any() else txt
        inc["comment"] = comment[vrows]
        cols = ["target", "actual", "target_text", "actual_text", "comment"]
        ind_ids = [int(i) for i in pd.unique(keys["indicator_id"])]
        stored = _stored_values(ctx, ind_ids, key, cols)
        plan = plan_upsert(inc, stored, table=Value.__table__, key=key, columns=cols)
        # rows refused for another reason still count with the cells they give
        others = keys.loc[keys.index.difference(inc.index)].copy()
        for c in ("target", "actual"):
            others[f"has_{c}"] = _col(frame, c).loc[others.index].pipe(lambda v: v.ne("") & v.ne(CLEAR_TOKEN))
        _check_overlaps(ctx, plan, others, stored, key, period_column, period_text)
        apply_plan(ctx.conn, plan, ctx.batch_id)
        actions.loc[plan.actions.index] = plan.actions

    # baselines
    brows = ok & has_baseline & byear.notna()
    if brows.any():
        sel = brows.to_numpy()
        number, cleared, text = values["baseline"]
        binc = pd.DataFrame({
            "indicator_id": indicator_id[sel].astype("int64"), "partner_id": partner_id[sel].astype("int64"),
            "dimension": dim[sel], "dimension_value": dval[sel], "year": byear[sel].astype("int64"),
        })
        binc["value"] = number[sel].astype(object).where(number[sel].notna(), None)
        binc["value_text"] = text[sel]
        binc["comment"] = comment[sel].where(~has_value[sel].to_numpy(), None)
        bkey = ["indicator_id", "partner_id", "dimension", "dimension_value", "year"]
        # the same baseline repeated on several rows is fine; differing ones are not
        first = ~binc.duplicated(bkey, keep="first")
        same = binc.duplicated(bkey + ["value", "value_text"], keep="first")
        conflict = ~first & ~same
        if conflict.any():
            firsts = binc[first].reset_index().set_index(bkey)["index"]
            for row in binc.index[conflict.to_numpy()]:
                k = tuple(binc.loc[row, bkey])
                ctx.issue(row, "baseline", "duplicate-key", frame.loc[row, "baseline"], f"a different baseline for the same indicator, partner, disaggregation and year is on row {int(firsts.loc[k])}")
            actions[binc.index[conflict.to_numpy()]] = REJECTED
        binc = binc[first.to_numpy()]
        stored = _stored(ctx, Baseline, [*bkey, "value", "value_text", "comment"],
                         Baseline.indicator_id.in_([int(i) for i in pd.unique(binc["indicator_id"])]))
        plan = plan_upsert(binc, stored, table=Baseline.__table__, key=bkey, columns=["value", "value_text", "comment"])
        apply_plan(ctx.conn, plan, ctx.batch_id)
        # a row's action: created if anything on it was created, else updated if anything was
        rank = {UNCHANGED: 0, UPDATED: 1, CREATED: 2, REJECTED: 3}
        both = pd.concat([actions[plan.actions.index], plan.actions], axis=1)
        actions.loc[plan.actions.index] = [a if rank[a] >= rank[b] else b for a, b in both.itertuples(index=False)]
    if ctx.issues and any(i.severity == ERROR for i in ctx.issues):
        bad = {i.row for i in ctx.issues if i.severity == ERROR}
        actions[actions.index.isin(list(bad))] = REJECTED
    return actions


def _stored_values(ctx: _Context, indicator_ids: list[int], key: list[str], cols: list[str]) -> pd.DataFrame:
    t = Value.__table__
    stmt = select(*[t.c[c] for c in ["id", "batch_id", *key, *cols]])
    if len(indicator_ids) < 500:
        stmt = stmt.where(t.c.indicator_id.in_(indicator_ids))
    stored = read_frame(ctx.conn, stmt)
    return iso_dates(stored, ["period_start", "period_end"])


def _check_overlaps(ctx: _Context, plan, others: pd.DataFrame, stored: pd.DataFrame, key: list[str],
                    column: str, period_text: pd.Series) -> None:
    """Two actuals (or two targets) of one series may not cover overlapping periods.

    The file's rows (as they would be stored: `plan`, plus `others`, rows refused for another
    reason) are checked against each other and against stored rows they do not replace.
    A clash is reported on the later row of the file, naming the other row (or the stored value).
    """
    series = ["indicator_id", "partner_id", "dimension", "dimension_value"]

    def present(frame: pd.DataFrame, what: str) -> pd.Series:
        return pd.Series(~_missing_mask(frame[what]) | ~_missing_mask(frame[f"{what}_text"]), index=frame.index)

    new = pd.concat([plan.created, plan.updated.drop(columns=["id"])])
    parts = [new[key].assign(has_target=present(new, "target"), has_actual=present(new, "actual"), _row=new.index)]
    if not others.empty:
        parts.append(others[[*key, "has_target", "has_actual"]].assign(_row=others.index))
    if not stored.empty:
        incoming_keys = pd.concat([p[key] for p in parts])
        replaced = stored[key].merge(incoming_keys.drop_duplicates(), on=key, how="left", indicator=True)["_merge"].eq("both")
        rest = stored[~replaced.to_numpy()]
        parts.append(rest[key].assign(has_target=present(rest, "target"), has_actual=present(rest, "actual"), _row=0))
    allrows = pd.concat(parts, ignore_index=True)
    if allrows.empty:
        return
    allrows["s"] = allrows["period_start"].str.replace("-", "", regex=False).astype("int64")
    allrows["e"] = allrows["period_end"].str.replace("-", "", regex=False).astype("int64")
    reported: set = set()
    for what in ("actual", "target"):
        sub = allrows[allrows[f"has_{what}"].to_numpy(dtype=bool)].sort_values([*series, "s", "e"], kind="stable")
        if len(sub) < 2:
            continue
        sub = sub.reset_index(drop=True)
        sub["g"] = sub.groupby(series, sort=False, dropna=False).ngroup()
        sub["prev_end"] = sub.groupby("g")["e"].shift()
        sub["reach"] = sub.groupby("g")["prev_end"].cummax()
        clash = sub[(sub["s"] <= sub["reach"]).to_numpy()]
        if clash.empty:
            continue
        # the other row: the first earlier row of the series that reaches this one's start
        firsts = sub.reset_index().drop_duplicates(["g", "e"])[["g", "e", "index"]]
        other = clash[["g", "reach"]].astype("int64").merge(firsts, left_on=["g", "reach"], right_on=["g", "e"], how="left")["index"]
        for (pos, mine), theirs in zip(clash.iterrows(), other):
            them = sub.loc[int(theirs)]
            rows = (int(mine["_row"]), int(them["_row"]))
            if rows == (0, 0):
                continue  # both stored: not this file's doing
            here, there = (max(rows), min(rows)) if min(rows) else (max(rows), 0)
            a, b = (mine, them) if here == rows[0] else (them, mine)
            if (here, what) in reported:
                continue
            reported.add((here, what))
            where = f"row {there}" if there else "a stored value"
            ctx.issue(here, column, "overlapping-period", period_text.get(here, f"{a['period_start']}..{a['period_end']}"),
                      f"this {what} for {a['period_start']} to {a['period_end']} overlaps the {what} for "
                      f"{b['period_start']} to {b['period_end']} ({where}) of the same indicator, partner and "
                      "disaggregation; two actuals (or two targets) may not cover the same time")


def _missing_mask(series: pd.Series) -> np.ndarray:
    """None, NaN or CLEAR."""
    return series.isna().to_numpy() | (series.to_numpy(dtype=object) == CLEAR)


HANDLERS = {
    "donors": import_donors,
    "partners": import_partners,
    "funding": import_funding,
    "framework": import_framework,
    "indicators": import_indicators,
    "activities": import_activities,
    "results": import_results,
}

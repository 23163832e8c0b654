"""The partner reporting workbook (DESIGN.md, "Partner reporting workbook").

One genuine .xlsx per partner administration, "as of" a date, that comes back through the
ordinary upload: a `results` sheet in the upload format with one row per report the partner
owes — the overdue ones (DESIGN.md, "Reporting completeness", computed by
models.progress.due_reports, the rules every page uses) and each indicator's next due one —
and one row more per breakdown the partner reported before; `ref_…` reference columns the
importer ignores; validation on `actual` from the indicator's measure; key and reference
cells locked (sheet protection without a password: it guards against slips, not people);
and an `instructions` sheet.

Uploaded untouched it changes nothing: its rows are blank (skipped with one warning) or
hold the stored value (unchanged). Every read takes a Scope (models.access): a partner the
scope may not see is refused exactly as an unknown one. No streamlit here.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

import pandas as pd

from models import progress
from models.access import Scope, require
from models.config import Settings, load_settings
from models.queries.filters import Filters
from models.queries.reporting import overdue_reports
from models.queries.snapshot import Snapshot, view, visible_partners
from models.scoring.inputs import key
from models.scoring.periods import period_label
from models.tables import PROGRAMME_PARTNER_CODE
from models.workbook_xlsx import (  # noqa: F401  (the sheet's layout, named here for callers)
    COLUMNS, INSTRUCTIONS, NEXT_DUE, OVERDUE, REF_COLUMNS, SHEET, reports_count, write_xlsx,
)

# "as of" for the reports not yet due: every frequency period inside a target period
_END_OF_TIME = date(9999, 12, 31)


class WorkbookRefused(ValueError):
    """No workbook: the partner is unknown, or not one the scope may see (said alike)."""


@dataclass
class ReportingWorkbook:
    partner: str
    partner_name: str
    as_of: date
    rows: pd.DataFrame  # COLUMNS + REF_COLUMNS, one per row of the results sheet
    data: bytes

    @property
    def file_name(self) -> str:
        return workbook_file_name(self.partner, self.as_of)

    @property
    def overdue(self) -> int:
        """Reports overdue (one per indicator and period, breakdowns not counted)."""
        return reports_count(self.rows, OVERDUE)

    @property
    def next_due(self) -> int:
        return reports_count(self.rows, NEXT_DUE)


def workbook_file_name(partner: str, as_of: date) -> str:
    """`resultsboard-workbook-GTM-2025-12-31.xlsx` (a code's odd characters become `_`)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", partner).strip("_") or "partner"
    return f"resultsboard-workbook-{safe}-{as_of.isoformat()}.xlsx"


def zip_file_name(as_of: date) -> str:
    return f"resultsboard-workbooks-{as_of.isoformat()}.zip"


# --- which partner ------------------------------------------------------------------------------


def resolve_partner(snap: Snapshot, code: str, scope: Scope) -> str:
    """The partner's code as stored; WorkbookRefused when no partner the scope may see has it
    (an administration the user may not see reads as unknown)."""
    require(scope)
    wanted = (code or "").strip().lower()
    visible = sorted(visible_partners(snap, Filters(), scope), key=str.upper)
    match = next((c for c in visible if c.lower() == wanted), None)
    if match is None or match == PROGRAMME_PARTNER_CODE:
        who = "you" if scope.local else scope.email
        if not visible:
            raise WorkbookRefused(f"No administration with code '{code}' that {who} may see: {who} may see no "
                                  "administration, so there is no workbook to make")
        shown = ", ".join(visible[:30]) + (", …" if len(visible) > 30 else "")
        raise WorkbookRefused(f"No administration with code '{code}' that {who} may see; choose one of: {shown}")
    return match


# --- the rows -----------------------------------------------------------------------------------


def _indicators(v: Snapshot) -> pd.DataFrame:
    ind = v.indicators.set_index("code")
    return ind[~ind.index.duplicated(keep="last")]


def _reports_owed(v: Snapshot, partner: str, as_of: date, settings: Settings) -> pd.DataFrame:
    """(indicator, period_start, period_end, due_on, report) of the reports `partner` owes as
    of `as_of` — overdue — and each indicator's next one (due on or after `as_of`)."""
    values = v.values[v.values["partner"] == partner]
    cols = ["indicator", "period_start", "period_end", "due_on", "report"]
    if values.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    partners = v.partners[[c for c in ("code", "status") if c in v.partners.columns]]
    reported = v.reported[v.reported["partner"] == partner] if len(v.reported) else v.reported
    every = progress.due_reports(values, v.indicators, partners, as_of=_END_OF_TIME, settings=settings,
                                 reported=reported)
    due_on = pd.to_datetime(pd.Series(every["due_on"], dtype=object))
    before = (due_on < pd.Timestamp(as_of)).to_numpy()
    overdue = every[before & ~every["received"].astype(bool).to_numpy()].assign(report=OVERDUE)
    later = every[~before].sort_values(["indicator", "due_on", "period_start"], kind="stable")
    upcoming = later.drop_duplicates("indicator", keep="first").assign(report=NEXT_DUE)
    return pd.concat([overdue, upcoming], ignore_index=True)[cols]


def _breakdowns(values: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """Per indicator, the breakdowns (dimension, value) the partner reported an actual for,
    in the spelling of the latest one, sorted."""
    has_actual = values["actual"].notna() | values["actual_text"].fillna("").astype(str).str.strip().ne("")
    rows = values[has_actual & values["dimension"].fillna("").astype(str).ne("")]
    rows = rows.assign(_d=key(rows["dimension"]), _v=key(rows["dimension_value"]))
    rows = rows.sort_values("period_end", kind="stable").drop_duplicates(["indicator", "_d", "_v"], keep="last")
    out: dict[str, list[tuple[str, str]]] = {}
    for r in rows.sort_values(["indicator", "_d", "_v"], kind="stable").itertuples(index=False):
        out.setdefault(r.indicator, []).append((r.dimension, r.dimension_value))
    return out


def _shown_value(number, text, qualitative: bool):
    """A stored figure as the sheet shows it: the text of a qualitative one, else the number
    (12 rather than 12.0); None when there is none."""
    if qualitative:
        return text if isinstance(text, str) and text.strip() else None
    if number is None or pd.isna(number):
        return None
    number = float(number)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def allowed_text(measure: str, scale_min, scale_max, cumulative: bool = False) -> str:
    """What `actual` takes, in words (the ref_allowed column, the instructions)."""
    if measure == "percentage":
        return "a number from 0 to 100 (45 means 45 %)"
    if measure == "ordinal":
        return f"a score from {scale_min:g} to {scale_max:g} (a mean such as 3.4 is allowed)"
    if measure == "qualitative":
        return "text"
    return "a number: this period's increment, not the running total" if cumulative else "a number"


def workbook_rows(snap: Snapshot, partner: str, *, scope: Scope, as_of: date, settings: Settings | None = None) -> pd.DataFrame:
    """The results sheet's rows for `partner` as of `as_of` (COLUMNS + REF_COLUMNS, plus the
    indicator's `measure`, `scale_min`, `scale_max` for validation): oldest period first, then
    indicator, the total before its breakdowns."""
    settings = settings or load_settings()
    code = resolve_partner(snap, partner, scope)
    v = view(snap, Filters(partners=(code,)), scope)
    owed = _reports_owed(v, code, as_of, settings)
    out_cols = [*COLUMNS, *REF_COLUMNS, "measure", "scale_min", "scale_max"]
    if owed.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in out_cols})
    ind = _indicators(v)
    values = v.values[v.values["partner"] == code].copy()
    values["_d"], values["_v"] = key(values["dimension"]), key(values["dimension_value"])
    breakdowns = _breakdowns(values)
    pending = v.pending[v.pending["partner"] == code].copy()
    pending["_d"], pending["_v"] = key(pending["dimension"]), key(pending["dimension_value"])
    baselines = v.baselines[v.baselines["partner"] == code].copy()
    baselines["_d"], baselines["_v"] = key(baselines["dimension"]), key(baselines["dimension_value"])
    month = progress.year_start_month(settings)
    records = []
    for r in owed.sort_values(["period_end", "period_start", "indicator"], kind="stable").itertuples(index=False):
        i = ind.loc[r.indicator]
        measure = i.get("measure") or "unit"
        qualitative = measure == "qualitative"
        same_ind = values[values["indicator"] == r.indicator]
        for dim, dval in [("", ""), *breakdowns.get(r.indicator, [])]:
            kd, kv = dim.strip().casefold(), dval.strip().casefold()
            series = same_ind[(same_ind["_d"] == kd) & (same_ind["_v"] == kv)]
            own = series[(series["period_start"] == r.period_start) & (series["period_end"] == r.period_end)]
            actual = comment = None
            if len(own):
                actual = _shown_value(own["actual"].iloc[0], own["actual_text"].iloc[0], qualitative)
                stored_comment = own["comment"].iloc[0]
                comment = stored_comment if isinstance(stored_comment, str) and stored_comment.strip() else None
            target = _target(series, r.period_start, r.period_end, qualitative)
            last, last_period = _last_actual(series, r.period_start, qualitative, month)
            base, base_year = _baseline(baselines, r.indicator, kd, kv, r.period_start.year, qualitative)
            waiting = pending[(pending["indicator"] == r.indicator) & (pending["_d"] == kd) & (pending["_v"] == kv)]
            note = _note(series, waiting, r.period_start, r.period_end, qualitative, month)
            records.append({
                "partner": code, "indicator": r.indicator, "period_start": r.period_start, "period_end": r.period_end,
                "dimension": dim, "dimension_value": dval, "actual": actual, "comment": comment,
                "ref_indicator_name": i.get("name"), "ref_unit": i.get("unit"), "ref_baseline": base,
                "ref_baseline_year": base_year, "ref_target": target, "ref_last_actual": last,
                "ref_last_period": last_period, "ref_due_on": r.due_on,
                "ref_period": period_label(r.period_start, r.period_end, month), "ref_report": r.report,
                "ref_allowed": allowed_text(measure, i.get("scale_min"), i.get("scale_max"), bool(i.get("cumulative"))),
                "ref_note": note, "measure": measure, "scale_min": i.get("scale_min"), "scale_max": i.get("scale_max"),
            })
    return pd.DataFrame.from_records(records, columns=out_cols)


def _target(series: pd.DataFrame, start: date, end: date, qualitative: bool):
    """The target of the shortest target period holding [start, end] (the one the report counts toward)."""
    has = series["target"].notna() | series["target_text"].fillna("").astype(str).str.strip().ne("")
    holding = series[has & (series["period_start"] <= start) & (series["period_end"] >= end)]
    if holding.empty:
        return None
    span = holding["period_end"].map(date.toordinal) - holding["period_start"].map(date.toordinal)
    best = holding.assign(_span=span).sort_values(["_span", "period_start"], kind="stable").iloc[0]
    return _shown_value(best["target"], best["target_text"], qualitative)


def _note(series: pd.DataFrame, waiting: pd.DataFrame, start: date, end: date, qualitative: bool, month: int) -> str | None:
    """What the sheet's actual does not show: a value awaiting review for this very row, or
    actuals stored for other periods that overlap this one (the report is received; another
    actual here would overlap them)."""
    mine = waiting[(waiting["period_start"] == start) & (waiting["period_end"] == end)]
    if len(mine):
        shown = _shown_value(mine["actual"].iloc[-1], mine["actual_text"].iloc[-1], qualitative)
        return f"submitted, awaiting review: {shown}" if shown is not None else "submitted, awaiting review"
    has = series["actual"].notna() | series["actual_text"].fillna("").astype(str).str.strip().ne("")
    other = series[has & (series["period_start"] <= end) & (series["period_end"] >= start)
                   & ~((series["period_start"] == start) & (series["period_end"] == end))]
    if other.empty:
        return None
    parts = [f"{_shown_value(a, t, qualitative)} for {period_label(s, e, month)}" for s, e, a, t in
             other.sort_values("period_start")[["period_start", "period_end", "actual", "actual_text"]].itertuples(index=False)]
    return "already reported: " + "; ".join(parts[:3]) + ("; …" if len(parts) > 3 else "")


def _last_actual(series: pd.DataFrame, start: date, qualitative: bool, month: int):
    """The latest actual of a period ending before `start`, and that period's label."""
    has = series["actual"].notna() | series["actual_text"].fillna("").astype(str).str.strip().ne("")
    earlier = series[has & (series["period_end"] < start)]
    if earlier.empty:
        return None, None
    last = earlier.sort_values(["period_end", "period_start"], kind="stable").iloc[-1]
    return (_shown_value(last["actual"], last["actual_text"], qualitative),
            period_label(last["period_start"], last["period_end"], month))


def _baseline(baselines: pd.DataFrame, indicator: str, kd: str, kv: str, year: int, qualitative: bool):
    """The applicable baseline (the latest with year <= the period's start year) and its year."""
    b = baselines[(baselines["indicator"] == indicator) & (baselines["_d"] == kd) & (baselines["_v"] == kv)
                  & (baselines["year"] <= year)]
    if b.empty:
        return None, None
    last = b.sort_values("year", kind="stable").iloc[-1]
    return _shown_value(last["value"], last.get("value_text"), qualitative), int(last["year"])


# --- the workbook -------------------------------------------------------------------------------


def build_workbook(snap: Snapshot, partner: str, *, scope: Scope, as_of: date | None = None,
                   settings: Settings | None = None) -> ReportingWorkbook:
    """The reporting workbook of `partner` as of `as_of` (default: "as of" today, or
    RESULTSBOARD_TODAY); WorkbookRefused for a partner the scope may not see or that does not exist."""
    settings = settings or load_settings()
    as_of = as_of or progress_as_of()
    code = resolve_partner(snap, partner, scope)
    rows = workbook_rows(snap, code, scope=scope, as_of=as_of, settings=settings)
    names = snap.partners.set_index("code")["name"]
    name = str(names.get(code, code))
    data = write_xlsx(rows, code, name, as_of, settings.limits.max_cell_chars)
    return ReportingWorkbook(code, name, as_of, rows[[*COLUMNS, *REF_COLUMNS]].reset_index(drop=True), data)


def progress_as_of(to=None) -> date:
    """"As of": `to` (a date or a period shorthand, its last day), else today (RESULTSBOARD_TODAY pins it)."""
    from models.scoring.periods import as_of

    return as_of(to)


def partners_owing(v: Snapshot, overdue: pd.DataFrame | None = None) -> list[str]:
    """The administrations of the view `v` with a report overdue as of its "as of" (the
    programme level, which no partner reports for, left out), by code; `overdue`: the view's
    overdue_reports, when already made."""
    late = overdue_reports(v) if overdue is None else overdue
    codes = [c for c in dict.fromkeys(late["partner"]) if c != PROGRAMME_PARTNER_CODE]
    return codes


def workbooks_zip(snap: Snapshot, v: Snapshot, *, scope: Scope, settings: Settings | None = None) -> bytes:
    """One zip with the workbook of every administration that owes reports in the view `v`
    (its filters and scope), as of the view's date."""
    settings = settings or load_settings()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for code in partners_owing(v):
            book = build_workbook(snap, code, scope=scope, as_of=v.as_of, settings=settings)
            z.writestr(book.file_name, book.data)
    return buf.getvalue()

"""Data export in the upload formats (so an export can be edited and uploaded again).

CSV is UTF-8 with BOM (Excel opens accents right); XLSX writes text as text (never as a
formula), numbers as numbers, dates as dates, a frozen header row, and splits sheets before
Excel's row limit. Text cells a spreadsheet would run as a formula are defused with a
leading `'` (OWASP CSV injection); the importer removes that one `'` again.
"""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from models import reference
from models.access import Scope
from models.formats import DEFAULT_AGGREGATION, KINDS
from models.progress import score_pairs
from models.queries.activities import activities_table
from models.queries.filters import Filters
from models.queries.snapshot import Snapshot, load_snapshot, view
from models.tables import PROGRAMME_PARTNER_CODE

DATA_EXPORTS = ("results", "partners", "donors", "funding", "framework", "activities", "indicators")
EXCEL_MAX_ROWS = 1_048_576  # including the header row
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def defuse(value):
    """A text cell a spreadsheet would run as a formula gets a leading `'` (OWASP CSV
    injection). Cells already starting with `'` + a trigger get one more, because the
    importer removes exactly one: every text round-trips."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def defuse_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Defuse every text column; numbers, dates and booleans stay as they are."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype):
            out[c] = out[c].map(defuse).astype(object)
    return out


def _bool_text(series: pd.Series) -> pd.Series:
    return series.map(lambda b: None if b is None or (isinstance(b, float) and np.isnan(b)) else ("true" if b else "false"))


def _country(series: pd.Series) -> pd.Series:
    return series.map(lambda c: reference.country_name(c) if isinstance(c, str) else None)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)


def _stated_aggregation(indicators: pd.DataFrame) -> pd.Series:
    """The aggregation over time where it is not the measure's default (blank otherwise: an
    empty cell keeps the stored value on upload, so an export round-trips)."""
    aggregation = _column(indicators, "aggregation")
    default = indicators["measure"].map(DEFAULT_AGGREGATION) if "measure" in indicators else aggregation
    return aggregation.where(aggregation.ne(default), None).astype(object)


def data_frame(v: Snapshot, name: str) -> pd.DataFrame:
    """One export table, columns named as in the upload format of its kind."""
    if name == "donors":
        out = v.donors.assign(country=_country(v.donors["country"]))[["code", "name", "country", "iati_ref"]]
    elif name == "partners":
        out = v.partners.assign(country=_country(v.partners["country"]))[list(KINDS["partners"].columns)]
    elif name == "funding":
        cols = ["donor", "phase", "partner", "amount", "currency", "signed_on", "start", "end"]
        out = pd.concat([v.agreements.assign(partner=None)[cols], v.funding[cols]], ignore_index=True)
    elif name == "framework":
        out = v.framework[["code", "title", "level", "parent"]]
    elif name == "indicators":
        out = v.indicators.assign(ascending=_bool_text(v.indicators["ascending"]), cumulative=_bool_text(v.indicators["cumulative"]),
                                  frequency=_column(v.indicators, "frequency"), aggregation=_stated_aggregation(v.indicators))
        out = out[list(KINDS["indicators"].columns)]
    elif name == "activities":
        acts = activities_table(v)
        acts["end"] = v.activities.set_index("id").reindex(acts["id"])["end"].to_numpy()
        out = acts.assign(
            partners=acts["partners"].map(lambda xs: ";".join(x for x in xs if x)),
            key_factors=acts["key_factors"].map(lambda xs: ";".join(str(x) for x in xs)),
            participants=acts["participants"].astype("Int64"),
        )[list(KINDS["activities"].columns)]
    elif name == "results":
        out = results_frame(v)
    else:
        raise ValueError(f"unknown export '{name}'; choose one of {', '.join(DATA_EXPORTS)}")
    return out.reset_index(drop=True)


def target_period_scores(v: Snapshot) -> pd.DataFrame:
    """Progress and status of every target period of every pair, "as of" the view's date, by
    the scoring engine: indicator, partner, period_start, period_end, progress, status.

    Each target period is scored as if it were the pair's only one: with its own target and
    the actuals inside it (a cumulative indicator also keeps the earlier targets and
    actuals, for its running totals). A period still under way reads `in progress` or
    `not due`, without progress."""
    cols = ["indicator", "partner", "period_start", "period_end", "progress", "status"]
    values = v.values
    has_target = values["target"].notna() | values["target_text"].fillna("").astype(str).str.strip().ne("")
    spans = values.loc[has_target, ["indicator", "partner", "period_start", "period_end"]].drop_duplicates()
    if spans.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    spans = spans.reset_index(drop=True)
    spans["span"] = np.arange(len(spans)).astype(str)
    cumulative = v.indicators.set_index("code")["cumulative"].fillna(False).astype(bool) if len(v.indicators) else pd.Series(dtype=bool)
    # one pseudo-pair per (pair, target period): its partner code carries the span's number
    rows = values.merge(spans.rename(columns={"period_start": "s", "period_end": "e"}), on=["indicator", "partner"])
    running = rows["indicator"].map(cumulative).fillna(False).to_numpy(dtype=bool)
    own = ((rows["period_start"] == rows["s"]) & (rows["period_end"] == rows["e"])).to_numpy()
    inside = ((rows["period_start"] >= rows["s"]) & (rows["period_end"] <= rows["e"])).to_numpy()
    before = (rows["period_end"] < rows["s"]).to_numpy()
    keep = inside | (running & before)
    rows, own, before, running = rows[keep].copy(), own[keep], before[keep], running[keep]
    rows.loc[~(own | (running & before)), ["target", "target_text"]] = [np.nan, None]
    rows["partner"] = rows["partner"].astype(str) + "\x1f" + rows["span"]
    base = v.baselines.merge(spans[["indicator", "partner", "span"]], on=["indicator", "partner"])
    base["partner"] = base["partner"].astype(str) + "\x1f" + base["span"]
    one = score_pairs(rows.drop(columns=["s", "e", "span"]), v.indicators, base.drop(columns=["span"]),
                      as_of=v.as_of, start=v.filters.start)
    one["span"] = one["partner"].str.split("\x1f").str[-1]
    out = spans.merge(one[["span", "progress", "status"]], on="span", how="left")
    return out[cols]


def results_frame(v: Snapshot) -> pd.DataFrame:
    """One row per stored value (with its applicable baseline), then one row per baseline not
    shown on a value row — so every stored figure round-trips. Rows of a target period carry
    that period's progress and status (`target_period_scores`); other rows (a quarter's
    actual inside an annual target) carry none: their figure counts toward that target."""
    ind = v.indicators.set_index("code")
    vals = v.values.copy()
    qual = vals["indicator"].map(ind["measure"]).eq("qualitative").to_numpy()
    key = ["indicator", "partner", "dimension", "dimension_value"]
    # applicable baseline: the latest with year <= the period's start year
    vals["_start_year"] = vals["period_start"].map(lambda d: d.year)
    base = v.baselines.rename(columns={"value": "baseline", "value_text": "baseline_text", "year": "baseline_year", "comment": "baseline_comment"})
    vals["_i"] = np.arange(len(vals))
    if not base.empty and not vals.empty:
        m = vals[key + ["_start_year", "_i"]].merge(base, on=key, how="inner")
        m = m[m["baseline_year"] <= m["_start_year"]].sort_values(["_i", "baseline_year"]).drop_duplicates("_i", keep="last")
        vals = vals.merge(m[["_i", "baseline", "baseline_text", "baseline_year"]], on="_i", how="left")
    else:
        vals["baseline"], vals["baseline_text"], vals["baseline_year"] = np.nan, None, np.nan
    qual = vals["indicator"].map(ind["measure"]).eq("qualitative").to_numpy()
    scored = target_period_scores(v)
    if len(vals) and len(scored):
        vals = vals.merge(scored, on=["indicator", "partner", "period_start", "period_end"], how="left")
    else:
        vals["progress"], vals["status"] = np.nan, None
    progress, status = vals["progress"].to_numpy(dtype=float), vals["status"].astype(object).to_numpy()
    out = pd.DataFrame({
        "partner": vals["partner"],
        "indicator": vals["indicator"],
        "period_start": vals["period_start"],
        "period_end": vals["period_end"],
        "dimension": vals["dimension"],
        "dimension_value": vals["dimension_value"],
        "target": np.where(qual, vals["target_text"], vals["target"]),
        "actual": np.where(qual, vals["actual_text"], vals["actual"]),
        "baseline": np.where(qual, vals["baseline_text"], vals["baseline"]),
        "baseline_year": vals["baseline_year"].astype("Int64") if len(vals) else pd.Series(dtype="Int64"),
        "comment": vals["comment"],
        "progress": np.round(progress, 4),
        "status": status,
    })
    # baselines not carried by any value row
    shown = set()
    if len(vals):
        shown = set(map(tuple, vals.dropna(subset=["baseline_year"])[key + ["baseline_year"]].astype({"baseline_year": int}).itertuples(index=False, name=None)))
    rest = base[[tuple(r) not in shown for r in base[key + ["baseline_year"]].itertuples(index=False, name=None)]]
    if not rest.empty:
        bq = rest["indicator"].map(ind["measure"]).eq("qualitative").to_numpy()
        extra = pd.DataFrame({
            "partner": rest["partner"], "indicator": rest["indicator"], "period_start": None, "period_end": None,
            "dimension": rest["dimension"], "dimension_value": rest["dimension_value"], "target": None, "actual": None,
            "baseline": np.where(bq, rest["baseline_text"], rest["baseline"]),
            "baseline_year": rest["baseline_year"].astype("Int64"), "comment": rest["baseline_comment"],
            "progress": np.nan, "status": None,
        })
        out = pd.concat([out, extra], ignore_index=True)
    out["partner"] = out["partner"].where(out["partner"] != PROGRAMME_PARTNER_CODE, "")
    return out.sort_values(["indicator", "partner", "dimension", "dimension_value", "period_start"], na_position="first", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------
# writers


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, formula-like text defused, dates as YYYY-MM-DD (the upload format,
    also for pandas Timestamps, which would otherwise print a time)."""
    return defuse_frame(frame).to_csv(index=False, lineterminator="\r\n", date_format="%Y-%m-%d").encode("utf-8-sig")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per table (split before Excel's row limit); text written as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    per_sheet = EXCEL_MAX_ROWS - 1
    for name, frame in sheets.items():
        frame = defuse_frame(frame)
        chunks = [frame.iloc[i : i + per_sheet] for i in range(0, max(len(frame), 1), per_sheet)]
        for n, chunk in enumerate(chunks):
            ws = wb.create_sheet(title=_sheet_title(name, n))
            ws.freeze_panes = "A2"
            ws.append([_text_cell(ws, c, WriteOnlyCell) for c in frame.columns])
            for row in chunk.itertuples(index=False, name=None):
                ws.append([_cell(ws, v, WriteOnlyCell) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(name: str, n: int) -> str:
    """`name`, then `name_2`, `name_3`, ... within Excel's 31 characters (the base is cut,
    never the number, so titles stay distinct)."""
    suffix = "" if n == 0 else f"_{n + 1}"
    return name[: 31 - len(suffix)] + suffix


def _text_cell(ws, value, cell_type):
    """A text cell (never a formula). Control characters other than tab, CR and LF cannot be
    stored in a worksheet (XML forbids them; openpyxl refuses the whole file): they are left out."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = cell_type(ws, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"
    return cell


def _cell(ws, value, cell_type):
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        return _text_cell(ws, value, cell_type) if value else None  # '' (no key part): an empty cell
    if isinstance(value, (bool, np.bool_)):
        return _text_cell(ws, "true" if value else "false", cell_type)
    if isinstance(value, date):
        cell = cell_type(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if hasattr(value, "item"):
        value = value.item()
    return value


def export_bytes(v: Snapshot, name: str, fmt: str, frame: pd.DataFrame | None = None) -> bytes:
    """One export of the view as CSV or XLSX bytes (`frame`: the export's rows, when already made)."""
    frame = data_frame(v, name) if frame is None else frame
    if fmt == "csv":
        return to_csv_bytes(frame)
    if fmt == "xlsx":
        return to_xlsx_bytes({name: frame})
    raise ValueError(f"unknown format '{fmt}': csv or xlsx")


def write_data(engine: Engine, name: str, fmt: str, out: Path, *, scope: Scope, filters: Filters = Filters()) -> int:
    """Write one export to `out`; returns the number of data rows."""
    v = view(load_snapshot(engine), filters, scope)
    frame = data_frame(v, name)
    Path(out).write_bytes(export_bytes(v, name, fmt, frame))
    return len(frame)

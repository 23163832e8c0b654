"""Profiles on a view: one partner administration (facts, each indicator's figures with
their units, target and actual series, baselines) and one indicator (its definition, and
its figures across partners)."""
from __future__ import annotations

import pandas as pd

from models import reference
from models.queries.frames import empty_frame
from models.queries.labels import DIRECTION_LABELS, breakdown_labels, figure, key_factor_label, period_labels, text_or_none
from models.queries.rollups import progress_table
from models.queries.memo import memoized, memoized_on_progress
from models.queries.snapshot import Snapshot
from models.scoring.inputs import indicators_frame
from models.tables import PROGRAMME_PARTNER_CODE


@memoized
def partner_profile(v: Snapshot, partner: str) -> dict | None:
    """One partner's facts for the profile header (None when it is not in the view)."""
    rows = v.partners[v.partners["code"] == partner]
    if rows.empty:
        return None
    r = rows.iloc[0]
    f = v.funding[v.funding["partner"] == partner]
    names = v.donors.set_index("code")["name"]
    donors = []
    for code, phases in f.groupby("donor")["phase"]:
        donors.append({"donor": code, "donor_name": names.get(code, code),
                       "phases": sorted({str(x) for x in phases if str(x)})})
    return {
        "code": str(r["code"]),
        "name": str(r["name"]),
        "country": str(r["country"]),
        "country_name": r["country_name"] or str(r["country"]),
        "region": str(r["region"]),
        "region_name": reference.REGIONS.get(str(r["region"]), str(r["region"])),
        "joined_on": r["joined_on"] if pd.notna(r["joined_on"]) else None,
        "status": str(r["status"]) if pd.notna(r["status"]) else "",
        "donors": donors,
        "donors_text": "; ".join(
            f"{d['donor_name']} (phase {', '.join(d['phases'])})" if d["phases"] else d["donor_name"] for d in donors),
    }


PARTNER_INDICATOR_COLUMNS = [
    "indicator", "indicator_name", "label", "key_factor", "key_factor_label", "measure", "unit", "period",
    "baseline", "baseline_year", "baseline_shown", "target", "target_shown", "actual", "actual_shown",
    "progress", "progress_clamped", "status", "note", "reports_received", "reports_due",
]


@memoized_on_progress(progress_table)
def partner_indicators(v: Snapshot, prog: pd.DataFrame | None, partner: str) -> pd.DataFrame:
    """One partner's indicators (code order): the scored figures — period, baseline, target,
    actual (numbers, or the text of qualitative indicators), raw and clamped progress, status,
    the note ('so far: …', 'last figure: …', 'reports: …') — plus *_shown columns that write
    each figure with its unit, or its text."""
    prog = progress_table(v) if prog is None else prog
    rows = prog[prog["partner"] == partner].copy()
    if rows.empty:
        return empty_frame(PARTNER_INDICATOR_COLUMNS)
    rows = rows.sort_values("indicator", kind="stable")
    rows["label"] = rows["indicator"] + " · " + rows["indicator_name"].astype(str)
    rows["key_factor_label"] = rows["key_factor"].map(key_factor_label)
    # qualitative baselines are text: the latest total baseline text up to the period's start year
    b = v.baselines[(v.baselines["partner"] == partner) & v.baselines["value_text"].notna() & (v.baselines["dimension"] == "")]
    texts = []
    for ind, start in zip(rows["indicator"], rows["period_start"]):
        cand = b[b["indicator"] == ind]
        if start is not None and pd.notna(start):
            cand = cand[cand["year"] <= pd.Timestamp(start).year]
        cand = cand.sort_values("year")
        texts.append((text_or_none(cand["value_text"].iloc[-1]), int(cand["year"].iloc[-1])) if len(cand) else (None, None))
    shown_baseline = []
    for (text, year), value, byear, unit in zip(texts, rows["baseline"], rows["baseline_year"], rows["unit"]):
        if pd.notna(value):
            shown_baseline.append(f"{figure(value, unit)} ({int(byear)})" if pd.notna(byear) else figure(value, unit))
        elif text:
            shown_baseline.append(f"{text} ({year})")
        else:
            shown_baseline.append("")
    rows["baseline_shown"] = shown_baseline
    rows["target_shown"] = [figure(t, u) if pd.notna(t) else (text_or_none(tt) or "")
                            for t, tt, u in zip(rows["target"], rows["target_text"], rows["unit"])]
    rows["actual_shown"] = [figure(a, u) if pd.notna(a) else (text_or_none(at) or "")
                            for a, at, u in zip(rows["actual"], rows["text"], rows["unit"])]
    return rows[PARTNER_INDICATOR_COLUMNS].reset_index(drop=True)


PARTNER_SERIES_COLUMNS = [
    "indicator", "indicator_name", "unit", "measure", "series", "period", "period_start", "period_end",
    "target", "actual", "comment",
]


@memoized
def partner_series(v: Snapshot, partner: str, indicator: str | None = None) -> pd.DataFrame:
    """A partner's numeric targets and actuals per period (oldest first), one series per
    disaggregation: 'total' for undisaggregated rows, else the dimension value (e.g. 'private
    sector'), never averaged together. Qualitative indicators are left out."""
    numeric = set(v.indicators.loc[v.indicators["measure"] != "qualitative", "code"])
    vals = v.values[(v.values["partner"] == partner) & v.values["indicator"].isin(numeric)]
    if indicator is not None:
        vals = vals[vals["indicator"] == indicator]
    vals = vals[vals["target"].notna() | vals["actual"].notna()]
    if vals.empty:
        return empty_frame(PARTNER_SERIES_COLUMNS)
    ind = v.indicators.set_index("code")
    out = vals.copy()
    out["indicator_name"] = out["indicator"].map(ind["name"])
    out["unit"] = out["indicator"].map(ind["unit"])
    out["measure"] = out["indicator"].map(ind["measure"])
    labels = breakdown_labels(out["dimension_value"])
    out["series"] = labels.where(labels != "", "total")
    out["period"] = period_labels(out)
    out["comment"] = out["comment"].map(text_or_none)
    out["_total"] = out["series"] != "total"
    out = out.sort_values(["indicator", "_total", "series", "period_end", "period_start"], kind="stable")
    return out[PARTNER_SERIES_COLUMNS].reset_index(drop=True)


@memoized
def partner_baselines(v: Snapshot, partner: str, indicator: str) -> pd.DataFrame:
    """A partner's numeric baselines for one indicator, per series ('total' or the dimension
    value) — the latest year of each."""
    b = v.baselines[(v.baselines["partner"] == partner) & (v.baselines["indicator"] == indicator) & v.baselines["value"].notna()]
    cols = ["series", "year", "value"]
    if b.empty:
        return empty_frame(cols)
    labels = breakdown_labels(b["dimension_value"])
    b = b.assign(series=labels.where(labels != "", "total"))
    b = b.sort_values(["series", "year"]).drop_duplicates("series", keep="last")
    b["year"] = b["year"].astype(int)
    return b[cols].reset_index(drop=True)


AGGREGATION_TEXT = {
    "sum": "sum: the reporting periods' figures inside a target period are added up",
    "mean": "mean: the reporting periods' figures inside a target period are averaged",
    "latest": "latest: the figure of the reporting period that ends last counts",
}


def _reporting_attributes(r, measure: str) -> dict:
    """frequency and aggregation over time (the engine's defaults where the snapshot has none)."""
    row = pd.DataFrame([{"code": r["code"], "measure": measure, "frequency": r.get("frequency"),
                         "aggregation": r.get("aggregation"), "cumulative": r.get("cumulative")}])
    resolved = indicators_frame(row).iloc[0]
    return {"frequency": resolved["frequency"],
            "aggregation": resolved["aggregation"], "aggregation_text": AGGREGATION_TEXT.get(resolved["aggregation"])}


@memoized
def indicator_definition(v: Snapshot, code: str) -> dict | None:
    """One indicator's definition, ready to show (None when it is not in the view)."""
    rows = v.indicators[v.indicators["code"] == code]
    if rows.empty:
        return None
    r = rows.iloc[0]
    measure = text_or_none(r["measure"]) or "unit"
    result = text_or_none(r["result"])
    titles = v.framework.set_index("code")["title"] if len(v.framework) else pd.Series(dtype=object)
    scale = None
    if measure == "ordinal" and pd.notna(r["scale_min"]) and pd.notna(r["scale_max"]):
        scale = f"{float(r['scale_min']):g} to {float(r['scale_max']):g}"
    kf = None if pd.isna(r["key_factor"]) else int(r["key_factor"])
    ascending = True if pd.isna(r["ascending"]) else bool(r["ascending"])
    return {
        "code": str(r["code"]),
        "name": str(r["name"]),
        "level": text_or_none(r["level"]),
        "result": result,
        "result_title": text_or_none(titles.get(result)) if result else None,
        "measure": measure,
        "unit": text_or_none(r["unit"]),
        "ascending": ascending,
        "direction": DIRECTION_LABELS[ascending],
        "cumulative": bool(r["cumulative"]) if pd.notna(r["cumulative"]) else False,
        **_reporting_attributes(r, measure),
        "scale_min": None if pd.isna(r["scale_min"]) else float(r["scale_min"]),
        "scale_max": None if pd.isna(r["scale_max"]) else float(r["scale_max"]),
        "scale": scale,
        "key_factor": kf,
        "key_factor_name": reference.KEY_FACTORS.get(kf) if kf else None,
        "description": text_or_none(r["description"]),
    }


INDICATOR_TARGET_COLUMNS = [
    "partner", "partner_name", "region", "period", "period_start", "period_end", "baseline", "baseline_year",
    "target", "actual", "target_text", "text", "progress", "progress_clamped", "status", "note",
    "reports_received", "reports_due",
]


@memoized_on_progress(progress_table)
def indicator_targets(v: Snapshot, prog: pd.DataFrame | None, code: str) -> pd.DataFrame:
    """One indicator across partners: the scored figures (period, baseline, target, actual,
    progress, status, note) per partner, programme level last, else by partner name."""
    prog = progress_table(v) if prog is None else prog
    rows = prog[prog["indicator"] == code].copy()
    rows["_programme"] = rows["partner"] == PROGRAMME_PARTNER_CODE
    rows = rows.sort_values(["_programme", "partner_name", "partner"], kind="stable")
    return rows[INDICATOR_TARGET_COLUMNS].reset_index(drop=True)


AWAITING_COLUMNS = ["indicator", "period", "breakdown", "approved", "submitted", "comment", "batch", "uploaded_by", "uploaded_at"]


@memoized
def awaiting_review(v: Snapshot, partner: str) -> pd.DataFrame:
    """A partner's values waiting for review (in the view: the secretariat's and the partner's
    own), each beside the approved value donors see meanwhile: indicator, period, breakdown,
    approved, submitted ("cleared" when the upload clears it), comment, batch, uploaded_by, uploaded_at."""
    p = v.pending[v.pending["partner"] == partner].sort_values(
        ["batch_id", "indicator", "period_start", "dimension", "dimension_value"], kind="stable")
    if p.empty:
        return pd.DataFrame(columns=AWAITING_COLUMNS)
    key = ["indicator", "period_start", "period_end", "dimension", "dimension_value"]
    approved = v.values[v.values["partner"] == partner].drop_duplicates(key).set_index(key)

    def shown(number, text, cleared=False) -> str:
        if text is not None and not (isinstance(text, float) and pd.isna(text)):
            return str(text)
        if number is not None and pd.notna(number):
            return f"{float(number):g}"
        return "cleared" if cleared else "–"

    rows = []
    for r in p.itertuples(index=False):
        k = (r.indicator, r.period_start, r.period_end, r.dimension, r.dimension_value)
        old = approved.loc[k] if k in approved.index else None
        clears = set(filter(None, str(r.clears).split(",")))
        rows.append({
            "indicator": r.indicator, "period": f"{r.period_start:%Y-%m-%d} – {r.period_end:%Y-%m-%d}",
            "breakdown": f"{r.dimension}: {r.dimension_value}" if r.dimension else "",
            "approved": shown(old["actual"], old["actual_text"]) if old is not None else "–",
            "submitted": shown(r.actual, r.actual_text, "actual" in clears),
            "comment": "cleared" if "comment" in clears else ("" if r.comment is None or pd.isna(r.comment) else str(r.comment)),
            "batch": int(r.batch_id), "uploaded_by": r.user, "uploaded_at": r.at,
        })
    return pd.DataFrame(rows, columns=AWAITING_COLUMNS)

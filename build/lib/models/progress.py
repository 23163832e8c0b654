"""Progress rules (DESIGN.md, "Progress rules") on plain DataFrames.

Pure pandas: no database, no streamlit. The read layer hands in three frames —
values, baselines and indicators — and gets back one row per (indicator, partner) with
the figures used, the raw progress, the clamped progress and a status. `rollup` averages
those rows per group (partner, region, donor, key factor); `completeness` lists the
reports that are due and says which are missing.

Everything is set-based (groupby / merge / sort + drop_duplicates): 1M value rows take
a few seconds at most, with no Python loop per row.
"""
from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from models.config import Settings, Thresholds, load_settings
from models.formats import MEASURES

STATUSES = ("achieved", "on track", "at risk", "off track", "no data")
NO_BASELINE = "no baseline"
QUALITATIVE = "qualitative"
# "no baseline" and "qualitative" are statuses too, but they carry no percentage.
NON_SCORED = ("no data", NO_BASELINE, QUALITATIVE)
SCORED = STATUSES[:4]

PROGRESS_COLUMNS = [
    "indicator", "partner", "period_start", "period_end", "baseline", "baseline_year",
    "target", "actual", "text", "target_text", "progress", "progress_clamped", "status",
]
# one count column per scored status in `rollup` output
STATUS_COUNT_COLUMNS = {status: status.replace(" ", "_") for status in SCORED}
ROLLUP_VALUE_COLUMNS = [
    "progress", "n", "n_no_data", "n_qualitative", "status", *STATUS_COUNT_COLUMNS.values(),
]
COMPLETENESS_COLUMNS = ["partner", "indicator", "period_start", "period_end", "reported", "status"]

_NAT = np.datetime64("NaT", "ns")
# statuses compare the clamped progress rounded to this many decimals, so 0.75 computed as
# 0.7499999999999999 by floating point still reads "on track"
_STATUS_DECIMALS = 9


# --- statuses and help text -------------------------------------------------------------


def _thresholds(thresholds: Thresholds | Settings | None) -> Thresholds:
    if thresholds is None:
        return load_settings().thresholds
    if isinstance(thresholds, Settings):
        return thresholds.thresholds
    return thresholds


def _status_array(progress, th: Thresholds) -> np.ndarray:
    """Statuses for an array of progress figures (clamped to [0, 1] first; NaN -> no data)."""
    p = np.round(np.clip(np.asarray(progress, dtype=float), 0.0, 1.0), _STATUS_DECIMALS)
    return np.select(
        [np.isnan(p), p >= th.achieved, p >= th.on_track, p >= th.at_risk],
        ["no data", "achieved", "on track", "at risk"],
        default="off track",
    ).astype(object)


def status_for(progress: float | None, thresholds: Thresholds | Settings | None = None) -> str:
    """The status of one progress figure: clamped to [0, 1]; NaN or None -> "no data"."""
    value = np.nan if progress is None else progress
    return str(_status_array([value], _thresholds(thresholds))[0])


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g} %"


def progress_help(thresholds: Thresholds | Settings | None = None) -> str:
    """Plain-language explanation of progress, statuses and n (help text and hover)."""
    th = _thresholds(thresholds)
    return (
        "Progress is the distance travelled from the baseline to the target: "
        "(actual − baseline) ÷ (target − baseline). "
        "Without a baseline it is counted from 0 (ordinal scales: from the bottom of the "
        "scale); an indicator where lower is better needs a baseline. When the target "
        "equals the baseline, progress is 100 % if the actual is on the right side, else 0 %. "
        "Cumulative indicators add up the actuals and the targets in the period; others "
        "use the latest actual and its target. "
        f"Status: achieved at {_percent(th.achieved)} or more, on track at "
        f"{_percent(th.on_track)} or more, at risk at {_percent(th.at_risk)} or more, "
        f"off track below {_percent(th.at_risk)}; no data when the actual or the target "
        "is missing. Progress above 100 % is shown as it is but counts as 100 % "
        "(below 0 % counts as 0 %). "
        "Averages are unweighted means over indicator–partner pairs; n is the number of "
        "pairs with a progress figure. Qualitative indicators and pairs without data are "
        "left out of the average and counted separately."
    )


# --- input normalisation ----------------------------------------------------------------


def _as_datetime(series: pd.Series) -> pd.Series:
    """date objects (or strings, or datetimes) -> datetime64[ns]; each distinct value converted once."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.astype("datetime64[ns]")
    codes, uniques = pd.factorize(series)
    converted = pd.to_datetime(pd.Index(uniques, dtype=object)).to_numpy(dtype="datetime64[ns]")
    lookup = np.append(converted, _NAT)  # code -1 (missing) picks NaT
    return pd.Series(lookup[codes], index=series.index)


def _as_date_objects(series: pd.Series) -> pd.Series:
    """datetime64 -> datetime.date objects (None for NaT); each distinct value converted once."""
    codes, uniques = pd.factorize(series)
    dates = np.array([ts.date() for ts in pd.DatetimeIndex(uniques)] + [None], dtype=object)
    return pd.Series(dates[codes], index=series.index, dtype=object)


def _text_key(series: pd.Series) -> pd.Series:
    series = series.fillna("")
    if pd.api.types.is_string_dtype(series) and series.dtype != object:
        return series
    return series.astype(str)


def _as_float(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def _has_text(series: pd.Series) -> pd.Series:
    """True where a text cell holds something other than blanks."""
    present = series.notna()
    if present.any():
        present[present] = series[present].astype(str).str.strip().ne("")
    return present.astype(bool)


def _column(frame: pd.DataFrame, name: str, default) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(default, index=frame.index, dtype=object if default is None else float)


def _prepare_values(values: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "indicator": _text_key(values["indicator"]),
        "partner": _text_key(_column(values, "partner", None)),
        "period_start": _as_datetime(values["period_start"]),
        "period_end": _as_datetime(values["period_end"]),
        "dimension": _text_key(_column(values, "dimension", None)),
        "target": _as_float(_column(values, "target", np.nan)),
        "actual": _as_float(_column(values, "actual", np.nan)),
        "target_text": _column(values, "target_text", None),
        "actual_text": _column(values, "actual_text", None),
    })


def _prepare_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    measure = _text_key(indicators["measure"]).str.strip().str.lower()
    return pd.DataFrame({
        "indicator": _text_key(indicators["code"]),
        "measure": measure.map(MEASURES).fillna("unit"),  # names or IATI codes; anything else reads "unit"
        "ascending": _column(indicators, "ascending", None).fillna(True).astype(bool),
        "cumulative": _column(indicators, "cumulative", None).fillna(False).astype(bool),
        "scale_min": _as_float(_column(indicators, "scale_min", np.nan)),
    }).drop_duplicates("indicator", keep="last")


def default_as_of(values: pd.DataFrame | None) -> date | None:
    """The latest period_end in the data (never today's date); None when there is none."""
    if values is None or len(values) == 0 or "period_end" not in values.columns:
        return None
    latest = _as_datetime(values["period_end"]).max()
    return None if pd.isna(latest) else pd.Timestamp(latest).date()


def _timestamp(day: date | datetime | str) -> pd.Timestamp:
    return pd.Timestamp(day).normalize()


def _values_until(values: pd.DataFrame, as_of: date | None) -> pd.DataFrame:
    """_prepare_values rows whose period ended by `as_of` (default: the latest period_end)."""
    v = _prepare_values(values)
    end_ts = _timestamp(as_of) if as_of is not None else v["period_end"].max()
    return v[v["period_end"].le(end_ts)]


def _total_else_mean(keys: pd.DataFrame, is_total, figures: dict) -> pd.DataFrame:
    """One row per distinct `keys` row (sorted): each figure from the total rows, else the
    mean of the disaggregated rows (a total row has an empty dimension)."""
    work = keys.copy()
    for name, figure in figures.items():
        work[f"{name}_total"] = np.where(is_total, figure, np.nan)
        work[f"{name}_disaggregated"] = np.where(is_total, np.nan, figure)
    out = work.groupby(list(keys.columns), sort=True).mean().reset_index()
    for name in figures:
        out[name] = out.pop(f"{name}_total").fillna(out.pop(f"{name}_disaggregated"))
    return out


# --- compute_progress -------------------------------------------------------------------


_DTYPES = {"indicator": str, "partner": str, "baseline": float, "baseline_year": "Int64", "target": float,
           "actual": float, "progress": float, "progress_clamped": float, "status": str, "reported": bool}


def _empty(columns: list[str], **dtypes) -> pd.DataFrame:
    """No rows; the columns typed as compute_progress types them (`dtypes` overrides; else object)."""
    dtypes = {**_DTYPES, **dtypes}
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in columns})


def _per_pair(frame: pd.DataFrame, column: str, n_pairs: int, fill=np.nan) -> np.ndarray:
    """`frame` holds at most one row per pair id: its `column` as an array indexed by pair id."""
    series = pd.Series(frame[column].to_numpy(), index=frame["pair"].to_numpy())
    return series.reindex(np.arange(n_pairs), fill_value=fill).to_numpy(copy=True)


def _none_for_missing(array: np.ndarray) -> np.ndarray:
    """Text cells as str, with None (never NaN or pd.NA) where there is none."""
    return np.array([None if pd.isna(x) else str(x) for x in array], dtype=object)


def _latest_text(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per pair, the latest non-blank text in `column`; within one period the total row wins."""
    found = rows[_has_text(rows[column])]
    found = found.sort_values(["pair", "end", "start", "is_total"], kind="stable")
    return found.drop_duplicates("pair", keep="last")


def _baselines_for(pairs: pd.DataFrame, baselines: pd.DataFrame) -> pd.DataFrame:
    """Per pair: the latest baseline with year <= the pair's window start year."""
    if baselines is None or len(baselines) == 0:
        return pd.DataFrame({"pair": [], "baseline": [], "baseline_year": []})
    b = pd.DataFrame({
        "indicator": _text_key(baselines["indicator"]),
        "partner": _text_key(_column(baselines, "partner", None)),
        "is_total": _text_key(_column(baselines, "dimension", None)).eq(""),
        "year": pd.to_numeric(baselines["year"], errors="coerce"),
        "value": _as_float(_column(baselines, "value", np.nan)),
    })
    b = b[b["value"].notna() & b["year"].notna()]
    per_year = _total_else_mean(b[["indicator", "partner", "year"]], b["is_total"].to_numpy(), {"baseline": b["value"].to_numpy()})
    matched = pairs[["pair", "indicator", "partner", "start_year"]].merge(
        per_year[["indicator", "partner", "year", "baseline"]], on=["indicator", "partner"]
    )
    matched = matched[matched["year"] <= matched["start_year"]]
    matched = matched.sort_values(["pair", "year"]).drop_duplicates("pair", keep="last")
    return matched.rename(columns={"year": "baseline_year"})


def distance_travelled(actual, target, baseline, *, ascending, measure, scale_min, thresholds=None):
    """Vectorised distance travelled and status for aligned arrays (one entry per figure).

    (actual − baseline) / (target − baseline); no baseline: from 0 for ascending unit and
    percentage indicators, from scale_min for ordinal ones, none for descending ones
    ("no baseline"); target == baseline: 1 on the right side, else 0. Returns the raw
    progress (NaN where not computable) and the status of the clamped figure.
    """
    th = _thresholds(thresholds)
    actual = np.asarray(actual, dtype=float)
    target = np.asarray(target, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    ascending = np.asarray(ascending, dtype=bool)
    measure = np.asarray(measure, dtype=object)
    qualitative = measure == "qualitative"
    origin = baseline.copy()
    no_baseline = np.isnan(baseline) & ascending
    from_zero = no_baseline & np.isin(measure, ("unit", "percentage"))
    from_scale = no_baseline & (measure == "ordinal")
    origin[from_zero] = 0.0
    origin[from_scale] = np.asarray(scale_min, dtype=float)[from_scale]
    with np.errstate(divide="ignore", invalid="ignore"):
        progress = (actual - origin) / (target - origin)
        right_side = np.where(ascending, actual >= target, actual <= target)
    progress = np.where(target == origin, np.where(right_side, 1.0, 0.0), progress)
    missing = np.isnan(actual) | np.isnan(target)
    unusable = missing | np.isnan(origin) | qualitative
    progress = np.where(unusable, np.nan, progress).astype(float)
    status = _status_array(np.clip(progress, 0.0, 1.0), th)
    status[~missing & np.isnan(origin)] = NO_BASELINE
    status[qualitative] = QUALITATIVE
    return progress, status


def compute_progress(values: pd.DataFrame, baselines: pd.DataFrame, indicators: pd.DataFrame, *, start: date | None = None,
                     as_of: date | None = None, thresholds: Thresholds | Settings | None = None) -> pd.DataFrame:
    """One row per (indicator, partner) in the window (start .. as_of); see PROGRESS_COLUMNS."""
    th = _thresholds(thresholds)
    if values is None or len(values) == 0:
        return _empty(PROGRESS_COLUMNS)
    v = _values_until(values, as_of)
    if start is not None:
        v = v[v["period_start"].ge(_timestamp(start))]
    if len(v) == 0:
        return _empty(PROGRESS_COLUMNS)

    # pairs, numbered 0..n-1 in (indicator, partner) order
    pair = v.groupby(["indicator", "partner"], sort=True).ngroup().to_numpy()
    pair_ids, first_row = np.unique(pair, return_index=True)
    n_pairs = len(pair_ids)
    pairs = pd.DataFrame({"pair": pair_ids, "indicator": v["indicator"].to_numpy()[first_row],
                          "partner": v["partner"].to_numpy()[first_row]})
    pairs = pairs.merge(_prepare_indicators(indicators), on="indicator", how="left")
    pairs["measure"] = pairs["measure"].fillna("unit")
    pairs["ascending"] = pairs["ascending"].fillna(True).astype(bool)
    pairs["cumulative"] = pairs["cumulative"].fillna(False).astype(bool)
    qualitative = pairs["measure"].eq("qualitative").to_numpy()

    # one row per (pair, period): the total row's figure, else the mean of the disaggregated
    is_total = v["dimension"].eq("").to_numpy()
    keys = pd.DataFrame({"pair": pair, "end": v["period_end"].to_numpy(), "start": v["period_start"].to_numpy()})
    periods = _total_else_mean(keys, is_total, {"target": v["target"].to_numpy(), "actual": v["actual"].to_numpy()})
    # `periods` is sorted by (pair, end, start): the last row of a pair is its latest period

    latest_row = periods.drop_duplicates("pair", keep="last")
    with_actual = periods[periods["actual"].notna()].drop_duplicates("pair", keep="last")
    with_target = periods[periods["target"].notna()].drop_duplicates("pair", keep="last")
    by_pair = periods.groupby("pair", sort=True)
    span = by_pair.agg(start=("start", "min"), end=("end", "max")).reset_index()
    sums = by_pair[["target", "actual"]].sum(min_count=1).reset_index()

    def col(frame, name, fill=np.nan):
        return _per_pair(frame, name, n_pairs, fill)

    def first_found(name, *frames):
        """`name` per pair from the first of `frames` with a row for the pair (the last: fallback)."""
        out = col(frames[-1], name, _NAT)
        for frame in reversed(frames[:-1]):
            out = np.where(col(frame, "pair", -1) >= 0, col(frame, name, _NAT), out)
        return out

    # non-cumulative: the latest period with an actual and its target, else the latest target
    a_actual, a_target = col(with_actual, "actual"), col(with_actual, "target")
    nc_target = np.where(np.isnan(a_target), col(with_target, "target"), a_target)
    nc_start = first_found("start", with_actual, with_target, latest_row)
    nc_end = first_found("end", with_actual, with_target, latest_row)

    cumulative = pairs["cumulative"].to_numpy() & ~qualitative
    span_start, span_end = col(span, "start", _NAT), col(span, "end", _NAT)
    out_target = np.where(cumulative, col(sums, "target"), nc_target)
    out_actual = np.where(cumulative, col(sums, "actual"), a_actual)
    out_start = np.where(cumulative, span_start, nc_start)
    out_end = np.where(cumulative, span_end, nc_end)

    # qualitative: the latest texts, no numbers
    text = np.full(n_pairs, None, dtype=object)
    target_text = np.full(n_pairs, None, dtype=object)
    if qualitative.any():
        q = keys.assign(is_total=is_total, actual_text=v["actual_text"].to_numpy(), target_text=v["target_text"].to_numpy())
        q = q[np.isin(pair, pair_ids[qualitative])]
        q_actual, q_target = _latest_text(q, "actual_text"), _latest_text(q, "target_text")
        text = _none_for_missing(col(q_actual, "actual_text", None))
        target_text = _none_for_missing(col(q_target, "target_text", None))
        out_start = np.where(qualitative, first_found("start", q_actual, q_target, latest_row), out_start)
        out_end = np.where(qualitative, first_found("end", q_actual, q_target, latest_row), out_end)
        out_target = np.where(qualitative, np.nan, out_target)
        out_actual = np.where(qualitative, np.nan, out_actual)

    # baseline: the latest with year <= the window's start year
    pairs["start_year"] = start.year if start is not None else pd.DatetimeIndex(span_start).year
    chosen = _baselines_for(pairs, baselines)
    baseline = col(chosen, "baseline").astype(float)
    baseline_year = col(chosen, "baseline_year").astype(float)
    baseline[qualitative] = np.nan
    baseline_year[qualitative] = np.nan

    # distance travelled
    progress, status = distance_travelled(out_actual, out_target, baseline, ascending=pairs["ascending"].to_numpy(),
                                          measure=pairs["measure"].to_numpy(),
                                          scale_min=pairs["scale_min"].to_numpy(dtype=float), thresholds=th)
    clamped = np.clip(progress, 0.0, 1.0)

    out = pd.DataFrame({
        "indicator": pairs["indicator"].astype(str).to_numpy(),
        "partner": pairs["partner"].astype(str).to_numpy(),
        "period_start": _as_date_objects(pd.Series(out_start.astype("datetime64[ns]"))),
        "period_end": _as_date_objects(pd.Series(out_end.astype("datetime64[ns]"))),
        "baseline": baseline,
        "baseline_year": pd.array(baseline_year.astype(float), dtype="Float64").astype("Int64"),
        "target": out_target.astype(float),
        "actual": out_actual.astype(float),
        "text": pd.Series(text, dtype=object),
        "target_text": pd.Series(target_text, dtype=object),
        "progress": progress,
        "progress_clamped": clamped,
        "status": pd.Series(status).astype(str),
    })
    return out[PROGRESS_COLUMNS]


# --- rollup -----------------------------------------------------------------------------


def rollup(progress: pd.DataFrame, by: str | list[str], *, thresholds: Thresholds | Settings | None = None) -> pd.DataFrame:
    """Per group: unweighted mean of clamped progress over scored pairs, with n and counts.

    `progress` is compute_progress output with the grouping columns joined on; a pair may
    sit in several groups, but counts once per group.
    """
    by = [by] if isinstance(by, str) else list(by)
    frame = progress
    if {"indicator", "partner"} <= set(frame.columns):
        frame = frame.drop_duplicates([*by, "indicator", "partner"])
    status = frame["status"].astype(object)
    scored = status.isin(SCORED).to_numpy() & frame["progress_clamped"].notna().to_numpy()
    work = frame[by].copy()
    work["progress"] = frame["progress_clamped"].astype(float).where(scored)
    work["n"] = scored.astype(int)
    work["n_no_data"] = status.isin(["no data", NO_BASELINE]).astype(int).to_numpy()
    work["n_qualitative"] = status.eq(QUALITATIVE).astype(int).to_numpy()
    for name, column in STATUS_COUNT_COLUMNS.items():
        work[column] = status.eq(name).astype(int).to_numpy()

    counts = ["n", "n_no_data", "n_qualitative", *STATUS_COUNT_COLUMNS.values()]
    grouped = work.groupby(by, sort=True, dropna=False)
    out = grouped[counts].sum()
    out["progress"] = grouped["progress"].mean()
    out = out.reset_index()
    out["status"] = _status_array(out["progress"].to_numpy(dtype=float), _thresholds(thresholds))
    out.loc[out["n"].eq(0), "status"] = "no data"
    out["progress"] = out["progress"].astype(float)
    for column in counts:
        out[column] = out[column].astype(int)
    return out[[*by, *ROLLUP_VALUE_COLUMNS]].sort_values(by, kind="stable").reset_index(drop=True)


# --- completeness -----------------------------------------------------------------------


def completeness(values: pd.DataFrame, *, as_of: date | None = None) -> pd.DataFrame:
    """Reports due by `as_of` (a target, period ended) and whether each has an actual."""
    if values is None or len(values) == 0:
        return _empty(COMPLETENESS_COLUMNS, status=object)
    v = _values_until(values, as_of)
    keys = ["partner", "indicator", "period_start", "period_end"]
    work = v[keys].assign(has_target=v["target"].notna() | _has_text(v["target_text"]),
                          reported=v["actual"].notna() | _has_text(v["actual_text"]))
    per_key = work.groupby(keys, sort=True)[["has_target", "reported"]].any().reset_index()
    due = per_key[per_key["has_target"]].reset_index(drop=True)
    return pd.DataFrame({
        "partner": due["partner"].astype(str),
        "indicator": due["indicator"].astype(str),
        "period_start": _as_date_objects(due["period_start"]),
        "period_end": _as_date_objects(due["period_end"]),
        "reported": due["reported"].astype(bool),
        "status": pd.Series(np.where(due["reported"], "reported", "missing")).astype(str),
    })

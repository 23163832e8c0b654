"""The engine's input frames, normalised once (DESIGN.md, "Progress rules").

Codes are kept as given (None -> '', the programme-level partner); dimension names and
values are trimmed and case-folded into keys (`Sex`/`sex`, `Women`/`women` are one);
periods become datetime64[D]; numbers become floats (NaN = empty). Indicators get their
defaults: measure `unit`, ascending, annual frequency, aggregation `sum` for `unit` and
`mean` for `percentage` and `ordinal` (`sum` is never used for those two), `cumulative`
only with `sum`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from models.scoring.periods import FREQUENCIES, to_days

MEASURES = ("unit", "percentage", "ordinal", "qualitative")
MEASURE_CODES = {"1": "unit", "2": "percentage", "4": "ordinal", "5": "qualitative"}
AGGREGATIONS = ("sum", "mean", "latest")


def column(frame: pd.DataFrame, name: str, default=None) -> pd.Series:
    """frame[name], or a column of `default` when the frame has none."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(default, index=frame.index, dtype=object if default is None else float)


def code(series: pd.Series) -> pd.Series:
    """Codes as str, '' for missing, surrounding blanks trimmed."""
    codes, uniques = pd.factorize(series)
    cleaned = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
    return pd.Series(cleaned[codes], index=series.index, dtype=object)


def key(series: pd.Series) -> pd.Series:
    """Dimension names and values: trimmed and case-folded, '' for missing."""
    codes, uniques = pd.factorize(series)
    cleaned = np.array([str(u).strip().casefold() for u in uniques] + [""], dtype=object)
    return pd.Series(cleaned[codes], index=series.index, dtype=object)


def number(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def has_text(series: pd.Series) -> np.ndarray:
    """True where a text cell holds something other than blanks."""
    present = series.notna().to_numpy()
    out = np.zeros(len(series), dtype=bool)
    if present.any():
        out[present] = series[present].astype(str).str.strip().ne("").to_numpy()
    return out


def values_frame(values: pd.DataFrame, start=None) -> pd.DataFrame:
    """Value rows with keys, datetime64[D] periods and float target/actual.

    `start` (a date): rows whose period starts before it are left out.
    """
    v = pd.DataFrame({
        "indicator": code(values["indicator"]),
        "partner": code(column(values, "partner")),
        "start": to_days(values["period_start"]),
        "end": to_days(values["period_end"]),
        "dim": key(column(values, "dimension")),
        "dim_value": key(column(values, "dimension_value")),
        "target": number(column(values, "target", np.nan)),
        "actual": number(column(values, "actual", np.nan)),
        "target_text": column(values, "target_text"),
        "actual_text": column(values, "actual_text"),
    })
    v["has_target_text"] = has_text(v["target_text"])
    v["has_actual_text"] = has_text(v["actual_text"])
    keep = ~(np.isnat(v["start"].to_numpy()) | np.isnat(v["end"].to_numpy()))
    if start is not None:
        keep &= v["start"].to_numpy() >= np.datetime64(start, "D")
    return v.reset_index(drop=True) if keep.all() else v[keep].reset_index(drop=True)


def indicators_frame(indicators: pd.DataFrame | None) -> pd.DataFrame:
    """One row per indicator code with every reporting attribute filled by its default."""
    if indicators is None:
        indicators = pd.DataFrame({"code": pd.Series(dtype=object)})
    measure = key(column(indicators, "measure")).replace(MEASURE_CODES)
    measure = measure.where(measure.isin(MEASURES), "unit")
    frequency = key(column(indicators, "frequency"))
    frequency = frequency.where(frequency.isin(list(FREQUENCIES)), "annual")
    aggregation = key(column(indicators, "aggregation"))
    default_aggregation = pd.Series(np.where(measure.eq("unit"), "sum", "mean"), index=indicators.index)
    usable = aggregation.isin(AGGREGATIONS) & ~(aggregation.eq("sum") & measure.isin(["percentage", "ordinal"]))
    aggregation = aggregation.where(usable, default_aggregation)
    aggregation = aggregation.where(~measure.eq("qualitative"), "latest")
    ascending = column(indicators, "ascending").astype(object)
    cumulative = column(indicators, "cumulative").astype(object)
    out = pd.DataFrame({
        "indicator": code(column(indicators, "code")),
        "measure": measure,
        "ascending": ascending.where(ascending.notna(), True).astype(bool),
        "cumulative": cumulative.where(cumulative.notna(), False).astype(bool) & aggregation.eq("sum"),
        "scale_min": number(column(indicators, "scale_min", np.nan)),
        "scale_max": number(column(indicators, "scale_max", np.nan)),
        "frequency": frequency,
        "months": frequency.map(FREQUENCIES).astype(np.int64),
        "aggregation": aggregation,
    })
    return out.drop_duplicates("indicator", keep="last").reset_index(drop=True)


def with_indicators(frame: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """`frame` (with an `indicator` column) joined to indicators_frame output; unknown codes get the defaults."""
    out = frame.merge(indicators, on="indicator", how="left")
    defaults = indicators_frame(pd.DataFrame({"code": ["?"]})).iloc[0]
    for name in ("measure", "ascending", "cumulative", "frequency", "months", "aggregation"):
        out[name] = out[name].astype(object).where(out[name].notna(), defaults[name])
    return out.astype({"ascending": bool, "cumulative": bool, "months": np.int64})


def baselines_frame(baselines: pd.DataFrame | None) -> pd.DataFrame:
    """Baseline rows with keys, an integer year and a float value (rows without either dropped)."""
    if baselines is None or len(baselines) == 0:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
            ("indicator", object), ("partner", object), ("dim", object), ("dim_value", object),
            ("year", np.int64), ("value", float))})
    b = pd.DataFrame({
        "indicator": code(baselines["indicator"]),
        "partner": code(column(baselines, "partner")),
        "dim": key(column(baselines, "dimension")),
        "dim_value": key(column(baselines, "dimension_value")),
        "year": pd.to_numeric(column(baselines, "year"), errors="coerce"),
        "value": number(column(baselines, "value", np.nan)),
    })
    b = b[b["year"].notna() & b["value"].notna()]
    return b.assign(year=b["year"].astype(np.int64)).reset_index(drop=True)


def inactive_partners(partners: pd.DataFrame | None) -> set[str]:
    """Codes (case-folded) of partners whose status is 'inactive'."""
    if partners is None or len(partners) == 0 or "status" not in partners.columns:
        return set()
    inactive = key(partners["status"]).eq("inactive")
    return set(key(partners["code"])[inactive])

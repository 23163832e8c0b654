"""Survey (ordinal) indicators on a view: the scores per wave and respondent group, each
administration's rounds, first round against the latest, and the change per key factor."""
from __future__ import annotations

import pandas as pd

from models import reference
from models.queries.frames import empty_frame
from models.queries.labels import breakdown_labels, partner_names
from models.queries.memo import memo, memoized
from models.queries.snapshot import Snapshot


def survey_waves(v: Snapshot) -> pd.DataFrame:
    """Ordinal (survey) indicator actuals per partner, wave (year) and respondent group."""
    ordinal = set(v.indicators.loc[v.indicators["measure"] == "ordinal", "code"])
    vals = v.values[v.values["indicator"].isin(ordinal) & v.values["actual"].notna()].copy()
    vals["wave"] = vals["period_end"].map(lambda d: d.year)
    labels = breakdown_labels(vals["dimension_value"])
    vals["group"] = labels.where(labels != "", "all respondents")
    ind = v.indicators.set_index("code")
    vals["indicator_name"] = vals["indicator"].map(ind["name"])
    vals["key_factor"] = vals["indicator"].map(ind["key_factor"])
    return vals[["indicator", "indicator_name", "key_factor", "partner", "wave", "group", "actual"]].reset_index(drop=True)


SURVEY_ROUND_COLUMNS = [
    "indicator", "indicator_name", "key_factor", "key_factor_name", "partner", "partner_name", "group",
    "wave", "round", "rounds", "actual",
]


def survey_rounds(v: Snapshot) -> pd.DataFrame:
    """Survey (ordinal) scores per indicator, partner, respondent group and wave, with the
    round number per (indicator, partner): 1 = that administration's first round."""
    return memo(v, "survey_rounds", lambda: _survey_rounds(v))


def _survey_rounds(v: Snapshot) -> pd.DataFrame:
    w = survey_waves(v)
    if w.empty:
        return empty_frame(SURVEY_ROUND_COLUMNS)
    w = w.groupby(["indicator", "indicator_name", "partner", "group", "wave"], as_index=False, dropna=False)["actual"].mean()
    waves = w[["indicator", "partner", "wave"]].drop_duplicates()
    waves["round"] = waves.groupby(["indicator", "partner"])["wave"].rank(method="dense").astype(int)
    waves["rounds"] = waves.groupby(["indicator", "partner"])["wave"].transform("nunique").astype(int)
    w = w.merge(waves, on=["indicator", "partner", "wave"])
    kf = v.indicators.set_index("code")["key_factor"]
    w["key_factor"] = w["indicator"].map(kf).astype("Int64")
    w["key_factor_name"] = w["key_factor"].map(lambda k: reference.KEY_FACTORS.get(int(k)) if pd.notna(k) else None)
    w["partner_name"] = partner_names(v, w["partner"])
    w["wave"] = w["wave"].astype(int)
    w = w.sort_values(["indicator", "partner_name", "group", "wave"], kind="stable")
    return w[SURVEY_ROUND_COLUMNS].reset_index(drop=True)


SURVEY_COMPARISON_COLUMNS = [
    "indicator", "indicator_name", "key_factor", "partner", "partner_name", "group",
    "first_wave", "first", "latest_wave", "latest", "change",
]


def survey_comparison(v: Snapshot, indicator: str | None = None) -> pd.DataFrame:
    """First round against the latest round per (indicator, partner, respondent group);
    latest and change are empty where an administration has had one round only."""
    return memo(v, ("survey_comparison", indicator), lambda: _survey_comparison(v, indicator))


def _survey_comparison(v: Snapshot, indicator: str | None) -> pd.DataFrame:
    r = survey_rounds(v)
    if indicator is not None:
        r = r[r["indicator"] == indicator]
    if r.empty:
        return empty_frame(SURVEY_COMPARISON_COLUMNS)
    keys = ["indicator", "indicator_name", "key_factor", "partner", "partner_name", "group"]
    first = r[r["round"] == 1].rename(columns={"wave": "first_wave", "actual": "first"})
    last = r[(r["round"] == r["rounds"]) & (r["rounds"] > 1)].rename(columns={"wave": "latest_wave", "actual": "latest"})
    out = first[[*keys, "first_wave", "first"]].merge(last[[*keys, "latest_wave", "latest"]], on=keys, how="left")
    out["latest_wave"] = out["latest_wave"].astype("Int64")
    out["change"] = out["latest"] - out["first"]
    return out[SURVEY_COMPARISON_COLUMNS].sort_values(["indicator", "partner_name", "group"], kind="stable").reset_index(drop=True)


@memoized
def survey_change_by_key_factor(v: Snapshot) -> pd.DataFrame:
    """Per survey indicator (and its key factor) and respondent group: mean first-round and
    latest-round scores over the administrations that have had both, with n."""
    c = survey_comparison(v).dropna(subset=["latest"])
    cols = ["indicator", "indicator_name", "key_factor", "key_factor_name", "group", "first", "latest", "change", "n"]
    if c.empty:
        return empty_frame(cols)
    out = c.groupby(["indicator", "indicator_name", "key_factor", "group"], as_index=False, dropna=False).agg(
        first=("first", "mean"), latest=("latest", "mean"), n=("partner", "nunique"))
    out["change"] = out["latest"] - out["first"]
    out["key_factor_name"] = out["key_factor"].map(lambda k: reference.KEY_FACTORS.get(int(k)) if pd.notna(k) else None)
    out["n"] = out["n"].astype(int)
    return out[cols].sort_values(["key_factor", "indicator", "group"], kind="stable").reset_index(drop=True)

"""Distance travelled and status thresholds (DESIGN.md, "Progress rules").

`(actual − baseline) / (target − baseline)`. No baseline: from 0 for ascending `unit` and
`percentage` indicators, from `scale_min` for ascending ordinal ones; a descending
indicator (or an ordinal one without a scale) gets `no baseline`. Target == baseline: 1.0
when the actual is on the right side (at or beyond the target), else 0. Statuses come
from the progress clamped to [0, 1]; the raw figure is kept.
"""
from __future__ import annotations

import numpy as np

from models.config import Thresholds

QUALITATIVE = "qualitative"
SCORED = ("achieved", "on track", "at risk", "off track")
NO_BASELINE = "no baseline"
NO_DATA = "no data"
IN_PROGRESS = "in progress"
NOT_DUE = "not due"
NO_TARGET = "no target"
# every status, in DESIGN.md's order of checking
STATUSES = (QUALITATIVE, *SCORED, NO_BASELINE, NO_DATA, IN_PROGRESS, NOT_DUE, NO_TARGET)

# statuses compare the clamped progress rounded to this many decimals, so 0.75 computed as
# 0.7499999999999999 by floating point still reads "on track"
_STATUS_DECIMALS = 9


def status_of(progress, thresholds: Thresholds | None = None) -> np.ndarray:
    """Scored statuses for an array of raw progress figures (clamped first); NaN -> None."""
    th = thresholds or Thresholds()
    p = np.round(np.clip(np.asarray(progress, dtype=float), 0.0, 1.0), _STATUS_DECIMALS)
    # the first condition that holds: nan, achieved, on track, at risk; else off track
    which = np.full(p.shape, 4, dtype=np.int8)
    which[p >= th.at_risk] = 3
    which[p >= th.on_track] = 2
    which[p >= th.achieved] = 1
    which[np.isnan(p)] = 0
    return np.array([None, "achieved", "on track", "at risk", "off track"], dtype=object)[which]


def origin_of(baseline, *, ascending, measure, scale_min) -> np.ndarray:
    """Where progress counts from: the baseline, else 0 / scale_min (ascending only), else NaN."""
    baseline = np.asarray(baseline, dtype=float)
    ascending = np.asarray(ascending, dtype=bool)
    measure = np.asarray(measure, dtype=object)
    missing = np.isnan(baseline) & ascending
    origin = baseline.copy()
    origin[missing & np.isin(measure, ("unit", "percentage"))] = 0.0
    ordinal = missing & (measure == "ordinal")
    origin[ordinal] = np.asarray(scale_min, dtype=float)[ordinal]
    return origin


def distance_travelled(actual, target, origin, *, ascending) -> np.ndarray:
    """Raw progress for aligned arrays; NaN where actual, target or origin is missing."""
    actual = np.asarray(actual, dtype=float)
    target = np.asarray(target, dtype=float)
    origin = np.asarray(origin, dtype=float)
    ascending = np.asarray(ascending, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        progress = (actual - origin) / (target - origin)
        right_side = np.where(ascending, actual >= target, actual <= target)
    progress = np.where(target == origin, np.where(right_side, 1.0, 0.0), progress)
    missing = np.isnan(actual) | np.isnan(target) | np.isnan(origin)
    return np.where(missing, np.nan, progress).astype(float)


def progress_help(thresholds: Thresholds | None = None) -> str:
    """Plain-language explanation of progress, statuses and n (help text and hover)."""
    th = thresholds or Thresholds()

    def pct(x: float) -> str:
        return f"{x * 100:g} %"

    return (
        "Progress is the distance travelled from the baseline to the target: "
        "(actual − baseline) ÷ (target − baseline), for the latest target period that has ended. "
        "Quarterly or monthly figures count toward the target period that contains them "
        "(added up, averaged or the latest, as the indicator says). Without a baseline it is "
        "counted from 0 (ordinal scales: from the bottom of the scale); an indicator where "
        "lower is better needs a baseline. Flows counted over less than a year start from 0. "
        f"Status: achieved at {pct(th.achieved)} or more, on track at {pct(th.on_track)} or more, "
        f"at risk at {pct(th.at_risk)} or more, off track below; no data when the report for "
        "that period is missing. Averages are unweighted means over indicator–partner pairs "
        "with a status; n is their number."
    )

"""Tiny builders for the scoring tests' input frames (no tests here).

Periods: Y(2025), Q(2025, 3), H(2025, 1), M(2025, 3), FY(2024) (April-March), span(a, b).
Rows: val(...) for values, base(...) for baselines, ind(...) for indicators.
"""
from __future__ import annotations

import calendar
import math
from datetime import date

import pandas as pd
import pytest

from models.scoring.pairs import score_pairs

NAN = math.nan


def span(first: str, last: str) -> tuple[date, date]:
    return date.fromisoformat(first), date.fromisoformat(last)


def M(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def Q(year: int, quarter: int) -> tuple[date, date]:
    return M(year, 3 * quarter - 2)[0], M(year, 3 * quarter)[1]


def H(year: int, half: int) -> tuple[date, date]:
    return M(year, 6 * half - 5)[0], M(year, 6 * half)[1]


def Y(year: int, last: int | None = None) -> tuple[date, date]:
    return date(year, 1, 1), date(last or year, 12, 31)


def FY(year: int) -> tuple[date, date]:
    """The April-March fiscal year starting in `year`."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def val(indicator, period, target=NAN, actual=NAN, *, partner="KEN", dim="", dim_value="",
        target_text=None, actual_text=None, comment=None):
    return dict(indicator=indicator, partner=partner, period_start=period[0], period_end=period[1],
                dimension=dim, dimension_value=dim_value, target=target, actual=actual,
                target_text=target_text, actual_text=actual_text, comment=comment)


def base(indicator, year, value, *, partner="KEN", dim="", dim_value=""):
    return dict(indicator=indicator, partner=partner, dimension=dim, dimension_value=dim_value,
                year=year, value=value, value_text=None)


def ind(code, measure="unit", *, ascending=True, cumulative=False, scale=(NAN, NAN), frequency=None,
        aggregation=None):
    return dict(code=code, measure=measure, ascending=ascending, cumulative=cumulative,
                scale_min=scale[0], scale_max=scale[1], frequency=frequency, aggregation=aggregation)


VALUE_COLUMNS = list(val("X", Y(2024)))
BASELINE_COLUMNS = list(base("X", 2024, 1.0))
INDICATOR_COLUMNS = list(ind("X"))


def values_of(rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=VALUE_COLUMNS)


def baselines_of(rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=BASELINE_COLUMNS)


def indicators_of(rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=INDICATOR_COLUMNS)


def score(values, baselines=(), indicators=(), **kwargs) -> pd.DataFrame:
    return score_pairs(values_of(values), indicators_of(indicators), baselines_of(baselines), **kwargs)


def only_row(frame: pd.DataFrame, **where):
    for column, wanted in where.items():
        frame = frame[frame[column] == wanted]
    assert len(frame) == 1, frame
    return frame.iloc[0]


def assert_fields(row, expected: dict):
    """Each expected field exactly (floats: approx for float noise only; None: missing)."""
    for key, want in expected.items():
        got = row[key]
        if want is None:
            assert got is None or pd.isna(got), (key, got)
        elif isinstance(want, float):
            assert got == pytest.approx(want, rel=1e-12, nan_ok=True), (key, got, want)
        else:
            assert got == want, (key, got, want)

"""A figure per period, and figures over time (DESIGN.md, "A figure for one period",
"Periods are matched, never borrowed"): tables with hand-computed expectations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.scoring.figures import aggregate_inside, baseline_figures, period_figures
from models.scoring.inputs import baselines_frame, indicators_frame, values_frame
from models.scoring.pairs import breakdown_warnings
from test_scoring_builders import NAN, Q, Y, base, baselines_of, ind, indicators_of, span, val, values_of


def figure_of(rows, measure="unit", period=Y(2025)):
    figures, _ = period_figures(values_frame(values_of(rows)), indicators_frame(indicators_of([ind("X", measure)])))
    hit = figures[(figures["start"] == pd.Timestamp(period[0])) & (figures["end"] == pd.Timestamp(period[1]))]
    assert len(hit) == 1, figures
    return hit.iloc[0]


def X(target=NAN, actual=NAN, dim="", value="", period=Y(2025)):
    return val("X", period, target, actual, dim=dim, dim_value=value)


FIGURE_CASES = [
    # id, measure, rows, expected (target, actual, actual_estimated, actual_dimension)
    ("total-only", "unit", [X(100, 60)], (100.0, 60.0, False, "")),
    ("total-wins-over-breakdown", "unit",
     [X(100, 90), X(actual=40, dim="sex", value="women"), X(actual=60, dim="sex", value="men")], (100.0, 90.0, False, "")),
    ("unit-breakdown-adds", "unit",  # 40 women + 60 men = 100
     [X(target=100), X(actual=40, dim="sex", value="women"), X(actual=60, dim="sex", value="men")], (100.0, 100.0, False, "sex")),
    ("percentage-breakdown-unweighted-mean", "percentage",  # (60 + 70) / 2 = 65
     [X(target=80), X(actual=60, dim="sex", value="women"), X(actual=70, dim="sex", value="men")], (80.0, 65.0, True, "sex")),
    ("ordinal-breakdown-mean", "ordinal",  # (2 + 3 + 5) / 3
     [X(actual=2, dim="region", value="north"), X(actual=3, dim="region", value="south"),
      X(actual=5, dim="region", value="east")], (NAN, 10 / 3, True, "region")),
    ("dimension-names-case-insensitive", "unit",  # Sex/sex are one dimension: 40 + 60, no disagreement
     [X(actual=40, dim="Sex", value="Women"), X(actual=60, dim=" sex ", value="men")], (NAN, 100.0, False, "sex")),
    ("value-spellings-are-one-group", "unit",  # one group twice in a period: counted once, (12 + 14) / 2 = 13; + brokers 7 = 20
     [X(actual=12, dim="staff", value="Customs Officers"), X(actual=14, dim="staff", value="customs officers "),
      X(actual=7, dim="staff", value="brokers")], (NAN, 20.0, False, "staff")),
    ("target-and-actual-separately", "unit",  # target from the total, actual from the breakdown
     [X(target=50), X(target=NAN, actual=20, dim="sex", value="women"), X(actual=25, dim="sex", value="men")],
     (50.0, 45.0, False, "sex")),
    ("target-breakdown-actual-total", "unit",  # target 30 + 30, actual total 55
     [X(actual=55), X(target=30, dim="sex", value="women"), X(target=30, dim="sex", value="men")], (60.0, 55.0, False, "")),
    ("zero-is-a-figure", "unit", [X(10, 0)], (10.0, 0.0, False, "")),
    ("disagreeing-dimensions-first-alphabetically", "unit",  # age 30 + 50 = 80; sex 40 + 60 = 100 -> age
     [X(actual=30, dim="age", value="young"), X(actual=50, dim="age", value="old"),
      X(actual=40, dim="sex", value="women"), X(actual=60, dim="sex", value="men")], (NAN, 80.0, False, "age")),
    ("agreeing-dimensions", "unit",  # age 30 + 70 = sex 40 + 60 = 100
     [X(actual=30, dim="age", value="young"), X(actual=70, dim="age", value="old"),
      X(actual=40, dim="Sex", value="women"), X(actual=60, dim="sex", value="men")], (NAN, 100.0, False, "age")),
    ("empty-cells-of-a-breakdown-are-skipped", "unit",
     [X(actual=40, dim="sex", value="women"), X(target=10, dim="sex", value="men")], (10.0, 40.0, False, "sex")),
]


@pytest.mark.parametrize("measure, rows, expected", [c[1:] for c in FIGURE_CASES], ids=[c[0] for c in FIGURE_CASES])
def test_period_figure(measure, rows, expected):
    row = figure_of(rows, measure)
    target, actual, estimated, dimension = expected
    assert row["target"] == pytest.approx(target, nan_ok=True)
    assert row["actual"] == pytest.approx(actual, nan_ok=True)
    assert bool(row["actual_estimated"]) is estimated
    assert row["actual_dimension"] == dimension


def test_disagreeing_breakdowns_warn():
    rows = [X(actual=30, dim="age", value="young"), X(actual=50, dim="age", value="old"),
            X(actual=40, dim="sex", value="women"), X(actual=60, dim="sex", value="men"),
            X(actual=5, dim="a", value="x", period=Q(2025, 1)), X(actual=5, dim="b", value="y", period=Q(2025, 1))]
    warnings = breakdown_warnings(values_of(rows), indicators_of([ind("X")]))
    assert list(warnings["message"]) == ["X KEN 2025: the actual breakdowns disagree (age: 80, sex: 100); age is used"]
    assert list(warnings["field"]) == ["actual"]


def test_breakdowns_only_for_periods_without_total_warn_nothing():
    rows = [X(100, 90), X(actual=1, dim="age", value="young"), X(actual=2, dim="sex", value="women")]
    assert breakdown_warnings(values_of(rows), indicators_of([ind("X")])).empty


BASELINE_CASES = [
    # id, measure, baseline rows, expected {year: baseline}
    ("total", "unit", [base("X", 2024, 34)], {2024: 34.0}),
    ("breakdown-adds", "unit", [base("X", 2024, 14, dim="sex", dim_value="women"), base("X", 2024, 20, dim="sex", dim_value="men")],
     {2024: 34.0}),
    ("breakdown-mean", "percentage", [base("X", 2024, 40, dim="Sex", dim_value="women"), base("X", 2024, 50, dim="sex", dim_value="Men")],
     {2024: 45.0}),
    ("total-wins", "unit", [base("X", 2023, 10), base("X", 2023, 99, dim="sex", dim_value="men"), base("X", 2024, 12)],
     {2023: 10.0, 2024: 12.0}),
]


@pytest.mark.parametrize("measure, rows, expected", [c[1:] for c in BASELINE_CASES], ids=[c[0] for c in BASELINE_CASES])
def test_baseline_figures(measure, rows, expected):
    got = baseline_figures(baselines_frame(baselines_of(rows)), indicators_frame(indicators_of([ind("X", measure)])))
    assert dict(zip(got["year"], got["baseline"])) == expected


# --- aggregation over time ----------------------------------------------------------------

def aggregate(figure_periods, target_span, aggregation):
    """aggregate_inside for one span over (period, actual) figures of one pair."""
    figures = pd.DataFrame({
        "pair": 0,
        "start": np.array([p[0] for p, _ in figure_periods], dtype="datetime64[D]"),
        "end": np.array([p[1] for p, _ in figure_periods], dtype="datetime64[D]"),
        "actual": [float(a) for _, a in figure_periods],
        "actual_estimated": False,
    })
    spans = pd.DataFrame({"pair": [0], "span": [0], "s": np.array([target_span[0]], dtype="datetime64[D]"),
                          "e": np.array([target_span[1]], dtype="datetime64[D]"), "aggregation": [aggregation]})
    out = aggregate_inside(spans, figures, "actual").iloc[0]
    return out["value"], int(out["n"])


QUARTERS = [(Q(2025, 1), 10), (Q(2025, 2), 20), (Q(2025, 3), 30), (Q(2025, 4), 40)]
AGGREGATE_CASES = [
    # id, figures, span, aggregation, (value, n)
    ("sum-of-quarters", QUARTERS, Y(2025), "sum", (100.0, 4)),  # 10 + 20 + 30 + 40
    ("mean-of-quarters", QUARTERS, Y(2025), "mean", (25.0, 4)),  # 100 / 4
    ("latest-ends-last", QUARTERS, Y(2025), "latest", (40.0, 4)),  # Q4
    ("latest-with-a-gap", [(Q(2025, 1), 10), (Q(2025, 3), 30)], Y(2025), "latest", (30.0, 2)),
    ("only-fully-inside", [(span("2024-12-01", "2025-02-28"), 99), (Q(2025, 2), 20)], Y(2025), "sum", (20.0, 1)),
    ("equal-period", [(Y(2025), 70)], Y(2025), "sum", (70.0, 1)),
    ("longer-figure-inside-wins", [(Y(2025), 90), (Q(2025, 1), 20), (Q(2025, 2), 30)], Y(2025), "sum", (90.0, 1)),
    ("quarter-target-ignores-the-year", [(Y(2025), 90), (Q(2025, 1), 20)], Q(2025, 1), "sum", (20.0, 1)),
    ("nothing-inside", [(Q(2026, 1), 10)], Y(2025), "sum", (NAN, 0)),
    ("life-of-programme", [(Y(2024), 110), (Q(2025, 1), 25), (Q(2025, 2), 25)], Y(2024, 2026), "sum", (160.0, 3)),
]


@pytest.mark.parametrize("figures, target_span, aggregation, expected",
                         [c[1:] for c in AGGREGATE_CASES], ids=[c[0] for c in AGGREGATE_CASES])
def test_aggregate_inside(figures, target_span, aggregation, expected):
    value, n = aggregate(figures, target_span, aggregation)
    assert value == pytest.approx(expected[0], nan_ok=True)
    assert n == expected[1]

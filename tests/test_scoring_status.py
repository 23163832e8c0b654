"""Scoring one (indicator, partner) pair (DESIGN.md, "The scored period", "Distance travelled",
"Status thresholds", "Roll-ups"): one table row per case, expected figures by hand."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from models.config import Thresholds
from models.scoring.distance import STATUSES
from models.scoring.pairs import PAIR_COLUMNS, rollup
from test_scoring_builders import FY, NAN, Q, Y, assert_fields, base, ind, only_row, score, span, val

UNIT = ind("U")
UNIT_Q = ind("U", frequency="quarterly")
PCT = ind("P", "percentage")
PCT_Q = ind("P", "percentage", frequency="quarterly")
DOWN = ind("D", ascending=False)
DOWN_PCT = ind("D", "percentage", ascending=False)
ORD = ind("O", "ordinal", scale=(1.0, 5.0))
ORD_NO_SCALE = ind("O", "ordinal")
LATEST = ind("L", aggregation="latest", frequency="quarterly")
CUM = ind("C", cumulative=True)
QUAL = ind("T", "qualitative")

AFTER_2025 = dict(as_of=date(2026, 3, 1))

PAIR_CASES = [
    # id, indicators, values, baselines, kwargs, expected fields
    # --- distance travelled
    ("ascending-unit-with-baseline", [UNIT], [val("U", Y(2025), 100, 60)], [base("U", 2024, 20)], AFTER_2025,
     # (60 - 20) / (100 - 20) = 40 / 80
     dict(baseline=20.0, baseline_year=2024, progress=0.5, progress_clamped=0.5, status="at risk", period_label="2025")),
    ("percentage-no-baseline-from-0", [PCT], [val("P", Y(2025), 80, 60)], [], AFTER_2025,
     dict(baseline=None, baseline_year=None, progress=0.75, status="on track")),  # 60 / 80
    ("descending-with-baseline", [DOWN], [val("D", Y(2025), 5, 7.5)], [base("D", 2024, 10)], AFTER_2025,
     dict(progress=0.5, status="at risk")),  # (7.5 - 10) / (5 - 10) = -2.5 / -5
    ("descending-beaten-raw-kept", [DOWN], [val("D", Y(2025), 5, 4)], [base("D", 2024, 10)], AFTER_2025,
     dict(progress=1.2, progress_clamped=1.0, status="achieved")),  # (4 - 10) / (5 - 10) = 6 / 5
    ("descending-worse-than-baseline", [DOWN_PCT], [val("D", Y(2025), 20, 35)], [base("D", 2024, 30)], AFTER_2025,
     dict(progress=-0.5, progress_clamped=0.0, status="off track")),  # (35 - 30) / (20 - 30) = 5 / -10
    ("descending-no-baseline", [DOWN], [val("D", Y(2025), 5, 7.5)], [], AFTER_2025,
     dict(progress=None, status="no baseline", actual=7.5, target=5.0)),
    ("ordinal-from-scale-min", [ORD], [val("O", Y(2025), 4, 3)], [], AFTER_2025,
     dict(progress=2 / 3, status="at risk")),  # (3 - 1) / (4 - 1)
    ("ordinal-with-baseline", [ORD], [val("O", Y(2025), 4, 3.5)], [base("O", 2024, 2)], AFTER_2025,
     dict(progress=0.75, status="on track", baseline=2.0)),  # (3.5 - 2) / (4 - 2)
    ("ordinal-without-scale-or-baseline", [ORD_NO_SCALE], [val("O", Y(2025), 4, 3)], [], AFTER_2025,
     dict(progress=None, status="no baseline")),
    ("target-equals-baseline-right-side", [UNIT], [val("U", Y(2025), 50, 50)], [base("U", 2024, 50)], AFTER_2025,
     dict(progress=1.0, status="achieved")),
    ("target-equals-baseline-wrong-side", [UNIT], [val("U", Y(2025), 50, 49)], [base("U", 2024, 50)], AFTER_2025,
     dict(progress=0.0, status="off track")),
    ("descending-target-equals-baseline-right-side", [DOWN], [val("D", Y(2025), 10, 9)], [base("D", 2024, 10)], AFTER_2025,
     dict(progress=1.0, status="achieved")),
    ("descending-target-equals-baseline-wrong-side", [DOWN], [val("D", Y(2025), 10, 11)], [base("D", 2024, 10)], AFTER_2025,
     dict(progress=0.0, status="off track")),
    ("target-zero-no-baseline", [UNIT], [val("U", Y(2025), 0, 0)], [], AFTER_2025, dict(progress=1.0, status="achieved")),
    ("float-noise-still-on-track", [PCT], [val("P", Y(2025), 0.4, 0.3)], [], AFTER_2025,
     dict(status="on track")),  # 0.3 / 0.4 is 0.7499999999999999 in floating point
    # --- which baseline
    ("latest-baseline-up-to-start-year", [UNIT], [val("U", Y(2025), 100, 60)],
     [base("U", 2020, 10), base("U", 2023, 20), base("U", 2026, 90)], AFTER_2025,
     dict(baseline=20.0, baseline_year=2023, progress=0.5)),  # (60 - 20) / (100 - 20)
    ("baseline-of-the-start-year", [UNIT], [val("U", Y(2025), 100, 60)], [base("U", 2025, 20)], AFTER_2025,
     dict(baseline=20.0, baseline_year=2025)),
    ("baseline-from-breakdown", [UNIT], [val("U", Y(2025), 100, 60)],
     [base("U", 2024, 5, dim="sex", dim_value="women"), base("U", 2024, 15, dim="sex", dim_value="men")], AFTER_2025,
     dict(baseline=20.0, progress=0.5)),  # 5 + 15 = 20; (60 - 20) / 80
    ("flow-baseline-not-for-a-quarter", [UNIT], [val("U", Q(2025, 3), 13, 12)], [base("U", 2024, 34)], AFTER_2025,
     dict(baseline=None, baseline_year=None, progress=12 / 13, status="on track")),  # from 0: 12 / 13
    ("flow-baseline-for-a-fiscal-year", [UNIT], [val("U", FY(2024), 100, 60)], [base("U", 2024, 20)], AFTER_2025,
     dict(baseline=20.0, progress=0.5)),  # April-March lasts a year: (60 - 20) / 80
    ("mean-baseline-for-a-quarter", [PCT_Q], [val("P", Q(2025, 3), 80, 70)], [base("P", 2024, 60)], AFTER_2025,
     dict(baseline=60.0, progress=0.5, status="at risk")),  # not a flow: (70 - 60) / (80 - 60)
    ("descending-flow-quarter-has-no-baseline", [DOWN], [val("D", Q(2025, 3), 10, 12)], [base("D", 2024, 30)], AFTER_2025,
     dict(baseline=None, status="no baseline")),  # the baseline does not apply; descending cannot count from 0
    # --- aggregation over time
    ("sum-of-quarters-against-the-year", [UNIT_Q],
     [val("U", Y(2025), 100), val("U", Q(2025, 1), actual=20), val("U", Q(2025, 2), actual=30),
      val("U", Q(2025, 3), actual=25), val("U", Q(2025, 4), actual=25)], [], AFTER_2025,
     dict(actual=100.0, target=100.0, progress=1.0, status="achieved", n_periods=4, aggregation="sum",
          reports_received=4, reports_due=4)),  # 20 + 30 + 25 + 25
    ("mean-of-quarters", [PCT_Q],
     [val("P", Y(2025), 80), val("P", Q(2025, 1), actual=60), val("P", Q(2025, 2), actual=70),
      val("P", Q(2025, 3), actual=80), val("P", Q(2025, 4), actual=90)], [base("P", 2024, 50)], AFTER_2025,
     dict(actual=75.0, n_periods=4, aggregation="mean", progress=25 / 30, status="on track")),  # mean 75; (75 - 50) / (80 - 50)
    ("latest-quarter", [LATEST],
     [val("L", Y(2025), 60), val("L", Q(2025, 1), actual=40), val("L", Q(2025, 2), actual=45),
      val("L", Q(2025, 4), actual=55)], [base("L", 2024, 30)], AFTER_2025,
     dict(actual=55.0, n_periods=3, aggregation="latest", progress=25 / 30, status="on track",
          reports_received=3, reports_due=4)),  # Q4 ends last: (55 - 30) / (60 - 30); Q3 missing
    ("reports-two-of-four", [UNIT_Q],
     [val("U", Y(2025), 100), val("U", Q(2025, 1), actual=20), val("U", Q(2025, 3), actual=30)], [], AFTER_2025,
     dict(actual=50.0, progress=0.5, reports_received=2, reports_due=4)),
    ("annual-actual-on-quarterly-indicator", [UNIT_Q], [val("U", Y(2025), 100, 80)], [], AFTER_2025,
     dict(actual=80.0, reports_received=4, reports_due=4)),  # one annual report overlaps every quarter
    ("annual-frequency-one-report", [UNIT], [val("U", Y(2025), 100, 80)], [], AFTER_2025,
     dict(reports_received=1, reports_due=1)),
    # --- periods matched, never borrowed
    ("later-quarter-without-target-not-scored", [UNIT_Q],
     [val("U", Y(2025), 100, 84), val("U", span("2026-04-01", "2026-06-30"), actual=12)], [], dict(as_of=date(2026, 7, 15)),
     dict(period_label="2025", actual=84.0, progress=0.84, status="on track")),
    ("longer-actual-not-borrowed-by-a-quarter", [UNIT_Q], [val("U", Q(2025, 4), 30), val("U", Y(2025), actual=100)], [],
     AFTER_2025, dict(period_label="2025-Q4", status="no data")),
    # --- the scored period and the statuses after it
    ("missing-report-is-no-data", [UNIT], [val("U", Y(2024), 100, 90), val("U", Y(2025), 100)], [], AFTER_2025,
     dict(status="no data", period_label="2025", target=100.0, actual=None, progress=None,
          last_period_label="2024", last_status="on track", reports_received=0, reports_due=1)),  # 2024: 90 / 100
    ("as-of-on-the-last-day-scores", [UNIT], [val("U", Y(2025), 100, 80)], [], dict(as_of=date(2025, 12, 31)),
     dict(status="on track", progress=0.8)),
    ("unfinished-period-never-scored", [UNIT], [val("U", Y(2025), 100, 80)], [], dict(as_of=date(2025, 12, 30)),
     dict(status="not due", period_label="2025", target=100.0, actual=None, progress=None)),
    ("in-progress-so-far", [UNIT_Q], [val("U", Y(2026), 100), val("U", Q(2026, 1), actual=30)], [],
     dict(as_of=date(2026, 5, 1)),
     dict(status="in progress", so_far=True, period_label="2026", target=100.0, actual=30.0, progress=None,
          reports_received=1, reports_due=1)),  # Q1 ended and was reported; Q2 has not ended
    ("in-progress-ignores-unfinished-actual", [UNIT_Q], [val("U", Y(2026), 100), val("U", Q(2026, 2), actual=30)], [],
     dict(as_of=date(2026, 5, 1)), dict(status="not due", actual=None, so_far=False)),
    ("not-due", [UNIT], [val("U", Y(2026), 100)], [], dict(as_of=date(2026, 5, 1)),
     dict(status="not due", period_label="2026", target=100.0, reports_due=0)),
    ("no-target", [UNIT], [val("U", Q(2025, 3), actual=5)], [], AFTER_2025,
     dict(status="no target", period_label="2025-Q3", actual=5.0, target=None, progress=None, reports_due=0)),
    ("no-data-beats-in-progress", [UNIT_Q],
     [val("U", Y(2025), 100), val("U", Y(2026), 100), val("U", Q(2026, 1), actual=30)], [], dict(as_of=date(2026, 5, 1)),
     dict(status="no data", period_label="2025")),
    ("qualitative", [QUAL], [val("T", Y(2025), target_text="Law passed", actual_text="Draft in parliament")], [], AFTER_2025,
     dict(status="qualitative", text="Draft in parliament", target_text="Law passed", period_label="2025",
          progress=None, target=None, actual=None, reports_received=1, reports_due=1)),
    ("qualitative-text-not-yet-ended-is-not-shown", [QUAL],
     [val("T", Y(2025), actual_text="Drafted"), val("T", Y(2026), actual_text="Passed")], [], AFTER_2025,
     dict(status="qualitative", text="Drafted", period_label="2025")),
    # --- nested targets
    ("nested-annual-scored-lop-shown", [UNIT_Q],
     [val("U", Y(2024, 2026), 300), val("U", Y(2024), 100, 110), val("U", Y(2025), 100), val("U", Y(2026), 100),
      *(val("U", Q(2025, q), actual=25) for q in (1, 2, 3, 4))], [], dict(as_of=date(2026, 2, 1)),
     dict(period_label="2025", actual=100.0, progress=1.0, status="achieved", lop_period_label="2024–2026",
          lop_target=300.0, lop_actual=210.0)),  # 4 x 25; LoP 110 + 100
    ("nested-ending-together-smallest-scored", [UNIT],
     [val("U", Y(2024, 2025), 200), val("U", Y(2024), 100, 90), val("U", Y(2025), 100, 100)], [], AFTER_2025,
     dict(period_label="2025", progress=1.0, lop_period_label="2024–2025", lop_target=200.0, lop_actual=190.0)),
    ("no-nesting-no-lop", [UNIT], [val("U", Y(2024), 100, 90), val("U", Y(2025), 100, 100)], [], AFTER_2025,
     dict(lop_period_label=None, lop_target=None, lop_actual=None)),
    ("last-figure-not-the-lop", [UNIT],
     [val("U", Y(2024, 2025), 200), val("U", Y(2024), 100, 60), val("U", Y(2025), 100)], [], AFTER_2025,
     dict(status="no data", period_label="2025", last_period_label="2024", last_status="at risk")),  # 60 / 100 = 0.6
    # --- fiscal years
    ("fiscal-year-quarters", [UNIT_Q],
     [val("U", FY(2024), 100), val("U", Q(2024, 2), actual=20), val("U", Q(2024, 3), actual=30),
      val("U", Q(2024, 4), actual=25), val("U", Q(2025, 1), actual=25)], [], dict(as_of=date(2025, 6, 1), year_start_month=4),
     dict(period_label="FY2024/25", actual=100.0, progress=1.0, reports_received=4, reports_due=4)),
    ("fiscal-year-annual-frequency", [UNIT], [val("U", FY(2024), 100, 50)], [], dict(as_of=date(2025, 6, 1), year_start_month=4),
     dict(period_label="FY2024/25", progress=0.5, reports_received=1, reports_due=1)),
    # --- cumulative: running totals
    ("cumulative-running-total", [CUM], [val("C", Y(y), 10, 10) for y in range(2021, 2026)], [], AFTER_2025,
     dict(period_label="2021–2025", period_start=date(2021, 1, 1), period_end=date(2025, 12, 31),
          target=50.0, actual=50.0, progress=1.0, n_periods=5, reports_received=1, reports_due=1)),
    ("cumulative-baseline-from-first-year", [CUM], [val("C", Y(2024), 10, 8), val("C", Y(2025), 10, 10)],
     [base("C", 2023, 5), base("C", 2025, 100)], AFTER_2025,
     dict(target=20.0, actual=18.0, baseline=5.0, baseline_year=2023, progress=13 / 15)),  # (18 - 5) / (20 - 5)
    ("cumulative-quarters-count-from-zero", [ind("C", cumulative=True, frequency="quarterly")],
     [val("C", Q(2025, 1), 10, 5), val("C", Q(2025, 2), 10, 10), val("C", Q(2025, 3), 10, 10), val("C", Q(2025, 4), 10)],
     [base("C", 2024, 40)], dict(as_of=date(2025, 10, 15)),
     dict(period_label="2025-Q1–2025-Q3", target=30.0, actual=25.0, baseline=None, progress=25 / 30)),
    ("cumulative-missing-report", [CUM], [val("C", Y(2021), 10, 8), val("C", Y(2022), 10, 12), val("C", Y(2023), 10)], [],
     AFTER_2025, dict(status="no data", period_label="2021–2023", target=30.0, actual=None,
                      last_period_label="2021–2022", last_status="achieved")),  # 2021-2022: 20 of 20
    ("cumulative-from-start", [CUM], [val("C", Y(2023), 10, 8), val("C", Y(2024), 10, 12), val("C", Y(2025), 10, 9)], [],
     dict(as_of=date(2026, 3, 1), start=date(2024, 1, 1)),
     dict(period_label="2024–2025", target=20.0, actual=21.0, progress=1.05, status="achieved")),  # 12 + 9 of 10 + 10
    ("cumulative-without-from", [CUM], [val("C", Y(2023), 10, 8), val("C", Y(2024), 10, 12), val("C", Y(2025), 10, 9)], [],
     AFTER_2025, dict(period_label="2023–2025", target=30.0, actual=29.0, progress=29 / 30, status="on track")),
    ("cumulative-needs-sum", [ind("C", "percentage", cumulative=True)], [val("C", Y(2024), 50, 40), val("C", Y(2025), 60, 45)], [],
     AFTER_2025, dict(period_label="2025", target=60.0, actual=45.0, progress=0.75)),
    # --- breakdowns and programme level
    ("breakdown-adds-up", [UNIT],
     [val("U", Y(2025), 100), val("U", Y(2025), actual=40, dim="sex", dim_value="women"),
      val("U", Y(2025), actual=60, dim="sex", dim_value="men")], [], AFTER_2025,
     dict(actual=100.0, progress=1.0, status="achieved", estimated=False)),
    ("estimated-from-percentages", [PCT],
     [val("P", Y(2025), 80), val("P", Y(2025), actual=60, dim="sex", dim_value="women"),
      val("P", Y(2025), actual=70, dim="sex", dim_value="men")], [], AFTER_2025,
     dict(actual=65.0, progress=65 / 80, estimated=True)),
]


@pytest.mark.parametrize("indicators, values, baselines, kwargs, expected",
                         [c[1:] for c in PAIR_CASES], ids=[c[0] for c in PAIR_CASES])
def test_pair(indicators, values, baselines, kwargs, expected):
    frame = score(values, baselines, indicators, **kwargs)
    assert list(frame.columns) == PAIR_COLUMNS
    assert_fields(only_row(frame), expected)


def test_statuses_in_design_order():
    assert STATUSES == ("qualitative", "achieved", "on track", "at risk", "off track", "no baseline", "no data",
                        "in progress", "not due", "no target")


def test_thresholds_are_parameters():
    values = [val("U", Y(2025), 100, 65)]
    assert only_row(score(values, [], [UNIT], **AFTER_2025))["status"] == "at risk"  # 0.65 with 1.0 / 0.75 / 0.5
    custom = Thresholds(achieved=0.9, on_track=0.6, at_risk=0.3)
    assert only_row(score(values, [], [UNIT], thresholds=custom, **AFTER_2025))["status"] == "on track"


def test_every_pair_one_row_sorted_and_programme_level_scored():
    values = [val("U", Y(2025), 100, 50, partner="KEN"), val("U", Y(2025), 100, 80, partner=""),
              val("P", Y(2025), 80, 60, partner="BRA"), val("U", Y(2025), 100, 90, partner="BRA")]
    frame = score(values, [], [UNIT, PCT], **AFTER_2025)
    assert list(zip(frame["indicator"], frame["partner"], frame["progress"])) == [
        ("P", "BRA", 0.75), ("U", "", 0.8), ("U", "BRA", 0.9), ("U", "KEN", 0.5)]


def test_start_leaves_a_pair_out():
    frame = score([val("U", Y(2024), 100, 50), val("P", Y(2025), 80, 60)], [], [UNIT, PCT],
                  as_of=date(2026, 3, 1), start=date(2025, 1, 1))
    assert list(frame["indicator"]) == ["P"]


def test_nothing_to_score():
    frame = score([], [], [UNIT], **AFTER_2025)
    assert frame.empty and list(frame.columns) == PAIR_COLUMNS


# --- roll-ups -------------------------------------------------------------------------------

def _pairs():
    values = [
        val("U", Y(2025), 100, 50, partner="KEN"),   # 0.5 at risk
        val("D", Y(2025), 5, 4, partner="KEN"),      # (4 - 10) / (5 - 10) = 1.2 -> 1.0 achieved
        val("P", Y(2025), 80, partner="KEN"),        # no data
        val("U", Y(2026), 100, partner="BRA"),       # not due
        val("P", Y(2025), 80, 60, partner="BRA"),    # 0.75 on track
    ]
    return score(values, [base("D", 2024, 10, partner="KEN")], [UNIT, DOWN, PCT], **AFTER_2025)


def test_rollup_by_column():
    out = _pairs().pipe(rollup, "partner").set_index("partner")
    bra, ken = out.loc["BRA"], out.loc["KEN"]
    assert (ken["progress"], ken["n"], ken["status"]) == (0.75, 2, "on track")  # (0.5 + 1.0) / 2
    assert ken["counts"] == {"achieved": 1, "at risk": 1, "no data": 1}
    assert (bra["progress"], bra["n"], bra["status"]) == (0.75, 1, "on track")
    assert bra["counts"] == {"on track": 1, "not due": 1}
    assert (ken["n_no_data"], ken["n_achieved"], bra["n_not_due"]) == (1, 1, 1)


def test_rollup_by_mapping_frame_a_pair_in_two_groups():
    donors = pd.DataFrame({"partner": ["KEN", "KEN", "BRA"], "donor": ["EU", "UK", "UK"]})
    out = rollup(_pairs(), donors).set_index("donor")
    assert (out.loc["EU", "progress"], out.loc["EU", "n"]) == (0.75, 2)
    assert out.loc["UK", "progress"] == pytest.approx((0.5 + 1.0 + 0.75) / 3)
    assert out.loc["UK", "n"] == 3


def test_rollup_without_scored_pairs():
    pairs = score([val("U", Y(2026), 100), val("P", Y(2025), 80, 60)], [], [UNIT, PCT], **AFTER_2025)
    out = rollup(pairs, "indicator").set_index("indicator")
    assert pd.isna(out.loc["U", "progress"]) and out.loc["U", "n"] == 0 and out.loc["U", "status"] is None
    assert out.loc["U", "counts"] == {"not due": 1}
    assert out.loc["P", "status"] == "on track"


def test_rollup_by_indicator_counts_all_statuses_never_averages_them():
    out = rollup(_pairs(), "indicator").set_index("indicator")
    assert out.loc["P", "counts"] == {"on track": 1, "no data": 1}
    assert (out.loc["P", "progress"], out.loc["P", "n"]) == (0.75, 1)
    assert NAN != out.loc["U", "progress"] == 0.5

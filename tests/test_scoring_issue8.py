"""Issue 8's cases, as users reported them, through the scoring engine."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from models.scoring.pairs import rollup, score_pairs
from models.scoring.periods import TODAY_ENV_VAR, as_of
from models.scoring.reporting import due_reports, overdue_reports
from test_scoring_builders import (
    Q, Y, base, baselines_of, ind, indicators_of, only_row, score, span, val, values_of,
)

ADMINISTRATIONS = ["ARG", "BOL", "BRA", "CHL", "COL", "CRI", "DOM", "ECU", "GTM", "HND", "JAM", "MEX", "NIC", "PAN",
                   "PER", "PRY"]  # 16; all but GTM still owe their 2025 report
IND04 = ind("IND04", "percentage")


def _programme(early_upload: bool):
    rows = [val("IND04", Y(2025), 50, partner=p) for p in ADMINISTRATIONS]
    rows.append(val("IND04", Y(2025), actual=45, partner="GTM"))
    if early_upload:  # GTM,IND04,2026-Q1,52,52.4
        rows.append(val("IND04", Q(2026, 1), 52, 52.4, partner="GTM"))
    return rows


def test_early_upload_moves_no_as_of(monkeypatch):
    monkeypatch.setenv(TODAY_ENV_VAR, "2026-02-15")
    assert as_of() == date(2026, 2, 15)  # "as of" never reads the data
    monkeypatch.delenv(TODAY_ENV_VAR)
    assert as_of("2026-Q1") == date(2026, 3, 31)


@pytest.mark.parametrize("early_upload", [False, True])
def test_early_upload_hides_no_missing_report(early_upload):
    due = due_reports(values_of(_programme(early_upload)), indicators_of([IND04]), as_of=date(2026, 2, 15))
    overdue = overdue_reports(due)
    assert [(p, s.isoformat()) for p, s in zip(overdue["partner"], overdue["period_start"])] == [
        (p, "2025-01-01") for p in ADMINISTRATIONS if p != "GTM"]
    assert len(overdue) == 15


@pytest.mark.parametrize("early_upload", [False, True])
def test_early_upload_scores_the_ended_year(early_upload):
    frame = score(_programme(early_upload), [], [IND04], as_of=date(2026, 2, 15))
    gtm = only_row(frame, partner="GTM")
    assert (gtm["period_label"], gtm["status"], gtm["progress"]) == ("2025", "on track", 0.9)  # 45 / 50
    others = frame[frame["partner"] != "GTM"]
    assert set(others["status"]) == {"no data"} and len(others) == 15


def test_early_upload_scored_once_its_quarter_ends():
    frame = score(_programme(True), [], [IND04], as_of=as_of("2026-Q1"))
    gtm = only_row(frame, partner="GTM")
    assert (gtm["period_label"], gtm["status"]) == ("2026-Q1", "achieved")
    assert gtm["progress"] == pytest.approx(52.4 / 52)


def test_quarterly_actual_without_target_not_scored_against_the_year():
    # GTM;IND07;2026-04-01;2026-06-30;;12 next to the 2025 target 100 reached at 84
    ind07 = ind("IND07", frequency="quarterly")
    before = [val("IND07", Y(2025), 100, 84, partner="GTM"), val("IND04", Y(2025), 50, 45, partner="GTM")]
    after = [*before, val("IND07", span("2026-04-01", "2026-06-30"), actual=12, partner="GTM")]
    scored = [score(rows, [], [ind07, IND04], as_of=date(2026, 7, 15)) for rows in (before, after)]
    for frame in scored:
        pair = only_row(frame, indicator="IND07")
        assert (pair["period_label"], pair["actual"], pair["progress"], pair["status"]) == ("2025", 84.0, 0.84, "on track")
    by_partner = [rollup(frame, "partner").iloc[0] for frame in scored]
    assert [(r["progress"], r["status"]) for r in by_partner] == [(0.87, "on track")] * 2  # (0.84 + 0.9) / 2


def test_quarterly_target_not_measured_from_an_annual_baseline():
    # quarterly target 13, actual 12, annual baseline 34: 12 / 13, not (12 - 34) / (13 - 34) = 104.76 %
    frame = score([val("IND07", Q(2025, 3), 13, 12, partner="GTM")], [base("IND07", 2024, 34, partner="GTM")],
                  [ind("IND07", frequency="quarterly")], as_of=date(2025, 11, 1))
    row = only_row(frame)
    assert row["progress"] == pytest.approx(12 / 13)
    assert row["status"] == "on track"


def test_counts_by_sex_add_up():
    # HND,IND06,2026-Q1,,40,sex,women and HND,IND06,2026-Q1,,60,sex,men
    rows = [val("IND06", Q(2026, 1), actual=40, partner="HND", dim="sex", dim_value="women"),
            val("IND06", Q(2026, 1), actual=60, partner="HND", dim="sex", dim_value="men")]
    row = only_row(score(rows, [], [ind("IND06")], as_of=date(2026, 4, 30)))
    assert (row["actual"], row["status"], row["period_label"]) == (100.0, "no target", "2026-Q1")


def test_breakdown_labels_ignore_case():
    # `Customs Officers` and `customs officers` are one group: mean of (60, 80) = 70, not of (60, 80, 60)
    rows = [val("IND09", Y(2025), 80, partner="HND"),
            val("IND09", Y(2025), actual=60, partner="HND", dim="Role", dim_value="Customs Officers"),
            val("IND09", Y(2025), actual=80, partner="HND", dim="role", dim_value="Brokers"),
            val("IND09", Y(2025), actual=60, partner="HND", dim="role ", dim_value="customs officers ")]
    row = only_row(score(rows, [], [ind("IND09", "percentage")], as_of=date(2026, 3, 1)))
    assert (row["actual"], row["estimated"]) == (70.0, True)
    assert row["progress"] == pytest.approx(70 / 80)


def test_actual_without_target_is_no_target_not_no_data():
    row = only_row(score([val("IND03", Y(2025), actual=7)], [], [ind("IND03")], as_of=date(2026, 3, 1)))
    assert (row["status"], row["actual"], row["period_label"]) == ("no target", 7.0, "2025")


def test_cumulative_period_is_a_range():
    rows = [val("IND02", Y(y), 4, 5) for y in range(2021, 2026)]
    row = only_row(score(rows, [], [ind("IND02", cumulative=True)], as_of=date(2026, 3, 1)))
    assert (row["period_label"], row["period_start"], row["period_end"]) == ("2021–2025", date(2021, 1, 1), date(2025, 12, 31))
    assert (row["target"], row["actual"], row["progress"]) == (20.0, 25.0, 1.25)  # 5 x 4 and 5 x 5


def test_engine_takes_plain_frames():
    """The inputs as load_snapshot hands them over: no frequency or aggregation column yet."""
    values = values_of([val("IND01", Y(2025), 10, 5)])
    indicators = pd.DataFrame({"code": ["IND01"], "measure": ["unit"], "ascending": [True], "cumulative": [False],
                               "scale_min": [None], "scale_max": [None]})
    out = score_pairs(values, indicators, baselines_of([]), as_of=date(2026, 1, 1))
    assert (out.loc[0, "progress"], out.loc[0, "aggregation"]) == (0.5, "sum")

"""Periods (DESIGN.md, "Progress rules"): shorthands, "as of", frequency periods, labels."""
from __future__ import annotations

from datetime import date, datetime, timezone

import numpy as np
import pytest

from models.scoring.periods import (
    TODAY_ENV_VAR,
    as_of,
    frequency_months,
    frequency_periods,
    is_year_or_longer,
    parse_period,
    period_end,
    period_label,
    period_labels,
    period_start,
    running_label,
    to_days,
)

d = date.fromisoformat


@pytest.mark.parametrize("text, first, last", [
    ("2025", "2025-01-01", "2025-12-31"),
    (" 2025 ", "2025-01-01", "2025-12-31"),
    ("2025-Q1", "2025-01-01", "2025-03-31"),
    ("2025-q3", "2025-07-01", "2025-09-30"),
    ("2025-Q4", "2025-10-01", "2025-12-31"),
    ("2025-H1", "2025-01-01", "2025-06-30"),
    ("2025-h2", "2025-07-01", "2025-12-31"),
    ("2025-03", "2025-03-01", "2025-03-31"),
    ("2024-02", "2024-02-01", "2024-02-29"),  # leap year
    ("2025-02", "2025-02-01", "2025-02-28"),
    ("2025-03-15", "2025-03-15", "2025-03-15"),  # a date is that one day
])
def test_parse_period(text, first, last):
    assert parse_period(text) == (d(first), d(last))


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "2025-Q5", "2025-H3", "25", "FY2025", "2025/26", "", "2025-02-30"])
def test_parse_period_refuses(text):
    with pytest.raises(ValueError, match="is not a period"):
        parse_period(text)


@pytest.mark.parametrize("value, start, end", [
    (None, None, None),
    ("", None, None),
    ("2025-Q3", d("2025-07-01"), d("2025-09-30")),
    ("2025", d("2025-01-01"), d("2025-12-31")),
    (d("2025-05-05"), d("2025-05-05"), d("2025-05-05")),
    (datetime(2025, 5, 5, 13, 0), d("2025-05-05"), d("2025-05-05")),
])
def test_period_start_and_end(value, start, end):
    assert period_start(value) == start
    assert period_end(value) == end


# --- as of ----------------------------------------------------------------------------------

@pytest.mark.parametrize("to, env, today, expected", [
    ("2025-Q3", "2030-01-01", d("2031-01-01"), d("2025-09-30")),  # the To filter wins
    ("2025", None, None, d("2025-12-31")),
    ("2025-06-15", None, None, d("2025-06-15")),
    (None, "2026-02-15", d("2031-01-01"), d("2026-02-15")),  # the pinned "today" beats the clock
    (None, " 2026-02-15 ", None, d("2026-02-15")),
    (None, None, d("2031-01-01"), d("2031-01-01")),  # the clock, stood in for
    (None, "", d("2031-01-01"), d("2031-01-01")),
])
def test_as_of(monkeypatch, to, env, today, expected):
    if env is None:
        monkeypatch.delenv(TODAY_ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(TODAY_ENV_VAR, env)
    assert as_of(to, today=today) == expected


def test_as_of_defaults_to_today_utc(monkeypatch):
    monkeypatch.delenv(TODAY_ENV_VAR, raising=False)
    before = datetime.now(timezone.utc).date()
    got = as_of()
    assert before <= got <= datetime.now(timezone.utc).date()


def test_as_of_refuses_a_bad_pinned_date(monkeypatch):
    monkeypatch.setenv(TODAY_ENV_VAR, "2026-13-01")
    with pytest.raises(ValueError, match=TODAY_ENV_VAR):
        as_of()


# --- frequency periods ----------------------------------------------------------------------

FREQUENCY_CASES = [
    # id, start, end, frequency, year_start_month, expected periods (first day, last day)
    ("quarters-of-a-year", "2025", "2025", "quarterly", 1,
     [("2025-01-01", "2025-03-31"), ("2025-04-01", "2025-06-30"), ("2025-07-01", "2025-09-30"), ("2025-10-01", "2025-12-31")]),
    ("halves-of-a-fiscal-year", "2024-04-01", "2025-03-31", "semiannual", 4,
     [("2024-04-01", "2024-09-30"), ("2024-10-01", "2025-03-31")]),
    ("fiscal-quarters-whole-only", "2024-04-15", "2025-03-31", "quarterly", 4,  # April starts mid-month: left out
     [("2024-07-01", "2024-09-30"), ("2024-10-01", "2024-12-31"), ("2025-01-01", "2025-03-31")]),
    ("fiscal-year-not-inside-calendar-year", "2025", "2025", "annual", 4, []),
    ("fiscal-year-inside-its-span", "2024-04-01", "2025-03-31", "annual", 4, [("2024-04-01", "2025-03-31")]),
    ("months-of-a-quarter", "2025-Q1", "2025-Q1", "monthly", 1,
     [("2025-01-01", "2025-01-31"), ("2025-02-01", "2025-02-28"), ("2025-03-01", "2025-03-31")]),
    ("years-of-a-programme", "2021", "2023", "annual", 1,
     [("2021-01-01", "2021-12-31"), ("2022-01-01", "2022-12-31"), ("2023-01-01", "2023-12-31")]),
    ("quarters-from-february", "2025", "2025", "quarterly", 2,  # Feb-Apr, May-Jul, Aug-Oct; Nov-Jan runs out
     [("2025-02-01", "2025-04-30"), ("2025-05-01", "2025-07-31"), ("2025-08-01", "2025-10-31")]),
    ("none-is-annual", "2025", "2025", None, 1, [("2025-01-01", "2025-12-31")]),
    ("quarter-ends-early", "2025-01-01", "2025-06-29", "quarterly", 1, [("2025-01-01", "2025-03-31")]),
    ("longer-than-span", "2025-Q1", "2025-Q1", "annual", 1, []),
]


@pytest.mark.parametrize("start, end, frequency, year_start_month, expected",
                         [c[1:] for c in FREQUENCY_CASES], ids=[c[0] for c in FREQUENCY_CASES])
def test_frequency_periods(start, end, frequency, year_start_month, expected):
    got = frequency_periods(start, end, frequency, year_start_month)
    assert got == [(d(a), d(b)) for a, b in expected]


def test_frequency_names():
    assert [frequency_months(f) for f in ("annual", "Semiannual", " quarterly ", "monthly", None, "")] == [12, 6, 3, 1, 12, 12]
    with pytest.raises(ValueError, match="weekly"):
        frequency_months("weekly")
    with pytest.raises(ValueError, match="year_start_month"):
        frequency_periods("2025", "2025", "annual", 13)


# --- labels ---------------------------------------------------------------------------------

LABEL_CASES = [
    # start, end, year_start_month, label
    ("2025-01-01", "2025-12-31", 1, "2025"),
    ("2025-07-01", "2025-09-30", 1, "2025-Q3"),
    ("2025-01-01", "2025-06-30", 1, "2025-H1"),
    ("2025-07-01", "2025-12-31", 1, "2025-H2"),
    ("2025-03-01", "2025-03-31", 1, "2025-03"),
    ("2021-01-01", "2025-12-31", 1, "2021–2025"),
    ("2024-04-01", "2025-03-31", 1, "2024-04-01 – 2025-03-31"),  # not a calendar period
    ("2024-04-01", "2025-03-31", 4, "FY2024/25"),
    ("2099-04-01", "2100-03-31", 4, "FY2099/00"),
    ("2024-04-01", "2024-09-30", 4, "FY2024/25-H1"),
    ("2024-10-01", "2025-03-31", 4, "FY2024/25-H2"),
    ("2024-04-01", "2024-06-30", 4, "2024-Q2"),  # a calendar quarter keeps its calendar name
    ("2025-02-01", "2025-04-30", 2, "FY2025/26-Q1"),
    ("2022-04-01", "2025-03-31", 4, "FY2022/23–FY2024/25"),
    ("2025-01-01", "2025-12-31", 4, "2025"),
    ("2025-01-01", "2025-12-30", 1, "2025-01-01 – 2025-12-30"),
    ("2025-03-15", "2025-03-15", 1, "2025-03-15"),
]


@pytest.mark.parametrize("start, end, year_start_month, label", LABEL_CASES)
def test_period_label(start, end, year_start_month, label):
    assert period_label(d(start), d(end), year_start_month) == label


def test_period_labels_vectorised_and_missing():
    starts = to_days([d("2025-01-01"), d("2025-07-01"), d("2025-01-01")])
    ends = to_days([d("2025-12-31"), d("2025-09-30"), d("2025-12-31")])
    assert list(period_labels(starts, ends)) == ["2025", "2025-Q3", "2025"]
    assert period_label(None, d("2025-01-01")) == ""


RUNNING_CASES = [
    # first period, last period, year_start_month, label
    (("2021-01-01", "2021-12-31"), ("2025-01-01", "2025-12-31"), 1, "2021–2025"),
    (("2025-01-01", "2025-03-31"), ("2025-07-01", "2025-09-30"), 1, "2025-Q1–2025-Q3"),
    (("2025-01-01", "2025-12-31"), ("2025-01-01", "2025-12-31"), 1, "2025"),
    (("2022-04-01", "2023-03-31"), ("2024-04-01", "2025-03-31"), 4, "FY2022/23–FY2024/25"),
    (("2025-01-15", "2025-03-31"), ("2025-07-01", "2025-09-30"), 1, "2025-01-15 – 2025-09-30"),
]


@pytest.mark.parametrize("first, last, year_start_month, label", RUNNING_CASES)
def test_running_label(first, last, year_start_month, label):
    assert running_label(d(first[0]), d(first[1]), d(last[0]), d(last[1]), year_start_month) == label


@pytest.mark.parametrize("start, end, expected", [
    ("2025-01-01", "2025-12-31", True),
    ("2025-01-01", "2025-12-30", False),
    ("2024-04-01", "2025-03-31", True),
    ("2025-07-01", "2025-09-30", False),
    ("2021-01-01", "2025-12-31", True),
    ("2024-02-29", "2025-02-28", True),  # 29 Feb: a year on is 1 March
    ("2024-02-29", "2025-02-27", False),
])
def test_is_year_or_longer(start, end, expected):
    assert bool(is_year_or_longer(np.array([start], dtype="datetime64[D]"), np.array([end], dtype="datetime64[D]"))[0]) is expected

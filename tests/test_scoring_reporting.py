"""Reporting completeness (DESIGN.md, "Reporting completeness"): reports due, received,
overdue by partner oldest first, and the rate per period."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from models.scoring.reporting import (
    DUE_COLUMNS, OVERDUE_COLUMNS, RATE_COLUMNS, due_reports, overdue_reports, reporting_rate,
)
from test_scoring_builders import FY, Q, Y, ind, indicators_of, span, val, values_of

d = date.fromisoformat
QUARTERLY = ind("U", frequency="quarterly")
ANNUAL = ind("A")


def due(values, indicators=(QUARTERLY, ANNUAL), partners=None, **kwargs):
    partners = None if partners is None else pd.DataFrame(partners, columns=["code", "status"])
    return due_reports(values_of(values), indicators_of(indicators), partners, **kwargs)


def rows(frame):
    """(partner, indicator, period_start, due_on, received) tuples, ISO dates."""
    return [(p, i, s.isoformat(), o.isoformat(), bool(r)) for p, i, s, o, r in
            zip(frame["partner"], frame["indicator"], frame["period_start"], frame["due_on"], frame["received"])]


DUE_CASES = [
    # id, values, kwargs, expected (partner, indicator, period start, due on, received)
    ("quarters-of-an-annual-target", [val("U", Y(2025), 100), val("U", Q(2025, 1), actual=20), val("U", Q(2025, 2), actual=0)],
     dict(as_of=d("2026-03-01")),  # due = end + 30 days; 0 counts as a report
     [("KEN", "U", "2025-01-01", "2025-04-30", True), ("KEN", "U", "2025-04-01", "2025-07-30", True),
      ("KEN", "U", "2025-07-01", "2025-10-30", False), ("KEN", "U", "2025-10-01", "2026-01-30", False)]),
    ("due-date-equal-to-as-of-not-yet-due", [val("U", Q(2025, 4), 10)], dict(as_of=d("2026-01-30")), []),
    ("due-date-the-day-before", [val("U", Q(2025, 4), 10)], dict(as_of=d("2026-01-31")),
     [("KEN", "U", "2025-10-01", "2026-01-30", False)]),
    ("no-grace", [val("U", Q(2025, 4), 10)], dict(as_of=d("2026-01-01"), grace_days=0),
     [("KEN", "U", "2025-10-01", "2025-12-31", False)]),
    ("longer-grace", [val("U", Q(2025, 4), 10)], dict(as_of=d("2026-03-01"), grace_days=60),
     []),  # due 2025-12-31 + 60 days = 2026-03-01, not before 2026-03-01
    ("longer-grace-passed", [val("U", Q(2025, 4), 10)], dict(as_of=d("2026-03-02"), grace_days=60),
     [("KEN", "U", "2025-10-01", "2026-03-01", False)]),
    ("comment-alone-is-not-a-report", [val("A", Y(2025), 100), val("A", Y(2025), comment="late, sorry", dim="sex", dim_value="men")],
     dict(as_of=d("2026-03-01")), [("KEN", "A", "2025-01-01", "2026-01-30", False)]),
    ("breakdown-is-a-report", [val("A", Y(2025), 100), val("A", Y(2025), actual=3, dim="sex", dim_value="men")],
     dict(as_of=d("2026-03-01")), [("KEN", "A", "2025-01-01", "2026-01-30", True)]),
    ("text-is-a-report", [val("A", Y(2025), target_text="Law", actual_text="Drafted")], dict(as_of=d("2026-03-01")),
     [("KEN", "A", "2025-01-01", "2026-01-30", True)]),
    ("annual-actual-covers-quarters", [val("U", Y(2025), 100, 80)], dict(as_of=d("2026-03-01")),
     [("KEN", "U", f"2025-{m:02d}-01", o, True) for m, o in ((1, "2025-04-30"), (4, "2025-07-30"), (7, "2025-10-30"), (10, "2026-01-30"))]),
    ("overlapping-actual-counts", [val("A", Y(2025), 100), val("A", span("2025-11-01", "2026-01-31"), actual=4)],
     dict(as_of=d("2026-03-01")), [("KEN", "A", "2025-01-01", "2026-01-30", True)]),
    ("actual-without-target-owes-nothing", [val("A", Y(2025), actual=5)], dict(as_of=d("2026-03-01")), []),
    ("nested-targets-count-once", [val("A", Y(2024, 2025), 200), val("A", Y(2024), 100, 90), val("A", Y(2025), 100)],
     dict(as_of=d("2026-03-01")),
     [("KEN", "A", "2024-01-01", "2025-01-30", True), ("KEN", "A", "2025-01-01", "2026-01-30", False)]),
    ("lop-target-makes-reports-due", [val("A", Y(2024, 2026), 300), val("A", Y(2024), actual=90)], dict(as_of=d("2026-03-01")),
     [("KEN", "A", "2024-01-01", "2025-01-30", True), ("KEN", "A", "2025-01-01", "2026-01-30", False)]),
    ("frequency-longer-than-target", [val("A", Q(2025, 1), 10)], dict(as_of=d("2026-03-01")), []),
    ("fiscal-quarters", [val("U", FY(2024), 100), val("U", Q(2024, 2), actual=5)], dict(as_of=d("2025-06-01"), year_start_month=4),
     [("KEN", "U", "2024-04-01", "2024-07-30", True), ("KEN", "U", "2024-07-01", "2024-10-30", False),
      ("KEN", "U", "2024-10-01", "2025-01-30", False), ("KEN", "U", "2025-01-01", "2025-04-30", False)]),
    ("fiscal-year-annual", [val("A", FY(2024), 100, 50)], dict(as_of=d("2025-06-01"), year_start_month=4),
     [("KEN", "A", "2024-04-01", "2025-04-30", True)]),
    ("calendar-year-on-a-fiscal-calendar", [val("A", Y(2024), 100, 50)], dict(as_of=d("2025-06-01"), year_start_month=4), []),
    ("from-leaves-earlier-periods-out", [val("A", Y(2024), 100), val("U", Y(2025), 100)],
     dict(as_of=d("2026-03-01"), start=d("2025-07-01")), []),
    ("from-keeps-later-targets", [val("U", Q(2025, 2), 10), val("U", Q(2025, 3), 10, 9)], dict(as_of=d("2026-03-01"), start=d("2025-07-01")),
     [("KEN", "U", "2025-07-01", "2025-10-30", True)]),
    ("programme-level-counts", [val("A", Y(2025), 100, partner="")], dict(as_of=d("2026-03-01")),
     [("", "A", "2025-01-01", "2026-01-30", False)]),
    ("unknown-indicator-is-annual", [val("Z", Y(2025), 100)], dict(as_of=d("2026-03-01")),
     [("KEN", "Z", "2025-01-01", "2026-01-30", False)]),
]


@pytest.mark.parametrize("values, kwargs, expected", [c[1:] for c in DUE_CASES], ids=[c[0] for c in DUE_CASES])
def test_due_reports(values, kwargs, expected):
    frame = due(values, **kwargs)
    assert list(frame.columns) == DUE_COLUMNS
    assert rows(frame) == expected


def test_inactive_partners_owe_nothing():
    values = [val("A", Y(2025), 100, partner="KEN"), val("A", Y(2025), 100, partner="SUD"), val("A", Y(2025), 100, partner="")]
    frame = due(values, partners=[("KEN", "active"), ("SUD", "Inactive ")], as_of=d("2026-03-01"))
    assert list(frame["partner"]) == ["", "KEN"]


def test_overdue_by_partner_oldest_first():
    values = [val("U", Y(2025), 100, partner="ZAM"), val("U", Q(2025, 1), actual=1, partner="ZAM"),
              val("A", Y(2024, 2025), 100, partner="BRA"), val("U", Y(2025), 100, partner="BRA")]
    out = overdue_reports(due(values, as_of=d("2026-03-01")))
    assert list(out.columns) == OVERDUE_COLUMNS
    assert [(p, i, s.isoformat()) for p, i, s in zip(out["partner"], out["indicator"], out["period_start"])] == [
        ("BRA", "A", "2024-01-01"), ("BRA", "U", "2025-01-01"), ("BRA", "U", "2025-04-01"), ("BRA", "U", "2025-07-01"),
        ("BRA", "A", "2025-01-01"), ("BRA", "U", "2025-10-01"),  # A 2025 ends with U Q4: by period end, then start
        ("ZAM", "U", "2025-04-01"), ("ZAM", "U", "2025-07-01"), ("ZAM", "U", "2025-10-01")]


def test_reporting_rate_per_period():
    values = [val("U", Y(2025), 100, partner="KEN"), val("U", Q(2025, 1), actual=1, partner="KEN"),
              val("U", Y(2025), 100, partner="BRA"), val("U", Q(2025, 1), actual=2, partner="BRA"),
              val("U", Q(2025, 2), actual=2, partner="BRA"), val("A", Y(2025), 10, 9, partner="BRA")]
    out = reporting_rate(due(values, as_of=d("2025-09-01")))  # Q1 and Q2 due (Q2 on 2025-07-30)
    assert list(out.columns) == RATE_COLUMNS
    assert [(lab, n, r, rate) for lab, n, r, rate in zip(out["period_label"], out["due"], out["received"], out["rate"])] == [
        ("2025-Q1", 2, 2, 1.0), ("2025-Q2", 2, 1, 0.5)]
    assert reporting_rate(due([], as_of=d("2025-09-01"))).empty


# --- reports awaiting review count as received (DESIGN.md, "Review"), their figures never scored

def reported(*rows):
    """Reports received whose figures wait for review: (indicator, period, partner)."""
    return pd.DataFrame([dict(indicator=i, partner=p, period_start=s, period_end=e) for i, (s, e), p in rows],
                        columns=["indicator", "partner", "period_start", "period_end"])


REPORTED_CASES = [
    # id, values, reported, as_of, expected (partner, indicator, period start, due on, received)
    ("a-pending-quarter-is-received", [val("U", Y(2025), 100), val("U", Q(2025, 1), actual=20)],
     reported(("U", Q(2025, 2), "KEN")), d("2026-03-01"),
     [("KEN", "U", "2025-01-01", "2025-04-30", True), ("KEN", "U", "2025-04-01", "2025-07-30", True),
      ("KEN", "U", "2025-07-01", "2025-10-30", False), ("KEN", "U", "2025-10-01", "2026-01-30", False)]),
    ("another-partners-report-is-not-this-ones", [val("A", Y(2025), 100)], reported(("A", Y(2025), "GHA")), d("2026-03-01"),
     [("KEN", "A", "2025-01-01", "2026-01-30", False)]),
    ("a-pending-report-owes-nothing-by-itself", [], reported(("A", Y(2025), "KEN")), d("2026-03-01"), []),
]


@pytest.mark.parametrize("values, pending, as_of, expected", [c[1:] for c in REPORTED_CASES], ids=[c[0] for c in REPORTED_CASES])
def test_reports_awaiting_review_are_received(values, pending, as_of, expected):
    assert rows(due(values, as_of=as_of, reported=pending)) == expected


def test_a_pending_report_counts_in_the_pairs_reports_but_is_not_scored():
    from models.scoring.pairs import score_pairs

    values = values_of([val("A", Y(2025), 100)])
    plain = score_pairs(values, indicators_of([ANNUAL]), None, as_of=d("2026-03-01"))
    pending = score_pairs(values, indicators_of([ANNUAL]), None, as_of=d("2026-03-01"), reported=reported(("A", Y(2025), "KEN")))
    pick = ["status", "reports_received", "reports_due"]
    assert plain[pick].to_dict("records") == [{"status": "no data", "reports_received": 0, "reports_due": 1}]
    assert pending[pick].to_dict("records") == [{"status": "no data", "reports_received": 1, "reports_due": 1}]
    assert plain["actual"].isna().all() and pending["actual"].isna().all()  # the pending figure is not scored

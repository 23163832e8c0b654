"""Properties of the scoring engine (hypothesis)."""
from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.scoring.reporting import due_reports, overdue_reports
from test_scoring_builders import Q, Y, base, ind, indicators_of, score, val, values_of

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AS_OF = date(2026, 6, 1)
INDICATORS = [ind("U", frequency="quarterly"), ind("A"), ind("M", frequency="monthly")]
PERIODS = [Y(2024), Y(2025), Y(2026), Q(2025, 1), Q(2025, 2), Q(2025, 3), Q(2025, 4), Q(2026, 1), Q(2026, 2)]

rows = st.builds(
    lambda indicator, partner, period, target, actual: val(indicator, period, target, actual, partner=partner),
    st.sampled_from(["U", "A", "M"]), st.sampled_from(["KEN", "BRA", ""]), st.sampled_from(PERIODS),
    st.one_of(st.none(), st.integers(0, 100)).map(lambda x: float("nan") if x is None else float(x)),
    st.one_of(st.none(), st.integers(0, 100)).map(lambda x: float("nan") if x is None else float(x)),
)


def _overdue_before(values, cutoff: date):
    due = due_reports(values_of(values), indicators_of(INDICATORS), as_of=AS_OF)
    late = overdue_reports(due)
    late = late[[end < cutoff for end in late["period_end"]]]
    return [tuple(r) for r in late.itertuples(index=False)]


@SETTINGS
@given(st.lists(rows, max_size=8), rows, st.sampled_from(PERIODS))
def test_a_later_row_never_changes_what_is_overdue_earlier(existing, extra, later):
    """Adding a row for a period starting after D changes nothing overdue for periods ending before D."""
    extra = {**extra, "period_start": later[0], "period_end": later[1]}
    before = _overdue_before(existing, later[0])
    after = _overdue_before([*existing, extra], later[0])
    assert before == after


@SETTINGS
@given(
    target=st.integers(1, 500),
    parts=st.lists(st.integers(0, 200), min_size=1, max_size=4),
    baseline=st.one_of(st.none(), st.integers(0, 50)),
    period=st.sampled_from([Y(2025), Q(2025, 3)]),
)
def test_a_breakdown_adding_up_to_the_total_scores_the_same(target, parts, baseline, period):
    total = [val("U", period, target, float(sum(parts)))]
    split = [val("U", period, target)] + [
        val("U", period, actual=float(p), dim="Sex" if i % 2 else "sex", dim_value=f"group {i}") for i, p in enumerate(parts)]
    baselines = [] if baseline is None else [base("U", 2024, baseline)]
    a = score(total, baselines, [ind("U")], as_of=AS_OF).iloc[0]
    b = score(split, baselines, [ind("U")], as_of=AS_OF).iloc[0]
    for column in ("actual", "target", "baseline", "progress", "status", "period_label", "estimated"):
        assert (a[column] == b[column]) or (a[column] != a[column] and b[column] != b[column]), column

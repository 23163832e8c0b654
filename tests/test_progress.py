"""models.progress: the scoring engine (models.scoring) with the project's settings — status
thresholds from the config file, the reporting year's first month and the grace days (with
the defaults where the config has no `[reporting]`) — and the config file itself. The
progress rules are tested case by case in tests/test_scoring_*.py."""
from __future__ import annotations

import math
from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest

from models.config import Settings, Thresholds, load_settings
from models.progress import STATUSES, due_reports, grace_days, progress_help, rollup, score_pairs, year_start_month
from models.scoring.distance import status_of

NAN = math.nan
TH = Thresholds()  # the defaults: 1.0 / 0.75 / 0.5, independent of any config file
DEFAULTS = Settings(thresholds=TH)


def Y(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def val(indicator, period, target=NAN, actual=NAN, *, partner="KEN"):
    return dict(indicator=indicator, partner=partner, period_start=period[0], period_end=period[1], dimension="",
                dimension_value="", target=target, actual=actual, target_text=None, actual_text=None)


def frames(values, indicators=(("U", "unit"),)):
    return (pd.DataFrame(list(values)),
            pd.DataFrame([dict(code=c, measure=m, ascending=True, cumulative=False, scale_min=NAN, scale_max=NAN)
                          for c, m in indicators]),
            pd.DataFrame(columns=["indicator", "partner", "dimension", "dimension_value", "year", "value"]))


def status_for(progress, thresholds: Thresholds | None = None) -> str | None:
    th = load_settings().thresholds if thresholds is None else thresholds
    return status_of([NAN if progress is None else progress], th)[0]


# --- statuses and thresholds --------------------------------------------------------------------

STATUS_CASES = [
    (1.3, "achieved"), (1.0, "achieved"), (0.9999, "on track"), (0.75, "on track"),
    (0.7499, "at risk"), (0.5, "at risk"), (0.49, "off track"), (0.0, "off track"),
    (-0.4, "off track"), (NAN, None), (None, None),  # no figure, no scored status ("no data" is a missing report)
]


@pytest.mark.parametrize("progress, expected", STATUS_CASES, ids=[str(c[0]) for c in STATUS_CASES])
def test_status_for(progress, expected):
    assert status_for(progress, TH) == expected


def test_custom_thresholds_reach_the_scored_pairs():
    strict = Thresholds(achieved=1.0, on_track=0.9, at_risk=0.6)
    assert [status_for(p, strict) for p in (0.95, 0.8, 0.55)] == ["on track", "at risk", "off track"]
    values = [val("U", Y(2024), 100, 80, partner=p) for p in ("GHA", "KEN")]
    scored = score_pairs(*frames(values), as_of=date(2025, 6, 30), settings=Settings(thresholds=strict))
    assert list(scored["status"]) == ["at risk", "at risk"]
    assert list(score_pairs(*frames(values), as_of=date(2025, 6, 30), settings=DEFAULTS)["status"]) == ["on track"] * 2
    by = rollup(scored.assign(programme="A-CIP"), "programme", settings=Settings(thresholds=strict))
    assert (by["progress"].iloc[0], by["status"].iloc[0]) == (pytest.approx(0.8), "at risk")


def test_status_list_is_designs_order():
    assert STATUSES == ("qualitative", "achieved", "on track", "at risk", "off track", "no baseline", "no data",
                        "in progress", "not due", "no target")


# --- the reporting calendar from the settings ------------------------------------------------------


def test_reporting_settings_default_without_a_reporting_table():
    assert (year_start_month(DEFAULTS), grace_days(DEFAULTS)) == (1, 30)
    fiscal = SimpleNamespace(thresholds=TH, reporting=SimpleNamespace(year_start_month=4, grace_days=10))
    assert (year_start_month(fiscal), grace_days(fiscal)) == (4, 10)


def test_grace_days_and_fiscal_year_reach_the_engine():
    values = [val("U", (date(2024, 4, 1), date(2025, 3, 31)), 100, 90)]  # an April–March year
    fiscal = SimpleNamespace(thresholds=TH, reporting=SimpleNamespace(year_start_month=4, grace_days=10))
    scored = score_pairs(*frames(values), as_of=date(2025, 6, 30), settings=fiscal)
    assert (scored["reports_received"].iloc[0], scored["reports_due"].iloc[0]) == (1, 1)  # FY2024/25 is one year
    calendar = score_pairs(*frames(values), as_of=date(2025, 6, 30), settings=DEFAULTS)
    assert calendar["reports_due"].iloc[0] == 0  # no calendar year lies inside April–March
    late = [val("U", Y(2024), 100, partner="KEN")]
    v, i, _ = frames(late)
    # due on 2024-12-31 + 10 days = 2025-01-10 (fiscal settings: calendar years do not fit, so nothing is due)
    ten = SimpleNamespace(thresholds=TH, reporting=SimpleNamespace(year_start_month=1, grace_days=10))
    assert len(due_reports(v, i, None, as_of=date(2025, 1, 11), settings=ten)) == 1
    assert len(due_reports(v, i, None, as_of=date(2025, 1, 11), settings=DEFAULTS)) == 0  # due on 2025-01-30


# --- rollup --------------------------------------------------------------------------------------


def progress_rows(*rows):
    """(region, indicator, partner, progress_clamped, status) -> a scored-pairs-like frame."""
    return pd.DataFrame(rows, columns=["region", "indicator", "partner", "progress_clamped", "status"])


def test_rollup_means_with_n_and_counts():
    frame = progress_rows(
        ("AME", "A", "BRA", 1.0, "achieved"),
        ("AME", "B", "BRA", 0.5, "at risk"),
        ("AME", "C", "BRA", NAN, "no data"),
        ("AME", "D", "BRA", NAN, "no baseline"),
        ("AME", "T", "BRA", NAN, "qualitative"),
        ("ESA", "A", "KEN", 0.8, "on track"),
        ("ESA", "B", "KEN", 0.2, "off track"),
        ("ESA", "B", "KEN", 0.2, "off track"),  # the same pair joined twice: counted once
        ("WCA", "T", "GHA", NAN, "qualitative"),
    )
    out = rollup(frame, "region", settings=DEFAULTS)
    got = [(r["region"], r["progress"], r["n"], r["status"], r["counts"]) for r in out.to_dict("records")]
    assert got == [
        ("AME", pytest.approx(0.75), 2, "on track", {"qualitative": 1, "achieved": 1, "at risk": 1, "no baseline": 1,
                                                      "no data": 1}),
        ("ESA", pytest.approx(0.5), 2, "at risk", {"on track": 1, "off track": 1}),
        ("WCA", pytest.approx(NAN, nan_ok=True), 0, None, {"qualitative": 1}),  # nothing scored: no status
    ]


def test_rollup_pair_in_several_groups_and_list_of_columns():
    frame = progress_rows(("AME", "A", "BRA", 1.0, "achieved"), ("ESA", "A", "BRA", 1.0, "achieved"),
                          ("ESA", "B", "KEN", 0.0, "off track"))
    frame["donor"] = ["NOR", "NOR", "GAC"]
    by_region = rollup(frame, "region", settings=DEFAULTS)
    assert list(zip(by_region["region"], by_region["progress"], by_region["n"])) == [
        ("AME", 1.0, 1), ("ESA", 0.5, 2)]
    by_two = rollup(frame, ["donor", "region"], settings=DEFAULTS)
    assert list(zip(by_two["donor"], by_two["region"], by_two["n"])) == [
        ("GAC", "ESA", 1), ("NOR", "AME", 1), ("NOR", "ESA", 1)]


def test_rollup_of_scored_pairs_and_empty():
    out = score_pairs(*frames([val("U", Y(2024), 100, 60, partner="KEN"), val("U", Y(2024), 100, 100, partner="GHA")]),
                      as_of=date(2025, 6, 30), settings=DEFAULTS)
    out["programme"] = "A-CIP"
    row = rollup(out, "programme", settings=DEFAULTS).iloc[0]
    assert (row["progress"], row["n"], row["status"]) == (pytest.approx(0.8), 2, "on track")
    empty = rollup(out.iloc[:0], "programme", settings=DEFAULTS)
    assert empty.empty and list(empty.columns)[:5] == ["programme", "progress", "n", "status", "counts"]


# --- help text ----------------------------------------------------------------------------


def test_progress_help_states_formula_thresholds_n_and_period():
    text = progress_help(DEFAULTS)
    for part in ("(actual − baseline) ÷ (target − baseline)", "100 %", "75 %", "50 %", "n is", "latest target period",
                 "so far", "2021–2025", "30 days"):
        assert part in text
    assert "90 %" in progress_help(Settings(thresholds=Thresholds(achieved=1.0, on_track=0.9, at_risk=0.6)))


# --- the thresholds in use come from the config file ---------------------------------------


def test_env_var_overrides_and_thresholds_follow(fresh_settings, tmp_path, monkeypatch):
    path = tmp_path / "custom.toml"
    path.write_text("[progress]\nachieved = 0.95\non_track = 0.8\nat_risk = 0.6\n")
    monkeypatch.setenv("RESULTSBOARD_CONFIG", str(path))
    assert load_settings().thresholds == Thresholds(achieved=0.95, on_track=0.8, at_risk=0.6)
    # the default thresholds of progress functions come from the config in use
    assert status_for(0.96) == "achieved"
    assert status_for(0.75) == "at risk"
    assert "80 %" in progress_help()
    assert list(score_pairs(*frames([val("U", Y(2024), 100, 96)]), as_of=date(2025, 6, 30))["status"]) == ["achieved"]

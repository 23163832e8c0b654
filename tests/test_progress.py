"""Progress rules (DESIGN.md, "Progress rules"): tables of cases with exact expectations."""
from __future__ import annotations

import math
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from models import config
from models.config import Settings, Thresholds, load_settings
from models.progress import (
    COMPLETENESS_COLUMNS,
    NON_SCORED,
    PROGRESS_COLUMNS,
    ROLLUP_VALUE_COLUMNS,
    STATUSES,
    completeness,
    compute_progress,
    default_as_of,
    progress_help,
    rollup,
    status_for,
)

NAN = math.nan
TH = Thresholds()  # the defaults: 1.0 / 0.75 / 0.5, independent of any config file


# --- tiny builders for the three input frames -------------------------------------------


def Y(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def Q(year: int, quarter: int) -> tuple[date, date]:
    ends = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
    month, day = ends[quarter]
    return date(year, month - 2, 1), date(year, month, day)


def val(indicator, period, target=NAN, actual=NAN, *, partner="KEN", dim="", dim_value="",
        target_text=None, actual_text=None):
    return dict(indicator=indicator, partner=partner, period_start=period[0], period_end=period[1],
                dimension=dim, dimension_value=dim_value, target=target, actual=actual,
                target_text=target_text, actual_text=actual_text)


def base(indicator, year, value, *, partner="KEN", dim="", dim_value=""):
    return dict(indicator=indicator, partner=partner, dimension=dim, dimension_value=dim_value,
                year=year, value=value, value_text=None)


def ind(code, measure="unit", *, ascending=True, cumulative=False, scale=(NAN, NAN)):
    return dict(code=code, measure=measure, ascending=ascending, cumulative=cumulative,
                scale_min=scale[0], scale_max=scale[1])


VALUE_COLUMNS = list(val("X", Y(2024)))
BASELINE_COLUMNS = list(base("X", 2024, 1.0))
INDICATOR_COLUMNS = list(ind("X"))


def frames(values, baselines=(), indicators=()):
    return (pd.DataFrame(list(values), columns=VALUE_COLUMNS),
            pd.DataFrame(list(baselines), columns=BASELINE_COLUMNS),
            pd.DataFrame(list(indicators), columns=INDICATOR_COLUMNS))


def progress_of(values, baselines=(), indicators=(), **kwargs):
    kwargs.setdefault("thresholds", TH)
    return compute_progress(*frames(values, baselines, indicators), **kwargs)


def only_row(frame):
    assert len(frame) == 1, frame
    return frame.iloc[0]


def assert_fields(row, expected):
    for key, want in expected.items():
        got = row[key]
        if isinstance(want, float):
            assert got == pytest.approx(want, nan_ok=True), (key, got, want)
        elif want is None:
            assert got is None or pd.isna(got), (key, got)
        else:
            assert got == want, (key, got, want)


# --- compute_progress: one (indicator, partner) pair per case ---------------------------

UNIT = ind("U")
PCT = ind("P", "percentage")
DOWN = ind("D", ascending=False)
CUM = ind("C", cumulative=True)
ORD = ind("O", "ordinal", scale=(1.0, 5.0))
QUAL = ind("T", "qualitative")

PAIR_CASES = [
    # id, indicators, values, baselines, kwargs, expected fields
    ("ascending-unit-with-baseline", [UNIT], [val("U", Y(2024), 100, 60)], [base("U", 2023, 20)], {},
     dict(baseline=20.0, baseline_year=2023, progress=0.5, progress_clamped=0.5, status="at risk")),
    ("percentage-no-baseline-from-0", [PCT], [val("P", Y(2024), 80, 60)], [], {},
     dict(baseline=NAN, baseline_year=None, progress=0.75, status="on track")),
    ("descending-with-baseline", [DOWN], [val("D", Y(2024), 5, 7.5)], [base("D", 2023, 10)], {},
     dict(progress=0.5, status="at risk")),
    ("descending-beaten", [DOWN], [val("D", Y(2024), 5, 4)], [base("D", 2023, 10)], {},
     dict(progress=1.2, progress_clamped=1.0, status="achieved")),
    ("descending-no-baseline", [DOWN], [val("D", Y(2024), 5, 7.5)], [], {},
     dict(progress=NAN, progress_clamped=NAN, status="no baseline")),
    ("target-equals-baseline-ascending-right-side", [UNIT], [val("U", Y(2024), 50, 50)],
     [base("U", 2023, 50)], {}, dict(progress=1.0, status="achieved")),
    ("target-equals-baseline-ascending-wrong-side", [UNIT], [val("U", Y(2024), 50, 49)],
     [base("U", 2023, 50)], {}, dict(progress=0.0, status="off track")),
    ("target-equals-baseline-descending-right-side", [DOWN], [val("D", Y(2024), 10, 9)],
     [base("D", 2023, 10)], {}, dict(progress=1.0, status="achieved")),
    ("target-equals-baseline-descending-wrong-side", [DOWN], [val("D", Y(2024), 10, 11)],
     [base("D", 2023, 10)], {}, dict(progress=0.0, status="off track")),
    ("target-zero-no-baseline-ascending", [UNIT], [val("U", Y(2024), 0, 0)], [], {},
     dict(progress=1.0, status="achieved")),
    ("cumulative-sums-inside-window", [CUM],
     [val("C", Q(2024, 1), 10, 5), val("C", Q(2024, 2), 10, 10), val("C", Q(2024, 3), 20, 10)], [], {},
     dict(target=40.0, actual=25.0, progress=0.625, status="at risk",
          period_start=date(2024, 1, 1), period_end=date(2024, 9, 30))),
    ("cumulative-as-of-excludes-later", [CUM],
     [val("C", Q(2024, 1), 10, 5), val("C", Q(2024, 2), 10, 10), val("C", Q(2024, 3), 20, 10)], [],
     dict(as_of=date(2024, 6, 30)),
     dict(target=20.0, actual=15.0, progress=0.75, status="on track", period_end=date(2024, 6, 30))),
    ("non-cumulative-latest-actual-and-its-target", [UNIT],
     [val("U", Y(2022), 40, 35), val("U", Y(2023), 60, 50), val("U", Y(2024), 80)], [], {},
     dict(target=60.0, actual=50.0, progress=50 / 60, status="on track",
          period_start=date(2023, 1, 1), period_end=date(2023, 12, 31))),
    ("latest-actual-without-target-uses-latest-target", [UNIT],
     [val("U", Y(2023), 50, 20), val("U", Q(2024, 2), actual=30), val("U", Q(2024, 1), 40)], [], {},
     dict(target=40.0, actual=30.0, progress=0.75, status="on track", period_end=date(2024, 6, 30))),
    ("annual-target-after-as-of-not-used", [UNIT],
     [val("U", Q(2024, 1), actual=30), val("U", Y(2024), 40)], [], dict(as_of=date(2024, 3, 31)),
     dict(target=NAN, actual=30.0, status="no data")),
    ("ordinal-no-baseline-from-scale-min", [ORD], [val("O", Y(2024), 5, 3)], [], {},
     dict(progress=0.5, status="at risk")),
    ("ordinal-descending-no-baseline", [ind("O", "ordinal", ascending=False, scale=(1.0, 5.0))],
     [val("O", Y(2024), 2, 3)], [], {}, dict(progress=NAN, status="no baseline")),
    ("ordinal-disaggregated-mean-of-groups", [ORD],
     [val("O", Y(2024), 5, 2, dim="sex", dim_value="F"), val("O", Y(2024), 5, 4, dim="sex", dim_value="M")],
     [], {}, dict(actual=3.0, target=5.0, progress=0.5, status="at risk")),
    ("ordinal-total-row-wins", [ORD],
     [val("O", Y(2024), 5, 4), val("O", Y(2024), 5, 2, dim="sex", dim_value="F"),
      val("O", Y(2024), 5, 2, dim="sex", dim_value="M")],
     [], {}, dict(actual=4.0, progress=0.75, status="on track")),
    ("target-from-groups-actual-from-total", [UNIT],
     [val("U", Y(2024), actual=30), val("U", Y(2024), 30, dim="sex", dim_value="F"),
      val("U", Y(2024), 50, dim="sex", dim_value="M")],
     [], {}, dict(target=40.0, actual=30.0, progress=0.75)),
    ("baseline-disaggregated-mean", [UNIT], [val("U", Y(2024), 100, 60)],
     [base("U", 2023, 10, dim="sex", dim_value="F"), base("U", 2023, 30, dim="sex", dim_value="M")], {},
     dict(baseline=20.0, progress=0.5)),
    ("baseline-total-wins", [UNIT], [val("U", Y(2024), 100, 60)],
     [base("U", 2023, 20), base("U", 2023, 90, dim="sex", dim_value="F")], {},
     dict(baseline=20.0, progress=0.5)),
    ("qualitative-text", [QUAL],
     [val("T", Y(2023), target_text="Code adopted", actual_text="Draft"),
      val("T", Y(2024), target_text="Code adopted", actual_text="Adopted in June")], [], {},
     dict(text="Adopted in June", target_text="Code adopted", progress=NAN, status="qualitative",
          target=NAN, actual=NAN, period_start=date(2024, 1, 1))),
    ("qualitative-without-text", [QUAL], [val("T", Y(2024), target_text="Code adopted")], [], {},
     dict(text=None, target_text="Code adopted", status="qualitative")),
    ("missing-actual", [UNIT], [val("U", Y(2023), 50), val("U", Y(2024), 80)], [], {},
     dict(target=80.0, actual=NAN, progress=NAN, status="no data", period_end=date(2024, 12, 31))),
    ("missing-target", [UNIT], [val("U", Y(2024), actual=80)], [], {},
     dict(target=NAN, actual=80.0, progress=NAN, status="no data")),
    ("descending-no-baseline-no-actual-is-no-data", [DOWN], [val("D", Y(2024), 5)], [], {},
     dict(status="no data")),
    ("over-achievement-clamped", [UNIT], [val("U", Y(2024), 100, 130)], [], {},
     dict(progress=1.3, progress_clamped=1.0, status="achieved")),
    ("negative-progress-clamped", [UNIT], [val("U", Y(2024), 100, 10)], [base("U", 2023, 20)], {},
     dict(progress=-0.125, progress_clamped=0.0, status="off track")),
    ("threshold-0.75-on-track", [UNIT], [val("U", Y(2024), 100, 75)], [], {}, dict(status="on track")),
    ("threshold-0.7499-at-risk", [UNIT], [val("U", Y(2024), 10000, 7499)], [], {}, dict(status="at risk")),
    ("threshold-0.5-at-risk", [UNIT], [val("U", Y(2024), 100, 50)], [], {}, dict(status="at risk")),
    ("threshold-0.49-off-track", [UNIT], [val("U", Y(2024), 100, 49)], [], {}, dict(status="off track")),
    ("float-noise-still-on-track", [UNIT], [val("U", Y(2024), 0.9, 0.7)], [base("U", 2023, 0.1)], {},
     dict(status="on track")),
    ("as-of-excludes-later-periods", [UNIT],
     [val("U", Y(2023), 50, 25), val("U", Y(2024), 50, 50)], [], dict(as_of=date(2023, 12, 31)),
     dict(actual=25.0, progress=0.5, period_end=date(2023, 12, 31))),
    ("as-of-mid-period-excludes-unfinished", [UNIT],
     [val("U", Y(2023), 50, 25), val("U", Y(2024), 50, 50)], [], dict(as_of=date(2024, 6, 30)),
     dict(actual=25.0, period_end=date(2023, 12, 31))),
    ("baseline-latest-before-earliest-period", [UNIT],
     [val("U", Y(2022), 100, 40), val("U", Y(2024), 100, 60)],
     [base("U", 2020, 0), base("U", 2021, 20), base("U", 2023, 50)], {},
     dict(baseline=20.0, baseline_year=2021, progress=0.5)),
    ("start-filter-and-its-baseline", [UNIT],
     [val("U", Y(2022), 100, 90), val("U", Y(2024), 100, 60)],
     [base("U", 2021, 20), base("U", 2023, 50)], dict(start=date(2023, 1, 1)),
     dict(baseline=50.0, baseline_year=2023, progress=0.2, status="off track")),
    ("baseline-after-window-start-ignored", [UNIT], [val("U", Y(2024), 100, 60)],
     [base("U", 2025, 50)], {}, dict(baseline=NAN, progress=0.6)),
    ("start-filter-excludes-cumulative-earlier", [CUM],
     [val("C", Y(2023), 10, 10), val("C", Y(2024), 10, 5)], [], dict(start=date(2024, 1, 1)),
     dict(target=10.0, actual=5.0, progress=0.5, period_start=date(2024, 1, 1))),
    ("unknown-indicator-defaults-to-ascending-unit", [], [val("Z", Y(2024), 100, 60)], [], {},
     dict(progress=0.6, status="at risk")),
]


@pytest.mark.parametrize(
    "indicators, values, baselines, kwargs, expected",
    [case[1:] for case in PAIR_CASES],
    ids=[case[0] for case in PAIR_CASES],
)
def test_compute_progress_pair(indicators, values, baselines, kwargs, expected):
    row = only_row(progress_of(values, baselines, indicators, **kwargs))
    assert_fields(row, expected)


def test_output_columns_and_dtypes():
    out = progress_of([val("U", Y(2024), 100, 60), val("T", Y(2024), actual_text="ok")],
                      [base("U", 2023, 20)], [UNIT, QUAL])
    assert list(out.columns) == PROGRESS_COLUMNS
    for column in ("baseline", "target", "actual", "progress", "progress_clamped"):
        assert out[column].dtype == float, column
    assert str(out["baseline_year"].dtype) == "Int64"
    assert isinstance(out["period_start"].iloc[0], date)
    assert list(out["indicator"]) == ["T", "U"]  # sorted by indicator, partner
    assert out.set_index("indicator")["text"].to_dict() == {"T": "ok", "U": None}


def test_one_row_per_pair_partners_kept_apart():
    out = progress_of([val("U", Y(2024), 100, 60, partner="KEN"), val("U", Y(2024), 100, 90, partner=""),
                       val("U", Y(2024), 100, 30, partner="GHA")], [base("U", 2023, 20, partner="KEN")], [UNIT])
    assert list(zip(out["partner"], out["progress"])) == [("", 0.9), ("GHA", 0.3), ("KEN", 0.5)]


def test_empty_inputs_give_empty_frame_with_columns():
    assert list(progress_of([], [], [UNIT]).columns) == PROGRESS_COLUMNS
    out = progress_of([val("U", Y(2024), 100, 60)], [], [UNIT], as_of=date(2020, 1, 1))
    assert out.empty and list(out.columns) == PROGRESS_COLUMNS


def test_default_as_of_is_latest_period_end():
    values, _, _ = frames([val("U", Y(2023), 50, 25), val("U", Q(2025, 2), 50), val("U", Y(2024), 5)])
    assert default_as_of(values) == date(2025, 6, 30)
    assert default_as_of(values.iloc[:0]) is None
    # compute_progress uses it (never today's date): the latest period is in the window
    row = only_row(progress_of([val("U", Y(2023), 50, 25), val("U", Q(2025, 2), 80, 60)], [], [UNIT]))
    assert (row["period_end"], row["target"], row["actual"]) == (date(2025, 6, 30), 80.0, 60.0)


# --- status_for ---------------------------------------------------------------------------

STATUS_CASES = [
    (1.3, "achieved"), (1.0, "achieved"), (0.9999, "on track"), (0.75, "on track"),
    (0.7499, "at risk"), (0.5, "at risk"), (0.49, "off track"), (0.0, "off track"),
    (-0.4, "off track"), (NAN, "no data"), (None, "no data"),
]


@pytest.mark.parametrize("progress, expected", STATUS_CASES, ids=[str(c[0]) for c in STATUS_CASES])
def test_status_for(progress, expected):
    assert status_for(progress, TH) == expected


def test_status_for_custom_thresholds():
    strict = Thresholds(achieved=1.0, on_track=0.9, at_risk=0.6)
    assert [status_for(p, strict) for p in (0.95, 0.8, 0.55)] == ["on track", "at risk", "off track"]
    assert status_for(0.8, Settings(thresholds=strict)) == "at risk"


def test_status_lists():
    assert STATUSES == ("achieved", "on track", "at risk", "off track", "no data")
    assert NON_SCORED == ("no data", "no baseline", "qualitative")


# --- rollup -------------------------------------------------------------------------------


def progress_rows(*rows):
    """(region, indicator, partner, progress_clamped, status) -> a progress-like frame."""
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
    out = rollup(frame, "region", thresholds=TH)
    assert list(out.columns) == ["region", *ROLLUP_VALUE_COLUMNS]
    got = [tuple(r) for r in out.itertuples(index=False)]
    assert got == [
        ("AME", pytest.approx(0.75), 2, 2, 1, "on track", 1, 0, 1, 0),
        ("ESA", pytest.approx(0.5), 2, 0, 0, "at risk", 0, 1, 0, 1),
        ("WCA", pytest.approx(NAN, nan_ok=True), 0, 0, 1, "no data", 0, 0, 0, 0),
    ]


def test_rollup_pair_in_several_groups_and_list_of_columns():
    frame = progress_rows(("AME", "A", "BRA", 1.0, "achieved"), ("ESA", "A", "BRA", 1.0, "achieved"),
                          ("ESA", "B", "KEN", 0.0, "off track"))
    frame["donor"] = ["NOR", "NOR", "GAC"]
    by_region = rollup(frame, "region", thresholds=TH)
    assert list(zip(by_region["region"], by_region["progress"], by_region["n"])) == [
        ("AME", 1.0, 1), ("ESA", 0.5, 2)]
    by_two = rollup(frame, ["donor", "region"], thresholds=TH)
    assert list(zip(by_two["donor"], by_two["region"], by_two["n"])) == [
        ("GAC", "ESA", 1), ("NOR", "AME", 1), ("NOR", "ESA", 1)]


def test_rollup_of_compute_progress_output_and_empty():
    out = progress_of([val("U", Y(2024), 100, 60, partner="KEN"), val("U", Y(2024), 100, 100, partner="GHA")],
                      [], [UNIT])
    out["programme"] = "A-CIP"
    row = only_row(rollup(out, "programme", thresholds=TH))
    assert (row["progress"], row["n"], row["status"]) == (pytest.approx(0.8), 2, "on track")
    empty = rollup(out.iloc[:0], "programme", thresholds=TH)
    assert empty.empty and list(empty.columns) == ["programme", *ROLLUP_VALUE_COLUMNS]


# --- completeness -------------------------------------------------------------------------


def test_completeness_due_and_missing():
    values, _, _ = frames([
        val("U", Y(2023), 50, 40),                                # due, reported
        val("U", Y(2024), 60),                                    # due, missing
        val("U", Q(2025, 1), 70),                                 # after as_of: not due
        val("V", Y(2024), actual=5),                              # no target: not due
        val("W", Y(2024), 10, dim="sex", dim_value="F"),          # target on a group row ...
        val("W", Y(2024), actual=4, dim="sex", dim_value="M"),    # ... actual on another: reported
        val("T", Y(2024), target_text="Adopted"),                 # qualitative, missing
        val("U", Y(2024), 60, partner="GHA"),                     # another partner, missing
    ])
    out = completeness(values, as_of=date(2024, 12, 31))
    assert list(out.columns) == COMPLETENESS_COLUMNS
    assert [tuple(r) for r in out.itertuples(index=False)] == [
        ("GHA", "U", date(2024, 1, 1), date(2024, 12, 31), False, "missing"),
        ("KEN", "T", date(2024, 1, 1), date(2024, 12, 31), False, "missing"),
        ("KEN", "U", date(2023, 1, 1), date(2023, 12, 31), True, "reported"),
        ("KEN", "U", date(2024, 1, 1), date(2024, 12, 31), False, "missing"),
        ("KEN", "W", date(2024, 1, 1), date(2024, 12, 31), True, "reported"),
    ]


def test_completeness_default_as_of_is_latest_period_end():
    values, _, _ = frames([val("U", Y(2024), 60), val("U", Q(2025, 1), 70, 70)])
    out = completeness(values)
    assert list(zip(out["period_end"], out["status"])) == [
        (date(2024, 12, 31), "missing"), (date(2025, 3, 31), "reported")]
    assert completeness(values.iloc[:0]).empty


# --- help text ----------------------------------------------------------------------------


def test_progress_help_states_formula_thresholds_and_n():
    text = progress_help(TH)
    for part in ("(actual − baseline) ÷ (target − baseline)", "100 %", "75 %", "50 %", "n is"):
        assert part in text
    assert "90 %" in progress_help(Thresholds(achieved=1.0, on_track=0.9, at_risk=0.6))


def test_progress_module_does_not_import_streamlit():
    code = "import sys, models.progress, models.config; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=config.REPO_ROOT)


# --- config ---------------------------------------------------------------------------------


@pytest.fixture
def fresh_settings(monkeypatch):
    monkeypatch.delenv("RESULTSBOARD_CONFIG", raising=False)
    config.clear_settings_cache()
    yield
    config.clear_settings_cache()


def test_project_config_file_holds_the_defaults(fresh_settings):
    settings = load_settings()
    assert settings.thresholds == Thresholds(achieved=1.0, on_track=0.75, at_risk=0.5)
    assert settings.path == config.REPO_ROOT / "resultsboard.toml"
    assert load_settings() is settings  # cached


def test_missing_file_gives_defaults(fresh_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("RESULTSBOARD_CONFIG", str(tmp_path / "absent.toml"))
    assert load_settings().thresholds == Thresholds()
    assert load_settings(tmp_path / "absent.toml") == Settings()


def test_env_var_overrides_and_thresholds_follow(fresh_settings, tmp_path, monkeypatch):
    path = tmp_path / "custom.toml"
    path.write_text("[progress]\nachieved = 0.95\non_track = 0.8\nat_risk = 0.6\n")
    monkeypatch.setenv("RESULTSBOARD_CONFIG", str(path))
    assert load_settings().thresholds == Thresholds(achieved=0.95, on_track=0.8, at_risk=0.6)
    # the default thresholds of progress functions come from the config in use
    assert status_for(0.96) == "achieved"
    assert status_for(0.75) == "at risk"
    assert "80 %" in progress_help()


def test_partial_file_keeps_other_defaults(tmp_path):
    path = tmp_path / "partial.toml"
    path.write_text("[progress]\non_track = 0.7\n")
    assert load_settings(path).thresholds == Thresholds(achieved=1.0, on_track=0.7, at_risk=0.5)


INVALID_CONFIGS = [
    ("not-a-number", 'on_track = "high"', "progress.on_track"),
    ("boolean", "at_risk = true", "progress.at_risk"),
    ("zero-at-risk", "at_risk = 0", "progress.at_risk"),
    ("on-track-below-at-risk", "on_track = 0.4", "progress.on_track"),
    ("on-track-equals-at-risk", "on_track = 0.5", "progress.on_track"),
    ("achieved-below-on-track", "achieved = 0.7", "progress.achieved"),
    ("percentages-not-fractions", "achieved = 100\non_track = 75\nat_risk = 50", "progress.achieved"),
    ("unknown-key", "on-track = 0.8", "progress.on-track"),
    ("not-toml", "achieved = = 1", "not valid TOML"),
]


@pytest.mark.parametrize("body, names", [c[1:] for c in INVALID_CONFIGS], ids=[c[0] for c in INVALID_CONFIGS])
def test_invalid_config_is_refused_naming_the_key(fresh_settings, tmp_path, monkeypatch, body, names):
    path = tmp_path / "bad.toml"
    path.write_text(f"[progress]\n{body}\n")
    with pytest.raises(ValueError, match=names):
        load_settings(path)
    monkeypatch.setenv("RESULTSBOARD_CONFIG", str(path))
    with pytest.raises(ValueError, match=names):
        load_settings()


DATABASE_URL_CASES = [
    ("default", None, f"sqlite:///{config.REPO_ROOT / 'data' / 'resultsboard.db'}"),
    ("env", "postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
]


@pytest.mark.parametrize("env, expected", [c[1:] for c in DATABASE_URL_CASES],
                         ids=[c[0] for c in DATABASE_URL_CASES])
def test_database_url(monkeypatch, env, expected):
    if env is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", env)
    assert config.database_url() == expected
    assert config.DEFAULT_DATABASE_PATH == config.DATA_DIR / "resultsboard.db"

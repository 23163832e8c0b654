"""Indicator page: period labels, the indicator definition, and the bullet chart
(actual bar by status, target and baseline markers) on small hand-made frames."""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from dashboard.charts.common import STATUS_COLOURS
from dashboard.charts.indicators import BASELINE_COLOUR, TARGET_COLOUR, indicator_targets_chart
from models.scoring.periods import period_label
from models.queries.profiles import INDICATOR_TARGET_COLUMNS, indicator_definition
from models.queries.snapshot import Snapshot

NAN = math.nan
NOTE = "Data as of 2025-12-31."


def definition(measure="unit", *, unit="hours", scale=(None, None), ascending=True, code="IND03", name="Release time"):
    return {
        "code": code, "name": name, "measure": measure, "unit": unit,
        "direction": "higher is better" if ascending else "lower is better",
        "scale_min": scale[0], "scale_max": scale[1],
    }


def target_rows(*rows):
    """rows: (partner, name, baseline, baseline_year, target, actual, progress, status)."""
    records = []
    for partner, name, b, by, t, a, p, s in rows:
        records.append(dict(
            partner=partner, partner_name=name, region="AME", period="2025",
            period_start=date(2025, 1, 1), period_end=date(2025, 12, 31), baseline=b,
            baseline_year=by, target=t, actual=a, target_text=None, text=None,
            progress=p, progress_clamped=min(max(p, 0), 1) if p == p else NAN, status=s,
        ))
    return pd.DataFrame(records, columns=INDICATOR_TARGET_COLUMNS)


# --- period labels --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2024, 1, 1), date(2024, 12, 31), "2024"),
        (date(2024, 1, 1), date(2024, 6, 30), "2024-H1"),
        (date(2024, 7, 1), date(2024, 12, 31), "2024-H2"),
        (date(2024, 4, 1), date(2024, 6, 30), "2024-Q2"),
        (date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        (date(2024, 2, 1), date(2024, 3, 31), "2024-02-01 – 2024-03-31"),
        (date(2024, 7, 1), date(2025, 6, 30), "2024-07-01 – 2025-06-30"),
        (None, date(2024, 6, 30), ""),
    ],
)
def test_period_label(start, end, expected):
    assert period_label(start, end) == expected


# --- the definition -------------------------------------------------------------------------

def _snapshot(indicators: pd.DataFrame, framework: pd.DataFrame) -> Snapshot:
    empty = pd.DataFrame()
    return Snapshot(regions=empty, key_factors=empty, donors=empty, partners=pd.DataFrame(columns=["code", "name"]),
                    agreements=empty, funding=empty, framework=framework, indicators=indicators, activities=empty,
                    activity_partners=empty, activity_key_factors=empty, values=empty, baselines=empty)


def test_indicator_definition():
    indicators = pd.DataFrame([
        dict(code="IND01", name="Survey score", level="impact", measure="ordinal", ascending=True, unit="score",
             key_factor=9, result="IMP", description="Mean score.", cumulative=False, scale_min=1.0, scale_max=5.0),
        dict(code="IND03", name="Release time", level="outcome", measure="unit", ascending=False, unit="hours",
             key_factor=None, result=None, description=None, cumulative=True, scale_min=NAN, scale_max=NAN),
    ])
    indicators["key_factor"] = indicators["key_factor"].astype("Int64")
    framework = pd.DataFrame([dict(code="IMP", title="Improved integrity", level="impact", parent=None)])
    v = _snapshot(indicators, framework)
    assert indicator_definition(v, "IND01") == {
        "code": "IND01", "name": "Survey score", "level": "impact", "result": "IMP", "result_title": "Improved integrity",
        "measure": "ordinal", "unit": "score", "ascending": True, "direction": "higher is better", "cumulative": False,
        "scale_min": 1.0, "scale_max": 5.0, "scale": "1 to 5", "key_factor": 9,
        "key_factor_name": "Morale and Organizational Culture", "description": "Mean score.",
        # reporting attributes: none stored, so the defaults (annual; mean for an ordinal measure)
        "frequency": "annual", "aggregation": "mean",
        "aggregation_text": "mean: the reporting periods' figures inside a target period are averaged",
    }
    d = indicator_definition(v, "IND03")
    assert (d["direction"], d["cumulative"], d["scale"], d["key_factor"], d["result"], d["description"]) == (
        "lower is better", True, None, None, None, None)
    assert (d["frequency"], d["aggregation"]) == ("annual", "sum")  # a unit measure adds up
    assert indicator_definition(v, "NOPE") is None


# --- the bullet chart -----------------------------------------------------------------------

def test_bullet_chart_bars_by_status_then_target_and_baseline():
    rows = target_rows(
        ("GTM", "Guatemala", 40.0, 2020, 20.0, 18.0, 1.1, "achieved"),
        ("HND", "Honduras", 30.0, 2020, 20.0, 28.0, 0.2, "off track"),
        ("MEX", "Mexico", NAN, pd.NA, 25.0, NAN, NAN, "no data"),
    )
    fig = indicator_targets_chart(rows, definition=definition(ascending=False), note=NOTE)
    assert [t.name for t in fig.data] == ["actual: achieved", "actual: off track", "target", "baseline"]
    achieved, off, target, baseline = fig.data
    assert (list(achieved.x), list(achieved.y), list(achieved.base), achieved.marker.color) == (
        [18.0], ["Guatemala"], [0.0], STATUS_COLOURS["achieved"])
    assert (list(off.x), list(off.y), off.marker.color) == ([28.0], ["Honduras"], STATUS_COLOURS["off track"])
    assert (list(target.x), list(target.y), target.marker.color) == ([20.0, 20.0, 25.0], ["Guatemala", "Honduras", "Mexico"], TARGET_COLOUR)
    assert (list(baseline.x), list(baseline.y), baseline.marker.line.color) == ([40.0, 30.0], ["Guatemala", "Honduras"], BASELINE_COLOUR)
    assert fig.layout.title.text == "IND03 · Release time: actual against target"
    assert fig.layout.xaxis.title.text == "hours (lower is better)"
    assert list(fig.layout.yaxis.categoryarray) == ["Mexico", "Honduras", "Guatemala"]
    assert "progress 110 % — achieved" in achieved.hovertext[0]
    assert fig.layout.annotations[-1].text == NOTE


def test_ordinal_bars_start_at_the_bottom_of_the_scale():
    rows = target_rows(("ETH", "Ethiopia", 3.0, 2020, 3.5, 3.75, 1.5, "achieved"))
    fig = indicator_targets_chart(rows, definition=definition("ordinal", unit="score (1 to 5)", scale=(1.0, 5.0)), note=NOTE)
    bar = fig.data[0]
    assert (list(bar.x), list(bar.base)) == ([2.75], [1.0])
    assert list(fig.layout.xaxis.range) == [1.0, 5.0]


@pytest.mark.parametrize(
    "measure, rows, message",
    [
        ("qualitative", target_rows(), "Qualitative indicator: see the table of texts"),
        ("unit", target_rows(), "No data for this selection"),
        ("unit", target_rows(("GTM", "Guatemala", 1.0, 2020, NAN, NAN, NAN, "no data")), "No data for this selection"),
    ],
)
def test_empty_and_qualitative(measure, rows, message):
    fig = indicator_targets_chart(rows, definition=definition(measure), note=NOTE)
    assert len(fig.data) == 0
    assert [a.text for a in fig.layout.annotations] == [message, NOTE]

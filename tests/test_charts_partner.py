"""Partner profile charts on small hand-made frames: progress per indicator, and target
against actual over the periods (disaggregations apart, baselines dotted)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.charts.common import SERIES_COLOURS, STATUS_COLOURS
from dashboard.charts.partner import indicator_progress, indicator_trend, wrap_title

NOTE = "Data as of 2025-12-31. · Illustrative demo data, not official results."


def indicator_rows(*rows) -> pd.DataFrame:
    columns = ["label", "period", "baseline_shown", "target_shown", "actual_shown", "progress", "progress_clamped", "status"]
    return pd.DataFrame(list(rows), columns=columns)


ROWS = indicator_rows(
    ("IND04 · Electronic declarations", "2025", "31 % (2020)", "51.4 %", "51.6 %", 1.0098, 1.0, "achieved"),
    ("IND07 · Complaints investigated", "2025", "34 cases (2020)", "52 cases", "49 cases", 0.8333, 0.8333, "on track"),
    ("IND03 · Release time", "2025", "", "12 hours", "20 hours", -0.25, 0.0, "off track"),
    ("IND08 · Action plan", "2025", "None (2020)", "Adopted", "Draft", math.nan, math.nan, "qualitative"),
)


def test_indicator_progress_bars_clamped_labels_raw():
    fig = indicator_progress(ROWS, title="Guatemala Customs: progress by indicator", note=NOTE)
    bar = fig.data[0]
    assert list(bar.y) == ["IND08 · Action plan", "IND03 · Release time", "IND07 · Complaints investigated",
                           "IND04 · Electronic declarations"]  # first indicator on top
    assert [round(x, 2) for x in bar.x] == [0.0, 0.0, 83.33, 100.0]
    assert list(bar.text) == ["qualitative", "-25 %", "83 %", "101 %"]
    assert list(bar.marker.color) == [STATUS_COLOURS[s] for s in ["qualitative", "off track", "on track", "achieved"]]
    assert "baseline 31 % (2020) · target 51.4 % · actual 51.6 %" in bar.hovertext[3]
    # the colour key: one legend entry per status present, in DESIGN.md's status order (qualitative first)
    assert [(t.name, t.marker.color) for t in fig.data[1:]] == [
        (s, STATUS_COLOURS[s]) for s in ["qualitative", "achieved", "on track", "off track"]]
    assert bar.showlegend is False
    assert fig.layout.xaxis.title.text == "Progress (%): bar clamped to 0–100, label raw"


def series_rows(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=["series", "period", "period_start", "period_end", "target", "actual", "comment"])
    frame["indicator"] = "IND"
    return frame


TOTAL = series_rows(
    ("total", "2022", "2022-01-01", "2022-12-31", 39.2, 39.2, None),
    ("total", "2021", "2021-01-01", "2021-12-31", 35.1, 34.8, None),
    ("total", "2023", "2023-01-01", "2023-12-31", 43.3, None, "Not reported"),
)


def test_trend_of_a_total_series():
    baselines = pd.DataFrame({"series": ["total"], "year": [2020], "value": [31.0]})
    fig = indicator_trend(TOTAL, title="IND04 · Share of declarations processed electronically", note=NOTE, unit="%",
                          baselines=baselines)
    assert [(t.name, list(t.x), list(t.y), t.line.dash, t.line.color) for t in fig.data] == [
        ("actual", ["2021", "2022"], [34.8, 39.2], "solid", SERIES_COLOURS[0]),
        ("target", ["2021", "2022", "2023"], [35.1, 39.2, 43.3], "dash", SERIES_COLOURS[0]),
        ("baseline 2020", ["2021", "2022", "2023"], [31.0, 31.0, 31.0], "dot", SERIES_COLOURS[0]),
    ]
    assert list(fig.data[1].customdata) == ["", "", "Not reported"]  # comments in the hover
    assert list(fig.layout.xaxis.categoryarray) == ["2021", "2022", "2023"]  # periods in time order
    assert fig.layout.yaxis.title.text == "Value (%)"
    assert fig.layout.yaxis.rangemode == "tozero"
    assert fig.layout.title.text == "IND04 · Share of declarations processed<br>electronically"


def test_trend_keeps_disaggregations_apart():
    rows = series_rows(
        ("customs officers", "2021", "2021-01-01", "2021-12-31", None, 3.82, "First round"),
        ("customs officers", "2023", "2023-01-01", "2023-12-31", 4.06, 3.67, None),
        ("private sector", "2021", "2021-01-01", "2021-12-31", None, 3.32, "First round"),
        ("private sector", "2023", "2023-01-01", "2023-12-31", 3.77, 3.67, None),
    )
    baselines = pd.DataFrame({"series": ["customs officers", "private sector"], "year": [2021, 2021], "value": [3.82, 3.32]})
    fig = indicator_trend(rows, title="IND01 · Survey score", note=NOTE, unit="score (1 to 5)", baselines=baselines,
                          scale=(1.0, 5.0))
    blue, orange = SERIES_COLOURS[0], SERIES_COLOURS[1]
    assert [(t.name, list(t.x), [None if y is None else y for y in t.y], t.line.color, t.showlegend) for t in fig.data] == [
        ("customs officers", [None], [None], blue, None),  # colour key
        ("actual — customs officers", ["2021", "2023"], [3.82, 3.67], blue, False),
        ("target — customs officers", ["2023"], [4.06], blue, False),
        ("baseline 2021 — customs officers", ["2021", "2023"], [3.82, 3.82], blue, False),
        ("private sector", [None], [None], orange, None),
        ("actual — private sector", ["2021", "2023"], [3.32, 3.67], orange, False),
        ("target — private sector", ["2023"], [3.77], orange, False),
        ("baseline 2021 — private sector", ["2021", "2023"], [3.32, 3.32], orange, False),
    ]
    assert list(fig.layout.yaxis.range) == [1.0, 5.0]
    assert fig.layout.yaxis.title.text == "Value (score (1 to 5))"


def test_trend_without_data_is_an_empty_figure():
    fig = indicator_trend(TOTAL.iloc[0:0], title="IND04", note=NOTE)
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text == "No data for this selection"


@pytest.mark.parametrize("title, text, lines", [
    ("IND07 · Complaints", "IND07 · Complaints", 1),
    ("IND01 · Customs Integrity Perception Survey score: perceived integrity",
     "IND01 · Customs Integrity Perception Survey score:\nperceived integrity", 2),
])
def test_wrap_title(title, text, lines):
    assert wrap_title(title) == (text, lines)

"""Key factors page: progress bars, the partner × key factor heatmap, activities per key
factor, and the survey rounds (reshaping and charts) on small hand-made frames."""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from dashboard.charts.key_factors import (
    FIRST_ROUND_COLOUR,
    LATEST_ROUND_COLOUR,
    SEQUENTIAL_SCALE,
    activities_by_key_factor_chart,
    key_factor_heatmap,
    key_factor_progress_bars,
    survey_dumbbell,
    survey_key_factor_bars,
)
from dashboard.chart_data import figure_data
from models.queries.activities import activities_by_key_factor
from models.queries.filters import Filters
from models.queries.labels import key_factor_label
from models.queries.snapshot import Snapshot
from models.queries.surveys import survey_change_by_key_factor, survey_comparison, survey_rounds

NAN = math.nan
NOTE = "Data as of 2025-12-31."


def snapshot(*, values=(), indicators=(), partners=(), activities=(), activity_key_factors=(), filters=Filters()) -> Snapshot:
    empty = pd.DataFrame()
    ind = pd.DataFrame(list(indicators), columns=["code", "name", "measure", "key_factor"])
    ind["key_factor"] = ind["key_factor"].astype("Int64")
    return Snapshot(
        regions=empty, key_factors=empty, donors=empty,
        partners=pd.DataFrame(list(partners), columns=["code", "name"]), agreements=empty, funding=empty, framework=empty,
        indicators=ind, activities=pd.DataFrame(list(activities), columns=["id", "participants"]),
        activity_partners=pd.DataFrame(columns=["activity_id", "partner"]),
        activity_key_factors=pd.DataFrame(list(activity_key_factors), columns=["activity_id", "key_factor"]),
        values=pd.DataFrame(list(values), columns=["indicator", "partner", "period_start", "period_end", "dimension",
                                                   "dimension_value", "target", "actual"]),
        baselines=empty, filters=filters,
    )


def score(indicator, partner, year, group, actual):
    return (indicator, partner, date(year, 1, 1), date(year, 12, 31), "respondent" if group else "", group, NAN, actual)


SURVEY = dict(
    indicators=[("IND01", "Integrity score", "ordinal", 9), ("IND02", "Transparency score", "ordinal", 3),
                ("IND05", "Code signed", "percentage", 7)],
    partners=[("ETH", "Ethiopia"), ("GHA", "Ghana"), ("AFG", "Afghanistan")],
    values=[
        score("IND01", "ETH", 2020, "customs officers", 3.0),
        score("IND01", "ETH", 2020, "private sector", 2.5),
        score("IND01", "ETH", 2023, "customs officers", 3.5),
        score("IND01", "ETH", 2023, "private sector", 3.25),
        score("IND01", "GHA", 2021, "customs officers", 4.0),
        score("IND01", "GHA", 2024, "customs officers", 3.5),
        score("IND01", "AFG", 2020, "customs officers", 2.0),  # one round only
        score("IND02", "ETH", 2020, "", 2.0),  # no respondent group
        score("IND02", "ETH", 2023, "", 2.5),
        score("IND05", "ETH", 2023, "", 50.0),  # not a survey indicator
    ],
)


# --- reshaping --------------------------------------------------------------------------------

def test_survey_rounds_number_each_administrations_waves():
    r = survey_rounds(snapshot(**SURVEY))
    assert list(r[["indicator", "partner", "group", "wave", "round", "rounds", "actual"]].itertuples(index=False, name=None)) == [
        ("IND01", "AFG", "customs officers", 2020, 1, 1, 2.0),
        ("IND01", "ETH", "customs officers", 2020, 1, 2, 3.0),
        ("IND01", "ETH", "customs officers", 2023, 2, 2, 3.5),
        ("IND01", "ETH", "private sector", 2020, 1, 2, 2.5),
        ("IND01", "ETH", "private sector", 2023, 2, 2, 3.25),
        ("IND01", "GHA", "customs officers", 2021, 1, 2, 4.0),
        ("IND01", "GHA", "customs officers", 2024, 2, 2, 3.5),
        ("IND02", "ETH", "all respondents", 2020, 1, 2, 2.0),
        ("IND02", "ETH", "all respondents", 2023, 2, 2, 2.5),
    ]
    assert set(r["partner_name"]) == {"Afghanistan", "Ethiopia", "Ghana"}


def test_survey_comparison_first_against_latest():
    c = survey_comparison(snapshot(**SURVEY), "IND01")
    rows = [(p, g, fw, f, None if pd.isna(lw) else int(lw), None if pd.isna(la) else la, None if pd.isna(ch) else ch)
            for p, g, fw, f, lw, la, ch in c[["partner", "group", "first_wave", "first", "latest_wave", "latest", "change"]]
            .itertuples(index=False, name=None)]
    assert rows == [
        ("AFG", "customs officers", 2020, 2.0, None, None, None),
        ("ETH", "customs officers", 2020, 3.0, 2023, 3.5, 0.5),
        ("ETH", "private sector", 2020, 2.5, 2023, 3.25, 0.75),
        ("GHA", "customs officers", 2021, 4.0, 2024, 3.5, -0.5),
    ]


def test_survey_change_by_key_factor_counts_administrations_with_both_rounds():
    s = survey_change_by_key_factor(snapshot(**SURVEY))
    assert list(s[["key_factor", "indicator", "group", "first", "latest", "change", "n"]].itertuples(index=False, name=None)) == [
        (3, "IND02", "all respondents", 2.0, 2.5, 0.5, 1),
        (9, "IND01", "customs officers", 3.5, 3.5, 0.0, 2),
        (9, "IND01", "private sector", 2.5, 3.25, 0.75, 1),
    ]


def test_no_survey_data_gives_empty_frames():
    v = snapshot(indicators=[("IND05", "Code signed", "percentage", 7)])
    assert survey_rounds(v).empty and survey_comparison(v).empty and survey_change_by_key_factor(v).empty


@pytest.mark.parametrize(
    "filters, expected",
    [
        (Filters(), [(1, 2, 30), (2, 1, 10), (3, 0, 0), (4, 0, 0), (5, 0, 0), (6, 0, 0), (7, 0, 0), (8, 0, 0), (9, 0, 0), (10, 1, 20)]),
        (Filters(key_factors=(2, 3)), [(2, 1, 10), (3, 0, 0)]),
    ],
)
def test_activities_by_key_factor(filters, expected):
    v = snapshot(activities=[(1, 10), (2, 20), (3, None)], activity_key_factors=[(1, 1), (1, 2), (2, 1), (2, 10), (2, 10)],
                 filters=filters)
    out = activities_by_key_factor(v)
    assert list(out[["key_factor", "activities", "participants"]].itertuples(index=False, name=None)) == expected
    assert out["label"].iloc[0] == key_factor_label(expected[0][0])


# --- charts -----------------------------------------------------------------------------------

def rollup_rows(*rows):
    cols = ["key_factor", "progress", "n", "n_no_data", "n_qualitative", "status", "achieved", "on_track", "at_risk", "off_track"]
    return pd.DataFrame([r + (0, 0, 0, 0) for r in rows], columns=cols)


KF_LABELS = {k: key_factor_label(k) for k in range(1, 11)}


@pytest.mark.parametrize("key_factors,expected,colour_key", [
    # every key factor has a row, bottom to top: the ones without a figure (key factor 1 on top of them), then by progress
    ((), [*[(KF_LABELS[k], None, "qualitative (n=0)" if k == 1 else "no data (n=0)") for k in (10, 8, 7, 6, 5, 4, 2, 1)],
          (KF_LABELS[9], 50.0, "50 %  (n=2)"), (KF_LABELS[3], 80.0, "80 %  (n=4)")], ["on track", "at risk"]),
    # the key factor filter: only the key factors asked for, one without data included
    ((3, 2), [(KF_LABELS[2], None, "no data (n=0)"), (KF_LABELS[3], 80.0, "80 %  (n=4)")], ["on track"]),
    ((1,), None, None),  # nothing scored in the selection: the chart says so
], ids=["all-ten", "filter-2-3", "filter-1-qualitative-only"])
def test_key_factor_progress_bars_show_every_key_factor(key_factors, expected, colour_key):
    """Key factor 1 (only qualitative pairs: n=0) and key factor 2 (no indicator at all) are
    treated alike: a row each, no bar, an explicit marker; the chart's data has the same rows."""
    rollup = rollup_rows((3, 0.8, 4, 0, 0, "on track"), (9, 0.5, 2, 1, 0, "at risk"), (1, NAN, 0, 0, 2, "qualitative"))
    fig = key_factor_progress_bars(rollup, note=NOTE, key_factors=key_factors)
    assert fig.layout.title.text == "Progress by Arusha key factor"
    if expected is None:
        assert [a.text for a in fig.layout.annotations] == ["No data for this selection", NOTE]
        return
    bar = fig.data[0]
    assert list(zip(bar.y, bar.x, bar.text)) == expected
    # the marker is drawn where a bar would start, one per row without a bar; the note comes last
    assert [(a.y, a.x, a.text) for a in fig.layout.annotations[:-1]] == [(lab, 0, t) for lab, x, t in expected if x is None]
    assert [t.name for t in fig.data[1:]] == colour_key  # the colours of the bars drawn, no other
    # the chart's data: the same rows, empty where there is no bar, and no colour-key row
    data = figure_data(fig)
    assert [(r["series"], r["y"], None if pd.isna(r["x"]) else r["x"], r["text"]) for r in data.to_dict("records")] == [
        ("mean progress", lab, x, t) for lab, x, t in expected]


def test_heatmap_cells_n_and_columns_with_data():
    cells = pd.DataFrame([
        ("ETH", "Ethiopia", 3, 0.755, 2), ("ETH", "Ethiopia", 9, 1.0, 1), ("GHA", "Ghana", 3, 0.25, 1),
        ("GHA", "Ghana", 1, NAN, 0),  # key factor 1: no progress figure anywhere -> no column
    ], columns=["partner", "partner_name", "key_factor", "progress", "n"])
    fig = key_factor_heatmap(cells, note=NOTE)
    hm = fig.data[0]
    assert list(hm.x) == ["3. Transparency", "9. Morale and Organizational Culture"]
    assert list(hm.y) == ["Ethiopia", "Ghana"]
    assert [list(r) for r in hm.z] == [[75.5, 100.0], [25.0, None]]
    assert [list(r) for r in hm.customdata] == [[2, 1], [1, 0]]
    assert [list(r) for r in hm.text] == [["76", "100"], ["25", ""]]
    assert (hm.zmin, hm.zmax) == (0, 100)
    assert hm.colorscale == key_factor_heatmap_colorscale()
    assert "n = %{customdata}" in hm.hovertemplate


@pytest.mark.parametrize("most_cells, text", [(4, [["76", "100"], ["25", ""]]), (3, None)], ids=["drawn", "too-many-cells"])
def test_heatmap_cell_figures_are_written_only_up_to_a_number_of_cells(monkeypatch, most_cells, text):
    """Beyond common.CELL_TEXT_MAX cells the browser would spend seconds drawing the figures: the hover gives them."""
    import dashboard.charts.key_factors as module

    monkeypatch.setattr(module, "CELL_TEXT_MAX", most_cells)
    cells = pd.DataFrame([("ETH", "Ethiopia", 3, 0.755, 2), ("ETH", "Ethiopia", 9, 1.0, 1), ("GHA", "Ghana", 3, 0.25, 1)],
                         columns=["partner", "partner_name", "key_factor", "progress", "n"])
    hm = key_factor_heatmap(cells, note=NOTE).data[0]
    assert (None if hm.text is None else [list(r) for r in hm.text], hm.texttemplate) == (text, text and "%{text}")
    assert [list(r) for r in hm.z] == [[75.5, 100.0], [25.0, None]]


def key_factor_heatmap_colorscale():
    import plotly.graph_objects as go

    return go.Heatmap(colorscale=SEQUENTIAL_SCALE).colorscale


def test_activities_by_key_factor_chart():
    counts = pd.DataFrame({"key_factor": [1, 2], "label": ["1. Leadership and Commitment", "2. Regulatory Framework"],
                           "activities": [3, 0], "participants": [40, 0]})
    bar = activities_by_key_factor_chart(counts, note=NOTE).data[0]
    assert (list(bar.y), list(bar.x), list(bar.customdata)) == (
        ["2. Regulatory Framework", "1. Leadership and Commitment"], [0, 3], [0, 40])
    assert len(activities_by_key_factor_chart(counts.assign(activities=0), note=NOTE).data) == 0


def test_survey_dumbbell_one_panel_per_group():
    fig = survey_dumbbell(survey_comparison(snapshot(**SURVEY), "IND01"), note=NOTE, scale=(1.0, 5.0))
    assert [(t.name, t.xaxis) for t in fig.data] == [
        ("change", "x"), ("first round", "x"), ("latest round", "x"),
        ("change", "x2"), ("first round", "x2"), ("latest round", "x2"),
    ]
    link, first, latest = fig.data[:3]  # customs officers
    assert list(first.y) == ["Afghanistan", "Ethiopia", "Ghana"] and list(first.x) == [2.0, 3.0, 4.0]
    assert list(latest.y) == ["Ethiopia", "Ghana"] and list(latest.x) == [3.5, 3.5]
    assert list(link.x) == [3.0, 3.5, None, 4.0, 3.5, None]
    assert (first.marker.color, latest.marker.color) == (FIRST_ROUND_COLOUR, LATEST_ROUND_COLOUR)
    assert [t.showlegend for t in fig.data if t.name != "change"] == [True, True, False, False]
    assert fig.layout.xaxis.title.text == "<b>customs officers</b>: mean score (1 to 5)"
    assert fig.layout.xaxis2.title.text == "<b>private sector</b>: mean score (1 to 5)"
    assert list(fig.layout.xaxis.range) == [0.9, 5.1]
    assert fig.layout.title.text == "Integrity score: first round against latest round"


def test_survey_key_factor_bars():
    fig = survey_key_factor_bars(survey_change_by_key_factor(snapshot(**SURVEY)), note=NOTE)
    assert [t.name for t in fig.data] == ["first round", "latest round"]
    assert list(fig.data[0].y) == ["3. Transparency (IND02) · all respondents",
                                   "9. Morale and Organizational Culture (IND01) · customs officers",
                                   "9. Morale and Organizational Culture (IND01) · private sector"]
    assert list(fig.data[0].x) == [2.0, 3.5, 2.5]
    assert list(fig.data[1].x) == [2.5, 3.5, 3.25]
    assert [c[0] for c in fig.data[1].customdata] == [1, 2, 1]  # n administrations


@pytest.mark.parametrize(
    "build",
    [
        lambda: key_factor_progress_bars(rollup_rows(), note=NOTE),
        lambda: key_factor_heatmap(pd.DataFrame(columns=["partner", "partner_name", "key_factor", "progress", "n"]), note=NOTE),
        lambda: survey_dumbbell(survey_comparison(snapshot()), note=NOTE),
        lambda: survey_key_factor_bars(survey_change_by_key_factor(snapshot()), note=NOTE),
    ],
)
def test_empty_selections_give_an_empty_figure(build):
    fig = build()
    assert len(fig.data) == 0
    assert [a.text for a in fig.layout.annotations] == ["No data for this selection", NOTE]

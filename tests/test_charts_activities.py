"""Activities page: counts by mode / donor / year and the timeline, on small hand-made frames."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.charts.activities import (
    DAY_MS,
    MODE_COLOURS,
    TYPE_COLOURS,
    activities_by_donor_chart,
    activities_by_mode_chart,
    activity_timeline,
    participants_by_year_chart,
)
from models.queries.activities import activities_listing, activity_counts
from models.queries.filters import Filters
from models.queries.snapshot import Snapshot

NOTE = "Data as of 2025-12-31."
ACTIVITY_COLUMNS = ["id", "code", "title", "type", "start", "end", "mode", "status", "participants", "donor", "description"]


def snapshot(activities, partners=(), key_factors=()) -> Snapshot:
    empty = pd.DataFrame()
    acts = pd.DataFrame(list(activities), columns=ACTIVITY_COLUMNS)
    acts["participants"] = acts["participants"].astype(float)
    return Snapshot(
        regions=empty, key_factors=empty, donors=empty, partners=pd.DataFrame(columns=["code", "name"]), agreements=empty,
        funding=empty, framework=empty, indicators=empty, activities=acts,
        activity_partners=pd.DataFrame(list(partners), columns=["activity_id", "partner"]),
        activity_key_factors=pd.DataFrame(list(key_factors), columns=["activity_id", "key_factor"]),
        values=empty, baselines=empty, filters=Filters(),
    )


ACTS = snapshot(
    [
        (1, "A-1", "Workshop", "meeting", date(2024, 3, 4), date(2024, 3, 6), "in-person", "completed", 20, "NOR", ""),
        (2, "A-2", "Remote TA", "technical-assistance", date(2024, 5, 1), None, "remote", "completed", 5, "CAN", ""),
        (3, "A-3", "Survey", "survey", date(2025, 1, 10), date(2025, 2, 10), None, "ongoing", None, None, ""),
        (4, "A-4", "Webinar", "meeting", date(2025, 6, 1), date(2025, 6, 1), "remote", "planned", 30, "NOR", ""),
    ],
    partners=[(1, "GTM"), (1, "HND"), (2, "GTM")],
    key_factors=[(1, 3), (1, 7), (4, 1)],
)


# --- reshaping --------------------------------------------------------------------------------

def test_activities_listing_labels_absent_mode_and_donor():
    acts = activities_listing(ACTS)
    assert list(acts[["code", "mode", "donor", "year"]].itertuples(index=False, name=None)) == [
        ("A-1", "in-person", "NOR", 2024), ("A-2", "remote", "CAN", 2024), ("A-3", "not set", "no donor", 2025),
        ("A-4", "remote", "NOR", 2025),
    ]
    assert list(acts["partners"]) == [["GTM", "HND"], ["GTM"], [], []]
    assert list(acts["key_factors"]) == [[3, 7], [], [], [1]]
    assert acts["end"].iloc[1] == date(2024, 5, 1)  # no end: one day
    assert [None if pd.isna(p) else p for p in acts["participants"]] == [20, 5, None, 30]


@pytest.mark.parametrize(
    "by, expected",
    [
        ("mode", [("in-person", 1, 20), ("not set", 1, 0), ("remote", 2, 35)]),
        (["donor", "mode"], [("CAN", "remote", 1, 5), ("NOR", "in-person", 1, 20), ("NOR", "remote", 1, 30), ("no donor", "not set", 1, 0)]),
        (["year", "type"], [(2024, "meeting", 1, 20), (2024, "technical-assistance", 1, 5), (2025, "meeting", 1, 30), (2025, "survey", 1, 0)]),
        ("status", [("completed", 2, 25), ("ongoing", 1, 0), ("planned", 1, 30)]),
    ],
)
def test_activity_counts(by, expected):
    assert list(activity_counts(ACTS, by).itertuples(index=False, name=None)) == expected


def test_activity_counts_without_activities():
    out = activity_counts(snapshot([]), ["donor", "mode"])
    assert list(out.columns) == ["donor", "mode", "activities", "participants"] and out.empty


# --- charts -----------------------------------------------------------------------------------

def test_timeline_bars_from_start_to_end_inclusive_by_type():
    fig = activity_timeline(activities_listing(ACTS), note=NOTE)
    assert [t.name for t in fig.data] == ["meeting", "technical-assistance", "survey"]
    meeting, ta, survey = fig.data
    assert list(meeting.y) == ["A-1", "A-4"]
    assert list(meeting.base) == ["2024-03-04", "2025-06-01"]
    assert list(meeting.x) == [3 * DAY_MS, 1 * DAY_MS]
    assert (list(ta.x), list(survey.x)) == ([DAY_MS], [32 * DAY_MS])
    assert [t.marker.color for t in fig.data] == [TYPE_COLOURS["meeting"], TYPE_COLOURS["technical-assistance"], TYPE_COLOURS["survey"]]
    assert list(fig.layout.yaxis.categoryarray) == ["A-4", "A-3", "A-2", "A-1"]
    assert fig.layout.xaxis.type == "date"
    assert "partners: GTM, HND" in meeting.hovertext[0] and "partners: programme-wide" in survey.hovertext[0]
    assert "participants: –" in survey.hovertext[0]


def test_by_mode_in_a_fixed_order():
    fig = activities_by_mode_chart(activity_counts(ACTS, "mode"), note=NOTE)
    bar = fig.data[0]
    assert (list(bar.x), list(bar.y), list(bar.customdata)) == (["in-person", "remote", "not set"], [1, 2, 1], [20, 35, 0])
    assert list(bar.marker.color) == [MODE_COLOURS["in-person"], MODE_COLOURS["remote"], MODE_COLOURS["not set"]]
    assert fig.layout.yaxis.title.text == "Activities (count)"


def test_by_donor_stacked_by_mode():
    fig = activities_by_donor_chart(activity_counts(ACTS, ["donor", "mode"]), note=NOTE,
                                    donor_names={"NOR": "Norad", "CAN": "Global Affairs Canada"})
    assert [t.name for t in fig.data] == ["in-person", "remote", "not set"]
    assert list(fig.data[0].x) == ["Global Affairs Canada", "Norad", "no donor (programme-wide)"]
    assert [list(t.y) for t in fig.data] == [[0, 1, 0], [1, 1, 0], [0, 0, 1]]
    assert [list(t.customdata) for t in fig.data] == [[0, 20, 0], [5, 30, 0], [0, 0, 0]]
    assert fig.layout.barmode == "stack"


def test_participants_by_year_stacked_by_type():
    fig = participants_by_year_chart(activity_counts(ACTS, ["year", "type"]), note=NOTE)
    assert [t.name for t in fig.data] == ["meeting", "technical-assistance", "survey"]
    assert list(fig.data[0].x) == ["2024", "2025"]
    assert [list(t.y) for t in fig.data] == [[20, 30], [5, 0], [0, 0]]
    assert fig.layout.yaxis.title.text == "Participants (people)"


@pytest.mark.parametrize(
    "build",
    [
        lambda v: activity_timeline(activities_listing(v), note=NOTE),
        lambda v: activities_by_mode_chart(activity_counts(v, "mode"), note=NOTE),
        lambda v: activities_by_donor_chart(activity_counts(v, ["donor", "mode"]), note=NOTE),
        lambda v: participants_by_year_chart(activity_counts(v, ["year", "type"]), note=NOTE),
    ],
)
def test_no_activities_gives_an_empty_figure(build):
    fig = build(snapshot([]))
    assert len(fig.data) == 0
    assert [a.text for a in fig.layout.annotations] == ["No data for this selection", NOTE]

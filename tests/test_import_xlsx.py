"""Genuine .xlsx workbooks through the import engine: numbers, dates, which sheet is read
(DESIGN.md, "Upload formats": files are CSV or genuine .xlsx, first sheet or the sheet
named after the kind)."""
import datetime as dt

import pytest
from sqlalchemy import select

from models.tables import Baseline, Indicator

from helpers import (
    committed,
    import_bytes,
    partners_stored,
    problems,
    stored,
    undisaggregated_values_stored as values_stored,
    workbook,
)

PARTNERS = "code,name,country,region\nGTM,SAT Guatemala,Guatemala,AME\nSLE,National Revenue Authority,Sierra Leone,WCA\n"
INDICATORS = (
    "code,name,level,measure,ascending,scale_min,scale_max\n"
    "UNIT,Release time,outcome,unit,false,,\n"
    "PCT,Share of staff trained,outcome,percentage,true,,\n"
    "ORD,Perception score,impact,ordinal,true,1,5\n"
    "QUAL,Code of conduct,other,qualitative,true,,\n"
)
RESULTS_HEADER = ["indicator", "partner", "period_start", "period_end", "target", "actual", "comment"]


def import_reference(engine):
    committed(engine, ("partners.csv", PARTNERS), ("indicators.csv", INDICATORS))


# --- numbers and dates ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "indicator, target, actual, expected",
    [
        pytest.param("UNIT", 12, 10, (12.0, 10.0), id="integers"),
        pytest.param("UNIT", 12.0, 9.5, (12.0, 9.5), id="float-whole-and-half"),
        # as Excel shows them: at most 15 significant digits (a formula's 0.1 + 0.2 is 0.3)
        pytest.param("UNIT", 1 / 3, 1234567.891, (0.333333333333333, 1234567.891), id="fifteen-digits"),
        pytest.param("UNIT", -3, 1e-7, (-3.0, 1e-7), id="negative-and-tiny"),
        pytest.param("PCT", (0.45, "0%"), (0.125, "0.0%"), (45.0, 12.5), id="percent-format"),
        pytest.param("PCT", 80, 45.5, (80.0, 45.5), id="percent-as-number"),
        pytest.param("PCT", "80%", "45 %", (80.0, 45.0), id="percent-as-text"),
        pytest.param("ORD", 4, 3.25, (4.0, 3.25), id="ordinal-decimal"),
        pytest.param("UNIT", "12", " 7.5 ", (12.0, 7.5), id="numbers-as-text"),
    ],
)
def test_numbers_stored_exactly(engine, indicator, target, actual, expected):
    import_reference(engine)
    data = workbook(("Sheet1", [RESULTS_HEADER, [indicator, "GTM", dt.date(2024, 1, 1), dt.date(2024, 12, 31), target, actual]]))
    report = import_bytes(engine, "results.xlsx", data)
    assert (report.status, problems(report)) == ("committed", [])
    assert [v[4:6] for v in values_stored(engine)] == [expected]


@pytest.mark.parametrize(
    "start, end, expected",
    [
        pytest.param(dt.datetime(2024, 1, 1), dt.datetime(2024, 3, 31), (dt.date(2024, 1, 1), dt.date(2024, 3, 31)), id="datetimes"),
        pytest.param(dt.date(2024, 7, 1), dt.date(2024, 12, 31), (dt.date(2024, 7, 1), dt.date(2024, 12, 31)), id="dates"),
        pytest.param((dt.datetime(2024, 2, 1), "dd/mm/yyyy"), (dt.datetime(2024, 2, 29), "d mmm yyyy"),
                     (dt.date(2024, 2, 1), dt.date(2024, 2, 29)), id="displayed-day-first"),
        pytest.param("2024-04-01", "2024-04-30", (dt.date(2024, 4, 1), dt.date(2024, 4, 30)), id="iso-text"),
    ],
)
def test_dates_stored_exactly(engine, start, end, expected):
    import_reference(engine)
    data = workbook(("Sheet1", [RESULTS_HEADER, ["UNIT", "GTM", start, end, None, 5]]))
    report = import_bytes(engine, "results.xlsx", data)
    assert (report.status, problems(report)) == ("committed", [])
    assert [v[2:4] for v in values_stored(engine)] == [expected]


@pytest.mark.parametrize(
    "period, expected",
    [
        pytest.param(2024, (dt.date(2024, 1, 1), dt.date(2024, 12, 31)), id="year-as-number"),
        pytest.param("2024-Q2", (dt.date(2024, 4, 1), dt.date(2024, 6, 30)), id="quarter"),
        pytest.param("2024-H2", (dt.date(2024, 7, 1), dt.date(2024, 12, 31)), id="half"),
        pytest.param("2024-03", (dt.date(2024, 3, 1), dt.date(2024, 3, 31)), id="month-as-text"),
    ],
)
def test_period_cells(engine, period, expected):
    import_reference(engine)
    data = workbook(("results", [["indicator", "partner", "period", "actual"], ["UNIT", "GTM", period, 3]]))
    report = import_bytes(engine, "results.xlsx", data)
    assert (report.status, problems(report)) == ("committed", [])
    assert [v[2:4] for v in values_stored(engine)] == [expected]


def test_date_with_time_refused(engine):
    import_reference(engine)
    data = workbook(("Sheet1", [RESULTS_HEADER, ["UNIT", "GTM", dt.datetime(2024, 1, 1, 10, 30), dt.date(2024, 12, 31), None, 5]]))
    report = import_bytes(engine, "results.xlsx", data)
    assert problems(report) == [(2, "period_start", "invalid-date")]


def test_partner_workbook_stored_exactly(engine):
    data = workbook(("Sheet1", [
        ["Code", "Name", "Country", "Region", "Joined On", "Status"],
        ["GTM", "Superintendencia de Administración Tributaria", "Guatemala", "AME", dt.datetime(2020, 1, 15), "active"],
        ["SLE", "National Revenue Authority", "Sierra Leone", "WCA", None, None],
    ]))
    report = import_bytes(engine, "partners.xlsx", data)
    assert (report.status, report.created, problems(report)) == ("committed", 2, [])
    assert [f["kind"] for f in report.files] == ["partners"]
    assert partners_stored(engine) == [
        ("GTM", "Superintendencia de Administración Tributaria", "GTM", "AME", dt.date(2020, 1, 15), "active"),
        ("SLE", "National Revenue Authority", "SLE", "WCA", None, "active"),
    ]


@pytest.mark.parametrize("ascending, expected", [(True, True), (False, False), (1, True), (0, False), ("yes", True)])
def test_boolean_cells(engine, ascending, expected):
    data = workbook(("indicators", [["code", "name", "level", "measure", "ascending"], ["I1", "x", "outcome", "unit", ascending]]))
    report = import_bytes(engine, "indicators.xlsx", data)
    assert (report.status, problems(report)) == ("committed", [])
    assert stored(engine, select(Indicator.ascending)) == [(expected,)]


def test_qualitative_and_comment_text(engine):
    import_reference(engine)
    data = workbook(("Sheet1", [RESULTS_HEADER, ["QUAL", "SLE", dt.date(2024, 1, 1), dt.date(2024, 12, 31), "Adopted", 42,
                                                 "'=SUM(A1)"]]))
    report = import_bytes(engine, "results.xlsx", data)
    assert (report.status, problems(report)) == ("committed", [])
    assert values_stored(engine) == [("QUAL", "SLE", dt.date(2024, 1, 1), dt.date(2024, 12, 31), None, None, "Adopted", "42",
                                      "=SUM(A1)")]


# --- which sheet ------------------------------------------------------------------------------

ONE_ROW = [["indicator", "partner", "period", "actual"], ["UNIT", "GTM", "2024", 1]]
OTHER_ROW = [["indicator", "partner", "period", "actual"], ["UNIT", "GTM", "2024", 2]]


@pytest.mark.parametrize(
    "sheets, kind, expected_actual",
    [
        pytest.param([("Sheet1", ONE_ROW)], None, 1.0, id="only-sheet"),
        pytest.param([("Data", ONE_ROW), ("Other", OTHER_ROW)], None, 1.0, id="first-sheet"),
        pytest.param([("Notes", [["Read me"], ["This workbook holds results"]]), ("results", ONE_ROW)], None, 1.0,
                     id="sheet-named-after-kind"),
        pytest.param([("Notes", [["Read me"]]), ("Results", ONE_ROW)], None, 1.0, id="kind-sheet-any-case"),
        pytest.param([("Data", OTHER_ROW), ("results", ONE_ROW)], "results", 1.0, id="kind-given-picks-its-sheet"),
    ],
)
def test_sheet_chosen(engine, sheets, kind, expected_actual):
    import_reference(engine)
    report = import_bytes(engine, "upload.xlsx", workbook(*sheets), kind=kind)
    assert (report.status, problems(report)) == ("committed", [])
    assert [v[5] for v in values_stored(engine)] == [expected_actual]


def test_spreadsheet_row_numbers_count_blank_rows(engine):
    import_reference(engine)
    data = workbook(("results", [
        None,
        ["indicator", "partner", "period", "actual"],  # row 2
        ["UNIT", "GTM", "2024", "abc"],  # row 3
        None,  # row 4
        ["PCT", "GTM", "2024", 101],  # row 5
        ["NOPE", "GTM", "2024", 1],  # row 6
    ]))
    report = import_bytes(engine, "results.xlsx", data)
    assert problems(report) == [(3, "actual", "type-error"), (5, "actual", "out-of-range"), (6, "indicator", "unknown-reference")]
    assert values_stored(engine) == []


def test_same_workbook_twice_is_unchanged(engine):
    import_reference(engine)
    data = workbook(("Sheet1", [RESULTS_HEADER, ["ORD", "GTM", dt.date(2024, 1, 1), dt.date(2024, 12, 31), 4, 3.25, "ok"],
                                ["PCT", "", dt.date(2024, 1, 1), dt.date(2024, 12, 31), (0.8, "0%"), 45.5, None]]))
    first = import_bytes(engine, "results.xlsx", data)
    second = import_bytes(engine, "results.xlsx", data)
    assert (first.created, second.created, second.updated, second.unchanged) == (2, 0, 0, 2)
    assert values_stored(engine) == [
        ("ORD", "GTM", dt.date(2024, 1, 1), dt.date(2024, 12, 31), 4.0, 3.25, None, None, "ok"),
        ("PCT", "", dt.date(2024, 1, 1), dt.date(2024, 12, 31), 80.0, 45.5, None, None, None),
    ]


def test_baseline_year_as_number(engine):
    import_reference(engine)
    data = workbook(("Sheet1", [["indicator", "partner", "baseline", "baseline_year"], ["UNIT", "GTM", 14.5, 2019]]))
    report = import_bytes(engine, "results.xlsx", data)
    assert (report.status, problems(report)) == ("committed", [])
    assert stored(engine, select(Baseline.year, Baseline.value)) == [(2019, 14.5)]

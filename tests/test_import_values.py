"""Results rows: periods, numbers by measure, keys, overlaps and every problem reported
(DESIGN.md, "Upload formats" and "Import rules")."""
from datetime import date

import pytest

from helpers import baselines_stored, committed, import_csv, problems, values_stored

REFERENCE = [
    ("partners.csv", """
        code,name,country,region
        GTM,SAT Guatemala,Guatemala,AME
        SLE,National Revenue Authority,Sierra Leone,WCA
    """),
    ("indicators.csv", """
        code,name,level,measure,ascending,scale_min,scale_max
        UNIT,Release time,outcome,unit,false,,
        PCT,Share of staff trained,outcome,percentage,true,,
        ORD,Perception score,impact,ordinal,true,1,5
        QUAL,Code of conduct,other,qualitative,true,,
    """),
]


def import_results(engine, text, **options):
    """Reference data first, then one results file."""
    committed(engine, *REFERENCE)
    return import_csv(engine, ("results.csv", text), **options)


def periods_stored(engine):
    return [v[2:4] for v in values_stored(engine)]


# --- periods ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "period, start, end",
    [
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2024-Q2", date(2024, 4, 1), date(2024, 6, 30)),
        ("2024-Q3", date(2024, 7, 1), date(2024, 9, 30)),
        ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
        ("2024-q3", date(2024, 7, 1), date(2024, 9, 30)),
        ("2024-H1", date(2024, 1, 1), date(2024, 6, 30)),
        ("2024-H2", date(2024, 7, 1), date(2024, 12, 31)),
        ("2024-03", date(2024, 3, 1), date(2024, 3, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2024-11", date(2024, 11, 1), date(2024, 11, 30)),
    ],
)
def test_period_shorthands(engine, period, start, end):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", f"indicator,partner,period,actual\nUNIT,GTM,{period},7\n"))
    assert periods_stored(engine) == [(start, end)]


@pytest.mark.parametrize(
    "period_start, period_end, expected",
    [
        ("2024-01-01", "2024-12-31", (date(2024, 1, 1), date(2024, 12, 31))),
        ("2023-07-01", "2024-06-30", (date(2023, 7, 1), date(2024, 6, 30))),
        ("2024-05-15", "2024-05-15", (date(2024, 5, 15), date(2024, 5, 15))),
    ],
)
def test_period_start_and_end(engine, period_start, period_end, expected):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", f"indicator,partner,period_start,period_end,actual\nUNIT,GTM,{period_start},{period_end},7\n"))
    assert periods_stored(engine) == [expected]


@pytest.mark.parametrize(
    "period",
    ["2024-Q5", "2024-H3", "2024-13", "2024-00", "24", "FY2024", "2024/Q1", "Q1 2024"],
)
def test_bad_period_shorthands_refused(engine, period):
    report = import_results(engine, f"indicator,partner,period,actual\nUNIT,GTM,{period},7\n")
    assert problems(report) == [(2, "period", "invalid-date")]
    assert "2024-Q1" in report.issues[0].message
    assert values_stored(engine) == []


# --- numbers by measure -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "indicator, raw, expected",
    [
        pytest.param("PCT", "45", 45.0, id="pct-plain"),
        pytest.param("PCT", "45%", 45.0, id="pct-percent-sign"),
        pytest.param("PCT", "45.5 %", 45.5, id="pct-space-percent"),
        pytest.param("PCT", "0", 0.0, id="pct-zero"),
        pytest.param("PCT", "100", 100.0, id="pct-hundred"),
        pytest.param("PCT", "100%", 100.0, id="pct-hundred-percent"),
        pytest.param("ORD", "1", 1.0, id="ord-min"),
        pytest.param("ORD", "5", 5.0, id="ord-max"),
        pytest.param("ORD", "3.25", 3.25, id="ord-decimal"),
        pytest.param("UNIT", "-12.5", -12.5, id="unit-negative"),
        pytest.param("UNIT", "1e3", 1000.0, id="unit-exponent"),
        pytest.param("UNIT", "+7", 7.0, id="unit-plus"),
        pytest.param("UNIT", ".5", 0.5, id="unit-leading-dot"),
        pytest.param("UNIT", "123456789.125", 123456789.125, id="unit-large"),
    ],
)
def test_numbers_stored_exactly(engine, indicator, raw, expected):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", f"indicator,partner,period,target,actual\n{indicator},GTM,2024,{raw},{raw}\n"))
    assert [v[6:8] for v in values_stored(engine)] == [(expected, expected)]


@pytest.mark.parametrize(
    "indicator, raw, check",
    [
        pytest.param("PCT", "101", "out-of-range", id="pct-above-100"),
        pytest.param("PCT", "100.01%", "out-of-range", id="pct-just-above"),
        pytest.param("PCT", "-1", "out-of-range", id="pct-negative"),
        pytest.param("ORD", "0.99", "out-of-range", id="ord-below-scale"),
        pytest.param("ORD", "5.01", "out-of-range", id="ord-above-scale"),
        pytest.param("ORD", "6", "out-of-range", id="ord-six"),
        pytest.param("UNIT", "45%", "type-error", id="unit-percent-sign"),
        pytest.param("UNIT", "NaN", "type-error", id="nan"),
        pytest.param("UNIT", "nan", "type-error", id="nan-lower"),
        pytest.param("UNIT", "inf", "type-error", id="inf"),
        pytest.param("UNIT", "-inf", "type-error", id="minus-inf"),
        pytest.param("UNIT", "Infinity", "type-error", id="infinity"),
        pytest.param("UNIT", "1e999", "type-error", id="overflow-to-inf"),
        pytest.param("PCT", "inf%", "type-error", id="pct-inf"),
        pytest.param("ORD", "NaN", "type-error", id="ord-nan"),
        pytest.param("UNIT", "abc", "type-error", id="text"),
        pytest.param("UNIT", "n/a", "type-error", id="n-a"),
        pytest.param("UNIT", "12 hours", "type-error", id="number-with-unit"),
        pytest.param("UNIT", "0x10", "type-error", id="hex"),
    ],
)
def test_values_refused(engine, indicator, raw, check):
    report = import_results(engine, f"indicator,partner,period,actual\n{indicator},GTM,2024,{raw}\n")
    assert problems(report) == [(2, "actual", check)]
    assert report.issues[0].value == raw
    assert values_stored(engine) == []


def test_every_value_column_checked(engine):
    report = import_results(engine, "indicator,partner,period,target,actual,baseline,baseline_year\nPCT,GTM,2024,101,NaN,abc,2023\n")
    assert problems(report) == [(2, "actual", "type-error"), (2, "baseline", "type-error"), (2, "target", "out-of-range")]


@pytest.mark.parametrize(
    "target, actual, expected",
    [
        ("Code adopted", "Draft approved", ("Code adopted", "Draft approved")),
        ("3", "4.5", ("3", "4.5")),
        ("Ja, ratifié", "", ("Ja, ratifié", None)),
        ("", "NaN", (None, "NaN")),
    ],
)
def test_qualitative_values_are_text(engine, target, actual, expected):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", f'indicator,partner,period,target,actual\nQUAL,GTM,2024,"{target}","{actual}"\n'))
    assert [v[6:10] for v in values_stored(engine)] == [(None, None, *expected)]


# --- decimal comma and thousands separators -----------------------------------------------------

@pytest.mark.parametrize(
    "raw, decimal_comma, expected, check, hint",
    [
        pytest.param("12,5", False, None, "type-error", "--decimal-comma", id="decimal-comma-refused"),
        pytest.param("12,5", True, 12.5, None, None, id="decimal-comma-read"),
        pytest.param("-0,75", True, -0.75, None, None, id="negative-decimal-comma-read"),
        pytest.param("12.5", True, 12.5, None, None, id="dot-still-read"),
        pytest.param("1,234,567", False, None, "type-error", "1234567", id="thousands-commas"),
        pytest.param("1 234", False, None, "type-error", "1234", id="thousands-space"),
        pytest.param("1.234.567", True, None, "type-error", "thousands", id="thousands-dots"),
        pytest.param("1.234,5", True, None, "type-error", "thousands", id="thousands-dot-decimal-comma"),
        pytest.param("1,234.5", False, None, "type-error", "1234.5", id="thousands-comma-decimal-dot"),
        pytest.param("1\u00a0234", False, None, "type-error", "thousands", id="thousands-nbsp"),
        pytest.param("1'234", False, None, "type-error", "thousands", id="thousands-apostrophe"),
    ],
)
def test_decimal_comma_and_thousands(engine, raw, decimal_comma, expected, check, hint):
    report = import_results(engine, f'indicator,partner,period,actual\nUNIT,GTM,2024,"{raw}"\n', decimal_comma=decimal_comma)
    if check is None:
        assert problems(report) == []
        assert [v[7] for v in values_stored(engine)] == [expected]
    else:
        assert problems(report) == [(2, "actual", check)]
        assert hint in report.issues[0].message
        assert values_stored(engine) == []


def test_semicolon_file_with_decimal_commas(engine):
    committed(engine, *REFERENCE)
    text = "indicator;partner;period;target;actual\nUNIT;GTM;2024;12,5;10,25\nPCT;SLE;2024;45,5%;40\n"
    refused = import_csv(engine, ("results.csv", text))
    assert problems(refused) == [(2, "actual", "type-error"), (2, "target", "type-error"), (3, "target", "type-error")]
    committed(engine, ("results.csv", text), decimal_comma=True)
    assert [(v[0], v[1], v[6], v[7]) for v in values_stored(engine)] == [("PCT", "SLE", 45.5, 40.0), ("UNIT", "GTM", 12.5, 10.25)]


# --- baselines ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "row, expected_problems, expected_baselines",
    [
        pytest.param("UNIT,GTM,12.5,2019", [], [("UNIT", "GTM", "", "", 2019, 12.5, None, None)], id="baseline-with-year"),
        pytest.param("UNIT,GTM,12.5,", [(2, "baseline_year", "missing-cell")], [], id="no-year"),
        pytest.param("UNIT,GTM,12.5,19", [(2, "baseline_year", "out-of-range")], [], id="short-year"),
        pytest.param("UNIT,GTM,12.5,2019.5", [(2, "baseline_year", "type-error")], [], id="fractional-year"),
        pytest.param("UNIT,GTM,12.5,2019-01-01", [(2, "baseline_year", "type-error")], [], id="date-as-year"),
        pytest.param("ORD,,2.5,2020", [], [("ORD", "", "", "", 2020, 2.5, None, None)], id="programme-level"),
        pytest.param("ORD,GTM,7,2020", [(2, "baseline", "out-of-range")], [], id="outside-scale"),
        pytest.param("QUAL,GTM,No code,2020", [], [("QUAL", "GTM", "", "", 2020, None, "No code", None)], id="qualitative"),
    ],
)
def test_baseline_requires_baseline_year(engine, row, expected_problems, expected_baselines):
    report = import_results(engine, f"indicator,partner,baseline,baseline_year\n{row}\n")
    assert problems(report) == expected_problems
    assert baselines_stored(engine) == expected_baselines
    assert values_stored(engine) == []


def test_baseline_column_without_baseline_year_column(engine):
    report = import_results(engine, "indicator,partner,period,actual,baseline\nUNIT,GTM,2024,3,12\n")
    assert problems(report) == [(1, "baseline_year", "missing-column")]


def test_baseline_and_value_on_one_row(engine):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", "indicator,partner,period,target,actual,baseline,baseline_year,comment\n"
                                      "UNIT,GTM,2024,10,11,14,2023,on track\n"))
    assert values_stored(engine) == [("UNIT", "GTM", date(2024, 1, 1), date(2024, 12, 31), "", "", 10.0, 11.0, None, None, "on track")]
    assert baselines_stored(engine) == [("UNIT", "GTM", "", "", 2023, 14.0, None, None)]


# --- disaggregation and the programme level -----------------------------------------------------

@pytest.mark.parametrize(
    "dimension, dimension_value, expected_problems, expected_key",
    [
        pytest.param("sex", "female", [], ("sex", "female"), id="both"),
        pytest.param("", "", [], ("", ""), id="total"),
        pytest.param("sex", "", [(2, "dimension_value", "missing-cell")], None, id="dimension-without-value"),
        pytest.param("", "female", [(2, "dimension", "missing-cell")], None, id="value-without-dimension"),
    ],
)
def test_dimension_and_dimension_value(engine, dimension, dimension_value, expected_problems, expected_key):
    report = import_results(engine, f"indicator,partner,period,actual,dimension,dimension_value\nUNIT,GTM,2024,3,{dimension},{dimension_value}\n")
    assert problems(report) == expected_problems
    assert [v[4:6] for v in values_stored(engine)] == ([] if expected_key is None else [expected_key])


def test_disaggregated_rows_are_separate_values(engine):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", "indicator,partner,period,actual,dimension,dimension_value\n"
                                      "ORD,GTM,2024,3.5,,\nORD,GTM,2024,3.25,respondent,customs officers\n"
                                      "ORD,GTM,2024,3.75,respondent,private sector\n"))
    assert [v[4:8] for v in values_stored(engine)] == [
        ("", "", None, 3.5), ("respondent", "customs officers", None, 3.25), ("respondent", "private sector", None, 3.75)]


@pytest.mark.parametrize(
    "header, row",
    [
        pytest.param("indicator,partner,period,actual", "PCT,,2024,45", id="empty-partner-cell"),
        pytest.param("indicator,period,actual", "PCT,2024,45", id="no-partner-column"),
    ],
)
def test_programme_level_row(engine, header, row):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", f"{header}\n{row}\n"))
    assert values_stored(engine) == [("PCT", "", date(2024, 1, 1), date(2024, 12, 31), "", "", None, 45.0, None, None, None)]


# --- keys and overlaps --------------------------------------------------------------------------

OVERLAPS = [
    pytest.param([], "UNIT,GTM,2024,,10\nUNIT,GTM,2024-Q1,,2\n", [(3, "period_start", "overlapping-period")], id="year-and-quarter-actuals"),
    # targets may nest (one inside the other) but not overlap partly (DESIGN.md, "Value")
    pytest.param([], "UNIT,GTM,2024,10,\nUNIT,GTM,2024-H2,5,\n", [], id="year-and-half-targets-nest"),
    pytest.param([], "UNIT,GTM,2024-Q1,,2\nUNIT,GTM,2024-03,,1\n", [(3, "period_start", "overlapping-period")], id="quarter-and-month"),
    pytest.param([], "UNIT,GTM,2024,40,\nUNIT,GTM,2024-Q1,,10\nUNIT,GTM,2024-Q2,,10\nUNIT,GTM,2024-Q3,,10\nUNIT,GTM,2024-Q4,,10\n",
                 [], id="annual-target-quarterly-actuals"),
    pytest.param([], "UNIT,GTM,2024-Q1,,2\nUNIT,GTM,2024-Q2,,2\n", [], id="adjacent-quarters"),
    pytest.param([], "UNIT,GTM,2024,,10\nUNIT,SLE,2024-Q1,,2\n", [], id="different-partners"),
    pytest.param([], "UNIT,GTM,2024,,10\nPCT,GTM,2024-Q1,,2\n", [], id="different-indicators"),
    pytest.param(["UNIT,GTM,2024,,10"], "UNIT,GTM,2024-Q2,,2\n", [(2, "period_start", "overlapping-period")], id="against-stored-actual"),
    pytest.param(["UNIT,GTM,2024-Q2,7,"], "UNIT,GTM,2024,30,\n", [], id="stored-quarter-target-inside-new-annual-one"),
    pytest.param(["UNIT,GTM,2024,30,"], "UNIT,GTM,2024-Q2,,2\n", [], id="stored-annual-target-new-quarter-actual"),
    pytest.param(["UNIT,GTM,2024,,10"], "UNIT,GTM,2024,,12\n", [], id="same-period-is-an-update"),
    pytest.param(["UNIT,GTM,2023,,10"], "UNIT,GTM,2024-Q1,,2\n", [], id="stored-other-year"),
]


@pytest.mark.parametrize("before, rows, expected", OVERLAPS)
def test_overlapping_periods(engine, before, rows, expected):
    committed(engine, *REFERENCE)
    header = "indicator,partner,period,target,actual\n"
    if before:
        committed(engine, ("results.csv", header + "\n".join(before) + "\n"))
    stored_before = values_stored(engine)
    report = import_csv(engine, ("results.csv", header + rows))
    assert problems(report) == expected
    if expected:
        assert values_stored(engine) == stored_before


TARGET_SPANS = [
    # (id, stored targets, new targets, problems) — periods as period_start,period_end
    ("end-of-programme-around-annual", [], ["2021-01-01,2021-12-31", "2022-01-01,2022-12-31", "2021-01-01,2025-12-31"], []),
    ("annual-inside-stored-end-of-programme", ["2021-01-01,2025-12-31"], ["2023-01-01,2023-12-31"], []),
    ("three-levels", [], ["2021-01-01,2025-12-31", "2024-01-01,2024-12-31", "2024-07-01,2024-09-30"], []),
    ("partial-in-the-file", [], ["2024-01-01,2024-06-30", "2024-04-01,2024-09-30"], [(3, "period_start", "overlapping-period")]),
    ("partial-against-stored", ["2021-01-01,2023-12-31"], ["2023-01-01,2024-12-31"], [(2, "period_start", "overlapping-period")]),
    ("inside-one-partial-to-another", [], ["2021-01-01,2025-12-31", "2022-01-01,2022-12-31", "2022-07-01,2023-06-30"],
     [(4, "period_start", "overlapping-period")]),
]


@pytest.mark.parametrize("before, rows, expected", [c[1:] for c in TARGET_SPANS], ids=[c[0] for c in TARGET_SPANS])
def test_targets_may_nest_but_not_overlap_partly(engine, before, rows, expected):
    committed(engine, *REFERENCE)
    header = "indicator,partner,period_start,period_end,target\n"
    if before:
        committed(engine, ("results.csv", header + "".join(f"UNIT,GTM,{r},10\n" for r in before)))
    stored_before = values_stored(engine)
    report = import_csv(engine, ("results.csv", header + "".join(f"UNIT,GTM,{r},10\n" for r in rows)))
    assert problems(report) == expected
    assert len(values_stored(engine)) == (len(stored_before) if expected else len(before) + len(rows))


def test_overlap_message_names_the_other_row(engine):
    report = import_results(engine, "indicator,partner,period,actual\nUNIT,GTM,2024,10\nUNIT,GTM,2024-Q1,2\n")
    assert problems(report) == [(3, "period_start", "overlapping-period")]
    assert "row 2" in report.issues[0].message


def test_overlap_with_start_and_end_columns(engine):
    report = import_results(engine, "indicator,partner,period_start,period_end,actual\n"
                                    "UNIT,GTM,2024-01-01,2024-06-30,10\nUNIT,GTM,2024-06-30,2024-12-31,2\n")
    assert problems(report) == [(3, "period_start", "overlapping-period")]


@pytest.mark.parametrize(
    "rows, expected",
    [
        pytest.param("UNIT,GTM,2024,,1\nUNIT,GTM,2024,,2\n", [(3, "period_start", "duplicate-key")], id="same-key"),
        pytest.param("UNIT,GTM,2024,,1\nunit, gtm ,2024,,1\n", [(3, "period_start", "duplicate-key")], id="same-key-other-spelling"),
        pytest.param("UNIT,GTM,2024,,1\nUNIT,GTM,2024,,1\nUNIT,GTM,2024,,1\n",
                     [(3, "period_start", "duplicate-key"), (4, "period_start", "duplicate-key")], id="three-times"),
        pytest.param("UNIT,,2024,,1\nUNIT,,2024,,1\n", [(3, "period_start", "duplicate-key")], id="programme-level"),
    ],
)
def test_duplicate_keys_in_a_file(engine, rows, expected):
    report = import_results(engine, "indicator,partner,period,target,actual\n" + rows)
    assert problems(report) == expected
    assert all("row 2" in i.message for i in report.issues)
    assert values_stored(engine) == []


# --- dates --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "start, end, expected, hint",
    [
        pytest.param("31/03/2025", "2025-12-31", [(2, "period_start", "invalid-date")], "2025-03-31", id="day-first"),
        pytest.param("2025-01-01", "31.12.2025", [(2, "period_end", "invalid-date")], "2025-12-31", id="dotted"),
        pytest.param("2025/01/01", "2025-12-31", [(2, "period_start", "invalid-date")], "2025-01-01", id="slashes-ymd"),
        pytest.param("2025-02-30", "2025-12-31", [(2, "period_start", "invalid-date")], "calendar", id="no-such-day"),
        pytest.param("1 March 2025", "2025-12-31", [(2, "period_start", "invalid-date")], "YYYY-MM-DD", id="words"),
        pytest.param("2025-12-31", "2025-01-01", [(2, "period_end", "end-before-start")], "before", id="end-before-start"),
        pytest.param("2025-01-01", "", [(2, "period_end", "missing-cell")], "period", id="no-end"),
    ],
)
def test_dates(engine, start, end, expected, hint):
    report = import_results(engine, f"indicator,partner,period_start,period_end,actual\nUNIT,GTM,{start},{end},1\n")
    assert problems(report) == expected
    assert hint in report.issues[0].message


# --- references ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "row, expected, hint",
    [
        pytest.param("UNT,GTM,2024,1", [(2, "indicator", "unknown-reference")], "did you mean 'UNIT'", id="indicator"),
        pytest.param("UNIT,GMT,2024,1", [(2, "partner", "unknown-reference")], "did you mean 'GTM'", id="partner"),
        pytest.param("XYZ123,GTM,2024,1", [(2, "indicator", "unknown-reference")], "unknown indicator 'XYZ123'", id="no-hint"),
        pytest.param("UNT,GMT,2024,1", [(2, "indicator", "unknown-reference"), (2, "partner", "unknown-reference")],
                     "did you mean", id="both"),
    ],
)
def test_unknown_references(engine, row, expected, hint):
    report = import_results(engine, f"indicator,partner,period,actual\n{row}\n")
    assert problems(report) == expected
    assert hint in report.issues[0].message
    assert values_stored(engine) == []


# --- every problem, with spreadsheet row numbers ------------------------------------------------

def test_every_problem_is_reported_with_spreadsheet_rows(engine):
    text = (
        "indicator,partner,period_start,period_end,target,actual,baseline,baseline_year,comment\n"  # 1
        "UNIT,GTM,2024-01-01,2024-12-31,abc,,,,\n"  # 2 target type-error
        "\n"  # 3 blank line
        "UNIT,GMT,2024-01-01,2024-12-31,1,,,,\n"  # 4 unknown partner
        ",,,,,,,,\n"  # 5 all cells empty: skipped
        "PCT,GTM,2024-01-01,2024-12-31,,101,,,\n"  # 6 out of range
        "ORD,SLE,31/03/2025,2025-12-31,,3,,,\n"  # 7 invalid date
        "UNIT,SLE,2024-12-31,2024-01-01,,5,,,\n"  # 8 end before start
        "UNIT,SLE,2025-01-01,2025-12-31,,12,5,,\n"  # 9 baseline without year
        "NOPE,SLE,2025-01-01,2025-12-31,,12,,,\n"  # 10 unknown indicator
        "UNIT,GTM,2025-01-01,2025-12-31,,\"12,5\",,,\n"  # 11 decimal comma
        "PCT,SLE,2025-01-01,2025-12-31,,1 000,,,\n"  # 12 thousands
        ",GTM,2025-01-01,2025-12-31,,1,,,\n"  # 13 missing indicator
        "QUAL,SLE,2024-01-01,2024-12-31,,Adopted,,,\n"  # 14 fine
        "QUAL,SLE,2024-07-01,2024-12-31,,Ratified,,,\n"  # 15 overlaps row 14
        "PCT,GTM,2024-01-01,2024-12-31,,50,,,\n"  # 16 duplicate of row 6's key
        "ORD,GTM,2024-01-01,2024-12-31,,inf,,,\n"  # 17 infinity
    )
    report = import_results(engine, text)
    assert problems(report) == [
        (2, "target", "type-error"),
        (4, "partner", "unknown-reference"),
        (6, "actual", "out-of-range"),
        (7, "period_start", "invalid-date"),
        (8, "period_end", "end-before-start"),
        (9, "baseline_year", "missing-cell"),
        (10, "indicator", "unknown-reference"),
        (11, "actual", "type-error"),
        (12, "actual", "type-error"),
        (13, "indicator", "missing-cell"),
        (15, "period_start", "overlapping-period"),
        (16, "period_start", "duplicate-key"),
        (17, "actual", "type-error"),
    ]
    assert all(i.file == "results.csv" and i.severity == "error" for i in report.issues)
    assert values_stored(engine) == []
    assert baselines_stored(engine) == []


# --- comments on their own ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "before, rows, expected_counts, expected",
    [
        pytest.param(None, "UNIT,GTM,2024,,No report received\n", (1, 0, 0),
                     [("UNIT", "GTM", date(2024, 1, 1), date(2024, 12, 31), "", "", None, None, None, None, "No report received")],
                     id="comment-creates-value-row"),
        pytest.param("UNIT,GTM,2024,10,12,", "UNIT,GTM,2024,,Late\n", (0, 1, 0),
                     [("UNIT", "GTM", date(2024, 1, 1), date(2024, 12, 31), "", "", 10.0, 12.0, None, None, "Late")],
                     id="comment-updates-stored-row"),
        pytest.param("UNIT,GTM,2024,10,12,Late", "UNIT,GTM,2024,,Late\n", (0, 0, 1),
                     [("UNIT", "GTM", date(2024, 1, 1), date(2024, 12, 31), "", "", 10.0, 12.0, None, None, "Late")],
                     id="same-comment-unchanged"),
    ],
)
def test_comment_only_rows(engine, before, rows, expected_counts, expected):
    committed(engine, *REFERENCE)
    if before:
        committed(engine, ("results.csv", "indicator,partner,period,target,actual,comment\n" + before + "\n"))
    report = committed(engine, ("results.csv", "indicator,partner,period,actual,comment\n" + rows))
    assert (report.created, report.updated, report.unchanged) == expected_counts
    assert values_stored(engine) == expected


def test_comment_only_row_needs_a_period(engine):
    report = import_results(engine, "indicator,partner,period,actual,comment\nUNIT,GTM,,,Late\n")
    assert problems(report) == [(2, "period", "missing-cell")]


@pytest.mark.parametrize(
    "row, expected",
    [
        pytest.param("[clear],GTM,2024,1", [(2, "indicator", "missing-cell")], id="indicator"),
        pytest.param("UNIT,[clear],2024,1", [(2, "partner", "unknown-reference")], id="partner"),
        pytest.param("UNIT,GTM,[clear],1", [(2, "period", "missing-cell")], id="period"),
    ],
)
def test_clear_token_in_key_cells_refused(engine, row, expected):
    report = import_results(engine, "indicator,partner,period,actual\n" + row + "\n")
    assert problems(report) == expected


# --- breakdown names and values match case-insensitively; the first spelling stored is kept ---

BREAKDOWN_FIRST = """
    indicator,partner,period,actual,dimension,dimension_value
    UNIT,GTM,2023,10,Sex,Women
"""

BREAKDOWN_CASES = [
    # (id, second file, (created, updated, unchanged, rejected), problems, stored (dimension, value, period_end, actual))
    ("other-case-updates", """
        indicator,partner,period,actual,dimension,dimension_value
        UNIT,GTM,2023,20,sex,women
     """, (0, 1, 0, 0), [], [("Sex", "Women", date(2023, 12, 31), 20.0)]),
    ("other-case-same-value-unchanged", """
        indicator,partner,period,actual,dimension,dimension_value
        UNIT,GTM,2023,10,SEX,WOMEN
     """, (0, 0, 1, 0), [], [("Sex", "Women", date(2023, 12, 31), 10.0)]),
    ("other-case-overlapping-period-refused", """
        indicator,partner,period,actual,dimension,dimension_value
        UNIT,GTM,2023-Q1,5,SEX,WOMEN
     """, (0, 0, 0, 1), [(2, "period_start", "overlapping-period")], [("Sex", "Women", date(2023, 12, 31), 10.0)]),
    ("other-case-twice-in-a-file-refused", """
        indicator,partner,period,actual,dimension,dimension_value
        UNIT,GTM,2024,5,Sex,Women
        UNIT,GTM,2024,6,sex,women
     """, (1, 0, 0, 1), [(3, "period_start", "duplicate-key")], [("Sex", "Women", date(2023, 12, 31), 10.0)]),
]


@pytest.mark.parametrize("second, expected_counts, expected_problems, expected_stored",
                         [c[1:] for c in BREAKDOWN_CASES], ids=[c[0] for c in BREAKDOWN_CASES])
def test_breakdowns_match_case_insensitively(engine, second, expected_counts, expected_problems, expected_stored):
    assert import_results(engine, BREAKDOWN_FIRST).status == "committed"
    report = import_csv(engine, ("results.csv", second))
    assert problems(report) == expected_problems
    assert (report.created, report.updated, report.unchanged, report.rejected) == expected_counts
    assert [(v[4], v[5], v[3], v[7]) for v in values_stored(engine)] == expected_stored


def test_baselines_of_one_breakdown_in_two_spellings_conflict(engine):
    report = import_results(engine, """
        indicator,partner,baseline,baseline_year,dimension,dimension_value
        UNIT,GTM,30,2020,Sex,Women
        UNIT,GTM,40,2020,sex,women
    """)
    assert problems(report) == [(3, "baseline", "duplicate-key")]

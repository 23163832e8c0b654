"""`resultsboard import FILE.xml [--iati-map MAP.csv]`: IATI activity results read into the
framework, indicators, baselines and values through the ordinary import engine (dry run,
problems, one transaction, revert); what cannot be read is refused with its element's path."""
from __future__ import annotations

from datetime import date

import pytest

from helpers import (
    baselines_stored, batch_count, committed, database_content, framework_stored, import_bytes, indicators_stored,
    values_stored,
)
from models.batches import revert_batch
from models.iati.reading import read_iati, read_map

PARTNERS = ("partners.csv", """
    code,name,country,region
    GHA,Ghana Revenue Authority,Ghana,WCA
    ETH,Ethiopian Customs Commission,Ethiopia,ESA
""")
MAP = {"XM-TEST-2": "GHA"}


def iati(*activities: str, version: str = "2.03") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="{version}">'
            + "".join(activities) + "</iati-activities>").encode()


def activity(ident: str, *results: str) -> str:
    return f"<iati-activity><iati-identifier>{ident}</iati-identifier>{''.join(results)}</iati-activity>"


def result(type_: str, *indicators: str, code: str = "", title: str = "Better services") -> str:
    ref = f'<reference vocabulary="99" code="{code}"/>' if code else ""
    return f'<result type="{type_}"><title><narrative>{title}</narrative></title>{ref}{"".join(indicators)}</result>'


def indicator(body: str, *, measure: str | None = "1", code: str = "", title: str = "People trained", extra: str = "") -> str:
    m = f' measure="{measure}"' if measure is not None else ""
    ref = f'<reference vocabulary="99" code="{code}"/>' if code else ""
    return f'<indicator{m}{extra}><title><narrative>{title}</narrative></title>{ref}{body}</indicator>'


def period(start: str, end: str, body: str) -> str:
    return f'<period><period-start iso-date="{start}"/><period-end iso-date="{end}"/>{body}</period>'


def comment(text: str) -> str:
    return f"<comment><narrative>{text}</narrative></comment>"


FEMALE_20S = '<dimension name="sex" value="female"/><dimension name="age" value="20-29"/>'
TRAINED = indicator(
    '<reference vocabulary="1" code="X9"/>'
    f'<baseline year="2019" value="10">{comment("household survey")}</baseline>'
    + period("2020-01-01", "2020-12-31",
             f'<target value="100"/><target value="60">{FEMALE_20S}</target>'
             f'<actual value="80">{comment("good year")}</actual><actual value="50">{FEMALE_20S}</actual>')
    + period("2021-01-01", "2021-12-31", '<actual value="90"/>'),  # a period without a target
    code="TRAINED")
SEVERAL = iati(
    activity("XM-TEST-1", result(
        "2", TRAINED,
        indicator(period("2020-01-01", "2020-12-31", '<target value="3"/><actual value="2"/>'),
                  measure=None, title="Reports published"),  # missing measure
        indicator(f'<baseline year="2019">{comment("No plan")}</baseline>'
                  + period("2020-01-01", "2020-12-31", f"<target>{comment('Plan drafted')}</target>"
                                                       f"<actual>{comment('Plan adopted')}</actual>"),
                  measure="5", title="Integrity plan"),
        indicator(period("2020-01-01", "2020-12-31", '<target value="High"/><actual value="Medium"/>'),
                  title="Risk level"),  # text values under a numeric measure
        code="R1")),
    activity("XM-TEST-2", result("2", indicator(period("2020-01-01", "2020-12-31", '<target value="20"/><actual value="25"/>'),
                                                code="TRAINED"), code="R1")),
    activity("XM-TEST-3", result("1", indicator(period("2022-01-01", "2022-12-31", '<actual value="Yes"/>'),
                                                measure="3", code="DUP", title="Law passed"))),
    activity("XM-TEST-4", result("3", indicator(period("2022-01-01", "2022-12-31", '<actual value="7"/>'),
                                                code="DUP", title="Cases"), title="Impact"),
             result("9", title="A result with no indicator")),
)


@pytest.fixture
def partners(engine):
    committed(engine, PARTNERS)
    return engine


def test_several_activities_read_into_framework_indicators_and_values(partners):
    report = import_bytes(partners, "several.xml", SEVERAL, iati_map=MAP)
    assert report.status == "committed", report.issues
    assert framework_stored(partners) == [
        ("R1", "Better services", "outcome", None),
        ("XM-TEST-3/1", "Better services", "output", None),
        ("XM-TEST-4/1", "Impact", "impact", None),
    ]
    inds = {i[0]: i for i in indicators_stored(partners)}
    assert set(inds) == {"TRAINED", "XM-TEST-1/1/2", "XM-TEST-1/1/3", "XM-TEST-1/1/4", "XM-TEST-3/1/1", "XM-TEST-4/1/1"}
    assert inds["TRAINED"][1:5] == ("People trained", "outcome", "unit", True)
    assert inds["TRAINED"][9] == "Other references: vocabulary 1 code X9."
    assert [inds[c][3] for c in ("XM-TEST-1/1/2", "XM-TEST-1/1/3", "XM-TEST-1/1/4", "XM-TEST-3/1/1", "XM-TEST-4/1/1")] == [
        "unit", "qualitative", "qualitative", "qualitative", "unit"]
    assert values_stored(partners) == [
        ("TRAINED", "", date(2020, 1, 1), date(2020, 12, 31), "", "", 100.0, 80.0, None, None, "good year"),
        ("TRAINED", "", date(2020, 1, 1), date(2020, 12, 31), "sex × age", "female × 20-29", 60.0, 50.0, None, None, None),
        ("TRAINED", "", date(2021, 1, 1), date(2021, 12, 31), "", "", None, 90.0, None, None, None),
        ("TRAINED", "GHA", date(2020, 1, 1), date(2020, 12, 31), "", "", 20.0, 25.0, None, None, None),
        ("XM-TEST-1/1/2", "", date(2020, 1, 1), date(2020, 12, 31), "", "", 3.0, 2.0, None, None, None),
        ("XM-TEST-1/1/3", "", date(2020, 1, 1), date(2020, 12, 31), "", "", None, None, "Plan drafted", "Plan adopted", None),
        ("XM-TEST-1/1/4", "", date(2020, 1, 1), date(2020, 12, 31), "", "", None, None, "High", "Medium", None),
        ("XM-TEST-3/1/1", "", date(2022, 1, 1), date(2022, 12, 31), "", "", None, None, None, "Yes", None),
        ("XM-TEST-4/1/1", "", date(2022, 1, 1), date(2022, 12, 31), "", "", None, 7.0, None, None, None),
    ]
    assert baselines_stored(partners) == [
        ("TRAINED", "", "", "", 2019, 10.0, None, "household survey"),
        ("XM-TEST-1/1/3", "", "", "", 2019, None, "No plan", None),
    ]
    warnings = {(i.check, i.message.split(" (element ")[0]) for i in report.issues if i.severity == "warning"}
    assert ("missing-cell", "indicator without a measure: read as unit from its values") in warnings
    assert ("type-error", "measure 1 but every value is text: read as qualitative") in warnings
    assert ("missing-cell", "a result without an indicator holds no values; it was not imported") in warnings


def test_counts_match_the_xml(partners):
    """Elements in, rows out: results, indicators, baselines, target/actual rows."""
    tables = {t.kind: t.frame for t in read_iati(SEVERAL, "several.xml", MAP)}
    assert (len(tables["framework"]), len(tables["indicators"]), len(tables["results"])) == (3, 6, 11)
    report = import_bytes(partners, "several.xml", SEVERAL, iati_map=MAP)
    assert report.created == 3 + 6 + 11
    assert len(values_stored(partners)) == 9 and len(baselines_stored(partners)) == 2


def test_dry_run_and_revert(partners):
    before = database_content(partners)
    dry = import_bytes(partners, "several.xml", SEVERAL, iati_map=MAP, dry_run=True)
    assert dry.status == "dry-run" and dry.created == 20
    assert database_content(partners) == before
    report = import_bytes(partners, "several.xml", SEVERAL, iati_map=MAP)
    again = import_bytes(partners, "several.xml", SEVERAL, iati_map=MAP)
    assert (again.status, again.created, again.updated, again.unchanged) == ("committed", 0, 0, 20)
    assert revert_batch(partners, report.batch_id, user="tester").status == "reverted"
    assert values_stored(partners) == [] and indicators_stored(partners) == [] and framework_stored(partners) == []


GOOD_PERIOD = period("2020-01-01", "2020-12-31", '<target value="1"/><actual value="1"/>')
REFUSALS = {
    "bad date": (iati(activity("A-1", result("1", indicator(period("2020-13-01", "2020-12-31", '<actual value="1"/>'))))),
                 "invalid-date", "/iati-activities/iati-activity/result/indicator/period/period-start"),
    "end before start": (iati(activity("A-1", result("1", indicator(period("2021-01-01", "2020-12-31", '<actual value="1"/>'))))),
                         "end-before-start", "/iati-activities/iati-activity/result/indicator/period/period-end"),
    "result type outside the codelist": (iati(activity("A-1", result("7", indicator(GOOD_PERIOD)))),
                                         "type-error", "/iati-activities/iati-activity/result"),
    "measure outside the codelist": (iati(activity("A-1", result("1", indicator(GOOD_PERIOD, measure="8")))),
                                     "type-error", "/iati-activities/iati-activity/result/indicator"),
    "text among numbers": (iati(activity("A-1", result("1", indicator(period("2020-01-01", "2020-12-31",
                                                                             '<target value="5"/><actual value="n/a"/>'))))),
                           "type-error", "/iati-activities/iati-activity/result/indicator/period/actual"),
    "dimension without value": (iati(activity("A-1", result("1", indicator(period(
        "2020-01-01", "2020-12-31", '<actual value="1"><dimension name="sex"/></actual>'))))),
        "missing-cell", "/iati-activities/iati-activity/result/indicator/period/actual/dimension"),
    "unknown partner in the map": (iati(activity("XM-TEST-2", result("1", indicator(GOOD_PERIOD)))),
                                   "unknown-reference", "/iati-activities/iati-activity/result/indicator/period"),
    "activity without identifier": (iati("<iati-activity><result type='1'/></iati-activity>"),
                                    "missing-cell", "/iati-activities/iati-activity"),
    "not well-formed": (b"<iati-activities version='2.03'><iati-activity>", "not-iati", ""),
    "not an activity file": (b"<iati-organisations version='2.03'/>", "not-iati", ""),
    "IATI 1.x": (iati(activity("A-1", result("1", indicator(GOOD_PERIOD))), version="1.05"), "not-iati", "/iati-activities"),
    "no results": (iati(activity("A-1")), "empty-file", ""),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_name_the_element(partners, case):
    data, check, path = REFUSALS[case]
    before = database_content(partners)
    batches = batch_count(partners)
    report = import_bytes(partners, "bad.xml", data, iati_map={"XM-TEST-2": "NOPE"} if "map" in case else MAP)
    assert report.status == "rejected"
    errors = [i for i in report.issues if i.severity == "error"]
    assert any(i.check == check and i.file == "bad.xml" for i in errors), errors
    if path:
        assert any(i.check == check and f"(element {path}" in i.message for i in errors), errors
    assert database_content(partners) == before and batch_count(partners) == batches


@pytest.mark.parametrize("text, expected", [
    ("iati_identifier,partner\nXM-1,GHA\nXM-2,\n", {"XM-1": "GHA", "XM-2": ""}),
    ("\ufeffIATI Identifier ,Partner\n XM-1 , GHA \n", {"XM-1": "GHA"}),
    ("identifier,partner\nXM-1,GHA\n", "needs the columns iati_identifier and partner"),
    ("iati_identifier,partner\nXM-1,GHA\nxm-1,ETH\n", r"names xm-1 twice \(line 3\)"),
    ("", "the IATI map is empty"),
])
def test_map_file(text, expected):
    if isinstance(expected, dict):
        assert read_map(text.encode()) == expected
    else:
        with pytest.raises(ValueError, match=expected):
            read_map(text.encode())


def test_large_file_counts(partners):
    """Hundreds of activities and thousands of periods: every element read, counts as in the XML."""
    note = comment("Reported by the field office after the annual review; figures checked against the register.")
    periods = "".join(period(f"{y}-01-01", f"{y}-12-31", f'<target value="{y}"/><actual value="{y - 1}">{note}</actual>')
                      for y in range(2015, 2025))
    acts = [activity(f"XM-BIG-{n}", result("1", indicator(periods, code="SAME"), indicator(periods)))
            for n in range(200)]
    data = iati(*acts)
    assert len(data) > 1_000_000
    report = import_bytes(partners, "big.xml", data)
    assert report.status == "committed", report.issues[:3]
    assert report.created == 200 + 400 + 4000
    assert len(values_stored(partners)) == 4000


@pytest.fixture
def cli_db(run_cli, tmp_path, empty_sqlite_file):
    from conftest import copy_sqlite

    url = f"sqlite:///{copy_sqlite(empty_sqlite_file, tmp_path / 'cli.db')}"
    (tmp_path / "partners.csv").write_text("code,name,country,region\nGHA,Ghana Revenue Authority,Ghana,WCA\n")
    assert run_cli(url, "import", tmp_path / "partners.csv").returncode == 0
    (tmp_path / "several.xml").write_bytes(SEVERAL)
    return url


@pytest.mark.parametrize("map_text, code, message", [
    ("iati_identifier,partner\nXM-TEST-2,GHA\n", 0, "Committed as batch"),
    ("iati_identifier,partner\nXM-TEST-2,GHX\n", 1, "did you mean 'GHA'?"),
    ("identifier,partner\n", 1, "needs the columns iati_identifier and partner"),
    (None, 2, "No such file"),
])
def test_cli_import_with_map(run_cli, cli_db, tmp_path, map_text, code, message):
    map_path = tmp_path / "map.csv"
    if map_text is not None:
        map_path.write_text(map_text)
    r = run_cli(cli_db, "import", tmp_path / "several.xml", "--iati-map", map_path)
    assert r.returncode == code, r.stdout + r.stderr
    assert message in r.stdout + r.stderr


@pytest.mark.parametrize("start, end", [
    ("2020-01-01", "2020-12-31"),
    ("2020-01-01Z", "2020-12-31+01:00"),  # xsd:date with a time zone
    ("2020-01-01T00:00:00", "2020-12-31T00:00:00Z"),  # a date-time, as some publishers write
    (" 2020-01-01 ", "2020-12-31"),
])
def test_date_spellings_read_as_the_day(partners, start, end):
    data = iati(activity("A-1", result("1", indicator(period(start, end, '<actual value="4"/>')))))
    report = import_bytes(partners, "dates.xml", data)
    assert report.status == "committed", report.issues
    assert [v[2:4] for v in values_stored(partners)] == [(date(2020, 1, 1), date(2020, 12, 31))]

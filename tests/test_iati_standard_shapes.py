"""IATI 2.03 result shapes the standard allows (and 2.01/2.02 files still published), each a
synthetic snippet read into exact rows and exact warnings or refusals naming the element:
several baselines, targets and actuals told apart by dimension and location, measures 1-5 and
none, ascending spellings, references, document links, dates with times and time zones, empty
values, narratives in several languages, result types, hierarchy, namespaces (a default one and
publishers' extensions), organisation files, encodings, repeated identifiers, missing dates —
and a file streamed activity by activity, its transactions and budgets dropped once read.

Shapes credited to publishers in comments are reproduced from the structure of their published
files; no real file is in the repository."""
from __future__ import annotations

import pytest

from helpers import import_bytes
from models.iati.reading import iter_activities, read_iati

ACT = "/iati-activities/iati-activity"
IND = f"{ACT}/result/indicator"


def iati(*activities: str, version: str = "2.03", attrs: str = "", decl: str = 'encoding="UTF-8"') -> str:
    return (f'<?xml version="1.0" {decl}?>\n<iati-activities version="{version}"{attrs}>'
            + "".join(activities) + "</iati-activities>")


def activity(*results: str, ident: str = "XM-A-1", attrs: str = "", extra: str = "") -> str:
    return f"<iati-activity{attrs}><iati-identifier>{ident}</iati-identifier>{extra}{''.join(results)}</iati-activity>"


def result(*indicators: str, type_: str | None = "1", title: str = "Better services", extra: str = "") -> str:
    t = f' type="{type_}"' if type_ is not None else ""
    return f'<result{t}><title><narrative>{title}</narrative></title>{extra}{"".join(indicators)}</result>'


def indicator(body: str = "", *, measure: str | None = "1", title: str = "People served", attrs: str = ' ascending="1"',
              extra: str = "") -> str:
    m = f' measure="{measure}"' if measure is not None else ""
    return f'<indicator{m}{attrs}><title><narrative>{title}</narrative></title>{extra}{body}</indicator>'


def period(body: str, start: str = "2020-01-01", end: str = "2020-12-31") -> str:
    return f'<period><period-start iso-date="{start}"/><period-end iso-date="{end}"/>{body}</period>'


def one(body: str, **kw) -> str:
    """A file of one activity, one result, one indicator."""
    return iati(activity(result(indicator(body, **kw))))


def dim(name: str, value: str) -> str:
    return f'<dimension name="{name}" value="{value}"/>'


def loc(ref: str) -> str:
    return f'<location ref="{ref}"/>'


def comment(*narratives: str) -> str:
    return "<comment>" + "".join(narratives) + "</comment>"


def nar(text: str, lang: str = "") -> str:
    return f'<narrative xml:lang="{lang}">{text}</narrative>' if lang else f"<narrative>{text}</narrative>"


W, E = "warning", "error"
# id: (file text or bytes, (framework, indicators, results) rows, {(row, column): value}, [(severity, check, message, element)])
CASES = {
    # 2.03: several baselines, told apart by dimension and by location (year alike); the same
    # baseline twice (WRI repeats whole blocks) is read once
    "several baselines": (one(
        '<baseline year="2019" value="10"/>'
        f'<baseline year="2019" value="4">{dim("sex", "female")}</baseline>'
        f'<baseline year="2019" value="3">{loc("KE-NBO")}</baseline>'
        f'<baseline year="2019" value="3">{loc("KE-NBO")}</baseline>'
        '<baseline year="2020" value="12"/>'),
        (1, 1, 4),
        {(4, "baseline"): "10", (5, "dimension"): "sex", (5, "dimension_value"): "female", (6, "dimension"): "location",
         (6, "dimension_value"): "KE-NBO", (6, "baseline"): "3", (7, "baseline_year"): "2020"},
        [(W, "duplicate-key", f"1 value(s) repeated with the same breakdown were read once, e.g. the one beside "
                              f"{IND}/baseline[3]", f"{IND}/baseline[4]")]),
    # the shape of the IATI 2.03 standard's own annotated example: a baseline, target and actual
    # each at two locations for one sex and age, with comments and document links
    "the standard's example result": (iati(activity(
        '<result type="1" aggregation-status="1"><title><narrative>Result title</narrative></title>'
        '<reference vocabulary="99" code="B1" vocabulary-uri="http://example.com/results.html"/>'
        '<indicator measure="1" ascending="1" aggregation-status="1"><title><narrative>Indicator title</narrative></title>'
        '<reference vocabulary="1" code="3" indicator-uri="http://example.com/indicators.html"/>'
        f'<baseline year="2012" iso-date="2012-01-01" value="10">{loc("AF-KAN")}{loc("KH-PNH")}{dim("sex", "female")}'
        f'{dim("age", "adult")}<document-link url="http://x.org/b"/>{comment(nar("Baseline comment text"))}</baseline>'
        + period(f'<target value="10">{loc("AF-KAN")}{loc("KH-PNH")}{dim("sex", "female")}{dim("age", "adult")}'
                 f'{comment(nar("Target comment text"))}<document-link url="http://x.org/t"/></target>'
                 f'<actual value="11">{loc("AF-KAN")}{loc("KH-PNH")}{dim("sex", "female")}{dim("age", "adult")}'
                 f'{comment(nar("Actual comment text"))}<document-link url="http://x.org/a"/></actual>',
                 start="2013-01-01", end="2013-03-31") + "</indicator></result>", ident="AA-AAA-123456789-ABC123",
        attrs=' xml:lang="en" hierarchy="1"')),
        (1, 1, 2),
        {(2, "code"): "B1", (3, "code"): "AA-AAA-123456789-ABC123/1/1",
         (3, "description"): "Other references: vocabulary 1 code 3.", (4, "baseline"): "10",
         (4, "dimension"): "location × sex × age", (4, "dimension_value"): "AF-KAN + KH-PNH × female × adult",
         (4, "comment"): "Baseline comment text", (5, "dimension_value"): "AF-KAN + KH-PNH × female × adult",
         (5, "target"): "10", (5, "actual"): "11", (5, "comment"): "Target comment text / Actual comment text"},
        []),
    "two different baselines of one year": (one('<baseline year="2019" value="10"/><baseline year="2019" value="11"/>'),
        (0, 0, 0), {},
        [(E, "duplicate-key", f"a second baseline of 2019 beside {IND}/baseline[1] ('10' there, '11' here); IATI tells "
                              "the values of one period apart by dimension or location", f"{IND}/baseline[2]")]),
    # 2.03: several targets and actuals in one period, with dimensions (in either order), locations
    # (two on one value: one place), comments in two languages
    "several targets and actuals": (iati(activity(result(indicator(period(
        '<target value="100"/>'
        f'<target value="60">{dim("sex", "female")}{dim("age", "20-29")}</target>'
        f'<target value="30">{loc("L1")}</target>'
        f'<actual value="80">{comment(nar("bonne année", "fr"), nar("good year", "en"))}</actual>'
        f'<actual value="50">{dim("age", "20-29")}{dim("sex", "female")}</actual>'
        f'<actual value="45">{loc("L2")}{loc("L1")}</actual>'))), attrs=' xml:lang="en"')),
        (1, 1, 4),
        {(4, "target"): "100", (4, "actual"): "80", (4, "comment"): "good year",
         (5, "dimension"): "sex × age", (5, "dimension_value"): "female × 20-29", (5, "target"): "60", (5, "actual"): "50",
         (6, "dimension_value"): "L1", (6, "target"): "30", (6, "actual"): "",
         (7, "dimension"): "location", (7, "dimension_value"): "L1 + L2", (7, "actual"): "45"},
        []),
    # a breakdown spelt in two cases (`Sex`/`FEMALE` beside `sex`/`female`): one breakdown, first spelling
    "a breakdown in two spellings": (one(period(f'<target value="6">{dim("Sex", "FEMALE")}</target>'
                                                f'<actual value="5">{dim("sex", "female")}</actual>')),
        (1, 1, 1), {(4, "dimension"): "Sex", (4, "dimension_value"): "FEMALE", (4, "target"): "6", (4, "actual"): "5"},
        []),
    "two different actuals without breakdown": (one(period('<actual value="5"/><actual value="6"/>')), (0, 0, 0), {},
        [(E, "duplicate-key", f"a second actual beside {IND}/period/actual[1] ('5' there, '6' here); IATI tells the "
                              "values of one period apart by dimension or location", f"{IND}/period/actual[2]")]),
    "two different actuals for one location": (one(period(f'<actual value="5">{loc("L1")}</actual>'
                                                          f'<actual value="6">{loc("L1")}</actual>')), (0, 0, 0), {},
        [(E, "duplicate-key", f"a second actual for location = L1 beside {IND}/period/actual[1] ('5' there, '6' here); "
                              "IATI tells the values of one period apart by dimension or location",
          f"{IND}/period/actual[2]")]),
    # one period written as two period elements of the same dates, targets apart from actuals
    "one period written twice": (one(period('<target value="5"/>') + period('<actual value="4"/><actual value="4"/>')),
        (1, 1, 1), {(4, "target"): "5", (4, "actual"): "4"},
        [(W, "duplicate-key", f"1 value(s) repeated with the same breakdown were read once, e.g. the one beside "
                              f"{IND}/period[2]/actual[1]", f"{IND}/period[2]/actual[2]")]),
    "one period twice, with different actuals": (one(period('<actual value="5"/>') + period('<actual value="6"/>')),
        (0, 0, 0), {},
        [(E, "duplicate-key", f"a second actual beside {IND}/period[1]/actual ('5' there, '6' here); IATI tells the "
                              "values of one period apart by dimension or location", f"{IND}/period[2]/actual")]),
    "a location without ref": (one(period('<actual value="5"><location/></actual>')), (0, 0, 0), {},
        [(E, "missing-cell", "a location inside a value needs the ref of one of the activity's locations",
          f"{IND}/period/actual/location")]),
    # IndicatorMeasure 1-5 and none
    "measures 1 to 5 and none": (iati(activity(result(
        indicator(period('<actual value="7"/>'), measure="1", title="Unit"),
        indicator(period('<actual value="45.5"/>'), measure="2", title="Percentage"),
        indicator(period('<actual value="Blue"/>'), measure="3", title="Nominal"),
        indicator(period('<actual value="3"/>'), measure="4", title="Ordinal"),
        indicator(period(f'<actual>{comment(nar("Law adopted"))}</actual>'), measure="5", title="Qualitative"),
        indicator(period('<actual value="2"/>'), measure=None, title="None")))),
        (1, 6, 6),
        {(3, "measure"): "unit", (5, "measure"): "percentage", (7, "measure"): "qualitative", (9, "measure"): "ordinal",
         (9, "scale_min"): "3", (9, "scale_max"): "4", (11, "measure"): "qualitative", (13, "measure"): "unit",
         (8, "actual"): "Blue", (12, "actual"): "Law adopted", (12, "comment"): ""},
        [(W, "type-error", "measure 3 (nominal) read as qualitative: its values are kept as texts", f"{IND}[3]"),
         (W, "missing-cell", "an ordinal indicator carries no scale in IATI: scale set to 3–4 from its values; correct it "
                             "with an indicators upload", f"{IND}[4]"),
         (W, "missing-cell", "indicator without a measure: read as unit from its values", f"{IND}[6]")]),
    "measure outside the codelist": (one(period('<actual value="7"/>'), measure="6"), (1, 1, 1), {(3, "measure"): "6"},
        []),  # the indicators check refuses it, naming the allowed measures (test_iati_import)
    # ascending: 1/0, true/false, absent (the schema's default: true); aggregation-status ignored
    "ascending spellings": (iati(activity(result(
        indicator(period('<actual value="1"/>'), title="a", attrs=' ascending="0" aggregation-status="1"'),
        indicator(period('<actual value="1"/>'), title="b", attrs=' ascending="false"'),
        indicator(period('<actual value="1"/>'), title="c", attrs=' ascending="true"'),
        indicator(period('<actual value="1"/>'), title="d", attrs="")))),
        (1, 4, 4), {(3, "ascending"): "false", (5, "ascending"): "false", (7, "ascending"): "true", (9, "ascending"): "true"},
        []),
    # references: a published vocabulary (with indicator-uri) kept in the description (one without
    # a code left out), the reporting organisation's own (99) as the code; a result's own as its code
    "references": (iati(activity(result(indicator(
        period('<actual value="1"/>'),
        extra='<reference vocabulary="7" code="3.1.1" indicator-uri="https://unstats.un.org/sdgs"/>'
              '<reference vocabulary="1" indicator-uri="https://example.org/no-code"/><reference code="X1"/>'
              '<reference vocabulary=" 99 " code="IND-9"/>'), extra='<reference vocabulary="99" code="RES-1"/>'))),
        (1, 1, 1),
        {(2, "code"): "RES-1", (3, "code"): "IND-9", (3, "result"): "RES-1",
         (3, "description"): "Other references: vocabulary 7 code 3.1.1; code X1.", (4, "indicator"): "IND-9"},
        []),
    # document-link inside result, indicator, baseline, target and actual (2.03): not values, not titles
    "document links": (iati(activity(result(indicator(
        '<baseline year="2019" value="2"><document-link url="https://x.org/b" format="text/html"><title>'
        '<narrative>Baseline study</narrative></title></document-link></baseline>'
        + period('<target value="5"><document-link url="https://x.org/t"><title><narrative>Plan</narrative></title>'
                 '</document-link></target><actual value="4"/>'),
        extra='<document-link url="https://x.org/i"><title><narrative>Sheet</narrative></title></document-link>'),
        extra='<document-link url="https://x.org/r"><title><narrative>Report</narrative></title></document-link>'))),
        (1, 1, 2), {(2, "title"): "Better services", (3, "name"): "People served", (4, "baseline"): "2",
                    (4, "comment"): "", (5, "target"): "5", (5, "actual"): "4"},
        []),
    # dates with a time, fractions of a second and time zones (ADB writes "+08:00")
    "dates with times and zones": (one(period('<actual value="1"/>', start="2020-01-01T00:00:00.000+01:00",
                                              end="2020-12-31Z")
                                       + period('<actual value="2"/>', start="2021-01-01T08:30:00", end="2021-12-31-05:00")),
        (1, 1, 2), {(4, "period_start"): "2020-01-01", (4, "period_end"): "2020-12-31", (5, "period_start"): "2021-01-01",
                    (5, "period_end"): "2021-12-31"},
        []),
    "a period without period-start": (one('<period><period-end iso-date="2020-12-31"/><actual value="1"/></period>'),
        (0, 0, 0), {},
        [(E, "missing-cell", "a period needs its period-start with an iso-date; its values cannot be placed in time",
          f"{IND}/period")]),
    "a period-end with an empty iso-date": (one(period('<actual value="1"/>', end="")), (0, 0, 0), {},
        [(E, "missing-cell", "a period needs its period-end with an iso-date; its values cannot be placed in time",
          f"{IND}/period/period-end")]),
    # value attributes empty, blank or absent beside values
    "empty and absent values": (one(period('<target value=""/><actual/>')
                                    + period('<target value=" "/><actual value="3"/>', start="2021-01-01", end="2021-12-31")),
        (1, 1, 1), {(4, "period_start"): "2021-01-01", (4, "target"): "", (4, "actual"): "3"},
        [(W, "missing-cell", "a period without a target or actual value was not imported", f"{IND}/period[1]")]),
    # a baseline with only an iso-date (no year): the iso-date's year, no warning
    "a baseline dated by iso-date only": (one('<baseline iso-date="2018-06-30" value="5"/>'), (1, 1, 1),
        {(4, "baseline_year"): "2018"}, []),
    # narratives in several languages: the activity's language (xml:lang on iati-activity, else on
    # iati-activities); a narrative without xml:lang is in that language; else the first
    "narratives in several languages": (iati(
        activity(result(indicator(period('<actual value="1"/>')).replace(
            nar("People served"), nar("Personnes servies", "fr") + nar("People served", "en")),
            title="Better services").replace(nar("Better services"), nar("Meilleurs services", "fr")
                                             + nar("Better services", "en")), attrs=' xml:lang="fr"'),
        activity(result(indicator(period('<actual value="1"/>')).replace(
            nar("People served"), nar("Personas atendidas", "es") + nar("People served"))), ident="XM-A-2"),
        activity(result(indicator(period('<actual value="1"/>')).replace(
            nar("People served"), nar("", "en") + nar("Personas", "es") + nar("Pessoas", "pt"))), ident="XM-A-3"),
        attrs=' xml:lang="en"'),
        (3, 3, 3), {(2, "title"): "Meilleurs services", (5, "name"): "Personnes servies", (7, "name"): "People served",
                    (9, "name"): "Personas"},
        []),
    # a result and an indicator described but without a title: named after their descriptions
    "descriptions without titles": (iati(activity(
        '<result type="2"><description><narrative>Roads kept open</narrative></description>'
        '<indicator measure="1"><description><narrative>Km of road maintained</narrative></description>'
        + period('<actual value="12"/>') + "</indicator>"
        '<indicator measure="1">' + period('<actual value="3"/>') + "</indicator></result>")),
        (1, 2, 2), {(2, "title"): "Roads kept open", (3, "name"): "Km of road maintained",
                    (3, "description"): "Km of road maintained", (5, "name"): "XM-A-1/1/2"},
        [(W, "missing-cell", "indicator without a title: named after its description", f"{IND}[1]"),
         (W, "missing-cell", "indicator without a title: named XM-A-1/1/2", f"{IND}[2]")]),
    # ResultType 1, 2, 3, 9; none (read as other, one warning); 4 is not a code
    "result types": (iati(activity(*(result(indicator(period('<actual value="1"/>')), type_=t, title=f"R{t}")
                                     for t in ("1", "2", "3", "9", None)))),
        (5, 5, 5), {(2, "level"): "output", (3, "level"): "outcome", (4, "level"): "impact", (5, "level"): "other",
                    (6, "level"): "other", (6, "title"): "RNone"},
        [(W, "missing-cell", "1 result(s) without a type (1 output, 2 outcome, 3 impact, 9 other) were read as other",
          f"{ACT}/result[5]")]),
    "result type 4": (one(period('<actual value="1"/>')).replace('type="1"', 'type="4"'), (0, 0, 0), {},
        [(E, "type-error", "result type '4' is not an IATI ResultType code (1 output, 2 outcome, 3 impact, 9 other)",
          f"{ACT}/result")]),
    # a parent (hierarchy 1) and a child (hierarchy 2), each with its own results
    "hierarchy": (iati(activity(result(indicator(period('<actual value="1"/>'))), ident="XM-P", attrs=' hierarchy="1"'),
                       activity(result(indicator(period('<actual value="2"/>'))), ident="XM-P-1", attrs=' hierarchy="2"',
                                extra='<related-activity ref="XM-P" type="1"/>')),
        (2, 2, 2), {(2, "code"): "XM-P/1", (3, "code"): "XM-P-1/1", (5, "indicator"): "XM-P/1/1", (7, "actual"): "2"},
        []),
    # publishers' extension elements anywhere (USAID's usg:, AKVO's akvo:), one named like IATI's
    "extension elements": (iati(activity(
        result(indicator(period('<target value="5"><x:note>n</x:note></target><x:actual value="9"/><actual value="4"/>'),
                         extra='<x:baseline year="1" value="1"/>'), extra="<x:result-extra/>"),
        extra='<x:result type="1"><title><narrative>ext</narrative></title></x:result>'),
        '<x:iati-activity><iati-identifier>X</iati-identifier></x:iati-activity>',
        attrs=' xmlns:x="https://example.org/ext"'),
        (1, 1, 1), {(4, "target"): "5", (4, "actual"): "4"},
        []),
    # a default namespace, which IATI does not use: read, with a warning
    "a default namespace": (iati(activity(result(indicator(period('<actual value="1"/>')))),
                                 attrs=' xmlns="http://iatistandard.org/activities"'),
        (1, 1, 1), {(4, "actual"): "1"},
        [(W, "not-iati", "the elements are in the namespace http://iatistandard.org/activities, which IATI does not use; "
                         "they were read as IATI's", "/iati-activities")]),
    "an organisation file": ('<?xml version="1.0"?><iati-organisations version="2.03"><iati-organisation>'
                             '<organisation-identifier>XM-1</organisation-identifier></iati-organisation></iati-organisations>',
        (0, 0, 0), {},
        [(E, "not-iati", "f.xml: the root element is <iati-organisations>, not <iati-activities> — an IATI organisation "
                         "file (budgets and documents of a publisher), which holds no activity results; only IATI "
                         "activity files can be imported", "")]),
    # encodings: declared ISO-8859-1, UTF-16 with its byte order mark, UTF-8 with a BOM
    "ISO-8859-1": (one(period('<actual value="1"/>'), title="Niños vacunados").replace(
        'encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1"),
        (1, 1, 1), {(3, "name"): "Niños vacunados"}, []),
    "windows-1252": (one(period('<actual value="1"/>'), title="Roads – “rural”").replace(
        'encoding="UTF-8"', 'encoding="windows-1252"').encode("cp1252"),
        (1, 1, 1), {(3, "name"): "Roads – “rural”"}, []),
    "UTF-16": (one(period('<actual value="1"/>'), title="Niños").replace('encoding="UTF-8"', 'encoding="UTF-16"')
               .encode("utf-16"), (1, 1, 1), {(3, "name"): "Niños"}, []),
    "UTF-8 with a BOM": (b"\xef\xbb\xbf" + one(period('<actual value="1"/>'), title="Niños").encode(),
                         (1, 1, 1), {(3, "name"): "Niños"}, []),
    "not the declared encoding": (one(period('<actual value="1"/>'), title="Niños").encode("latin-1"), (0, 0, 0), {},
        [(E, "not-iati", "f.xml is not well-formed XML (Invalid bytes in character encoding, line 2, column 216, line 2); "
                         "the file is not in the encoding it declares (UTF-8 when it declares none): save it as UTF-8, "
                         'or declare its encoding, e.g. <?xml version="1.0" encoding="ISO-8859-1"?>', "")]),
    "an empty file": (b"", (0, 0, 0), {},
        [(E, "not-iati", "f.xml is not well-formed XML (no element found, line 0); export it again from its source, as "
                         "IATI 2.03 activities", "")]),
    # 2.01 and 2.02 files: the same result elements (one target and actual per period), read alike
    "IATI 2.01": (iati(activity(result(indicator('<baseline year="2012" value="1"/>' + period(
        f'<target value="5">{comment(nar("plan"))}</target><actual value="6"/>')))), version="2.01"),
        (1, 1, 2), {(4, "baseline"): "1", (5, "target"): "5", (5, "comment"): "plan"}, []),
    "IATI 2.02": (iati(activity(result(indicator(period(
        f'<target value="5">{dim("sex", "male")}</target><actual value="6">{dim("sex", "male")}</actual>')))),
        version="2.02"), (1, 1, 1), {(4, "dimension_value"): "male", (4, "actual"): "6"}, []),
    # an activity published twice in one file: read once when its results are the same, else refused
    "an activity twice, alike": (iati(*[activity(result(indicator(period('<actual value="1"/>'))))] * 2),
        (1, 1, 1), {},
        [(W, "duplicate-key", f"a second iati-activity XM-A-1 with the same results as {ACT}[1]; its results were read "
                              "once", f"{ACT}[2]")]),
    "an activity twice, different": (iati(activity(result(indicator(period('<actual value="1"/>')))),
                                          activity(result(indicator(period('<actual value="2"/>'))))),
        (0, 0, 0), {},
        [(E, "duplicate-key", f"the iati-identifier XM-A-1 is also that of {ACT}[1], with other results; an identifier "
                              "names one activity", f"{ACT}[2]")]),
}


def _found(tables) -> list[tuple]:
    out = []
    for i in (i for t in tables for i in t.issues):
        message, _, element = i.message.partition(" (element ")
        out.append((i.severity, i.check, message if element else i.message, element.rstrip(")")))
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_standard_shapes_read_into_exact_rows(case):
    text, counts, cells, issues = CASES[case]
    data = text if isinstance(text, bytes) else text.encode()
    tables = read_iati(data, "f.xml")
    frames = {t.kind: t.frame for t in tables if t.kind}
    assert tuple(len(frames.get(k, ())) for k in ("framework", "indicators", "results")) == counts
    by_row = {row: record for f in frames.values() for row, record in f.to_dict("index").items()}
    assert {key: by_row[key[0]][key[1]] for key in cells} == cells
    assert _found(tables) == issues


IMPORTABLE = [c for c, (_t, counts, _c, issues) in CASES.items()
              if any(counts) and not any(i[0] == E for i in issues) and c != "measure outside the codelist"]


@pytest.mark.parametrize("case", IMPORTABLE)
def test_standard_shapes_dry_run_as_read(engine, case):
    """What the reader hands over, the engine takes whole: every row created, no error."""
    text, counts, _cells, _issues = CASES[case]
    report = import_bytes(engine, "f.xml", text if isinstance(text, bytes) else text.encode(), dry_run=True)
    assert (report.status, report.created, report.error_count) == ("dry-run", sum(counts), 0), report.issues[:3]


def test_a_file_is_streamed_and_its_transactions_dropped():
    """Each activity is handed over parsed whole, then only its identifier and results stay in the tree."""
    noise = "".join(f'<transaction><value currency="EUR">{n}</value></transaction><budget/>' for n in range(50))
    data = iati(*(activity(result(indicator(period('<actual value="1"/>'))), ident=f"XM-{n}", extra=noise)
                  for n in range(3))).encode()
    seen, root = [], None
    for act in iter_activities(data):
        seen.append((act.findtext("iati-identifier"), len(act.findall("transaction")), len(act.findall("result"))))
        root = act.getparent()
    assert seen == [("XM-0", 50, 1), ("XM-1", 50, 1), ("XM-2", 50, 1)]
    assert [[c.tag for c in a] for a in root] == [["iati-identifier", "result"]] * 3

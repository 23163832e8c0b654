"""What the import engine refuses, and that a refusal writes nothing: files that are not
CSV, encodings, missing columns, unknown kinds and who may upload what (DESIGN.md,
"Upload formats", "Import rules" and "Access")."""
import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from models.access import Scope
from models.review import approve_batch
from models.tables import Indicator, Partner, Value

from helpers import batch_count, committed, database_content, import_bytes, import_csv, problems, stored

PARTNERS = (
    "code,name,country,region\n"
    "GTM,Superintendencia de Administración Tributaria,Guatemala,AME\n"
    "SLE,National Revenue Authority,Sierra Leone,WCA\n"
)
INDICATORS = "code,name,level,measure,ascending\nUNIT,Release time,outcome,unit,false\nPCT,Share,outcome,percentage,true\n"
REFERENCE = [("partners.csv", PARTNERS), ("indicators.csv", INDICATORS)]
GTM_COORDINATOR = Scope("coordinator@sat.gob.gt", "partner", partner="GTM")
EDITOR = Scope("editor@example.org", "editor")


def approve(engine, report) -> None:
    """A partner coordinator's upload waits for review (models.review): an editor approves it."""
    assert report.status == "submitted", report.summary()
    assert values_stored(engine) == [] or report.updated  # nothing of it applied yet
    assert approve_batch(engine, report.batch_id, scope=EDITOR, user=EDITOR.email).status == "approved"


def partners_stored(engine):
    return stored(engine, select(Partner.code, Partner.name, Partner.country, Partner.region)
                  .where(Partner.code != "").order_by(Partner.code))


def values_stored(engine):
    return stored(engine, select(Indicator.code, Partner.code, Value.period_start, Value.target, Value.actual, Value.comment)
                  .join(Indicator, Indicator.id == Value.indicator_id).join(Partner, Partner.id == Value.partner_id)
                  .order_by(Indicator.code, Partner.code, Value.period_start))


def zip_of(name, data):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


# --- a refusal writes nothing -----------------------------------------------------------------

REFUSED_UPLOADS = [
    pytest.param([("results.csv", "indicator,partner,period,actual\nUNIT,GTM,2024,1\nUNIT,GTM,2025,abc\n")], id="one-bad-row"),
    pytest.param([("partners.csv", "code,name,country,region\nNEW,New,Kenya,ESA\nGTM,SAT renamed,Atlantis,AME\n")],
                 id="bad-country-among-good-rows"),
    pytest.param([("partners.csv", "code,name,country,region\nNEW,New,Kenya,ESA\n"),
                  ("results.csv", "indicator,partner,period,actual\nUNIT,NEW,2024,1\nNOPE,NEW,2024,1\n")],
                 id="second-file-bad"),
    pytest.param([("partners.csv", "code,name,country,region\nNEW,New,Kenya,ESA\n"),
                  ("picture.csv", "\x89PNG\r\n\x1a\n")], id="second-file-not-csv"),
    pytest.param([("indicators.csv", "code,name,level,measure,ascending\nUNIT,Release time,outcome,percentage,false\n")],
                 id="measure-change-no-longer-fits"),
]


@pytest.mark.parametrize("files", REFUSED_UPLOADS)
def test_refused_upload_writes_nothing(engine, files):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", "indicator,partner,period,target,actual\nUNIT,GTM,2023,120,150\n"))
    content = database_content(engine)
    report = import_csv(engine, *files)
    assert report.status == "rejected"
    assert report.batch_id is None
    assert report.errors
    assert database_content(engine) == content


# --- encodings ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "data, expected_encoding, expected_problems",
    [
        pytest.param(PARTNERS.encode("utf-8"), "utf-8", [], id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + PARTNERS.encode("utf-8"), "utf-8-sig", [], id="utf-8-bom"),
        pytest.param(PARTNERS.encode("utf-16"), "utf-16", [], id="utf-16-bom"),
        pytest.param(PARTNERS.encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16", [], id="utf-16-be-bom"),
        pytest.param(PARTNERS.replace(",", ";").encode("utf-16"), "utf-16", [], id="utf-16-semicolons"),
        pytest.param(PARTNERS.replace(",", "\t").encode("utf-8"), "utf-8", [], id="tabs"),
        pytest.param(PARTNERS.replace("\n", "\r\n").encode("cp1252"), "cp1252", [(0, "", "encoding")], id="cp1252-crlf"),
    ],
)
def test_encodings_stored_exactly(engine, data, expected_encoding, expected_problems):
    report = import_bytes(engine, "partners.csv", data)
    assert report.status == "committed", report.issues
    assert problems(report) == expected_problems
    assert [f["encoding"] for f in report.files] == [expected_encoding]
    assert partners_stored(engine) == [
        ("GTM", "Superintendencia de Administración Tributaria", "GTM", "AME"),
        ("SLE", "National Revenue Authority", "SLE", "WCA"),
    ]


def test_cp1252_is_a_warning_showing_the_line(engine):
    report = import_bytes(engine, "partners.csv", PARTNERS.encode("cp1252"))
    (warning,) = report.issues
    assert (warning.severity, warning.check) == ("warning", "encoding")
    assert "Administración" in warning.value
    assert "cp1252" in warning.message


@pytest.mark.parametrize(
    "encoding, expected_problems, expected_name",
    [
        pytest.param("cp1252", [], "Superintendencia de Administración Tributaria", id="cp1252-given"),
        pytest.param("latin-1", [], "Superintendencia de Administración Tributaria", id="latin-1-given"),
        pytest.param("utf-8", [(0, "", "encoding")], None, id="utf-8-given-wrong"),
        pytest.param("klingon", [(0, "", "encoding")], None, id="unknown-encoding"),
    ],
)
def test_encoding_option_overrides_detection(engine, encoding, expected_problems, expected_name):
    report = import_bytes(engine, "partners.csv", PARTNERS.encode("cp1252"), encoding=encoding)
    assert problems(report) == expected_problems
    assert [p[1] for p in partners_stored(engine) if p[0] == "GTM"] == ([expected_name] if expected_name else [])


def test_undecodable_bytes_refused_never_garbled(engine):
    data = "code,name,country,region\nGTM,Caf\u00e9,Guatemala,AME\n".encode("cp1252").replace(b"\xe9", b"\x81")
    report = import_bytes(engine, "partners.csv", data)
    assert problems(report) == [(0, "", "encoding")]
    assert partners_stored(engine) == []


# --- files that are not CSV --------------------------------------------------------------------

def broken_xlsx():
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()[:200]


@pytest.mark.parametrize(
    "name, data",
    [
        pytest.param("data.csv", bytes(range(256)) * 8, id="binary"),
        pytest.param("data.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), id="png"),
        pytest.param("data.png", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(64), id="jpeg"),
        pytest.param("data.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", id="pdf"),
        pytest.param("data.zip", zip_of("partners.csv", PARTNERS), id="zip"),
        pytest.param("data.xlsx", broken_xlsx(), id="broken-xlsx"),
        pytest.param("data.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), id="old-excel"),
        pytest.param("data.csv", b"PK\x03\x04garbage", id="truncated-zip"),
    ],
)
def test_not_csv_refused_with_row_zero(engine, name, data):
    content = database_content(engine)
    report = import_bytes(engine, name, data)
    assert report.status == "rejected"
    assert problems(report) == [(0, "", "not-csv")]
    assert report.issues[0].file == name
    assert database_content(engine) == content


@pytest.mark.parametrize(
    "data",
    [pytest.param(b"", id="no-bytes"), pytest.param(b"  \r\n\n \t\n", id="whitespace"),
     pytest.param(b"\xef\xbb\xbf", id="only-bom"), pytest.param("\ufeff\n".encode("utf-16"), id="utf-16-empty")],
)
def test_empty_file_refused(engine, data):
    report = import_bytes(engine, "empty.csv", data)
    assert report.status == "rejected"
    assert problems(report) == [(0, "", "empty-file")]


@pytest.mark.parametrize("text", ["code,name,country\n", "code,name,country\n\n,,\n"], ids=["header-only", "header-and-blank-rows"])
def test_header_only_file_is_refused(engine, text):
    """A header with no data row is refused (`empty-file`), the other files of the call too: nothing is written."""
    before = batch_count(engine)
    report = import_csv(engine, ("donors.csv", text), ("partners.csv", "code,name,country,region\nGTM,SAT,Guatemala,AME\n"))
    assert (report.status, report.batch_id, problems(report)) == ("rejected", None, [(0, "", "empty-file")])
    assert report.issues[0].message == ("donors.csv has a header row but no data rows; add the rows below the header and "
                                        "import it again")
    assert batch_count(engine) == before


@pytest.mark.parametrize(
    "text, kind, expected",
    [
        pytest.param("foo,bar\n1,2\n", None, [(1, "", "unknown-kind")], id="no-kind-fits"),
        pytest.param("\n\nfoo,bar\n1,2\n", None, [(3, "", "unknown-kind")], id="header-after-blank-lines"),
        pytest.param("code,name\nNOR,Norad\n", "budgets", [(0, "", "unknown-kind")], id="unknown-kind-option"),
    ],
)
def test_unknown_kind_refused(engine, text, kind, expected):
    report = import_bytes(engine, "file.csv", text.encode("utf-8"), kind=kind)
    assert report.status == "rejected"
    assert problems(report) == expected


@pytest.mark.parametrize(
    "text, kind, expected",
    [
        pytest.param("code,name,country\nGTM,SAT,Guatemala\n", "partners", [(1, "region", "missing-column")], id="partners-region"),
        pytest.param("code,name,level,measure\nI,x,outcome,unit\n", "indicators", [(1, "ascending", "missing-column")],
                     id="indicators-ascending"),
        pytest.param("indicator,partner,actual\nUNIT,GTM,1\n", "results", [(1, "period", "missing-column")], id="results-period"),
        pytest.param("indicator,partner,period_start,actual\nUNIT,GTM,2024-01-01,1\n", None,
                     [(1, "period_end", "missing-column")], id="results-period-end"),
        pytest.param("code,title,start\nA1,x,2024-01-01\n", "activities", [(1, "type", "missing-column")], id="activities-type"),
    ],
)
def test_missing_column_refused(engine, text, kind, expected):
    committed(engine, *REFERENCE)
    report = import_csv(engine, ("file.csv", text), kind=kind)
    assert report.status == "rejected"
    assert problems(report) == expected


def test_unknown_column_is_a_warning_with_a_hint(engine):
    committed(engine, *REFERENCE)
    report = import_csv(engine, ("results.csv", "indicator,partner,period,actual,comments\nUNIT,GTM,2024,1,x\n"))
    assert report.status == "committed"
    assert [(i.row, i.column, i.check, i.severity) for i in report.issues] == [(1, "comments", "unknown-column", "warning")]
    assert "did you mean 'comment'" in report.issues[0].message


# --- who may upload what ---------------------------------------------------------------------

SCOPED = [
    pytest.param("indicator,partner,period,actual,comment\nUNIT,GTM,2024,12,on time\n", [], id="own-actual-and-comment"),
    pytest.param("indicator,partner,period,actual\nunit,gtm,2024,12\n", [], id="own-code-any-case"),
    pytest.param("indicator,partner,period,target,actual\nUNIT,GTM,2024,,12\n", [], id="empty-target-cell-is-fine"),
    pytest.param("indicator,partner,period,target,actual\nUNIT,GTM,2024,10,12\n", [(2, "target", "not-permitted")], id="target"),
    pytest.param("indicator,partner,baseline,baseline_year\nUNIT,GTM,9,2020\n",
                 [(2, "baseline", "not-permitted"), (2, "baseline_year", "not-permitted")], id="baseline"),
    pytest.param("indicator,partner,period,actual\nUNIT,SLE,2024,12\n", [(2, "partner", "not-permitted")], id="other-partner"),
    pytest.param("indicator,partner,period,actual\nUNIT,,2024,12\n", [(2, "partner", "not-permitted")], id="programme-level"),
    pytest.param("indicator,period,actual\nUNIT,2024,12\n", [(2, "partner", "not-permitted")], id="no-partner-column"),
    pytest.param("indicator,partner,period,actual\nUNIT,GTM,2024,12\nUNIT,SLE,2024,12\n", [(3, "partner", "not-permitted")],
                 id="one-row-of-another-partner"),
]


@pytest.mark.parametrize("text, expected", SCOPED)
def test_partner_coordinator_uploads_own_actuals_and_comments(engine, text, expected):
    committed(engine, *REFERENCE)
    content = database_content(engine)
    report = import_csv(engine, ("results.csv", text), scope=GTM_COORDINATOR)
    assert problems(report) == expected
    if expected:
        assert database_content(engine) == content
    else:
        assert values_stored(engine) == []
        approve(engine, report)
        assert [v[:2] + v[3:5] for v in values_stored(engine)] == [("UNIT", "GTM", None, 12.0)]


def test_partner_coordinator_keeps_agreed_target(engine):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", "indicator,partner,period,target\nUNIT,GTM,2024,10\n"))
    report = import_csv(engine, ("results.csv", "indicator,partner,period,actual,comment\nUNIT,GTM,2024,12,late\n"),
                        scope=GTM_COORDINATOR)
    assert (report.status, report.updated) == ("submitted", 1)
    assert values_stored(engine) == [("UNIT", "GTM", date(2024, 1, 1), 10.0, None, None)]
    approve(engine, report)
    assert values_stored(engine) == [("UNIT", "GTM", date(2024, 1, 1), 10.0, 12.0, "late")]


@pytest.mark.parametrize(
    "name, text",
    [
        pytest.param("donors.csv", "code,name\nNOR,Norad\n", id="donors"),
        pytest.param("partners.csv", "code,name,country,region\nGTM,SAT,Guatemala,AME\n", id="partners"),
        pytest.param("indicators.csv", "code,name,level,measure,ascending\nNEW,x,outcome,unit,true\n", id="indicators"),
        pytest.param("framework.csv", "code,title,level\nIMP,x,impact\n", id="framework"),
        pytest.param("activities.csv", "code,title,type,start,partners\nA1,x,meeting,2024-01-01,GTM\n", id="activities"),
        pytest.param("funding.csv", "donor,partner\nNOR,GTM\n", id="funding"),
    ],
)
def test_partner_coordinator_cannot_upload_other_kinds(engine, name, text):
    committed(engine, *REFERENCE)
    content = database_content(engine)
    report = import_csv(engine, (name, text), scope=GTM_COORDINATOR)
    assert report.status == "rejected"
    assert (0, "", "not-permitted") in problems(report)
    assert database_content(engine) == content


@pytest.mark.parametrize(
    "scope",
    [
        pytest.param(Scope("viewer@example.org", "viewer"), id="viewer"),
        pytest.param(Scope("norad@example.org", "donor", donor="NOR"), id="donor"),
    ],
)
def test_viewer_and_donor_cannot_upload(engine, scope):
    committed(engine, *REFERENCE)
    content = database_content(engine)
    report = import_csv(engine, ("results.csv", "indicator,partner,period,actual\nUNIT,GTM,2024,12\n"), scope=scope)
    assert report.status == "rejected"
    assert problems(report) == [(0, "", "not-permitted")]
    assert database_content(engine) == content


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_admin_and_editor_upload_everything(engine, role):
    report = import_csv(engine, *REFERENCE, ("results.csv", "indicator,partner,period,target\nUNIT,GTM,2024,10\n"),
                        scope=Scope(f"{role}@example.org", role))
    assert (report.status, report.created) == ("committed", 5)


# --- exported cells read back ------------------------------------------------------------------

@pytest.mark.parametrize(
    "cell, expected",
    [
        pytest.param("'=SUM(A1)", "=SUM(A1)", id="formula"),
        pytest.param("'+41 22 209 94 41", "+41 22 209 94 41", id="plus"),
        pytest.param("'-5 days", "-5 days", id="minus"),
        pytest.param("'@mention", "@mention", id="at"),
        pytest.param("''=x", "'=x", id="quote-before-formula"),
        pytest.param("'quoted", "'quoted", id="plain-quote-kept"),
        pytest.param("it's =fine", "it's =fine", id="inner-quote"),
    ],
)
def test_defused_cells_read_back(engine, cell, expected):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", "indicator,partner,period,actual,comment\n" f'UNIT,GTM,2024,1,"{cell}"\n'))
    assert [v[5] for v in values_stored(engine)] == [expected]


def test_exported_style_file_round_trips(engine):
    committed(engine, *REFERENCE)
    exported = (
        "\ufeffindicator,partner,period_start,period_end,target,actual,baseline,baseline_year,comment,dimension,"
        "dimension_value,progress,status,partner_name,indicator_name\r\n"
        "UNIT,GTM,2024-01-01,2024-12-31,10,12,,,'=SUM(A1),,,1.2,achieved,SAT,Release time\r\n"
    ).encode("utf-8")
    report = import_bytes(engine, "results.csv", exported)
    assert (report.status, problems(report)) == ("committed", [])
    assert values_stored(engine) == [("UNIT", "GTM", date(2024, 1, 1), 10.0, 12.0, "=SUM(A1)")]


def test_partner_coordinator_comment_only(engine):
    committed(engine, *REFERENCE)
    committed(engine, ("results.csv", "indicator,partner,period,target\nUNIT,GTM,2024,10\n"))
    report = import_csv(engine, ("results.csv", "indicator,partner,period,actual,comment\nUNIT,GTM,2024,,Data delayed\n"),
                        scope=GTM_COORDINATOR)
    assert (report.status, report.updated, problems(report)) == ("submitted", 1, [])
    approve(engine, report)
    assert values_stored(engine) == [("UNIT", "GTM", date(2024, 1, 1), 10.0, None, "Data delayed")]


def test_an_issue_with_an_unknown_check_code_is_refused():
    """The engine cannot report a check the list (and the README) does not have."""
    from models.issues import Issue

    with pytest.raises(ValueError, match="unknown check code 'no-such-check'"):
        Issue(0, "", "no-such-check", "", "")

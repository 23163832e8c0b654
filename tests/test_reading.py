"""Reading uploaded files into tables of strings (DESIGN.md, "Upload formats (the contract)")."""
import codecs
import datetime as dt
import io
import random
import subprocess
import sys
import zipfile

import pytest

from models.reading import normalise_header, read_upload

from helpers import workbook

RESULTS = "indicator,period,actual,comment\n"


def checks(table):
    return [(i.row, i.column, i.check) for i in table.issues]


def rows(table):
    """The frame as {spreadsheet row: tuple of cells}."""
    return {row: tuple(cells) for row, cells in zip(table.frame.index, table.frame.itertuples(index=False))}


# --- headers -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("Period Start", "period_start"),
        ("period-end", "period_end"),
        ("PERIOD_START", "period_start"),
        ("  Baseline   Year ", "baseline_year"),
        ("\ufeffindicator", "indicator"),
        ("dimension - value", "dimension_value"),
        ("period _ start", "period_start"),
        ("scale\tmin", "scale_min"),
        ("Key_Factor", "key_factor"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise_header(text, expected):
    assert normalise_header(text) == expected


def test_headers_are_renamed_to_canonical_names():
    table = read_upload(b"\xef\xbb\xbf Indicator ,Period Start,period-end,TARGET\nI1,2024-01-01,2024-12-31,5\n", "f.csv")
    assert (table.kind, list(table.frame.columns)) == ("results", ["indicator", "period_start", "period_end", "target"])
    assert checks(table) == []


@pytest.mark.parametrize(
    "header, expected",
    [
        ("indicator,period,actual,Actual", [(1, "actual", "duplicate-column")]),
        ("indicator,Period Start,period_start,period_end,actual", [(1, "period_start", "duplicate-column")]),
        ("indicator,period,actual,actual,ACTUAL", [(1, "actual", "duplicate-column")]),
    ],
)
def test_duplicate_headers(header, expected):
    table = read_upload(f"{header}\n".encode(), "f.csv")
    assert checks(table) == expected


def test_duplicate_header_message_names_both():
    (issue,) = read_upload(b"indicator,Period Start,period_start,period_end,actual\n", "f.csv").issues
    assert issue.value == "Period Start, period_start"
    assert issue.message == "the headers 'Period Start' (B) and 'period_start' (C) both mean 'period_start'; keep one of them"


@pytest.mark.parametrize(
    "header, expected",
    [
        ("indicator,period,actual,comments", [(1, "comments", "unknown-column", "warning")]),
        ("indicator,perod_start,period_end,actual", [
            (1, "perod_start", "unknown-column", "warning"),
            (1, "period_start", "missing-column", "error"),
        ]),
        ("indicator,period,actual,progress,status,partner_name,indicator_name", []),  # computed: ignored
        ("indicator,period,actual,,", []),  # headerless and empty: ignored silently
    ],
)
def test_unknown_columns(header, expected):
    table = read_upload(f"{header}\nI1,2024,5\n".encode(), "f.csv")
    assert [(i.row, i.column, i.check, i.severity) for i in table.issues] == expected
    assert list(table.frame.columns) == [c for c in ("indicator", "period_end", "period", "actual")
                                          if c in table.frame.columns]


@pytest.mark.parametrize(
    "header, message",
    [
        ("comments", "column 'Comments' (D) is not a results column and was not imported; did you mean 'comment'?"),
        ("Notes", "column 'Notes' (D) is not a results column and was not imported; results columns are: indicator,"
                  " partner, period, period_start, period_end, target, actual, baseline, baseline_year, comment,"
                  " dimension, dimension_value"),
    ],
)
def test_unknown_column_message(header, message):
    table = read_upload(f"indicator,period,actual,{header.title()}\nI1,2024,5,x\n".encode(), "f.csv")
    (issue,) = table.issues
    assert (issue.value, issue.message) == (header.title(), message)
    assert list(table.frame.columns) == ["indicator", "period", "actual"]


def test_headerless_column_with_values_is_reported():
    table = read_upload(b"indicator,period,actual,\nI1,2024,5,surprise\n", "f.csv")
    assert [(i.row, i.column, i.check, i.severity) for i in table.issues] == [(1, "", "unknown-column", "warning")]
    assert table.issues[0].message.startswith("column D has values but no header and was not imported")


@pytest.mark.parametrize(
    "header, kind, expected",
    [
        ("code,name,country", "partners", [(1, "region", "missing-column")]),
        ("code,title,level", "activities", [(1, "level", "unknown-column"), (1, "type", "missing-column"),
                                            (1, "start", "missing-column")]),
        ("donor,amount", "funding", [(1, "phase", "missing-column")]),
        ("donor,phase", "funding", []),
        ("donor,partner", "funding", []),
        ("indicator,period_start,actual", None, [(1, "period_end", "missing-column")]),
        ("indicator,period_end,actual", None, [(1, "period_start", "missing-column")]),
        ("indicator,period_start,period_end,actual", None, []),
        ("indicator,actual", "results", [(1, "period", "missing-column")]),
        ("indicator,period", None, [(1, "actual", "missing-column")]),
        ("indicator,baseline,baseline_year", None, []),  # baselines only: no period needed
        ("indicator,period,target", None, []),
        ("partner,period,actual", "results", [(1, "indicator", "missing-column")]),
    ],
)
def test_missing_columns(header, kind, expected):
    table = read_upload(f"{header}\n".encode(), "f.csv", kind=kind)
    assert checks(table) == expected


def test_missing_column_message_lists_required_columns():
    (issue,) = read_upload(b"code,name,country\n", "f.csv", kind="partners").issues
    assert issue.message == "missing required column 'region'; partners files need: code, name, country, region"
    (issue,) = read_upload(b"indicator,period\n", "f.csv").issues
    assert "needs at least one of target, actual, baseline" in issue.message


@pytest.mark.parametrize(
    "body, expected",
    [
        ("I1,5\n", [(1, "baseline_year", "missing-column")]),
        ("I1,\n", []),  # no baseline given
    ],
)
def test_baseline_year_column_needed_when_baselines_are_given(body, expected):
    assert checks(read_upload(f"indicator,baseline\n{body}".encode(), "f.csv")) == expected


# --- encodings -----------------------------------------------------------------------------

TEXT = "indicator,period,actual,comment\nI1,2024,5,Côte d’Ivoire\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.replace("\n", "\r\n").encode("utf-16"), "utf-16"),
        # Excel's "Unicode Text": UTF-16 LE with BOM, tab-delimited
        (codecs.BOM_UTF16_LE + TEXT.replace(",", "\t").encode("utf-16-le"), "utf-16"),
    ],
)
def test_unicode_encodings(data, encoding):
    table = read_upload(data, "f.csv")
    assert (table.encoding, checks(table)) == (encoding, [])
    assert rows(table) == {2: ("I1", "2024", "5", "Côte d’Ivoire")}


def test_cp1252_is_read_with_a_warning():
    table = read_upload(TEXT.encode("cp1252"), "f.csv")
    assert table.encoding == "cp1252"
    assert [(i.row, i.column, i.check, i.severity, i.value) for i in table.issues] == [
        (0, "", "encoding", "warning", "I1,2024,5,Côte d’Ivoire")
    ]
    assert "read as Windows-1252 (cp1252)" in table.issues[0].message
    assert "--encoding ENCODING" in table.issues[0].message
    assert rows(table) == {2: ("I1", "2024", "5", "Côte d’Ivoire")}


@pytest.mark.parametrize("bad", [b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"])
def test_bytes_neither_utf8_nor_cp1252_are_refused(bad):
    table = read_upload(b"indicator,period,actual,comment\nI1,2024,5,caf\xe9 " + bad + b"\n", "f.csv")
    assert [(i.row, i.column, i.check, i.severity) for i in table.issues] == [(0, "", "encoding", "error")]
    assert "not UTF-8, UTF-16 or Windows-1252" in table.issues[0].message
    assert table.frame.empty


@pytest.mark.parametrize(
    "data, encoding, comment, expected",
    [
        (TEXT.encode("latin-1", errors="replace"), "latin-1", "Côte d?Ivoire", []),
        (TEXT.encode("utf-16-le"), "utf-16-le", "Côte d’Ivoire", []),
        (TEXT.encode("cp1252"), "cp1252", "Côte d’Ivoire", []),
        (TEXT.encode("cp1252"), "utf-8", None, [(0, "", "encoding")]),
        (TEXT.encode("utf-8"), "klingon", None, [(0, "", "encoding")]),
    ],
)
def test_forced_encoding(data, encoding, comment, expected):
    table = read_upload(data, "f.csv", encoding=encoding)
    assert checks(table) == expected
    if comment is None:
        assert table.frame.empty
        assert encoding in table.issues[0].message
    else:
        assert (table.encoding, table.frame.loc[2, "comment"]) == (encoding, comment)


def test_forced_encoding_failure_names_the_option():
    (issue,) = read_upload(TEXT.encode("cp1252"), "f.csv", encoding="utf-8").issues
    assert issue.message.startswith("f.csv could not be read as utf-8 (--encoding utf-8): byte 0xf4 at position")


# --- delimiters ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "data, delimiter, given, expected_rows",
    [
        (b"indicator,period,actual\nI1,2024,5\n", ",", None, {2: ("I1", "2024", "5")}),
        (b"indicator;period;actual\nI1;2024;5\n", ";", None, {2: ("I1", "2024", "5")}),
        (b"indicator\tperiod\tactual\nI1\t2024\t5\n", "\t", None, {2: ("I1", "2024", "5")}),
        (b"indicator;period;actual;comment\nI1;2024;5;a, b, c\n", ";", None, {2: ("I1", "2024", "5", "a, b, c")}),
        (b'indicator,period,actual,comment\nI1,2024,5,"a; b; c"\n', ",", None, {2: ("I1", "2024", "5", "a; b; c")}),
        (b"indicator\tperiod\tactual\nI1\t2024\t5\n", "\t", "tab", {2: ("I1", "2024", "5")}),
        (b"indicator;period;actual\nI1;2024;5\n", ";", ";", {2: ("I1", "2024", "5")}),
    ],
)
def test_delimiters(data, delimiter, given, expected_rows):
    table = read_upload(data, "f.csv", delimiter=given)
    assert (table.delimiter, checks(table), rows(table)) == (delimiter, [], expected_rows)


def test_single_column_file_defaults_to_comma():
    table = read_upload(b"code\nA\n", "f.csv", kind="donors")
    assert (table.delimiter, checks(table)) == (",", [(1, "name", "missing-column")])


@pytest.mark.parametrize(
    "data, likely",
    [
        (b"indicator;period;actual\nI1;2024;12,5\n", True),
        (b"indicator;period;target;actual\nI1;2024;-3,25;\n", True),
        (b"indicator;period;actual;comment\nI1;2024;12.5;1,5 times more\n", False),
        (b'indicator,period,actual\nI1,2024,"12,5"\n', False),  # only ';' files
        (b"indicator;period;actual\nI1;2024;1,250,000\n", False),
    ],
)
def test_decimal_comma_likely(data, likely):
    assert read_upload(data, "f.csv").decimal_comma_likely is likely


# --- records and cells ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("indicator,period,actual\n\nI1,2024,5\n,,\n  , \t,  \nI2,2024,6\n\n\n",
         {3: ("I1", "2024", "5"), 6: ("I2", "2024", "6")}),
        ("indicator,period,actual\r\nI1,2024,5\r\n\r\nI2,2024,6\r\n", {2: ("I1", "2024", "5"), 4: ("I2", "2024", "6")}),
        ("indicator,period,actual\nI1,2024,5", {2: ("I1", "2024", "5")}),  # no final newline
        ("indicator,period,actual\rI1,2024,5\r\rI2,2024,6\r", {2: ("I1", "2024", "5"), 4: ("I2", "2024", "6")}),
        ("\n\nindicator,period,actual\nI1,2024,5\n", {4: ("I1", "2024", "5")}),  # header on row 3
        (",,,,\nindicator,period,actual\nI1,2024,5\n", {3: ("I1", "2024", "5")}),  # header on row 2
        ("indicator,period,actual\n  I1 ,\t2024 , 5\u00a0\n", {2: ("I1", "2024", "5")}),
        ('indicator,period,actual\n" I1 ","2024","5"\n', {2: ("I1", "2024", "5")}),
    ],
)
def test_blank_records_are_dropped_but_counted(text, expected):
    assert rows(read_upload(text.encode(), "f.csv")) == expected


def test_quoted_newline_is_one_record():
    table = read_upload(b'indicator,period,actual,comment\nI1,2024,5,"two\nlines"\nI2,2024,6,x\n', "f.csv")
    assert rows(table) == {2: ("I1", "2024", "5", "two\nlines"), 3: ("I2", "2024", "6", "x")}


def test_header_issues_use_the_header_row():
    table = read_upload(b"\nindicator,period,actual,notes\nI1,2024,5,x\n", "f.csv")
    assert checks(table) == [(2, "notes", "unknown-column")]


def test_every_cell_is_a_str():
    table = read_upload(b"indicator,period,actual,comment\nI1,2024,5\n007,2024,,\n", "f.csv")
    assert rows(table) == {2: ("I1", "2024", "5", ""), 3: ("007", "2024", "", "")}
    assert all(type(v) is str for v in table.frame.to_numpy().ravel())
    assert list(table.frame.index) == [2, 3] and table.frame.index.name == "row"


@pytest.mark.parametrize(
    "body, expected_checks, expected_rows",
    [
        ("I1,2024\n", [], {2: ("I1", "2024", "")}),  # short: padded
        ("I1,2024,5,,,\n", [], {2: ("I1", "2024", "5")}),  # extra but empty: ignored
        ("I1,2024,5\nI2,2024,6,7\n", [(3, "", "type-error")], {2: ("I1", "2024", "5"), 3: ("I2", "2024", "6")}),
        ("I1,2024,5,6,7\nI2,2024,6,7,8,9,10\nI3,2024,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18\n",
         [(2, "", "type-error"), (3, "", "type-error"), (4, "", "type-error")],
         {2: ("I1", "2024", "5"), 3: ("I2", "2024", "6"), 4: ("I3", "2024", "1")}),
    ],
)
def test_ragged_rows(body, expected_checks, expected_rows):
    table = read_upload(f"indicator,period,actual\n{body}".encode(), "f.csv")
    assert (checks(table), rows(table)) == (expected_checks, expected_rows)


def test_ragged_row_message():
    (issue,) = read_upload(b"indicator,period,actual\nI1,2024,5,x,,\n", "f.csv").issues
    assert issue.message.startswith("row has 4 cells, the header has 3")
    assert issue.value == "I1,2024,5,x"


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("'=SUM(A1:A3)", "=SUM(A1:A3)"),
        ("'+1", "+1"),
        ("'-2", "-2"),
        ("'@cmd", "@cmd"),
        ('"\'\tx"', "\tx"),
        ("''=x", "'=x"),  # only one quote goes
        ("'''-x", "''-x"),
        ("'hello", "'hello"),
        ("it's =", "it's ="),
        ("  '=1", "=1"),
    ],
)
def test_defused_formula_quote_is_removed(cell, expected):
    table = read_upload(f"indicator,period,actual,comment\nI1,2024,5,{cell}\n".encode(), "f.csv")
    assert table.frame.loc[2, "comment"] == expected


def test_unterminated_quote_is_not_csv():
    table = read_upload(b'indicator,period,actual,comment\nI1,2024,5,"oops\nI2,2024,6,x\n', "f.csv")
    assert checks(table) == [(0, "", "not-csv")]
    assert "EOF inside string" in table.issues[0].message


def test_header_only_is_fine():
    table = read_upload(b"indicator,period,actual\n", "f.csv")
    assert (table.kind, checks(table), list(table.frame.columns), len(table.frame)) == (
        "results", [], ["indicator", "period", "actual"], 0)


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n", b"  \r\n \t\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE + "\n\n".encode("utf-16-le"), b",,,\n,,\n"],
)
def test_empty_file(data):
    table = read_upload(data, "empty.csv")
    assert [(i.row, i.column, i.check, i.value) for i in table.issues] == [(0, "", "empty-file", "empty.csv")]
    assert table.frame.empty


# --- not CSV -------------------------------------------------------------------------------

def zip_bytes(files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


GOOD_XLSX = workbook(("Sheet1", [["indicator", "period", "actual"], ["I1", 2024, 5]]))


@pytest.mark.parametrize(
    "data, looks_like",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "an image (PNG)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(64), "an image (JPEG)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
        (random.Random(42).randbytes(4000), "a binary file"),
        (bytes(range(1, 9)) * 200, "a binary file (it holds many control characters)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "an old-style Excel .xls workbook"),
        (zip_bytes({"notes.txt": "hello"}), "a zip archive"),
        (zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}), "an OpenDocument spreadsheet"),
        (zip_bytes({"word/document.xml": "<w/>"}), "a Word document"),
        (GOOD_XLSX[: len(GOOD_XLSX) // 2], "a damaged or incomplete .xlsx workbook"),
        (zip_bytes({"xl/workbook.xml": "not xml", "[Content_Types].xml": "nope"}), "a damaged .xlsx workbook"),
        (b"\x1f\x8b\x08\x00" + bytes(32), "a compressed (gzip) file"),
        ("indicator,period\n".encode("utf-16-le"), "a binary file (it holds NUL bytes"),
    ],
)
def test_not_csv(data, looks_like):
    table = read_upload(data, "upload.csv")
    assert [(i.row, i.column, i.check, i.value, i.severity) for i in table.issues] == [
        (0, "", "not-csv", "upload.csv", "error")
    ]
    assert table.issues[0].message.startswith(f"upload.csv looks like {looks_like}")
    assert "save it as CSV (UTF-8) or .xlsx" in table.issues[0].message
    assert table.frame.empty


def test_issues_carry_the_file_name():
    table = read_upload(b"indicator,period,actual,notes\n", "mine.csv")
    assert [i.file for i in table.issues] == ["mine.csv"]


# --- xlsx ----------------------------------------------------------------------------------

def test_xlsx_cells_read_as_the_user_sees_them():
    data = workbook(("Sheet1", [
        ["indicator", "period_start", "period_end", "target", "actual", "baseline", "comment", "baseline_year"],
        ["I1", dt.date(2024, 1, 1), dt.datetime(2024, 12, 31), 12, 12.0, 0.1, "  padded  ", 2023],
        ["I2", dt.datetime(2024, 1, 1, 10, 30), "2024-12-31", 12.5, (0.45, "0%"), 1e20, True, 2023.0],
        ["I3", None, None, -3, (0.125, "0.0%"), 1 / 3, "'=1+1", None],
        ["I4", None, None, 0.1 + 0.2, (0.07, "0%"), 2.5e-7, dt.time(10, 30), None],
    ]))
    table = read_upload(data, "f.xlsx")
    assert (table.kind, table.encoding, table.delimiter, checks(table)) == ("results", None, None, [])
    assert rows(table) == {
        2: ("I1", "2024-01-01", "2024-12-31", "12", "12", "0.1", "padded", "2023"),
        3: ("I2", "2024-01-01 10:30:00", "2024-12-31", "12.5", "45%", "100000000000000000000", "true", "2023"),
        4: ("I3", "", "", "-3", "12.5%", "0.333333333333333", "=1+1", ""),
        5: ("I4", "", "", "0.3", "7%", "2.5e-07", "10:30:00", ""),
    }


def test_xlsx_blank_rows_are_counted_and_header_issues_reported():
    data = workbook(("Sheet1", [["indicator", "period", "actual", "notes"], [], ["I1", "2024", 5, "x"], [None, None],
                            ["I2", "2024", 6, None, "stray"]]))
    table = read_upload(data, "f.xlsx")
    assert rows(table) == {3: ("I1", "2024", "5"), 5: ("I2", "2024", "6")}
    assert checks(table) == [(1, "notes", "unknown-column"), (1, "", "unknown-column")]


@pytest.mark.parametrize(
    "sheets, kind, expected_kind, expected_rows",
    [
        ([("Readme", [["code", "name"], ["NORAD", "Norad"]]),
          ("Results", [["indicator", "period", "actual"], ["I1", "2024", 5]])],
         None, "results", {2: ("I1", "2024", "5")}),
        ([("Notes", [["code", "name"], ["NORAD", "Norad"]]), ("Partners", [["code"], ["KE"]])],
         "donors", "donors", {2: ("NORAD", "Norad")}),
        ([("Readme", [["x"]]), ("Donors", [["code", "name"], ["GAC", "Global Affairs Canada"]])],
         "donors", "donors", {2: ("GAC", "Global Affairs Canada")}),
        ([("Data", [["code", "name", "country"], ["GAC", "Global Affairs Canada", "Canada"]]),
          ("Other", [["x"]])],
         None, "donors", {2: ("GAC", "Global Affairs Canada", "Canada")}),
    ],
)
def test_xlsx_sheet_choice(sheets, kind, expected_kind, expected_rows):
    table = read_upload(workbook(*sheets), "f.xlsx", kind=kind)
    assert (table.kind, checks(table), rows(table)) == (expected_kind, [], expected_rows)


def test_xlsx_file_written_to_disk(tmp_path):
    path = tmp_path / "donors.xlsx"
    path.write_bytes(workbook(("Sheet1", [["Code", "Name"], ["NORAD", "Norad"]])))
    table = read_upload(path.read_bytes(), path.name)
    assert (table.file, table.kind, rows(table)) == ("donors.xlsx", "donors", {2: ("NORAD", "Norad")})


@pytest.mark.parametrize(
    "records, expected_checks, expected_len",
    [
        ([], [(0, "", "empty-file")], 0),
        ([[None, None], []], [(0, "", "empty-file")], 0),
        ([["code", "name"]], [], 0),
    ],
)
def test_xlsx_empty_and_header_only(records, expected_checks, expected_len):
    table = read_upload(workbook(("Sheet1", records)), "f.xlsx", kind="donors")
    assert (checks(table), len(table.frame)) == (expected_checks, expected_len)


def test_csv_starting_with_pk_is_not_a_zip():
    table = read_upload(b"PK,code,name\n1,NORAD,Norad\n", "donors.csv")
    assert (table.kind, checks(table), rows(table)) == ("donors", [(1, "pk", "unknown-column")], {2: ("NORAD", "Norad")})


@pytest.mark.parametrize("encoding", ["utf-8", "UTF-8", "utf8", "utf-8-sig"])
def test_forced_utf8_spellings_read_a_bom_file(encoding):
    table = read_upload(codecs.BOM_UTF8 + b"code,name\nA,B\n", "f.csv", encoding=encoding)
    assert (table.encoding, table.kind, checks(table), rows(table)) == (encoding, "donors", [], {2: ("A", "B")})


def test_xlsx_named_csv_is_still_a_workbook():
    table = read_upload(GOOD_XLSX, "actually.csv")
    assert (table.kind, rows(table)) == ("results", {2: ("I1", "2024", "5")})


# --- module hygiene ------------------------------------------------------------------------

def test_reading_does_not_import_streamlit():
    code = "import sys, models.reading; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bad_delimiter_argument_is_a_value_error():
    with pytest.raises(ValueError):
        read_upload(b"a,b\n", "f.csv", delimiter="||")

"""OWASP CSV injection: exported text that a spreadsheet would run as a formula gets one
leading ' (numbers stay numbers), the importer removes that one ' again, so an export
uploaded again changes nothing. XLSX writes such text as text cells, never formulas.
"""
from __future__ import annotations

import csv
import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from models.access import LOCAL_ADMIN
from models.exporting import defuse, defuse_frame, export_bytes, to_csv_bytes, to_xlsx_bytes
from models.importing import Upload, import_files
from models.queries.filters import Filters
from models.queries.snapshot import load_snapshot, view

DEFUSE_CASES = [
    # (value, exported)
    ("=SUM(A1)", "'=SUM(A1)"),
    ("+1", "'+1"),
    ("-x", "'-x"),
    ("-1", "'-1"),  # text that looks like a number is still text
    ("@x", "'@x"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("\nx", "'\nx"),
    ("=", "'="),
    ("plain", "plain"),
    ("a=b", "a=b"),
    ("x-1", "x-1"),
    ("'plain", "'plain"),  # a quote before harmless text: the importer keeps it, so no extra quote
    ("'", "'"),
    ("''", "''"),
    ("'=x", "''=x"),  # the importer removes one ': "'=x" comes back
    ("''=x", "'''=x"),
    ("'\tx", "''\tx"),
    ("", ""),
    (1, 1),
    (-1, -1),
    (-2.5, -2.5),
    (0, 0),
    (None, None),
    (True, True),
]


@pytest.mark.parametrize("value,exported", DEFUSE_CASES, ids=[repr(c[0]) for c in DEFUSE_CASES])
def test_defuse(value, exported):
    got = defuse(value)
    assert got == exported
    assert type(got) is type(exported)


def test_defuse_leaves_numpy_numbers_and_missing_values_alone():
    assert defuse(np.float64(-3.5)) == -3.5 and isinstance(defuse(np.float64(-3.5)), np.floating)
    assert defuse(np.int64(-7)) == -7
    nan = float("nan")
    assert defuse(nan) is nan


@pytest.mark.parametrize("value,exported", [c for c in DEFUSE_CASES if isinstance(c[0], str)],
                         ids=[repr(c[0]) for c in DEFUSE_CASES if isinstance(c[0], str)])
def test_the_importer_takes_exactly_that_quote_off(value, exported):
    """What the importer reads back from an exported cell is the original text."""
    from models.reading import _undefuse

    frame = _undefuse(pd.DataFrame({"comment": pd.Series([exported], dtype=object)}))
    assert frame["comment"].tolist() == [value]


def test_defuse_frame_touches_text_columns_only():
    frame = pd.DataFrame({
        "number": [-1.0, 2.0, np.nan],
        "integer": pd.array([-1, None, 3], dtype="Int64"),
        "text": ["-1", "=x", None],
        "string": pd.array(["@a", "b", None], dtype="string"),
    })
    out = defuse_frame(frame)
    assert out["number"].tolist()[:2] == [-1.0, 2.0] and out["number"].dtype == float
    assert out["integer"].dtype == "Int64" and out["integer"].tolist()[0] == -1
    assert out["text"].tolist()[:2] == ["'-1", "'=x"]
    assert out["string"].tolist()[:2] == ["'@a", "b"]
    assert frame["text"].tolist()[:2] == ["-1", "=x"]  # the input is not changed


def test_csv_writer_quotes_formulas_and_not_negative_numbers():
    frame = pd.DataFrame({"comment": ["=1+1", "-5 officers", "ok"], "actual": [-5.0, -0.5, 3.0]})
    text = to_csv_bytes(frame).decode("utf-8-sig")
    assert text == "comment,actual\r\n'=1+1,-5.0\r\n'-5 officers,-0.5\r\nok,3.0\r\n"


def test_xlsx_writer_writes_text_never_formulas():
    frame = pd.DataFrame({"comment": ["=1+1", "@SUM(A1)", "plain"], "actual": [-5.0, 2.0, 3.0]})
    data = to_xlsx_bytes({"t": frame})
    ws = load_workbook(io.BytesIO(data))["t"]
    assert [(c.value, c.data_type) for c in ws["A"]] == [
        ("comment", "s"), ("'=1+1", "s"), ("'@SUM(A1)", "s"), ("plain", "s")]
    assert [(c.value, c.data_type) for c in ws["B"]][1:] == [(-5, "n"), (2, "n"), (3, "n")]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet


# --- end to end: import, export, import again ------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/","click")'
CMD = "+cmd|' /C calc'!A0"
SETUP = {
    "partners.csv": "code,name,country,region\nJAM,=Jamaica Customs Agency,Jamaica,AME\n",
    "indicators.csv": "code,name,level,measure,ascending\nIND06,Officers trained,output,unit,true\n",
    "results.csv": (
        "indicator,partner,period,target,actual,comment\n"
        f'IND06,JAM,2023,100,80,"{HYPERLINK.replace(chr(34), chr(34) * 2)}"\n'
        f"IND06,JAM,2024,120,90,{CMD}\n"
        "IND06,JAM,2025,-5,-3,-3 after a reorganisation\n"
        "IND06,JAM,2026,10,,@SUM(1+1)\n"
        "IND06,JAM,2027,10,,'=typed with a quote\n"
        "IND06,JAM,2028,10,,plain text\n"
    ),
}
STORED_COMMENTS = {  # period start year -> comment as stored
    2023: HYPERLINK, 2024: CMD, 2025: "-3 after a reorganisation", 2026: "@SUM(1+1)",
    2027: "=typed with a quote", 2028: "plain text",
}
EXPORTED_COMMENTS = {year: "'" + text if text != "plain text" else text for year, text in STORED_COMMENTS.items()}


def _load(engine):
    report = import_files(engine, [Upload(n, t.encode()) for n, t in SETUP.items()], user="test@example.org", scope=LOCAL_ADMIN)
    assert report.status == "committed", [i.message for i in report.errors]
    return report


def _comments(engine) -> dict:
    values = load_snapshot(engine).values
    return {d.year: c for d, c in zip(values["period_start"], values["comment"])}


def test_formula_like_text_is_imported_as_text(engine):
    _load(engine)
    assert _comments(engine) == STORED_COMMENTS
    partners = load_snapshot(engine).partners
    assert partners.set_index("code").loc["JAM", "name"] == "=Jamaica Customs Agency"


def test_exported_csv_has_the_quote_and_reimports_unchanged(engine):
    _load(engine)
    v = view(load_snapshot(engine), Filters(), LOCAL_ADMIN)
    data = export_bytes(v, "results", "csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert {int(r["period_start"][:4]): r["comment"] for r in rows} == EXPORTED_COMMENTS
    assert {int(r["period_start"][:4]): (r["target"], r["actual"]) for r in rows}[2025] == ("-5.0", "-3.0")
    partners = list(csv.DictReader(io.StringIO(export_bytes(v, "partners", "csv").decode("utf-8-sig"), newline="")))
    assert [p["name"] for p in partners] == ["'=Jamaica Customs Agency"]

    report = import_files(engine, [Upload("results.csv", data), Upload("partners.csv", export_bytes(v, "partners", "csv"))],
                          user="test@example.org", scope=LOCAL_ADMIN)
    assert (report.status, report.created, report.updated, report.unchanged) == ("committed", 0, 0, 7)
    assert _comments(engine) == STORED_COMMENTS


def test_exported_xlsx_has_text_cells_and_reimports_unchanged(engine):
    _load(engine)
    v = view(load_snapshot(engine), Filters(), LOCAL_ADMIN)
    data = export_bytes(v, "results", "xlsx")
    ws = load_workbook(io.BytesIO(data))["results"]
    header = [c.value for c in ws[1]]
    start, comment, target = header.index("period_start"), header.index("comment"), header.index("target")
    cells = {row[start].value.year: row[comment] for row in ws.iter_rows(min_row=2)}
    assert {y: c.value for y, c in cells.items()} == EXPORTED_COMMENTS
    assert {c.data_type for c in cells.values()} == {"s"}
    negative = next(row[target] for row in ws.iter_rows(min_row=2) if row[start].value.year == 2025)
    assert (negative.value, negative.data_type) == (-5, "n")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")

    report = import_files(engine, [Upload("results.xlsx", data)], user="test@example.org", scope=LOCAL_ADMIN)
    assert (report.status, report.created, report.updated, report.unchanged) == ("committed", 0, 0, 6)
    assert _comments(engine) == STORED_COMMENTS

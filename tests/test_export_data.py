"""Data export: every DATA_EXPORTS name × CSV and XLSX on the demo programme.

CSV: UTF-8 with BOM, header = the upload format's columns (results adds the computed
progress and status). XLSX: header row frozen, numbers as numeric cells, dates as date
cells, text as text cells, every cell equal to the exported frame. Round trip: importing an
export changes nothing (0 created, 0 updated, N unchanged) on SQLite and PostgreSQL, and an
export imported into an empty database exports again byte for byte. Sheets split before
Excel's row limit.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from models.access import LOCAL_ADMIN
from models import exporting
from models.db import init_database, make_engine
from models.exporting import DATA_EXPORTS, data_frame, defuse, to_csv_bytes, to_xlsx_bytes
from models.formats import KINDS
from models.importing import Upload, import_files
from models.queries.filters import Filters
from models.queries.snapshot import load_snapshot, view

from conftest import copy_sqlite

BOM = b"\xef\xbb\xbf"
FORMATS = ("csv", "xlsx")
S, N, D, NS = "s", "n", "d", "n|s"  # text, number, date, number (text for a qualitative indicator)

# name -> {column: cell type}, columns in export order = the upload format
COLUMNS = {
    "results": {
        "partner": S, "indicator": S, "period_start": D, "period_end": D, "dimension": S, "dimension_value": S,
        "target": NS, "actual": NS, "baseline": NS, "baseline_year": N, "comment": S, "progress": N, "status": S,
    },
    "partners": {"code": S, "name": S, "country": S, "region": S, "joined_on": D, "status": S},
    "donors": {"code": S, "name": S, "country": S, "iati_ref": S},
    "funding": {"donor": S, "phase": S, "partner": S, "amount": N, "currency": S, "signed_on": D, "start": D, "end": D},
    "framework": {"code": S, "title": S, "level": S, "parent": S},
    "activities": {
        "code": S, "title": S, "type": S, "start": D, "end": D, "mode": S, "status": S, "partners": S, "donor": S,
        "participants": N, "key_factors": S, "description": S,
    },
    "indicators": {
        "code": S, "name": S, "level": S, "measure": S, "ascending": S, "unit": S, "key_factor": N, "result": S,
        "description": S, "frequency": S, "aggregation": S, "cumulative": S, "scale_min": N, "scale_max": N,
    },
}
COMPUTED = {"results": ["progress", "status"]}
# rows in the demo export of each table
DEMO_ROWS = {"results": 1248, "partners": 26, "donors": 2, "funding": 29, "framework": 8, "activities": 39, "indicators": 11}


def test_the_tables_above_cover_every_export():
    assert list(COLUMNS) == list(DATA_EXPORTS)
    for name, cols in COLUMNS.items():
        upload = [c for c in KINDS[name].columns if c != "period"]  # results: period_start/_end stand for it
        assert sorted(cols) == sorted(upload + COMPUTED.get(name, [])), name


# --- the demo, read once -------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_view(tmp_path_factory, demo_sqlite_file):
    """The demo as read (a copy of the worker's demo database: `init` and the demo loaded)."""
    engine = make_engine(f"sqlite:///{copy_sqlite(demo_sqlite_file, tmp_path_factory.mktemp('data') / 'demo.db')}")
    v = view(load_snapshot(engine), Filters(), LOCAL_ADMIN)
    engine.dispose()
    return v


@pytest.fixture(scope="module")
def frames(demo_view):
    return {name: data_frame(demo_view, name) for name in DATA_EXPORTS}


@pytest.fixture(scope="module")
def qualitative(frames):
    ind = frames["indicators"]
    return set(ind.loc[ind["measure"] == "qualitative", "code"])


def _missing(x) -> bool:
    """No value: an empty cell in CSV and XLSX ('' is how absent key parts are stored)."""
    return x is None or x is pd.NA or x == "" or (isinstance(x, float) and x != x)


# --- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATA_EXPORTS)
def test_csv_export(frames, name):
    data = to_csv_bytes(frames[name])
    assert data.startswith(BOM)
    assert not data[3:].startswith(BOM)
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    assert rows[0] == list(COLUMNS[name])
    assert len(rows) == DEMO_ROWS[name] + 1
    assert all(len(r) == len(rows[0]) for r in rows)
    # every cell is the frame's, as text (dates ISO, empty for missing)
    frame = frames[name]
    for i, record in enumerate(frame.itertuples(index=False, name=None)):
        for col, expected, got in zip(frame.columns, record, rows[i + 1]):
            if _missing(expected):
                assert got == "", (name, i, col)
            elif isinstance(expected, date):
                assert got == expected.isoformat(), (name, i, col)
            elif isinstance(expected, str):
                assert got == defuse(expected), (name, i, col)
            else:
                assert float(got) == float(expected), (name, i, col)


def test_csv_keeps_accents_and_commas(frames):
    text = to_csv_bytes(frames["partners"])[3:].decode("utf-8")
    assert "CIV,Côte d'Ivoire Customs,Côte d'Ivoire,WCA,2020-01-01,active\r\n" in text
    assert 'GHA,"Ghana Revenue Authority, Customs Division",Ghana,WCA,2019-01-01,active\r\n' in text


# --- XLSX ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATA_EXPORTS)
def test_xlsx_export(frames, qualitative, name):
    wb = load_workbook(io.BytesIO(to_xlsx_bytes({name: frames[name]})))
    assert wb.sheetnames == [name]
    ws = wb[name]
    assert ws.freeze_panes == "A2"
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    assert header == list(COLUMNS[name])
    assert all(c.data_type == "s" for c in rows[0])
    assert len(rows) == DEMO_ROWS[name] + 1
    frame = frames[name]
    seen = {col: set() for col in frame.columns}
    for i, (record, cells) in enumerate(zip(frame.itertuples(index=False, name=None), rows[1:])):
        row = dict(zip(frame.columns, record))
        for col, cell in zip(frame.columns, cells):
            expected = row[col]
            where = (name, i + 2, col, expected, cell.value)
            if _missing(expected):
                assert cell.value is None, where
                continue
            kind = COLUMNS[name][col]
            if kind == NS:
                kind = S if row.get("indicator") in qualitative else N
            seen[col].add(kind)
            if kind == S:
                assert cell.data_type == "s", where
                assert cell.value == defuse(expected), where
            elif kind == N:
                assert cell.data_type == "n" and not cell.is_date, where
                assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool), where
                assert cell.value == float(expected), where
            else:
                assert cell.is_date, where
                assert isinstance(cell.value, datetime), where
                assert cell.value.date() == expected, where
                assert cell.number_format == "yyyy-mm-dd", where
    # every number and date column of the demo really holds numbers / dates
    for col, kind in COLUMNS[name].items():
        if kind in (N, D):
            assert seen[col] == {kind}, (name, col, seen[col])
    if name == "results":
        assert seen["target"] == {N, S} and seen["actual"] == {N, S}  # IND08 is qualitative


# --- round trips --------------------------------------------------------------------------------


def _export(engine, name: str, fmt: str) -> bytes:
    v = view(load_snapshot(engine), Filters(), LOCAL_ADMIN)
    return exporting.export_bytes(v, name, fmt)


def test_export_bytes_equal_the_writers(demo_view, frames):
    for name in DATA_EXPORTS:
        assert exporting.export_bytes(demo_view, name, "csv") == to_csv_bytes(frames[name])
    with pytest.raises(ValueError, match="unknown format 'json'"):
        exporting.export_bytes(demo_view, "donors", "json")
    with pytest.raises(ValueError, match="unknown export 'people'"):
        data_frame(demo_view, "people")


@pytest.mark.parametrize("fmt", FORMATS)
def test_reimporting_every_export_changes_nothing(demo_engine, fmt):
    """Each export, imported on its own (kind detected, not given): 0 created, 0 updated,
    every row unchanged, no batch stored."""
    from models.batches import history

    before = len(history(demo_engine))
    got, expected = {}, {}
    for name in DATA_EXPORTS:
        data = _export(demo_engine, name, fmt)
        report = import_files(demo_engine, [Upload(f"{name}.{fmt}", data)], user="test@example.org", scope=LOCAL_ADMIN)
        got[name] = (report.status, report.files[0]["kind"], report.created, report.updated, report.unchanged,
                     report.rejected, [i.check for i in report.issues])
        expected[name] = ("committed", name, 0, 0, DEMO_ROWS[name], 0, [])
    assert got == expected
    assert len(history(demo_engine)) == before


def test_all_exports_in_one_batch_change_nothing(demo_engine):
    uploads = [Upload(f"{n}.xlsx" if i % 2 else f"{n}.csv", _export(demo_engine, n, "xlsx" if i % 2 else "csv"))
               for i, n in enumerate(DATA_EXPORTS)]
    report = import_files(demo_engine, uploads, user="test@example.org", scope=LOCAL_ADMIN)
    assert (report.status, report.created, report.updated, report.unchanged, report.errors) == (
        "committed", 0, 0, sum(DEMO_ROWS.values()), [])


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_rebuild_the_programme_in_an_empty_database(demo_engine, tmp_path, fmt):
    """Every export imported into an empty database (one batch) creates every row, and the
    new database exports the same bytes (CSV) / the same cells (XLSX) again."""
    exported = {n: _export(demo_engine, n, fmt) for n in DATA_EXPORTS}
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        init_database(fresh)
        report = import_files(fresh, [Upload(f"{n}.{fmt}", b) for n, b in exported.items()], user="test@example.org", scope=LOCAL_ADMIN)
        assert (report.status, report.updated, report.errors) == ("committed", 0, [])
        again = {n: _export(fresh, n, fmt) for n in DATA_EXPORTS}
    finally:
        fresh.dispose()
    if fmt == "csv":
        assert again == exported
    else:
        for n in DATA_EXPORTS:
            assert _cells(again[n]) == _cells(exported[n]), n


def _cells(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


# --- sheet splitting -----------------------------------------------------------------------------

SPLITS = [
    # (rows, EXCEL_MAX_ROWS incl. header, expected sheets and their data rows)
    (0, 4, {"t": 0}),
    (1, 4, {"t": 1}),
    (3, 4, {"t": 3}),
    (4, 4, {"t": 3, "t_2": 1}),
    (7, 4, {"t": 3, "t_2": 3, "t_3": 1}),
    (9, 4, {"t": 3, "t_2": 3, "t_3": 3}),
    (10, 2, {"t": 1, **{f"t_{i}": 1 for i in range(2, 11)}}),
]


@pytest.mark.parametrize("rows,limit,sheets", SPLITS, ids=[f"{r}rows-limit{lim}" for r, lim, _ in SPLITS])
def test_sheets_split_before_the_row_limit(monkeypatch, rows, limit, sheets):
    monkeypatch.setattr(exporting, "EXCEL_MAX_ROWS", limit)
    frame = pd.DataFrame({"n": list(range(rows)), "text": [f"=x{i}" for i in range(rows)]})
    wb = load_workbook(io.BytesIO(to_xlsx_bytes({"t": frame, "other": pd.DataFrame({"a": [1]})})))
    assert wb.sheetnames == [*sheets, "other"]
    start = 0
    for title, n in sheets.items():
        ws = wb[title]
        assert ws.freeze_panes == "A2"
        values = [[c.value for c in r] for r in ws.iter_rows()]
        assert len(values) == n + 1 <= limit
        assert values[0] == ["n", "text"]
        assert values[1:] == [[i, f"'=x{i}"] for i in range(start, start + n)]
        start += n
    assert start == rows
    assert [[c.value for c in r] for r in wb["other"].iter_rows()] == [["a"], [1]]


def test_sheet_titles_stay_distinct_and_within_31_characters(monkeypatch):
    monkeypatch.setattr(exporting, "EXCEL_MAX_ROWS", 3)
    long = "a-very-long-table-name-of-31-ch"
    assert len(long) == 31
    wb = load_workbook(io.BytesIO(to_xlsx_bytes({long: pd.DataFrame({"n": range(5)})})))
    assert wb.sheetnames == [long, long[:29] + "_2", long[:29] + "_3"]


def test_demo_results_split_into_numbered_sheets(monkeypatch, frames):
    monkeypatch.setattr(exporting, "EXCEL_MAX_ROWS", 301)
    wb = load_workbook(io.BytesIO(to_xlsx_bytes({"results": frames["results"]})))
    assert wb.sheetnames == ["results", "results_2", "results_3", "results_4", "results_5"]
    assert [wb[s].max_row - 1 for s in wb.sheetnames] == [300, 300, 300, 300, 48]  # 1,248 demo rows
    assert all(wb[s].freeze_panes == "A2" for s in wb.sheetnames)
    assert all([c.value for c in next(wb[s].iter_rows())] == list(COLUMNS["results"]) for s in wb.sheetnames)


def test_the_real_limit_is_excels():
    assert exporting.EXCEL_MAX_ROWS == 1_048_576


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def cli_database(monkeypatch):
    """Point the in-process command line at a database (it keeps one engine per process)."""
    from models.db import engine_for

    def use(url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        engine_for.cache_clear()

    yield use
    engine_for.cache_clear()


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_export_data_with_filters(demo_engine, tmp_path, cli_database, capsys, fmt):
    """`export data results --region AME` writes only the Americas' partners."""
    from dashboard.cli import main

    cli_database(demo_engine.url.render_as_string(hide_password=False))
    out = tmp_path / f"results.{fmt}"
    assert main(["export", "data", "results", "--format", fmt, "--out", str(out), "--region", "AME"]) == 0
    capsys.readouterr()
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str) if fmt == "csv" else pd.read_excel(out, dtype=str)
    assert sorted(set(frame["partner"])) == ["ATG", "ECU", "GTM", "GUY", "HND", "JAM", "MEX", "SLV"]


# --- cells the writers must not choke on ------------------------------------------------------------

CELL_CASES = [
    # (value, XLSX cell value, XLSX data type, CSV cell)
    ("line\x0bbreak", "linebreak", "s", "line\x0bbreak"),  # XML cannot hold \x0b: left out of the workbook only
    ("bell\x07 and nul\x00", "bell and nul", "s", "bell\x07 and nul\x00"),
    ("tab\tand\nnew line", "tab\tand\nnew line", "s", "tab\tand\nnew line"),
    ("Côte d'Ivoire – “quoted”", "Côte d'Ivoire – “quoted”", "s", "Côte d'Ivoire – “quoted”"),
    ("=1+1", "'=1+1", "s", "'=1+1"),
    ("0012", "0012", "s", "0012"),  # a code that looks like a number stays text
    ("2024-01-01", "2024-01-01", "s", "2024-01-01"),  # ... and one that looks like a date
    (True, "true", "s", "True"),
    (3, 3, "n", "3"),
    (-2.5, -2.5, "n", "-2.5"),
    (date(2024, 3, 31), datetime(2024, 3, 31), "d", "2024-03-31"),
    (pd.Timestamp("2024-03-31"), datetime(2024, 3, 31), "d", "2024-03-31"),
    (None, None, "n", ""),
    (pd.NaT, None, "n", ""),
    (float("nan"), None, "n", ""),
]


@pytest.mark.parametrize("value,xlsx_value,xlsx_type,csv_cell", CELL_CASES, ids=[repr(c[0])[:20] for c in CELL_CASES])
def test_cell_values(value, xlsx_value, xlsx_type, csv_cell):
    frame = pd.DataFrame({"v": pd.Series([value], dtype=object)})
    ws = load_workbook(io.BytesIO(to_xlsx_bytes({"t": frame})))["t"]
    cell = ws["A2"]
    assert (cell.value, cell.data_type if not cell.is_date else "d") == (xlsx_value, xlsx_type)
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame)[3:].decode("utf-8"), newline="")))
    assert rows == [["v"], [csv_cell]]

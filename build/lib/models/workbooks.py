"""Genuine .xlsx workbooks to a grid of text: the sheet named after the kind (else the first
visible one), each cell as a person sees it (12 not 12.0, ISO dates, 45% as '45%')."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd

from models.decoding import SAVE_AS, not_csv
from models.formats import KIND_ORDER, normalise_header
from models.issues import Issue


def read_workbook(data: bytes, file: str, kind: str | None, issues: list[Issue]) -> list[list[str]] | None:
    """The cells of the workbook's sheet for `kind` as text, row by row; None when the bytes
    are not a readable .xlsx workbook (the problem goes to `issues`)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        issues.append(not_csv(file, "a damaged or incomplete .xlsx workbook (or zip archive)",
                              "open it in Excel and " + SAVE_AS))
        return None
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and b"spreadsheet" in archive.read("mimetype"):
            what = "an OpenDocument spreadsheet (.ods)"
        elif "word/document.xml" in names:
            what = "a Word document"
        else:
            what = "a zip archive"
        issues.append(not_csv(file, what))
        return None
    import openpyxl  # only needed for workbooks

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = _choose_sheet(book.worksheets, kind)
            if sheet is None:
                issues.append(not_csv(file, "a workbook with no worksheet"))
                return None
            sheet.reset_dimensions()
            grid = [[_cell_text(cell) for cell in row] for row in sheet.iter_rows(min_row=1)]
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many kinds on broken workbooks
        issues.append(not_csv(file, f"a damaged .xlsx workbook ({type(exc).__name__}: {exc})",
                              "open it in Excel and " + SAVE_AS))
        return None
    return grid


def _choose_sheet(sheets: list, kind: str | None):
    """The sheet named after the kind (any kind when not given), else the first visible sheet."""
    wanted = [kind] if kind else KIND_ORDER
    for sheet in sheets:
        if normalise_header(sheet.title) in wanted:
            return sheet
    visible = [s for s in sheets if getattr(s, "sheet_state", "visible") == "visible"]
    return (visible or sheets or [None])[0]


def _cell_text(cell) -> str:
    """A cell's value as the person sees it: 12 not 12.0, ISO dates, 45% as '45%'."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        percent = str(getattr(cell, "number_format", "") or "").endswith("%")
        if percent:
            value = round(value * 100, 10)
        if isinstance(value, float):
            value = float(f"{value:.15g}")  # Excel shows at most 15 significant digits
            if value.is_integer():
                value = int(value)
        return f"{value!r}%" if percent else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def grid_table(grid: list[list[str]]) -> tuple[int | None, list[str], pd.DataFrame | None]:
    """(header row number, header cells, body indexed by spreadsheet row) of a sheet's cells;
    (None, [], None) when every cell is empty."""
    width = max((len(r) for r in grid), default=0)
    filled_rows = [n for n, r in enumerate(grid, start=1) if any(r)]
    if not filled_rows:
        return None, [], None
    header_row = filled_rows[0]
    header = grid[header_row - 1] + [""] * (width - len(grid[header_row - 1]))
    body_rows = [n for n in filled_rows if n > header_row]
    records = [grid[n - 1] + [""] * (width - len(grid[n - 1])) for n in body_rows]
    body = pd.DataFrame(records, columns=range(width), index=pd.Index(body_rows, dtype="int64", name="row"))
    body = body.astype("str") if len(body) else pd.DataFrame(
        {c: pd.Series([], dtype="str") for c in range(width)}, index=pd.Index([], dtype="int64", name="row"))
    return header_row, header, body

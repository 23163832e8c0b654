"""Genuine .xlsx workbooks to rows of text: the visible sheet named after the kind (else the
first visible one; hidden sheets are never read), each cell as a person sees it (12 not
12.0, ISO dates, 45% as '45%').

The archive is checked before any part is inflated, and the sheet is streamed within the
import limits (models.xlsx_stream); openpyxl only parses the cell formats (a percentage or
a date), never a worksheet or the shared text."""
from __future__ import annotations

import datetime as dt
import io
import posixpath
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from models.config import ImportLimits
from models.decoding import SAVE_AS, file_issue, not_csv
from models.formats import KIND_ORDER, normalise_header
from models.issues import WARNING, Issue
from models.xlsx_stream import SheetReader, TooLarge, check_archive, check_directory, parse_part, read_shared_strings

WHOLE_PART_LIMIT = 50_000_000  # workbook.xml, its relations and the cell formats are parsed whole
DAMAGED = "a damaged .xlsx workbook"


@dataclass
class Sheet:
    title: str
    state: str  # visible | hidden | veryHidden
    path: str


@dataclass
class Book:
    sheets: list[Sheet] = field(default_factory=list)
    date1904: bool = False
    shared_strings: str | None = None
    styles: str | None = None


def read_workbook(data: bytes, file: str, kind: str | None, issues: list[Issue],
                  limits: ImportLimits) -> tuple[str, list[tuple[int, list[str]]]] | None:
    """(title of the sheet read, its filled rows as (row number, cells as text)); None when
    the bytes are not a readable .xlsx workbook or exceed a limit (the problem goes to `issues`)."""
    try:
        check_directory(data, file)
    except TooLarge as exc:
        issues.append(file_issue(file, "too-large", file, str(exc)))
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        issues.append(not_csv(file, "a damaged or incomplete .xlsx workbook (or zip archive)",
                              "open it in Excel and " + SAVE_AS))
        return None
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and archive.getinfo("mimetype").file_size < 1000 and b"spreadsheet" in archive.read("mimetype"):
            what = "an OpenDocument spreadsheet (.ods)"
        elif "word/document.xml" in names:
            what = "a Word document"
        else:
            what = "a zip archive"
        issues.append(not_csv(file, what))
        return None
    try:
        check_archive(archive, file, limits)
        book = _book(archive)
        sheet = _choose_sheet(book.sheets, kind)
        if sheet is None:
            issues.append(not_csv(file, "a workbook with no visible worksheet", "unhide the sheet to import and "
                                  + SAVE_AS))
            return None
        for hidden in (s for s in book.sheets if s.state != "visible"):
            issues.append(file_issue(file, "hidden-sheet", hidden.title,
                                     f"sheet '{hidden.title}' of {file} is hidden and was not read; sheet"
                                     f" '{sheet.title}' was read. Unhide a sheet (and hide or delete the others)"
                                     " to import it", WARNING))
        rows = _read_sheet(archive, book, sheet, file, limits)
    except TooLarge as exc:
        issues.append(file_issue(file, "too-large", file, str(exc)))
        return None
    except MemoryError:
        issues.append(file_issue(file, "too-large", file, f"{file} is too large to read in the memory available;"
                                 " split it into several files, or save the sheet to import as CSV UTF-8"))
        return None
    except Exception:  # noqa: BLE001 - any broken part (zlib, expat, openpyxl...): a message, never the exception
        issues.append(not_csv(file, DAMAGED, "open it in Excel and " + SAVE_AS))
        return None
    return sheet.title, rows


def _book(archive: zipfile.ZipFile) -> Book:
    """The workbook's sheets (title, state, part), date system, shared text and formats parts."""
    book = Book()
    targets: dict[str, str] = {}
    kinds: dict[str, str] = {}

    def rel(attrs):
        target = attrs.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[attrs.get("Id", "")] = path
        kinds[path] = attrs.get("Type", "").rsplit("/", 1)[-1]

    parse_part(archive, "xl/_rels/workbook.xml.rels", WHOLE_PART_LIMIT, {"Relationship": rel})
    pending: list[tuple[str, str, str]] = []

    def sheet(attrs):
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")  # r:id, whatever the prefix
        pending.append((attrs.get("name", ""), attrs.get("state", "visible"), rid))

    def workbook_pr(attrs):
        book.date1904 = attrs.get("date1904", "").lower() in ("1", "true")

    parse_part(archive, "xl/workbook.xml", WHOLE_PART_LIMIT, {"sheet": sheet, "workbookPr": workbook_pr})
    book.sheets = [Sheet(title, state, targets[rid]) for title, state, rid in pending if rid in targets]
    book.shared_strings = next((p for p, k in kinds.items() if k == "sharedStrings"), None)
    book.styles = next((p for p, k in kinds.items() if k == "styles"), None)
    return book


def _choose_sheet(sheets: list[Sheet], kind: str | None) -> Sheet | None:
    """The visible sheet named after the kind (any kind when not given), else the first visible
    sheet; None when no sheet is visible. Hidden sheets are never read."""
    visible = [s for s in sheets if s.state == "visible"]
    wanted = [kind] if kind else KIND_ORDER
    for sheet in visible:
        if normalise_header(sheet.title) in wanted:
            return sheet
    return visible[0] if visible else None


def _read_sheet(archive: zipfile.ZipFile, book: Book, sheet: Sheet, file: str,
                limits: ImportLimits) -> list[tuple[int, list[str]]]:
    formats = _formats(archive, book)
    strings = read_shared_strings(archive, book.shared_strings, file, limits) if book.shared_strings else []
    reader = SheetReader(file, sheet.title, limits)
    with archive.open(sheet.path) as source:
        raw_rows = reader.read(source)
    out = []
    for number, cells in raw_rows:
        width = max(c[0] for c in cells)
        texts = [""] * width
        for column, text, kind, style in cells:
            texts[column - 1] = _cell_text(_value(text, kind, style, strings, formats, book.date1904, reader, column, number),
                                           formats.percent(style))
        out.append((number, texts))
    return out


class _Formats:
    """Per cell style: whether it shows a date, a duration or a percentage."""

    def __init__(self, stylesheet=None):
        self.dates: set[int] = set()
        self.durations: set[int] = set()
        self._codes: list[str] = []
        if stylesheet is not None:
            from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

            self.dates, self.durations = set(stylesheet.date_formats), set(stylesheet.timedelta_formats)
            for style in stylesheet.cell_styles:
                fid = style.numFmtId
                if fid < BUILTIN_FORMATS_MAX_SIZE:
                    self._codes.append(BUILTIN_FORMATS.get(fid, "General"))
                else:
                    self._codes.append(stylesheet.number_formats[fid - BUILTIN_FORMATS_MAX_SIZE])

    def percent(self, style: int) -> bool:
        return 0 <= style < len(self._codes) and str(self._codes[style] or "").endswith("%")


def _formats(archive: zipfile.ZipFile, book: Book) -> _Formats:
    if not book.styles or book.styles not in archive.namelist():
        return _Formats()
    if archive.getinfo(book.styles).file_size > WHOLE_PART_LIMIT:
        raise TooLarge(f"its cell formats ({book.styles}) are larger than {WHOLE_PART_LIMIT // 1_000_000} MB;"
                       " save the sheet to import as CSV UTF-8 and upload that")
    from openpyxl.styles.stylesheet import Stylesheet
    from openpyxl.xml.functions import fromstring

    return _Formats(Stylesheet.from_tree(fromstring(archive.read(book.styles))))


def _value(text: str, kind: str, style: int, strings: list[str], formats: _Formats, date1904: bool,
           reader: SheetReader, column: int, row: int):
    """A cell's value as openpyxl gives it (data only): number, date, text or bool."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

    if kind == "s":
        index = int(text)
        if not 0 <= index < len(strings):
            raise TooLarge(f"{reader.where(f'{get_column_letter(column)}{row}')} refers to shared text number"
                           f" {index:,}, which the workbook does not hold: it is damaged; open it in Excel and {SAVE_AS}")
        return strings[index]
    if kind == "b":
        return bool(int(text))
    if kind == "d":
        return from_ISO8601(text)
    if kind != "n":
        return text  # str, inlineStr, e (an error such as #N/A)
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if style in formats.dates:
        try:
            return from_excel(value, MAC_EPOCH if date1904 else WINDOWS_EPOCH, timedelta=style in formats.durations)
        except (OverflowError, ValueError):
            return "#VALUE!"
    return value


def _cell_text(value, percent: bool) -> str:
    """A cell's value as the person sees it: 12 not 12.0, ISO dates, 45% as '45%'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
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
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return value.isoformat() if not isinstance(value, dt.timedelta) else str(value)
    return str(value).strip()


def grid_table(rows: list[tuple[int, list[str]]]) -> tuple[int | None, list[str], pd.DataFrame | None]:
    """(header row number, header cells, body indexed by spreadsheet row) of a sheet's rows
    (row number, cells); (None, [], None) when every cell is empty."""
    filled = [(n, cells) for n, cells in rows if any(cells)]
    if not filled:
        return None, [], None
    width = max(len(cells) for _, cells in filled)
    header_row, header = filled[0]
    header = header + [""] * (width - len(header))
    body_rows = [n for n, _ in filled[1:]]
    records = [cells + [""] * (width - len(cells)) for _, cells in filled[1:]]
    body = pd.DataFrame(records, columns=range(width), index=pd.Index(body_rows, dtype="int64", name="row"))
    body = body.astype("str") if len(body) else pd.DataFrame(
        {c: pd.Series([], dtype="str") for c in range(width)}, index=pd.Index([], dtype="int64", name="row"))
    return header_row, header, body

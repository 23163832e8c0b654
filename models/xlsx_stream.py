"""Bounded reads of an .xlsx workbook's parts (DESIGN.md, "Import rules": limits checked
before the work).

A workbook is a zip archive of XML parts. Before any part is inflated, the archive's
directory is checked: how many parts, how large each is once uncompressed, and how much it
expands (a few KB that inflate to gigabytes is a zip bomb). Python's zipfile never yields
more than a part's declared size, so the declared sizes bound what is read. The shared text
is then streamed once to bound its longest string, and the chosen worksheet is read cell by
cell with expat: a value beyond the column limit, a row beyond the row limit or a cell
longer than the cell limit stops the read at once, so no grid wider or longer than the
limits is ever built. Every refusal is a `TooLarge` whose message names the part or the
cell and the limit.
"""
from __future__ import annotations

import re
import zipfile
from xml.parsers import expat

from models.config import ImportLimits
from models.decoding import SAVE_AS

MAX_PARTS = 1_000  # parts in one workbook (a workbook of 100 sheets has about 220)
MAX_RATIO = 100  # how much a part may expand (uncompressed / compressed bytes) ...
RATIO_FROM = 1_000_000  # ... once it is larger than this uncompressed
UNPACKED_PER_MB = 10  # all parts together, uncompressed: 10 x the upload limit
CHUNK = 1 << 16
CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d+)$")
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # what a spreadsheet can hold at all
SPARE_ELEMENTS = 10_000_000  # XML elements a sheet may hold beyond 4 per value read (empty formatted cells...)


class TooLarge(Exception):
    """A workbook (or one of its cells) beyond a limit; the message is for the person."""


def _setting(key: str) -> str:
    return f"[import] {key} in resultsboard.toml"


def check_directory(data: bytes, file: str) -> None:
    """Refuse (TooLarge) a zip whose directory is too large to list, before zipfile lists it:
    the end record says how many parts there are and how many bytes the directory takes."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return  # no end record: zipfile refuses it as damaged
    parts = int.from_bytes(data[end + 10:end + 12], "little")
    directory = int.from_bytes(data[end + 12:end + 16], "little")
    if parts > MAX_PARTS or directory > MAX_PARTS * 1_024:
        raise TooLarge(f"{file}'s zip directory lists {parts:,} parts in {directory:,} bytes; a workbook may hold at most"
                       f" {MAX_PARTS:,} parts. Save the sheet to import as a new workbook (or as CSV UTF-8) and upload that")


def check_archive(archive: zipfile.ZipFile, file: str, limits: ImportLimits) -> None:
    """Refuse (TooLarge) an archive whose directory promises too many or too large parts."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise TooLarge(f"{file} holds {len(infos):,} parts; a workbook may hold at most {MAX_PARTS:,}."
                       f" Save the sheet to import as a new workbook (or as CSV UTF-8) and upload that")
    unpacked_limit = UNPACKED_PER_MB * limits.max_upload_bytes
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        if size > RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1):
            raise TooLarge(
                f"{file}: part {info.filename} ({_part_name(info.filename)}) expands from {info.compress_size:,} to"
                f" {size:,} bytes, more than {MAX_RATIO} times; a workbook like this is refused before it is"
                f" read. Save the sheet to import as CSV UTF-8 and upload that")
        if size > unpacked_limit or total > unpacked_limit:
            raise TooLarge(
                f"{file}: its parts hold more than {unpacked_limit // 1_000_000:,} MB once unpacked"
                f" ({UNPACKED_PER_MB} x {_setting('max_upload_mb')} = {limits.max_upload_mb});"
                f" part {info.filename} ({_part_name(info.filename)}) alone is {size:,} bytes."
                " Split the file, or save the sheet to import as CSV UTF-8")


def _part_name(name: str) -> str:
    low = name.lower()
    if "sharedstrings" in low:
        return "the text shared by the workbook's cells"
    if "/worksheets/" in low:
        return "a worksheet"
    if "styles" in low:
        return "the cell formats"
    return "a workbook part"


def _parser(start, end, text) -> expat.XMLParserType:
    """An expat parser that refuses document types (no entities: no billion laughs, no XXE)."""
    parser = expat.ParserCreate()  # names as written (prefix:name): faster than namespace processing
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def no_doctype(*_args):
        raise ValueError("a document type: workbooks never declare one")

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    return parser


def _feed(parser: expat.XMLParserType, source) -> None:
    while chunk := source.read(CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _local(name: str) -> str:
    """An element's name without its namespace prefix (x:sheet -> sheet)."""
    return name[name.index(":") + 1:] if ":" in name else name


def read_shared_strings(archive: zipfile.ZipFile, name: str, file: str, limits: ImportLimits) -> list[str]:
    """The workbook's shared text, streamed: refused (TooLarge) when the part is larger than
    twice the upload limit or one string is longer than a cell may be."""
    if name not in archive.namelist():
        return []
    size = archive.getinfo(name).file_size
    if size > 2 * limits.max_upload_bytes:
        raise TooLarge(f"{file}: its shared text ({name}) holds {size:,} bytes once unpacked, more than twice"
                       f" {_setting('max_upload_mb')} = {limits.max_upload_mb}; split the file, or save the sheet"
                       " to import as CSV UTF-8")
    limit = limits.max_cell_chars
    strings: list[str] = []
    state: dict = {"text": None, "length": 0, "skip": 0}

    def start(tag, _attrs):
        local = _local(tag)
        if local == "si":
            state["text"], state["length"] = [], 0
        elif local == "rPh":
            state["skip"] += 1

    def end(tag):
        local = _local(tag)
        if local == "si":
            strings.append("".join(state["text"]).replace("x005F_", ""))
            state["text"] = None
        elif local == "rPh":
            state["skip"] -= 1

    def text(data):
        if state["text"] is not None and not state["skip"]:
            state["length"] += len(data)
            if state["length"] > limit:
                raise TooLarge(
                    f"{file}: text number {len(strings) + 1:,} of the workbook's shared text has more than"
                    f" {limit:,} characters, more than one cell may hold ({_setting('max_cell_chars')})."
                    " Shorten that text (a comment or description) and upload again")
            state["text"].append(data)

    with archive.open(name) as source:
        _feed(_parser(start, end, text), source)
    return strings


def parse_part(archive: zipfile.ZipFile, name: str, limit: int, handlers: dict) -> None:
    """Call handlers[local element name](attributes) for each element of a small part."""
    if name not in archive.namelist():
        return
    if archive.getinfo(name).file_size > limit:
        raise TooLarge(f"part {name} ({_part_name(name)}) is larger than {limit // 1_000_000} MB; save the sheet to"
                       " import as CSV UTF-8 and upload that")

    def start(tag, attrs):
        handler = handlers.get(_local(tag))
        if handler:
            handler(attrs)

    with archive.open(name) as source:
        _feed(_parser(start, None, None), source)


class SheetReader:
    """One worksheet's filled rows, as (row number, [(column, text, cell type, style id)]),
    read within the limits (and Excel's own: 1,048,576 rows, 16,384 columns)."""

    def __init__(self, file: str, title: str, limits: ImportLimits):
        self.file, self.title, self.limits = file, title, limits
        self.rows: list[tuple[int, list]] = []
        self._row = 0
        self._col = 0
        self._in_row = 0  # cell elements in the current row
        self._cells: list = []
        self._cell = None  # (column, type, style, reference) of the cell being read
        self._text: list[str] | None = None
        self._length = 0
        self._skip = 0  # depth inside a phonetic run (<rPh>), whose text is not the cell's
        self._elements = 0
        self._values = 0

    def read(self, source) -> list[tuple[int, list]]:
        _feed(_parser(self._start, self._end, self._chars), source)
        self._flush()
        return self.rows

    def where(self, reference: str | None = None) -> str:
        return f"{self.file}, sheet '{self.title}'" + (f", cell {reference}" if reference else "")

    def _start(self, tag, attrs):
        self._elements += 1
        if self._elements > SPARE_ELEMENTS + 4 * self._values:
            raise TooLarge(f"{self.where()} holds more than {SPARE_ELEMENTS:,} empty formatted cells or other"
                           " parts without values; delete the empty rows and columns after the data (or copy the"
                           f" data to a new sheet), or {SAVE_AS}")
        if ":" in tag:
            tag = tag[tag.index(":") + 1:]
        if tag == "c":
            ref = attrs.get("r")
            match = CELL_REF.match(ref) if ref else None
            self._col = _column_number(match.group(1)) if match else self._col + 1
            self._in_row += 1
            if self._col > EXCEL_COLUMNS or self._in_row > EXCEL_COLUMNS:
                raise TooLarge(f"{self.where(ref)}: a row reaches past column {EXCEL_COLUMNS:,}, beyond what a"
                               f" spreadsheet holds; the workbook is damaged. Open it in Excel and {SAVE_AS}")
            style = attrs.get("s")
            self._cell = (self._col, attrs.get("t", "n"), int(style) if style and style.isdigit() else 0,
                          ref or f"R{self._row}C{self._col}")
        elif tag == "row":
            self._flush()
            r = attrs.get("r")
            self._row = int(r) if r and r.isdigit() else self._row + 1
            self._col = self._in_row = 0
            if self._row > EXCEL_ROWS:
                raise TooLarge(f"{self.where()}: row {self._row:,} is beyond the {EXCEL_ROWS:,} rows a spreadsheet"
                               f" holds; the workbook is damaged. Open it in Excel and {SAVE_AS}")
        elif tag == "rPh":
            self._skip += 1
        elif (tag == "v" or tag == "t") and self._cell is not None and not self._skip and self._text is None:
            self._text, self._length = [], 0

    def _chars(self, data):
        if self._text is not None and not self._skip:
            self._length += len(data)
            if self._length > self.limits.max_cell_chars:
                raise TooLarge(f"{self.where(self._cell[3])} has more than {self.limits.max_cell_chars:,} characters,"
                               f" more than one cell may hold ({_setting('max_cell_chars')}); shorten it and upload again")
            self._text.append(data)

    def _end(self, tag):
        if ":" in tag:
            tag = tag[tag.index(":") + 1:]
        if tag == "c":
            if self._text is None:  # an empty (formatted) cell
                self._cell = None
                return
            column, kind, style, ref = self._cell
            text = "".join(self._text)
            self._cell, self._text = None, None
            if not text:
                return
            if column > self.limits.max_columns:
                raise TooLarge(
                    f"{self.where(ref)} holds a value in column {column:,}; a file may have at most"
                    f" {self.limits.max_columns:,} columns ({_setting('max_columns')}). Delete the columns beyond"
                    " the upload format's (or copy the columns to import to a new sheet) and upload again")
            self._cells.append((column, text, kind, style))
            self._values += 1
        elif tag == "rPh":
            self._skip -= 1

    def _flush(self):
        if not self._cells:
            return
        self.rows.append((self._row, self._cells))
        self._cells = []
        if len(self.rows) > self.limits.max_rows + 1:  # data rows and the header
            raise TooLarge(f"{self.where()} has more than {self.limits.max_rows:,} rows of data"
                           f" ({_setting('max_rows')}); split it into several files and upload them one by one")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n

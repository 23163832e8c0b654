"""Turn an uploaded file's bytes into a clean table of strings (DESIGN.md, "Upload formats").

`read_upload` accepts CSV (any of `,` `;` tab; UTF-8 with or without BOM, UTF-16 with BOM,
or Windows-1252 with a warning) and genuine `.xlsx` workbooks, detects the kind of file
from its headers, and returns a `Table`: every cell a trimmed `str`, columns renamed to the
kind's canonical names, index = the row number a spreadsheet shows (header = 1). Problems
with the file as a whole or with its header are `Issue`s; cell values are checked later.
Bytes become text in `models.decoding`; workbooks become a grid of text in `models.workbooks`.
"""
from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from models.arrow_csv import read_rectangular
from models.cells import DECIMAL_COMMA
from models.config import ImportLimits, load_settings
from models.decoding import SAMPLE_SIZE, SAVE_AS, binary_signature, decode, file_issue, is_workbook, not_csv
from models.formats import COMPUTED_COLUMNS, KIND_ORDER, KINDS, REFERENCE_PREFIX, RESULTS_VALUE_COLUMNS, normalise_header
from models.issues import ERROR, WARNING, Issue
from models.workbooks import grid_table, read_workbook

DELIMITERS = (",", ";", "\t")
LINES_ABOVE_HEADER = 1_000  # blank or ragged lines a CSV may have above its header
DELIMITER_ALIASES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}
NUMBER_COLUMNS = ("target", "actual", "baseline", "amount", "participants", "scale_min", "scale_max")
# A leading ' added on export to defuse a spreadsheet formula (DESIGN.md, "Cells"). Quotes
# before the trigger are counted so that an export adding one ' to every cell matching
# ^'*[=+\-@\t\r\n] round-trips exactly ("'=x" exports as "''=x" and reads back as "'=x").
DEFUSED = r"'+[=+\-@\t\r\n]"


@dataclass
class Table:
    """One uploaded file read into strings, with the problems found at file and header level."""

    file: str
    kind: str | None
    frame: pd.DataFrame
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None  # the workbook sheet read (None for CSV)
    issues: list[Issue] = field(default_factory=list)
    decimal_comma_likely: bool = False


def _qualifies(kind: str, columns: set[str]) -> bool:
    """Whether `columns` hold what detection needs for `kind` (looser than the import check)."""
    if kind == "results":
        return "indicator" in columns and bool(columns & {"period", "period_start", "period_end", "baseline"})
    if kind == "funding":
        return "donor" in columns and bool(columns & {"phase", "partner"})
    return set(KINDS[kind].required) <= columns


def detect_kind(columns: Iterable[str]) -> tuple[str | None, list[str]]:
    """The kind these (header) columns hold, and the candidates.

    Returns `(kind, [kind])` when one kind has all its required columns and recognises the
    most columns (a results file is always results); `(None, tied kinds)` on a tie; and
    `(None, closest kinds)` when no kind fits — the kinds recognising the most columns,
    `[]` when none recognises any.
    """
    names = {normalise_header(c) for c in columns} - {""}

    def recognised(kind: str) -> int:
        return len(names & set(KINDS[kind].columns))

    if _qualifies("results", names):
        return "results", ["results"]
    fitting = [k for k in KIND_ORDER if _qualifies(k, names)]
    pool = fitting or [k for k in KIND_ORDER if recognised(k) > 0]
    if not pool:
        return None, []
    best = max(recognised(k) for k in pool)
    top = [k for k in pool if recognised(k) == best]
    if fitting and len(top) == 1:
        return top[0], top
    return None, top


def required_text(kind: str) -> str:
    """The required columns of a kind, as a person reads them."""
    if kind == "results":
        return "indicator; period_start and period_end, or period; at least one of target, actual, baseline"
    if kind == "funding":
        return "donor, and phase or partner"
    return ", ".join(KINDS[kind].required)


def read_upload(
    data: bytes,
    filename: str,
    *,
    kind: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    limits: ImportLimits | None = None,
) -> Table:
    """Read an uploaded CSV or .xlsx file into a `Table` of trimmed strings.

    `kind`, `encoding` and `delimiter` override detection (`--kind`, `--encoding`,
    `--delimiter`); `limits` default to the config file's `[import]`. Never raises on bad
    content: problems come back as `Table.issues` (a file beyond a limit is `too-large`).
    """
    limits = limits or load_settings().limits
    if delimiter is not None:
        delimiter = DELIMITER_ALIASES.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise ValueError(f"delimiter must be one character (',', ';' or tab), not {delimiter!r}")
    table = Table(file=filename, kind=None, frame=_empty_frame([]))
    if kind is not None:
        wanted = normalise_header(kind)
        if wanted not in KINDS:
            table.issues.append(Issue(0, "", "unknown-kind", kind,
                                      f"unknown kind '{kind}'; kinds are: {', '.join(KIND_ORDER)}", file=filename))
            return table
        kind = wanted
    table.kind = kind
    if len(data) > limits.max_upload_bytes:
        table.issues.append(too_large_file(filename, len(data), limits))
        return table
    try:
        return _read(table, data, encoding, delimiter, limits)
    except MemoryError:
        table.issues.append(file_issue(filename, "too-large", filename,
                                       f"{filename} is too large to read in the memory available; split it into"
                                       " several files and upload them one by one"))
        table.frame = _empty_frame([])
        return table


def too_large_file(filename: str, size: int, limits: ImportLimits) -> Issue:
    return file_issue(filename, "too-large", filename,
                      f"{filename} is {size / 1_000_000:,.1f} MB; a file may be at most {limits.max_upload_mb:,} MB"
                      " ([import] max_upload_mb in resultsboard.toml). Split it into several files and upload them"
                      " one by one")


def too_many_rows(filename: str, rows: int, limits: ImportLimits, at_least: bool = False) -> Issue:
    return file_issue(filename, "too-large", filename,
                      f"{filename} has {'more than ' if at_least else ''}{rows:,} rows of data; a file may have at most"
                      f" {limits.max_rows:,} ([import] max_rows in resultsboard.toml). Split it into several files and"
                      " upload them one by one")


def _read(table: Table, data: bytes, encoding: str | None, delimiter: str | None, limits: ImportLimits) -> Table:
    filename, kind = table.file, table.kind
    empty = f"{filename} is empty; a file needs a header row (and data rows)"
    if not data[:SAMPLE_SIZE].strip() and not data.strip():
        table.issues.append(file_issue(filename, "empty-file", filename, empty))
        return table
    if is_workbook(data):
        read = read_workbook(data, filename, kind, table.issues, limits)
        if read is None:
            return table
        table.sheet, rows = read
        header_row, header, body = grid_table(rows)
        row_issues = []
    else:
        what = binary_signature(data, check_bytes=encoding is None)
        if what:
            table.issues.append(not_csv(filename, what))
            return table
        text, table.encoding = decode(data, filename, encoding, table.issues)
        if text is None:
            return table
        if not text.strip():
            table.issues.append(file_issue(filename, "empty-file", filename, empty))
            return table
        table.delimiter = delimiter or sniff_delimiter(text)
        parsed = _parse_csv(text, table, data, limits)
        if parsed is None:
            return table
        header_row, header, body, row_issues = parsed
    if header_row is None:
        table.issues.append(file_issue(filename, "empty-file", filename, f"{filename} has no header row"))
        return table
    _shape(table, header_row, header, body)
    if table.kind is not None and len(table.frame) > limits.max_rows:
        table.issues.append(too_many_rows(filename, len(table.frame), limits))
    table.issues.extend(row_issues)
    return table


# --- CSV -------------------------------------------------------------------------------

def sniff_delimiter(text: str) -> str:
    """`,`, `;` or tab: the one splitting the header into most columns that the next lines agree with."""
    sample = text[:SAMPLE_SIZE]
    if len(text) > SAMPLE_SIZE and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    best, best_score = ",", None
    for candidate in DELIMITERS:
        records = _records(sample, candidate, limit=50)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        rest = records[1:]
        agreeing = sum(len(r) == width for r in rest) / len(rest) if rest else 1.0
        score = (agreeing, width)
        if best_score is None or score > best_score:
            best, best_score = candidate, score
    return best


def _records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    """Up to `limit` non-blank records, via the csv module (quotes respected)."""
    out: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if any(cell.strip() for cell in record):
                out.append(record)
                if len(out) >= limit:
                    break
    except csv.Error:
        pass
    return out


def _header_width(text: str, delimiter: str) -> tuple[int, int]:
    """(cells in the header, i.e. the first non-blank record; most cells in any record up to it)."""
    widest = 1
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            widest = max(widest, len(record))
            if any(cell.strip() for cell in record):
                return len(record), widest
    except csv.Error:
        pass
    return 1, widest


def _too_wide(table: Table, where: str, cells: int | None, limits: ImportLimits) -> None:
    count = f"{cells:,}" if cells else f"more than {limits.max_columns:,}"
    table.issues.append(file_issue(
        table.file, "too-large", table.file,
        f"{table.file}: {where} has {count} cells; a file may have at most {limits.max_columns:,} columns ([import]"
        " max_columns in resultsboard.toml). Delete the columns beyond the upload format's and upload again"))


def _parse_csv(text: str, table: Table, data: bytes,
               limits: ImportLimits) -> tuple[int | None, list[str], pd.DataFrame, list[Issue]] | None:
    """(header row number, header cells, body, row issues); body.index = spreadsheet row numbers."""
    delimiter = table.delimiter
    cap = limits.max_columns
    header_width, width = _header_width(text[: SAMPLE_SIZE * 16], delimiter)
    if max(header_width, width) > cap:  # before pandas builds a frame that wide
        _too_wide(table, "its header row" if header_width > cap else "a row above its header", max(header_width, width),
                  limits)
        return None
    # UTF-8 bytes go to the C parser as they are (faster than a StringIO of the decoded text).
    as_bytes = codecs.lookup(table.encoding).name in ("utf-8", "utf-8-sig")
    # At most the row limit, the header and some lines above it are parsed: a longer file is
    # refused from what was read, without building a frame of all its rows.
    budget = limits.max_rows + 1 + LINES_ABOVE_HEADER
    raw = _read_frame(table, text, data, as_bytes, width, budget, limits)
    if raw is not None and len(raw) >= budget:
        filled = int(raw.apply(lambda c: c.str.strip().ne("")).to_numpy().any(axis=1).sum())
        if filled > limits.max_rows + 1:
            table.issues.append(too_many_rows(table.file, filled - 1, limits, at_least=True))
            return None
        raw = _read_frame(table, text, data, as_bytes, width, None, limits)  # many blank lines: read it all
    if raw is None:
        return None
    width = raw.shape[1]
    raw.index = pd.RangeIndex(1, len(raw) + 1, name="row")
    raw = raw.fillna("")
    for column in raw.columns:
        raw[column] = raw[column].str.strip()
        longest = raw[column].str.len()
        if len(raw) and longest.max() > limits.max_cell_chars:
            row = int(longest.idxmax())
            table.issues.append(Issue(
                row, "", "too-large", raw[column].loc[row][:80] + "…",
                f"the cell in column {_letter(int(column))} of row {row} holds {int(longest.max()):,} characters; a cell"
                f" may hold at most {limits.max_cell_chars:,} ([import] max_cell_chars in resultsboard.toml). Shorten"
                " it and upload again", file=table.file))
            return None
    if len(raw.columns) > cap:
        beyond = raw.iloc[:, cap:].ne("").to_numpy().any(axis=1)
        if beyond.any():
            _too_wide(table, f"row {int(raw.index[beyond.argmax()])}", None, limits)
            return None
    filled = raw.ne("").to_numpy()
    rows_filled = filled.any(axis=1)
    if not rows_filled.any():
        return None, [], raw.iloc[0:0], []
    header_at = int(rows_filled.argmax())
    header = [str(v) for v in raw.iloc[header_at, :header_width]]
    body = raw.iloc[header_at + 1:]
    keep = rows_filled[header_at + 1:]
    row_issues: list[Issue] = []
    if width > header_width:
        extra = filled[header_at + 1:, header_width:]
        positions = extra.any(axis=1).nonzero()[0]
        if len(positions):
            extra = extra[positions]
            counts = header_width + extra.shape[1] - extra[:, ::-1].argmax(axis=1)
            bad = body.iloc[positions].to_numpy(dtype=object).tolist()
            row_issues = [
                Issue(int(row), "", "type-error", delimiter.join(cells[:count]),
                      f"row has {count} cells, the header has {header_width}; the extra cells were not"
                      " imported (check for an unquoted delimiter inside a value)", file=table.file)
                for row, cells, count in zip(body.index[positions], bad, counts.tolist())
            ]
    body = body.loc[keep, list(range(header_width))]
    return header_at + 1, header, body, row_issues


def _read_frame(table: Table, text: str, data: bytes, as_bytes: bool, width: int, nrows: int | None,
                limits: ImportLimits) -> pd.DataFrame | None:
    """The CSV's records as strings, `width` columns wide, widened for longer rows up to the
    column limit; None when refused (the problem goes to `table.issues`)."""
    delimiter, cap = table.delimiter, limits.max_columns
    if as_bytes:
        rectangular = read_rectangular(data, delimiter, width)
        if rectangular is not None:
            return rectangular if nrows is None else rectangular.iloc[:nrows]
    for attempt in range(12):
        try:
            source = io.BytesIO(data) if as_bytes else io.StringIO(text)
            with warnings.catch_warnings():
                # "names do not match the data": the first record is wider than `width`.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                raw = pd.read_csv(
                    source, encoding=codecs.lookup(table.encoding).name if as_bytes else None, sep=delimiter, header=None,
                    names=range(width), index_col=False, dtype=str, keep_default_na=False, na_filter=False,
                    skip_blank_lines=False, engine="c", low_memory=False, nrows=nrows,
                )
            return raw
        except pd.errors.ParserWarning:
            if width > cap:
                _too_wide(table, "its first row", None, limits)
                return None
            width = min(width * 2, cap + 1)
        except pd.errors.ParserError as exc:
            seen = re.search(r"Expected \d+ fields in line (\d+), saw (\d+)", str(exc))
            if not seen:
                where = re.search(r"(EOF inside string starting at row \d+)", str(exc))
                table.issues.append(file_issue(
                    table.file, "not-csv", table.file,
                    f"{table.file} is not a well-formed CSV file{f' ({where.group(1)})' if where else ''}; check for a"
                    f" quote (\") that is never closed, or {SAVE_AS}"))
                return None
            if int(seen.group(2)) > cap:
                _too_wide(table, f"line {seen.group(1)}", int(seen.group(2)), limits)
                return None
            width = min(max(int(seen.group(2)), width * 2 if attempt >= 3 else 0), cap + 1)
        except (ValueError, UnicodeError):
            table.issues.append(file_issue(table.file, "not-csv", table.file,
                                           f"{table.file} could not be read as CSV: its text or quoting is broken;"
                                           f" {SAVE_AS}"))
            return None
    else:  # pragma: no cover - twelve ever-wider retries
        table.issues.append(file_issue(table.file, "not-csv", table.file, f"{table.file}: rows too ragged; {SAVE_AS}"))
        return None


# --- header and cells ------------------------------------------------------------------

def _empty_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in columns},
                        index=pd.Index([], dtype="int64", name="row"))


def _letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


def _shape(table: Table, header_row: int, header: list[str], body: pd.DataFrame) -> None:
    """Name, select and clean the columns; header-level issues; decimal-comma hint."""
    file = table.file
    names = [normalise_header(h) for h in header]
    headerless = [p for p, n in enumerate(names) if not n and (body[p] != "").any()]
    named = [p for p, n in enumerate(names) if n]

    first_at: dict[str, int] = {}
    positions: dict[str, list[int]] = {}
    for position in named:
        first_at.setdefault(names[position], position)
        positions.setdefault(names[position], []).append(position)
    for name, same in positions.items():
        if len(same) > 1:
            originals = " and ".join(f"'{header[p].strip()}' ({_letter(p)})" for p in same)
            table.issues.append(Issue(
                header_row, name, "duplicate-column", ", ".join(header[p].strip() for p in same),
                f"the headers {originals} both mean '{name}'; keep one of them", file=file))

    if table.kind is None:
        kind, candidates = detect_kind(first_at)
        if kind is None:
            table.issues.append(_unknown_kind(table, header_row, header, candidates))
        table.kind = kind
    kind = table.kind

    if kind is None:
        keep = dict(first_at)
    else:
        spec = KINDS[kind]
        computed = COMPUTED_COLUMNS.get(kind, ())
        keep = {}
        for name, position in first_at.items():
            if name in spec.columns:
                keep[name] = position
            elif name not in computed and not name.startswith(REFERENCE_PREFIX):
                original = header[position].strip()
                guess = difflib.get_close_matches(name, spec.columns, n=1, cutoff=0.6)
                hint = f"did you mean '{guess[0]}'?" if guess else f"{kind} columns are: {', '.join(spec.columns)}"
                table.issues.append(Issue(
                    header_row, name, "unknown-column", original,
                    f"column '{original}' ({_letter(position)}) is not a {kind} column and was not imported; {hint}",
                    WARNING, file))
        for position in headerless:
            table.issues.append(Issue(
                header_row, "", "unknown-column", "",
                f"column {_letter(position)} has values but no header and was not imported;"
                f" {kind} columns are: {', '.join(spec.columns)}", WARNING, file))
        present = set(first_at)
        if kind == "results":
            baseline_given = "baseline" in keep and bool((body[keep["baseline"]] != "").any())
        else:
            baseline_given = False
        for column, message in _missing(kind, present, baseline_given):
            table.issues.append(Issue(header_row, column, "missing-column", "", message, ERROR, file))

    frame = body[list(keep.values())]
    frame.columns = list(keep)
    table.frame = _undefuse(frame)
    if table.delimiter == ";":
        table.decimal_comma_likely = any(
            table.frame[c].str.match(DECIMAL_COMMA).any() for c in NUMBER_COLUMNS if c in table.frame
        )


def _missing(kind: str, present: set[str], baseline_given: bool) -> list[tuple[str, str]]:
    """(column, message) for each required column the header lacks."""
    need = f"{kind} files need: {required_text(kind)}"
    out = [(c, f"missing required column '{c}'; {need}") for c in KINDS[kind].required if c not in present]
    if kind == "funding" and not present & {"phase", "partner"}:
        out.append(("phase", f"missing column 'phase' or 'partner' (or both); {need}"))
    if kind == "results":
        has_values = bool(present & {"target", "actual"})
        if "period" not in present:
            ends = [c for c in ("period_start", "period_end") if c in present]
            if len(ends) == 1:
                other = "period_end" if ends[0] == "period_start" else "period_start"
                out.append((other, f"missing column '{other}' (it goes with '{ends[0]}'); {need}"))
            elif not ends and (has_values or "baseline" not in present):
                out.append(("period", "missing column 'period', or 'period_start' and 'period_end'"
                                      " (only a file of baselines may have neither); " + need))
        if not present & set(RESULTS_VALUE_COLUMNS):
            out.append(("actual", f"needs at least one of {', '.join(RESULTS_VALUE_COLUMNS)}; {need}"))
        if baseline_given and "baseline_year" not in present:
            out.append(("baseline_year", f"missing column 'baseline_year' (required when baseline is given); {need}"))
    return out


def _unknown_kind(table: Table, header_row: int, header: list[str], candidates: list[str]) -> Issue:
    headers = ", ".join(h.strip() for h in header if h.strip())
    fits = [k for k in candidates if _qualifies(k, {normalise_header(h) for h in header})]
    if len(fits) > 1:
        lead = f"its columns fit more than one kind: {', '.join(fits)}"
    elif candidates:
        lead = "closest kinds: " + "; ".join(f"{k} (required columns: {required_text(k)})" for k in candidates)
    else:
        lead = "none of its columns belongs to a known kind; kinds are: " + ", ".join(KIND_ORDER)
    return Issue(header_row, "", "unknown-kind", headers,
                 f"could not tell what this file holds; {lead}; use --kind KIND",
                 ERROR, table.file)


def _undefuse(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the one leading ' an export added before =, +, -, @, tab, CR or LF."""
    for column in frame.columns:
        cells = frame[column]
        if not cells.str.startswith("'").any():
            continue
        defused = cells.str.match(DEFUSED)
        if defused.any():
            frame.loc[defused, column] = cells[defused].str.slice(1)
    return frame

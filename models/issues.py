"""The shape of every problem the import engine reports (frictionless-style)."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

ERROR = "error"
WARNING = "warning"

# Every check code the engine reports, with its one-line meaning (stable, kebab-case;
# DESIGN.md, "Import rules"). `Issue` refuses a code not listed here; README.md lists them all.
CHECKS: dict[str, str] = {
    "missing-column": "the header lacks a column the kind requires",
    "duplicate-column": "two headers name the same column",
    "unknown-column": "a column the kind does not have (warning: not imported)",
    "missing-cell": "a required cell is empty (or holds the clear token)",
    "type-error": "a cell is not of its column's type (number, date, allowed value), or a row has extra cells",
    "out-of-range": "a value outside what its column or indicator allows (scale, 0-100, levels, cycles)",
    "unknown-reference": "a code that names nothing stored or uploaded (partner, indicator, country, batch...)",
    "duplicate-key": "two rows of a file with the same key",
    "overlapping-period": "two actuals (or targets) of one series cover overlapping periods",
    "invalid-date": "a date or period that is not ISO YYYY-MM-DD or a real calendar date",
    "end-before-start": "an end date before its start date",
    "encoding": "the file's text encoding is unknown, wrong, or guessed (warning)",
    "not-csv": "the file is not a CSV file or an .xlsx workbook (PDF, image, .xls, damaged)",
    "not-permitted": "the user's role may not make this change, or a batch may not be reverted (again)",
    "unknown-kind": "the kind of file cannot be told from its header (or --kind names no kind)",
    "empty-file": "the file has no header row, or no data row below its header",
    "blank-rows": "results rows with no target, actual, baseline or comment (a reporting workbook's rows left blank) were skipped (warning)",
    "too-large": "the file, the batch, or a row count, column count or cell is beyond a limit of [import] settings",
    "hidden-sheet": "a hidden sheet of a workbook was not read (warning)",
    "not-iati": "an .xml file that is not well-formed IATI activities XML, or an IATI version not supported",
    "dependent-rows": "a revert would break rows that later batches or users depend on",
    "locked-period": "a value whose period ends on or before the lock date (`resultsboard lock`) would be created, changed or deleted",
}


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: spreadsheet row (header = 1; 0 = the file as a whole), canonical column."""

    row: int
    column: str
    check: str
    value: str
    message: str
    severity: str = ERROR
    file: str = ""

    def __post_init__(self):
        if self.check not in CHECKS:
            raise ValueError(f"unknown check code '{self.check}'; add it to models.issues.CHECKS (and README.md)")

    def as_dict(self) -> dict:
        return asdict(self)


ISSUE_COLUMNS = ["file", "row", "column", "check", "value", "message", "severity"]


def issues_frame(issues):
    """Issues as a DataFrame (for display and the CSV download)."""
    import pandas as pd

    return pd.DataFrame([i.as_dict() for i in issues], columns=ISSUE_COLUMNS)


def has_errors(issues) -> bool:
    return any(i.severity == ERROR for i in issues)


# --- wording per surface ----------------------------------------------------------------------
# The engine's messages name the command line's options (`--kind`, `--encoding`, ...). On the
# upload page the same advice names the page's own controls: `worded_for` rewrites it there.
CLI, PAGE = "cli", "page"
_PAGE_WORDING: list[tuple[re.Pattern, str]] = [(re.compile(a), b) for a, b in (
    (r"use --kind KIND", "choose its kind in the Kind box beside the file"),
    (r"import with --decimal-comma", "switch on the 'Decimal comma' toggle"),
    (r"use --encoding ([\w-]+)", r"choose \1 under Reading options, Encoding"),
    (r" \(--encoding ([\w-]+)\)", r" (the encoding chosen under Reading options)"),
    (r" \(--encoding\)", ""),
    (r"give (its|the file's) encoding with --encoding ENCODING", r"choose \1 encoding under Reading options"),
    (r" \(`resultsboard lock --through DATE`\)", ""),
    (r"see `resultsboard history`", "see the import history"),
)]


def message_for(message: str, surface: str) -> str:
    """`message` as `surface` words it: unchanged for the command line; on a page (`PAGE`)
    the command line's options become the page's controls."""
    if surface != PAGE:
        return message
    for pattern, wording in _PAGE_WORDING:
        message = pattern.sub(wording, message)
    return message


def worded_for(issues, surface: str) -> list[Issue]:
    """The issues with their messages worded for `surface` (see message_for)."""
    if surface != PAGE:
        return list(issues)
    return [i if (m := message_for(i.message, surface)) == i.message else replace(i, message=m) for i in issues]

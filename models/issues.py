"""The shape of every problem the import engine reports (frictionless-style)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

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
    "empty-file": "the file has no header row",
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

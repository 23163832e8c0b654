"""The shape of every problem the import engine reports (frictionless-style)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"

# Stable kebab-case check codes (DESIGN.md, "Import rules").
CHECKS = (
    "missing-column",
    "duplicate-column",
    "unknown-column",
    "missing-cell",
    "type-error",
    "out-of-range",
    "unknown-reference",
    "duplicate-key",
    "overlapping-period",
    "invalid-date",
    "end-before-start",
    "encoding",
    "not-csv",
    "not-permitted",
    "unknown-kind",
    "empty-file",
    "dependent-rows",
)


@dataclass(frozen=True)
class Issue:
    """One problem: spreadsheet row (header = 1; 0 = the file as a whole), canonical column."""

    row: int
    column: str
    check: str
    value: str
    message: str
    severity: str = ERROR
    file: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


ISSUE_COLUMNS = ["file", "row", "column", "check", "value", "message", "severity"]


def issues_frame(issues):
    """Issues as a DataFrame (for display and the CSV download)."""
    import pandas as pd

    return pd.DataFrame([i.as_dict() for i in issues], columns=ISSUE_COLUMNS)


def has_errors(issues) -> bool:
    return any(i.severity == ERROR for i in issues)

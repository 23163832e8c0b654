"""What an import call takes (`Upload`) and what it gives back (`ImportReport`)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from models.issues import ERROR, Issue
from models.wording import plural


@dataclass
class Upload:
    """One file of an import call: its name (kind detection, messages) and its bytes.

    `size` is the file's size when its bytes were not read because it is larger than the
    upload limit (`from_path`); the import refuses it without reading anything."""

    name: str
    data: bytes
    size: int | None = None

    @property
    def nbytes(self) -> int:
        return len(self.data) if self.size is None else self.size

    @classmethod
    def from_path(cls, path: str | os.PathLike, max_bytes: int | None = None) -> "Upload":
        """The file at `path`; its bytes are left unread when it is larger than `max_bytes`."""
        path = Path(path)
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            return cls(path.name, b"", size)
        return cls(path.name, path.read_bytes())


@dataclass
class ImportReport:
    """The outcome of one call: status, batch, files read, row counts, issues and one action per row."""

    status: str  # committed | submitted (a partner's changes, waiting for review) | rejected | dry-run
    batch_id: int | None
    files: list[dict]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    issues: list[Issue] = field(default_factory=list)  # the first `max_issues` (by file, row, column)
    errors_total: int | None = None  # every error and warning found, listed or not (None: all are listed)
    warnings_total: int | None = None
    rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["file", "kind", "row", "action"]))
    # the first ROWS_CAP rows created or changed, before -> after: the JSON's `rows` (models.row_changes)
    changes: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        """The errors listed (a refusal lists at least one)."""
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def error_count(self) -> int:
        return len(self.errors) if self.errors_total is None else self.errors_total

    @property
    def warning_count(self) -> int:
        return len(self.issues) - len(self.errors) if self.warnings_total is None else self.warnings_total

    @property
    def issues_total(self) -> int:
        return self.error_count + self.warning_count

    @property
    def rows_total(self) -> int:
        """Every row the call creates or changes (`changes` lists the first ROWS_CAP)."""
        return self.created + self.updated

    @property
    def truncated(self) -> bool:
        """Whether more problems were found than are listed."""
        return self.issues_total > len(self.issues)

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "batch_id": self.batch_id,
            "files": self.files,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "issues": [
                {k: v for k, v in i.as_dict().items() if k != "file"} | ({"file": i.file} if i.file else {})
                for i in self.issues
            ],
            "issues_total": self.issues_total,
            "truncated": self.truncated,
            "rows": self.changes,
            "rows_total": self.rows_total,
        }

    def summary(self) -> str:
        head = {"committed": "Committed", "submitted": "Submitted for review", "rejected": "Refused",
                "dry-run": "Dry run"}[self.status]
        batch = f" as batch {self.batch_id}" if self.batch_id else ""
        return (
            f"{head}{batch}: {self.created} new, {self.updated} changed, {self.unchanged} unchanged, "
            f"{self.rejected} rejected; {plural(self.error_count, 'error')}, {plural(self.warning_count, 'warning')}"
            + (f" (the first {len(self.issues):,} problems are listed)" if self.truncated else "")
        )

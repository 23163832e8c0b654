"""What an import call takes (`Upload`) and what it gives back (`ImportReport`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from models.issues import ERROR, Issue


@dataclass
class Upload:
    """One file of an import call: its name (kind detection, messages) and its bytes."""

    name: str
    data: bytes


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
    issues: list[Issue] = field(default_factory=list)
    rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["file", "kind", "row", "action"]))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

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
        }

    def summary(self) -> str:
        head = {"committed": "Committed", "submitted": "Submitted for review", "rejected": "Refused",
                "dry-run": "Dry run"}[self.status]
        batch = f" as batch {self.batch_id}" if self.batch_id else ""
        return (
            f"{head}{batch}: {self.created} new, {self.updated} changed, {self.unchanged} unchanged, "
            f"{self.rejected} rejected; {len(self.errors)} errors, {len(self.issues) - len(self.errors)} warnings"
        )

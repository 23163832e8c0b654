"""The state one import call shares between its kinds: connection, batch, options, issues
found so far, a cache of code lookups, and the checks that wait for every file."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import Connection, select

from models.access import Scope, upload_partner, uploads_own_actuals_only
from models.issues import ERROR, Issue


def with_file(issue: Issue, file: str) -> Issue:
    """The issue, naming `file` unless it names one already."""
    return issue if issue.file else Issue(issue.row, issue.column, issue.check, issue.value, issue.message, issue.severity, file)


class ImportContext:
    def __init__(self, conn: Connection, batch_id: int, decimal_comma: bool, scope: Scope,
                 progress: Callable[[int, int, str], None] | None = None):
        self.conn = conn
        self.batch_id = batch_id
        self.decimal_comma = decimal_comma
        self.scope = scope
        self.file = ""  # the file being imported (issues name it)
        self.issues: list[Issue] = []  # the issues of that file
        self._codes: dict = {}
        # checks that need every file of the call applied first (run by the transaction)
        self.final_checks: list[Callable[[], list[Issue]]] = []
        self.pending = 0  # value changes kept for review (a partner's upload): the batch is `submitted`
        self.changes = None  # a models.row_changes.Recorder: the rows the call creates or changes
        self._progress = progress or (lambda _done, _total, _what: None)

    def step(self, what: str, done: int = 1, total: int = 1) -> None:
        """Report progress on the file being imported: `what` it is doing ("checking rows"),
        `done` of `total` (rows written so far, say)."""
        self._progress(done, total, f"{self.file}: {what}")

    def add(self, issues) -> None:
        self.issues.extend(with_file(i, self.file) for i in issues)

    def issue(self, row, column, check, value, message, severity=ERROR) -> None:
        self.issues.append(Issue(int(row), column, check, str(value), message, severity, self.file))

    @property
    def partner_scoped(self) -> bool:
        """Whether a partner coordinator is uploading (results of their own administration only)."""
        return uploads_own_actuals_only(self.scope)

    @property
    def own_partner(self) -> str:
        """The administration a partner coordinator uploads for ('' for everyone else)."""
        return upload_partner(self.scope) or ""

    def codes(self, model, *, refresh: bool = False) -> dict[str, int]:
        """lower(code) -> id for a code-keyed table (read once, refreshed after writes)."""
        if refresh or model not in self._codes:
            rows = self.conn.execute(select(model.code, model.id)).all()
            self._codes[model] = {c.lower(): i for c, i in rows}
        return self._codes[model]

    def spelled(self, model) -> dict[str, str]:
        """lower(code) -> the code as stored."""
        rows = self.conn.execute(select(model.code)).all()
        return {c.lower(): c for (c,) in rows}

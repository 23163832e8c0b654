"""`resultsboard workbook --partner CODE [--to DATE] --out FILE.xlsx [--user EMAIL]`: the
partner's reporting workbook (models.reporting_workbook; README, "Reporting workbook")."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dashboard.cli_common import EXIT_OK, Refused, UsageError, acting_scope, ready_engine


def cmd_workbook(args) -> int:
    from models.queries.snapshot import load_snapshot
    from models.reporting_workbook import WorkbookRefused, build_workbook, progress_as_of

    out = Path(args.out)
    if not out.parent.exists():
        raise UsageError(f"No such folder: {out.parent}")
    if out.is_dir():
        raise UsageError(f"{out} is a folder: --out names the .xlsx file to write")
    try:
        as_of = progress_as_of(args.to)
    except ValueError as e:
        raise UsageError(f"--to {args.to}: {e}" if args.to else str(e)) from None
    engine = ready_engine()
    scope = acting_scope(engine, args)
    try:
        book = build_workbook(load_snapshot(engine), args.partner, scope=scope, as_of=as_of)
    except WorkbookRefused as e:
        raise Refused(f"{e} (`resultsboard missing` lists the administrations with overdue reports)") from None
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(book.data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    rows = len(book.rows)
    print(f"Wrote the reporting workbook of {book.partner} as of {as_of.isoformat()} to {out}: "
          f"{book.overdue} overdue {'report' if book.overdue == 1 else 'reports'}, {book.next_due} next due, "
          f"{rows} {'row' if rows == 1 else 'rows'}")
    return EXIT_OK


def add_workbook_command(sub) -> None:
    """The `workbook` command, under `resultsboard`."""
    p = sub.add_parser(
        "workbook", help="write a partner's reporting workbook (.xlsx)",
        description="A pre-filled .xlsx for one administration: a row per report it owes as of --to (overdue, and each "
                    "indicator's next one), one per breakdown it reported before, reference columns (ref_…) and an "
                    "instructions sheet. Filled in, it comes back through `resultsboard import` or the Upload page; "
                    "uploaded untouched it changes nothing.")
    p.add_argument("--partner", required=True, metavar="CODE", help="the administration's code, e.g. GTM")
    p.add_argument("--to", metavar="DATE", help="as of: a date or a period (2025-Q4 means 2025-12-31); default today "
                                                "(RESULTSBOARD_TODAY pins it)")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="the workbook to write")
    p.add_argument("--user", metavar="EMAIL", help="act as this registered user (a partner user gets its own "
                                                   "administration's workbook only); default: the operator, as admin")
    p.set_defaults(func=cmd_workbook)

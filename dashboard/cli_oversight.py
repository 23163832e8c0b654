"""`resultsboard lock`, `resultsboard audit` and `resultsboard review`: closing reported
periods, reading who did what and reviewing partner uploads (DESIGN.md, "Access": Period
locking, Audit, Review). Every decision asks models.access."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from dashboard.cli_common import EXIT_OK, EXIT_REFUSED, Refused, acting_scope, ready_engine


def _through(value: str) -> date:
    """--through: an ISO date, or a period shorthand (2023, 2023-Q4, 2023-H2, 2023-12) meaning its last day."""
    from models.cells import period_bounds

    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    bounds = period_bounds(text)
    if bounds is None:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date (YYYY-MM-DD) or a period such as 2023 or 2023-Q4")
    return date.fromisoformat(bounds[1])


def cmd_lock(args) -> int:
    from models.access import can_lock, recorded_as, refusal
    from models.locking import current_lock, move_lock

    engine = ready_engine()
    scope = acting_scope(engine, args)
    if args.through is None:  # --show: anyone with access may know what is closed
        lock = current_lock(engine)
        if lock is None:
            print("No period is locked: every period may be changed.")
        else:
            print(f"Reporting is closed through {lock['through']:%Y-%m-%d} (set by {lock['user']} on {lock['at']:%Y-%m-%d %H:%M}).")
        return EXIT_OK
    if not can_lock(scope):
        raise Refused(refusal(scope, "lock periods"))
    previous = move_lock(engine, args.through, by=recorded_as(scope))
    was = f" (was {previous:%Y-%m-%d})" if previous else " (no lock before)"
    print(f"Reporting is closed through {args.through:%Y-%m-%d}{was}: values of periods ending on or before it "
          "can no longer be created, changed or deleted.")
    return EXIT_OK


def cmd_audit(args) -> int:
    from models.access import can_see_audit, refusal
    from models.audit import audit_events, describe

    engine = ready_engine()
    scope = acting_scope(engine, args)
    if not can_see_audit(scope):
        raise Refused(refusal(scope, "see the audit trail"))
    events = audit_events(engine)
    if args.json:
        print(json.dumps(events, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not events:
        print("No audit events yet.")
    for e in events:
        batch = f"batch {e['batch_id']}" if e["batch_id"] is not None else ""
        print(f"{e['id']:>5}  {e['at'][:16].replace('T', ' ')}  {e['user']:<24} {e['action']:<11} {batch:<10} {describe(e['detail'])}")
    return EXIT_OK


def cmd_review(args) -> int:
    from models.access import can_review, recorded_as, refusal
    from models.review import approve_batch, return_batch

    engine = ready_engine()
    scope = acting_scope(engine, args)
    if not can_review(scope):
        raise Refused(refusal(scope, "review uploads"))
    if args.approve:
        report = approve_batch(engine, args.batch_id, scope=scope, user=recorded_as(scope))
    else:
        report = return_batch(engine, args.batch_id, args.reason, scope=scope, user=recorded_as(scope))
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        print(report.summary(), file=sys.stderr)
    else:
        print(report.summary() if report.status != "refused" else f"Refused to review batch {args.batch_id}:")
        for i in report.issues if report.status == "refused" else []:
            col = f" [{i.column}]" if i.column else ""
            print(f"  {i.check}{col}: {i.message}")
    return EXIT_OK if report.status != "refused" else EXIT_REFUSED


def add_oversight_commands(sub) -> None:
    p = sub.add_parser("lock", help="close reporting through a date, or show the lock",
                       description="Close reporting through a date (administrators): an import or revert that "
                                   "would create, change or delete a value whose period ends on or before it is refused "
                                   "whole (check locked-period). --show prints the lock in force.")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--through", type=_through, metavar="DATE",
                      help="the last day closed: YYYY-MM-DD, or a period (2023, 2023-Q4) meaning its last day")
    what.add_argument("--show", action="store_true", help="print the lock in force")
    p.add_argument("--user", metavar="EMAIL", help="act as this registered user (locking: admins only); default: the operator, as admin")
    p.set_defaults(func=cmd_lock)

    p = sub.add_parser("audit", help="who did what, when (newest first)",
                       description="The audit trail, newest first (admins and editors): imports (files, SHA-256), "
                                   "reverts, locks, user and role changes, sign-ins — who, when, what.")
    p.add_argument("--json", action="store_true", help="print JSON: [{id, at, user, action, batch_id, detail}]")
    p.add_argument("--user", metavar="EMAIL", help="act as this registered user (admins and editors); default: the operator, as admin")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("review", help="approve or return a partner's submitted upload",
                       description="Review a batch a partner submitted (admins and editors, never its uploader): "
                                   "--approve applies its pending values as a new batch (every import check runs "
                                   "again, the locked period's too; refused whole when one fails; revertible like any "
                                   "batch); --return REASON discards them, the reason shown to the partner.")
    p.add_argument("batch_id", type=int, metavar="BATCH_ID")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--approve", action="store_true", help="apply the pending values as a new batch")
    what.add_argument("--return", dest="reason", metavar="REASON", help="discard the pending values, saying why")
    p.add_argument("--json", action="store_true", help="print JSON: {status, batch_id, applied_batch_id, rows, reason, issues}")
    p.add_argument("--user", metavar="EMAIL", help="review as this registered user (admins and editors); default: the operator, as admin")
    p.set_defaults(func=cmd_review)

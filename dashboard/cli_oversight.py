"""`resultsboard lock`: closing reported periods (DESIGN.md, "Access": Period locking).
Every decision asks models.access."""
from __future__ import annotations

import argparse
from datetime import date

from dashboard.cli_common import EXIT_OK, Refused, acting_scope, ready_engine


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


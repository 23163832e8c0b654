"""What every `resultsboard` command shares: exit codes, the two refusals main turns into
them, the database engine and who is acting (`--user`, through models.access)."""
from __future__ import annotations

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE: what the shell reports for a tool the pipe ended


class UsageError(Exception):
    """Bad flags or a path that does not exist: main prints the message, exit 2."""


class Refused(Exception):
    """Access refused (an unknown --user, a role that may not do this): main prints the message, exit 1."""


def engine():
    from models.db import engine_for

    return engine_for()


def ready_engine():
    """The engine, with the schema at head (commands other than init upgrade silently)."""
    from models.db import init_database

    e = engine()
    init_database(e)
    return e


def acting_scope(e, args):
    """Who the command acts as. Without --user: the operator of this machine, who holds the
    database itself, as the explicit local admin. With --user: that registered user's scope;
    an e-mail with no user row (or a row that names nothing) is refused — never unrestricted."""
    from models.access import LOCAL_ADMIN, AccessError
    from models.users import NoAccess, scope_for

    email = getattr(args, "user", None)
    if email is None:
        return LOCAL_ADMIN
    try:
        return scope_for(e, email)
    except (NoAccess, AccessError) as exc:
        raise Refused(str(exc)) from None


class ProgressLine:
    """Progress of long work (donor packs, large imports) on standard error, so standard
    output stays the result. On a terminal one line is redrawn in place; in a log or a pipe
    a line is written when a step starts and when it ends, never a stream of redraws."""

    def __init__(self, stream=None):
        import sys

        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.step = None
        self.open = False

    def __call__(self, done: int, total: int, what: str) -> None:
        text = f"{what}: {done}/{total}" if total > 1 else f"{what}…"
        if self.tty:
            self.stream.write("\r\x1b[2K" + text)
            self.open = True
        elif what != self.step or done >= total:
            self.stream.write(text + "\n")
        self.step = what
        self.stream.flush()

    def close(self) -> None:
        if self.open:
            self.stream.write("\n")
            self.stream.flush()
            self.open = False


def out_file(value: str):
    """--out: a file in a folder that exists (a usage error otherwise)."""
    from pathlib import Path

    out = Path(value)
    if not out.parent.exists():
        raise UsageError(f"No such folder: {out.parent}")
    return out


def checked_filters(args):
    """The filter flags (the dashboard's sidebar) as Filters; a malformed one is a usage error."""
    from models.queries.filters import Filters

    try:
        return Filters.from_values(
            regions=args.region, donors=args.donor, partners=args.partner, key_factors=args.key_factor,
            period_from=args.period_from, period_to=args.period_to,
        )
    except ValueError as e:
        raise UsageError(str(e)) from None


def refuse_unknown_codes(snap, filters, scope) -> None:
    """Refuse (exit 1) a --region, --donor or --partner code the user cannot see, naming the
    codes they can, as `export pack` refuses an unknown --donor: the same validation as the
    page address's filters (models.queries.filters.checked_filters, given the codes the
    scoped view offers), which there drops the code with a warning; an export refuses instead
    of writing a "No data" file. A donor or partner outside the scope reads as unknown."""
    from models.queries.filters import Filters, checked_filters
    from models.queries.snapshot import view
    from models.reference import REGIONS

    seen = view(snap, Filters(), scope)
    known = {"region": sorted(REGIONS), "donor": sorted(seen.donors["code"]), "partner": sorted(seen.partners["code"])}
    kept, _ = checked_filters(regions=filters.regions, donors=filters.donors, partners=filters.partners,
                              known_donors=known["donor"], known_partners=known["partner"])
    refusals = []
    for label, asked, found in (("region", filters.regions, kept.regions), ("donor", filters.donors, kept.donors),
                                ("partner", filters.partners, kept.partners)):
        unknown = [c for c in asked if c not in found]
        if unknown:
            refusals.append(f"unknown {label} {', '.join(repr(c) for c in unknown)}; you may see: "
                            f"{', '.join(known[label]) or 'none'}")
    if refusals:
        raise Refused("\n".join(refusals))

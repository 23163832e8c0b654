"""The `resultsboard` command line: every command's parser and handler, a thin layer over
models/ (data, scope) and dashboard/exports.py (chart images, the donor pack).

Exit codes: 0 committed (or a dry run that found no error); 1 the data was refused, or
access was (an unknown --user, a role that may not do this); 2 bad flags or a path that does not exist; 141 (128 + SIGPIPE, as `git log | head -1`
gives) when whoever reads the output closed the pipe early, which ends quietly.

Building the parser imports neither plotly nor pandas: each handler imports what it needs,
and only the commands that draw (`export chart`, `export pack`) load plotly and kaleido.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from dashboard.cli_common import (
    EXIT_CLOSED_PIPE, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, ProgressLine, Refused, UsageError, acting_scope, ready_engine,
)
from dashboard.cli_common import checked_filters as _checked_filters
from dashboard.cli_common import refuse_unknown_codes
from dashboard.cli_export import cmd_export_chart, cmd_export_data, cmd_export_pack
from dashboard.cli_common import engine as _engine
from dashboard.cli_oversight import add_oversight_commands
from dashboard.cli_iati import add_export_iati, iati_elements_text, iati_map_arg
from dashboard.cli_users import add_user_commands
from dashboard.cli_workbook import add_workbook_command
from dashboard.exports import CHART_FORMATS
from models.access import recorded_as

# pandas keeps text in Arrow arrays, and Arrow's default allocator reserves about 1 GB of
# address space ahead, which a limit on address space (`ulimit -v`) counts as used: the
# system allocator reserves nothing ahead. Set before pandas loads; the environment wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


# --- commands ---------------------------------------------------------------------------


def cmd_init(args) -> int:
    from models.db import describe, init_database

    engine = _engine()
    print(describe(engine))
    init_database(engine)
    print("Schema up to date; regions and the ten Arusha key factors present.")
    if args.demo:
        from models.demo import load_demo

        report = load_demo(engine)
        if report is None:
            print("The database already holds programme data: the demo loads only into an empty one. Nothing changed.")
        else:
            print(f"Demo programme: {report.summary()}")
            if report.status != "committed":
                for i in report.errors[:20]:
                    print(f"  {i.file} row {i.row} [{i.column}] {i.check}: {i.message}", file=sys.stderr)
                return EXIT_REFUSED
    return EXIT_OK


def _delimiter(value: str | None) -> str | None:
    """--delimiter: one of the delimiters the reader knows, or its name ("tab", "semicolon")."""
    from models.reading import DELIMITER_ALIASES, DELIMITERS

    if value is None:
        return None
    value = DELIMITER_ALIASES.get(value.lower(), value)
    if value not in DELIMITERS:
        raise argparse.ArgumentTypeError("delimiter must be ',', ';' or tab")
    return value


def cmd_import(args) -> int:
    from models.formats import KINDS

    paths = [Path(p) for p in args.files]
    folders = [str(p) for p in paths if p.is_dir()]
    if folders:
        raise UsageError(f"{', '.join(folders)}: a folder, not a file. Name the files to import, e.g. "
                         f"`resultsboard import {Path(folders[0]) / '*.csv'}` (the files of one call are one batch)")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"No such file: {', '.join(missing)}")
    if args.kind and args.kind not in KINDS:
        raise UsageError(f"Unknown kind '{args.kind}'; choose one of: {', '.join(KINDS)}")
    if args.encoding:
        import codecs

        try:
            codecs.lookup(args.encoding)
        except LookupError:
            raise UsageError(f"Unknown encoding '{args.encoding}' (try utf-8, cp1252, utf-16, latin-1)")
    from models.config import load_settings

    limits = load_settings().limits
    iati_map = iati_map_arg(args.iati_map)
    engine = ready_engine()
    scope = acting_scope(engine, args)
    # Progress on standard error for files large enough to take more than a second or two.
    large = sum(p.stat().st_size for p in paths) >= IMPORT_PROGRESS_FROM_BYTES
    progress = ProgressLine() if large else None
    try:
        report = _import_paths(engine, paths, args, scope, limits, iati_map, progress)
    finally:
        if progress:
            progress.close()
    return _report_import(args, report)


# Files of at least this size (together) show the import's progress on standard error.
IMPORT_PROGRESS_FROM_BYTES = 2_000_000


def _import_paths(engine, paths: list[Path], args, scope, limits, iati_map, progress):
    from models.importing import Upload, import_files

    return import_files(
        engine,
        [Upload.from_path(p, limits.max_upload_bytes) for p in paths],  # a file above the limit is never read
        user=recorded_as(scope),
        source="cli",
        dry_run=args.dry_run,
        kind=args.kind,
        encoding=args.encoding,
        delimiter=args.delimiter,
        decimal_comma=args.decimal_comma,
        scope=scope,
        limits=limits,
        iati_map=iati_map,
        on_progress=progress,
    )


def _report_import(args, report) -> int:
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        print(report.summary(), file=sys.stderr)
    else:
        for n, f in enumerate(report.files):
            enc = f" ({f['encoding']}, delimiter {f['delimiter']!r})" if f["encoding"] else ""
            sheet = f" (sheet '{f['sheet']}')" if f.get("sheet") else ""
            print(f"{f['file']}: {f['kind'] or 'unknown kind'}{enc}{sheet}")
            last_of_file = n + 1 == len(report.files) or report.files[n + 1]["file"] != f["file"]
            if f.get("elements") and last_of_file:  # an IATI file's tables: then what the file holds
                print(f"{f['file']}: the XML holds {iati_elements_text(f['elements'])}")
        for i in report.issues:
            where = f"row {i.row}" if i.row else "file"
            col = f" [{i.column}]" if i.column else ""
            print(f"  {i.severity.upper()} {i.file} {where}{col} {i.check}: {i.message}")
        print(report.summary())
    return EXIT_OK if report.status in ("committed", "submitted", "dry-run") else EXIT_REFUSED


def cmd_history(args) -> int:
    from models.access import can_see_history, refusal, visible_batches
    from dashboard.history_text import batch_text, history_text
    from models.batches import batch_detail, batch_record, history

    engine = ready_engine()
    scope = acting_scope(engine, args)
    if not can_see_history(scope):
        raise Refused(refusal(scope, "see the import history"))
    if args.batch_id is not None:
        detail = batch_detail(engine, args.batch_id, scope)
        if detail is None:
            raise Refused(f"There is no batch {args.batch_id} you may see; `resultsboard history` lists those you may.")
        if args.json:
            print(json.dumps(detail, ensure_ascii=False, indent=2))
        else:
            print(batch_text(detail))
        return EXIT_OK
    frame = visible_batches(scope, history(engine))
    if args.json:
        print(json.dumps([{k: v for k, v in batch_record(r).items() if k not in ("deleted", "reverts")}
                          for r in frame.to_dict("records")], ensure_ascii=False, indent=2))
        return EXIT_OK
    if frame.empty:
        print("No batches yet.")
        return EXIT_OK
    print(history_text(frame.to_dict("records")))
    return EXIT_OK


def cmd_revert(args) -> int:
    from models.batches import revert_batch

    from models.access import can_revert, refusal

    engine = ready_engine()
    scope = acting_scope(engine, args)
    if not can_revert(scope):
        raise Refused(refusal(scope, "revert batches"))
    report = revert_batch(engine, args.batch_id, user=recorded_as(scope))
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        print(report.summary(), file=sys.stderr)
    else:
        print(report.summary())
    return EXIT_OK if report.status == "reverted" else EXIT_REFUSED


PROGRESS_BY = ("pair", "indicator", "partner", "region", "donor", "key-factor")


def _read_view(args):
    """The filtered view a read command works on, scoped to --user (an e-mail with no user
    row is refused: it gets no data; no --user: the operator, as the local admin)."""
    from models.queries.snapshot import load_snapshot, view

    filters = _checked_filters(args)
    engine = ready_engine()
    scope = acting_scope(engine, args)
    snap = load_snapshot(engine)
    refuse_unknown_codes(snap, filters, scope)  # an answer of "None." for a code that does not exist misleads
    return view(snap, filters, scope)


def _print_json(records) -> None:
    print(json.dumps(records, ensure_ascii=False, indent=2, allow_nan=False))


def cmd_progress(args) -> int:
    from dashboard.text_tables import progress_text
    from models.queries.rollups import breakdown_disagreements, progress_records

    v = _read_view(args)
    frame, records = progress_records(v, args.by)
    for warning in breakdown_disagreements(v):
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        _print_json(records)
    else:
        print(progress_text(v, frame, args.by))
    return EXIT_OK


def cmd_missing(args) -> int:
    from dashboard.text_tables import missing_text
    from models.queries.reporting import missing_records, overdue_reports

    v = _read_view(args)
    if args.json:
        _print_json(missing_records(v))
    else:
        print(missing_text(v, overdue_reports(v)))
    return EXIT_OK


def cmd_serve(args) -> int:
    from dashboard.serve import DEFAULT_SECRETS, serve
    from dashboard.signin import SignInConfigError, is_loopback, read_auth
    from models.config import load_settings
    from models.db import describe

    secrets = DEFAULT_SECRETS
    if args.secrets is not None:
        secrets = [Path(args.secrets).expanduser().resolve()]
        if not secrets[0].is_file():
            raise UsageError(f"No such file: {args.secrets} (--secrets names the secrets.toml holding [auth])")
    try:
        auth = read_auth(secrets)
    except SignInConfigError as e:
        raise Refused(str(e)) from None
    if auth is None and not is_loopback(args.address):
        raise UsageError(f"Refusing to serve on {args.address}: with no sign-in configured the dashboard is one "
                         "person's local admin, so it listens on 127.0.0.1 only. Configure sign-in ([auth] in the "
                         "secrets file, --secrets PATH) to serve others (README, \"Sign-in and deployment\").")
    engine = ready_engine()
    print(describe(engine))
    print("Sign-in: " + (f"configured ({', '.join(str(p) for p in secrets if p.is_file())})" if auth else
                         "not configured — local single-user mode (admin), 127.0.0.1 only"), flush=True)
    return serve(port=args.port, address=args.address, secrets=secrets, max_upload_mb=load_settings().limits.max_upload_mb)


# --- parser -----------------------------------------------------------------------------


def _add_filters(p: argparse.ArgumentParser, *, donor: bool = True) -> None:
    """The dashboard's sidebar as flags, and --user: the same for every command that reads
    through filters (`donor=False` where the command has a --donor of its own)."""
    g = p.add_argument_group("filters (the dashboard's sidebar)")
    g.add_argument("--region", action="append", metavar="CODE", help="WCO region code, e.g. AME (repeatable)")
    if donor:
        g.add_argument("--donor", action="append", metavar="CODE", help="donor code, e.g. CAN (repeatable)")
    g.add_argument("--partner", action="append", metavar="CODE", help="partner code (repeatable)")
    g.add_argument("--key-factor", action="append", metavar="N", help="Arusha key factor number 1-10 (repeatable)")
    g.add_argument("--from", dest="period_from", metavar="PERIOD", help="period start: 2021, 2021-Q1, 2021-H1, 2021-03 or a date")
    g.add_argument("--to", dest="period_to", metavar="PERIOD", help="period end (as of): 2024, 2024-Q4, ... or a date")
    p.add_argument("--user", metavar="EMAIL", help="act as this registered user (their scope applies; unknown e-mails are refused); default: the operator, as admin")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resultsboard",
        description="Results tracking for donor-funded capacity-building programmes.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create or upgrade the database", description="Create or upgrade the database (migrations to head, reference data). --demo loads the demo programme from seeds/.")
    p.add_argument("--demo", action="store_true", help="load the demo programme (each seed file once)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("import", help="import CSV, XLSX or IATI XML files as one batch", description="Import files (CSV, .xlsx, or IATI 2.0x activity XML) as one transaction and one batch. Any error: nothing is written.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--kind", help="donors, partners, funding, framework, indicators, activities or results (default: detected)")
    p.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    p.add_argument("--json", action="store_true", help="print only JSON on stdout")
    p.add_argument("--user", metavar="EMAIL", help="import as this registered user (their scope applies; unknown e-mails are refused); default: the operator, as admin")
    p.add_argument("--encoding", help="force the file encoding (e.g. cp1252, utf-16)")
    p.add_argument("--delimiter", type=_delimiter, help="force the delimiter: ',', ';' or tab")
    p.add_argument("--decimal-comma", action="store_true", help="read 12,5 as 12.5")
    p.add_argument("--iati-map", metavar="MAP.csv", help="IATI files: iati_identifier,partner lines mapping activities to partners (the rest: programme level)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("history", help="list import batches, or show one batch's changes",
                       description="List import batches: who, when, files, counts, status. With BATCH_ID: that batch's "
                                   "rows, what it created or changed, before -> after (the first 1,000).")
    p.add_argument("batch_id", nargs="?", type=int, metavar="BATCH_ID", help="show this batch's rows")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--user", metavar="EMAIL", help="act as this user: partners see their own uploads, donors and viewers none")
    p.set_defaults(func=cmd_history)

    add_workbook_command(sub)

    p = sub.add_parser("revert", help="undo one batch exactly", description="Undo one batch exactly; refused when later batches changed the same rows or depend on rows it created.")
    p.add_argument("batch_id", type=int, metavar="BATCH_ID")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--user", metavar="EMAIL", help="revert as this registered user (admins and editors); default: the operator, as admin")
    p.set_defaults(func=cmd_revert)

    p = sub.add_parser("export", help="export charts, data or a donor pack", description="Export charts, data or a donor pack.")
    esub = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    c = esub.add_parser("chart", help="export a chart as PNG, SVG, PDF or HTML",
                        description="Export a chart (the same figure as on the page). --list prints the chart names.")
    c.add_argument("name", nargs="?", metavar="NAME", help="the chart, as --list names it")
    c.add_argument("--list", action="store_true", help="print one chart name per line")
    c.add_argument("--format", choices=list(CHART_FORMATS), help="png, svg, pdf (need Chromium) or self-contained html")
    c.add_argument("--out", metavar="PATH", help="the file to write")
    _add_filters(c)
    c.set_defaults(func=cmd_export_chart)

    d = esub.add_parser("data", help="export a table as CSV or XLSX", description="Export a table as CSV (UTF-8 with BOM) or XLSX, in the upload format.")
    d.add_argument("name", metavar="NAME", help="results, partners, donors, funding, framework, activities or indicators")
    d.add_argument("--format", choices=["csv", "xlsx"], required=True)
    d.add_argument("--out", required=True, metavar="PATH")
    _add_filters(d)
    d.set_defaults(func=cmd_export_data)

    k = esub.add_parser("pack", help="export a donor pack (zip)",
                        description="Every chart for the partners a donor funds (PNG, SVG), their data (CSV, XLSX) and an HTML report.")
    k.add_argument("--donor", required=True, action="append", metavar="CODE", help="the donor whose pack this is (one)")
    k.add_argument("--out", required=True, metavar="FILE.zip", help="the zip file to write")
    _add_filters(k, donor=False)
    k.set_defaults(func=cmd_export_pack)
    add_export_iati(esub, _add_filters, _checked_filters)

    add_user_commands(sub)
    add_oversight_commands(sub)

    p = sub.add_parser("progress", help="progress per indicator-partner pair or per group",
                       description="Progress as of --to (else today, or RESULTSBOARD_TODAY): per indicator-partner pair "
                                   "(the scored period, figures, status, reports received of due), or the mean of clamped "
                                   "progress per group with n and the pairs counted by status.")
    p.add_argument("--by", choices=PROGRESS_BY, default="pair", help="pair (default), or a group")
    p.add_argument("--json", action="store_true", help="print JSON only")
    _add_filters(p)
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("missing", help="overdue reports",
                       description="Reports overdue as of --to (else today, or RESULTSBOARD_TODAY): each indicator's "
                                   "reporting periods inside its target periods, past their due date (period end + "
                                   "grace days), with no actual; by partner, oldest first.")
    p.add_argument("--json", action="store_true", help="print JSON only")
    _add_filters(p)
    p.set_defaults(func=cmd_missing)

    p = sub.add_parser("serve", help="open the dashboard",
                       description="Serve the dashboard (headless, no usage statistics, no error details in the browser). "
                                   "Without sign-in: local single-user mode on 127.0.0.1 only.")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1", metavar="ADDR",
                   help="the address to listen on (default 127.0.0.1); another needs sign-in configured")
    p.add_argument("--secrets", metavar="PATH",
                   help="the secrets.toml with the [auth] sign-in settings (default: .streamlit/secrets.toml in the checkout)")
    p.set_defaults(func=cmd_serve)
    return parser


def _silence_stdout() -> None:
    """The reader closed the pipe: point stdout at /dev/null, so the interpreter's final
    flush raises nothing (the Python docs' recipe for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (captured in-process): nothing to do
        pass


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code (argparse exits 2 itself on bad flags)."""
    try:
        try:
            args = build_parser().parse_args(argv)
            return int(args.func(args) or 0)
        except UsageError as e:
            print(e, file=sys.stderr)
            return EXIT_USAGE
        except Refused as e:
            print(e, file=sys.stderr)
            return EXIT_REFUSED
        finally:
            sys.stdout.flush()  # a closed pipe shows here (--help too), not at interpreter exit
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_CLOSED_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

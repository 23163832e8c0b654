"""`resultsboard export chart`, `export data` and `export pack`: a catalogue chart as PNG, SVG, PDF or HTML,
and a table in the upload format as CSV or XLSX, for the filtered, scoped view. A filter
code the user cannot see is refused (exit 1) before anything is drawn or written."""
from __future__ import annotations

import sys

from dashboard.cli_common import (
    EXIT_OK, EXIT_REFUSED, UsageError, acting_scope, checked_filters, out_file, ready_engine, refuse_unknown_codes,
)


def cmd_export_data(args) -> int:
    from models.exporting import DATA_EXPORTS, write_data
    from models.queries.snapshot import load_snapshot

    if args.name not in DATA_EXPORTS:
        raise UsageError(f"Unknown export '{args.name}'; choose one of: {', '.join(DATA_EXPORTS)}")
    filters = checked_filters(args)
    out = out_file(args.out)
    engine = ready_engine()
    scope = acting_scope(engine, args)
    refuse_unknown_codes(load_snapshot(engine), filters, scope)
    rows = write_data(engine, args.name, args.format, out, filters=filters, scope=scope)
    print(f"Wrote {rows} rows of {args.name} to {out}")
    return EXIT_OK


def cmd_export_chart(args) -> int:
    from dashboard import exports
    from dashboard.charts.catalog import all_charts
    from models.queries.rollups import progress_table
    from models.queries.snapshot import load_snapshot, view

    charts = all_charts()
    if args.list:
        print("\n".join(charts))
        return EXIT_OK
    if not args.name or not args.format or not args.out:
        raise UsageError("export chart needs NAME, --format and --out (or --list)")
    if args.name not in charts:
        raise UsageError(f"Unknown chart '{args.name}'; `resultsboard export chart --list` names them")
    out = out_file(args.out)
    filters = checked_filters(args)
    if args.format in exports.IMAGE_FORMATS and not exports.images_available():
        print(exports.NO_CHROMIUM_MESSAGE, file=sys.stderr)
        return EXIT_REFUSED
    engine = ready_engine()
    scope = acting_scope(engine, args)
    snap = load_snapshot(engine)
    refuse_unknown_codes(snap, filters, scope)
    v = view(snap, filters, scope)
    fig = charts[args.name](v, progress_table(v))
    try:
        data = exports.figure_bytes(fig, args.format)
    except Exception as e:  # noqa: BLE001 - kaleido/Chromium failures: a message, not a traceback
        print(f"Could not render {args.name} as {args.format.upper()}: {e}", file=sys.stderr)
        return EXIT_REFUSED
    out.write_bytes(data)
    print(f"Wrote {args.name} ({args.format}) to {out}")
    return EXIT_OK


def cmd_export_pack(args) -> int:
    """`resultsboard export pack --donor CODE --out FILE.zip`: Chromium starts first, once the
    flags are checked, so it comes up while the database is opened and the programme read
    (build_pack would otherwise start it only after those)."""
    import io
    import zipfile

    from dashboard import exports
    from dashboard.cli_common import ProgressLine

    out = out_file(args.out)
    filters = checked_filters(args)
    if len(args.donor) > 1:
        raise UsageError(f"export pack takes one --donor (given: {', '.join(args.donor)}); make one pack per donor")
    if exports.images_available():
        exports.chart_renderer()  # returns at once: Chromium starts in the background
    from dashboard.packs import build_pack

    engine = ready_engine()
    scope = acting_scope(engine, args)  # refused (exit 1) before anything is built
    progress = ProgressLine()
    try:
        data = build_pack(engine, args.donor[0], filters=filters, scope=scope, progress=progress)
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return EXIT_REFUSED
    except Exception as e:  # noqa: BLE001 - kaleido/Chromium failures: a message, not a traceback
        print(f"Could not build the donor pack: {e}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        progress.close()
    out.write_bytes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
    if not exports.images_available():
        print(exports.NO_CHROMIUM_MESSAGE, file=sys.stderr)
    print(f"Wrote donor pack for {args.donor[0]} to {out}: {len(names)} files")
    return EXIT_OK

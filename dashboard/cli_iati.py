"""`resultsboard export iati` (IATI 2.03 activities from the filtered, scoped view) and the
`--iati-map` of `resultsboard import FILE.xml` (README, "IATI")."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from dashboard.cli_common import (
    EXIT_OK, EXIT_REFUSED, Refused, UsageError, acting_scope, ready_engine, refuse_unknown_codes,
)
from models.wording import plural


def cmd_export_iati(args, filters) -> int:
    """Build, validate, and only then write (atomically): a file that would not validate is
    never written; its problems are printed and the exit code is 1."""
    from models.config import load_settings
    from models.iati.export import export_iati
    from models.queries.snapshot import load_snapshot, view

    out = Path(args.out)
    if not out.parent.exists():
        raise UsageError(f"No such folder: {out.parent}")
    try:
        cfg = load_settings().iati
    except ValueError as e:
        raise Refused(str(e)) from None
    engine = ready_engine()
    scope = acting_scope(engine, args)
    snap = load_snapshot(engine)
    refuse_unknown_codes(snap, filters, scope)
    v = view(snap, filters, scope)
    data, problems, counts = export_iati(v, cfg)
    if data is None:
        print(f"The IATI file would not be valid; nothing was written ({len(problems)} problems):", file=sys.stderr)
        for p in problems[:50]:
            print(f"  {p}", file=sys.stderr)
        return EXIT_REFUSED
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"Wrote IATI 2.03 to {out}: {iati_elements_text(counts)} (validated against the IATI 2.03 schema)")
    return EXIT_OK


ELEMENTS = (("iati-activity", "activity"), ("result", "result"), ("indicator", "indicator"),
            ("baseline", "baseline"), ("period", "period"), ("target", "target"), ("actual", "actual"))


def iati_elements_text(counts: dict[str, int]) -> str:
    """"27 activities, 145 results, 156 indicators, 206 baselines, 882 periods, 882 targets,
    870 actuals": the IATI elements a file holds (written by `export iati`, read by `import`)."""
    return ", ".join(plural(counts[tag], word) for tag, word in ELEMENTS if tag in counts)


def add_export_iati(esub, add_filters, checked_filters) -> None:
    """The `export iati` subcommand, under `resultsboard export`."""
    p = esub.add_parser("iati", help="export IATI 2.03 activities with results (XML)",
                        description="The programme and one component activity per partner as IATI 2.03 "
                                    "iati-activities, validated against the official schema before it is written "
                                    "(publisher and identifiers: [iati] in resultsboard.toml).")
    p.add_argument("--out", required=True, metavar="FILE.xml", help="the XML file to write")
    add_filters(p)
    p.set_defaults(func=lambda args: cmd_export_iati(args, checked_filters(args)))


def iati_map_arg(value: str | None) -> dict[str, str] | None:
    """--iati-map MAP.csv: {iati_identifier: partner}; a missing file is a usage error (2), a bad one refused (1)."""
    if value is None:
        return None
    from models.iati.reading import read_map

    path = Path(value)
    if not path.is_file():
        raise UsageError(f"No such file: {value}")
    try:
        return read_map(path.read_bytes())
    except ValueError as e:
        raise Refused(f"{value}: {e}") from None

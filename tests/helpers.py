"""Helpers the import tests share: build uploads, import them, and read back what is stored.

Plain functions (no fixtures): test files import them with `from helpers import ...`.
"""
from __future__ import annotations

import io
from textwrap import dedent

import openpyxl
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from models.access import LOCAL_ADMIN
from models.importing import Upload, import_files
from models.tables import (
    Activity,
    ActivityKeyFactor,
    ActivityPartner,
    Agreement,
    AuditEvent,
    Baseline,
    Donor,
    Funding,
    ImportBatch,
    Indicator,
    Partner,
    PendingValue,
    Result,
    RowVersion,
    Value,
)

USER = "tester"
# Every table an import writes (programme data), and those plus the batch records.
PROGRAMME_TABLES = [Donor, Partner, Agreement, Funding, Result, Indicator, Activity, ActivityPartner, ActivityKeyFactor,
                    Baseline, Value]
ALL_TABLES = [*PROGRAMME_TABLES, ImportBatch, RowVersion, AuditEvent, PendingValue]


# --- uploads and imports -------------------------------------------------------------------------

def csv_upload(name: str, text: str) -> Upload:
    """An upload of `text` (dedented, leading blank lines dropped) as UTF-8."""
    return Upload(name, dedent(text).lstrip("\n").encode("utf-8"))


def import_csv(engine, *files, user=USER, scope=LOCAL_ADMIN, **options):
    """Import (name, text) pairs as one call (as the local admin unless `scope` says otherwise)."""
    return import_files(engine, [csv_upload(n, t) for n, t in files], user=user, scope=scope, **options)


def import_bytes(engine, name: str, data: bytes, user=USER, scope=LOCAL_ADMIN, **options):
    """Import one file given as bytes."""
    return import_files(engine, [Upload(name, data)], user=user, scope=scope, **options)


def committed(engine, *files, **options):
    """import_csv, asserting the data was committed."""
    report = import_csv(engine, *files, **options)
    assert report.status == "committed", report.issues
    return report


def workbook(*sheets) -> bytes:
    """Workbook bytes: each sheet is (title, rows); a row is a list or None (blank); a cell is a
    value or (value, number_format)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row or [], start=1):
                fmt = None
                if isinstance(value, tuple):
                    value, fmt = value
                if value is not None:
                    cell = sheet.cell(r, c, value)
                    if fmt:
                        cell.number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(report) -> list[tuple]:
    return [(i.row, i.column, i.check) for i in report.issues]


def counts(report) -> tuple:
    return report.created, report.updated, report.unchanged, report.rejected


# --- what is stored ------------------------------------------------------------------------------

def stored(engine, stmt) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt).all()]


def batch_count(engine) -> int:
    return stored(engine, select(func.count(ImportBatch.id)))[0][0]


def database_content(engine, tables=ALL_TABLES) -> dict:
    """Every row (every column, ids and batch ids included) of `tables`, for before/after comparisons."""
    return {m.__table__.name: sorted(stored(engine, select(m.__table__)), key=repr) for m in tables}


def donors_stored(engine):
    return stored(engine, select(Donor.code, Donor.name, Donor.country).order_by(Donor.code))


def partners_stored(engine):
    return stored(engine, select(Partner.code, Partner.name, Partner.country, Partner.region, Partner.joined_on,
                                 Partner.status).where(Partner.code != "").order_by(Partner.code))


def framework_stored(engine):
    parent = aliased(Result)
    return stored(engine, select(Result.code, Result.title, Result.level, parent.code)
                  .outerjoin(parent, parent.id == Result.parent_id).order_by(Result.code))


def indicators_stored(engine):
    return stored(engine, select(
        Indicator.code, Indicator.name, Indicator.level, Indicator.measure, Indicator.ascending, Indicator.cumulative,
        Indicator.unit, Indicator.key_factor, Result.code, Indicator.description, Indicator.scale_min, Indicator.scale_max,
    ).outerjoin(Result, Result.id == Indicator.result_id).order_by(Indicator.code))


def values_stored(engine):
    """Indicator values with their disaggregation: indicator, partner, period_start, period_end,
    dimension, dimension_value, target, actual, target_text, actual_text, comment."""
    return stored(engine, select(
        Indicator.code, Partner.code, Value.period_start, Value.period_end, Value.dimension, Value.dimension_value,
        Value.target, Value.actual, Value.target_text, Value.actual_text, Value.comment,
    ).join(Indicator, Indicator.id == Value.indicator_id).join(Partner, Partner.id == Value.partner_id)
        .order_by(Indicator.code, Partner.code, Value.period_start, Value.period_end, Value.dimension_value))


def undisaggregated_values_stored(engine):
    """Indicator values without the disaggregation columns: indicator, partner, period_start,
    period_end, target, actual, target_text, actual_text, comment."""
    return [v[:4] + v[6:] for v in values_stored(engine)]


def baselines_stored(engine):
    return stored(engine, select(
        Indicator.code, Partner.code, Baseline.dimension, Baseline.dimension_value, Baseline.year, Baseline.value,
        Baseline.value_text, Baseline.comment,
    ).join(Indicator, Indicator.id == Baseline.indicator_id).join(Partner, Partner.id == Baseline.partner_id)
        .order_by(Indicator.code, Partner.code, Baseline.year))


def shown(markdown: str) -> str:
    """The text a Markdown string escaped with dashboard.text.markdown_text shows on the page:
    backslash escapes and word joiners taken out (for asserting on what a person reads)."""
    import re

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")

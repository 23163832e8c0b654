"""SQLite foreign keys checked set-based during a results import (models.writes.foreign_keys_set_based):
a call of results files only runs with SQLite's per-row foreign key checks off and every bulk
write checks the distinct ids it references instead, in the same write transaction. A missing
parent still aborts the whole import (nothing of it is stored), foreign keys are back on
afterwards whatever happened, and every other call keeps SQLite's own checks."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from helpers import committed, import_csv
from models import writes
from models.importing import results_values
from models.tables import ImportBatch, Indicator, Partner, Value

PARTNERS = ("partners.csv", "code,name,country,region\nP1,Admin 1,Guatemala,AME\n")
INDICATORS = ("indicators.csv", "code,name,level,measure,ascending\nI1,Indicator 1,output,unit,true\n")
RESULTS = ("results.csv", "indicator,partner,period_start,period_end,target,actual\n"
                          "I1,P1,2024-01-01,2024-03-31,10,5\nI1,P1,2024-04-01,2024-06-30,10,6\n")
CHANGED = ("results.csv", "indicator,partner,period_start,period_end,target,actual\n"
                          "I1,P1,2024-01-01,2024-03-31,10,7\n")
MISSING = 999_999


def _pragma(conn) -> int:
    return conn.exec_driver_sql("PRAGMA foreign_keys").scalar()


@pytest.fixture
def loaded(sqlite_engine):
    committed(sqlite_engine, PARTNERS, INDICATORS)
    return sqlite_engine


def _seen_foreign_keys(monkeypatch) -> list[int]:
    """The foreign_keys pragma as the results step sees it, once per results file."""
    seen: list[int] = []
    real = results_values.write_values

    def spy(ctx, rows):
        seen.append(_pragma(ctx.conn))
        return real(ctx, rows)

    monkeypatch.setattr(results_values, "write_values", spy)
    from models.importing import results
    monkeypatch.setattr(results, "write_values", spy)
    return seen


# label -> (files of the call, foreign_keys pragma during its results step)
WHO_CHECKS = {
    "results only: checked by the writes": ([RESULTS], [0]),
    "results with partners: SQLite checks": ([PARTNERS, RESULTS], [1]),
}


@pytest.mark.parametrize("label", list(WHO_CHECKS))
def test_who_checks_the_foreign_keys(loaded, monkeypatch, label):
    files, expected = WHO_CHECKS[label]
    seen = _seen_foreign_keys(monkeypatch)
    committed(loaded, *files)
    assert seen == expected
    with loaded.connect() as conn:
        assert _pragma(conn) == 1


# label -> (the import's rows changed to reference a missing parent, the import before it)
BROKEN = {
    "created value, missing indicator": ("indicator_id", None),
    "created value, missing partner": ("partner_id", None),
    "over stored values, missing indicator": ("indicator_id", RESULTS),
}


@pytest.mark.parametrize("label", list(BROKEN))
def test_a_missing_parent_aborts_the_import(loaded, monkeypatch, label):
    column, before = BROKEN[label]
    if before:
        committed(loaded, before)
    with loaded.connect() as conn:
        stored_before = conn.execute(select(Value.indicator_id, Value.partner_id, Value.actual).order_by(Value.id)).all()
        batches_before = conn.execute(select(func.count()).select_from(ImportBatch)).scalar()
    real = results_values._keys

    def broken(ctx, rows):
        keys = real(ctx, rows)
        keys[column] = MISSING  # as if the parent were gone by the time the rows are written
        return keys

    monkeypatch.setattr(results_values, "_keys", broken)
    seen = _seen_foreign_keys(monkeypatch)
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        import_csv(loaded, CHANGED if before else RESULTS)
    assert seen == [0]  # the set-based check refused it, not SQLite's own
    with loaded.connect() as conn:
        assert conn.execute(select(Value.indicator_id, Value.partner_id, Value.actual).order_by(Value.id)).all() == stored_before
        assert conn.execute(select(func.count()).select_from(ImportBatch)).scalar() == batches_before
        assert _pragma(conn) == 1


# label -> (write, rows' parent id): each bulk write refuses a missing parent while the checks are its own
WRITES = {
    "bulk_insert": "insert", "insert_frame": "insert_frame", "bulk_update": "update", "update_frame": "update_frame",
}


@pytest.mark.parametrize("label", list(WRITES))
@pytest.mark.parametrize("present", [True, False], ids=["parent present", "parent missing"])
def test_each_bulk_write_checks_its_parents(loaded, label, present):
    table = Value.__table__
    with loaded.connect() as conn, writes.foreign_keys_set_based(conn) as applies:
        assert applies
        trans = conn.begin()
        ind = conn.execute(select(Indicator.id)).scalar()
        part = conn.execute(select(Partner.id).where(Partner.code == "P1")).scalar()
        good = (ind, part, "2024-01-01", "2024-03-31", "", "", 1.0)
        cols = ["indicator_id", "partner_id", "period_start", "period_end", "dimension", "dimension_value", "actual"]
        writes.bulk_insert(conn, table, cols, [good])
        row_id = conn.execute(select(Value.id)).scalar()
        parent = ind if present else MISSING
        how = WRITES[label]
        new = (parent, part, "2025-01-01", "2025-03-31", "", "", 2.0)
        frame = pd.DataFrame([new], columns=cols).assign(id=row_id)
        call = {
            "insert": lambda: writes.bulk_insert(conn, table, cols, [new]),
            "insert_frame": lambda: writes.insert_frame(conn, table, frame, cols),
            "update": lambda: writes.bulk_update(conn, table, ["indicator_id", "actual"], [(parent, 2.0, row_id)]),
            "update_frame": lambda: writes.update_frame(conn, table, frame, ["indicator_id", "actual"]),
        }[how]
        if present:
            call()
        else:
            with pytest.raises(IntegrityError, match="FOREIGN KEY"):
                call()
        trans.rollback()
    with loaded.connect() as conn:
        assert _pragma(conn) == 1

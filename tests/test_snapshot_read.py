"""The values of a SQLite database read through Arrow (models/queries/arrow_read.py) give the
very frame the sqlite3 driver's path gives (columns, dtypes, row order, every cell), and from
the snapshot's own transaction."""
from __future__ import annotations

import math
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import insert, select
from sqlmodel import Session

from models import db
from models.queries import arrow_read, snapshot
from models.tables import PROGRAMME_PARTNER_CODE, ImportBatch, Indicator, Partner, Value

def plain(i):
    return {}


def targets_null_then_numbers(i):  # ADBC infers a column's type from its first rows
    return {"target": None if i < 2000 else i * 0.1}


def actual_never_set(i):  # NULL in every row: typed as integers by ADBC
    return {"actual": None, "target": None}


def breakdowns(i):
    if i % 7:
        return {}
    return {"dimension": "sex" if i % 2 else "âge « groupe »", "dimension_value": "female" if i % 3 else "15–24"}


def texts(i):
    cells = ["it's \"quoted\"", "ünïcødé ✓ 中文", "two\nlines\r\nand a tab\t", "", "'; drop table x; --", None]
    return {"target_text": cells[i % 6], "actual_text": cells[(i + 1) % 6], "comment": cells[(i + 2) % 6]} if i % 5 == 0 else {}


def programme_level(i):
    return {"partner": PROGRAMME_PARTNER_CODE} if i % 2 else {}


def dates(i):
    days = [date(1, 1, 1), date(2024, 2, 29), date(9999, 12, 31), date(1970, 1, 1), date(2000, 12, 31)]
    return {"period_start": days[i % 5], "period_end": days[(i + 2) % 5], "dimension": "row", "dimension_value": str(i)}


def floats(i):
    cells = [0.1 + 0.2, 1e-300, -0.0, 5e-324, 2 ** 53 + 1, -1.7976931348623157e308, math.inf, -math.inf, math.nan,
             10 ** 18, 123456789, 1 / 3]
    return {"target": cells[i % len(cells)], "actual": cells[(i + 5) % len(cells)]}


def no_values(i):
    return None


# case: (row maker, number of rows, whether the Arrow path reads them: no values -> the driver's)
CASES = {
    "plain": (plain, 50, True),
    "targets NULL in the first 2000 rows": (targets_null_then_numbers, 3000, True),
    "target and actual NULL in every row": (actual_never_set, 100, True),
    "breakdowns": (breakdowns, 200, True),
    "text values": (texts, 200, True),
    "programme-level partner": (programme_level, 100, True),
    "dates": (dates, 100, True),
    "floats": (floats, 240, True),
    "no values": (no_values, 10, False),
}


@pytest.fixture(autouse=True)
def arrow_for_any_size(monkeypatch):
    """The Arrow path for the small databases here too (it leaves fewer than MIN_ROWS values
    to the driver)."""
    monkeypatch.setattr(arrow_read, "MIN_ROWS", 0)


def fill(engine, make_row, n: int) -> None:
    """Two indicators and two partners (besides the programme level), and `n` values."""
    with Session(engine) as session:
        session.add_all([Indicator(code=f"I{k}", name=f"Indicator {k}", level="output", measure="unit") for k in (1, 2)])
        session.add_all([Partner(code=f"P{k}", name=f"Partner {k}") for k in (1, 2)])
        session.commit()
    with engine.begin() as conn:
        indicators = dict(conn.execute(select(Indicator.code, Indicator.id)).all())
        partners = dict(conn.execute(select(Partner.code, Partner.id)).all())
        rows = []
        for i in range(n):
            cells = make_row(i)
            if cells is None:
                continue
            start = date(2000, 1, 1) + timedelta(days=i)
            end = start + timedelta(days=90)
            row = {"indicator_id": indicators[f"I{1 + i % 2}"], "partner_id": partners[f"P{1 + i % 3 % 2}"],
                   "period_start": start, "period_end": end, "target": i * 1.5, "actual": float(i),
                   "dimension": "", "dimension_value": "", "target_text": None, "actual_text": None, "comment": None}
            if "partner" in cells:
                row["partner_id"] = partners[cells.pop("partner")]
            rows.append(row | cells)
        if rows:
            conn.execute(insert(Value), rows)


def both_reads(engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The values as the snapshot reads them, then through the driver's path alone."""
    through_arrow = snapshot.load_snapshot(engine).values
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(arrow_read, "read_values", lambda *args: None)
        through_driver = snapshot.load_snapshot(engine).values
    return through_arrow, through_driver


def arrow_reads(conn) -> bool:
    """Whether the Arrow path reads the values of `conn`'s database (not handing over to the driver's)."""
    indicators = dict(conn.execute(select(Indicator.id, Indicator.code)).all())
    partners = dict(conn.execute(select(Partner.id, Partner.code)).all())
    return arrow_read.read_values(conn, indicators, partners) is not None


@pytest.mark.parametrize("case", CASES)
def test_arrow_reads_the_frame_the_driver_reads(sqlite_engine, case):
    make_row, n, through_arrow = CASES[case]
    fill(sqlite_engine, make_row, n)
    a, b = both_reads(sqlite_engine)
    with sqlite_engine.connect() as conn:
        assert arrow_reads(conn) is through_arrow
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.columns) == snapshot.VALUE_COLUMNS and len(a) == (n if through_arrow else 0)
    assert a.dtypes.tolist() == b.dtypes.tolist()
    for column in ("period_start", "period_end"):
        assert all(type(d) is date for d in a[column])


def test_cells_read(sqlite_engine):
    fill(sqlite_engine, floats, 12)
    a, _ = both_reads(sqlite_engine)
    got = a["target"].tolist()
    assert got[:2] == [0.1 + 0.2, 1e-300] and got[3] == 5e-324 and got[4] == float(2 ** 53)
    assert got[6:8] == [math.inf, -math.inf] and math.isnan(got[8])  # SQLite keeps no NaN: NULL


def add_batch(engine, status="committed") -> None:
    with engine.begin() as conn:
        conn.execute(insert(ImportBatch).values(user="t", at=datetime(2024, 1, 1, tzinfo=timezone.utc), files="[]", sha256="[]", status=status))


def test_the_copy_is_the_transactions_data(sqlite_engine):
    """A batch committed after the transaction began is in neither the version nor the copy."""
    fill(sqlite_engine, plain, 20)
    with sqlite_engine.connect() as conn:
        version = db.data_version(conn)
        add_batch(sqlite_engine)
        with sqlite_engine.begin() as other:
            other.execute(Value.__table__.delete().where(Value.id <= 5))
        assert arrow_reads(conn)
        before = snapshot._read_values(conn, dict(conn.execute(select(Indicator.id, Indicator.code)).all()),
                                       dict(conn.execute(select(Partner.id, Partner.code)).all()))
        assert db.data_version(conn) == version
    assert len(before) == 20 and db.data_version(sqlite_engine) != version
    assert len(snapshot.load_snapshot(sqlite_engine).values) == 15


def test_a_copy_at_another_version_is_not_used(sqlite_engine, monkeypatch):
    """Were the copy not the transaction's (a batch committed meanwhile, copied from a new
    connection), the values are read through the transaction's own connection."""
    fill(sqlite_engine, plain, 20)
    made = []

    def copy_elsewhere(conn, path):
        add_batch(sqlite_engine, status="reverted")
        with sqlite_engine.begin() as other:
            other.execute(Value.__table__.delete().where(Value.id <= 5))
        source = sqlite3.connect(sqlite_engine.url.database)
        target = sqlite3.connect(path)
        source.backup(target)
        source.close(), target.close()
        made.append(path)

    monkeypatch.setattr(arrow_read, "copy_database", copy_elsewhere)
    with sqlite_engine.connect() as conn:
        assert not arrow_reads(conn)
        values = snapshot._read_values(conn, dict(conn.execute(select(Indicator.id, Indicator.code)).all()),
                                       dict(conn.execute(select(Partner.id, Partner.code)).all()))
    assert len(made) == 2 and len(values) == 20  # the transaction's rows, read by the driver


def test_adbc_opens_only_its_copy(sqlite_engine, monkeypatch):
    """The ADBC driver's own SQLite never opens the engine's file (two SQLite libraries on
    one file in one process is SQLite's documented corruption hazard)."""
    from adbc_driver_sqlite import dbapi as adbc

    fill(sqlite_engine, plain, 10)
    opened = []
    connect = adbc.connect
    monkeypatch.setattr(adbc, "connect", lambda uri, **kw: opened.append(uri) or connect(uri, **kw))
    assert len(snapshot.load_snapshot(sqlite_engine).values) == 10
    assert len(opened) == 1 and "copy.db" in opened[0] and sqlite_engine.url.database not in opened[0]
    assert opened[0].endswith("?mode=ro&immutable=1")


@pytest.mark.parametrize("why", ["driver not installed", "in-memory database"])
def test_other_databases_read_as_before(why, monkeypatch, tmp_path, empty_sqlite_file):
    import sys

    if why == "driver not installed":
        monkeypatch.setitem(sys.modules, "adbc_driver_sqlite", None)
        engine = db.make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
        db.init_database(engine)
        fill(engine, plain, 10)
        with engine.connect() as conn:
            assert not arrow_reads(conn)
    else:  # the copy is made from the connection: an in-memory database reads through Arrow too
        engine = db.make_engine("sqlite://")
        db.init_database(engine)
        fill(engine, plain, 10)
        with engine.connect() as conn:
            assert arrow_reads(conn)
    a, b = both_reads(engine)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert len(a) == 10


@pytest.mark.parametrize("cell, column", [("'n/a'", "target"), ("x'00ff'", "actual")])
def test_a_cell_no_number_fails_as_before(sqlite_engine, cell, column):
    """Text (or bytes) left in a number column by another writer: the Arrow path hands over to
    the driver's, which fails as it always did."""
    fill(sqlite_engine, plain, 3000)
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE result_value SET {column} = {cell} WHERE id = 2500")
    with sqlite_engine.connect() as conn:
        assert not arrow_reads(conn)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(arrow_read, "read_values", lambda *args: None)
        with pytest.raises((ValueError, TypeError)) as through_driver:
            snapshot.load_snapshot(sqlite_engine)
    with pytest.raises(through_driver.type, match=str(through_driver.value)[:20]):
        snapshot.load_snapshot(sqlite_engine)


@pytest.mark.parametrize("rows, through_arrow", [(19_999, False), (20_000, True)])
def test_few_values_read_through_the_driver(sqlite_engine, monkeypatch, rows, through_arrow):
    monkeypatch.setattr(arrow_read, "MIN_ROWS", 20_000)
    fill(sqlite_engine, plain, rows)
    with sqlite_engine.connect() as conn:
        assert arrow_reads(conn) is through_arrow


@pytest.mark.parametrize("folder, chosen", [("missing", False), ("present", True)])
def test_the_copy_goes_to_memory_when_there_is_room(sqlite_engine, monkeypatch, tmp_path, folder, chosen):
    shared = tmp_path / "shm"
    if folder == "present":
        shared.mkdir()
    monkeypatch.setattr(arrow_read, "SHARED_MEMORY", str(shared))
    with sqlite_engine.connect() as conn:
        assert arrow_read._memory_folder(conn) == (str(shared) if chosen else None)


def test_a_copy_that_cannot_be_made_gives_up(sqlite_engine, tmp_path):
    """From a connection holding a write transaction SQLite answers busy to every copy step:
    the copy gives up (the driver path then reads) instead of waiting forever."""
    with sqlite_engine.connect().execution_options(write=True) as conn:
        with conn.begin():  # BEGIN IMMEDIATE
            with pytest.raises(TimeoutError):
                arrow_read.copy_database(conn, str(tmp_path / "copy.db"), give_up_s=0.3)

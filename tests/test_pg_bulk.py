"""PostgreSQL bulk paths (models/pg_bulk.py): COPY text built a chunk at a time, updates
through a temporary table, stored rows read with COPY TO STDOUT, foreign keys checked
set-based while the per-row triggers are off. Values round-trip exactly; a missing parent
is refused and a referenced row stays locked; an import's revert restores exactly."""
from __future__ import annotations

from datetime import date

import psycopg
import pytest
from sqlalchemy import (Boolean, Column, Date, Float, ForeignKey, Integer, BigInteger, MetaData, String, Table, Text,
                        create_engine, select, text)

from conftest import _empty_postgres, skip_or_fail
from helpers import committed, database_content
from models import pg_bulk, writes
from models.batches import revert_batch
from models.db import init_database, make_engine
from models.tables import RowVersion, Value

N = 1200  # above pg_bulk.MIN_ROWS: the COPY paths
META = MetaData()
PARENT = Table("pg_bulk_parent", META, Column("id", Integer, primary_key=True))
PROBE = Table("pg_bulk_probe", META, Column("id", Integer, primary_key=True),
              Column("parent_id", Integer, ForeignKey("pg_bulk_parent.id")), Column("i", BigInteger),
              Column("f", Float(53)), Column("t", Text), Column("v", String), Column("d", Date), Column("b", Boolean))
COLUMNS = ["parent_id", "i", "f", "t", "v", "d", "b"]
# label -> (parent_id, i, f, t, v, d, b): every value must read back exactly as written
CASES = {
    "all empty": (None, None, None, None, None, None, None),
    "tab newline return": (1, 1, 0.1, "a\tb\nc\rd", "x\ty", date(2024, 2, 29), True),
    "backslashes": (2, -2, 1 / 3, "C:\\new\\table \\\\ end\\", "\\", date(1, 1, 1), False),
    "the COPY null marker as text": (1, 2**62, 1e308, "\\N", "\\N", date(9999, 12, 31), True),
    "quotes and unicode": (2, 0, 5e-324, "it's \"quoted\" — ünïcødé ✓ 日本", "'", date(2024, 1, 1), None),
    "empty text": (1, 7, -0.0, "", "", None, False),
    "long float, control char": (None, -(2**63), 123456789.12345679, "bell\x07 form\x0c vtab\x0b", "é", date(2000, 1, 31), True),
    "infinities": (2, 3, float("inf"), " padded ", " ", date(1970, 1, 1), None),
}
LABELS = list(CASES)


def _rows(shift: int = 0) -> list[tuple]:
    return [CASES[LABELS[(k + shift) % len(LABELS)]] for k in range(N)]


@pytest.fixture(scope="module")
def pg(postgres_url):
    """The worker's PostgreSQL database, emptied, with the probe tables (dropped at the end)."""
    if not postgres_url:
        skip_or_fail("PostgreSQL leg: TEST_DATABASE_URL is not set")
    eng = make_engine(postgres_url)
    with eng.begin() as conn:
        _empty_postgres(conn)
        META.drop_all(conn)
        META.create_all(conn)
        conn.execute(PARENT.insert(), [{"id": 1}, {"id": 2}])
    init_database(eng)
    yield eng
    with eng.begin() as conn:
        META.drop_all(conn)
        _empty_postgres(conn)
    eng.dispose()


def _stored(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(select(*[PROBE.c[c] for c in COLUMNS]).order_by(PROBE.c.id))]


def _role(conn) -> str:
    return conn.exec_driver_sql("SHOW session_replication_role").scalar()


def test_insert_update_and_read_round_trip_exactly(pg):
    with pg.connect() as conn, conn.begin():
        writes.bulk_insert(conn, PROBE, COLUMNS, _rows())
        assert _role(conn) == "origin"  # the triggers are on again after the COPY
        assert _stored(conn) == _rows()
        ids = [r[0] for r in conn.execute(select(PROBE.c.id).order_by(PROBE.c.id))]
        writes.bulk_update(conn, PROBE, COLUMNS, [(*row, i) for row, i in zip(_rows(shift=3), ids)])
        assert _stored(conn) == _rows(shift=3)
        frame = writes.read_stored(conn, select(PROBE.c.id, PROBE.c.i, PROBE.c.f, PROBE.c.t, PROBE.c.v, PROBE.c.d)
                                   .order_by(PROBE.c.id))
        read = [tuple(None if v is None or v != v else v for v in row)
                for row in frame[["i", "f", "t", "v", "d"]].itertuples(index=False)]
        assert read == [(i, f, t, v, d.isoformat() if d else None) for _p, i, f, t, v, d, _b in _rows(shift=3)]
        conn.rollback()


def test_repeated_ids_are_left_to_the_statements_in_order(pg):
    with pg.connect() as conn, conn.begin():
        writes.bulk_insert(conn, PROBE, COLUMNS, _rows())
        first = conn.execute(select(PROBE.c.id).order_by(PROBE.c.id)).scalars().first()
        rows = [(None, k, None, f"t{k}", None, None, None, first) for k in range(N)]
        assert not pg_bulk.update_rows(conn, PROBE, COLUMNS, rows)
        writes.bulk_update(conn, PROBE, COLUMNS, rows)
        assert conn.execute(select(PROBE.c.i, PROBE.c.t).where(PROBE.c.id == first)).one() == (N - 1, f"t{N - 1}")
        conn.rollback()


@pytest.mark.parametrize("triggers_may_be_off", [True, False], ids=["set-based check", "per-row triggers"])
def test_a_missing_parent_is_refused(pg, triggers_may_be_off):
    rows = [(1, k, None, None, None, None, None) for k in range(N - 1)] + [(3, 0, None, None, None, None, None)]
    with pg.connect() as conn:
        conn.begin()
        conn.info["rb_replica_role"] = triggers_may_be_off
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            writes.bulk_insert(conn, PROBE, COLUMNS, rows)
        conn.rollback()
        conn.info.pop("rb_replica_role")
        assert conn.execute(select(PROBE.c.id)).first() is None


def test_a_referenced_parent_stays_locked_until_commit(pg, postgres_url):
    """What the RI trigger's FOR KEY SHARE does: another transaction cannot delete the parent."""
    other = create_engine(pg.url)
    try:
        with pg.connect() as conn, conn.begin():
            writes.bulk_insert(conn, PROBE, COLUMNS, [(2, k, None, None, None, None, None) for k in range(N)])
            with other.connect() as conn2, conn2.begin():
                conn2.execute(text("SET LOCAL lock_timeout = '300ms'"))
                with pytest.raises(Exception, match="lock timeout"):
                    conn2.execute(PARENT.delete().where(PARENT.c.id == 2))
            conn.rollback()
    finally:
        other.dispose()


PERIODS = [(f"{y}-{m:02d}-01", f"{y}-{m + 2:02d}-{30 if m + 2 in (6, 9) else 31}") for y in range(2020, 2025)
           for m in (1, 4, 7, 10)]
PARTNERS = "code,name,country,region\n" + "".join(f"P{p:02d},Partner {p},Guatemala,AME\n" for p in range(60))
INDICATORS = "code,name,level,measure,ascending\nI1,Indicator 1,output,unit,true\n"


def _results(target, comment) -> str:
    lines = ["indicator,partner,period_start,period_end,target,actual,comment"]
    for p in range(60):
        for k, (s, e) in enumerate(PERIODS):
            lines.append(f'I1,P{p:02d},{s},{e},{target(p, k)},{p + k / 8},"{comment(p, k)}"')
    return "\n".join(lines) + "\n"


def test_an_import_of_changes_reverts_exactly(pg):
    with pg.begin() as conn:
        _empty_postgres(conn)
    init_database(pg)
    first = committed(pg, ("partners.csv", PARTNERS), ("indicators.csv", INDICATORS),
                      ("results.csv", _results(lambda p, k: p * 100 + k, lambda p, k: f"row {p}/{k}")))
    assert first.created == 60 + 1 + N
    before = database_content(pg, [Value])
    again = committed(pg, ("results.csv", _results(lambda p, k: p / 3 + k, lambda p, k: f"tab\there\\ \\N ü {p}")))
    assert again.updated == N
    with pg.connect() as conn:
        assert conn.execute(select(Value.comment).where(Value.target == 1 / 3)).scalar() == "tab\there\\ \\N ü 1"
        assert conn.execute(select(RowVersion.id).where(RowVersion.batch_id == again.batch_id)).all().__len__() == N
    assert revert_batch(pg, again.batch_id, user="tester").status == "reverted"
    assert database_content(pg, [Value]) == before

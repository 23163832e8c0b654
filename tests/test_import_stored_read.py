"""Stored rows read a column at a time on SQLite (models/sqlite_columns.py): every value reads
back exactly as the row-by-row read gives it (same values, same types), and stored values the
fast path cannot read exactly (a text in a number column, a date that is not ISO text, a NUL
inside a text) send the read row by row instead of being misread."""
from __future__ import annotations

import math

import pytest
from sqlalchemy import Column, Date, Float, Integer, MetaData, String, Table, Text, create_engine, select

from models import sqlite_columns, writes

META = MetaData()
PROBE = Table("probe", META, Column("id", Integer, primary_key=True), Column("k", Integer, nullable=False),
              Column("i", Integer), Column("f", Float), Column("d", Date, nullable=False),
              Column("v", String, nullable=False), Column("t", Text))
# label -> rows (k, i, f, d, v, t) as SQLite stores them; fast: whether the column-at-a-time path reads them
CASES = {
    "whole numbers, blank texts": ([(1, 1, 100.0, "2024-01-01", "", None), (2, 2, -5.0, "2024-03-31", "", None)], True),
    "fractions and extremes": ([(1, 3, 0.1 + 0.2, "2021-01-01", "", None), (2, 4, 1 / 3, "2021-01-01", "", None),
                                (3, -(2**63), 5e-324, "1999-12-31", "", None), (4, 2**62, 1e308, "2000-02-29", "", None),
                                (5, 0, float("inf"), "2000-01-01", "", None), (6, 0, -float("inf"), "2000-01-01", "", None),
                                (7, 0, 2.0**60, "2000-01-01", "", None), (8, 0, -123456789.12345679, "2000-01-01", "", None)], True),
    "NULLs in optional columns": ([(1, None, None, "2024-01-01", "", "a"), (2, 5, 2.5, "2024-01-01", "", None),
                                   (3, None, 7.0, "2024-01-01", "", "")], True),
    "all optional columns empty": ([(1, None, None, "2024-01-01", "", None)] * 3, True),
    "texts: commas, unicode, empty": ([(1, 1, 1.0, "2024-01-01", "a,b", "x,y"), (2, 1, 1.0, "2024-01-01", "", "日本 ✓ é"),
                                      (3, 1, 1.0, "2024-01-01", "customs officers", ""),
                                      (4, 1, 1.0, "2024-01-01", "'\"\\\t\n", None)], True),
    "a text in a float column": ([(1, 1, 1.0, "2024-01-01", "", None), (2, 1, "abc", "2024-01-01", "", None)], False),
    "a number-like text in a float column": ([(1, 1, "5abc", "2024-01-01", "", None)], False),
    "a float in an integer column": ([(1, 1.5, 1.0, "2024-01-01", "", None)], False),
    "a date that is not ISO text": ([(1, 1, 1.0, "2024-1-05", "", None), (2, 1, 1.0, "2024-01-0", "", None)], False),
    "a date of other characters": ([(1, 1, 1.0, "2024/01/05", "", None)], False),
    "a NUL inside a text": ([(1, 1, 1.0, "2024-01-01", "a\x00b", None)], False),
    "no rows": ([], True),
}
LABELS = list(CASES)


@pytest.fixture
def conn():
    engine = create_engine("sqlite://")
    META.create_all(engine)
    with engine.connect() as c:
        yield c
    engine.dispose()


def _stmt():
    return select(*PROBE.c).order_by(PROBE.c.id)


def _row_by_row(conn, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(sqlite_columns, "read_columns", lambda *_a, **_k: None)
        return writes.read_stored(conn, _stmt())


def _cells(frame):
    return [[("nan" if isinstance(v, float) and math.isnan(v) else (type(v).__name__, v)) for v in row]
            for row in frame.itertuples(index=False)]


@pytest.mark.parametrize("label", LABELS)
def test_stored_rows_read_a_column_at_a_time_as_row_by_row(conn, monkeypatch, label):
    rows, fast = CASES[label]
    conn.exec_driver_sql("INSERT INTO probe (k, i, f, d, v, t) VALUES (?, ?, ?, ?, ?, ?)", rows) if rows else None
    selected = list(_stmt().selected_columns)
    columnar = sqlite_columns.read_columns(conn, _stmt(), selected, [writes._kind(c.type) for c in selected])
    assert (columnar is not None) == fast
    expected = _row_by_row(conn, monkeypatch)
    got = writes.read_stored(conn, _stmt())
    assert list(got.columns) == list(expected.columns)
    assert got.dtypes.astype(str).tolist() == expected.dtypes.astype(str).tolist()
    assert _cells(got) == _cells(expected)
    assert len(got) == len(rows)


def test_float_text_keeps_every_digit(conn):
    """printf('%!.17g') (not SQLite's 15-digit text) carries a double that is not a whole number."""
    conn.exec_driver_sql("INSERT INTO probe (k, i, f, d, v) VALUES (1, 1, ?, '2024-01-01', '')", (0.1 + 0.2,))
    frame = writes.read_stored(conn, _stmt())
    assert frame["f"].tolist() == [0.1 + 0.2] and frame["f"].tolist() != [0.3]


CODED = Table("coded", META, Column("id", Integer, primary_key=True), Column("code", String, nullable=False, unique=True),
              Column("parent_id", Integer), Column("note", Text))


def test_each_row_keeps_its_own_cells_whatever_order_sqlite_reads(conn):
    """Without ORDER BY, SQLite may read rows in an index's order; every column of a row must
    still come from that row (all columns in one aggregate query, never one query per column)."""
    rows = [(i, code, parent, note) for i, code, parent, note in
            [(1, "OC1", None, None), (2, "IMP", None, "n2"), (3, "AAA", 1, None), (4, "ZZZ", None, "n4")]]
    conn.exec_driver_sql("INSERT INTO coded (id, code, parent_id, note) VALUES (?, ?, ?, ?)", rows)
    for stmt in (select(CODED.c.id, CODED.c.code), select(CODED.c.id, CODED.c.code, CODED.c.parent_id),
                 select(*CODED.c)):
        frame = writes.read_stored(conn, stmt)
        got = {tuple(None if isinstance(v, float) and math.isnan(v) else v for v in row)
               for row in frame.itertuples(index=False)}
        assert got == {r[: len(stmt.selected_columns)] for r in rows}

"""A column holding one value throughout is written into SQLite's INSERT as a literal instead of
bound row by row (models.writes.insert_frame): the rows stored are exactly those binding stores
(type and value of every cell), and only integer columns and text columns without NUL take
the literal."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Column, Date, Float, Integer, MetaData, String, Table, create_engine

from models import sqlite_insert, writes

META = MetaData()
T = Table("t", META, Column("id", Integer, primary_key=True), Column("n", Integer), Column("x", Float),
          Column("s", String, nullable=False), Column("d", Date))
N = 5


def _str(values) -> pd.Series:
    return pd.Series(values, dtype="str")


# column, values, the literal (None: bound row by row)
CASES = {
    "int constant": ("n", pd.Series([7] * N), "7"),
    "int zero": ("n", pd.Series([0] * N), "0"),
    "int negative": ("n", pd.Series([-5] * N), "-5"),
    "int large": ("n", pd.Series([2**62 + 1] * N), str(2**62 + 1)),
    "int into a float column": ("x", pd.Series([3] * N), "3"),
    "int varying": ("n", pd.Series([1, 1, 1, 1, 2]), None),
    "float constant": ("x", pd.Series([0.1] * N), None),
    "empty text": ("s", _str([""] * N), "''"),
    "text with a quote": ("s", _str(["it's"] * N), "'it''s'"),
    "text with two quotes": ("s", _str(["''"] * N), "''''''"),
    "unicode text": ("s", _str(["Petén – ü 日本"] * N), "'Petén – ü 日本'"),
    "text with a newline": ("s", _str(["a\nb"] * N), "'a\nb'"),
    "text with NUL": ("s", _str(["a\x00b"] * N), None),
    "digits into an integer column": ("n", _str(["5"] * N), "'5'"),
    "date text": ("d", _str(["2024-01-01"] * N), "'2024-01-01'"),
    "text varying": ("s", _str(["a", "a", "a", "a", "A"]), None),
    "text with a missing cell": ("d", _str(["a", "a", None, "a", "a"]), None),
    "object text": ("s", pd.Series([""] * N, dtype=object), None),
    "object mixed equal": ("n", pd.Series([1, 1.0, True, 1, 1], dtype=object), None),
}


@pytest.mark.parametrize("label", list(CASES))
def test_a_constant_column_stores_what_binding_stores(label):
    column, values, literal = CASES[label]
    assert sqlite_insert.same_literal(values) == literal
    frame = pd.DataFrame({"s": _str(["z"] * len(values)), "x": np.arange(len(values), dtype=float)})
    frame[column] = values.array if values.dtype != object else values.to_numpy()
    columns = list(dict.fromkeys([column, "s", "x"]))
    engine = create_engine("sqlite://")
    META.create_all(engine)
    stored = {}
    with engine.begin() as conn:
        for way in ("literal", "bound"):
            conn.exec_driver_sql("DELETE FROM t")
            if way == "literal":
                writes.insert_frame(conn, T, frame, columns)
            else:
                writes.bulk_insert(conn, T, columns, writes.frame_rows(frame, columns))
            stored[way] = conn.exec_driver_sql(
                f"SELECT {', '.join(f'typeof({c}), quote({c})' for c in columns)} FROM t ORDER BY id").all()
    assert stored["literal"] == stored["bound"]
    assert len(stored["literal"]) == len(values)


@pytest.mark.parametrize("label, frame, columns", [
    ("one row", pd.DataFrame({"n": [7], "s": _str(["a"])}), ["n", "s"]),
    ("every column constant", pd.DataFrame({"n": [7, 7], "s": _str(["a", "a"])}), ["n", "s"]),
    ("no rows", pd.DataFrame({"n": pd.Series([], dtype="int64"), "s": _str([])}), ["n", "s"]),
])
def test_edge_frames_store_their_rows(label, frame, columns):
    engine = create_engine("sqlite://")
    META.create_all(engine)
    with engine.begin() as conn:
        writes.insert_frame(conn, T, frame, columns)
        rows = conn.exec_driver_sql("SELECT n, s FROM t ORDER BY id").all()
    assert rows == [tuple(r) for r in frame[["n", "s"]].itertuples(index=False)]


def _mixed(n: int) -> pd.DataFrame:
    """Rows of every kind of cell: varying integers, floats with gaps, texts with quotes,
    newlines and non-ASCII, dates with gaps."""
    texts = ["plain", "it's", "a\nb", "Petén ü", "", "''"]
    return pd.DataFrame({
        "n": np.arange(n, dtype="int64") * 3 - 7,
        "x": [np.nan if i % 5 == 0 else i / 10 for i in range(n)],
        "s": _str([texts[i % len(texts)] for i in range(n)]),
        "d": pd.Series([None if i % 4 == 0 else f"2024-01-{1 + i % 28:02d}" for i in range(n)], dtype=object),
    })


# rows, rows to a statement, rows to a chunk
GROUPS = {
    "one row": (1, 3, 50_000),
    "exactly one group": (3, 3, 50_000),
    "groups and a rest": (7, 3, 50_000),
    "default group, chunks of 100": (450, 200, 100),
    "odd group across chunks": (1000, 7, 333),
}


@pytest.mark.parametrize("label", list(GROUPS))
def test_many_rows_to_a_statement_store_what_one_row_a_statement_stores(monkeypatch, label):
    n, group, chunk = GROUPS[label]
    monkeypatch.setattr(sqlite_insert, "GROUP", group)
    monkeypatch.setattr(writes, "CHUNK", chunk)
    frame = _mixed(n)
    columns = ["n", "x", "s", "d"]
    engine = create_engine("sqlite://")
    META.create_all(engine)
    stored, progress = {}, []
    with engine.begin() as conn:
        for way in ("grouped", "bound"):
            conn.exec_driver_sql("DELETE FROM t")
            if way == "grouped":
                writes.insert_frame(conn, T, frame, columns,
                                    lambda done, total: progress.append((done, total)))
            else:
                writes.bulk_insert(conn, T, columns, writes.frame_rows(frame, columns))
            stored[way] = conn.exec_driver_sql(
                "SELECT id - (SELECT min(id) FROM t), typeof(n), n, typeof(x), quote(x), typeof(s), s, typeof(d), d"
                " FROM t ORDER BY id").all()
    assert stored["grouped"] == stored["bound"]
    assert len(stored["grouped"]) == n
    assert progress == [(min(i + chunk, n), n) for i in range(0, n, chunk)]

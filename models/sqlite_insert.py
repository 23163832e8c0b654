"""Large inserts on SQLite (`writes.insert_frame`), closer to what SQLite itself costs:

- a column holding one value throughout (the batch id, an empty breakdown) is written into the
  statement as a literal instead of bound row by row;
- the rows go `GROUP` to a statement (`INSERT ... VALUES (...), (...), ...`), their values
  laid out a chunk at a time in one array, not one tuple per row.

SQLite stores exactly what one row per statement stores, in the same order (ids as before).
A million result rows insert in about three quarters of the time (bench/bench_import.py).
"""
from __future__ import annotations

import sqlite3
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table

GROUP = 200  # rows per statement (measured: 20 to 500 rows all gain, about the same)


def literals(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, str]:
    """Column -> SQL literal of the `columns` that hold one value throughout (none when all do:
    the statement then binds them all)."""
    fixed = {c: lit for c in columns if (lit := same_literal(frame[c])) is not None}
    return {} if len(fixed) == len(columns) else fixed


def same_literal(values: pd.Series) -> str | None:
    """The SQL literal of a column holding one value throughout — an integer column's integer,
    or a text column's text without NUL — which SQLite stores as it stores the bound value;
    None for any other column (an object column may mix types that compare equal: 1, 1.0, True)."""
    if len(values) < 2:
        return None
    if values.dtype.kind in "iu":
        first = int(values.iloc[0])
        same = -2**63 <= first < 2**63 and bool((values.to_numpy() == first).all())
        return str(first) if same else None
    if values.dtype != object and pd.api.types.is_string_dtype(values.dtype):
        uniques = values.unique()
        if len(uniques) == 1 and isinstance(uniques[0], str) and "\x00" not in uniques[0] and _utf8(uniques[0]):
            return "'" + uniques[0].replace("'", "''") + "'"
    return None


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeError:  # a lone surrogate: bound, it fails as it always did
        return False
    return True


def insert_frame(conn: Connection, table: Table, frame: pd.DataFrame, columns: Sequence[str], chunk: int,
                 plain_column: Callable[[pd.Series], list], progress: Callable[[int, int], None] | None = None) -> None:
    """Insert `frame[columns]` (its references checked already), `chunk` rows at a time,
    calling `progress(rows written, rows)` after each chunk."""
    fixed = literals(frame, columns)
    bound = [c for c in columns if c not in fixed]
    if not bound or frame.empty:
        return  # (as the row tuples did: no column to bind, nothing inserted)
    names = ", ".join(f'"{c}"' for c in columns)
    head = f'INSERT INTO "{table.name}" ({names}) VALUES '
    one = "(" + ", ".join(fixed.get(c, "?") for c in columns) + ")"
    limit = conn.connection.driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    group = max(1, min(GROUP, limit // len(bound)))
    many = head + ", ".join([one] * group)
    total, width = len(frame), len(bound)
    for i in range(0, total, chunk):
        part = frame.iloc[i: i + chunk]
        block = np.empty((len(part), width), dtype=object)
        for j, c in enumerate(bound):
            block[:, j] = plain_column(part[c])
        full = len(part) // group * group
        if full:
            conn.exec_driver_sql(many, list(map(tuple, block[:full].reshape(-1, group * width).tolist())))
        if full < len(part):
            conn.exec_driver_sql(head + one, list(map(tuple, block[full:].tolist())))
        if progress:
            progress(min(i + chunk, total), total)

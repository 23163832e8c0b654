"""Set-based writes: bulk inserts, bulk updates and prior versions for revert.

SQLite takes executemany on the driver connection; PostgreSQL takes COPY for large inserts.
Never one ORM add per row.
"""
from __future__ import annotations

import json
import math
import sqlite3
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Connection, Date, Float, Integer, String, Table, func
from sqlalchemy.exc import IntegrityError

from sqlmodel.sql.sqltypes import AutoString

from models import pg_bulk, sqlite_columns, sqlite_insert
from models.tables import RowVersion

CHUNK = 50_000


def _placeholder(conn: Connection) -> str:
    return "?" if conn.dialect.name == "sqlite" else "%s"


def plain(value):
    """A value the DB driver and JSON both take: NaN -> None, numpy scalars -> Python."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def plain_column(series: pd.Series) -> list:
    """A column as a list of plain Python values (NaN -> None), built column-wise in C
    (`tolist` of a numeric array gives Python ints and floats)."""
    values = series.to_numpy()
    if values.dtype.kind in "iub":
        return values.tolist()
    if values.dtype.kind == "f":
        missing = np.isnan(values)
        if not missing.any():
            return values.tolist()
        out = values.astype(object)
        out[missing] = None
        return out.tolist()
    values = values.astype(object, copy=False)
    missing = pd.isna(values)
    if missing.any():
        values = values.copy()
        values[missing] = None
    return [plain(v) for v in values] if _has_numpy_scalars(values) else values.tolist()


def _has_numpy_scalars(values: np.ndarray) -> bool:
    """Whether an object column holds numpy scalars (np.int64 from a mapped id, ...)."""
    return any(issubclass(t, np.generic) for t in set(map(type, values[:1000])))


def frame_rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple]:
    """Rows of `frame[columns]` as tuples of plain Python values (NaN -> None)."""
    if frame.empty:
        return []
    return list(zip(*(plain_column(frame[c]) for c in columns)))


Progress = Callable[[int, int], None]  # (rows written, rows to write)


# conn.info key: SQLite's foreign keys are off for this transaction; the bulk writes check them
PARENTS_CHECKED_HERE = "foreign_keys_checked_by_writes"


@contextmanager
def foreign_keys_set_based(conn: Connection, wanted: bool = True) -> Iterator[bool]:
    """Around a transaction (entered before it begins: SQLite ignores the pragma inside one):
    on SQLite, foreign keys off for its statements, and every bulk write below (`bulk_insert`,
    `insert_frame`, `bulk_update`, `update_frame`) checks the rows it references instead, set-based —
    one query per referenced table for the distinct ids, not one lookup per row — and raises
    the IntegrityError SQLite would; on the way out foreign keys are on again. Only for a
    transaction whose writes are inserts and updates through those functions (no delete, no
    other write to a table with a foreign key). Yields whether it applies (`wanted`, SQLite,
    no transaction open)."""
    raw = conn.connection.driver_connection if wanted and conn.dialect.name == "sqlite" else None
    if raw is None or raw.in_transaction:
        yield False
        return
    raw.execute("PRAGMA foreign_keys=OFF")
    conn.info[PARENTS_CHECKED_HERE] = True
    try:
        yield True
    finally:
        conn.info.pop(PARENTS_CHECKED_HERE, None)
        if raw.in_transaction:  # never left open with foreign keys off
            raw.rollback()
        raw.execute("PRAGMA foreign_keys=ON")


def check_parents(conn: Connection, table: Table, values: dict[str, Iterable]) -> None:
    """When foreign keys are checked here (`foreign_keys_set_based`): each referenced value of
    `values` (column -> values written) must exist in its parent table, in one query per
    foreign key, else the IntegrityError a foreign key raises."""
    if not conn.info.get(PARENTS_CHECKED_HERE):
        return
    for fk in table.foreign_keys:
        column = fk.parent.name
        if column not in values:
            continue
        wanted = {plain(v) for v in values[column]} - {None}
        if not wanted:
            continue
        parent, key = fk.column.table.name, fk.column.name
        found: set = set()
        ids = sorted(wanted, key=repr)
        for i in range(0, len(ids), 10_000):
            part = ids[i: i + 10_000]
            sql = f'SELECT "{key}" FROM "{parent}" WHERE "{key}" IN ({", ".join("?" * len(part))})'
            found.update(r[0] for r in conn.exec_driver_sql(sql, tuple(part)))
        missing = wanted - found
        if missing:
            raise IntegrityError(
                f'{table.name}.{column} -> {parent}.{key}: {sorted(missing, key=repr)[:5]}', None,
                sqlite3.IntegrityError("FOREIGN KEY constraint failed"))


def _check_rows(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    if conn.info.get(PARENTS_CHECKED_HERE):
        check_parents(conn, table, {c: {r[j] for r in rows} for j, c in enumerate(columns)
                                    if any(fk.parent.name == c for fk in table.foreign_keys)})


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple],
                progress: Progress | None = None, *, checked: bool = False) -> None:
    """Insert `rows` (executemany in chunks; COPY on PostgreSQL), calling `progress` after each
    chunk; `checked`: their references were checked already (`check_parents`)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql" and len(rows) > pg_bulk.MIN_ROWS:
        return pg_bulk.insert_rows(conn, table, columns, rows, progress)
    if not checked:
        _check_rows(conn, table, columns, rows)
    cols = ", ".join(f'"{c}"' for c in columns)
    ph = _placeholder(conn)
    sql = f'INSERT INTO "{table.name}" ({cols}) VALUES ({", ".join([ph] * len(columns))})'
    for i in range(0, len(rows), CHUNK):
        conn.exec_driver_sql(sql, rows[i : i + CHUNK])
        if progress:
            progress(min(i + CHUNK, len(rows)), len(rows))


def insert_frame(conn: Connection, table: Table, frame: pd.DataFrame, columns: Sequence[str],
                 progress: Progress | None = None) -> None:
    """`bulk_insert` of `frame[columns]`, its rows made into tuples a chunk at a time (a
    million rows never exist as a million tuples at once); on SQLite `sqlite_insert.insert_frame`
    (constant columns as literals, many rows to a statement)."""
    if conn.dialect.name == "postgresql" and len(frame) > pg_bulk.MIN_ROWS:
        return pg_bulk.insert_frame(conn, table, frame, columns, progress, plain_column)
    total = len(frame)
    if conn.dialect.name == "sqlite":
        columns = [c for c in columns if not _null_by_default(table, frame[c])]
        _check_frame(conn, table, frame, columns)
        return sqlite_insert.insert_frame(conn, table, frame, columns, CHUNK, plain_column, progress)
    _check_frame(conn, table, frame, columns)
    for i in range(0, total, CHUNK):
        bulk_insert(conn, table, columns, frame_rows(frame.iloc[i : i + CHUNK], columns),
                    (lambda _d, _n, done=min(i + CHUNK, total): progress(done, total)) if progress else None,
                    checked=True)


def _check_frame(conn: Connection, table: Table, frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """`check_parents` of a frame's columns, on their distinct values."""
    if conn.info.get(PARENTS_CHECKED_HERE):
        check_parents(conn, table, {fk.parent.name: pd.unique(frame[fk.parent.name]).tolist()
                                    for fk in table.foreign_keys if fk.parent.name in columns})


def _null_by_default(table: Table, values: pd.Series) -> bool:
    """Whether a column can be left out of an insert: every value is missing and the column,
    nullable without a database default, stores NULL for it anyway (SQLite: a million rows
    with three all-empty columns insert about a fifth faster without them)."""
    col = table.c.get(values.name)
    if col is None or not col.nullable or col.server_default is not None or col.primary_key:
        return False
    return len(values) > 0 and bool(values.isna().all())


def update_frame(conn: Connection, table: Table, frame: pd.DataFrame, columns: Sequence[str],
                 progress: Progress | None = None) -> None:
    """`bulk_update` of `frame[columns]` by `frame["id"]`, a chunk at a time."""
    total = len(frame)
    _check_frame(conn, table, frame, columns)
    for i in range(0, total, CHUNK):
        bulk_update(conn, table, columns, frame_rows(frame.iloc[i : i + CHUNK], [*columns, "id"]),
                    (lambda _d, _n, done=min(i + CHUNK, total): progress(done, total)) if progress else None,
                    checked=True)


def bulk_update(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple],
                progress: Progress | None = None, *, checked: bool = False) -> None:
    """rows: tuples of the new column values followed by the row id; `checked` as in `bulk_insert`."""
    if not rows:
        return
    if not checked:
        _check_rows(conn, table, columns, rows)
    if conn.dialect.name == "postgresql" and len(rows) > pg_bulk.MIN_ROWS and pg_bulk.update_rows(conn, table, columns, rows, progress):
        return
    ph = _placeholder(conn)
    sets = ", ".join(f'"{c}" = {ph}' for c in columns)
    sql = f'UPDATE "{table.name}" SET {sets} WHERE id = {ph}'
    for i in range(0, len(rows), CHUNK):
        conn.exec_driver_sql(sql, rows[i : i + CHUNK])
        if progress:
            progress(min(i + CHUNK, len(rows)), len(rows))


def bulk_delete(conn: Connection, table: Table, ids: Iterable[int], column: str = "id") -> None:
    ids = [int(i) for i in ids]
    if not ids:
        return
    if conn.info.get(PARENTS_CHECKED_HERE):  # a delete could orphan rows: foreign keys must be on
        raise RuntimeError(f"a delete from {table.name} in a transaction whose foreign keys are off")
    ph = _placeholder(conn)
    sql = f'DELETE FROM "{table.name}" WHERE "{column}" = {ph}'
    for i in range(0, len(ids), CHUNK):
        conn.exec_driver_sql(sql, [(x,) for x in ids[i : i + CHUNK]])


def replace_link_sets(conn: Connection, table: Table, owner: str, column: str, sets: dict) -> None:
    """Replace the link rows of each owner (an activity's partners, its key factors) with the
    given set: {owner id: values}; an empty set removes them all."""
    if not sets:
        return
    bulk_delete(conn, table, sets, owner)
    rows = [(int(o), plain(v)) for o, values in sets.items() for v in sorted(values)]
    bulk_insert(conn, table, [owner, column], rows)


def record_versions(conn: Connection, batch_id: int, table_name: str, prior: pd.DataFrame, columns: Sequence[str]) -> None:
    """Keep the prior state (`columns` plus batch_id) of rows a batch is about to update."""
    if prior.empty:
        return
    rows = []
    for rec in frame_rows(prior, ["id", "batch_id", *columns]):
        row_id, prior_batch, *values = rec
        payload = {c: _jsonable(v) for c, v in zip(columns, values)}
        rows.append((batch_id, table_name, int(row_id), plain(prior_batch), json.dumps(payload, sort_keys=True)))
    bulk_insert(conn, RowVersion.__table__, ["batch_id", "table_name", "row_id", "prior_batch_id", "prior"], rows)


def _jsonable(value):
    value = plain(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def read_frame(conn: Connection, stmt) -> pd.DataFrame:
    """Run a select and return its rows as a DataFrame with the statement's column names."""
    result = conn.execute(stmt)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


# Column types a driver returns as SQLAlchemy would (dates aside: see `read_stored`).
_RAW_TYPES = (Integer, Float, String, Date)


def _raw_type(kind) -> bool:
    if isinstance(kind, AutoString):  # a String that converts nothing
        kind = kind.impl_instance
    return isinstance(kind, _RAW_TYPES) and not isinstance(kind, Boolean)


def read_stored(conn: Connection, stmt) -> pd.DataFrame:
    """`read_frame` for the import engine's stored rows on SQLite, when every selected column
    is a number, text or a date (dates as ISO text): a column at a time in one aggregate query
    (models.sqlite_columns), else straight from the driver's cursor (no SQLAlchemy row objects); other types (a
    boolean SQLite keeps as 0/1) take `read_frame`. On PostgreSQL, a COPY out (models.pg_bulk),
    dates as ISO text too."""
    if conn.dialect.name == "postgresql":
        return pg_bulk.read_stored(conn, stmt, read_frame)
    selected = list(getattr(stmt, "selected_columns", []))
    if not selected or not all(_raw_type(c.type) for c in selected):
        return read_frame(conn, stmt)
    columnar = sqlite_columns.read_columns(conn, stmt, selected, [_kind(c.type) for c in selected])
    if columnar is not None:  # a column at a time, no Python object per row
        return columnar
    order = list(selected)
    empty = _empty_columns(conn, stmt, selected)
    if empty:  # read without them: a million NULLs fetched cost as much as values
        stmt = stmt.with_only_columns(*[c for c in selected if c.name not in empty])
        selected = [c for c in selected if c.name not in empty]
    result = conn.execute(stmt)
    columns = list(result.keys())
    kinds = [_kind(c.type) for c in selected]
    chunks: dict[str, list] = {name: [] for name in columns}
    while rows := result.cursor.fetchmany(CHUNK):  # a chunk of tuples at a time: memory stays bounded
        for name, kind, values in zip(columns, kinds, zip(*rows)):
            chunks[name].append(_column(values, kind))
        del rows
    result.close()
    if not chunks[columns[0]]:
        return pd.DataFrame([], columns=_names(order))
    data = {}
    for name in columns:  # a column at a time: its chunks go as it is joined
        parts = chunks.pop(name)
        values = parts[0] if len(parts) == 1 else np.concatenate(parts)
        del parts
        data[name] = pd.Series(values, dtype=object, copy=False) if values.dtype == object else values
    n = len(next(iter(data.values())))
    for name in empty:
        data[name] = pd.Series(np.full(n, None, dtype=object), dtype=object, copy=False)
    return pd.DataFrame(data, columns=_names(order))


def _names(columns) -> list[str]:
    return [c.name for c in columns]


def _empty_columns(conn: Connection, stmt, selected) -> list[str]:
    """The optional (nullable, not key) columns the selected rows never fill, counted in one
    pass in the database."""
    optional = [c for c in selected if getattr(c, "nullable", False) and not getattr(c, "primary_key", False)
                and not getattr(c, "foreign_keys", None) and _kind(c.type) in ("object", "float")]
    if not optional or len(optional) == len(selected):
        return []
    counts = conn.execute(stmt.with_only_columns(*[func.count(c) for c in optional]).order_by(None)).one()
    return [c.name for c, n in zip(optional, counts) if not n]


def _kind(kind) -> str:
    if isinstance(kind, AutoString):
        kind = kind.impl_instance
    if isinstance(kind, Date):
        return "date"
    return "int" if isinstance(kind, Integer) else "float" if isinstance(kind, Float) else "object"


def _column(values: tuple, kind: str) -> np.ndarray:
    """One column of fetched values as an array, by the column's type: int64 (float64 with
    NaN when there are NULLs), float64 (NaN for NULL), text and dates as Python objects (None
    for NULL; a date's text shared by the rows giving it, not one string per row); a value of
    another type (SQLite keeps what it is given) takes pandas' inference."""
    if kind not in ("object", "date"):
        try:
            return np.array(values, dtype="int64" if kind == "int" else "float64")
        except (TypeError, ValueError, OverflowError):
            if kind == "int" and all(v is None or isinstance(v, int) for v in values):
                return np.array(values, dtype="float64")
            return pd.Series(list(values), dtype=object).infer_objects().to_numpy()
    out = np.empty(len(values), dtype=object)
    out[:] = values
    if kind == "date":
        codes, uniques = pd.factorize(out)
        shared = np.empty(len(uniques) + 1, dtype=object)  # the last: NULL (code -1)
        shared[:-1] = uniques
        out = shared[codes]
    return out


def iso_dates(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Date columns as ISO strings (how the import engine compares and writes dates);
    vectorised: a column of dates becomes text in one pass, text stays as it is."""
    for c in columns:
        if c not in frame or frame[c].dtype != object or frame[c].empty:
            continue
        kind = pd.api.types.infer_dtype(frame[c], skipna=True)
        if kind == "date":  # str(date) is its ISO form
            col = frame[c]
            frame[c] = col.astype(str).where(col.notna(), None)
        elif kind not in ("string", "empty", "integer", "floating", "boolean", "decimal", "mixed-integer-float"):
            frame[c] = frame[c].map(lambda d: d.isoformat() if hasattr(d, "isoformat") else d)
    return frame


__all__ = ["foreign_keys_set_based", "check_parents", "bulk_insert", "bulk_update", "insert_frame", "update_frame", "bulk_delete", "replace_link_sets", "record_versions", "read_frame", "read_stored", "frame_rows", "iso_dates"]

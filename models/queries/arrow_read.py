"""The values table of a SQLite database read through Arrow (the ADBC SQLite driver) for
`snapshot.load_snapshot`: the rows come as typed columns, and every conversion is done on
arrays (no Python object per cell), several times faster than the sqlite3 driver's tuples.

Why a copy. The ADBC driver carries its own SQLite library, apart from the one Python's sqlite3
module (the engine's driver) uses. Two SQLite libraries opening the same database file in one
process is a corruption hazard SQLite documents (https://www.sqlite.org/howtocorrupt.html,
"Multiple copies of SQLite linked into the same application"): POSIX locks belong to the
process, so neither library sees the other's locks, and closing one's file descriptor drops the
other's locks. Seen here: opening the engine's WAL database through ADBC while the engine held
it reinitialised its shared-memory index (ftruncate of the -shm file), and an upload committing
in another thread would not have been kept out. So ADBC never opens the engine's file: the
engine's own connection copies the database (SQLite's backup API, in C, about 0.1 s of CPU for
1M values) into a private temporary file, which ADBC reads without locks (immutable).

Why consistent. The copy is made by the connection `load_snapshot` reads everything else with,
inside its open read transaction (the backup API uses a transaction already open on its source),
so it holds exactly the data that transaction sees: the values agree with the indicators,
partners and pending rows read beside them, whatever is committed meanwhile. As a check of that
reasoning the copy's `data_version` must equal the transaction's; were it ever different, a
second copy would come from the same transaction again, so there is nothing to retry: the
caller reads through its own connection instead. It does the same whenever Arrow cannot be used
(not SQLite, the driver not installed, a column of an unexpected type, an id without its code).
"""
from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import time
from datetime import date
from urllib.parse import quote

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from models.db import data_version, data_version_select
from models.tables import Value

log = logging.getLogger(__name__)

# ADBC's SQLite driver infers each column's type from its first batch of rows (1024 by default):
# a column NULL in those rows and REAL further down fails. One batch of up to this many rows.
BATCH_ROWS = 1 << 30
# Below this many values (by the highest id) the copy costs more than it saves: the driver reads them.
MIN_ROWS = 20_000
# A folder in memory for the copy, where there is one (Linux)
SHARED_MEMORY = "/dev/shm"
# How long the copy may take before the driver path reads instead (a copy runs at about 1 GB/s)
COPY_GIVE_UP_S = 30.0
# Ids are turned into codes through a table indexed by id, so long as the ids stay below this.
MAX_LOOKUP_ID = 1 << 26


class Unexpected(Exception):
    """The copy holds something the array conversions do not handle as the driver path does."""


def read_values(conn: Connection, indicator_codes: dict, partner_codes: dict) -> dict[str, np.ndarray] | None:
    """Every stored value as one array per column, as `snapshot._read_values` makes them
    (indicator and partner codes, dates as datetime.date, breakdown cells "" when empty, text
    cells None, target and actual float64 with NaN), rows in id order; None when this path
    cannot be used (then read through `conn`, as before) or when there are few values or none."""
    if conn.dialect.name != "sqlite":
        return None
    try:
        from adbc_driver_sqlite import dbapi as adbc
    except ImportError:
        return None
    version = data_version(conn)  # opens the read transaction the copy is made in, if not yet open
    if (conn.execute(select(func.max(Value.id))).scalar() or 0) < MIN_ROWS:
        return None
    try:
        with tempfile.TemporaryDirectory(prefix="resultsboard-read-", dir=_memory_folder(conn)) as folder:
            path = os.path.join(folder, "copy.db")
            copy_database(conn, path)
            with adbc.connect(f"file:{quote(path)}?mode=ro&immutable=1") as db:
                copied = tuple(int(x) for x in _query(db, sql_text(conn, data_version_select())).to_pylist()[0].values())
                if copied != version:
                    raise Unexpected(f"the copy is at version {copied}, the transaction at {version}")
                return _columns(conn, db, indicator_codes, partner_codes)
    except Exception as exc:  # the driver path gives the same frame, or the error it always gave
        log.warning("values read through the sqlite3 driver, not Arrow: %s", exc)
        return None


def main_select():
    """The values' columns filled in every row, in id order (both reads)."""
    c = Value.__table__.c
    return select(c.id, c.indicator_id, c.partner_id, c.period_start, c.period_end, c.target, c.actual).order_by(c.id)


def sparse_groups() -> tuple:
    """The values' columns empty in most rows, read apart for the rows that have them: (their
    names, which rows have them, what the others hold)."""
    c = Value.__table__.c
    return (
        (("dimension", "dimension_value"), (c.dimension != "") | (c.dimension_value != ""), ""),
        (("target_text", "actual_text", "comment"),
         c.target_text.isnot(None) | c.actual_text.isnot(None) | c.comment.isnot(None), None),
    )


def copy_database(conn: Connection, path: str, give_up_s: float = COPY_GIVE_UP_S) -> None:
    """The database as `conn`'s open transaction sees it, copied into a new file at `path`.
    SQLite refuses to copy from a connection holding a write transaction (busy), and Python's
    backup would retry that forever: past `give_up_s` it raises TimeoutError instead."""
    deadline = time.monotonic() + give_up_s

    def give_up_when_late(status, remaining, total) -> None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the database was not copied in {give_up_s:g} s")

    target = sqlite3.connect(path)
    try:
        target.execute("PRAGMA journal_mode=OFF")
        conn.connection.dbapi_connection.backup(target, pages=-1, progress=give_up_when_late)
        target.execute("PRAGMA journal_mode=DELETE")  # a plain file (the source's may be in WAL mode)
    finally:
        target.close()


def _memory_folder(conn: Connection) -> str | None:
    """/dev/shm when it has room for the copy (twice its size): a file in memory is written
    and removed without disk I/O (at 1M values 0.7 s on the wall clock against 1.0-1.2 s in
    /tmp, on a busy machine); else None, the system's temporary folder."""
    try:
        stat = os.statvfs(SHARED_MEMORY)
    except OSError:
        return None
    size = conn.exec_driver_sql("PRAGMA page_count").scalar() * conn.exec_driver_sql("PRAGMA page_size").scalar()
    free = stat.f_bavail * stat.f_frsize
    return SHARED_MEMORY if free > 2 * size and os.access(SHARED_MEMORY, os.W_OK) else None


def _columns(conn: Connection, db, indicator_codes: dict, partner_codes: dict) -> dict[str, np.ndarray] | None:
    c = Value.__table__.c
    main = _query(db, sql_text(conn, main_select()))
    n = main.num_rows
    if not n:
        return None
    ids = _ints(main["id"])
    out = {
        "indicator": _labels(*_codes(main["indicator_id"], indicator_codes)),
        "partner": _labels(*_codes(main["partner_id"], partner_codes)),
        "period_start": _dates(main["period_start"]),
        "period_end": _dates(main["period_end"]),
        "target": _floats(main["target"]),
        "actual": _floats(main["actual"]),
    }
    for names, where, empty in sparse_groups():
        sparse = _query(db, sql_text(conn, select(c.id, *[c[name] for name in names]).where(where).order_by(c.id)))
        at = np.searchsorted(ids, _ints(sparse["id"])) if sparse.num_rows else None
        for name in names:
            if empty == "":  # a breakdown: "" or its text in every row, as the codes above
                found = np.zeros(n, dtype=np.intp)
                if at is not None:
                    found[at] = np.arange(1, len(at) + 1)
                out[name] = _labels([""] + list(_texts(sparse[name])), found)
                continue
            column = np.full(n, empty, dtype=object)
            if at is not None:
                column[at] = _texts(sparse[name])
            out[name] = column
    return out


def sql_text(conn: Connection, stmt) -> str:
    """A statement as SQL text with its values inline (for a driver cursor or ADBC)."""
    return str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))


def _query(db, sql: str):
    """A query's rows as an Arrow table, each column's type inferred from all its rows."""
    cursor = db.cursor()
    try:
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
        cursor.execute(sql)
        return cursor.fetch_arrow_table()
    finally:
        cursor.close()


def _ints(column) -> np.ndarray:
    import pyarrow as pa

    if column.type != pa.int64() or column.null_count:
        raise Unexpected(f"integer column of type {column.type} with {column.null_count} nulls")
    return column.to_numpy()


def _codes(column, codes: dict) -> tuple[list, np.ndarray]:
    """Ids -> (the codes, each row's position among them), through a table indexed by id."""
    ids = _ints(column)
    keys = np.fromiter((int(k) for k in codes), dtype=np.int64, count=len(codes))
    top = int(ids.max())
    if ids.min() < 0 or top >= MAX_LOOKUP_ID:
        raise Unexpected(f"ids from {ids.min()} to {top}")
    position = np.full(top + 1, -1, dtype=np.intp)
    held = (keys >= 0) & (keys <= top)
    position[keys[held]] = np.flatnonzero(held)
    found = position[ids]
    if (found < 0).any():
        raise Unexpected("an id without its code")
    return list(codes.values()), found


def _labels(texts: list, found: np.ndarray):
    """texts[found] as pandas makes a column of such str objects: its `str` dtype (an Arrow
    string array, taken in C) when pandas infers it, else an object array."""
    import pyarrow as pa

    if any(not isinstance(t, str) for t in texts):
        raise Unexpected("a code or breakdown that is not text")
    inferred = pd.DataFrame({"code": np.array(["x"], dtype=object)}).dtypes["code"]  # `str`, or object before pandas 3
    if not isinstance(inferred, pd.StringDtype):
        return np.array(texts, dtype=object)[found]
    return pd.array(pa.array(texts, type=pa.string()).take(found), dtype=inferred)


def _dates(column) -> np.ndarray:
    """ISO text -> datetime.date objects (None stays None), each distinct text converted once,
    by the rule of `snapshot._dates` (the first ten characters)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.type != pa.string():
        raise Unexpected(f"date column of type {column.type}")
    encoded = pc.dictionary_encode(column.combine_chunks())
    texts = encoded.dictionary.to_pylist()
    converted = np.array([date.fromisoformat(t[:10]) for t in texts] + [None], dtype=object)
    return converted[encoded.indices.fill_null(len(texts)).to_numpy()]


def _floats(column) -> np.ndarray:
    """REAL cells -> float64, NULL -> NaN. A column NULL in every row comes typed as integers."""
    import pyarrow as pa

    if column.null_count == len(column):
        return np.full(len(column), np.nan)
    if column.type != pa.float64():
        raise Unexpected(f"number column of type {column.type}")
    return column.to_numpy().astype(np.float64, copy=False)


def _texts(column) -> np.ndarray:
    """Text cells -> an object array of str (NULL -> None)."""
    import pyarrow as pa

    if column.null_count == len(column):
        return np.full(len(column), None, dtype=object)
    if column.type != pa.string():
        raise Unexpected(f"text column of type {column.type}")
    return column.to_numpy(zero_copy_only=False)

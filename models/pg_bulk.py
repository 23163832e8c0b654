"""PostgreSQL bulk paths of `models.writes`: COPY built a chunk at a time, updates through a
temporary table, stored rows read with COPY ... TO STDOUT.

Inserts: one COPY per insert; each chunk of rows becomes one COPY text buffer, built column
by column (no per-row driver call) while a writer thread sends the previous one. Foreign
keys: a per-row RI trigger costs more than the rest of the insert together, so when the
connection may set `session_replication_role` (a superuser, or PostgreSQL 15+ with `GRANT
SET ON PARAMETER session_replication_role`) and the table has no trigger or rule but its
(single-column, immediate) foreign keys, the triggers are off for the COPY alone and the
foreign keys are checked right after it, once per referenced value, set-based, the way the
RI trigger does it: the referenced rows are locked FOR KEY SHARE until the transaction ends, and a
missing one raises foreign_key_violation in the server (the transaction is aborted, as with
the trigger). Otherwise the triggers run as usual. NOT NULL, CHECK and unique constraints
are never touched.

Updates: the new values are copied into a temporary table and applied by one
UPDATE ... FROM (the same trigger handling). Reads: COPY (SELECT ...) TO STDOUT parsed by
pandas' C reader, dates as ISO text.
"""
from __future__ import annotations

import io
import re
from typing import Callable, Sequence

import pandas as pd
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Connection, Date, Float, Integer, String, Table, func

NULL = "\\N"
CHUNK = 50_000
MIN_ROWS = 1000  # below this, plain INSERT/UPDATE statements are as fast
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = ("\\", "\t", "\n", "\r")

Progress = Callable[[int, int], None]


# --- COPY text, built column-wise -------------------------------------------------------------


class _NotCopyable(Exception):
    """A value the text builder does not format (the chunk goes through psycopg's write_row)."""


def _cell_texts(values) -> list[str]:
    """One column's values (plain Python: None or NaN for NULL) as COPY text cells."""
    values = values if isinstance(values, list) else list(values)
    kinds = set(map(type, values))
    none = type(None)
    if kinds <= {int, none}:
        return [NULL if v is None else repr(v) for v in values] if none in kinds else list(map(repr, values))
    if kinds <= {float, int, none}:  # repr: the shortest text that reads back as the same float
        return [NULL if v is None or v != v else repr(v) for v in values]
    if not kinds <= {str, none}:
        for k in kinds:
            if k not in (str, int, float, bool, none) and not hasattr(k, "isoformat"):
                raise _NotCopyable(k)
        values = [v if v is None or type(v) is str else _scalar_text(v) for v in values]
        kinds = {str, none}
    joined = "".join([v for v in values if v is not None]) if none in kinds else "".join(values)
    if "\x00" in joined:
        raise _NotCopyable("NUL")  # PostgreSQL text never holds NUL: the driver reports it
    if any(c in joined for c in _SPECIAL):
        values = [None if v is None else v.translate(_ESCAPE) for v in values]
    return [NULL if v is None else v for v in values] if none in kinds else values


def _scalar_text(v) -> str | None:
    if type(v) is bool:
        return "t" if v else "f"
    if type(v) is float:
        return None if v != v else repr(v)
    if type(v) is int:
        return repr(v)
    if hasattr(v, "hour"):  # a datetime
        return v.isoformat(" ")
    return v.isoformat()


def copy_text(columns: Sequence[Sequence]) -> bytes:
    """Rows given as columns (lists of plain values) as a COPY text-format buffer."""
    cells = [_cell_texts(c) for c in columns]
    if not cells or not cells[0]:
        return b""
    return ("\n".join(map("\t".join, zip(*cells))) + "\n").encode()


# --- foreign keys without per-row triggers -----------------------------------------------------


def _may_skip_triggers(conn: Connection) -> bool:
    """Whether this connection may set session_replication_role (cached per DB connection)."""
    cached = conn.info.get("rb_replica_role")
    if cached is None:
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            cur.execute("SELECT current_setting('is_superuser') = 'on', current_setting('server_version_num')::int")
            superuser, version = cur.fetchone()
            cached = bool(superuser)
            if not cached and version >= 150000:
                cur.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
                cached = bool(cur.fetchone()[0])
        conn.info["rb_replica_role"] = cached
    return cached


def _foreign_keys(conn: Connection, table: str, updated: Sequence[str] = ()) -> list[tuple[str, str, str]] | None:
    """(column, referenced table, referenced column) of each foreign key of `table`, when
    foreign keys are all its triggers do (single-column, MATCH SIMPLE, no user trigger, no
    rule, none of the `updated` columns referenced by another table); None otherwise (then
    the triggers must run)."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(
            "SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal)"
            " + (SELECT count(*) FROM pg_rewrite WHERE ev_class = c.oid)"
            " + (SELECT count(*) FROM pg_constraint f JOIN pg_attribute a ON a.attrelid = f.confrelid"
            "    AND a.attnum = ANY(f.confkey) WHERE f.confrelid = c.oid AND f.contype = 'f' AND a.attname = ANY(%s))"
            " FROM pg_class c WHERE c.oid = to_regclass(%s)", (list(updated), f'"{table}"'))
        row = cur.fetchone()
        if row is None or row[0]:
            return None
        cur.execute(
            "SELECT array_length(con.conkey, 1), con.confmatchtype, con.condeferrable, a.attname, quote_ident(rn.nspname) || '.' ||"
            " quote_ident(r.relname), ra.attname FROM pg_constraint con"
            " JOIN pg_class r ON r.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]"
            " JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[1]"
            " WHERE con.conrelid = to_regclass(%s) AND con.contype = 'f'", (f'"{table}"',))
        fks = cur.fetchall()
    if any(n != 1 or match != "s" or deferrable for n, match, deferrable, *_ in fks):
        return None
    return [(col, ref, ref_col) for _n, _m, _d, col, ref, ref_col in fks]


def _check_references(conn: Connection, table: str, fks, wanted: dict[str, set]) -> None:
    """What the RI trigger does for each written row, once per referenced value: lock the
    referenced row FOR KEY SHARE; a missing one raises foreign_key_violation in the server."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        for col, ref, ref_col in fks:
            values = wanted.get(col)
            if not values:
                continue
            cur.execute(f'SELECT "{ref_col}" FROM ONLY {ref} WHERE "{ref_col}" = ANY(%s) FOR KEY SHARE',
                        (sorted(values),))
            missing = sorted(values - {r[0] for r in cur.fetchall()}, key=str)
            if missing:
                detail = f'Key ({col})=({missing[0]}) is not present in table "{ref.split(".")[-1]}".'
                message = f'insert or update on table "{table}" violates foreign key constraint on ({col})'
                cur.execute("SELECT set_config('resultsboard.fk_message', %s, true),"
                            " set_config('resultsboard.fk_detail', %s, true)", (message, detail))
                cur.execute("DO $$ BEGIN RAISE foreign_key_violation USING MESSAGE ="
                            " current_setting('resultsboard.fk_message'), DETAIL = current_setting('resultsboard.fk_detail');"
                            " END $$")


class _Triggers:
    """Per-row triggers off for the statements run inside it (when allowed and safe), the
    foreign keys of the rows given to `collect` checked set-based by `check`; otherwise
    nothing changes."""

    def __init__(self, conn: Connection, table: str | None, updated: Sequence[str] = ()):
        self.conn, self.table = conn, table
        self.fks = _foreign_keys(conn, table, updated) if table and _may_skip_triggers(conn) else None
        self.wanted: dict[str, set] = {}

    def __enter__(self):
        if self.fks is not None:
            with self.conn.connection.driver_connection.cursor() as cur:
                cur.execute("SELECT current_setting('session_replication_role')")
                self.before = cur.fetchone()[0]
                cur.execute("SELECT set_config('session_replication_role', 'replica', true)")
        return self

    def __exit__(self, kind, *_):
        # after an error the transaction is aborted: its rollback restores the setting
        if self.fks is not None and kind is None:
            with self.conn.connection.driver_connection.cursor() as cur:
                cur.execute("SELECT set_config('session_replication_role', %s, true)", (self.before,))

    def collect(self, columns: Sequence[str], data: Sequence[Sequence]) -> None:
        """Note the referenced values of rows written (given as columns)."""
        for col, _ref, _ref_col in self.fks or ():
            if col in columns:
                self.wanted.setdefault(col, set()).update(data[list(columns).index(col)])

    def check(self) -> None:
        if self.fks:
            for values in self.wanted.values():
                values.discard(None)
            _check_references(self.conn, self.table, self.fks, self.wanted)
        self.wanted = {}


# --- inserts and updates -----------------------------------------------------------------------


def _write(copy, data: Sequence[Sequence]) -> None:
    """One chunk (columns of plain values) into an open COPY ... FROM STDIN."""
    try:
        copy.write(copy_text(data))
    except _NotCopyable:
        for row in zip(*data):
            copy.write_row(row)


def _copy_in(cur, sql: str, chunks, triggers: _Triggers, columns: Sequence[str], total: int,
             progress: Progress | None) -> None:
    """One COPY of every chunk: a writer thread sends a chunk while the next one is built."""
    done = 0
    with triggers, cur.copy(sql, writer=QueuedLibpqWriter(cur)) as copy:
        for data in chunks:
            if not data or not len(data[0]):
                continue
            _write(copy, data)
            triggers.collect(columns, data)
            done += len(data[0])
            if progress:
                progress(done, total)
    triggers.check()


def copy_columns(conn: Connection, table: Table, columns: Sequence[str], chunks, total: int,
                 progress: Progress | None = None) -> None:
    """COPY rows into `table`: `chunks` yields the rows a chunk at a time, as columns (one
    list of plain values per column)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    with conn.connection.driver_connection.cursor() as cur:
        _copy_in(cur, f'COPY "{table.name}" ({cols}) FROM STDIN', chunks, _Triggers(conn, table.name), columns,
                 total, progress)


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple],
                progress: Progress | None = None) -> None:
    """`writes.bulk_insert` on PostgreSQL: COPY, a chunk at a time."""
    chunks = (list(zip(*rows[i : i + CHUNK])) for i in range(0, len(rows), CHUNK))
    copy_columns(conn, table, columns, chunks, len(rows), progress)


def insert_frame(conn: Connection, table: Table, frame: pd.DataFrame, columns: Sequence[str],
                 progress: Progress | None, plain_column: Callable[[pd.Series], list]) -> None:
    """`writes.insert_frame` on PostgreSQL: COPY of `frame[columns]`, a chunk at a time, each
    column's values made plain by `plain_column` (writes' own: no import back into writes)."""
    total = len(frame)
    chunks = ([plain_column(frame[c].iloc[i : i + CHUNK]) for c in columns] for i in range(0, total, CHUNK))
    copy_columns(conn, table, columns, chunks, total, progress)


def update_rows(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple],
                progress: Progress | None = None) -> bool:
    """`writes.bulk_update` on PostgreSQL: rows (new values then id) copied into a temporary
    table, then one UPDATE ... FROM. False (nothing done) when an id repeats: the caller's
    statements then apply them in order."""
    ids = [r[-1] for r in rows]
    if len(set(ids)) != len(ids):
        return False
    tmp = "pg_temp.rb_bulk_update"
    names = [*columns, "id"]
    quoted = ", ".join(f'"{c}"' for c in names)
    sets = ", ".join(f'"{c}" = s."{c}"' for c in columns)
    triggers = _Triggers(conn, table.name, columns)
    chunks = (list(zip(*rows[i : i + CHUNK])) for i in range(0, len(rows), CHUNK))
    with conn.connection.driver_connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {tmp}")
        cur.execute(f'CREATE TEMP TABLE rb_bulk_update ON COMMIT DROP AS SELECT {quoted} FROM "{table.name}" WITH NO DATA')
        _copy_in(cur, f"COPY {tmp} ({quoted}) FROM STDIN", chunks, _Triggers(conn, None), names, len(rows), progress)
        cur.execute(f"ANALYZE {tmp}")
        with triggers:
            cur.execute(f'UPDATE "{table.name}" AS t SET {sets} FROM {tmp} AS s WHERE t.id = s.id')
        triggers.collect(names, list(zip(*rows)))
        triggers.check()
        cur.execute(f"DROP TABLE {tmp}")
    return True


# --- reads ------------------------------------------------------------------------------------

_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), text)


def dates_as_text(stmt):
    """`stmt` with each date column selected as its ISO text (what the import engine compares)."""
    selected = list(stmt.selected_columns)
    if not any(isinstance(c.type, Date) for c in selected):
        return stmt
    return stmt.with_only_columns(
        *[func.to_char(c, "YYYY-MM-DD").label(c.name) if isinstance(c.type, Date) else c for c in selected],
        maintain_column_froms=True)


class _CopyStream(io.RawIOBase):
    """The rows of a COPY ... TO STDOUT as a binary file, read as the reader asks (the whole
    text never sits in memory at once)."""

    def __init__(self, copy):
        self.copy, self.pending, self.done = copy, bytearray(), False

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self.done and len(self.pending) < len(target):
            block = self.copy.read()
            if not block:
                self.done = True
            self.pending += block
        n = min(len(target), len(self.pending))
        target[:n] = self.pending[:n]
        del self.pending[:n]
        return n


def read_copy(conn: Connection, stmt, kinds: dict[str, str]) -> pd.DataFrame:
    """The rows of a select (columns of number, text or date types; `kinds` name -> "int",
    "float" or "text") through COPY (...) TO STDOUT, parsed by pandas' C reader as they
    arrive: the frame `read_frame` would give, dates as ISO text."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    names = list(kinds)
    with conn.connection.driver_connection.cursor() as cur:
        with cur.copy(f"COPY ({compiled.string}) TO STDOUT", compiled.params or None) as copy:
            try:
                frame = pd.read_csv(
                    io.BufferedReader(_CopyStream(copy), 1 << 20), sep="\t", header=None, names=names, quoting=3,
                    na_values=[NULL], keep_default_na=False, lineterminator="\n", skip_blank_lines=False, engine="c",
                    dtype={n: (str if k == "text" else "float64") for n, k in kinds.items() if k != "int"},
                )
            except pd.errors.EmptyDataError:
                return pd.DataFrame([], columns=names)
    for n, k in kinds.items():
        if k == "text":
            col = frame[n]
            if col.isna().all():  # as the driver's rows give it: a column of None
                frame[n] = pd.Series([None] * len(col), index=frame.index, dtype=object)
                continue
            if col.str.contains("\\", regex=False).any():
                frame[n] = col.map(lambda v: _unescape(v) if isinstance(v, str) and "\\" in v else v)
    return frame


def column_kinds(selected) -> dict[str, str] | None:
    """name -> "int" / "float" / "text" for COPY reading, or None when a column is of another type."""
    out = {}
    for c in selected:
        kind = c.type
        impl = getattr(kind, "impl_instance", None)
        if impl is not None:
            kind = impl
        if isinstance(kind, Integer):
            out[c.name] = "int"
        elif isinstance(kind, Float):
            out[c.name] = "float"
        elif isinstance(kind, (String, Date)):
            out[c.name] = "text"
        else:
            return None
    return out


__all__ = ["copy_text", "insert_rows", "insert_frame", "update_rows", "read_copy", "dates_as_text", "column_kinds"]


def read_stored(conn: Connection, stmt, read_frame) -> pd.DataFrame:
    """`writes.read_stored` on PostgreSQL: COPY when every column is a number, text or a date
    (dates as ISO text), else `read_frame` (dates then come as dates)."""
    selected = list(getattr(stmt, "selected_columns", []))
    kinds = column_kinds(selected) if len(selected) > 1 else None
    if kinds is None or len(kinds) != len(selected):
        return read_frame(conn, stmt)
    return read_copy(conn, dates_as_text(stmt), kinds)

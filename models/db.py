"""Engines, connections and `init` (migrate to head, then reference data).

SQLite (the embedded default): WAL, foreign keys on, a long busy timeout, and write
transactions that take the lock up front (BEGIN IMMEDIATE) so two imports started at the
same moment queue instead of failing with "database is locked".
"""
from __future__ import annotations

import ast
import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select
from sqlalchemy.engine import make_url

from models import reference
from models.config import database_url
from models.tables import KeyFactor, Partner, PROGRAMME_PARTNER_CODE, Region

SQLITE_BUSY_TIMEOUT_S = 600  # a large import holds the write lock for seconds; wait, never fail
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str | None = None) -> Engine:
    """A new engine for `url` (default: DATABASE_URL or the embedded SQLite file)."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


@lru_cache(maxsize=8)
def engine_for(url: str | None = None) -> Engine:
    """One engine per URL per process (the command line; the dashboard caches its own)."""
    return make_engine(url)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that takes the write lock up front; commits on success."""
    with engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            yield conn


def describe(engine: Engine) -> str:
    """What `init` and `serve` print: the database they use."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite database: {Path(url.database).resolve() if url.database else ':memory:'}"
    return f"Database: {url.render_as_string(hide_password=True)}"


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The revisions `alembic upgrade head` leads to: those no migration names as its
    `down_revision`, read from the migration files' own lines. Asking Alembic (importing it
    and every migration) cost each command about 0.6 s; test_migrations checks both agree."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for f in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for line in f.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            name = name.split(":")[0].strip()  # `revision: str = '0007'` as Alembic's newer templates write it
            if name in ("revision", "down_revision") and value.strip():
                found = ast.literal_eval(value.strip())
                found = set(found) if isinstance(found, (tuple, list)) else {found} if found else set()
                (revisions if name == "revision" else downs).update(found)
    return frozenset(revisions - downs)


def current_revisions(conn: Connection) -> frozenset[str]:
    """The revisions the database is at (empty for a fresh database): Alembic's own table,
    read as Alembic reads it."""
    if not inspect(conn).has_table("alembic_version"):
        return frozenset()
    return frozenset(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def _lock_migrations(conn: Connection) -> None:
    """Serialise migrations between processes (SQLite: BEGIN IMMEDIATE already does)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")


def upgrade(engine: Engine) -> None:
    """Migrate the schema to head with Alembic (batch mode on SQLite), holding the write lock."""
    with write_transaction(engine) as conn:
        _lock_migrations(conn)
        _upgrade(conn)


def _upgrade(conn: Connection) -> None:
    from alembic import command

    if current_revisions(conn) == head_revisions():
        return
    cfg = _alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


def ensure_reference_data(conn: Connection) -> int:
    """Insert missing regions, key factors and the programme-level partner; returns rows added."""
    added = 0
    have = set(conn.scalars(select(Region.code)))
    rows = [{"code": c, "name": n} for c, n in reference.REGIONS.items() if c not in have]
    if rows:
        conn.execute(insert(Region), rows)
        added += len(rows)
    have = set(conn.scalars(select(KeyFactor.number)))
    rows = [{"number": k, "name": n} for k, n in reference.KEY_FACTORS.items() if k not in have]
    if rows:
        conn.execute(insert(KeyFactor), rows)
        added += len(rows)
    if conn.scalar(select(Partner.id).where(Partner.code == PROGRAMME_PARTNER_CODE)) is None:
        conn.execute(
            insert(Partner),
            [{"code": PROGRAMME_PARTNER_CODE, "name": reference.PROGRAMME_PARTNER_NAME, "status": "active"}],
        )
        added += 1
    return added


def reference_data_missing(conn: Connection) -> bool:
    """True when a region, a key factor or the programme-level partner is missing."""
    from sqlalchemy import func

    return (
        conn.scalar(select(func.count()).select_from(Region).where(Region.code.in_(list(reference.REGIONS)))) != len(reference.REGIONS)
        or conn.scalar(select(func.count()).select_from(KeyFactor).where(KeyFactor.number.in_(list(reference.KEY_FACTORS))))
        != len(reference.KEY_FACTORS)
        or conn.scalar(select(Partner.id).where(Partner.code == PROGRAMME_PARTNER_CODE)) is None
    )


def is_ready(engine: Engine) -> bool:
    """Schema at head and reference data present (a read: it never waits for a writer)."""
    with engine.connect() as conn:
        try:
            return current_revisions(conn) == head_revisions() and not reference_data_missing(conn)
        finally:
            conn.rollback()


def init_database(engine: Engine) -> None:
    """Create or upgrade the database, then make sure reference data is present.

    A database that is ready is only read, so commands that merely read (history, the
    dashboard) never queue behind a long import holding the write lock. Otherwise the
    migration and the reference data run in one write transaction that takes the lock up
    front, so two processes initialising a fresh database at once queue instead of failing
    with "database is locked".
    """
    if is_ready(engine):
        return
    with write_transaction(engine) as conn:
        _lock_migrations(conn)
        _upgrade(conn)
        ensure_reference_data(conn)


def data_version_select():
    """The select `data_version` runs (one row: latest batch id, reverted or reviewed batches)."""
    from sqlalchemy import func

    from models.tables import ImportBatch

    return select(
        func.coalesce(func.max(ImportBatch.id), 0),
        func.count(ImportBatch.id).filter(ImportBatch.status.in_(("reverted", "approved", "returned"))),
    )


def data_version(conn_or_engine) -> tuple[int, int]:
    """A cheap version of the data: (latest batch id, number of reverted or reviewed batches —
    returning a partner's upload writes no batch of its own)."""
    stmt = data_version_select()
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            row = conn.execute(stmt).one()
    else:
        row = conn_or_engine.execute(stmt).one()
    return int(row[0]), int(row[1])


def default_user() -> str:
    """The OS login, for imports run without --user."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name (containers)
        return os.environ.get("USER", "unknown")

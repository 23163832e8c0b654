"""`init` = Alembic upgrade to head, then reference data (DESIGN.md, "Domain model"), on
SQLite and PostgreSQL: the migrations build exactly the models' schema, and the regions,
key factors and programme-level partner are there."""
from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, delete, inspect, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from models.db import MIGRATIONS_DIR, init_database, make_engine
from models.tables import KeyFactor, Partner, Region
from conftest import checkout_env, skip_or_fail

REGIONS = {  # DESIGN.md, word for word
    "AME": "Americas and the Caribbean",
    "ESA": "East and Southern Africa",
    "EUR": "Europe",
    "AP": "Asia/Pacific",
    "MENA": "North of Africa, Near and Middle East",
    "WCA": "West and Central Africa",
}
KEY_FACTORS = {
    1: "Leadership and Commitment",
    2: "Regulatory Framework",
    3: "Transparency",
    4: "Automation",
    5: "Reform and Modernization",
    6: "Audit and Investigation",
    7: "Code of Conduct",
    8: "Human Resource Management",
    9: "Morale and Organizational Culture",
    10: "Relationship with the Private Sector",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path, postgres_url):
    """The URL of a database that has never been initialised: a new SQLite file; on
    PostgreSQL a new, empty schema of the worker's database, first on the search path (a
    new schema costs nothing, where CREATE/DROP DATABASE waits for a checkpoint)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if not postgres_url:
        skip_or_fail("PostgreSQL leg: TEST_DATABASE_URL is not set")
    schema = f"fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.mark.parametrize("fresh_url", ["postgresql"], indirect=True)
def test_a_fresh_postgresql_database_is_a_schema_of_its_own(fresh_engine):
    """The fresh PostgreSQL database is an empty schema that the engine sees as its default."""
    with fresh_engine.connect() as conn:
        assert conn.scalar(text("SELECT current_schema()")).startswith("fresh_")


@pytest.fixture
def fresh_engine(fresh_url):
    engine = make_engine(fresh_url)
    yield engine
    engine.dispose()


def head() -> set[str]:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return set(ScriptDirectory.from_config(cfg).get_heads())


def test_there_is_one_head():
    assert len(head()) == 1


def test_init_creates_exactly_the_model_tables(fresh_engine):
    assert inspect(fresh_engine).get_table_names() == []
    init_database(fresh_engine)
    assert set(inspect(fresh_engine).get_table_names()) == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_migrated_schema_matches_the_models(fresh_engine):
    init_database(fresh_engine)
    with fresh_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_alembic_version_is_at_head(fresh_engine):
    init_database(fresh_engine)
    with fresh_engine.connect() as conn:
        assert set(conn.scalars(text("SELECT version_num FROM alembic_version"))) == head()
        assert set(MigrationContext.configure(conn).get_current_heads()) == head()


def _snapshot(engine) -> dict:
    with engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        return {n: sorted(conn.execute(text(f'SELECT * FROM "{n}"')).all(), key=repr) for n in names}


def test_init_twice_is_fine(fresh_engine):
    init_database(fresh_engine)
    first = _snapshot(fresh_engine)
    init_database(fresh_engine)
    assert _snapshot(fresh_engine) == first


def test_init_twice_on_the_shared_fixture(engine):
    before = _snapshot(engine)
    init_database(engine)
    assert _snapshot(engine) == before


def test_regions(engine):
    with engine.connect() as conn:
        assert dict(conn.execute(select(Region.code, Region.name)).all()) == REGIONS


def test_key_factors(engine):
    with engine.connect() as conn:
        assert dict(conn.execute(select(KeyFactor.number, KeyFactor.name).order_by(KeyFactor.number)).all()) == KEY_FACTORS


def test_programme_level_partner(engine):
    with engine.connect() as conn:
        rows = conn.execute(select(Partner.code, Partner.name, Partner.country, Partner.region, Partner.status)).all()
    assert rows == [("", "Programme level (all partners)", None, None, "active")]


def test_init_restores_missing_reference_data(engine):
    with engine.begin() as conn:
        conn.execute(delete(KeyFactor).where(KeyFactor.number == 10))
        conn.execute(delete(Region).where(Region.code == "WCA"))
        conn.execute(delete(Partner).where(Partner.code == ""))
    init_database(engine)
    with engine.connect() as conn:
        assert dict(conn.execute(select(Region.code, Region.name)).all()) == REGIONS
        assert dict(conn.execute(select(KeyFactor.number, KeyFactor.name)).all()) == KEY_FACTORS
        assert conn.execute(select(Partner.code)).scalars().all() == [""]


def test_concurrent_init_on_a_fresh_database(fresh_url):
    """Three `init` processes at the same moment on a new database: all succeed, one schema."""
    env = checkout_env(DATABASE_URL=fresh_url)
    procs = [
        subprocess.Popen([sys.executable, "-m", "dashboard.cli", "init"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(3)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, out + err
    engine = make_engine(fresh_url)
    try:
        with engine.connect() as conn:
            assert set(conn.scalars(text("SELECT version_num FROM alembic_version"))) == head()
            assert conn.scalar(select(text("count(*)")).select_from(Region)) == len(REGIONS)
            assert conn.scalar(select(text("count(*)")).select_from(KeyFactor)) == len(KEY_FACTORS)
            assert conn.execute(select(Partner.code)).scalars().all() == [""]
    finally:
        engine.dispose()

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
from models.db import MIGRATIONS_DIR, current_revisions, head_revisions, init_database, is_ready, make_engine
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


def test_the_head_read_from_the_files_is_alembics():
    """models.db reads the head from the migration files' lines instead of importing Alembic."""
    head_revisions.cache_clear()
    assert head_revisions() == head() == {"0007"}


@pytest.mark.parametrize("at", ["fresh", "0001", "head"])
def test_the_revisions_read_from_the_database_are_alembics(fresh_engine, at):
    if at != "fresh":
        init_database(fresh_engine)
        if at != "head":
            _migrate(fresh_engine, at, down=True)
    with fresh_engine.connect() as conn:
        expected = set(MigrationContext.configure(conn).get_current_heads())
        assert current_revisions(conn) == expected == ({"0007"} if at == "head" else set() if at == "fresh" else {at})
    assert is_ready(fresh_engine) is (at == "head")


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


# --- upgrading a populated database ------------------------------------------------------


def _migrate(engine, revision: str, *, down: bool = False) -> None:
    """Upgrade (or downgrade) the database to `revision` with Alembic, as `init` does."""
    from alembic import command

    from models.db import _alembic_config, write_transaction

    with write_transaction(engine) as conn:
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _fill_at_0001(engine) -> None:
    """Programme data written with revision 0001's columns only (reflected, not the models)."""
    from sqlalchemy import MetaData
    from datetime import date, datetime

    from models.db import ensure_reference_data

    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    assert "frequency" not in t["indicator"].c and "aggregation" not in t["indicator"].c
    with engine.begin() as conn:
        ensure_reference_data(conn)
        conn.execute(t["import_batch"].insert(), [{"id": 1, "user": "ana", "at": datetime(2025, 5, 1, 12), "files": "[]",
                                                   "sha256": "[]", "kinds": "indicators,results", "created": 9, "updated": 0,
                                                   "unchanged": 0, "deleted": 0, "status": "committed", "source": "cli"}])
        conn.execute(t["partner"].insert(), [{"id": 2, "code": "GTM", "name": "Guatemala", "country": "GTM", "region": "AME",
                                              "status": "active", "batch_id": 1}])
        conn.execute(t["result"].insert(), [{"id": 1, "code": "OC1", "title": "Integrity", "level": "outcome", "batch_id": 1}])
        base = {"level": "outcome", "ascending": True, "cumulative": False, "unit": None, "key_factor": None,
                "result_id": 1, "description": None, "scale_min": None, "scale_max": None, "batch_id": 1}
        conn.execute(t["indicator"].insert(), [
            base | {"id": 1, "code": "IND01", "name": "Officers trained", "measure": "unit", "cumulative": True, "key_factor": 8},
            base | {"id": 2, "code": "IND02", "name": "Staff satisfied", "measure": "percentage", "unit": "%"},
            base | {"id": 3, "code": "IND03", "name": "Integrity score", "measure": "ordinal", "scale_min": 1.0, "scale_max": 5.0},
            base | {"id": 4, "code": "IND04", "name": "Code adopted", "measure": "qualitative", "ascending": False},
        ])
        conn.execute(t["baseline"].insert(), [{"id": 1, "indicator_id": 2, "partner_id": 2, "dimension": "", "dimension_value": "",
                                               "year": 2024, "value": 40.0, "batch_id": 1}])
        row = {"partner_id": 2, "dimension": "", "dimension_value": "", "target": None, "actual": None, "batch_id": 1}
        conn.execute(t["result_value"].insert(), [
            row | {"id": 1, "indicator_id": 1, "period_start": date(2025, 1, 1), "period_end": date(2025, 12, 31), "target": 100.0},
            row | {"id": 2, "indicator_id": 1, "period_start": date(2025, 1, 1), "period_end": date(2025, 3, 31), "actual": 30.0},
            row | {"id": 3, "indicator_id": 1, "period_start": date(2025, 1, 1), "period_end": date(2025, 3, 31), "actual": 12.0,
                   "dimension": "sex", "dimension_value": "women"},
            row | {"id": 4, "indicator_id": 2, "period_start": date(2025, 1, 1), "period_end": date(2025, 12, 31),
                   "target": 60.0, "actual": 52.5, "comment": "survey"},
            row | {"id": 5, "indicator_id": 4, "period_start": date(2025, 1, 1), "period_end": date(2025, 12, 31),
                   "target_text": "adopted", "actual_text": "draft"},
        ])


def test_upgrade_from_0001_keeps_every_row_and_fills_the_defaults(fresh_engine):
    from models.queries.snapshot import load_snapshot

    _migrate(fresh_engine, "0001")
    _fill_at_0001(fresh_engine)
    before = _snapshot(fresh_engine)
    init_database(fresh_engine)  # what `init` does on an existing database: upgrade to head
    after = _snapshot(fresh_engine)
    with fresh_engine.connect() as conn:
        assert set(conn.scalars(text("SELECT version_num FROM alembic_version"))) == head()
        columns = [c["name"] for c in inspect(conn).get_columns("indicator")]
        added = conn.execute(text("SELECT code, frequency, aggregation FROM indicator ORDER BY code")).all()
    # tables added since 0001 start empty: period_lock (0004), pending_value (0005)
    assert {n for n in before if n != "alembic_version"} | {"period_lock", "pending_value"} == {n for n in after if n != "alembic_version"}
    assert after["period_lock"] == after["pending_value"] == []
    for name in before:
        if name not in ("indicator", "import_batch", "alembic_version"):
            assert after[name] == before[name], name
    # the batches: every old column unchanged, the review columns (0005) appended and empty
    assert [tuple(r[:-4]) for r in after["import_batch"]] == [tuple(r) for r in before["import_batch"]]
    assert {tuple(r[-4:]) for r in after["import_batch"]} == {(None, None, None, None)}
    # the indicator rows: every old column unchanged, the new ones appended
    old, new = before["indicator"], after["indicator"]
    assert len(new) == len(old) == 4
    keep = [i for i, c in enumerate(columns) if c not in ("frequency", "aggregation")]
    assert sorted((tuple(r[i] for i in keep) for r in new), key=repr) == sorted((tuple(r) for r in old), key=repr)
    assert added == [("IND01", "annual", "sum"), ("IND02", "annual", "mean"), ("IND03", "annual", "mean"),
                     ("IND04", "annual", "latest")]
    # the snapshot delivers the resolved values
    ind = load_snapshot(fresh_engine).indicators.set_index("code")
    assert ind["frequency"].to_dict() == {"IND01": "annual", "IND02": "annual", "IND03": "annual", "IND04": "annual"}
    assert ind["aggregation"].to_dict() == {"IND01": "sum", "IND02": "mean", "IND03": "mean", "IND04": "latest"}


def test_downgrade_to_0001_keeps_every_row(fresh_engine):
    init_database(fresh_engine)
    _migrate(fresh_engine, "0001", down=True)
    _fill_at_0001(fresh_engine)
    before = _snapshot(fresh_engine)
    _migrate(fresh_engine, "head")
    with fresh_engine.begin() as conn:
        conn.execute(text("UPDATE indicator SET frequency = 'quarterly', aggregation = 'latest' WHERE code = 'IND01'"))
    _migrate(fresh_engine, "0001", down=True)
    assert _snapshot(fresh_engine) == before

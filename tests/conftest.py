"""Shared fixtures.

`engine` gives a fresh, initialised database for each test — on SQLite (a file in tmp_path)
and, when TEST_DATABASE_URL points at a PostgreSQL server, on PostgreSQL too (one database
created for the run and dropped after it; tables emptied between tests). Under CI=true
nothing may be skipped: a missing server or browser is an error, not a skip.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models.db import init_database, make_engine

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str):
    """Skip with a one-line reason on a laptop; fail under CI=true, where nothing may skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this leg must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL database of our own for this run, dropped at the end."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield None
        return
    url = make_url(base)
    if url.get_driver_name() in ("", "psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    name = f"resultsboard_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    test_url = url.set(database=name)
    engine = make_engine(test_url.render_as_string(hide_password=False))
    init_database(engine)
    engine.dispose()
    yield test_url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(engine) -> None:
    from sqlmodel import SQLModel

    import models.tables  # noqa: F401

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path, postgres_url):
    """A fresh initialised database (regions, key factors, programme partner), no demo."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        if not postgres_url:
            skip_or_fail("PostgreSQL leg: TEST_DATABASE_URL is not set")
        eng = make_engine(postgres_url)
        _empty_postgres(eng)
    init_database(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    """SQLite only (for tests of SQLite behaviour: locking, WAL, kill -9)."""
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    init_database(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def demo_engine(engine):
    """A database with the demo programme loaded."""
    from models.demo import load_demo

    report = load_demo(engine)
    assert report is not None and report.status == "committed", report and report.errors[:5]
    return engine


@pytest.fixture(scope="session")
def demo_sqlite_file(tmp_path_factory):
    """A SQLite demo database built once per run (page tests copy it before writing)."""
    from models.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    eng = make_engine(f"sqlite:///{path}")
    init_database(eng)
    assert load_demo(eng).status == "committed"
    eng.dispose()
    return path


@pytest.fixture(scope="module")
def demo_url(demo_sqlite_file, tmp_path_factory):
    """DATABASE_URL of a module's own copy of the demo database; Streamlit caches cleared around it."""
    import shutil

    import streamlit as st

    path = tmp_path_factory.mktemp("pages") / "demo.db"
    shutil.copy(demo_sqlite_file, path)
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        st.cache_data.clear()
        st.cache_resource.clear()
        yield url
        st.cache_data.clear()
        st.cache_resource.clear()


@pytest.fixture
def db(demo_sqlite_file, tmp_path, monkeypatch):
    """An engine on a test's own copy of the demo database (DATABASE_URL points at it), for
    page tests that write; Streamlit caches cleared around it."""
    import shutil

    import streamlit as st

    path = tmp_path / "pages.db"
    shutil.copy(demo_sqlite_file, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    eng = make_engine(url)
    yield eng
    eng.dispose()
    st.cache_data.clear()
    st.cache_resource.clear()

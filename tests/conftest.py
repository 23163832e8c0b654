"""Shared fixtures.

`engine` gives a fresh, initialised database for each test — on SQLite (a file in tmp_path)
and, when TEST_DATABASE_URL points at a PostgreSQL server, on PostgreSQL too. `demo_engine`
is the same with the demo programme loaded. Under CI=true nothing may be skipped: a missing
server or browser is an error, not a skip.

The suite runs in parallel (pytest-xdist): every session fixture here is built once per
worker process, in that worker's own temporary folder and its own PostgreSQL database. The
costly states are built once and copied: an initialised SQLite file and the demo SQLite file
are copied per test; on PostgreSQL each test empties the worker's database and,
for the demo, copies the demo rows back from a schema kept for the purpose.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models.db import init_database, make_engine

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1, ... under pytest-xdist
DEMO_SCHEMA = "demo_seed"  # PostgreSQL: the demo rows, copied into `public` for each demo test
# Modules whose tests share costly module or session state (a served app and a browser;
# rendered packs and chart images; every page opened once): under pytest-xdist each runs
# whole on one worker.
ONE_WORKER_MODULES = {"test_browser.py", "test_donor_pack.py", "test_export_charts.py", "test_text_is_text.py",
                      "test_signin_browser.py", "test_signin_trusted_browser.py", "test_review_browser.py",
                      "test_workbook_browser.py", "test_rough_edges.py"}


def checkout_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess of the command line: this checkout first on the path
    (the code under test, whatever else is installed), plus `extra`."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return os.environ | {"PYTHONPATH": path} | extra


def pin_today(as_of: str):
    """An autouse module fixture pinning "today" (RESULTSBOARD_TODAY) to `as_of`, so "as of"
    and the figures a module checks stay put: `pinned_today = pin_today(AS_OF)`."""

    @pytest.fixture(autouse=True, scope="module")
    def pinned_today():
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("RESULTSBOARD_TODAY", as_of)
            yield

    return pinned_today


def skip_or_fail(reason: str):
    """Skip with a one-line reason on a laptop; fail under CI=true, where nothing may skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this leg must run)")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    """The modules of ONE_WORKER_MODULES first (each keeps its order): under pytest-xdist the
    scheduler hands out whole modules before single tests only when they hold more tests
    (--loadscope-reorder), so a long module of one or two tests (a served app and a
    browser) would otherwise start near the end while the other worker runs dry."""
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1] not in ONE_WORKER_MODULES)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`-n N` (the default `--dist load`): tests go one by one to whichever worker is free,
    except that each module of ONE_WORKER_MODULES goes whole to one worker. (`--dist
    loadgroup` would do this with marks, but pytest-xdist 3.8 groups nothing under pytest
    9.2: it renames `item._nodeid`, which pytest 9.2 no longer reads.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LoadExceptSharedModules(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module.rsplit("/", 1)[-1] in ONE_WORKER_MODULES else nodeid

    return LoadExceptSharedModules(config, log)


def pytest_sessionfinish(session):
    """The servers the browser tests stopped have ended (tests/servers.py: a stop does not
    wait for them), before this process ends."""
    import sys

    servers = sys.modules.get("servers")
    if servers is not None:
        servers.wait_for_stops()


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_file(path: Path, *, demo: bool) -> Path:
    from models.demo import load_demo

    eng = make_engine(f"sqlite:///{path}")
    try:
        init_database(eng)
        if demo:
            report = load_demo(eng)
            assert report is not None and report.status == "committed", report and report.errors[:5]
    finally:
        eng.dispose()  # the last connection closed: the WAL is checkpointed into the file
    return path


def copy_sqlite(source: Path, target: Path) -> Path:
    """Copy a closed SQLite database file (no -wal/-shm left at the target)."""
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


@pytest.fixture(scope="session")
def empty_sqlite_file(tmp_path_factory):
    """An initialised SQLite database (reference data, no demo), built once per worker."""
    return _sqlite_file(tmp_path_factory.mktemp("empty") / "empty.db", demo=False)


@pytest.fixture(scope="session")
def demo_sqlite_file(tmp_path_factory):
    """A SQLite demo database built once per worker (tests copy it before using it)."""
    return _sqlite_file(tmp_path_factory.mktemp("demo") / "demo.db", demo=True)


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL database of this worker's own, initialised, dropped at the end."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield None
        return
    url = make_url(base)
    if url.get_driver_name() in ("", "psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    name = f"resultsboard_test_{WORKER}_{uuid.uuid4().hex[:10]}"
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


def _model_tables() -> list[str]:
    """The models' tables, parents before children."""
    from sqlmodel import SQLModel

    import models.tables  # noqa: F401  (registers every table)

    return [t.name for t in SQLModel.metadata.sorted_tables]


def _empty_postgres(conn) -> None:
    """Delete every row (children first) and restart every sequence at 1: what TRUNCATE ...
    RESTART IDENTITY does, about ten times faster on tables this small."""
    for name in reversed(_model_tables()):
        conn.execute(text(f'DELETE FROM public."{name}"'))
    sequences = conn.execute(text("SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'")).scalars()
    for sequence in list(sequences):
        conn.execute(text(f"SELECT setval('public.{sequence}', 1, false)"))


@dataclass(frozen=True)
class PostgresDemo:
    """The demo as loaded into the worker's database: its rows (in DEMO_SCHEMA) and where
    each sequence stood, so a copy is exactly the loaded state, next ids included."""

    sequences: tuple[tuple[str, int | None], ...]


@pytest.fixture(scope="session")
def postgres_demo(postgres_url) -> PostgresDemo:
    """Load the demo once per worker and keep a copy of its rows in DEMO_SCHEMA."""
    from models.demo import load_demo

    eng = make_engine(postgres_url)
    try:
        with eng.begin() as conn:
            _empty_postgres(conn)
        init_database(eng)
        report = load_demo(eng)
        assert report is not None and report.status == "committed", report and report.errors[:5]
        with eng.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{DEMO_SCHEMA}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{DEMO_SCHEMA}"'))
            for name in _model_tables():
                conn.execute(text(f'CREATE TABLE "{DEMO_SCHEMA}"."{name}" AS TABLE public."{name}"'))
            sequences = conn.execute(text(
                "SELECT quote_ident(sequencename), last_value FROM pg_sequences WHERE schemaname = 'public'"
            )).all()
    finally:
        eng.dispose()
    return PostgresDemo(tuple((s, v) for s, v in sequences))


def _restore_postgres_demo(engine, demo: PostgresDemo) -> None:
    with engine.begin() as conn:
        _empty_postgres(conn)
        for name in _model_tables():
            conn.execute(text(f'INSERT INTO public."{name}" SELECT * FROM "{DEMO_SCHEMA}"."{name}"'))
        for sequence, last in demo.sequences:
            if last is None:
                conn.execute(text(f"SELECT setval('public.{sequence}', 1, false)"))
            else:
                conn.execute(text(f"SELECT setval('public.{sequence}', {int(last)}, true)"))


# --- the per-test databases ------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path, empty_sqlite_file, postgres_url):
    """A fresh initialised database (regions, key factors, programme partner), no demo."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{copy_sqlite(empty_sqlite_file, tmp_path / 'test.db')}")
    else:
        if not postgres_url:
            skip_or_fail("PostgreSQL leg: TEST_DATABASE_URL is not set")
        eng = make_engine(postgres_url)
        with eng.begin() as conn:
            _empty_postgres(conn)
    init_database(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path, empty_sqlite_file):
    """SQLite only (for tests of SQLite behaviour: locking, WAL, kill -9)."""
    eng = make_engine(f"sqlite:///{copy_sqlite(empty_sqlite_file, tmp_path / 'test.db')}")
    init_database(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def demo_engine(engine, request):
    """A database with the demo programme loaded (the `engine` fixture's database, filled
    with a copy of the demo built once per worker)."""
    if engine.dialect.name == "sqlite":
        engine.dispose()
        copy_sqlite(request.getfixturevalue("demo_sqlite_file"), Path(engine.url.database))
    else:
        _restore_postgres_demo(engine, request.getfixturevalue("postgres_demo"))
    return engine


def clear_streamlit_caches() -> None:
    """Streamlit's caches live for the whole test process: page tests clear them around a database."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@contextmanager
def app_database(url: str):
    """DATABASE_URL set to `url` for the pages, Streamlit caches cleared before and after."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        clear_streamlit_caches()
        yield url
        clear_streamlit_caches()


@pytest.fixture(scope="module")
def demo_url(demo_sqlite_file, tmp_path_factory):
    """DATABASE_URL of a module's own copy of the demo database; Streamlit caches cleared around it."""
    path = copy_sqlite(demo_sqlite_file, tmp_path_factory.mktemp("pages") / "demo.db")
    with app_database(f"sqlite:///{path}") as url:
        yield url


@pytest.fixture
def db(demo_sqlite_file, tmp_path):
    """An engine on a test's own copy of the demo database (DATABASE_URL points at it), for
    page tests that write; Streamlit caches cleared around it."""
    with app_database(f"sqlite:///{copy_sqlite(demo_sqlite_file, tmp_path / 'pages.db')}") as url:
        eng = make_engine(url)
        yield eng
        eng.dispose()


# --- the command line, in-process ------------------------------------------------------------


class CliResult(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def call_cli(capsys, *args) -> CliResult:
    """`resultsboard ARGS` through the entry function in this process, on the database that
    DATABASE_URL names -> CliResult (argparse's exits, e.g. bad flags, become exit codes)."""
    from dashboard.cli import main

    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return CliResult(int(code or 0), out, err)


def forget_cli_engine() -> None:
    """The command line keeps one engine per process: dispose of it, so the next call opens its own."""
    from models.db import engine_for

    if engine_for.cache_info().currsize:
        engine_for().dispose()
    engine_for.cache_clear()


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """Run the command line's entry function in this process: run_cli(database_url, *args)
    -> CliResult. The engine the command line caches is disposed after each call, so the
    next call (another database) gets its own."""

    def run(database_url: str, *args) -> CliResult:
        monkeypatch.setenv("DATABASE_URL", database_url)
        forget_cli_engine()
        try:
            return call_cli(capsys, *args)
        finally:
            forget_cli_engine()

    return run


@pytest.fixture
def fresh_settings(monkeypatch):
    """Settings read afresh from the project's config file (no RESULTSBOARD_CONFIG), before and after."""
    from models import config

    monkeypatch.delenv("RESULTSBOARD_CONFIG", raising=False)
    config.clear_settings_cache()
    yield
    config.clear_settings_cache()


@pytest.fixture(scope="session")
def preloaded_cli():
    """`python -m dashboard.cli ARGS` in a process of its own per run, forked from a helper
    that has already imported the command line (tests/preloaded.py): .run(args, env=...,
    cwd=..., memory=..., timeout=...) -> subprocess.CompletedProcess."""
    from preloaded import PreloadedCli

    cli = PreloadedCli()
    yield cli
    cli.close()


# --- the browser (tests/test_browser.py, tests/test_text_is_text.py) --------------------------


@pytest.fixture(scope="session")
def rb_browser(pytestconfig):
    """One Chromium per worker, shared by every browser test module (Playwright's sync API
    allows one per process). It maps the DNS-rebinding test's foreign host name to this
    machine (test_browser.REBIND_RULE); no other test asks for that name."""
    from test_browser import CHROMIUM_ARGS, REBIND_RULE, _Reports

    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not chromium:
        skip_or_fail("browser tests: no system Chromium (/usr/bin/chromium) to drive")
    if not pytestconfig.pluginmanager.has_plugin("resultsboard-browser-reports"):
        pytestconfig.pluginmanager.register(_Reports(), "resultsboard-browser-reports")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=[*CHROMIUM_ARGS, REBIND_RULE], headless=True)
        yield b
        b.close()

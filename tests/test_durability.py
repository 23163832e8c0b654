"""SQLite durability (DESIGN.md, "Scale" and "Import rules"): imports started together both
land whole; an import killed with SIGKILL while it is writing leaves an intact database
and none of its rows; an import that finds the write lock taken waits for it instead of
failing; readers never wait for a writer; `init` on a populated database changes no data.

The imports under test run as separate command-line processes, as people run them, so they
can be killed and can compete for the lock; the commands around them (checks, follow-up
imports) run in-process through the entry function, which is faster.

Each test here was seen to fail against a deliberately broken copy of the code (see each
test's docstring), so none of them holds whatever the code does.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from conftest import checkout_env, copy_sqlite

# Two of models.writes.CHUNK (50,000): an import that committed chunk by chunk would leave
# half of its rows behind when killed late.
BIG_ROWS = 100_000
CONCURRENT_ROWS = 20_000
NUMERIC_INDICATORS = ["IND03", "IND04", "IND06", "IND07", "IND09"]  # demo unit/percentage indicators
PARTNERS = ["ETH", "GHA", "LBN", "TZA", "MLI", "SLE"]
MB = 1_000_000
# The 100,000-row import writes about 12 MB to the write-ahead log; before its first write
# the process spends seconds starting and checking the file.
KILL_POINTS = {"first-rows-written": 1 * MB, "most-rows-written": 8 * MB}
# Longer than Python's sqlite3 default busy timeout (5 s): a lost busy timeout shows.
LOCK_HELD_S = 6.0


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "dashboard.cli", *args]


def env_for(db: Path) -> dict[str, str]:
    return checkout_env(DATABASE_URL=url(db))


def url(db: Path) -> str:
    return f"sqlite:///{db}"


def start(db: Path, *args: str, cmd: list[str] | None = None, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(cmd or command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env or env_for(db), cwd=db.parent)


def query(db: Path, sql: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table (schema included), sorted."""
    with closing(sqlite3.connect(db)) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        tables = {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
        tables["sqlite_master"] = sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(), key=repr)
        return tables


def rows_of(db: Path, tag: str) -> int:
    """How many result values a generated file (dimension_value '<tag>-<n>') stored."""
    return query(db, "SELECT count(*) FROM result_value WHERE dimension = 'cohort' AND dimension_value LIKE ?", f"{tag}-%")[0][0]


def write_results(path: Path, rows: int, tag: str) -> Path:
    """A results file for the demo indicators; each row its own disaggregation, so none overlap."""
    lines = ["indicator,partner,period,target,actual,dimension,dimension_value"]
    lines += [
        f"{NUMERIC_INDICATORS[i % 5]},{PARTNERS[i % 6]},2024,{50 + i % 40},{40 + i % 50},cohort,{tag}-{i}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("files")
    return {
        "a": write_results(folder / "a.csv", CONCURRENT_ROWS, "a"),
        "b": write_results(folder / "b.csv", CONCURRENT_ROWS, "b"),
        "big": write_results(folder / "big.csv", BIG_ROWS, "big"),
        "small": write_results(folder / "small.csv", 3, "small"),
    }


@pytest.fixture
def db(tmp_path, demo_sqlite_file) -> Path:
    """A fresh copy of the demo database (batch 1 is the demo)."""
    return copy_sqlite(demo_sqlite_file, tmp_path / "x.db")


def assert_healthy(db: Path) -> None:
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "PRAGMA foreign_key_check") == []


def assert_batches_whole(db: Path) -> None:
    """Every batch after the demo holds exactly the values it says it created: no batch row
    without its values, no values without their batch."""
    counted = dict(query(db, "SELECT batch_id, count(*) FROM result_value WHERE batch_id > 1 GROUP BY batch_id"))
    said = dict(query(db, "SELECT id, created FROM import_batch WHERE id > 1"))
    assert counted == said, f"values per batch {counted} != what the batches say {said}"


def file_size(path: str | Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def test_two_large_imports_started_together_both_land_whole(db, files, run_cli):
    """Broken by: a busy timeout of 0 in models/db.py (the second import fails with
    "database is locked")."""
    procs = [start(db, "import", str(files[t]), "--json") for t in ("a", "b")]
    outputs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, out + err
        assert "database is locked" not in err
    reports = [json.loads(out) for out, _ in outputs]
    assert sorted((r["status"], r["batch_id"], r["created"], r["rejected"]) for r in reports) == [
        ("committed", 2, CONCURRENT_ROWS, 0),
        ("committed", 3, CONCURRENT_ROWS, 0),
    ]
    assert (rows_of(db, "a"), rows_of(db, "b")) == (CONCURRENT_ROWS, CONCURRENT_ROWS)
    history = run_cli(url(db), "history", "--json")
    assert history.returncode == 0, history.stdout + history.stderr
    assert sorted((h["id"], h["files"], h["created"], h["status"]) for h in json.loads(history.stdout) if h["source"] == "cli") == sorted(
        (r["batch_id"], [f"{t}.csv"], CONCURRENT_ROWS, "committed") for r, t in zip(reports, "ab")
    )
    assert_batches_whole(db)
    assert_healthy(db)


@pytest.mark.parametrize("wal_bytes", KILL_POINTS.values(), ids=KILL_POINTS.keys())
def test_import_killed_while_writing_leaves_all_rows_or_none(db, files, run_cli, wal_bytes):
    """SIGKILL once the import has written `wal_bytes` to the write-ahead log (or as soon as
    the data file changes: something was committed and checkpointed). The import commits
    once, at the end, so none of its rows may be left — all of them only if the kill came
    after that commit. Broken by: committing after each chunk of rows in
    models/writes.bulk_insert (the late kill leaves 50,000 rows behind)."""
    before = dump(db)
    data_size = file_size(db)
    proc = start(db, "import", str(files["big"]))
    deadline = time.monotonic() + 180
    while file_size(f"{db}-wal") < wal_bytes and file_size(db) == data_size:
        assert proc.poll() is None, (
            f"the import ended before it had written {wal_bytes} bytes to the WAL "
            f"({file_size(f'{db}-wal')} written): {proc.communicate()}"
        )
        assert time.monotonic() < deadline, "the import did not write in 180 s"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the import was not killed: it had already ended"

    assert_healthy(db)
    assert_batches_whole(db)
    landed = rows_of(db, "big")
    assert landed in (0, BIG_ROWS), f"the killed import left {landed} of its {BIG_ROWS} rows"
    if landed:
        assert query(db, "SELECT id, status, created FROM import_batch WHERE id > 1") == [(2, "committed", BIG_ROWS)]
    else:
        assert dump(db) == before, "the killed import left something behind"

    after = run_cli(url(db), "import", files["small"], "--json")
    assert after.returncode == 0, after.stdout + after.stderr
    assert (json.loads(after.stdout)["status"], json.loads(after.stdout)["created"]) == ("committed", 3)
    assert (rows_of(db, "big"), rows_of(db, "small")) == (landed, 3)
    assert_healthy(db)


def test_readers_do_not_wait_for_a_writer(db):
    """`history` (and every read-only command) runs while another connection holds the
    write lock. Broken by: `init_database` taking the write lock even when the database is
    ready (history then queues for the lock and times out here after 30 s)."""
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO audit_event (at, user, action, detail) VALUES ('2024-01-01', 'x', 'test', '')")
        result = subprocess.run(command("history", "--json"), capture_output=True, text=True, env=env_for(db),
                                cwd=db.parent, timeout=30)
        assert result.returncode == 0, result.stdout + result.stderr
        assert [h["id"] for h in json.loads(result.stdout)] == [1]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# Runs the command line with a listener that writes a file just before the first statement
# that needs the write lock, so the test knows the import is about to queue for it.
ANNOUNCE_WRITE = """
import os, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

@event.listens_for(Engine, "before_cursor_execute")
def announce(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith(("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE")):
        marker = os.environ["RB_WRITE_MARKER"]
        if not os.path.exists(marker):
            open(marker, "w").close()

from dashboard.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_writer_waits_for_the_lock_instead_of_failing(db, files):
    """Another connection holds the write lock (BEGIN IMMEDIATE, one row written) while an
    import starts. The import reaches its first write, keeps waiting for LOCK_HELD_S seconds
    (longer than Python's default busy timeout), and when the holder commits it goes on and
    commits all of its rows. Broken by: removing the busy timeout from models/db.py (the
    import fails with "database is locked" after sqlite3's default 5 s)."""
    marker = db.parent / "about-to-write"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO audit_event (at, user, action, detail) VALUES ('2024-01-01', 'holder', 'test', '')")
    proc = start(db, cmd=[sys.executable, "-c", ANNOUNCE_WRITE, "import", str(files["small"]), "--json"],
                 env=env_for(db) | {"RB_WRITE_MARKER": str(marker)})
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, f"the import ended before it tried to write: {proc.communicate()}"
            assert time.monotonic() < deadline, "the import did not reach its first write in 120 s"
            time.sleep(0.02)
        waiting_since = time.monotonic()
        while time.monotonic() - waiting_since < LOCK_HELD_S:
            assert proc.poll() is None, f"the import gave up waiting for the lock: {proc.communicate()}"
            time.sleep(0.05)
        holder.execute("COMMIT")
        released = time.monotonic()
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert "database is locked" not in err
    report = json.loads(out)
    assert (report["status"], report["batch_id"], report["created"]) == ("committed", 2, 3)
    assert time.monotonic() >= released
    assert rows_of(db, "small") == 3
    assert query(db, "SELECT count(*) FROM audit_event WHERE user = 'holder'") == [(1,)]
    assert_batches_whole(db)
    assert_healthy(db)


def test_init_again_on_a_populated_database_changes_no_data(db, files, run_cli):
    """Broken by: `load_demo` forgetting which seed files are loaded (`init --demo` then
    imports the seeds again and overwrites the changed demo value)."""
    # new rows, and a change to a demo row, which `init --demo` must never overwrite
    changed = db.parent / "changed.csv"
    changed.write_text("indicator,partner,period,actual\nIND03,MLI,2023,50\n")
    for args in (
        ["import", files["small"], changed],
        ["users", "add", "p@example.org", "--role", "partner", "--partner", "ETH"],
    ):
        result = run_cli(url(db), *args)
        assert result.returncode == 0, result.stdout + result.stderr
    before = dump(db)
    for args in (["init"], ["init", "--demo"]):
        result = run_cli(url(db), *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert dump(db) == before
    assert query(db, "SELECT actual FROM result_value v JOIN indicator i ON i.id = v.indicator_id JOIN partner p ON p.id = v.partner_id "
                     "WHERE i.code = 'IND03' AND p.code = 'MLI' AND v.period_start = '2023-01-01'") == [(50.0,)]

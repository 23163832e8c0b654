"""SQLite durability (DESIGN.md, "Scale" and "Import rules"): imports started together both
land whole, an import killed with SIGKILL leaves all of its rows or none, readers never
wait for a writer, and `init` on a populated database changes no data.

Everything runs through the command line as separate processes, as people run it.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

BIG_ROWS = 200_000
CONCURRENT_ROWS = 20_000
NUMERIC_INDICATORS = ["IND03", "IND04", "IND06", "IND07", "IND09"]  # demo unit/percentage indicators
PARTNERS = ["ETH", "GHA", "LBN", "TZA", "MLI", "SLE"]


def run(db: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), capture_output=True, text=True, env=env_for(db), cwd=db.parent, timeout=timeout)


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "dashboard.cli", *args]


def env_for(db: Path) -> dict[str, str]:
    return os.environ | {"DATABASE_URL": f"sqlite:///{db}"}


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


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    result = run(db, "init", "--demo")
    assert result.returncode == 0, result.stdout + result.stderr
    return db


@pytest.fixture
def db(tmp_path, demo_db) -> Path:
    """A fresh copy of the demo database (batch 1 is the demo)."""
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{demo_db}{suffix}").exists():
            shutil.copy(f"{demo_db}{suffix}", tmp_path / f"x.db{suffix}")
    return tmp_path / "x.db"


def assert_healthy(db: Path) -> None:
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "PRAGMA foreign_key_check") == []


def test_two_large_imports_started_together_both_land_whole(db, files):
    procs = [
        subprocess.Popen(command("import", str(files[t]), "--json"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env_for(db), cwd=db.parent)
        for t in ("a", "b")
    ]
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
    history = run(db, "history", "--json")
    assert history.returncode == 0, history.stdout + history.stderr
    assert sorted((h["id"], h["files"], h["created"], h["status"]) for h in json.loads(history.stdout) if h["source"] == "cli") == sorted(
        (r["batch_id"], [f"{t}.csv"], CONCURRENT_ROWS, "committed") for r, t in zip(reports, "ab")
    )
    assert_healthy(db)


def _wal_bytes(db: Path) -> int:
    try:
        return os.path.getsize(f"{db}-wal")
    except OSError:
        return 0


@pytest.mark.parametrize(
    "kill_when",
    [
        pytest.param(("seconds", 0.3), id="after-0.3s"),
        pytest.param(("seconds", 0.8), id="after-0.8s"),
        pytest.param(("seconds", 1.5), id="after-1.5s"),
        pytest.param(("wal-bytes", 8_000_000), id="mid-write"),  # rows are being written (the WAL grows)
    ],
)
def test_import_killed_with_sigkill_leaves_all_rows_or_none(db, files, kill_when):
    demo_dump = dump(db)
    proc = subprocess.Popen(command("import", str(files["big"])), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env_for(db), cwd=db.parent)
    what, amount = kill_when
    deadline = time.monotonic() + (amount if what == "seconds" else 120)
    while time.monotonic() < deadline and proc.poll() is None:
        if what == "wal-bytes" and _wal_bytes(db) > amount:
            break
        time.sleep(0.01)
    assert proc.poll() is None, f"the import ended before the kill point: {proc.communicate()}"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    assert_healthy(db)
    landed = rows_of(db, "big")
    assert landed in (0, BIG_ROWS)
    batches = query(db, "SELECT id, status, created FROM import_batch ORDER BY id")
    if landed:
        assert batches == [(1, "committed", batches[0][2]), (2, "committed", BIG_ROWS)]
    else:
        assert dump(db) == demo_dump

    after = run(db, "import", str(files["small"]), "--json")
    assert after.returncode == 0, after.stdout + after.stderr
    assert (json.loads(after.stdout)["status"], json.loads(after.stdout)["created"]) == ("committed", 3)
    assert (rows_of(db, "big"), rows_of(db, "small")) == (landed, 3)
    assert_healthy(db)


def test_readers_do_not_wait_for_a_writer(db):
    """`history` (and every read-only command) runs while another process holds the write lock."""
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO audit_event (at, user, action, detail) VALUES ('2024-01-01', 'x', 'test', '')")
        result = run(db, "history", "--json", timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        assert [h["id"] for h in json.loads(result.stdout)] == [1]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_writer_waits_for_the_lock_instead_of_failing(db, files):
    """An import started while another process holds the write lock queues, then commits."""
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    proc = subprocess.Popen(command("import", str(files["small"]), "--json"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env_for(db), cwd=db.parent)
    try:
        time.sleep(2.5)
        assert proc.poll() is None, proc.communicate()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert json.loads(out)["created"] == 3


def test_init_again_on_a_populated_database_changes_no_data(db, files):
    # new rows, and a change to a demo row, which `init --demo` must never overwrite
    changed = db.parent / "changed.csv"
    changed.write_text("indicator,partner,period,actual\nIND03,MLI,2023,50\n")
    for args in (
        ["import", str(files["small"]), str(changed)],
        ["users", "add", "p@example.org", "--role", "partner", "--partner", "ETH"],
    ):
        result = run(db, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    before = dump(db)
    for args in (["init"], ["init", "--demo"]):
        result = run(db, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert dump(db) == before
    assert query(db, "SELECT actual FROM result_value v JOIN indicator i ON i.id = v.indicator_id JOIN partner p ON p.id = v.partner_id "
                     "WHERE i.code = 'IND03' AND p.code = 'MLI' AND v.period_start = '2023-01-01'") == [(50.0,)]

"""Benchmark: 1,000,000 result rows through the import engine vs raw sqlite3.executemany.

Targets (issue 10): the engine's first import of the file takes at most 2x (aim 1.5x) the
time raw `sqlite3.executemany` needs to insert the same rows into a table with the same
unique key; importing the same file again (nothing changes) at most 1.5x; peak memory under
1 GiB. On PostgreSQL (when TEST_DATABASE_URL is set) the first import writes at least
100,000 rows/s. Each measurement runs in a fresh process (peak RSS is per process).
Run: `make bench` or `.venv/bin/python bench/bench_import.py [--rows N]`.
Results are printed and written to bench/out/import.json; the CPU seconds of each leg are
given beside the wall clock (steadier when other work shares the machine).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_INDICATORS = 50
N_PERIODS = 20  # quarters 2021-Q1 .. 2025-Q4


def _periods():
    out = []
    for year in range(2021, 2026):
        for q in range(4):
            start_m, end_m = 3 * q + 1, 3 * q + 3
            end_d = {3: 31, 6: 30, 9: 30, 12: 31}[end_m]
            out.append((f"{year}-{start_m:02d}-01", f"{year}-{end_m:02d}-{end_d}"))
    return out


def write_files(folder: Path, rows: int) -> dict:
    """partners, indicators and a results file with `rows` rows (distinct keys)."""
    periods = _periods()[:N_PERIODS]
    n_partners = max(1, -(-rows // (N_INDICATORS * len(periods))))
    partners = [f"P{i:04d}" for i in range(n_partners)]
    with open(folder / "partners.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "country", "region"])
        for i, p in enumerate(partners):
            w.writerow([p, f"Administration {i}", "Guatemala", "AME"])
    with open(folder / "indicators.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "level", "measure", "ascending"])
        for i in range(N_INDICATORS):
            w.writerow([f"I{i:03d}", f"Indicator {i}", "output", "unit", "true"])
    n = 0
    with open(folder / "results.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["indicator", "partner", "period_start", "period_end", "target", "actual"])
        for p in partners:
            for i in range(N_INDICATORS):
                for s, e in periods:
                    if n >= rows:
                        break
                    w.writerow([f"I{i:03d}", p, s, e, 100 + (n % 37), 50 + (n % 91)])
                    n += 1
    return {"rows": n, "partners": n_partners}


PG_BENCH_DB = "resultsboard_bench_import"


def _pg_url(base: str) -> str:
    """A database of its own on the TEST_DATABASE_URL server (created empty), so the benchmark
    never touches the tests' database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base).set(drivername="postgresql+psycopg")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}"'))
        conn.execute(text(f'CREATE DATABASE "{PG_BENCH_DB}"'))
    admin.dispose()
    return url.set(database=PG_BENCH_DB).render_as_string(hide_password=False)


def run_engine(folder: Path, url: str | None = None, again: bool = False) -> dict:
    """In this process: init, load partners and indicators, then time the results import
    (`again`: import it once untimed, then time importing the same file again)."""
    from models.access import LOCAL_ADMIN
    from models.db import init_database, make_engine
    from models.importing import Upload, import_files

    url = url or f"sqlite:///{folder / ('engine-again.db' if again else 'engine.db')}"
    engine = make_engine(url)
    init_database(engine)
    setup = [Upload(n, (folder / n).read_bytes()) for n in ("partners.csv", "indicators.csv")]
    r = import_files(engine, setup, user="bench", scope=LOCAL_ADMIN)
    assert r.status == "committed", r.errors[:3]
    data = (folder / "results.csv").read_bytes()
    if again:
        r = import_files(engine, [Upload("results.csv", data)], user="bench", scope=LOCAL_ADMIN)
        assert r.status == "committed", r.errors[:3]
    t, cpu = time.perf_counter(), time.process_time()
    r = import_files(engine, [Upload("results.csv", data)], user="bench", scope=LOCAL_ADMIN)
    elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    assert r.status == "committed", (r.status, r.issues[:3])
    assert (r.unchanged if again else r.created) > 0
    engine.dispose()
    return {"seconds": elapsed, "cpu_seconds": cpu, "created": r.created, "unchanged": r.unchanged,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_raw(folder: Path) -> dict:
    """In this process: raw sqlite3.executemany of the same rows into a table with the same unique key."""
    db = folder / "raw.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE result_value (id INTEGER PRIMARY KEY, indicator_id INTEGER NOT NULL, partner_id INTEGER NOT NULL,"
        " period_start DATE NOT NULL, period_end DATE NOT NULL, dimension TEXT NOT NULL, dimension_value TEXT NOT NULL,"
        " target FLOAT, actual FLOAT, target_text TEXT, actual_text TEXT, comment TEXT, batch_id INTEGER,"
        " CONSTRAINT uq UNIQUE (indicator_id, partner_id, period_start, period_end, dimension, dimension_value))"
    )
    with open(folder / "results.csv", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        rows = [(int(i[1:]), int(p[1:]), s, e, "", "", float(t), float(a), 1) for i, p, s, e, t, a in reader]
    t0, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO result_value (indicator_id, partner_id, period_start, period_end, dimension, dimension_value,"
        " target, actual, batch_id) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("COMMIT")
    return {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - cpu, "rows": len(rows)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["engine", "again", "raw", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL leg")
    args = parser.parse_args()
    if args.child:
        folder = Path(args.folder)
        out = {"raw": lambda: run_raw(folder), "engine": lambda: run_engine(folder),
               "again": lambda: run_engine(folder, again=True), "postgres": lambda: run_engine(folder, args.url)}[args.child]()
        print(json.dumps(out))
        return 0
    pg_base = None if args.no_postgres else os.environ.get("TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        info = write_files(folder, args.rows)
        results = {}
        for child in ("raw", "engine", "again", *(["postgres"] if pg_base else [])):
            cmd = [sys.executable, __file__, "--child", child, "--folder", str(folder)]
            if child == "postgres":
                cmd += ["--url", _pg_url(pg_base)]
            out = subprocess.run(cmd, capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(ROOT)})
            if out.returncode:
                sys.exit(f"{child} failed:\n{out.stderr[-3000:]}")
            results[child] = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{child}: {results[child]}", file=sys.stderr)
    raw = results["raw"]["seconds"]
    ratio, again = results["engine"]["seconds"] / raw, results["again"]["seconds"] / raw
    peak = max(results["engine"]["peak_rss_mib"], results["again"]["peak_rss_mib"])
    cpu = {k: results[k]["cpu_seconds"] for k in ("raw", "engine", "again")}
    summary = {
        "rows": info["rows"], "raw_executemany_s": round(raw, 2),
        "engine_import_s": round(results["engine"]["seconds"], 2), "ratio": round(ratio, 2),
        "reimport_s": round(results["again"]["seconds"], 2), "reimport_ratio": round(again, 2),
        "engine_peak_rss_mib": round(results["engine"]["peak_rss_mib"]),
        "reimport_peak_rss_mib": round(results["again"]["peak_rss_mib"]),
        # CPU seconds (user + system) of the same legs: steadier than the wall clock on a shared machine
        "raw_cpu_s": round(cpu["raw"], 2), "cpu_ratio": round(cpu["engine"] / cpu["raw"], 2),
        "reimport_cpu_ratio": round(cpu["again"] / cpu["raw"], 2),
        "target": "ratio <= 2.0, re-import ratio <= 1.5, peak RSS < 1024 MiB, PostgreSQL >= 100,000 rows/s",
    }
    met = ratio <= 2.0 and again <= 1.5 and peak < 1024
    if "postgres" in results:
        pg = results["postgres"]
        summary |= {"postgres_import_s": round(pg["seconds"], 2), "postgres_rows_per_s": round(info["rows"] / pg["seconds"]),
                    "postgres_peak_rss_mib": round(pg["peak_rss_mib"])}
        met = met and info["rows"] / pg["seconds"] >= 100_000
    summary["met"] = met
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "import.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the dashboard's pages in Chromium at 10k and 1M values, against a bare page.

A programme of the demo's shape (partners in the six WCO regions funded by donors under
agreements, activities, indicators of the four kinds the demo has — an ordinal survey score,
a time where lower is better, a percentage and a count — reported per quarter with a target
and an actual, a baseline per pair, some reports missing) is generated at two sizes:

    10k:  25 partners x  4 indicators x 100 quarters =    10,000 values
    1m:  250 partners x 40 indicators x 100 quarters = 1,000,000 values

and loaded through the import engine (models.importing, one batch, as `resultsboard import`
does; the 1M database takes about a minute to build, and is kept in bench/out/ for the next run
unless --regenerate). Each database is served by `resultsboard serve` (headless, local
mode, RESULTSBOARD_TODAY pinned); Chromium (Playwright, /usr/bin/chromium) loads

- a bare Streamlit page drawing one Plotly chart (bench/bare_page.py, same server flags):
  the framework's own cost, measured in the same run;
- the seven pages (overview, regions, donors, partner, indicators, key factors, reporting):
  *cold* — the first load after a fresh server start (one start per page; Python's compiled
  modules kept in bench/out/pycache, as a deployed server keeps them), requested the moment
  the server answers (`/_stcore/health`): `resultsboard serve` reads and scores the
  programme as it starts, so the load includes waiting for what of that the page needs
  (the seconds from the start until the server answered are recorded with each cold load) — and
  *warm* — the median of --runs loads after one unmeasured load.

A load is timed from navigation until Streamlit has finished: connected, the script not
running, no spinner, no stale element, the page title drawn and every Plotly chart drawn
(steady for 0.3 s). Then --sessions browser sessions each load the seven pages and stay
open, and the server process's memory is read from /proc (resident now and peak).

Targets (issue 10): each page warm at 10k within 3x the bare page; at 1M within 1.5x its
10k time; the first load after start within 10 s at 1M; the server's memory at 1M under
1.5 GiB with several sessions open.

Run: `make bench` or `.venv/bin/python bench/bench_pages.py [--sizes 10k,1m] [--runs 3]
[--sessions 4] [--pages overview,reporting] [--no-cold | --no-warm] [--regenerate]`.
Results are printed and written to bench/out/pages.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
BARE_PAGE = ROOT / "bench" / "bare_page.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
TODAY = "2026-01-15"  # RESULTSBOARD_TODAY: "as of" for every page, so runs compare
GENERATOR_VERSION = 1  # bump when the generated programme changes (a kept database is then rebuilt)
SIZES = {"10k": (25, 4, 100), "1m": (250, 40, 100)}  # partners, indicators, quarters
PAGES = {"overview": "", "regions": "regions", "donors": "donors", "partner": "partner", "indicators": "indicators",
         "key factors": "key-factors", "reporting": "reporting"}
LOAD_TIMEOUT_MS = 600_000
READY = "Resultsboard ready"  # what `resultsboard serve` logs once the programme is read and scored
TARGETS = {"warm_10k_vs_bare": 3.0, "warm_1m_vs_10k": 1.5, "cold_1m_s": 10.0, "rss_1m_mib": 1536}

# --- the programme ----------------------------------------------------------------------------

REGIONS = ["AME", "ESA", "EUR", "AP", "MENA", "WCA"]
KINDS = [  # the demo's four kinds of indicator: (measure, ascending, unit, aggregation, scale)
    ("ordinal", "true", "score (1 to 5)", "latest", (1, 5)),
    ("unit", "false", "hours", "mean", None),
    ("percentage", "true", "%", "mean", None),
    ("unit", "true", "officers", "sum", None),
]


def _quarters(n: int) -> list[tuple[str, str]]:
    """The last `n` quarters up to 2025-Q4, oldest first, as (start, end) ISO dates."""
    out = []
    year, q = 2025, 4
    for _ in range(n):
        m1 = 3 * q - 2
        end = date(year, 3 * q, 31 if 3 * q in (3, 12) else 30)
        out.append((date(year, m1, 1).isoformat(), end.isoformat()))
        year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    return out[::-1]


def write_programme(folder: Path, partners: int, indicators: int, quarters: int, seed: int = 42) -> dict[str, Path]:
    """The upload files of the programme (CSV, in the upload formats); returns kind -> path."""
    import pycountry

    rng = random.Random(seed)
    countries = sorted((c.name for c in pycountry.countries), key=str)
    n_donors = max(2, partners // 25)
    donors = [f"D{d:02d}" for d in range(n_donors)]
    codes = [f"P{p:03d}" for p in range(partners)]
    files = {}

    def write(kind: str, header: list[str], rows) -> None:
        path = folder / f"{kind}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        files[kind] = path

    write("donors", ["code", "name", "country"],
          [(d, f"Donor agency {i + 1}", countries[(7 * i) % len(countries)]) for i, d in enumerate(donors)])
    write("partners", ["code", "name", "country", "region", "joined_on", "status"],
          [(c, f"Customs administration {i + 1}", countries[i % len(countries)], REGIONS[i % 6], "2001-01-01",
            "inactive" if i % 20 == 19 else "active") for i, c in enumerate(codes)])
    funding = []
    for i, d in enumerate(donors):
        funding.append((d, 1, "", 1_000_000 * (3 + i % 5), "EUR" if i % 3 else "CAD", "2000-11-16", "2001-01-01", "2013-12-31"))
        funding.append((d, 2, "", 500_000 * (4 + i % 7), "EUR" if i % 3 else "CAD", "2013-11-29", "2014-01-01", "2026-12-31"))
    for i, c in enumerate(codes):
        funding.append((donors[i % n_donors], 1 + i % 2, c, "", "", "", "", ""))
        if i % 3 == 0:
            funding.append((donors[(i + 1) % n_donors], 2, c, "", "", "", "", ""))
    write("funding", ["donor", "phase", "partner", "amount", "currency", "signed_on", "start", "end"], funding)
    write("framework", ["code", "title", "level", "parent"],
          [("IMP", "Improved integrity in partner administrations", "impact", ""),
           ("OC1", "Transparency improved", "outcome", "IMP"),
           ("OC2", "Procedures modernized", "outcome", "IMP"),
           ("OP1", "Officers trained", "output", "OC2")])
    inds = []
    for i in range(indicators):
        measure, ascending, unit, aggregation, scale = KINDS[i % 4]
        level, result = [("impact", "IMP"), ("outcome", "OC2"), ("outcome", "OC1"), ("output", "OP1")][i % 4]
        inds.append((f"I{i:02d}", f"Indicator {i + 1}: {unit}", level, measure, ascending, unit, 1 + i % 10, result,
                     "Generated for the pages benchmark.", "quarterly", aggregation, "false",
                     scale[0] if scale else "", scale[1] if scale else ""))
    write("indicators", ["code", "name", "level", "measure", "ascending", "unit", "key_factor", "result", "description",
                         "frequency", "aggregation", "cumulative", "scale_min", "scale_max"], inds)
    types = ["meeting", "technical-assistance", "capacity-building", "survey", "e-learning", "diagnostic"]
    acts = []
    for a in range(2 * partners):
        year = 2001 + a % 25
        start = date(year, 1 + a % 12, 1 + a % 27)
        members = ";".join(codes[(a + k * 7) % partners] for k in range(1 + a % 3))
        acts.append((f"ACT-{a:04d}", f"Activity {a + 1}", types[a % 6], start.isoformat(),
                     date(year, 1 + a % 12, 2 + a % 27).isoformat(), "in-person" if a % 2 else "remote", "completed",
                     members, donors[a % n_donors], 10 + a % 40, f"{1 + a % 10};{1 + (a + 3) % 10}"))
    write("activities", ["code", "title", "type", "start", "end", "mode", "status", "partners", "donor", "participants",
                         "key_factors"], acts)

    periods = _quarters(quarters)
    rows = []
    for p, partner in enumerate(codes):
        late = 4 if p % 7 == 3 else 0  # some administrations have not sent their last year's reports
        for i in range(indicators):
            kind = i % 4
            for q, (s, e) in enumerate(periods):
                r = rng.random()
                if kind == 0:
                    target, actual, baseline = round(2.5 + 2.0 * q / quarters, 2), round(min(5.0, 2.0 + 2.5 * r + q / quarters), 2), 2.5
                elif kind == 1:
                    target, actual, baseline = round(48 - 24 * q / quarters, 1), round(20 + 30 * r, 1), 48
                elif kind == 2:
                    target, actual, baseline = round(40 + 50 * q / quarters, 1), round(min(100.0, 30 + 60 * r), 1), 40
                else:
                    target, actual, baseline = 20 + q % 10, int(10 + 20 * r), 0
                missing = q >= quarters - late or r < 0.03
                rows.append((f"I{i:02d}", partner, s, e, target, "" if missing else actual,
                             baseline if q == 0 else "", 2000 if q == 0 else ""))
    write("results", ["indicator", "partner", "period_start", "period_end", "target", "actual", "baseline", "baseline_year"],
          rows)
    return files


def generate(size: str, db: Path) -> dict:
    """Build the `size` programme's SQLite database at `db` through the import engine (one batch)."""
    from models.access import LOCAL_ADMIN
    from models.config import ImportLimits
    from models.db import init_database, make_engine
    from models.importing import Upload, import_files

    partners, indicators, quarters = SIZES[size]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        files = write_programme(Path(tmp), partners, indicators, quarters)
        engine = make_engine(f"sqlite:///{db}")
        init_database(engine)
        uploads = [Upload(p.name, p.read_bytes()) for p in files.values()]
        t0 = time.perf_counter()
        report = import_files(engine, uploads, user="bench", scope=LOCAL_ADMIN,
                              limits=ImportLimits(max_upload_mb=1000, max_batch_mb=2000, max_rows=2_000_000))
        seconds = time.perf_counter() - t0
    if report.status != "committed":
        raise SystemExit(f"the {size} programme was refused: {[(i.check, i.column, i.value, i.message) for i in report.errors[:5]]}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return {"size": size, "values": partners * indicators * quarters, "import_s": round(seconds, 1),
            "generator": GENERATOR_VERSION}


def prepare_database(size: str, regenerate: bool) -> Path:
    """The `size` database, built once (kept in bench/out/ for the next run), migrated to head."""
    OUT.mkdir(parents=True, exist_ok=True)
    db, meta = OUT / f"pages-{size}.db", OUT / f"pages-{size}.json"
    known = json.loads(meta.read_text()) if meta.exists() else {}
    if regenerate or not db.exists() or known.get("generator") != GENERATOR_VERSION:
        print(f"[{size}] generating the programme through the import engine…", flush=True)
        out = _child(["--child", "generate", "--size", size, "--db", str(db)])
        meta.write_text(json.dumps(out, indent=2))
        print(f"[{size}] {out['values']:,} values imported in {out['import_s']} s", flush=True)
    # a migration added since the database was built runs here, never inside a timed load
    _child(["--child", "migrate", "--db", str(db)])
    return db


def migrate(db: Path) -> dict:
    from models.db import init_database, make_engine

    engine = make_engine(f"sqlite:///{db}")
    init_database(engine)
    engine.dispose()
    return {}


def _child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         env=os.environ | {"PYTHONPATH": str(ROOT)})
    if out.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- servers ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`resultsboard serve` on a database (or the bare page), in a process group of its own."""

    def __init__(self, db: Path | None, workdir: Path, wait_ready: bool = True):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # compiled modules are kept (in bench/out/pycache) as a deployed server keeps them: a
        # "first load after start" then measures the start of the service, not Python
        # compiling every module from source (which PYTHONDONTWRITEBYTECODE would force)
        env = os.environ | {"PYTHONPATH": str(ROOT), "RESULTSBOARD_TODAY": TODAY, "HOME": str(workdir),
                            "PYTHONPYCACHEPREFIX": str(OUT / "pycache")}
        env.pop("RESULTSBOARD_CONFIG", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if db is None:
            sys.path.insert(0, str(ROOT))
            from dashboard.serve import streamlit_command

            command = streamlit_command(self.port, secrets=[])
            command[command.index("run") + 1] = str(BARE_PAGE)
        else:
            env["DATABASE_URL"] = f"sqlite:///{db}"
            command = [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(self.port)]
        self.log = open(workdir / f"serve-{self.port}.log", "w")
        self.proc = subprocess.Popen(command, env=env, cwd=workdir, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        started = time.monotonic()
        deadline = started + 300
        answering = False
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited with {self.proc.returncode}: see {self.log.name}")
            if not answering:
                try:
                    with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2) as r:
                        answering = r.status == 200
                except OSError:
                    pass
                if answering:
                    self.answering_s = round(time.monotonic() - started, 2)
            # `resultsboard serve` reads and scores the programme as it starts, and says when it is done
            if answering and not wait_ready:
                self.ready_s = None
                return
            if answering and (db is None or self.is_ready()):
                self.ready_s = round(time.monotonic() - started, 2)
                self.ready_cpu_s = round(self.cpu_s(), 2)  # the start's own work (the programme read and scored)
                return
            if time.monotonic() > deadline:
                raise SystemExit(f"the server was not ready in 300 s: see {self.log.name}")
            time.sleep(0.2)

    def is_ready(self) -> bool:
        return any(line.startswith(READY) for line in Path(self.log.name).read_text().splitlines())

    def memory_mib(self) -> dict:
        """Resident and peak resident memory of the server process (VmRSS, VmHWM), in MiB."""
        fields = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = round(int(value.split()[0]) / 1024)
        return {"rss_mib": fields.get("VmRSS"), "peak_rss_mib": fields.get("VmHWM")}

    def cpu_s(self) -> float:
        """CPU seconds the server process has used (user + system): a page's server-side work,
        which other load on the machine does not inflate as much as wall time."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.log.close()


# --- loading a page -----------------------------------------------------------------------------

SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSpinner"], [data-testid="stSkeleton"], [data-stale="true"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.querySelector('h1')) return false;
  return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('svg.main-svg'));
}"""


def load(context, url: str) -> tuple[float, object]:
    """Open `url` in a new tab of `context`; seconds until Streamlit has finished (and the tab)."""
    page = context.new_page()
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    while True:
        page.wait_for_function(SETTLED, polling=50, timeout=LOAD_TIMEOUT_MS)
        done = time.perf_counter() - t0
        page.wait_for_timeout(300)
        if page.evaluate(SETTLED):  # steady: no rerun followed
            break
    errors = page.locator('[data-testid="stException"]')
    if errors.count():
        raise SystemExit(f"{url}: the page raised:\n{errors.first.inner_text()[:2000]}")
    return done, page


def browser_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of each Chromium process this benchmark started, by pid."""
    me, tick, out = os.getpid(), os.sysconf("SC_CLK_TCK"), {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if "chrom" not in (entry / "comm").read_text():
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            pid, parent = int(entry.name), int(fields[1])
            for _ in range(8):  # one of ours: this process is among its ancestors
                if parent in (me, 0, 1):
                    break
                parent = int(Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == me:
                out[pid] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, ValueError, IndexError):
            continue
    return out


def _cpu_since(before: dict[int, float]) -> float:
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in browser_cpu().items())


def load_closed(context, url: str, server: Server | None = None) -> float | tuple[float, float, float]:
    """Seconds to load `url` (the tab closed after); with `server`, also the server's CPU
    seconds meanwhile and the browser's (its processes' CPU until the page has finished: parsing
    and drawing what the server sent — steadier than wall time on a busy machine)."""
    before = server.cpu_s() if server else 0.0
    browser_before = browser_cpu() if server else {}
    seconds, page = load(context, url)
    browser = _cpu_since(browser_before) if server else 0.0
    page.close()
    return (seconds, server.cpu_s() - before, browser) if server else seconds


def _median(xs: list[float]) -> float:
    return round(statistics.median(xs), 3)


def measure_bare(browser, workdir: Path, runs: int) -> dict:
    server = Server(None, workdir)  # one unmeasured start and load first: its modules compiled once (see Server)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        load_closed(context, server.base)
        context.close()
    finally:
        server.stop()
    server = Server(None, workdir)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        cold, cold_cpu, _ = load_closed(context, server.base, server)
        loads = [load_closed(context, server.base, server) for _ in range(max(runs, 5))]
        context.close()
        warm = [x[0] for x in loads]
        return {"cold_s": round(cold, 3), "warm_s": _median(warm), "warm_runs_s": [round(x, 3) for x in warm],
                "cold_server_cpu_s": round(cold_cpu, 2), "warm_server_cpu_s": _median([x[1] for x in loads]),
                "warm_browser_cpu_s": _median([x[2] for x in loads])}
    finally:
        server.stop()


def measure_size(browser, db: Path, workdir: Path, pages: dict[str, str], runs: int, sessions: int, cold: bool,
                 warm: bool = True) -> dict:
    out: dict = {"pages": {name: {} for name in pages}}
    if cold:  # one unmeasured start first: every module compiled once (see Server)
        server = Server(db, workdir)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            load_closed(context, f"{server.base}/{next(iter(pages.values()))}")
            context.close()
        finally:
            server.stop()
        for name, path in pages.items():
            # a visitor arriving the moment the server answers: the load waits for whatever of
            # the start-up work (reading and scoring the programme) the page needs
            server = Server(db, workdir, wait_ready=False)
            try:
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                seconds, cpu, _ = load_closed(context, f"{server.base}/{path}", server)
                ready_before = server.is_ready()
                out["pages"][name].update(cold_s=round(seconds, 3), cold_server_cpu_s=round(cpu, 2),
                                          start_answering_s=server.answering_s,
                                          cold_from_start_s=round(server.answering_s + seconds, 2),
                                          warm_up_done_before_loaded=ready_before)
                context.close()
            finally:
                server.stop()
            print(f"  {name:<12} cold {out['pages'][name]['cold_s']:7.2f} s from when the server answered"
                  f" ({server.answering_s:.1f} s after its start); server CPU {cpu:.2f} s", flush=True)
    if not warm:
        return out
    server = Server(db, workdir)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        for name, path in pages.items():
            load_closed(context, f"{server.base}/{path}")  # one unmeasured load: the caches are warm after it
            loads = [load_closed(context, f"{server.base}/{path}", server) for _ in range(runs)]
            warm, cpu = [x[0] for x in loads], [x[1] for x in loads]
            out["pages"][name].update(warm_s=_median(warm), warm_runs_s=[round(x, 3) for x in warm],
                                      warm_server_cpu_s=_median(cpu), warm_browser_cpu_s=_median([x[2] for x in loads]))
            print(f"  {name:<12} warm {out['pages'][name]['warm_s']:7.2f} s  ({', '.join(f'{x:.2f}' for x in warm)});"
                  f" server CPU {out['pages'][name]['warm_server_cpu_s']:.2f} s, browser CPU"
                  f" {out['pages'][name]['warm_browser_cpu_s']:.2f} s", flush=True)
        context.close()
        out["memory_after_warm"] = server.memory_mib()
        # several sessions, each having loaded the seven pages, all still open
        open_tabs, contexts = [], []
        for _ in range(sessions):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            contexts.append(context)
            for i, path in enumerate(pages.values()):
                seconds, page = load(context, f"{server.base}/{path}")
                if i < len(pages) - 1:
                    page.close()
                else:
                    open_tabs.append(page)
        out["sessions"] = sessions
        out["memory"] = server.memory_mib()
        for context in contexts:
            context.close()
    finally:
        server.stop()
    return out


# --- report -------------------------------------------------------------------------------------


def summarise(result: dict) -> dict:
    bare = result["bare"]["warm_s"]
    sizes = result["sizes"]
    checks = {}
    for size, data in sizes.items():
        for name, p in data["pages"].items():
            if "warm_s" in p:
                p["warm_vs_bare"] = round(p["warm_s"] / bare, 2)
    if "10k" in sizes and "1m" in sizes:
        for name, p in sizes["1m"]["pages"].items():
            small = sizes["10k"]["pages"].get(name, {})
            if "warm_s" in p and "warm_s" in small:
                p["warm_vs_10k"] = round(p["warm_s"] / small["warm_s"], 2)
            if "cold_s" in p and "cold_s" in small:
                p["cold_vs_10k"] = round(p["cold_s"] / small["cold_s"], 2)
    if "10k" in sizes:
        checks["warm_10k_vs_bare"] = all(p.get("warm_vs_bare", 0) <= TARGETS["warm_10k_vs_bare"]
                                         for p in sizes["10k"]["pages"].values())
    if "1m" in sizes:
        pages = sizes["1m"]["pages"].values()
        if "10k" in sizes:
            checks["warm_1m_vs_10k"] = all(p.get("warm_vs_10k", 0) <= TARGETS["warm_1m_vs_10k"] for p in pages)
        if all("cold_s" in p for p in pages):
            checks["cold_1m_s"] = all(p["cold_s"] <= TARGETS["cold_1m_s"] for p in pages)
        rss = sizes["1m"].get("memory", {}).get("rss_mib")
        if rss is not None:
            checks["rss_1m_mib"] = rss <= TARGETS["rss_1m_mib"]
    result["targets"] = TARGETS
    result["met"] = checks
    return result


def print_table(result: dict) -> None:
    bare = result["bare"]
    sizes = result["sizes"]
    nan = float("nan")
    print(f"\nbare Streamlit page with one Plotly chart: warm {bare['warm_s']:.2f} s (server CPU "
          f"{bare['warm_server_cpu_s']:.2f} s, browser CPU {bare.get('warm_browser_cpu_s', nan):.2f} s), cold {bare['cold_s']:.2f} s")
    names = list(next(iter(sizes.values()))["pages"]) if sizes else []
    head = f"{'page':<12}"
    for size in sizes:
        head += f" | {size + ' warm':>9} {'x bare':>6} {'cpu':>6} {'browser':>7} {size + ' cold':>9}"
    if len(sizes) == 2:
        head += f" | {'1m/10k warm':>11} {'cold':>5}"
    print(head)
    print("-" * len(head))
    for name in names:
        line = f"{name:<12}"
        for size, data in sizes.items():
            p = data["pages"][name]
            line += (f" | {p.get('warm_s', nan):8.2f}s {p.get('warm_vs_bare', nan):5.1f}x {p.get('warm_server_cpu_s', nan):5.2f}s"
                     f" {p.get('warm_browser_cpu_s', nan):6.2f}s {p.get('cold_s', nan):8.2f}s")
        if len(sizes) == 2:
            p = sizes["1m"]["pages"][name]
            line += f" | {p.get('warm_vs_10k', nan):10.2f}x {p.get('cold_vs_10k', nan):4.1f}x"
        print(line)
    for size, data in sizes.items():
        m = data.get("memory", {})
        print(f"server memory at {size} with {data.get('sessions')} sessions open: {m.get('rss_mib')} MiB resident, "
              f"peak {m.get('peak_rss_mib')} MiB (after the warm loads: {data.get('memory_after_warm', {}).get('rss_mib')} MiB)")
    print("targets met:", json.dumps(result["met"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,1m", help="comma-separated: 10k, 1m")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names")
    parser.add_argument("--runs", type=int, default=3, help="warm loads per page (the median counts)")
    parser.add_argument("--sessions", type=int, default=4, help="browser sessions open when memory is read")
    parser.add_argument("--no-cold", action="store_true", help="skip the first-load-after-start measurements")
    parser.add_argument("--no-warm", action="store_true", help="only the first loads after start (no warm loads, no sessions)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the databases kept in bench/out/")
    parser.add_argument("--out", default=str(OUT / "pages.json"))
    parser.add_argument("--child", choices=["generate", "migrate"], help=argparse.SUPPRESS)
    parser.add_argument("--size", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        result = generate(args.size, Path(args.db)) if args.child == "generate" else migrate(Path(args.db))
        print(json.dumps(result))
        return 0

    from playwright.sync_api import sync_playwright

    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    pages = {name: PAGES[name] for name in (p.strip() for p in args.pages.split(",")) if name}
    dbs = {size: prepare_database(size, args.regenerate) for size in sizes}
    result: dict = {"machine": {"cpus": os.cpu_count()}, "today": TODAY, "runs": args.runs, "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        workdir = Path(tmp)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        print("bare page…", flush=True)
        result["bare"] = measure_bare(browser, workdir, args.runs)
        for size in sizes:
            partners, indicators, quarters = SIZES[size]
            print(f"[{size}] {partners} partners x {indicators} indicators x {quarters} quarters", flush=True)
            result["sizes"][size] = measure_size(browser, dbs[size], workdir, pages, args.runs, args.sessions,
                                                 not args.no_cold, not args.no_warm)
        browser.close()
    summarise(result)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

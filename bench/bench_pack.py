"""Benchmark: the demo's donor pack for each donor, cold and warm.

- cli: `resultsboard export pack --donor CODE --out FILE.zip`, timed from the command's start
  to its exit (a fresh process: imports, Chromium start, every chart drawn and rendered), and
  its CPU time (cli cpu: the command and its Chromium; steadier than wall time on a busy machine);
- page first: build_pack in a process that has imported everything and read the programme
  but not started Chromium (the donors page's first "Donor pack" click after a start);
- page next: build_pack again in that process for another donor (Chromium running; images
  shared with an earlier pack are reused);
- page again: the same donor's pack again (every image reused: a rebuild for a new session
  or after the filters came back).

Python's compiled modules are kept in bench/out/pycache (as an installed package keeps them);
"as of" is pinned (RESULTSBOARD_TODAY). Each figure is the median of --runs runs, the runs
of the checkouts compared interleaved (--baseline PATH: another checkout, e.g. a git worktree
of the commit before, measured side by side in the same run — the machine's load changes).

Target (issue 12): the demo pack for each donor in a few seconds (cli <= 5 s).

Run: `make bench` or `.venv/bin/python bench/bench_pack.py [--runs 3] [--donors NOR,CAN]
[--baseline ../before] [--no-page] [--regenerate]`. Results are printed and written to bench/out/pack.json.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
DATABASE = OUT / "pack-demo.db"
TODAY = "2026-06-30"
TARGET_CLI_S = 5.0


def _env(checkout: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(checkout), PYTHONPYCACHEPREFIX=str(OUT / "pycache"), RESULTSBOARD_TODAY=TODAY,
               DATABASE_URL=f"sqlite:///{DATABASE}")
    return env


def _demo(regenerate: bool) -> None:
    if DATABASE.exists() and not regenerate:
        return
    DATABASE.unlink(missing_ok=True)
    print(f"creating the demo database {DATABASE} ...", flush=True)
    subprocess.run([sys.executable, "-m", "dashboard.cli", "init", "--demo"], env=_env(ROOT), cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def _cli(checkout: Path, donor: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its Chromium) of one `export pack`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix="bench-pack-") as folder:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "dashboard.cli", "export", "pack", "--donor", donor, "--out",
                               f"{folder}/pack.zip"], env=_env(checkout), cwd=checkout, capture_output=True, text=True)
        took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"export pack failed in {checkout}:\n{done.stderr}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _page(checkout: Path, donors: list[str]) -> dict:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", ",".join(donors)],
                          env=_env(checkout), cwd=checkout, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"build_pack failed in {checkout}:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(donors: list[str]) -> None:
    """In-process: the page's first build, then each other donor's, then the first again; the
    programme already read and scored, as the donors page has it when the button is clicked."""
    import inspect

    from dashboard.packs import build_pack
    from models.access import LOCAL_ADMIN
    from models.db import make_engine
    from models.queries.filters import Filters
    from models.queries.rollups import progress_table
    from models.queries.snapshot import load_snapshot, view

    engine = make_engine(os.environ["DATABASE_URL"])
    snap = load_snapshot(engine)
    progress_table(view(snap, Filters(), LOCAL_ADMIN))
    shared = {"snapshot": snap} if "snapshot" in inspect.signature(build_pack).parameters else {}
    timings = {}
    for label, donor in [("page first", donors[0]), *[("page next", d) for d in donors[1:]], ("page again", donors[0])]:
        start = time.perf_counter()
        build_pack(engine, donor, scope=LOCAL_ADMIN, **shared)
        timings.setdefault(label, {})[donor] = time.perf_counter() - start
    print(json.dumps(timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--donors", default="NOR,CAN")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured side by side")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--no-page", action="store_true", help="the command only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args.child.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    _demo(args.regenerate)
    donors = args.donors.split(",")
    checkouts = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    samples: dict = {name: {} for name in checkouts}
    for name, checkout in checkouts.items():  # one unmeasured run each: compiled modules, disk cache
        _cli(checkout, donors[0])
    for run in range(args.runs):
        for name, checkout in checkouts.items():
            for donor in donors:
                took, cpu = _cli(checkout, donor)
                samples[name].setdefault("cli", {}).setdefault(donor, []).append(took)
                samples[name].setdefault("cli cpu", {}).setdefault(donor, []).append(cpu)
                print(f"run {run + 1}: {name} cli {donor} {took:.2f} s ({cpu:.2f} s of CPU)", flush=True)
            if args.no_page:
                continue
            for label, per_donor in _page(checkout, donors).items():
                for donor, took in per_donor.items():
                    samples[name].setdefault(label, {}).setdefault(donor, []).append(took)
                    print(f"run {run + 1}: {name} {label} {donor} {took:.2f} s", flush=True)
    results = {name: {label: {d: round(statistics.median(t), 2) for d, t in per.items()} for label, per in kinds.items()}
               for name, kinds in samples.items()}
    print(f"\ndemo donor pack, seconds (median of {args.runs}; load average now {os.getloadavg()[0]:.1f})")
    labels = ["cli", "cli cpu", "page first", "page next", "page again"]
    print(f"{'':10}{'':8}" + "".join(f"{label:>12}" for label in labels))
    for name, kinds in results.items():
        for donor in donors:
            cells = "".join(f"{kinds.get(label, {}).get(donor, float('nan')):>12.2f}" for label in labels)
            print(f"{name:10}{donor:8}{cells}")
    worst = max(results["this"]["cli"].values())
    print(f"target: cli <= {TARGET_CLI_S:.0f} s for each donor: {'met' if worst <= TARGET_CLI_S else 'NOT met'} "
          f"(slowest {worst:.2f} s)")
    (OUT / "pack.json").write_text(json.dumps({"runs": args.runs, "results": results, "samples": samples}, indent=1))


if __name__ == "__main__":
    main()

"""Sanity checks for the demo seed files (standard library; uses models/ when importable).

Run from anywhere:  python seeds/check_seeds.py      (exit code 0 = all checks passed)

This is not the import engine: it checks the seeds against DESIGN.md's upload contract so that
`resultsboard init --demo` has nothing to refuse. The import engine remains the authority.
"""
from __future__ import annotations

import csv
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

EXPECTED = {
    "01_donors.csv": ("donors", ["code", "name", "country"]),
    "02_partners.csv": ("partners", ["code", "name", "country", "region", "joined_on", "status"]),
    "03_funding.csv": ("funding", ["donor", "phase", "partner", "amount", "currency", "signed_on",
                                   "start", "end"]),
    "04_framework.csv": ("framework", ["code", "title", "level", "parent"]),
    "05_indicators.csv": ("indicators", ["code", "name", "level", "measure", "ascending", "unit",
                                         "key_factor", "result", "description", "cumulative",
                                         "scale_min", "scale_max"]),
    "06_activities.csv": ("activities", ["code", "title", "type", "start", "end", "mode", "status",
                                         "partners", "donor", "participants", "key_factors",
                                         "description"]),
    "07_results.csv": ("results", ["indicator", "partner", "period_start", "period_end", "target",
                                   "actual", "baseline", "baseline_year", "comment", "dimension",
                                   "dimension_value"]),
}
REGIONS = {"AME", "ESA", "EUR", "AP", "MENA", "WCA"}
LEVELS = {"impact", "outcome", "output", "other"}
MEASURES = {"unit", "percentage", "ordinal", "qualitative"}
TYPES = {"meeting", "technical-assistance", "capacity-building", "survey", "e-learning",
         "diagnostic", "other"}
MODES = {"remote", "in-person", "hybrid"}
ACT_STATUS = {"planned", "ongoing", "completed", "cancelled"}
BOOLS = {"true", "false"}

problems: list[str] = []


def bad(file: str, rownum: int, msg: str) -> None:
    problems.append(f"{file}:{rownum}: {msg}")


def iso(file: str, rownum: int, col: str, text: str, required: bool = False) -> date | None:
    if not text:
        if required:
            bad(file, rownum, f"{col} is empty")
        return None
    try:
        d = date.fromisoformat(text)
    except ValueError:
        bad(file, rownum, f"{col} is not an ISO date: {text!r}")
        return None
    if d.isoformat() != text:
        bad(file, rownum, f"{col} is not YYYY-MM-DD: {text!r}")
    return d


def num(file: str, rownum: int, col: str, text: str) -> float | None:
    if text == "":
        return None
    try:
        v = float(text)
    except ValueError:
        bad(file, rownum, f"{col} is not a number: {text!r}")
        return None
    if v != v or v in (float("inf"), float("-inf")):
        bad(file, rownum, f"{col} is not finite: {text!r}")
    return v


def load(name: str) -> list[dict[str, str]]:
    raw = (HERE / name).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        bad(name, 1, "file starts with a BOM")
    if not raw.endswith(b"\n"):
        bad(name, 0, "file does not end with a newline")
    text = raw.decode("utf-8")
    reader = csv.reader(text.splitlines())
    rows = list(reader)
    header = rows[0]
    kind, expected = EXPECTED[name]
    if header != expected:
        bad(name, 1, f"header {header} != {expected}")
    try:
        from models.formats import KINDS

        unknown = set(header) - set(KINDS[kind].columns)
        missing = set(KINDS[kind].required) - set(header)
        if unknown:
            bad(name, 1, f"columns not in models.formats: {sorted(unknown)}")
        if missing:
            bad(name, 1, f"required columns missing: {sorted(missing)}")
    except ImportError:
        pass
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            bad(name, i, f"{len(r)} cells for {len(header)} columns")
            continue
        for col, cell in zip(header, r):
            if cell != cell.strip():
                bad(name, i, f"{col} has surrounding spaces")
            if cell[:1] in ("=", "+", "-", "@"):
                bad(name, i, f"{col} starts with a formula character: {cell!r}")
        d = dict(zip(header, r))
        d["_row"] = str(i)
        out.append(d)
    return out


def unique(name: str, rows, key) -> None:
    seen: dict[tuple, str] = {}
    for r in rows:
        k = tuple(r[c].strip().lower() for c in key)
        if k in seen:
            bad(name, int(r["_row"]), f"duplicate key {k} (first at row {seen[k]})")
        seen[k] = r["_row"]


def main() -> int:
    country_code = None
    try:
        from models.reference import country_code  # noqa: F811  (needs pycountry)
    except ImportError:
        pass

    donors = load("01_donors.csv")
    partners = load("02_partners.csv")
    funding = load("03_funding.csv")
    framework = load("04_framework.csv")
    indicators = load("05_indicators.csv")
    activities = load("06_activities.csv")
    results = load("07_results.csv")

    # donors
    unique("01_donors.csv", donors, ["code"])
    donor_codes = {d["code"] for d in donors}
    for d in donors:
        if country_code and d["country"] and not country_code(d["country"]):
            bad("01_donors.csv", int(d["_row"]), f"unknown country {d['country']!r}")

    # partners
    f = "02_partners.csv"
    unique(f, partners, ["code"])
    pcodes = {p["code"] for p in partners}
    joined = {}
    for p in partners:
        n = int(p["_row"])
        for c in ("code", "name", "country", "region"):
            if not p[c]:
                bad(f, n, f"{c} is empty")
        if p["region"] not in REGIONS:
            bad(f, n, f"unknown region {p['region']!r}")
        if p["status"] not in ("active", "inactive"):
            bad(f, n, f"bad status {p['status']!r}")
        joined[p["code"]] = iso(f, n, "joined_on", p["joined_on"])
        if country_code and not country_code(p["country"]):
            bad(f, n, f"unknown country {p['country']!r}")

    # funding
    f = "03_funding.csv"
    unique(f, funding, ["donor", "partner", "phase"])
    agreements = set()
    for r in funding:
        n = int(r["_row"])
        if r["donor"] not in donor_codes:
            bad(f, n, f"unknown donor {r['donor']!r}")
        if not r["phase"] and not r["partner"]:
            bad(f, n, "needs phase or partner")
        s = iso(f, n, "start", r["start"])
        e = iso(f, n, "end", r["end"])
        iso(f, n, "signed_on", r["signed_on"])
        if s and e and e < s:
            bad(f, n, "end before start")
        num(f, n, "amount", r["amount"])
        if r["partner"]:
            if r["partner"] not in pcodes:
                bad(f, n, f"unknown partner {r['partner']!r}")
            if r["amount"] or r["currency"]:
                bad(f, n, "per-partner amount given (never invent a split)")
        else:
            agreements.add((r["donor"], r["phase"]))
            if r["amount"] and not r["currency"]:
                bad(f, n, "amount without currency")
    for r in funding:
        if r["partner"] and (r["donor"], r["phase"]) not in agreements:
            bad(f, int(r["_row"]), f"no agreement for donor {r['donor']} phase {r['phase']!r}")
    funded = {r["partner"] for r in funding if r["partner"]}
    for c in sorted(pcodes - funded):
        bad(f, 0, f"partner {c} has no funding row")

    # framework
    f = "04_framework.csv"
    unique(f, framework, ["code"])
    level_of = {}
    for r in framework:
        n = int(r["_row"])
        if r["level"] not in LEVELS:
            bad(f, n, f"bad level {r['level']!r}")
        if r["parent"] and r["parent"] not in level_of:
            bad(f, n, f"parent {r['parent']!r} unknown or defined after its child")
        level_of[r["code"]] = r["level"]

    # indicators
    f = "05_indicators.csv"
    unique(f, indicators, ["code"])
    ind = {}
    kfs = set()
    for r in indicators:
        n = int(r["_row"])
        ind[r["code"]] = r
        if r["level"] not in LEVELS:
            bad(f, n, f"bad level {r['level']!r}")
        if r["measure"] not in MEASURES:
            bad(f, n, f"bad measure {r['measure']!r}")
        for c in ("ascending", "cumulative"):
            if r[c] not in BOOLS:
                bad(f, n, f"{c} must be true/false: {r[c]!r}")
        if r["result"]:
            if r["result"] not in level_of:
                bad(f, n, f"unknown result {r['result']!r}")
            elif level_of[r["result"]] != r["level"]:
                bad(f, n, f"level {r['level']} != result level {level_of[r['result']]}")
        if r["key_factor"]:
            if not r["key_factor"].isdigit() or not 1 <= int(r["key_factor"]) <= 10:
                bad(f, n, f"bad key_factor {r['key_factor']!r}")
            kfs.add(r["key_factor"])
        has_scale = bool(r["scale_min"] or r["scale_max"])
        if r["measure"] == "ordinal":
            lo, hi = num(f, n, "scale_min", r["scale_min"]), num(f, n, "scale_max", r["scale_max"])
            if lo is None or hi is None or lo >= hi:
                bad(f, n, "ordinal needs scale_min < scale_max")
        elif has_scale:
            bad(f, n, "scale given for a non-ordinal indicator")
    if len(kfs) < 5:
        bad(f, 0, f"only {len(kfs)} key factors covered")
    if {r["measure"] for r in indicators} != MEASURES:
        bad(f, 0, "not every measure is covered")

    # activities
    f = "06_activities.csv"
    unique(f, activities, ["code"])
    for r in activities:
        n = int(r["_row"])
        if r["type"] not in TYPES:
            bad(f, n, f"bad type {r['type']!r}")
        if r["mode"] and r["mode"] not in MODES:
            bad(f, n, f"bad mode {r['mode']!r}")
        if r["status"] and r["status"] not in ACT_STATUS:
            bad(f, n, f"bad status {r['status']!r}")
        s = iso(f, n, "start", r["start"], required=True)
        e = iso(f, n, "end", r["end"])
        if s and e and e < s:
            bad(f, n, "end before start")
        if r["donor"] and r["donor"] not in donor_codes:
            bad(f, n, f"unknown donor {r['donor']!r}")
        if r["participants"] and not r["participants"].isdigit():
            bad(f, n, f"participants not an integer: {r['participants']!r}")
        for p in filter(None, r["partners"].split(";")):
            if p not in pcodes:
                bad(f, n, f"unknown partner {p!r}")
            elif s and joined[p] and e and joined[p] > e:
                bad(f, n, f"partner {p} joined after the activity ended")
        for k in filter(None, r["key_factors"].split(";")):
            if not k.isdigit() or not 1 <= int(k) <= 10:
                bad(f, n, f"bad key factor {k!r}")

    # results
    f = "07_results.csv"
    unique(f, results, ["indicator", "partner", "period_start", "period_end", "dimension",
                        "dimension_value"])
    unique(f, [r for r in results if r["baseline"]],
           ["indicator", "partner", "dimension", "dimension_value", "baseline_year"])
    spans: dict[tuple, dict[str, list]] = defaultdict(lambda: {"target": [], "actual": []})
    for r in results:
        n = int(r["_row"])
        i = ind.get(r["indicator"])
        if i is None:
            bad(f, n, f"unknown indicator {r['indicator']!r}")
            continue
        if r["partner"] and r["partner"] not in pcodes:
            bad(f, n, f"unknown partner {r['partner']!r}")
        s = iso(f, n, "period_start", r["period_start"], required=True)
        e = iso(f, n, "period_end", r["period_end"], required=True)
        if s and e and e < s:
            bad(f, n, "period_end before period_start")
        if r["partner"] and s and joined.get(r["partner"]) and e < joined[r["partner"]]:
            bad(f, n, "period ends before the partner joined")
        if not (r["target"] or r["actual"] or r["baseline"]):
            bad(f, n, "no target, actual or baseline")
        if r["baseline"] and not r["baseline_year"]:
            bad(f, n, "baseline without baseline_year")
        if r["baseline_year"] and not (r["baseline_year"].isdigit() and len(r["baseline_year"]) == 4):
            bad(f, n, f"bad baseline_year {r['baseline_year']!r}")
        if bool(r["dimension"]) != bool(r["dimension_value"]):
            bad(f, n, "dimension and dimension_value must be given together")
        if i["measure"] != "qualitative":
            for c in ("target", "actual", "baseline"):
                v = num(f, n, c, r[c])
                if v is None:
                    continue
                if v < 0:
                    bad(f, n, f"{c} negative")
                if i["measure"] == "percentage" and not 0 <= v <= 100:
                    bad(f, n, f"{c} {v} outside 0-100")
                if i["measure"] == "ordinal" and not float(i["scale_min"]) <= v <= float(i["scale_max"]):
                    bad(f, n, f"{c} {v} outside the scale")
        key = (r["indicator"], r["partner"], r["dimension"], r["dimension_value"])
        for c in ("target", "actual"):
            if r[c] and s and e:
                spans[key][c].append((s, e, n))
    for key, cols in spans.items():
        for c, lst in cols.items():
            lst.sort()
            for (s1, e1, n1), (s2, e2, n2) in zip(lst, lst[1:]):
                if s2 <= e1:
                    bad(f, n2, f"{c} period overlaps row {n1} for {key}")

    counts = {name: len(rows) for name, rows in [
        ("01_donors.csv", donors), ("02_partners.csv", partners), ("03_funding.csv", funding),
        ("04_framework.csv", framework), ("05_indicators.csv", indicators),
        ("06_activities.csv", activities), ("07_results.csv", results)]}
    for name, c in counts.items():
        print(f"{name}: {c} rows")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  " + p)
        return 1
    print("\nAll checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

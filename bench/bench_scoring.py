"""Benchmark: the progress rules (models/scoring) on a large programme, in memory.

A programme of P partners x I indicators, half of them quarterly (quarterly actuals against
annual targets, split by sex), half annual, over Y years, with a baseline per pair. Times
`score_pairs` (one row per pair), `rollup` by partner and `due_reports` (every report due),
each the best of three runs, and the process's peak memory. No database: this measures the
engine alone, which every page, export and `resultsboard progress` / `missing` call.

Run: `.venv/bin/python bench/bench_scoring.py [--partners 250 --indicators 40 --years 8]`.
Results are printed and written to bench/out/scoring.json.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.scoring.pairs import rollup, score_pairs  # noqa: E402
from models.scoring.reporting import due_reports  # noqa: E402

QUARTERS = ((1, 3, 31), (4, 6, 30), (7, 9, 30), (10, 12, 31))


def programme(partners: int, indicators: int, years: int, seed: int = 42):
    """(values, indicators, baselines, partners) frames in the shape load_snapshot gives."""
    rng = np.random.default_rng(seed)
    codes = [f"P{p:03d}" for p in range(partners)]
    inds = pd.DataFrame({
        "code": [f"I{i:02d}" for i in range(indicators)],
        "measure": ["unit" if i % 2 == 0 else "percentage" for i in range(indicators)],
        "ascending": True, "cumulative": False, "scale_min": np.nan, "scale_max": np.nan,
        "frequency": ["quarterly" if i % 4 < 2 else "annual" for i in range(indicators)],
        "aggregation": ["sum" if i % 2 == 0 else "mean" for i in range(indicators)],
    })
    rows = []
    first = 2026 - years
    for ind in inds.itertuples():
        for partner in codes:
            for year in range(first, 2026):
                rows.append((ind.code, partner, date(year, 1, 1), date(year, 12, 31), "", "", 100.0, np.nan))
                if ind.frequency == "quarterly":
                    for q, (m1, m2, d2) in enumerate(QUARTERS):
                        actual = float(rng.integers(10, 40))
                        rows.append((ind.code, partner, date(year, m1, 1), date(year, m2, d2), "", "", np.nan, actual))
                        rows.append((ind.code, partner, date(year, m1, 1), date(year, m2, d2), "sex", "women", np.nan, actual // 2))
                        rows.append((ind.code, partner, date(year, m1, 1), date(year, m2, d2), "sex", "men", np.nan, actual - actual // 2))
                else:
                    rows.append((ind.code, partner, date(year, 1, 1), date(year, 12, 31), "", "", np.nan, float(rng.integers(40, 100))))
    values = pd.DataFrame(rows, columns=["indicator", "partner", "period_start", "period_end", "dimension",
                                         "dimension_value", "target", "actual"])
    # one row per period holds both the target and the annual actual, as an upload stores it
    values = values.groupby(["indicator", "partner", "period_start", "period_end", "dimension", "dimension_value"],
                            as_index=False, sort=False).first()
    values["target_text"] = values["actual_text"] = values["comment"] = None
    baselines = pd.DataFrame({
        "indicator": np.repeat(inds["code"].to_numpy(), partners), "partner": codes * indicators,
        "dimension": "", "dimension_value": "", "year": first - 1, "value": 20.0, "value_text": None,
    })
    return values, inds, baselines, pd.DataFrame({"code": codes, "status": "active"})


def best_of(runs: int, fn):
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partners", type=int, default=250)
    ap.add_argument("--indicators", type=int, default=40)
    ap.add_argument("--years", type=int, default=8)
    args = ap.parse_args(argv)
    values, inds, baselines, partners = programme(args.partners, args.indicators, args.years)
    as_of = date(2026, 6, 30)
    t_score, pairs = best_of(3, lambda: score_pairs(values, inds, baselines, as_of=as_of))
    t_rollup, by_partner = best_of(3, lambda: rollup(pairs, "partner"))
    t_due, due = best_of(3, lambda: due_reports(values, inds, partners, as_of=as_of))
    result = {
        "value_rows": len(values), "pairs": len(pairs), "reports_due": len(due),
        "score_pairs_s": round(t_score, 3), "rollup_by_partner_s": round(t_rollup, 3),
        "due_reports_s": round(t_due, 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "statuses": pairs["status"].value_counts().to_dict(), "partners_rolled_up": len(by_partner),
    }
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "scoring.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

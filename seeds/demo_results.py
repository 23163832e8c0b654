"""The demo's indicator values (07_results.csv): every target, actual and baseline is
ILLUSTRATIVE, generated here — never an official result of the programme.

Part of seeds/generate_demo.py (run that); standard library only.
"""
from __future__ import annotations

import random

from demo_facts import (
    ACTION_PLAN_STAGES,
    AFG_LAST_YEAR,
    AMERICAS,
    CIPS_2020,
    CODES,
    CORE,
    JOIN_YEAR,
    LAST_YEAR,
    OPTIONAL,
    QUARTERLY_FROM,
    clamp,
    f1,
    f2,
    quarter_span,
    year_span,
)


def results(rng: random.Random, meeting: dict[int, int], meeting_target: dict[int, int],
            cips_2023: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    qrng = random.Random(8)  # quarters and the split by sex only: the yearly figures stay as they were

    def row(ind, partner, span, target="", actual="", baseline="", baseline_year="", comment="",
            dim="", dval=""):
        rows.append([ind, partner, span[0], span[1], target, actual, baseline,
                     str(baseline_year) if baseline_year != "" else "", comment, dim, dval])

    def per_quarter(ind: str, code: str, y: int) -> bool:
        """IND04 and IND06 are reported per quarter from QUARTERLY_FROM (not in a joining year);
        the Americas administrations keep sending IND04 once a year (an annual actual on a
        quarterly indicator is accepted)."""
        if ind == "IND04" and code in AMERICAS:
            return False
        return y >= QUARTERLY_FROM and y > JOIN_YEAR[code]

    def quarters_due(y: int) -> int:
        """Quarters reported in a quarterly year: about one partner in five is late with Q4 2025."""
        return 3 if y == LAST_YEAR and qrng.random() < 0.2 else 4

    def percentage_quarters(ind: str, code: str, y: int, a: float) -> int:
        """Quarterly percentages rising through the year whose mean is the year's figure `a`."""
        tenths = round(a * 10)
        step = qrng.randint(2, 12)  # tenths of a point per quarter
        q = [tenths + round((k - 1.5) * step) + qrng.randint(-2, 2) for k in range(3)]
        q.append(4 * tenths - sum(q))
        if not all(0 <= v <= 1000 for v in q):
            q = [tenths] * 4
        n = quarters_due(y)
        for k in range(n):
            row(ind, code, quarter_span(y, k + 1), actual=f1(q[k] / 10))
        return n

    women_share: dict[str, float] = {}
    breakdown_only: set[str] = set()

    def count_quarters(ind: str, code: str, y: int, a: int) -> int:
        """Quarterly counts that add up to the year's figure `a`, each split into women and men;
        some partners send only the breakdown (no total row)."""
        if code not in women_share:
            women_share[code] = qrng.uniform(0.25, 0.55)
            if qrng.random() < 0.35:
                breakdown_only.add(code)
        weights = [qrng.uniform(0.6, 1.4) for _ in range(4)]
        q = [int(a * w / sum(weights)) for w in weights[:3]]
        q.append(a - sum(q))
        n = quarters_due(y)
        for k in range(n):
            span = quarter_span(y, k + 1)
            women = round(q[k] * women_share[code])
            if code not in breakdown_only:
                row(ind, code, span, actual=str(q[k]))
            row(ind, code, span, actual=str(women), dim="sex", dval="women")
            row(ind, code, span, actual=str(q[k] - women), dim="sex", dval="men")
        return n

    def quarterly_comment(n: int) -> str:
        return "" if n == 4 else "Q4 report not yet received"

    # Which partners track which optional indicators.
    tracked: dict[str, list[str]] = {}
    for code in CODES:
        k = rng.choice([1, 2, 2, 3])
        picks = rng.sample(OPTIONAL, k)
        tracked[code] = [i for i in ["IND03", "IND04", "IND05", "IND06", "IND07", "IND08", "IND09"]
                         if i in CORE or i in picks]

    # Reporting gaps for the latest year: three partners sent nothing for 2025; others miss some.
    active_2025 = [c for c in CODES if c not in ("AFG", "UKR")]
    silent_2025 = set(rng.sample(active_2025, 3))

    def missing(code: str, year: int) -> bool:
        if code == "AFG" and year == AFG_LAST_YEAR:
            return True
        if year == LAST_YEAR:
            return code in silent_2025 or rng.random() < 0.15
        return rng.random() < 0.03

    def gap_comment(code: str, year: int) -> str:
        if code == "AFG" and year == AFG_LAST_YEAR:
            return "No report received after August 2021"
        return "Report not yet received" if year == LAST_YEAR else "Not reported"

    # Performance profile per (partner, indicator): ahead / on track / at risk / off track.
    def profile() -> float:
        r = rng.random()
        if r < 0.30:
            return rng.uniform(1.02, 1.25)
        if r < 0.65:
            return rng.uniform(0.80, 1.0)
        if r < 0.85:
            return rng.uniform(0.55, 0.78)
        return rng.uniform(0.20, 0.50)

    for code in CODES:
        first = JOIN_YEAR[code]
        last = AFG_LAST_YEAR if code == "AFG" else LAST_YEAR
        years = list(range(first, last + 1))
        # Plans were set for the whole programme; Afghanistan's stop when it became inactive.
        horizon = len(range(first, LAST_YEAR + 1))
        by = first - 1  # baseline year
        for ind in tracked[code]:
            p = profile()
            if ind == "IND03":  # release time, hours, descending
                b = rng.uniform(18, 96)
                goal = b * rng.uniform(0.45, 0.70)
                for k, y in enumerate(years):
                    t = b - (b - goal) * (k + 1) / horizon
                    a = b - (b - t) * p * rng.uniform(0.9, 1.1)
                    gap = missing(code, y)
                    row(ind, code, year_span(y), f1(t), "" if gap else f1(max(a, 1.0)),
                        f1(b) if k == 0 else "", by if k == 0 else "",
                        gap_comment(code, y) if gap else "")
            elif ind in ("IND04", "IND05"):  # percentages
                b = rng.uniform(30, 85) if ind == "IND04" else rng.uniform(15, 70)
                goal = min(100.0, b + rng.uniform(15, 40))
                for k, y in enumerate(years):
                    t = b + (goal - b) * (k + 1) / horizon
                    a = clamp(b + (t - b) * p * rng.uniform(0.9, 1.1), 0, 100)
                    gap = missing(code, y)
                    if ind == "IND04" and per_quarter(ind, code, y) and not gap:
                        n = percentage_quarters(ind, code, y, a)  # annual target, quarterly actuals
                        row(ind, code, year_span(y), f1(t), comment=quarterly_comment(n))
                        continue
                    row(ind, code, year_span(y), f1(t), "" if gap else f1(a),
                        f1(b) if k == 0 else "", by if k == 0 else "",
                        gap_comment(code, y) if gap else "")
            elif ind == "IND06":  # officers trained, cumulative: per-year counts
                for k, y in enumerate(years):
                    t = 5 * rng.randint(6, 40)
                    if y == first and code in AMERICAS + ["UKR"]:
                        t = 5 * rng.randint(3, 10)  # joined mid-year
                    a = round(t * p * rng.uniform(0.85, 1.15))
                    gap = missing(code, y)
                    if per_quarter(ind, code, y) and not gap:
                        n = count_quarters(ind, code, y, a)  # annual target, quarterly actuals by sex
                        row(ind, code, year_span(y), str(t), comment=quarterly_comment(n))
                        continue
                    row(ind, code, year_span(y), str(t), "" if gap else str(a),
                        "0" if k == 0 else "", by if k == 0 else "",
                        gap_comment(code, y) if gap else "")
            elif ind == "IND07":  # complaints investigated
                b = rng.randint(4, 40)
                goal = b * rng.uniform(1.5, 2.5)
                for k, y in enumerate(years):
                    t = round(b + (goal - b) * (k + 1) / horizon)
                    a = round(b + (t - b) * p * rng.uniform(0.85, 1.15))
                    gap = missing(code, y)
                    row(ind, code, year_span(y), str(t), "" if gap else str(a),
                        str(b) if k == 0 else "", by if k == 0 else "",
                        gap_comment(code, y) if gap else "")
            elif ind == "IND09":  # private sector consultations per year
                b = rng.randint(0, 3)
                goal = rng.randint(6, 12)
                for k, y in enumerate(years):
                    t = round(b + (goal - b) * (k + 1) / horizon)
                    a = round(b + (t - b) * p * rng.uniform(0.85, 1.15))
                    gap = missing(code, y)
                    row(ind, code, year_span(y), str(t), "" if gap else str(a),
                        str(b) if k == 0 else "", by if k == 0 else "",
                        gap_comment(code, y) if gap else "")
            elif ind == "IND08":  # qualitative: stage of the integrity action plan
                lag = 0 if p >= 0.8 else (1 if p >= 0.5 else 2)
                for k, y in enumerate(years):
                    t_stage = min(2 + k, len(ACTION_PLAN_STAGES) - 1)
                    a_stage = max(1, t_stage - lag - (1 if rng.random() < 0.15 else 0))
                    gap = missing(code, y)
                    row(ind, code, year_span(y), ACTION_PLAN_STAGES[t_stage],
                        "" if gap else ACTION_PLAN_STAGES[a_stage],
                        ACTION_PLAN_STAGES[0] if k == 0 else "", by if k == 0 else "",
                        gap_comment(code, y) if gap else "")

    # ---- survey scores (ordinal 1-5) by respondent group ----------------------------------------
    groups = [("customs officers", (3.0, 3.9)), ("private sector", (2.4, 3.4))]
    for ind, shift in (("IND01", 0.0), ("IND02", -0.25)):
        for code in CODES:
            if code == "UKR":
                r1 = 2024
            elif code in CIPS_2020:
                r1 = 2020
            else:
                r1 = 2021
            for dval, (lo, hi) in groups:
                v1 = round(rng.uniform(lo, hi) + shift, 2)
                row(ind, code, year_span(r1), "", f2(v1), f2(v1), r1,
                    "First survey round (baseline)", "respondent", dval)
                if code in ("AFG", "UKR"):
                    continue
                if code not in cips_2023:
                    continue  # no second round: the first-round values stand alone
                # Perceptions improved overall between rounds (WCO, Feb 2024); a few declined.
                t2 = clamp(v1 + rng.uniform(0.2, 0.45), 1, 5)
                up = rng.random() < 0.85
                v2 = clamp(v1 + (rng.uniform(0.1, 0.6) if up else rng.uniform(-0.2, 0.1)), 1, 5)
                row(ind, code, year_span(2023), f2(t2), f2(v2), comment="Second survey round",
                    dim="respondent", dval=dval)

    # ---- programme level (empty partner) ----------------------------------------------------------
    # E-learning completions per quarter; calibrated so that completions to the end of March 2022
    # exceed 3,000 ("more than 3,000" in the A-CIP Report of March 2022). Values illustrative.
    q_target = {2021: 700, 2022: 500, 2023: 400, 2024: 350, 2025: 300}
    q_range = {2021: (650, 800), 2022: (450, 600), 2023: (330, 480), 2024: (280, 420), 2025: (220, 360)}
    for y in range(2021, LAST_YEAR + 1):
        for q in range(1, 5):
            gap = (y, q) == (LAST_YEAR, 4)
            a = rng.randint(*q_range[y])
            row("IND10", "", quarter_span(y, q), str(q_target[y]), "" if gap else str(a),
                comment="Figure for the quarter pending" if gap else "")
    for y in range(2020, LAST_YEAR + 1):
        note = {2021: "Reported as more than 50", 2022: "Reported as more than 80"}.get(y, "")
        row("IND11", "", year_span(y), str(meeting_target[y]), str(meeting[y]), comment=note)
    return rows

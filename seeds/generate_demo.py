"""Generate the Resultsboard demo programme (the WCO A-CIP Programme) as seed CSV files.

Run from anywhere:  python seeds/generate_demo.py

The facts and shared helpers live in demo_facts.py, the indicator values in
demo_results.py; this script writes the files.

Standard library only. Everything random comes from ``random.Random(42)`` consumed in a
fixed order, and the split of yearly figures into quarters and by sex from a second
``random.Random(8)``, so two runs write byte-identical files (UTF-8, no BOM, ``\\n`` line
endings).

What is sourced and what is made up (see SOURCES.md for the publications):
- donors, agreements (amounts, currencies, signing dates), partner administrations, who funds
  whom, and the dated activities marked "Source:" in their description are public facts;
- every indicator value (targets, actuals, baselines), every per-activity participant count
  not marked as reported, the choice of which partners track which indicators, and every
  activity whose description says "Illustrative" are ILLUSTRATIVE: generated here, never
  official results of the programme.
"""
from __future__ import annotations

import random

from demo_facts import (
    ADDENDUM,
    AGREEMENTS,
    ALL_BUT_AFG,
    AMERICAS,
    CIPS_2020,
    CIPS_2021,
    CODES,
    DONORS,
    FRAMEWORK,
    INDICATORS,
    IND_COLUMNS,
    INITIAL,
    NORAD,
    PARTNERS,
    write_csv,
)
from demo_results import results


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


def build(rng: random.Random) -> dict[str, tuple[list[str], list[list[str]]]]:
    out: dict[str, tuple[list[str], list[list[str]]]] = {}

    # ---- programme-level numbers first: the meeting activities reuse them --------------------
    # Coordinators' meeting participants. 2021 and 2022 are the reported lower bounds
    # ("more than 50", "more than 80"); the other years are illustrative.
    meeting = {
        2020: rng.randint(28, 38),
        2021: 50,
        2022: 80,
        2023: rng.randint(55, 70),
        2024: rng.randint(50, 65),
        2025: rng.randint(32, 45),
    }
    meeting_target = {2020: 30, 2021: 45, 2022: 60, 2023: 60, 2024: 55, 2025: 40}

    # ---- 01 donors -----------------------------------------------------------------------------
    out["01_donors.csv"] = (["code", "name", "country"], [list(d) for d in DONORS])

    # ---- 02 partners ---------------------------------------------------------------------------
    out["02_partners.csv"] = (
        ["code", "name", "country", "region", "joined_on", "status"],
        [list(p[:6]) for p in PARTNERS],
    )

    # ---- 03 funding: agreements first, then who each donor funds (no amounts) -------------------
    funding = [list(a) for a in AGREEMENTS]
    for p in PARTNERS:
        funding.append([p[6], p[7], p[0], "", "", "", "", ""])
    out["03_funding.csv"] = (
        ["donor", "phase", "partner", "amount", "currency", "signed_on", "start", "end"], funding)

    # ---- 04 framework, 05 indicators -------------------------------------------------------------
    out["04_framework.csv"] = (["code", "title", "level", "parent"], [list(r) for r in FRAMEWORK])
    out["05_indicators.csv"] = (IND_COLUMNS, [[i.get(c, "") for c in IND_COLUMNS] for i in INDICATORS])

    # ---- CIPS second round (2023): which partners held it ------------------------------------
    # 17 of the 25 first-round administrations held a second round in 2023 (WCO, Feb 2024).
    # El Salvador and Mozambique are documented; the other 15 are an illustrative draw.
    eligible = [c for c in CIPS_2020 + CIPS_2021 if c not in ("AFG", "SLV", "MOZ")]
    cips_2023 = sorted(["SLV", "MOZ"] + rng.sample(eligible, 15), key=CODES.index)

    # ---- 06 activities ---------------------------------------------------------------------------
    out["06_activities.csv"] = (
        ["code", "title", "type", "start", "end", "mode", "status", "partners", "donor",
         "participants", "key_factors", "description"],
        activities(rng, meeting, cips_2023),
    )

    # ---- 07 results --------------------------------------------------------------------------------
    out["07_results.csv"] = (
        ["indicator", "partner", "period_start", "period_end", "target", "actual", "baseline",
         "baseline_year", "comment", "dimension", "dimension_value"],
        results(rng, meeting, meeting_target, cips_2023),
    )
    return out


def activities(rng: random.Random, meeting: dict[int, int], cips_2023: list[str]) -> list[list[str]]:
    J = ";".join
    S = "Source: "
    ILL = "Illustrative activity."
    n = lambda lo, hi: str(rng.randint(lo, hi))  # illustrative participant count  # noqa: E731
    all_kf = J(str(k) for k in range(1, 11))
    norad_2025 = [c for c in NORAD if c != "AFG"] + ["UKR"]
    rows = [
        # code, title, type, start, end, mode, status, partners, donor, participants, key_factors, description
        ["ACT-2019-01", "Integrity strategy review and Internal Affairs Unit set-up, Sierra Leone",
         "technical-assistance", "2019-03-11", "2019-03-15", "in-person", "completed", "SLE", "NOR",
         n(12, 25), "1;6", S + "WCO News 89 (March 2019; days approximate). Participants illustrative."],
        ["ACT-2019-02", "Regional integrity workshop hosted in Ghana (multilateral component)",
         "capacity-building", "2019-03-25", "2019-03-29", "in-person", "completed", "GHA", "NOR",
         n(25, 35), "1;7", S + "WCO News 89 (March 2019, customs experts from 15 Members; days approximate). "
         "Participants and key factors illustrative."],
        ["ACT-2019-03", "Regulatory framework and RKC gap analysis workshop, Afghanistan (Tbilisi)",
         "technical-assistance", "2019-06-16", "2019-06-20", "in-person", "completed", "AFG", "NOR",
         n(8, 15), "2", S + "WCO news, 10 July 2019. Participants illustrative."],
        ["ACT-2019-04", "Scoping missions with the Integrity Development Guide: West Africa",
         "diagnostic", "2019-04-08", "2019-07-12", "in-person", "completed", J(["GHA", "LBR", "MLI", "SLE"]),
         "NOR", n(40, 70), all_kf, "Scoping visits in 2019 are sourced (WCO news, Feb 2020); dates, "
         "grouping and participants illustrative."],
        ["ACT-2019-05", "Scoping missions with the Integrity Development Guide: East and Southern Africa",
         "diagnostic", "2019-05-06", "2019-09-27", "in-person", "completed", J(["ETH", "MOZ", "TZA"]),
         "NOR", n(30, 55), all_kf, "Scoping visits in 2019 are sourced (WCO news, Feb 2020); dates, "
         "grouping and participants illustrative."],
        ["ACT-2019-06", "Scoping missions with the Integrity Development Guide: Asia and MENA",
         "diagnostic", "2019-09-02", "2019-12-13", "in-person", "completed", J(["AFG", "LBN", "NPL", "TUN"]),
         "NOR", n(40, 70), all_kf, "Scoping visits in 2019 are sourced (WCO news, Feb 2020); dates, "
         "grouping and participants illustrative."],
        ["ACT-2020-01", "Customs Integrity Perception Survey, first round (10 administrations)",
         "survey", "2020-01-06", "2020-02-28", "in-person", "completed", J(CIPS_2020), "NOR",
         "5812", all_kf, S + "WCO news, 17 April 2020: 3,019 customs officials and 2,793 private "
         "sector respondents, January-February 2020 (days approximate)."],
        ["ACT-2020-02", "First A-CIP coordinators' meeting, Brussels",
         "meeting", "2020-02-17", "2020-02-19", "in-person", "completed", J(INITIAL), "NOR",
         str(meeting[2020]), "1;5", S + "WCO news, 25 February 2020. Participants illustrative."],
        ["ACT-2020-03", "Regional integrity workshop, West and Central Africa (in person)",
         "capacity-building", "2020-04-20", "2020-04-24", "in-person", "cancelled",
         J(["BFA", "CIV", "MLI", "NER"]), "NOR", "", "1;7", ILL + " Shows a cancelled activity."],
        ["ACT-2020-04", "Remote integrity assessments of the six new partner administrations",
         "diagnostic", "2020-05-04", "2020-10-30", "remote", "completed", J(ADDENDUM), "NOR",
         n(60, 90), "1;3;6;7", "Remote Integrity Assessment Package is sourced (A-CIP Report, "
         "March 2022); dates and participants illustrative."],
        ["ACT-2020-05", "Remote technical assistance: stakeholder engagement",
         "technical-assistance", "2020-09-01", "2021-02-26", "remote", "completed",
         J(["GHA", "LBR", "SLE", "MOZ", "TZA"]), "NOR", n(30, 50), "3;10",
         "Topic sourced (WCO news, 19 March 2021); partner group, dates and participants illustrative."],
        ["ACT-2020-06", "Remote technical assistance: internal control",
         "technical-assistance", "2020-09-14", "2021-02-26", "remote", "completed",
         J(["ETH", "MLI", "NPL", "TUN", "LBN"]), "NOR", n(30, 50), "6",
         "Topic sourced (WCO news, 19 March 2021); partner group, dates and participants illustrative."],
        ["ACT-2020-07", "Remote technical assistance: building a culture of integrity",
         "technical-assistance", "2020-10-05", "2021-03-05", "remote", "completed", J(ADDENDUM), "NOR",
         n(35, 60), "7;9",
         "Topic sourced (WCO news, 19 March 2021); partner group, dates and participants illustrative."],
        ["ACT-2020-08", "Customs Integrity Perception Survey methodological guidelines shared with Members",
         "other", "2020-11-24", "2020-11-24", "remote", "completed", "", "NOR", "", "1",
         S + "WCO news, 24 November 2020."],
        ["ACT-2021-01", "Customs Integrity Perception Survey, first round (7 more administrations)",
         "survey", "2021-01-04", "2021-02-26", "in-person", "completed",
         J(["BFA", "CIV", "JOR", "LBN", "MWI", "NER", "PSE"]), "NOR", "3653", all_kf,
         S + "WCO news, April 2021: 2,094 customs officials and 1,559 private sector respondents, "
         "January-February 2021 (days approximate)."],
        ["ACT-2021-02", "Integrity e-learning module on CLiKC!",
         "e-learning", "2021-01-01", "", "remote", "ongoing", "", "NOR", "3000", "1;7;9",
         S + "A-CIP Report (March 2022): more than 3,000 completions by April 2022. "
         "Start date approximate."],
        ["ACT-2021-03", "Annual A-CIP coordinators' meeting (online)",
         "meeting", "2021-03-15", "2021-03-17", "remote", "completed", J(NORAD), "NOR",
         str(meeting[2021]), "1;5;8", S + "WCO news, 19 March 2021: more than 50 representatives "
         "from 17 partner administrations."],
        ["ACT-2021-04", "Americas kick-off meeting of the eight new partner administrations (online)",
         "meeting", "2021-05-20", "2021-05-20", "remote", "completed", J(AMERICAS), "CAN", "40", "1",
         S + "WCO news, 28 May 2021: over 40 delegates."],
        ["ACT-2021-05", "Internal control (internal affairs) virtual training curriculum",
         "capacity-building", "2021-06-07", "2021-07-02", "remote", "completed",
         J(["ETH", "GHA", "MOZ", "NPL", "SLE", "TZA"]), "NOR", n(40, 70), "6",
         "Curriculum sourced (A-CIP Report, March 2022); partner group, dates and participants "
         "illustrative."],
        ["ACT-2021-06", "Customs Integrity Perception Survey, first round in the Americas",
         "survey", "2021-09-06", "2021-11-26", "in-person", "completed", J(AMERICAS), "CAN",
         n(2400, 3200), all_kf, "First round in the Americas in 2020-2021 is sourced (WCO news, "
         "Feb 2022 and Feb 2024); dates and respondents illustrative."],
        ["ACT-2021-07", "Integrity Learning Event (French-speaking partners)",
         "e-learning", "2021-10-25", "2021-12-17", "remote", "completed",
         J(["BFA", "CIV", "MLI", "NER", "TUN"]), "NOR", "100", "1;4;7",
         S + "WCO news, December 2021: over a hundred customs officials."],
        ["ACT-2021-08", "Remote technical assistance: transparency and private sector engagement, Caribbean",
         "technical-assistance", "2021-10-04", "2022-03-25", "remote", "completed",
         J(["ATG", "GUY", "JAM"]), "CAN", n(20, 35), "3;10", ILL],
        ["ACT-2022-01", "Annual A-CIP coordinators' meeting (online)",
         "meeting", "2022-02-07", "2022-02-09", "remote", "completed", J(ALL_BUT_AFG), "",
         str(meeting[2022]), "1;10", S + "WCO news, 11 February 2022: more than 80 representatives "
         "from all partner administrations."],
        ["ACT-2022-02", "Remote technical assistance: corruption risk mapping, Latin America",
         "technical-assistance", "2022-04-04", "2022-09-30", "remote", "completed",
         J(["ECU", "SLV", "GTM", "HND", "MEX"]), "CAN", n(30, 50), "5;6", ILL],
        ["ACT-2022-03", "Human resource management for integrity workshop",
         "capacity-building", "2022-05-16", "2022-05-20", "hybrid", "completed",
         J(["ETH", "MOZ", "MWI", "TZA"]), "NOR", n(25, 40), "8", ILL],
        ["ACT-2022-04", "Americas working group on communities of practice for integrity, Brussels",
         "meeting", "2022-09-20", "2022-09-22", "in-person", "completed", J(AMERICAS), "CAN",
         n(18, 28), "3;4;10", S + "WCO news, 26 September 2022. Participants illustrative."],
        ["ACT-2022-05", "Integrity Learning Event (English and Spanish)",
         "e-learning", "2022-10-04", "2022-11-28", "remote", "completed",
         J(["ATG", "ECU", "SLV", "ETH", "GHA", "GTM", "GUY", "HND", "JAM", "JOR", "LBR", "MWI",
            "MEX", "NPL", "PSE", "SLE", "TZA"]), "", "250", "1;2;4;8",
         S + "WCO news, 2 December 2022: over 250 participants."],
        ["ACT-2023-01", "Internal Affairs e-learning module on CLiKC!",
         "e-learning", "2023-01-05", "", "remote", "ongoing", "", "", "", "6",
         S + "WCO news, 5 January 2023 (funded by Norad and Canada)."],
        ["ACT-2023-02", "External mid-term evaluation of the Norad-funded programme",
         "other", "2023-02-01", "2023-04-28", "hybrid", "completed", J(NORAD), "NOR", "", "1",
         S + "WCO news, June 2023 (evaluation February-April 2023; days approximate)."],
        ["ACT-2023-03", "Annual A-CIP coordinators' meeting, Brussels",
         "meeting", "2023-03-01", "2023-03-02", "in-person", "completed", J(ALL_BUT_AFG), "",
         str(meeting[2023]), "1", S + "WCO news, March 2023 (23 active partner administrations). "
         "Participants illustrative."],
        ["ACT-2023-04", "Customs Integrity Perception Survey, second round",
         "survey", "2023-03-06", "2023-10-27", "in-person", "completed", J(cips_2023), "",
         n(6500, 8500), all_kf, "Second round by 17 administrations in 2023 is sourced (WCO news, "
         "2 February 2024); which 15 besides El Salvador and Mozambique, dates and respondents "
         "are illustrative."],
        ["ACT-2023-05", "Americas workshop on communities of practice for integrity, Guayaquil",
         "meeting", "2023-04-17", "2023-04-18", "in-person", "completed", J(AMERICAS), "CAN",
         n(18, 28), "3;10", S + "WCO news, 26 April 2023. Participants illustrative."],
        ["ACT-2023-06", "Survey follow-up workshops on using the results",
         "capacity-building", "2023-11-06", "2023-12-15", "hybrid", "completed", J(cips_2023), "",
         n(60, 110), "1;3", "Follow-up workshops are sourced (WCO news, 2 February 2024); dates and "
         "participants illustrative."],
        ["ACT-2024-01", "Annual A-CIP coordinators' meeting, Brussels",
         "meeting", "2024-02-28", "2024-02-29", "in-person", "completed", J(ALL_BUT_AFG), "",
         str(meeting[2024]), "1;9", S + "WCO news, 1 March 2024 (22 active partner administrations). "
         "Participants illustrative."],
        ["ACT-2024-02", "Partnership kick-off with the State Customs Service of Ukraine, Brussels and online",
         "technical-assistance", "2024-07-02", "2024-07-05", "hybrid", "completed", "UKR", "NOR",
         n(10, 20), "1;6", S + "WCO news, 12 July 2024. Participants illustrative."],
        ["ACT-2024-03", "Customs Integrity Perception Survey, first round in Ukraine",
         "survey", "2024-09-02", "2024-09-27", "in-person", "completed", "UKR", "NOR", "925", all_kf,
         S + "WCO news, 23 December 2024: 448 customs officials and 477 private sector respondents."],
        ["ACT-2024-04", "Anti-corruption strategy roundtable with Ukraine, Przemyśl",
         "technical-assistance", "2024-09-09", "2024-09-13", "in-person", "completed", "UKR", "NOR",
         n(20, 35), "1;5", S + "WCO news, 13 September 2024. Participants illustrative."],
        ["ACT-2025-01", "Annual A-CIP coordinators' meeting, Brussels",
         "meeting", "2025-03-05", "2025-03-06", "in-person", "completed", J(norad_2025), "NOR",
         str(meeting[2025]), "1;9", S + "WCO announcement, 11 March 2025 (16 current partner "
         "administrations). Participants illustrative."],
        ["ACT-2025-02", "Lessons-learned and sustainability review with partner coordinators",
         "other", "2025-11-03", "2025-11-28", "remote", "planned", J(norad_2025), "NOR", "", "1;5",
         ILL + " Shows a planned activity."],
    ]
    return rows


def main() -> None:
    rng = random.Random(42)
    files = build(rng)
    for name, (header, rows) in files.items():
        count = write_csv(name, header, rows)
        print(f"{name}: {count} rows")


if __name__ == "__main__":
    main()

"""The demo programme's facts (donors, agreements, partners, the results framework and its
indicators) and the small helpers the demo generator shares (spans, number formats, CSV).

Part of seeds/generate_demo.py (run that); standard library only. What is sourced and what
is illustrative: see SOURCES.md.
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAST_YEAR = 2025  # the demo reports up to the end of 2025
QUARTERLY_FROM = 2024  # IND04 and IND06 are reported per quarter from this year (annual targets)

# --------------------------------------------------------------------------------------------
# Reference facts
# --------------------------------------------------------------------------------------------

DONORS = [
    # code, name, country
    ("NOR", "Norad", "Norway"),
    ("CAN", "Global Affairs Canada", "Canada"),
]

# Agreements: funding rows with no partner.
# donor, phase, partner, amount, currency, signed_on, start, end
AGREEMENTS = [
    # Grant agreement signed 16 Nov 2018 (EUR 5m); programme launched January 2019.
    ("NOR", "1", "", "5000000", "EUR", "2018-11-16", "2019-01-01", "2025-09-30"),
    # Addendum signed 29 Nov 2019: total "from EUR 5m to nearly EUR 8m" -> split approximate.
    ("NOR", "2", "", "2950000", "EUR", "2019-11-29", "2019-11-29", "2025-09-30"),
    # Signed 9 Mar 2021: CAD 3,496,777 for 8 Americas administrations over three years.
    ("CAN", "1", "", "3496777", "CAD", "2021-03-09", "2021-03-09", "2024-03-31"),
]

# code, name, country, region, joined_on, status, donor, phase
PARTNERS = [
    # The 11 initial partners (Norad grant, programme launched January 2019).
    ("AFG", "Afghanistan Customs Department", "Afghanistan", "AP", "2019-01-01", "inactive", "NOR", "1"),
    ("ETH", "Ethiopian Customs Commission", "Ethiopia", "ESA", "2019-01-01", "active", "NOR", "1"),
    ("GHA", "Ghana Revenue Authority, Customs Division", "Ghana", "WCA", "2019-01-01", "active", "NOR", "1"),
    ("LBN", "Lebanese Customs Administration", "Lebanon", "MENA", "2019-01-01", "active", "NOR", "1"),
    ("LBR", "Liberia Revenue Authority, Customs", "Liberia", "WCA", "2019-01-01", "active", "NOR", "1"),
    ("MLI", "Mali Customs", "Mali", "WCA", "2019-01-01", "active", "NOR", "1"),
    ("MOZ", "Mozambique Customs", "Mozambique", "ESA", "2019-01-01", "active", "NOR", "1"),
    ("NPL", "Department of Customs, Nepal", "Nepal", "AP", "2019-01-01", "active", "NOR", "1"),
    ("SLE", "National Revenue Authority, Sierra Leone", "Sierra Leone", "WCA", "2019-01-01", "active", "NOR", "1"),
    ("TZA", "Tanzania Revenue Authority", "Tanzania", "ESA", "2019-01-01", "active", "NOR", "1"),
    ("TUN", "Tunisian Customs", "Tunisia", "MENA", "2019-01-01", "active", "NOR", "1"),
    # Six more under the Norad addendum of November 2019.
    ("BFA", "Burkina Faso Customs", "Burkina Faso", "WCA", "2020-01-01", "active", "NOR", "2"),
    ("CIV", "Côte d'Ivoire Customs", "Côte d'Ivoire", "WCA", "2020-01-01", "active", "NOR", "2"),
    ("JOR", "Jordan Customs", "Jordan", "MENA", "2020-01-01", "active", "NOR", "2"),
    ("MWI", "Malawi Revenue Authority, Customs", "Malawi", "ESA", "2020-01-01", "active", "NOR", "2"),
    ("NER", "Niger Customs", "Niger", "WCA", "2020-01-01", "active", "NOR", "2"),
    ("PSE", "Palestine Customs", "Palestine", "MENA", "2020-01-01", "active", "NOR", "2"),
    # Eight Americas administrations funded by Global Affairs Canada (kick-off 20 May 2021).
    ("ATG", "Antigua and Barbuda Customs and Excise Division", "Antigua and Barbuda", "AME", "2021-05-20", "active", "CAN", "1"),
    ("ECU", "Ecuador Customs", "Ecuador", "AME", "2021-05-20", "active", "CAN", "1"),
    ("SLV", "El Salvador Customs", "El Salvador", "AME", "2021-05-20", "active", "CAN", "1"),
    ("GTM", "Guatemala Customs", "Guatemala", "AME", "2021-05-20", "active", "CAN", "1"),
    ("GUY", "Guyana Revenue Authority, Customs", "Guyana", "AME", "2021-05-20", "active", "CAN", "1"),
    ("HND", "Honduras Customs", "Honduras", "AME", "2021-05-20", "active", "CAN", "1"),
    ("JAM", "Jamaica Customs Agency", "Jamaica", "AME", "2021-05-20", "active", "CAN", "1"),
    ("MEX", "Mexico Customs", "Mexico", "AME", "2021-05-20", "active", "CAN", "1"),
    # Ukraine: partnership kicked off 2-5 July 2024, funded by Norway.
    ("UKR", "State Customs Service of Ukraine", "Ukraine", "EUR", "2024-07-02", "active", "NOR", "2"),
]
CODES = [p[0] for p in PARTNERS]
JOIN_YEAR = {p[0]: int(p[4][:4]) for p in PARTNERS}
INITIAL = CODES[0:11]
ADDENDUM = CODES[11:17]
AMERICAS = CODES[17:25]
NORAD = INITIAL + ADDENDUM
ALL_BUT_AFG = [c for c in CODES if c not in ("AFG", "UKR")]  # the 24 partners of 2022-2024
AFG_LAST_YEAR = 2021  # Afghanistan reports nothing after 2021 (status inactive)

# First round of the Customs Integrity Perception Survey (CIPS), per public WCO news items.
CIPS_2020 = ["AFG", "ETH", "GHA", "LBR", "MLI", "MOZ", "NPL", "SLE", "TUN", "TZA"]
CIPS_2021 = ["BFA", "CIV", "JOR", "LBN", "MWI", "NER", "PSE"] + AMERICAS

# --------------------------------------------------------------------------------------------
# Results framework and indicators
# --------------------------------------------------------------------------------------------

FRAMEWORK = [
    # code, title, level, parent
    ("IMP", "Improved integrity in partner Customs administrations", "impact", ""),
    ("OC1", "Transparency and relationships with the private sector improved", "outcome", "IMP"),
    ("OC2", "Customs procedures modernized to reduce opportunities for corruption", "outcome", "IMP"),
    ("OC3", "Integrity management and accountability strengthened", "outcome", "IMP"),
    ("OP1.1", "Structured dialogue with the private sector established", "output", "OC1"),
    ("OP1.2", "Partner coordinators engaged in programme coordination and peer learning", "output", "OC1"),
    ("OP3.1", "Customs officials trained in integrity, ethics and internal control", "output", "OC3"),
    ("OP3.2", "Integrity action plans and codes of conduct adopted", "output", "OC3"),
]

IND_COLUMNS = ["code", "name", "level", "measure", "ascending", "unit", "key_factor", "result",
               "description", "frequency", "aggregation", "cumulative", "scale_min", "scale_max"]
# Empty frequency = annual; empty aggregation = the measure's default (sum for unit, mean for
# percentage and ordinal).
INDICATORS = [
    dict(code="IND01", name="Customs Integrity Perception Survey score: perceived integrity",
         level="impact", measure="ordinal", ascending="true", unit="score (1 to 5)", key_factor="9",
         result="IMP", aggregation="latest", cumulative="false", scale_min="1", scale_max="5",
         description="Mean perception score on a 1 to 5 scale, by respondent group "
                     "(customs officers, private sector); measured in survey rounds."),
    dict(code="IND02", name="Customs Integrity Perception Survey score: transparency",
         level="outcome", measure="ordinal", ascending="true", unit="score (1 to 5)", key_factor="3",
         result="OC1", aggregation="latest", cumulative="false", scale_min="1", scale_max="5",
         description="Mean score of the transparency questions on a 1 to 5 scale, by respondent group."),
    dict(code="IND03", name="Average release time of import declarations",
         level="outcome", measure="unit", ascending="false", unit="hours", key_factor="5",
         result="OC2", cumulative="false", scale_min="", scale_max="",
         description="Average time from lodgement to release of import declarations; lower is better."),
    dict(code="IND04", name="Share of declarations processed electronically",
         level="outcome", measure="percentage", ascending="true", unit="%", key_factor="4",
         result="OC2", frequency="quarterly", aggregation="mean", cumulative="false", scale_min="",
         scale_max="",
         description="Percentage of customs declarations lodged and processed electronically; "
                     f"reported per quarter from {QUARTERLY_FROM} (the Americas once a year); the year's "
                     "figure is the mean of its quarters."),
    dict(code="IND05", name="Share of staff who signed the code of conduct",
         level="output", measure="percentage", ascending="true", unit="%", key_factor="7",
         result="OP3.2", cumulative="false", scale_min="", scale_max="",
         description="Percentage of customs staff who signed the code of ethics and conduct."),
    dict(code="IND06", name="Number of officers trained in integrity, ethics and internal control",
         level="output", measure="unit", ascending="true", unit="officers",
         key_factor="Human Resource Management", result="OP3.1", frequency="quarterly",
         aggregation="sum", cumulative="true", scale_min="", scale_max="",
         description="Officers completing programme-supported integrity training in the period "
                     "(each value is that period's increment; judged on running totals). Reported "
                     f"per quarter from {QUARTERLY_FROM}, by sex (women, men)."),
    dict(code="IND07", name="Number of integrity complaints investigated",
         level="outcome", measure="unit", ascending="true", unit="cases", key_factor="6",
         result="OC3", cumulative="false", scale_min="", scale_max="",
         description="Complaints of corruption or misconduct investigated by the internal affairs "
                     "function in the year."),
    dict(code="IND08", name="Integrity action plan adopted",
         level="output", measure="qualitative", ascending="true", unit="", key_factor="1",
         result="OP3.2", cumulative="false", scale_min="", scale_max="",
         description="Stage reached by the administration's multi-annual integrity action plan."),
    dict(code="IND09", name="Structured consultations held with the private sector",
         level="output", measure="unit", ascending="true", unit="consultations", key_factor="10",
         result="OP1.1", cumulative="false", scale_min="", scale_max="",
         description="Formal consultation meetings with trade and business associations in the year."),
    dict(code="IND10", name="Integrity e-learning module completions",
         level="output", measure="unit", ascending="true", unit="completions", key_factor="8",
         result="OP3.1", frequency="quarterly", cumulative="true", scale_min="", scale_max="",
         description="Programme level (no partner): completions of the WCO Integrity e-learning "
                     "module on CLiKC!, per quarter."),
    dict(code="IND11", name="Participants in the annual coordinators' meeting",
         level="output", measure="unit", ascending="true", unit="participants",
         key_factor="Leadership and Commitment", result="OP1.2", cumulative="false", scale_min="",
         scale_max="",
         description="Programme level (no partner): representatives attending the annual A-CIP "
                     "coordinators' meeting."),
]

# Partner-level annual indicators every partner tracks, and those a partner may pick.
CORE = ["IND06", "IND08"]
OPTIONAL = ["IND03", "IND04", "IND05", "IND07", "IND09"]

ACTION_PLAN_STAGES = [
    "No integrity action plan",
    "Integrity assessment completed",
    "Draft action plan",
    "Action plan adopted",
    "Action plan under implementation",
    "Action plan reviewed and updated",
]

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def year_span(y: int) -> tuple[str, str]:
    return date(y, 1, 1).isoformat(), date(y, 12, 31).isoformat()


def quarter_span(y: int, q: int) -> tuple[str, str]:
    start = date(y, 3 * q - 2, 1)
    end = date(y + 1, 1, 1) if q == 4 else date(y, 3 * q + 1, 1)
    return start.isoformat(), date.fromordinal(end.toordinal() - 1).isoformat()


def f1(x: float) -> str:
    return f"{x:.1f}"


def f2(x: float) -> str:
    return f"{x:.2f}"


def clamp(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def write_csv(name: str, header: list[str], rows: list[list[str]]) -> int:
    path = HERE / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else str(v) for v in r])
    return len(rows)

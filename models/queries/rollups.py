"""Roll-ups on a view: progress per (indicator, partner) with names joined on, its means per
region, donor, partner and key factor, the overview's headline numbers and the key-factor
heatmap cells. The progress rules themselves live in models.scoring (with the project's
settings applied by models.progress); every figure here comes from there."""
from __future__ import annotations

import pandas as pd

from models import reference
from models.progress import rollup, score_pairs
from models.scoring.distance import STATUSES
from models.scoring.pairs import breakdown_warnings
from models.queries.frames import json_value
from models.queries.labels import pair_notes, partner_names
from models.queries.memo import memoized, memoized_on_progress
from models.queries.snapshot import Snapshot, per_pair
from models.tables import PROGRAMME_PARTNER_CODE


def progress_table(v: Snapshot) -> pd.DataFrame:
    """The scored row per (indicator, partner) (models.scoring.pairs.PAIR_COLUMNS, "as of" the
    view's date), with names, region, key factor and unit joined on. Scored once per snapshot
    and period for the whole programme, each view keeping its own pairs (snapshot.per_pair)."""
    return per_pair(v, "progress_table", _progress_table)


def _progress_table(v: Snapshot) -> pd.DataFrame:
    prog = score_pairs(v.values, v.indicators, v.baselines, as_of=v.as_of, start=v.filters.start, reported=v.reported)
    ind = v.indicators.set_index("code")
    prog["period"] = prog["period_label"].fillna("")
    frequency = ind["frequency"].astype(object) if "frequency" in ind else pd.Series(dtype=object)
    prog["frequency"] = prog["indicator"].map(frequency).astype(object).where(lambda f: f.notna(), "annual")
    prog["note"] = pair_notes(prog)
    prog["indicator_name"] = prog["indicator"].map(ind["name"])
    prog["measure"] = prog["indicator"].map(ind["measure"])
    prog["unit"] = prog["indicator"].map(ind["unit"])
    prog["key_factor"] = prog["indicator"].map(ind["key_factor"]).astype("Int64")
    prog["key_factor_name"] = prog["key_factor"].map(lambda k: reference.KEY_FACTORS.get(int(k)) if pd.notna(k) else None)
    part = v.partners.set_index("code")
    prog["partner_name"] = prog["partner"].map(part["name"]).where(prog["partner"] != PROGRAMME_PARTNER_CODE, reference.PROGRAMME_PARTNER_NAME)
    prog["region"] = prog["partner"].map(part["region"])
    prog["region_name"] = prog["region"].map(reference.REGIONS)
    return prog


def partner_rows(prog: pd.DataFrame) -> pd.DataFrame:
    """progress_table rows of partners (the programme level left out)."""
    return prog[prog["partner"] != PROGRAMME_PARTNER_CODE]


@memoized_on_progress(progress_table)
def progress_by_region(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(partner_rows(prog).dropna(subset=["region"]), ["region"])
    out["region_name"] = out["region"].map(reference.REGIONS)
    return out


@memoized_on_progress(progress_table)
def progress_by_donor(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    links = v.funding[["donor", "partner"]].drop_duplicates()
    joined = partner_rows(prog).merge(links, on="partner", how="inner")
    out = rollup(joined, ["donor"])
    out["donor_name"] = out["donor"].map(v.donors.set_index("code")["name"])
    return out


@memoized_on_progress(progress_table)
def progress_by_partner(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(partner_rows(prog), ["partner"])
    part = v.partners.set_index("code")
    out["partner_name"] = out["partner"].map(part["name"])
    out["region"] = out["partner"].map(part["region"])
    out["country"] = out["partner"].map(part["country"])
    out["country_name"] = out["partner"].map(part["country_name"])
    return out


@memoized_on_progress(progress_table)
def progress_by_key_factor(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(prog.dropna(subset=["key_factor"]), ["key_factor"])
    out["key_factor"] = out["key_factor"].astype(int)
    out["key_factor_name"] = out["key_factor"].map(reference.KEY_FACTORS)
    return out


@memoized_on_progress(progress_table)
def progress_by_indicator(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per indicator, over all its pairs (the programme level included: the indicator is its)."""
    prog = progress_table(v) if prog is None else prog
    out = rollup(prog, ["indicator"])
    out["indicator_name"] = out["indicator"].map(v.indicators.set_index("code")["name"])
    return out


@memoized_on_progress(progress_table)
def progress_by_partner_and_key_factor(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(partner_rows(prog).dropna(subset=["key_factor"]), ["partner", "key_factor"])
    out["key_factor"] = out["key_factor"].astype(int)
    out["key_factor_name"] = out["key_factor"].map(reference.KEY_FACTORS)
    return out


@memoized_on_progress(progress_table)
def headline(v: Snapshot, prog: pd.DataFrame | None = None) -> dict:
    """The overview's numbers."""
    prog = progress_table(v) if prog is None else prog
    counts = prog["status"].value_counts()
    committed = v.agreements.dropna(subset=["amount"]).groupby("currency")["amount"].sum().to_dict()
    return {
        "partners": int(len(v.partners)),
        "regions": int(v.partners["region"].nunique()),
        "donors": int(len(v.donors)),
        "committed": {k: float(a) for k, a in sorted(committed.items())},
        "activities": int(len(v.activities)),
        "participants": int(pd.to_numeric(v.activities["participants"], errors="coerce").fillna(0).sum()),
        "indicators": int(prog["indicator"].nunique()),
        "pairs": int(len(prog)),
        "status": {s: int(counts.get(s, 0)) for s in STATUSES},
        "as_of": v.as_of,
        "is_demo": v.is_demo,
    }


@memoized_on_progress(progress_table)
def key_factor_cells(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    """progress_by_partner_and_key_factor with the partner's name (for the heatmap)."""
    out = progress_by_partner_and_key_factor(v, prog)
    out["partner_name"] = partner_names(v, out["partner"])
    return out


# --- the `progress` command's records -------------------------------------------------------

PROGRESS_BY = ("pair", "indicator", "partner", "region", "donor", "key-factor")
_GROUPS = {  # --by -> (roll-up, its group column)
    "indicator": (progress_by_indicator, "indicator"),
    "partner": (progress_by_partner, "partner"),
    "region": (progress_by_region, "region"),
    "donor": (progress_by_donor, "donor"),
    "key-factor": (progress_by_key_factor, "key_factor"),
}


def pair_records(prog: pd.DataFrame) -> list[dict]:
    """progress_table rows as DESIGN.md's `progress --json` pairs: indicator, partner (''
    for the programme level), the scored period's ISO dates, baseline, target, actual,
    progress (a raw fraction), status and reports {received, due}; None where there is none."""
    out = []
    for r in prog.to_dict("records"):
        out.append({
            "indicator": r["indicator"], "partner": r["partner"],
            **{k: json_value(r[k]) for k in ("period_start", "period_end", "baseline", "target", "actual", "progress", "status")},
            "reports": {"received": int(r["reports_received"]), "due": int(r["reports_due"])},
        })
    return out


def group_records(rolled: pd.DataFrame, column: str) -> list[dict]:
    """A roll-up as DESIGN.md's `progress --by GROUP --json` records: group, progress (the mean
    of clamped fractions, None when n is 0), n, status (None when n is 0), counts {status: number}."""
    return [{"group": json_value(r[column]), "progress": json_value(r["progress"]), "n": int(r["n"]),
             "status": json_value(r["status"]), "counts": dict(r["counts"])} for r in rolled.to_dict("records")]


@memoized
def breakdown_disagreements(v: Snapshot, partner: str | None = None) -> list[str]:
    """One sentence per figure whose breakdowns disagree (DESIGN.md: a warning says so, and
    the alphabetically first dimension is used), for the view's values or one partner's."""
    values = v.values if partner is None else v.values[v.values["partner"] == partner]
    found = breakdown_warnings(values, v.indicators, start=v.filters.start)
    return list(found["message"])


def progress_records(v: Snapshot, by: str = "pair", prog: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """What `resultsboard progress --by BY` shows: (the frame for a table, the JSON records)."""
    if by not in PROGRESS_BY:
        raise ValueError(f"--by {by}: choose one of {', '.join(PROGRESS_BY)}")
    prog = progress_table(v) if prog is None else prog
    if by == "pair":
        return prog, pair_records(prog)
    build, column = _GROUPS[by]
    rolled = build(v, prog) if len(prog) else rollup(prog, [column]) if column in prog else prog.iloc[0:0]
    if rolled.empty:
        return rolled, []
    rolled = rolled.sort_values(column, kind="stable").reset_index(drop=True)
    return rolled, group_records(rolled, column)

"""Roll-ups on a view: progress per (indicator, partner) with names joined on, its means per
region, donor, partner and key factor, the overview's headline numbers and the key-factor
heatmap cells. The progress rules themselves live in models.progress."""
from __future__ import annotations

import pandas as pd

from models import reference
from models.progress import compute_progress, rollup
from models.queries.labels import partner_names
from models.queries.snapshot import Snapshot
from models.tables import PROGRAMME_PARTNER_CODE


def progress_table(v: Snapshot) -> pd.DataFrame:
    """compute_progress per (indicator, partner), with names, region, key factor and unit joined on."""
    prog = compute_progress(v.values, v.baselines, v.indicators, start=v.filters.start, as_of=v.as_of)
    ind = v.indicators.set_index("code")
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


def progress_by_region(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(partner_rows(prog).dropna(subset=["region"]), ["region"])
    out["region_name"] = out["region"].map(reference.REGIONS)
    return out


def progress_by_donor(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    links = v.funding[["donor", "partner"]].drop_duplicates()
    joined = partner_rows(prog).merge(links, on="partner", how="inner")
    out = rollup(joined, ["donor"])
    out["donor_name"] = out["donor"].map(v.donors.set_index("code")["name"])
    return out


def progress_by_partner(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(partner_rows(prog), ["partner"])
    part = v.partners.set_index("code")
    out["partner_name"] = out["partner"].map(part["name"])
    out["region"] = out["partner"].map(part["region"])
    out["country"] = out["partner"].map(part["country"])
    out["country_name"] = out["partner"].map(part["country_name"])
    return out


def progress_by_key_factor(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(partner_rows(prog).dropna(subset=["key_factor"]), ["key_factor"])
    out["key_factor"] = out["key_factor"].astype(int)
    out["key_factor_name"] = out["key_factor"].map(reference.KEY_FACTORS)
    return out


def progress_by_partner_and_key_factor(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(partner_rows(prog).dropna(subset=["key_factor"]), ["partner", "key_factor"])
    out["key_factor"] = out["key_factor"].astype(int)
    out["key_factor_name"] = out["key_factor"].map(reference.KEY_FACTORS)
    return out


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
        "status": {s: int(counts.get(s, 0)) for s in ("achieved", "on track", "at risk", "off track", "no data", "no baseline", "qualitative")},
        "as_of": v.as_of,
        "is_demo": v.is_demo,
    }


def key_factor_cells(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    """progress_by_partner_and_key_factor with the partner's name (for the heatmap)."""
    out = progress_by_partner_and_key_factor(v, prog)
    out["partner_name"] = partner_names(v, out["partner"])
    return out

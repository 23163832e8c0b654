"""Summaries on a view, one row per region, donor or partner administration: roll-up
progress with n and status counts, partners, funding and agreements, activities and
participants (the regions and donors pages and their drill-downs)."""
from __future__ import annotations

import pandas as pd

from models import reference
from models.progress import rollup
from models.queries.frames import ROLLUP_COUNTS, empty_frame, with_rollup
from models.queries.labels import money, text_or_none
from models.queries.rollups import partner_rows, progress_by_donor, progress_by_region, progress_table
from models.queries.memo import memoized, memoized_on_progress
from models.queries.snapshot import Snapshot


@memoized
def funding_summary(v: Snapshot) -> pd.DataFrame:
    """Per donor: committed amounts by currency (agreements) and number of partners funded."""
    partners = v.funding.groupby("donor")["partner"].nunique()
    ag = v.agreements.dropna(subset=["amount"]).groupby(["donor", "currency"])["amount"].sum().reset_index()
    ag["partners"] = ag["donor"].map(partners).fillna(0).astype(int)
    ag["donor_name"] = ag["donor"].map(v.donors.set_index("code")["name"])
    return ag


PARTNER_SUMMARY_COLUMNS = [
    "partner", "partner_name", "country", "country_name", "region", "region_name", "donors", "donor_names",
    "joined_on", "partner_status", "progress", *ROLLUP_COUNTS, "status", "activities",
]


def _donors_of_partners(v: Snapshot) -> tuple[pd.Series, pd.Series]:
    """partner code -> 'CAN, NOR' (donor codes) and -> 'Global Affairs Canada, Norad' (names)."""
    links = v.funding[["partner", "donor"]].drop_duplicates().sort_values(["partner", "donor"], kind="stable")
    names = v.donors.set_index("code")["name"]
    links = links.assign(donor_name=links["donor"].map(names).fillna(links["donor"]))
    codes = links.groupby("partner")["donor"].agg(lambda s: ", ".join(s))
    full = links.groupby("partner")["donor_name"].agg(lambda s: ", ".join(s))
    return codes, full


def _activity_counts_per_partner(v: Snapshot) -> pd.Series:
    ap = v.activity_partners[v.activity_partners["activity_id"].isin(set(v.activities["id"]))]
    return ap.drop_duplicates(["activity_id", "partner"]).groupby("partner")["activity_id"].size()


@memoized_on_progress(progress_table)
def partner_summary(v: Snapshot, prog: pd.DataFrame | None = None, *, region: str | None = None,
                    donor: str | None = None) -> pd.DataFrame:
    """Every visible partner administration (by name) with country, region, donors, roll-up
    progress (mean clamped progress over its scored indicator–partner pairs, n and a count per
    status; n = 0 where it has none, its status then frames.unscored_status) and the number of activities it took part in. `region` / `donor`
    narrow it to one region's partners or to the partners one donor funds (codes, any case)."""
    prog = progress_table(v) if prog is None else prog
    p = v.partners
    if region:
        p = p[p["region"].str.upper() == region.upper()]
    if donor:
        funded = set(v.funding.loc[v.funding["donor"].str.lower() == donor.lower(), "partner"])
        p = p[p["code"].isin(funded)]
    if p.empty:
        return empty_frame(PARTNER_SUMMARY_COLUMNS)
    out = pd.DataFrame({
        "partner": p["code"].astype(object), "partner_name": p["name"].astype(object),
        "country": p["country"].astype(object), "country_name": p["country_name"].astype(object),
        "region": p["region"].astype(object), "region_name": p["region_name"].astype(object),
        "joined_on": p["joined_on"], "partner_status": p["status"].astype(object),
    })
    codes, names = _donors_of_partners(v)
    out["donors"] = out["partner"].map(codes).astype(object).fillna("")  # a partner no donor funds: ""
    out["donor_names"] = out["partner"].map(names).astype(object).fillna("")
    out = with_rollup(out, rollup(partner_rows(prog), ["partner"]) if len(prog) else None, "partner")
    out["activities"] = out["partner"].map(_activity_counts_per_partner(v)).fillna(0).astype(int)
    out = out.sort_values(["partner_name", "partner"], key=lambda s: s.str.lower(), kind="stable")
    return out[PARTNER_SUMMARY_COLUMNS].reset_index(drop=True)


REGION_SUMMARY_COLUMNS = [
    "region", "region_name", "partners", "progress", *ROLLUP_COUNTS, "status", "activities", "participants", "donors",
]


@memoized_on_progress(progress_table)
def region_summary(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per WCO region with a visible partner (in the reference order): partners, roll-up
    progress with n and status counts, activities its partners took part in and their
    participants (an activity with partners in several regions counts in each region), and
    the donors funding its partners."""
    prog = progress_table(v) if prog is None else prog
    if v.partners.empty:
        return empty_frame(REGION_SUMMARY_COLUMNS)
    order = list(reference.REGIONS)
    regions = [r for r in order if r in set(v.partners["region"])]
    regions += sorted(set(v.partners["region"]) - set(order))
    out = pd.DataFrame({"region": regions})
    out["region_name"] = out["region"].map(reference.REGIONS).fillna(out["region"])
    out["partners"] = out["region"].map(v.partners.groupby("region")["code"].nunique()).astype(int)
    out = with_rollup(out, progress_by_region(v, prog) if len(prog) else None, "region")
    ap = v.activity_partners[v.activity_partners["activity_id"].isin(set(v.activities["id"]))]
    ap = ap.assign(region=ap["partner"].map(v.partners.set_index("code")["region"])).dropna(subset=["region"])
    ap = ap.drop_duplicates(["activity_id", "region"])
    participants = pd.to_numeric(v.activities.set_index("id")["participants"], errors="coerce")
    ap = ap.assign(participants=ap["activity_id"].map(participants))
    out["activities"] = out["region"].map(ap.groupby("region")["activity_id"].size()).fillna(0).astype(int)
    out["participants"] = out["region"].map(ap.groupby("region")["participants"].sum()).fillna(0).astype(int)
    links = v.funding[["donor", "partner"]].drop_duplicates()
    links = links.assign(region=links["partner"].map(v.partners.set_index("code")["region"]))
    donors = links.groupby("region")["donor"].agg(lambda s: ", ".join(sorted(set(s))))
    out["donors"] = out["region"].map(donors).fillna("")
    return out[REGION_SUMMARY_COLUMNS].reset_index(drop=True)


@memoized
def funded_partners_by_region(v: Snapshot) -> pd.DataFrame:
    """Per region and donor: how many visible partners of the region the donor funds (a
    partner funded by two donors counts for each). No amounts: agreements are not split
    by partner."""
    cols = ["region", "region_name", "donor", "donor_name", "partners"]
    links = v.funding[["donor", "partner"]].drop_duplicates()
    links = links.assign(region=links["partner"].map(v.partners.set_index("code")["region"])).dropna(subset=["region"])
    if links.empty:
        return empty_frame(cols)
    out = links.groupby(["region", "donor"], as_index=False)["partner"].nunique().rename(columns={"partner": "partners"})
    out["region_name"] = out["region"].map(reference.REGIONS).fillna(out["region"])
    out["donor_name"] = out["donor"].map(v.donors.set_index("code")["name"]).fillna(out["donor"])
    order = {r: i for i, r in enumerate(reference.REGIONS)}
    out["_order"] = out["region"].map(order).fillna(len(order))
    out = out.sort_values(["_order", "region", "donor"], kind="stable")
    out["partners"] = out["partners"].astype(int)
    return out[cols].reset_index(drop=True)



DONOR_SUMMARY_COLUMNS = [
    "donor", "donor_name", "country", "partners", "agreements", "committed", "progress", "n", "status",
    "activities", "participants",
]


@memoized_on_progress(progress_table)
def donor_summary(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per visible donor: partners funded, agreements and the amounts committed (per currency,
    never converted), roll-up progress of the funded administrations with n, and the
    activities it funds with their participants."""
    prog = progress_table(v) if prog is None else prog
    if v.donors.empty:
        return empty_frame(DONOR_SUMMARY_COLUMNS)
    d = v.donors
    out = pd.DataFrame({"donor": d["code"].astype(object), "donor_name": d["name"].astype(object),
                        "country": d["country"].map(lambda c: reference.country_name(c) if text_or_none(c) else "").astype(object)})
    out["partners"] = out["donor"].map(v.funding.groupby("donor")["partner"].nunique()).fillna(0).astype(int)
    out["agreements"] = out["donor"].map(v.agreements.groupby("donor").size()).fillna(0).astype(int)
    ag = v.agreements.dropna(subset=["amount"])
    committed = ag.groupby(["donor", "currency"], dropna=False)["amount"].sum().reset_index()
    text = committed.assign(t=[money(a, c) for a, c in zip(committed["amount"], committed["currency"])]).groupby("donor")["t"].agg(" + ".join)
    out["committed"] = out["donor"].map(text).fillna("no funding recorded")
    out = with_rollup(out, progress_by_donor(v, prog) if len(prog) else None, "donor")
    acts = v.activities.assign(participants=pd.to_numeric(v.activities["participants"], errors="coerce"))
    out["activities"] = out["donor"].map(acts.groupby("donor").size()).fillna(0).astype(int)
    out["participants"] = out["donor"].map(acts.groupby("donor")["participants"].sum()).fillna(0).astype(int)
    return out[DONOR_SUMMARY_COLUMNS].reset_index(drop=True)


DONOR_AGREEMENT_COLUMNS = [
    "donor", "donor_name", "phase", "amount", "currency", "signed_on", "start", "end", "period", "partners",
]


@memoized
def donor_agreements(v: Snapshot, donor: str | None = None) -> pd.DataFrame:
    """A donor's agreements (every visible donor's when `donor` is None), by donor and phase:
    amount, currency, signed, period, and how many visible partners each phase funds."""
    ag = v.agreements if donor is None else v.agreements[v.agreements["donor"].str.lower() == donor.lower()]
    if ag.empty:
        return empty_frame(DONOR_AGREEMENT_COLUMNS)
    out = ag.copy()
    out["donor_name"] = out["donor"].map(v.donors.set_index("code")["name"]).fillna(out["donor"])
    per_phase = v.funding.groupby(["donor", "phase"])["partner"].nunique()
    out["partners"] = [int(per_phase.get((d, ph), 0)) for d, ph in zip(out["donor"], out["phase"])]
    out["period"] = [f"{s.isoformat() if pd.notna(s) else '…'} – {e.isoformat() if pd.notna(e) else '…'}"
                     for s, e in zip(out["start"], out["end"])]
    return out[DONOR_AGREEMENT_COLUMNS].reset_index(drop=True)


@memoized_on_progress(progress_table)
def donor_partners(v: Snapshot, prog: pd.DataFrame | None, donor: str) -> pd.DataFrame:
    """partner_summary of the partners one donor funds, with the phases they are funded under."""
    out = partner_summary(v, prog, donor=donor)
    f = v.funding[v.funding["donor"].str.lower() == donor.lower()]
    phases = f.groupby("partner")["phase"].agg(lambda s: ", ".join(sorted({str(x) for x in s if str(x)})))
    out["phases"] = out["partner"].map(phases).fillna("") if len(out) else pd.Series(dtype=object)
    return out

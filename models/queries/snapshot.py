"""The programme read from the database, and the filtered, scoped view of it every page,
export and command works on. `load_snapshot` holds the only SQL of the read side (cache it
per data version); `view` applies the filters and the user's scope in one place, so every
chart, table and export sees the same rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from models import access, reference
from models.access import Scope
from models.queries.filters import Filters
from models.scoring import periods
from models.tables import (
    Activity,
    ActivityKeyFactor,
    ActivityPartner,
    Agreement,
    Baseline,
    Donor,
    Funding,
    ImportBatch,
    Indicator,
    KeyFactor,
    Partner,
    PendingValue,
    PROGRAMME_PARTNER_CODE,
    Region,
    Result,
    Value,
    resolved_aggregation,
)
from models.writes import read_frame

REPORTED_COLUMNS = ["indicator", "partner", "period_start", "period_end"]
PENDING_COLUMNS = ["batch_id", "user", "at", "indicator", "partner", "period_start", "period_end", "dimension",
                   "dimension_value", "actual", "actual_text", "comment", "clears"]


@dataclass
class Snapshot:
    """The programme as read from the database (or a filtered, scoped view of it)."""

    regions: pd.DataFrame
    key_factors: pd.DataFrame
    donors: pd.DataFrame
    partners: pd.DataFrame  # programme-level partner excluded
    agreements: pd.DataFrame
    funding: pd.DataFrame
    framework: pd.DataFrame
    indicators: pd.DataFrame
    activities: pd.DataFrame
    activity_partners: pd.DataFrame
    activity_key_factors: pd.DataFrame
    values: pd.DataFrame
    baselines: pd.DataFrame
    is_demo: bool = False
    filters: Filters = field(default_factory=Filters)
    # values waiting for review (models.review), apart from `values`, which hold approved ones only
    pending: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PENDING_COLUMNS))
    # reports received and waiting for review (indicator, partner, period_start, period_end),
    # without their figures: every scope counts them as received (DESIGN.md, "Review")
    reported: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPORTED_COLUMNS))

    @property
    def as_of(self) -> date:
        """"As of": the period filter's end ('To', `--to`), else today (UTC) — pinned by
        RESULTSBOARD_TODAY. Never read from the data, so one early upload moves nobody's."""
        return periods.as_of(self.filters.end)


def load_snapshot(engine: Engine) -> Snapshot:
    with engine.connect() as conn:
        regions = read_frame(conn, select(Region.code, Region.name))
        kfs = read_frame(conn, select(KeyFactor.number, KeyFactor.name).order_by(KeyFactor.number))
        donors = read_frame(conn, select(Donor.id, Donor.code, Donor.name, Donor.country, Donor.iati_ref).order_by(Donor.code))
        partners = read_frame(conn, select(Partner.id, Partner.code, Partner.name, Partner.country, Partner.region,
                                           Partner.joined_on, Partner.status).order_by(Partner.code))
        agreements = read_frame(conn, select(Donor.code.label("donor"), Agreement.phase, Agreement.amount, Agreement.currency,
                                             Agreement.signed_on, Agreement.start, Agreement.end)
                                .join(Donor, Donor.id == Agreement.donor_id).order_by(Donor.code, Agreement.phase))
        funding = read_frame(conn, select(Donor.code.label("donor"), Funding.phase, Partner.code.label("partner"), Funding.amount,
                                          Funding.currency, Funding.signed_on, Funding.start, Funding.end)
                             .join(Donor, Donor.id == Funding.donor_id).join(Partner, Partner.id == Funding.partner_id)
                             .order_by(Donor.code, Partner.code, Funding.phase))
        parent = Result.__table__.alias("parent")
        framework = read_frame(conn, select(Result.code, Result.title, Result.level, parent.c.code.label("parent"))
                               .outerjoin(parent, parent.c.id == Result.parent_id).order_by(Result.code))
        indicators = read_frame(conn, select(Indicator.id, Indicator.code, Indicator.name, Indicator.level, Indicator.measure,
                                             Indicator.ascending, Indicator.unit, Indicator.key_factor, Result.code.label("result"),
                                             Indicator.description, Indicator.cumulative, Indicator.scale_min, Indicator.scale_max,
                                             Indicator.frequency, resolved_aggregation().label("aggregation"))
                                .outerjoin(Result, Result.id == Indicator.result_id).order_by(Indicator.code))
        activities = read_frame(conn, select(Activity.id, Activity.code, Activity.title, Activity.type, Activity.start, Activity.end,
                                             Activity.mode, Activity.status, Activity.participants, Donor.code.label("donor"),
                                             Activity.description)
                                .outerjoin(Donor, Donor.id == Activity.donor_id).order_by(Activity.start, Activity.code))
        act_partners = read_frame(conn, select(ActivityPartner.activity_id, Partner.code.label("partner"))
                                  .join(Partner, Partner.id == ActivityPartner.partner_id))
        act_kfs = read_frame(conn, select(ActivityKeyFactor.activity_id, ActivityKeyFactor.key_factor))
        values = read_frame(conn, select(Indicator.code.label("indicator"), Partner.code.label("partner"), Value.period_start,
                                         Value.period_end, Value.dimension, Value.dimension_value, Value.target, Value.actual,
                                         Value.target_text, Value.actual_text, Value.comment)
                            .join(Indicator, Indicator.id == Value.indicator_id).join(Partner, Partner.id == Value.partner_id))
        baselines = read_frame(conn, select(Indicator.code.label("indicator"), Partner.code.label("partner"), Baseline.dimension,
                                            Baseline.dimension_value, Baseline.year, Baseline.value, Baseline.value_text, Baseline.comment)
                               .join(Indicator, Indicator.id == Baseline.indicator_id).join(Partner, Partner.id == Baseline.partner_id))
        pending = read_frame(conn, select(PendingValue.batch_id, ImportBatch.user, ImportBatch.at,
                                          *[c.label(n) for c, n in ((Indicator.code, "indicator"), (Partner.code, "partner"))],
                                          *[PendingValue.__table__.c[c] for c in PENDING_COLUMNS[5:]])
                             .join(ImportBatch, ImportBatch.id == PendingValue.batch_id)
                             .join(Indicator, Indicator.id == PendingValue.indicator_id)
                             .join(Partner, Partner.id == PendingValue.partner_id).order_by(PendingValue.id))
        is_demo = conn.execute(select(ImportBatch.id).where(ImportBatch.source == "demo", ImportBatch.status == "committed").limit(1)).first() is not None
    partners = partners[partners["code"] != PROGRAMME_PARTNER_CODE].reset_index(drop=True)
    partners["region_name"] = partners["region"].map(reference.REGIONS)
    partners["country_name"] = partners["country"].map(reference.country_name)
    indicators["key_factor"] = indicators["key_factor"].astype("Int64")
    for frame in (values, baselines, pending):
        for c in ("target", "actual", "value"):
            if c in frame:
                frame[c] = frame[c].astype(float)
    return Snapshot(regions, kfs, donors, partners, agreements, funding, framework, indicators, activities,
                    act_partners, act_kfs, values, baselines, is_demo, pending=pending)


def visible_partners(snap: Snapshot, filters: Filters, scope: Scope) -> set[str]:
    """Partner codes the user may see (models.access decides) and the filters select."""
    p = snap.partners
    codes = access.visible_partner_codes(scope, p["code"], snap.funding)
    if filters.regions:
        wanted = {r.upper() for r in filters.regions}
        codes &= set(p.loc[p["region"].str.upper().isin(wanted), "code"])
    if filters.donors:
        wanted = {d.lower() for d in filters.donors}
        codes &= set(snap.funding.loc[snap.funding["donor"].str.lower().isin(wanted), "partner"])
    if filters.partners:
        wanted = {c.lower() for c in filters.partners}
        codes &= {c for c in codes if c.lower() in wanted}
    return codes


def programme_level_visible(filters: Filters, scope: Scope) -> bool:
    """Programme-level values belong to no partner: shown unless the view is narrowed to partners."""
    return access.sees_programme_level(scope) and not (filters.regions or filters.partners)


def view(snap: Snapshot, filters: Filters, scope: Scope) -> Snapshot:
    """The snapshot narrowed to what `filters` select and `scope` allows (no scope: AccessDenied)."""
    codes = visible_partners(snap, filters, scope)
    keep_partner = set(codes) | ({PROGRAMME_PARTNER_CODE} if programme_level_visible(filters, scope) else set())
    indicators = snap.indicators
    if filters.key_factors:
        indicators = indicators[indicators["key_factor"].isin(list(filters.key_factors))]
    ind_codes = set(indicators["code"])
    values = snap.values[snap.values["partner"].isin(keep_partner) & snap.values["indicator"].isin(ind_codes)]
    start, end = filters.start, filters.end
    if end:  # periods starting after "as of" are left out; those under way stay (in progress, not due)
        values = values[values["period_start"] <= end]
    if start:
        values = values[values["period_start"] >= start]
    baselines = snap.baselines[snap.baselines["partner"].isin(keep_partner) & snap.baselines["indicator"].isin(ind_codes)]
    pending = snap.pending
    pending = pending[pending["partner"].isin(keep_partner) & pending["indicator"].isin(ind_codes)]
    if end:
        pending = pending[pending["period_start"] <= end]
    if start:
        pending = pending[pending["period_start"] >= start]
    reported = _reported(pending)  # a report received, for every scope; its figures for some only
    if not access.sees_pending(scope):
        pending = pending.iloc[0:0]
    partners = snap.partners[snap.partners["code"].isin(codes)]
    funding = snap.funding[snap.funding["partner"].isin(codes)]
    # donors: those funding the administrations in view when the view is narrowed to some;
    # otherwise every stored donor the scope may see, those with no funding recorded too
    narrowed = filters.regions or filters.partners or not access.sees_all_partners(scope)
    donor_codes = access.visible_donor_codes(scope, set(funding["donor"]) if narrowed else set(snap.donors["code"]))
    if filters.donors:
        donor_codes &= {d for d in donor_codes if d.lower() in {x.lower() for x in filters.donors}}
    funding = funding[funding["donor"].isin(donor_codes)]
    agreements = snap.agreements[snap.agreements["donor"].isin(donor_codes)]
    donors = snap.donors[snap.donors["code"].isin(donor_codes)]
    # activities: those involving a visible partner (or none), in the period, on the key factors
    ap = snap.activity_partners
    with_partner = set(ap.loc[ap["partner"].isin(codes), "activity_id"])
    without_partner = set(snap.activities["id"]) - set(ap["activity_id"])
    act_ids = with_partner | (without_partner if programme_level_visible(filters, scope) else set())
    acts = snap.activities[snap.activities["id"].isin(act_ids)]
    if filters.donors or access.narrows_to_donor(scope):
        acts = acts[acts["donor"].isin(donor_codes) | acts["donor"].isna()]
    if filters.key_factors:
        akf = snap.activity_key_factors
        acts = acts[acts["id"].isin(set(akf.loc[akf["key_factor"].isin(list(filters.key_factors)), "activity_id"]))]
    if end:
        acts = acts[acts["start"] <= end]
    if start:
        acts = acts[acts["end"].fillna(acts["start"]) >= start]
    kept = set(acts["id"])
    return replace(
        snap, donors=donors, partners=partners, agreements=agreements, funding=funding, indicators=indicators,
        activities=acts, activity_partners=ap[ap["activity_id"].isin(kept) & ap["partner"].isin(keep_partner)],
        activity_key_factors=snap.activity_key_factors[snap.activity_key_factors["activity_id"].isin(kept)],
        values=values, baselines=baselines, filters=filters, pending=pending, reported=reported,
    )


def _reported(pending: pd.DataFrame) -> pd.DataFrame:
    """The periods for which a pending row holds an actual (a number or a text)."""
    text = pending["actual_text"].fillna("").astype(str).str.strip().ne("")
    has = pending["actual"].notna() | text
    return pending.loc[has, REPORTED_COLUMNS].drop_duplicates().reset_index(drop=True)


def partner_link_problem(snap: Snapshot, v: Snapshot, scope: Scope, code: str) -> str | None:
    """Why the administration `code` (from a link) is not in the view `v` of `snap`, in one
    sentence; None when it is there. An administration the user may not see reads as unknown."""
    if code.lower() in {c.lower() for c in v.partners["code"]}:
        return None
    if code.lower() in {c.lower() for c in visible_partners(snap, Filters(), scope)}:
        return (f"Administration {code} is not in this selection ({v.filters.describe()}): "
                "widen the filters in the sidebar to see it, or choose an administration below.")
    return f"No administration with code {code}: choose an administration below."

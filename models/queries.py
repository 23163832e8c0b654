"""Read queries returning DataFrames — all SQL of the read side lives here.

`load_snapshot` reads the programme once (cache it per data version); `view` applies the
filters and the user's scope in one place; the analysis functions work on a view, so every
chart, table and export sees the same rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from models import reference
from models.access import Scope
from models.cells import period_bounds
from models.progress import completeness, compute_progress, default_as_of, rollup
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
    PROGRAMME_PARTNER_CODE,
    Region,
    Result,
    Value,
)
from models.writes import read_frame

# --------------------------------------------------------------------------------------
# filters


def _period_date(text: str | None, *, end: bool) -> date | None:
    if not text:
        return None
    text = str(text).strip()
    bounds = period_bounds(text)
    if bounds:
        return date.fromisoformat(bounds[1] if end else bounds[0])
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a period: use 2024, 2024-Q1, 2024-H1, 2024-03 or a date YYYY-MM-DD") from None


@dataclass(frozen=True)
class Filters:
    """The sidebar / URL / command-line filters: codes, key factor numbers and a period."""

    regions: tuple[str, ...] = ()
    donors: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    key_factors: tuple[int, ...] = ()
    period_from: str | None = None
    period_to: str | None = None

    @classmethod
    def from_values(cls, *, regions=None, donors=None, partners=None, key_factors=None, period_from=None, period_to=None) -> "Filters":
        def codes(values):
            out = []
            for v in values or []:
                out += [p.strip() for p in str(v).split(",") if p.strip()]
            return tuple(sorted(set(out), key=str.upper))

        kfs = []
        for k in codes(key_factors):
            try:
                n = int(k)
            except ValueError:
                raise ValueError(f"key factor '{k}' is not a number from 1 to 10") from None
            if n not in reference.KEY_FACTORS:
                raise ValueError(f"key factor {n} is not between 1 and 10")
            kfs.append(n)
        f = cls(codes(regions), codes(donors), codes(partners), tuple(sorted(set(kfs))), period_from or None, period_to or None)
        f.start, f.end  # validate the periods now
        if f.start and f.end and f.start > f.end:
            raise ValueError(f"--from {period_from} is after --to {period_to}")
        return f

    @property
    def start(self) -> date | None:
        return _period_date(self.period_from, end=False)

    @property
    def end(self) -> date | None:
        return _period_date(self.period_to, end=True)

    def is_empty(self) -> bool:
        return self == Filters()

    def describe(self) -> str:
        parts = []
        for label, values in (("Region", self.regions), ("Donor", self.donors), ("Partner", self.partners), ("Key factor", self.key_factors)):
            if values:
                parts.append(f"{label}: {', '.join(map(str, values))}")
        if self.period_from or self.period_to:
            parts.append(f"Period: {self.period_from or '…'} to {self.period_to or '…'}")
        return "; ".join(parts) or "No filter"


# --------------------------------------------------------------------------------------
# the snapshot


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

    @property
    def as_of(self) -> date | None:
        """'Data as of': the period filter's end, else the latest period_end in the data."""
        if self.filters.end:
            return self.filters.end
        return default_as_of(self.values)


def load_snapshot(engine: Engine) -> Snapshot:
    with engine.connect() as conn:
        regions = read_frame(conn, select(Region.code, Region.name))
        kfs = read_frame(conn, select(KeyFactor.number, KeyFactor.name).order_by(KeyFactor.number))
        donors = read_frame(conn, select(Donor.id, Donor.code, Donor.name, Donor.country).order_by(Donor.code))
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
                                             Indicator.description, Indicator.cumulative, Indicator.scale_min, Indicator.scale_max)
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
        is_demo = conn.execute(select(ImportBatch.id).where(ImportBatch.source == "demo", ImportBatch.status == "committed").limit(1)).first() is not None
    partners = partners[partners["code"] != PROGRAMME_PARTNER_CODE].reset_index(drop=True)
    partners["region_name"] = partners["region"].map(reference.REGIONS)
    partners["country_name"] = partners["country"].map(reference.country_name)
    indicators["key_factor"] = indicators["key_factor"].astype("Int64")
    for frame in (values, baselines):
        for c in ("target", "actual", "value"):
            if c in frame:
                frame[c] = frame[c].astype(float)
    return Snapshot(regions, kfs, donors, partners, agreements, funding, framework, indicators, activities,
                    act_partners, act_kfs, values, baselines, is_demo)


# --------------------------------------------------------------------------------------
# scope and filters, in one place


def visible_partners(snap: Snapshot, filters: Filters, scope: Scope | None) -> set[str]:
    """Partner codes the user may see and the filters select."""
    p = snap.partners
    codes = set(p["code"])
    if scope is not None and scope.role == "partner":
        codes &= {c for c in codes if c.lower() == (scope.partner or "").lower()}
    if scope is not None and scope.role == "donor":
        codes &= set(snap.funding.loc[snap.funding["donor"].str.lower() == (scope.donor or "").lower(), "partner"])
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


def programme_level_visible(filters: Filters, scope: Scope | None) -> bool:
    """Programme-level values belong to no partner: shown unless the view is narrowed to partners."""
    if scope is not None and scope.role == "partner":
        return False
    return not (filters.regions or filters.partners)


def view(snap: Snapshot, filters: Filters = Filters(), scope: Scope | None = None) -> Snapshot:
    """The snapshot narrowed to what `filters` select and `scope` allows."""
    codes = visible_partners(snap, filters, scope)
    keep_partner = set(codes) | ({PROGRAMME_PARTNER_CODE} if programme_level_visible(filters, scope) else set())
    indicators = snap.indicators
    if filters.key_factors:
        indicators = indicators[indicators["key_factor"].isin(list(filters.key_factors))]
    ind_codes = set(indicators["code"])
    values = snap.values[snap.values["partner"].isin(keep_partner) & snap.values["indicator"].isin(ind_codes)]
    start, end = filters.start, filters.end
    if end:
        values = values[values["period_end"] <= end]
    if start:
        values = values[values["period_start"] >= start]
    baselines = snap.baselines[snap.baselines["partner"].isin(keep_partner) & snap.baselines["indicator"].isin(ind_codes)]
    partners = snap.partners[snap.partners["code"].isin(codes)]
    funding = snap.funding[snap.funding["partner"].isin(codes)]
    donor_codes = set(funding["donor"])
    if scope is not None and scope.role == "donor":
        donor_codes &= {d for d in donor_codes if d.lower() == (scope.donor or "").lower()}
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
    if filters.donors or (scope is not None and scope.role == "donor"):
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
        values=values, baselines=baselines, filters=filters,
    )


# --------------------------------------------------------------------------------------
# analysis on a view


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


def _partner_rows(prog: pd.DataFrame) -> pd.DataFrame:
    return prog[prog["partner"] != PROGRAMME_PARTNER_CODE]


def progress_by_region(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(_partner_rows(prog).dropna(subset=["region"]), ["region"])
    out["region_name"] = out["region"].map(reference.REGIONS)
    return out


def progress_by_donor(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    links = v.funding[["donor", "partner"]].drop_duplicates()
    joined = _partner_rows(prog).merge(links, on="partner", how="inner")
    out = rollup(joined, ["donor"])
    out["donor_name"] = out["donor"].map(v.donors.set_index("code")["name"])
    return out


def progress_by_partner(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(_partner_rows(prog), ["partner"])
    part = v.partners.set_index("code")
    out["partner_name"] = out["partner"].map(part["name"])
    out["region"] = out["partner"].map(part["region"])
    out["country"] = out["partner"].map(part["country"])
    out["country_name"] = out["partner"].map(part["country_name"])
    return out


def progress_by_key_factor(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(_partner_rows(prog).dropna(subset=["key_factor"]), ["key_factor"])
    out["key_factor"] = out["key_factor"].astype(int)
    out["key_factor_name"] = out["key_factor"].map(reference.KEY_FACTORS)
    return out


def progress_by_partner_and_key_factor(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    prog = progress_table(v) if prog is None else prog
    out = rollup(_partner_rows(prog).dropna(subset=["key_factor"]), ["partner", "key_factor"])
    out["key_factor"] = out["key_factor"].astype(int)
    out["key_factor_name"] = out["key_factor"].map(reference.KEY_FACTORS)
    return out


def reporting_completeness(v: Snapshot) -> pd.DataFrame:
    """Due reports (target set, period ended by 'as of') and whether each has an actual."""
    out = completeness(v.values, as_of=v.as_of)
    out = out[out["partner"] != PROGRAMME_PARTNER_CODE].copy()
    out["partner_name"] = out["partner"].map(v.partners.set_index("code")["name"])
    out["indicator_name"] = out["indicator"].map(v.indicators.set_index("code")["name"])
    return out.reset_index(drop=True)


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


def activities_table(v: Snapshot) -> pd.DataFrame:
    """Activities with their partner codes and key factors as lists (for tables and timelines)."""
    acts = v.activities.copy()
    parts = v.activity_partners.groupby("activity_id")["partner"].apply(lambda s: sorted(s))
    kfs = v.activity_key_factors.groupby("activity_id")["key_factor"].apply(lambda s: sorted(int(x) for x in s))
    acts["partners"] = acts["id"].map(parts).map(lambda x: x if isinstance(x, list) else [])
    acts["key_factors"] = acts["id"].map(kfs).map(lambda x: x if isinstance(x, list) else [])
    acts["end"] = acts["end"].where(acts["end"].notna(), acts["start"])
    return acts.reset_index(drop=True)


def indicator_series(v: Snapshot, indicator: str, partner: str | None = None) -> pd.DataFrame:
    """Targets and actuals over time for one indicator (one partner, or all visible)."""
    vals = v.values[v.values["indicator"] == indicator]
    if partner is not None:
        vals = vals[vals["partner"] == partner]
    return vals.sort_values(["partner", "dimension", "dimension_value", "period_end"]).reset_index(drop=True)


def survey_waves(v: Snapshot) -> pd.DataFrame:
    """Ordinal (survey) indicator actuals per partner, wave (year) and respondent group."""
    ordinal = set(v.indicators.loc[v.indicators["measure"] == "ordinal", "code"])
    vals = v.values[v.values["indicator"].isin(ordinal) & v.values["actual"].notna()].copy()
    vals["wave"] = vals["period_end"].map(lambda d: d.year)
    vals["group"] = vals["dimension_value"].where(vals["dimension_value"] != "", "all respondents")
    ind = v.indicators.set_index("code")
    vals["indicator_name"] = vals["indicator"].map(ind["name"])
    vals["key_factor"] = vals["indicator"].map(ind["key_factor"])
    return vals[["indicator", "indicator_name", "key_factor", "partner", "wave", "group", "actual"]].reset_index(drop=True)


def funding_summary(v: Snapshot) -> pd.DataFrame:
    """Per donor: committed amounts by currency (agreements) and number of partners funded."""
    partners = v.funding.groupby("donor")["partner"].nunique()
    ag = v.agreements.dropna(subset=["amount"]).groupby(["donor", "currency"])["amount"].sum().reset_index()
    ag["partners"] = ag["donor"].map(partners).fillna(0).astype(int)
    ag["donor_name"] = ag["donor"].map(v.donors.set_index("code")["name"])
    return ag


# --- indicators, key factors, activities, reporting ---
# (indicator page, key-factor page with the survey rounds, activities page, reporting page)

DIRECTION_LABELS = {True: "higher is better", False: "lower is better"}
NO_MODE = "not set"
NO_DONOR = "no donor"


def _text_or_none(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _period_candidates(year: int) -> list[str]:
    return [str(year), f"{year}-H1", f"{year}-H2", *(f"{year}-Q{q}" for q in range(1, 5)), *(f"{year}-{m:02d}" for m in range(1, 13))]


def period_label(start, end) -> str:
    """A period as the upload format writes it (2024, 2024-H1, 2024-Q1, 2024-03), else 'start – end'."""
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return ""
    start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    if start.year == end.year:
        wanted = (start.isoformat(), end.isoformat())
        for text in _period_candidates(start.year):
            if period_bounds(text) == wanted:
                return text
    return f"{start.isoformat()} – {end.isoformat()}"


def _period_labels(frame: pd.DataFrame) -> pd.Series:
    """period_label for every row, each distinct (start, end) computed once."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    pairs = list(zip(frame["period_start"], frame["period_end"]))
    labels = {p: period_label(*p) for p in set(pairs)}
    return pd.Series([labels[p] for p in pairs], index=frame.index, dtype=object)


def key_factor_label(number) -> str:
    """'3. Transparency' (empty for none)."""
    if number is None or pd.isna(number):
        return ""
    return f"{int(number)}. {reference.KEY_FACTORS.get(int(number), '')}"


def _partner_names(v: Snapshot, codes: pd.Series) -> pd.Series:
    names = codes.map(v.partners.set_index("code")["name"])
    return names.where(codes != PROGRAMME_PARTNER_CODE, reference.PROGRAMME_PARTNER_NAME).fillna(codes)


def indicator_definition(v: Snapshot, code: str) -> dict | None:
    """One indicator's definition, ready to show (None when it is not in the view)."""
    rows = v.indicators[v.indicators["code"] == code]
    if rows.empty:
        return None
    r = rows.iloc[0]
    measure = _text_or_none(r["measure"]) or "unit"
    result = _text_or_none(r["result"])
    titles = v.framework.set_index("code")["title"] if len(v.framework) else pd.Series(dtype=object)
    scale = None
    if measure == "ordinal" and pd.notna(r["scale_min"]) and pd.notna(r["scale_max"]):
        scale = f"{float(r['scale_min']):g} to {float(r['scale_max']):g}"
    kf = None if pd.isna(r["key_factor"]) else int(r["key_factor"])
    ascending = True if pd.isna(r["ascending"]) else bool(r["ascending"])
    return {
        "code": str(r["code"]),
        "name": str(r["name"]),
        "level": _text_or_none(r["level"]),
        "result": result,
        "result_title": _text_or_none(titles.get(result)) if result else None,
        "measure": measure,
        "unit": _text_or_none(r["unit"]),
        "ascending": ascending,
        "direction": DIRECTION_LABELS[ascending],
        "cumulative": bool(r["cumulative"]) if pd.notna(r["cumulative"]) else False,
        "scale_min": None if pd.isna(r["scale_min"]) else float(r["scale_min"]),
        "scale_max": None if pd.isna(r["scale_max"]) else float(r["scale_max"]),
        "scale": scale,
        "key_factor": kf,
        "key_factor_name": reference.KEY_FACTORS.get(kf) if kf else None,
        "description": _text_or_none(r["description"]),
    }


INDICATOR_TARGET_COLUMNS = [
    "partner", "partner_name", "region", "period", "period_start", "period_end", "baseline", "baseline_year",
    "target", "actual", "target_text", "text", "progress", "progress_clamped", "status",
]


def indicator_targets(v: Snapshot, prog: pd.DataFrame | None, code: str) -> pd.DataFrame:
    """One indicator across partners: the figures progress uses (baseline, target, actual,
    progress, status) per partner, programme level last, else by partner name."""
    prog = progress_table(v) if prog is None else prog
    rows = prog[prog["indicator"] == code].copy()
    rows["period"] = _period_labels(rows)
    rows["_programme"] = rows["partner"] == PROGRAMME_PARTNER_CODE
    rows = rows.sort_values(["_programme", "partner_name", "partner"], kind="stable")
    return rows[INDICATOR_TARGET_COLUMNS].reset_index(drop=True)


def key_factor_cells(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    """progress_by_partner_and_key_factor with the partner's name (for the heatmap)."""
    out = progress_by_partner_and_key_factor(v, prog)
    out["partner_name"] = _partner_names(v, out["partner"])
    return out


def activities_by_key_factor(v: Snapshot) -> pd.DataFrame:
    """Per key factor (all ten, or those the filter selects): activities and participants.
    An activity on several key factors counts in each."""
    numbers = list(v.filters.key_factors) or list(reference.KEY_FACTORS)
    acts = v.activities[["id", "participants"]]
    links = v.activity_key_factors.merge(acts, left_on="activity_id", right_on="id", how="inner")
    links = links.drop_duplicates(["activity_id", "key_factor"])
    counts = links.groupby("key_factor").agg(activities=("activity_id", "nunique"), participants=("participants", "sum"))
    out = pd.DataFrame({"key_factor": numbers})
    out["key_factor_name"] = out["key_factor"].map(reference.KEY_FACTORS)
    out["label"] = out["key_factor"].map(key_factor_label)
    out["activities"] = out["key_factor"].map(counts["activities"]).fillna(0).astype(int)
    out["participants"] = out["key_factor"].map(counts["participants"]).fillna(0).astype(int)
    return out


SURVEY_ROUND_COLUMNS = [
    "indicator", "indicator_name", "key_factor", "key_factor_name", "partner", "partner_name", "group",
    "wave", "round", "rounds", "actual",
]


def survey_rounds(v: Snapshot) -> pd.DataFrame:
    """Survey (ordinal) scores per indicator, partner, respondent group and wave, with the
    round number per (indicator, partner): 1 = that administration's first round."""
    w = survey_waves(v)
    if w.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SURVEY_ROUND_COLUMNS})
    w = w.groupby(["indicator", "indicator_name", "partner", "group", "wave"], as_index=False, dropna=False)["actual"].mean()
    waves = w[["indicator", "partner", "wave"]].drop_duplicates()
    waves["round"] = waves.groupby(["indicator", "partner"])["wave"].rank(method="dense").astype(int)
    waves["rounds"] = waves.groupby(["indicator", "partner"])["wave"].transform("nunique").astype(int)
    w = w.merge(waves, on=["indicator", "partner", "wave"])
    kf = v.indicators.set_index("code")["key_factor"]
    w["key_factor"] = w["indicator"].map(kf).astype("Int64")
    w["key_factor_name"] = w["key_factor"].map(lambda k: reference.KEY_FACTORS.get(int(k)) if pd.notna(k) else None)
    w["partner_name"] = _partner_names(v, w["partner"])
    w["wave"] = w["wave"].astype(int)
    w = w.sort_values(["indicator", "partner_name", "group", "wave"], kind="stable")
    return w[SURVEY_ROUND_COLUMNS].reset_index(drop=True)


SURVEY_COMPARISON_COLUMNS = [
    "indicator", "indicator_name", "key_factor", "partner", "partner_name", "group",
    "first_wave", "first", "latest_wave", "latest", "change",
]


def survey_comparison(v: Snapshot, indicator: str | None = None) -> pd.DataFrame:
    """First round against the latest round per (indicator, partner, respondent group);
    latest and change are empty where an administration has had one round only."""
    r = survey_rounds(v)
    if indicator is not None:
        r = r[r["indicator"] == indicator]
    if r.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SURVEY_COMPARISON_COLUMNS})
    keys = ["indicator", "indicator_name", "key_factor", "partner", "partner_name", "group"]
    first = r[r["round"] == 1].rename(columns={"wave": "first_wave", "actual": "first"})
    last = r[(r["round"] == r["rounds"]) & (r["rounds"] > 1)].rename(columns={"wave": "latest_wave", "actual": "latest"})
    out = first[[*keys, "first_wave", "first"]].merge(last[[*keys, "latest_wave", "latest"]], on=keys, how="left")
    out["latest_wave"] = out["latest_wave"].astype("Int64")
    out["change"] = out["latest"] - out["first"]
    return out[SURVEY_COMPARISON_COLUMNS].sort_values(["indicator", "partner_name", "group"], kind="stable").reset_index(drop=True)


def survey_change_by_key_factor(v: Snapshot) -> pd.DataFrame:
    """Per survey indicator (and its key factor) and respondent group: mean first-round and
    latest-round scores over the administrations that have had both, with n."""
    c = survey_comparison(v).dropna(subset=["latest"])
    cols = ["indicator", "indicator_name", "key_factor", "key_factor_name", "group", "first", "latest", "change", "n"]
    if c.empty:
        return pd.DataFrame({col: pd.Series(dtype=object) for col in cols})
    out = c.groupby(["indicator", "indicator_name", "key_factor", "group"], as_index=False, dropna=False).agg(
        first=("first", "mean"), latest=("latest", "mean"), n=("partner", "nunique"))
    out["change"] = out["latest"] - out["first"]
    out["key_factor_name"] = out["key_factor"].map(lambda k: reference.KEY_FACTORS.get(int(k)) if pd.notna(k) else None)
    out["n"] = out["n"].astype(int)
    return out[cols].sort_values(["key_factor", "indicator", "group"], kind="stable").reset_index(drop=True)


def activities_listing(v: Snapshot) -> pd.DataFrame:
    """activities_table with mode and donor labelled where absent and participants as numbers."""
    acts = activities_table(v)
    acts["mode"] = acts["mode"].fillna("").replace("", NO_MODE)
    acts["donor"] = acts["donor"].fillna("").replace("", NO_DONOR)
    acts["participants"] = pd.to_numeric(acts["participants"], errors="coerce").astype("Int64")
    acts["year"] = acts["start"].map(lambda d: d.year).astype("Int64") if len(acts) else pd.Series(dtype="Int64")
    return acts


def activity_counts(v: Snapshot, by: str | list[str]) -> pd.DataFrame:
    """Activities and participants per group (mode, type, donor, status, year — or several);
    missing mode reads 'not set', missing donor 'no donor'."""
    by = [by] if isinstance(by, str) else list(by)
    acts = activities_listing(v)
    if acts.empty:
        return pd.DataFrame({**{b: pd.Series(dtype=object) for b in by}, "activities": pd.Series(dtype=int), "participants": pd.Series(dtype=int)})
    out = acts.groupby(by, as_index=False, dropna=False).agg(activities=("id", "size"), participants=("participants", "sum"))
    out["activities"] = out["activities"].astype(int)
    out["participants"] = out["participants"].fillna(0).astype(int)
    return out.sort_values(by, kind="stable").reset_index(drop=True)


COMPLETENESS_CELL_COLUMNS = ["partner", "partner_name", "period", "period_start", "period_end", "due", "reported", "missing", "share"]


def completeness_by_partner_period(v: Snapshot) -> pd.DataFrame:
    """Per partner and period: reports due, reported, missing and the share reported."""
    rc = reporting_completeness(v)
    if rc.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COMPLETENESS_CELL_COLUMNS})
    out = rc.groupby(["partner", "period_start", "period_end"], as_index=False).agg(
        due=("reported", "size"), reported=("reported", "sum"))
    out["due"] = out["due"].astype(int)
    out["reported"] = out["reported"].astype(int)
    out["missing"] = out["due"] - out["reported"]
    out["share"] = out["reported"] / out["due"]
    out["partner_name"] = _partner_names(v, out["partner"])
    out["period"] = _period_labels(out)
    return out[COMPLETENESS_CELL_COLUMNS].sort_values(["partner", "period_end", "period_start"], kind="stable").reset_index(drop=True)


def completeness_by_period(v: Snapshot) -> pd.DataFrame:
    """Per period: reports due, reported, missing, share reported, and partners due."""
    rc = reporting_completeness(v)
    cols = ["period", "period_start", "period_end", "due", "reported", "missing", "share", "partners"]
    if rc.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out = rc.groupby(["period_start", "period_end"], as_index=False).agg(
        due=("reported", "size"), reported=("reported", "sum"), partners=("partner", "nunique"))
    for c in ("due", "reported", "partners"):
        out[c] = out[c].astype(int)
    out["missing"] = out["due"] - out["reported"]
    out["share"] = out["reported"] / out["due"]
    out["period"] = _period_labels(out)
    return out[cols].sort_values(["period_end", "period_start"], kind="stable").reset_index(drop=True)


MISSING_REPORT_COLUMNS = ["partner", "partner_name", "indicator", "indicator_name", "period", "period_start", "period_end"]


def missing_reports(v: Snapshot) -> pd.DataFrame:
    """The (partner, indicator, period) reports that are due and have no actual."""
    rc = reporting_completeness(v)
    out = rc[~rc["reported"].astype(bool)].copy()
    out["period"] = _period_labels(out)
    return out[MISSING_REPORT_COLUMNS].sort_values(["partner", "indicator", "period_end"], kind="stable").reset_index(drop=True)


def latest_period_missing(v: Snapshot) -> pd.DataFrame:
    """Administrations that have not reported for the latest period due, and on which indicators
    (the latest period_end among due reports, by 'as of')."""
    rc = reporting_completeness(v)
    cols = ["partner", "partner_name", "period", "period_end", "due", "missing", "indicators", "indicator_names"]
    if rc.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    latest = rc[rc["period_end"] == rc["period_end"].max()].copy()
    latest["period"] = _period_labels(latest)
    due = latest.groupby("partner")["reported"].size()
    gone = latest[~latest["reported"].astype(bool)].sort_values(["partner", "indicator"], kind="stable")
    if gone.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out = gone.groupby("partner", as_index=False).agg(
        partner_name=("partner_name", "first"), period=("period", lambda s: ", ".join(sorted(set(s)))),
        period_end=("period_end", "first"), missing=("indicator", "size"),
        indicators=("indicator", list), indicator_names=("indicator_name", lambda s: "; ".join(s.astype(str))))
    out["due"] = out["partner"].map(due).astype(int)
    out["missing"] = out["missing"].astype(int)
    return out[cols].sort_values(["partner"], kind="stable").reset_index(drop=True)


# --- regions, donors, partner profile ---
# (regions page, donors page, partner profile page, the partner map and their named charts)

PARTNER_SUMMARY_COLUMNS = [
    "partner", "partner_name", "country", "country_name", "region", "region_name", "donors", "donor_names",
    "joined_on", "partner_status", "progress", "n", "n_no_data", "n_qualitative", "status",
    "achieved", "on_track", "at_risk", "off_track", "activities",
]
_ROLLUP_COUNTS = ["n", "n_no_data", "n_qualitative", "achieved", "on_track", "at_risk", "off_track"]


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


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


def partner_summary(v: Snapshot, prog: pd.DataFrame | None = None, *, region: str | None = None,
                    donor: str | None = None) -> pd.DataFrame:
    """Every visible partner administration (by name) with country, region, donors, roll-up
    progress (mean clamped progress over its scored indicator–partner pairs, n; 'no data' and
    n = 0 where it has none) and the number of activities it took part in. `region` / `donor`
    narrow it to one region's partners or to the partners one donor funds (codes, any case)."""
    prog = progress_table(v) if prog is None else prog
    p = v.partners
    if region:
        p = p[p["region"].str.upper() == region.upper()]
    if donor:
        funded = set(v.funding.loc[v.funding["donor"].str.lower() == donor.lower(), "partner"])
        p = p[p["code"].isin(funded)]
    if p.empty:
        return _empty(PARTNER_SUMMARY_COLUMNS)
    out = pd.DataFrame({
        "partner": p["code"].astype(object), "partner_name": p["name"].astype(object),
        "country": p["country"].astype(object), "country_name": p["country_name"].astype(object),
        "region": p["region"].astype(object), "region_name": p["region_name"].astype(object),
        "joined_on": p["joined_on"], "partner_status": p["status"].astype(object),
    })
    codes, names = _donors_of_partners(v)
    out["donors"] = out["partner"].map(codes).fillna("")
    out["donor_names"] = out["partner"].map(names).fillna("")
    rolled = rollup(_partner_rows(prog), ["partner"]) if len(prog) else _empty(["partner", "progress", *_ROLLUP_COUNTS, "status"])
    out = out.merge(rolled[["partner", "progress", *_ROLLUP_COUNTS, "status"]], on="partner", how="left")
    out["progress"] = pd.to_numeric(out["progress"], errors="coerce").astype(float)
    for c in _ROLLUP_COUNTS:
        out[c] = pd.to_numeric(out[c], errors="coerce").fillna(0).astype(int)
    out["status"] = out["status"].astype(object).where(out["status"].notna(), "no data")
    out["activities"] = out["partner"].map(_activity_counts_per_partner(v)).fillna(0).astype(int)
    out = out.sort_values(["partner_name", "partner"], key=lambda s: s.str.lower(), kind="stable")
    return out[PARTNER_SUMMARY_COLUMNS].reset_index(drop=True)


REGION_SUMMARY_COLUMNS = [
    "region", "region_name", "partners", "progress", "n", "n_no_data", "n_qualitative", "status",
    "achieved", "on_track", "at_risk", "off_track", "activities", "participants", "donors",
]


def region_summary(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per WCO region with a visible partner (in the reference order): partners, roll-up
    progress with n and status counts, activities its partners took part in and their
    participants (an activity with partners in several regions counts in each region), and
    the donors funding its partners."""
    prog = progress_table(v) if prog is None else prog
    if v.partners.empty:
        return _empty(REGION_SUMMARY_COLUMNS)
    order = list(reference.REGIONS)
    regions = [r for r in order if r in set(v.partners["region"])]
    regions += sorted(set(v.partners["region"]) - set(order))
    out = pd.DataFrame({"region": regions})
    out["region_name"] = out["region"].map(reference.REGIONS).fillna(out["region"])
    out["partners"] = out["region"].map(v.partners.groupby("region")["code"].nunique()).astype(int)
    rolled = progress_by_region(v, prog) if len(prog) else _empty(["region", "progress", *_ROLLUP_COUNTS, "status"])
    out = out.merge(rolled[["region", "progress", *_ROLLUP_COUNTS, "status"]], on="region", how="left")
    out["progress"] = pd.to_numeric(out["progress"], errors="coerce").astype(float)
    for c in _ROLLUP_COUNTS:
        out[c] = pd.to_numeric(out[c], errors="coerce").fillna(0).astype(int)
    out["status"] = out["status"].astype(object).where(out["status"].notna(), "no data")
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


def funded_partners_by_region(v: Snapshot) -> pd.DataFrame:
    """Per region and donor: how many visible partners of the region the donor funds (a
    partner funded by two donors counts for each). No amounts: agreements are not split
    by partner."""
    cols = ["region", "region_name", "donor", "donor_name", "partners"]
    links = v.funding[["donor", "partner"]].drop_duplicates()
    links = links.assign(region=links["partner"].map(v.partners.set_index("code")["region"])).dropna(subset=["region"])
    if links.empty:
        return _empty(cols)
    out = links.groupby(["region", "donor"], as_index=False)["partner"].nunique().rename(columns={"partner": "partners"})
    out["region_name"] = out["region"].map(reference.REGIONS).fillna(out["region"])
    out["donor_name"] = out["donor"].map(v.donors.set_index("code")["name"]).fillna(out["donor"])
    order = {r: i for i, r in enumerate(reference.REGIONS)}
    out["_order"] = out["region"].map(order).fillna(len(order))
    out = out.sort_values(["_order", "region", "donor"], kind="stable")
    out["partners"] = out["partners"].astype(int)
    return out[cols].reset_index(drop=True)


def _money(amount: float, currency: str | None) -> str:
    return f"{currency or ''} {amount:,.0f}".strip()


DONOR_SUMMARY_COLUMNS = [
    "donor", "donor_name", "country", "partners", "agreements", "committed", "progress", "n", "status",
    "activities", "participants",
]


def donor_summary(v: Snapshot, prog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per visible donor: partners funded, agreements and the amounts committed (per currency,
    never converted), roll-up progress of the funded administrations with n, and the
    activities it funds with their participants."""
    prog = progress_table(v) if prog is None else prog
    if v.donors.empty:
        return _empty(DONOR_SUMMARY_COLUMNS)
    d = v.donors
    out = pd.DataFrame({"donor": d["code"].astype(object), "donor_name": d["name"].astype(object),
                        "country": d["country"].map(lambda c: reference.country_name(c) if _text_or_none(c) else "").astype(object)})
    out["partners"] = out["donor"].map(v.funding.groupby("donor")["partner"].nunique()).fillna(0).astype(int)
    out["agreements"] = out["donor"].map(v.agreements.groupby("donor").size()).fillna(0).astype(int)
    ag = v.agreements.dropna(subset=["amount"])
    committed = ag.groupby(["donor", "currency"], dropna=False)["amount"].sum().reset_index()
    text = committed.assign(t=[_money(a, c) for a, c in zip(committed["amount"], committed["currency"])]).groupby("donor")["t"].agg(" + ".join)
    out["committed"] = out["donor"].map(text).fillna("")
    rolled = progress_by_donor(v, prog) if len(prog) else _empty(["donor", "progress", "n", "status"])
    out = out.merge(rolled[["donor", "progress", "n", "status"]], on="donor", how="left")
    out["progress"] = pd.to_numeric(out["progress"], errors="coerce").astype(float)
    out["n"] = pd.to_numeric(out["n"], errors="coerce").fillna(0).astype(int)
    out["status"] = out["status"].astype(object).where(out["status"].notna(), "no data")
    acts = v.activities.assign(participants=pd.to_numeric(v.activities["participants"], errors="coerce"))
    out["activities"] = out["donor"].map(acts.groupby("donor").size()).fillna(0).astype(int)
    out["participants"] = out["donor"].map(acts.groupby("donor")["participants"].sum()).fillna(0).astype(int)
    return out[DONOR_SUMMARY_COLUMNS].reset_index(drop=True)


DONOR_AGREEMENT_COLUMNS = [
    "donor", "donor_name", "phase", "amount", "currency", "signed_on", "start", "end", "period", "partners",
]


def donor_agreements(v: Snapshot, donor: str | None = None) -> pd.DataFrame:
    """A donor's agreements (every visible donor's when `donor` is None), by donor and phase:
    amount, currency, signed, period, and how many visible partners each phase funds."""
    ag = v.agreements if donor is None else v.agreements[v.agreements["donor"].str.lower() == donor.lower()]
    if ag.empty:
        return _empty(DONOR_AGREEMENT_COLUMNS)
    out = ag.copy()
    out["donor_name"] = out["donor"].map(v.donors.set_index("code")["name"]).fillna(out["donor"])
    per_phase = v.funding.groupby(["donor", "phase"])["partner"].nunique()
    out["partners"] = [int(per_phase.get((d, ph), 0)) for d, ph in zip(out["donor"], out["phase"])]
    out["period"] = [f"{s.isoformat() if pd.notna(s) else '…'} – {e.isoformat() if pd.notna(e) else '…'}"
                     for s, e in zip(out["start"], out["end"])]
    return out[DONOR_AGREEMENT_COLUMNS].reset_index(drop=True)


def donor_partners(v: Snapshot, prog: pd.DataFrame | None, donor: str) -> pd.DataFrame:
    """partner_summary of the partners one donor funds, with the phases they are funded under."""
    out = partner_summary(v, prog, donor=donor)
    f = v.funding[v.funding["donor"].str.lower() == donor.lower()]
    phases = f.groupby("partner")["phase"].agg(lambda s: ", ".join(sorted({str(x) for x in s if str(x)})))
    out["phases"] = out["partner"].map(phases).fillna("") if len(out) else pd.Series(dtype=object)
    return out


ACTIVITY_ROW_COLUMNS = [
    "code", "title", "type", "mode", "status", "start", "end", "year", "participants", "donor", "partners", "partner_names",
    "key_factors",
]


def _activity_rows(v: Snapshot, acts: pd.DataFrame) -> pd.DataFrame:
    """activities_listing rows (by start date) plus the partners' names as one text."""
    if acts.empty:
        return _empty(ACTIVITY_ROW_COLUMNS)
    out = acts.copy()
    out["partner_names"] = out["partners"].map(lambda codes: ", ".join(_partner_names(v, pd.Series(codes, dtype=object))))
    out = out.sort_values(["start", "code"], kind="stable")
    return out[ACTIVITY_ROW_COLUMNS].reset_index(drop=True)


def donor_activities(v: Snapshot, donor: str) -> pd.DataFrame:
    """The visible activities a donor funds, as activities_listing rows (by start date)."""
    acts = activities_listing(v)
    return _activity_rows(v, acts[acts["donor"].str.lower() == donor.lower()])


def partner_activities(v: Snapshot, partner: str) -> pd.DataFrame:
    """The visible activities a partner took part in, as activities_listing rows (by start date)."""
    acts = activities_listing(v)
    return _activity_rows(v, acts[acts["partners"].map(lambda codes: partner in codes)])


def partner_profile(v: Snapshot, partner: str) -> dict | None:
    """One partner's facts for the profile header (None when it is not in the view)."""
    rows = v.partners[v.partners["code"] == partner]
    if rows.empty:
        return None
    r = rows.iloc[0]
    f = v.funding[v.funding["partner"] == partner]
    names = v.donors.set_index("code")["name"]
    donors = []
    for code, phases in f.groupby("donor")["phase"]:
        donors.append({"donor": code, "donor_name": names.get(code, code),
                       "phases": sorted({str(x) for x in phases if str(x)})})
    return {
        "code": str(r["code"]),
        "name": str(r["name"]),
        "country": str(r["country"]),
        "country_name": r["country_name"] or str(r["country"]),
        "region": str(r["region"]),
        "region_name": reference.REGIONS.get(str(r["region"]), str(r["region"])),
        "joined_on": r["joined_on"] if pd.notna(r["joined_on"]) else None,
        "status": str(r["status"]) if pd.notna(r["status"]) else "",
        "donors": donors,
        "donors_text": "; ".join(
            f"{d['donor_name']} (phase {', '.join(d['phases'])})" if d["phases"] else d["donor_name"] for d in donors),
    }


def _figure(value, unit) -> str:
    if value is None or pd.isna(value):
        return ""
    text = f"{float(value):,.3f}".rstrip("0").rstrip(".")
    unit = _text_or_none(unit)
    if not unit:
        return text
    return f"{text} %" if unit == "%" else f"{text} {unit}"


PARTNER_INDICATOR_COLUMNS = [
    "indicator", "indicator_name", "label", "key_factor", "key_factor_label", "measure", "unit", "period",
    "baseline", "baseline_year", "baseline_shown", "target", "target_shown", "actual", "actual_shown",
    "progress", "progress_clamped", "status",
]


def partner_indicators(v: Snapshot, prog: pd.DataFrame | None, partner: str) -> pd.DataFrame:
    """One partner's indicators (code order): the figures progress uses — baseline, target,
    actual (numbers, or the text of qualitative indicators), raw and clamped progress, status —
    plus *_shown columns that write each figure with its unit, or its text."""
    prog = progress_table(v) if prog is None else prog
    rows = prog[prog["partner"] == partner].copy()
    if rows.empty:
        return _empty(PARTNER_INDICATOR_COLUMNS)
    rows = rows.sort_values("indicator", kind="stable")
    rows["label"] = rows["indicator"] + " · " + rows["indicator_name"].astype(str)
    rows["key_factor_label"] = rows["key_factor"].map(key_factor_label)
    rows["period"] = _period_labels(rows)
    # qualitative baselines are text: the latest total baseline text up to the period's start year
    b = v.baselines[(v.baselines["partner"] == partner) & v.baselines["value_text"].notna() & (v.baselines["dimension"] == "")]
    texts = []
    for ind, start in zip(rows["indicator"], rows["period_start"]):
        cand = b[b["indicator"] == ind]
        if start is not None and pd.notna(start):
            cand = cand[cand["year"] <= pd.Timestamp(start).year]
        cand = cand.sort_values("year")
        texts.append((_text_or_none(cand["value_text"].iloc[-1]), int(cand["year"].iloc[-1])) if len(cand) else (None, None))
    shown_baseline = []
    for (text, year), value, byear, unit in zip(texts, rows["baseline"], rows["baseline_year"], rows["unit"]):
        if pd.notna(value):
            shown_baseline.append(f"{_figure(value, unit)} ({int(byear)})" if pd.notna(byear) else _figure(value, unit))
        elif text:
            shown_baseline.append(f"{text} ({year})")
        else:
            shown_baseline.append("")
    rows["baseline_shown"] = shown_baseline
    rows["target_shown"] = [_figure(t, u) if pd.notna(t) else (_text_or_none(tt) or "")
                            for t, tt, u in zip(rows["target"], rows["target_text"], rows["unit"])]
    rows["actual_shown"] = [_figure(a, u) if pd.notna(a) else (_text_or_none(at) or "")
                            for a, at, u in zip(rows["actual"], rows["text"], rows["unit"])]
    return rows[PARTNER_INDICATOR_COLUMNS].reset_index(drop=True)


PARTNER_SERIES_COLUMNS = [
    "indicator", "indicator_name", "unit", "measure", "series", "period", "period_start", "period_end",
    "target", "actual", "comment",
]


def partner_series(v: Snapshot, partner: str, indicator: str | None = None) -> pd.DataFrame:
    """A partner's numeric targets and actuals per period (oldest first), one series per
    disaggregation: 'total' for undisaggregated rows, else the dimension value (e.g. 'private
    sector'), never averaged together. Qualitative indicators are left out."""
    numeric = set(v.indicators.loc[v.indicators["measure"] != "qualitative", "code"])
    vals = v.values[(v.values["partner"] == partner) & v.values["indicator"].isin(numeric)]
    if indicator is not None:
        vals = vals[vals["indicator"] == indicator]
    vals = vals[vals["target"].notna() | vals["actual"].notna()]
    if vals.empty:
        return _empty(PARTNER_SERIES_COLUMNS)
    ind = v.indicators.set_index("code")
    out = vals.copy()
    out["indicator_name"] = out["indicator"].map(ind["name"])
    out["unit"] = out["indicator"].map(ind["unit"])
    out["measure"] = out["indicator"].map(ind["measure"])
    out["series"] = out["dimension_value"].where(out["dimension_value"].fillna("") != "", "total")
    out["period"] = _period_labels(out)
    out["comment"] = out["comment"].map(_text_or_none)
    out["_total"] = out["series"] != "total"
    out = out.sort_values(["indicator", "_total", "series", "period_end", "period_start"], kind="stable")
    return out[PARTNER_SERIES_COLUMNS].reset_index(drop=True)


def partner_baselines(v: Snapshot, partner: str, indicator: str) -> pd.DataFrame:
    """A partner's numeric baselines for one indicator, per series ('total' or the dimension
    value) — the latest year of each."""
    b = v.baselines[(v.baselines["partner"] == partner) & (v.baselines["indicator"] == indicator) & v.baselines["value"].notna()]
    cols = ["series", "year", "value"]
    if b.empty:
        return _empty(cols)
    b = b.assign(series=b["dimension_value"].where(b["dimension_value"].fillna("") != "", "total"))
    b = b.sort_values(["series", "year"]).drop_duplicates("series", keep="last")
    b["year"] = b["year"].astype(int)
    return b[cols].reset_index(drop=True)

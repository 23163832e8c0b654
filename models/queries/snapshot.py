"""The programme read from the database, and the filtered, scoped view of it every page,
export and command works on. `load_snapshot` holds the only SQL of the read side (cache it
per data version); `view` applies the filters and the user's scope in one place, so every
chart, table and export sees the same rows.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from models import access, reference
from models.access import Scope
from models.queries import arrow_read
from models.queries.filters import Filters
from models.queries.memo import SNAPSHOT_RESULTS_KEPT, VIEW_RESULTS_KEPT, Memo, memo
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
    # a view: the snapshot it was made from, and the partner codes (the programme level
    # included when shown) and indicator codes whose values it keeps; None for a snapshot
    base: Snapshot | None = field(default=None, repr=False, compare=False)
    kept: tuple[frozenset[str], frozenset[str]] | None = field(default=None, repr=False, compare=False)
    # results derived from this snapshot or view (models.queries: progress, reports due, …)
    memo: Memo = field(default_factory=lambda: Memo(SNAPSHOT_RESULTS_KEPT), repr=False, compare=False)

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
        values = _read_values(conn, dict(zip(indicators["id"], indicators["code"])), dict(zip(partners["id"], partners["code"])))
        baselines = _frame(conn, select(Indicator.code.label("indicator"), Partner.code.label("partner"), Baseline.dimension,
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


VALUE_COLUMNS = ["indicator", "partner", "period_start", "period_end", "dimension", "dimension_value", "target", "actual",
                 "target_text", "actual_text", "comment"]
_CHUNK_ROWS = 100_000


def _read_values(conn, indicator_codes: dict, partner_codes: dict) -> pd.DataFrame:
    """Every stored value (VALUE_COLUMNS; dates as datetime.date), rows in id order: on SQLite
    through Arrow (models.queries.arrow_read, from a copy made in this transaction), else, and
    whenever that path cannot be used, through the driver's own cursor (`_driver_columns`)."""
    out = arrow_read.read_values(conn, indicator_codes, partner_codes)
    if out is None:
        out = _driver_columns(conn, indicator_codes, partner_codes)
    if out is None:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in VALUE_COLUMNS})
    return pd.DataFrame({name: out[name] for name in VALUE_COLUMNS})


def _driver_columns(conn, indicator_codes: dict, partner_codes: dict) -> dict[str, np.ndarray] | None:
    """`_read_values`'s columns read column-wise in chunks through the driver's own cursor: no
    per-row conversion, and a chunk's rows are freed before the next is read (memory and the
    garbage collector's work stay small). Breakdown and text cells, empty in most rows, are read
    apart for the rows that have them. None when there are no values."""
    c = Value.__table__.c
    main = _read_columns(conn, arrow_read.main_select(), {"target": float, "actual": float, "id": np.int64,
                                                          "indicator_id": np.int64, "partner_id": np.int64})
    n = len(main["id"])
    if not n:
        return None
    out = {
        "indicator": _decode(main["indicator_id"], indicator_codes),
        "partner": _decode(main["partner_id"], partner_codes),
        "period_start": _dates(main["period_start"]),
        "period_end": _dates(main["period_end"]),
    }
    for names, where, empty in arrow_read.sparse_groups():
        sparse = _read_columns(conn, select(c.id, *[c[name] for name in names]).where(where), {"id": np.int64})
        at = np.searchsorted(main["id"], sparse["id"])
        for name in names:
            column = np.full(n, empty, dtype=object)
            column[at] = sparse[name]
            out[name] = column
    out["target"], out["actual"] = main["target"], main["actual"]
    return out


def _read_columns(conn, stmt, dtypes: dict) -> dict[str, np.ndarray]:
    """The rows of a select as one array per column (`dtypes`: column -> numpy dtype; object
    otherwise), fetched in chunks through the driver's cursor, in the same transaction."""
    names = [col.name for col in stmt.selected_columns]
    sql = arrow_read.sql_text(conn, stmt)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_CHUNK_ROWS):
            cells = np.array(rows, dtype=object).reshape(len(rows), len(names))  # one C pass over the tuples
            del rows
            for i, name in enumerate(names):
                parts[name].append(_typed(cells[:, i], dtypes.get(name, object)))
    finally:
        cursor.close()
    return {name: np.concatenate(chunks) if chunks else np.array([], dtype=dtypes.get(name, object))
            for name, chunks in parts.items()}


def _typed(column: np.ndarray, dtype) -> np.ndarray:
    """An object column as `dtype`: None -> NaN for floats."""
    if dtype is object:
        return column.copy()
    if dtype is float:
        column = column.copy()
        column[np.equal(column, None)] = np.nan
    return column.astype(dtype)


def _frame(conn, stmt) -> pd.DataFrame:
    """A select's rows as a DataFrame with the statement's column names (as models.writes.
    read_frame, the rows handed to pandas as plain tuples)."""
    result = conn.execute(stmt)
    return pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))


def _decode(ids: np.ndarray, codes: dict) -> np.ndarray:
    """Ids -> codes (object array), each distinct id looked up once."""
    uniques, inverse = np.unique(ids.astype(np.int64), return_inverse=True)
    return np.array([codes[i] for i in uniques.tolist()] + [None], dtype=object)[inverse.reshape(-1)]


def _dates(cells: np.ndarray) -> np.ndarray:
    """Date cells as the driver gives them (ISO text on SQLite, dates on PostgreSQL) ->
    datetime.date objects (None stays None), each distinct cell converted once."""
    if not len(cells):
        return cells
    found, uniques = pd.factorize(cells, use_na_sentinel=True)
    converted = [d if isinstance(d, date) or d is None else date.fromisoformat(str(d)[:10]) for d in uniques]
    return np.array(converted + [None], dtype=object)[found]


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
    start, end = filters.start, filters.end
    values = _rows(snap.values, _period_mask(snap.values, start, end)
                   & _isin(snap.values["partner"], keep_partner) & _isin(snap.values["indicator"], ind_codes))
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
    base = snap.base if snap.base is not None else snap
    if snap.kept is not None:  # a view of a view keeps no more than the first did
        keep_partner &= snap.kept[0]
        ind_codes &= snap.kept[1]
    return replace(
        snap, donors=donors, partners=partners, agreements=agreements, funding=funding, indicators=indicators,
        activities=acts, activity_partners=ap[ap["activity_id"].isin(kept) & ap["partner"].isin(keep_partner)],
        activity_key_factors=snap.activity_key_factors[snap.activity_key_factors["activity_id"].isin(kept)],
        values=values, baselines=baselines, filters=filters, pending=pending, reported=reported,
        base=base, kept=(frozenset(keep_partner), frozenset(ind_codes)), memo=Memo(VIEW_RESULTS_KEPT),
    )


def per_pair(v: Snapshot, name: str, compute: Callable[[Snapshot], pd.DataFrame]) -> pd.DataFrame:
    """`compute(v)` for a result made of rows per (indicator, partner) pair, each computed from
    that pair's own values alone (its progress, its reports due): computed once for the whole
    programme over the view's period ("as of" and 'From' — the part of the filters that
    changes a pair's figures) and shared by every view of that snapshot with the same period,
    whatever its other filters and the user's scope; a view keeps the rows of its own pairs.
    A view holding less than half the values computes its own until the whole is at hand.
    The result's `partner` and `indicator` columns name the pair."""
    key = (name, v.filters.start, v.filters.end, v.as_of)
    if v.kept is None:  # a snapshot, not a view: its own values, as they are
        return memo(v, key, lambda: compute(v))

    def kept_rows() -> pd.DataFrame:
        base = v.base if v.base is not None else v
        full = base.memo.peek(key)
        if full is None:
            if len(v.values) * 2 < len(base.values):  # a small part of the programme (one partner from
                return compute(v)  # the command line): its own values, unless the whole is at hand
            full = memo(base, key, lambda: compute(programme_over_period(v)))
        keep = _isin(full["partner"], v.kept[0]) & _isin(full["indicator"], v.kept[1])
        if not keep.any():  # none: exactly what the view's own (small) computation gives
            return compute(v)
        return full.copy(deep=False) if keep.all() else full[keep].reset_index(drop=True)

    return memo(v, key, kept_rows)


def period_years(v: Snapshot) -> list[int]:
    """The years in which the view's values start or end, in order (the period filter's choices)."""
    def years() -> list[int]:
        found = set()
        for column in ("period_end", "period_start"):
            found |= {d.year for d in pd.unique(v.values[column])}
        return sorted(found)

    return memo(v, "period years", years) if len(v.values) else []


def programme_over_period(v: Snapshot) -> Snapshot:
    """The whole programme (every partner, the programme level, every indicator) over the
    period of `v`'s filters: the view an administrator gets with only that period set."""
    base = v.base if v.base is not None else v
    return view(base, Filters(period_from=v.filters.period_from, period_to=v.filters.period_to), access.LOCAL_ADMIN)


def _isin(column: pd.Series, wanted: set) -> np.ndarray:
    """column.isin(wanted) as an array; each distinct code tested once."""
    found, uniques = pd.factorize(column)
    hit = np.array([u in wanted for u in uniques] + [False], dtype=bool)
    return hit[found]


def _period_mask(values: pd.DataFrame, start: date | None, end: date | None) -> np.ndarray:
    """Rows whose period starts on or after `start` and (periods starting after "as of" are
    left out; those under way stay: in progress, not due) on or before `end`."""
    keep = np.ones(len(values), dtype=bool)
    if start or end:
        found, uniques = pd.factorize(values["period_start"])
        ok = np.array([(not end or d <= end) and (not start or d >= start) for d in uniques] + [False], dtype=bool)
        keep &= ok[found]
    return keep


def _rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """frame[keep]; every row kept: the same data (a shallow copy, nothing copied)."""
    return frame.copy(deep=False) if keep.all() else frame[keep]


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

"""One scored row per (indicator, partner) pair (DESIGN.md, "Progress rules").

The scored period is the latest target period that ended on or before "as of" (of nested
ones ending together, the smallest). Actuals count only toward target periods that equal
or contain theirs, aggregated over time by the indicator's rule; values ending after
"as of" are never scored; `start` (`--from`) leaves out periods starting before it.
Statuses, in order: qualitative; with an actual in the scored period, the four scored
ones or `no baseline`; `no data`; `in progress`; `not due`; `no target`.

`rollup` averages clamped progress over the pairs with a scored status, per group.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from models.config import Thresholds
from models.scoring.distance import (
    IN_PROGRESS, NO_BASELINE, NO_DATA, NO_TARGET, NOT_DUE, QUALITATIVE, SCORED, STATUSES,
    distance_travelled, origin_of, status_of,
)
from models.scoring.figures import PAIR, aggregate_inside, baseline_figures, one_key, order_by, period_figures
from models.scoring.inputs import baselines_frame, indicators_frame, values_frame, with_indicators
from models.scoring.periods import is_year_or_longer, running_labels, to_dates
from models.scoring.reporting import actual_periods, reports_in_spans

PAIR_COLUMNS = [
    "indicator", "partner", "period_start", "period_end", "period_label", "baseline", "baseline_year",
    "target", "actual", "progress", "progress_clamped", "status", "reports_received", "reports_due",
    "estimated", "aggregation", "n_periods", "so_far", "text", "target_text",
    "last_period_label", "last_status", "lop_period_start", "lop_period_end", "lop_period_label",
    "lop_target", "lop_actual",
]
_ONE_DAY = np.timedelta64(1, "D")


def _first(frame: pd.DataFrame, by: list[str], ascending: list[bool], where: np.ndarray | None = None) -> pd.DataFrame:
    """The first row per pair after sorting by `by` (in pair order; rows keep their labels),
    among the rows `where` holds (a boolean array; every row when None). The order is found
    on the key columns alone and only the chosen rows are taken."""
    at = np.arange(len(frame)) if where is None else np.flatnonzero(where)
    keys = [frame[c].to_numpy()[at] for c in ["pair", *by]]
    numbers = []
    for k, up in zip(keys, [True, *ascending]):
        if k.dtype.kind not in "iuMm" or (k.dtype.kind in "Mm" and np.isnat(k).any()):
            rows = frame if where is None else frame.iloc[at]
            return rows.sort_values(["pair", *by], ascending=[True, *ascending], kind="stable").drop_duplicates("pair")
        n = k.astype(np.int64)
        numbers.append(n if up else -n)
    pair, key = numbers[0], one_key(numbers[1:])
    if key is not None and len(pair) and (pair[1:] >= pair[:-1]).all():  # rows in pair order: no sort
        starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
        least = np.repeat(np.minimum.reduceat(key, starts), np.diff(np.r_[starts, len(pair)]))
        hits = np.flatnonzero(key == least)  # the first of them in each pair
        return frame.iloc[at[hits[np.r_[True, pair[hits][1:] != pair[hits][:-1]]]]]
    order = order_by(*numbers)
    pairs = keys[0][order]
    first = np.r_[True, pairs[1:] != pairs[:-1]] if len(order) else np.zeros(0, dtype=bool)
    return frame.iloc[at[order[first]]]


def _pair_numbers(v: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's pair as an integer, pairs numbered in (indicator, partner) order, and the
    pairs (indicator, partner, pair) in that order."""
    ind, inds = pd.factorize(v["indicator"], sort=True)
    part, parts = pd.factorize(v["partner"], sort=True)
    codes, pair = np.unique(ind.astype(np.int64) * len(parts) + part, return_inverse=True)
    pairs = pd.DataFrame({
        "indicator": pd.Series(np.asarray(inds, dtype=object)[codes // len(parts)], dtype=v["indicator"].dtype),
        "partner": pd.Series(np.asarray(parts, dtype=object)[codes % len(parts)], dtype=v["partner"].dtype),
        "pair": np.arange(len(codes)),
    })
    return pair.reshape(-1), pairs


def _target_periods(figures: pd.DataFrame, info: pd.DataFrame, as_of, baselines: pd.DataFrame,
                    thresholds: Thresholds) -> pd.DataFrame:
    """Every target period of every numeric pair with its figures, baseline, progress and status."""
    t = figures[figures["target"].notna().to_numpy()].reset_index(drop=True)
    at = pd.Index(info["pair"]).get_indexer(t["pair"])  # info: one row per pair
    if (at < 0).any():
        t, at = t[at >= 0].reset_index(drop=True), at[at >= 0]
    t = pd.concat([t, info.drop(columns="pair").iloc[at].reset_index(drop=True)], axis=1)
    t = t.rename(columns={"start": "s", "end": "e"})
    t["span"] = np.arange(len(t))
    t["length"] = (t["e"] - t["s"]).to_numpy()
    t["ended"] = t["e"].to_numpy() <= as_of
    actuals = figures[figures["actual"].notna() & (figures["end"].to_numpy() <= as_of)]

    inside = aggregate_inside(t, actuals, "actual").set_index("span")
    t["actual_in"] = inside["value"].to_numpy()
    t["n_in"] = inside["n"].to_numpy()
    t["actual_estimated"] = inside["estimated"].to_numpy()

    # cumulative: running totals from the pair's first target period
    first = _first(t, ["s", "length"], [True, True])
    at = pd.Index(first["pair"]).get_indexer(t["pair"])
    t["first_s"], t["first_e"] = first["s"].to_numpy()[at], first["e"].to_numpy()[at]
    cumulative = t["cumulative"].to_numpy()
    t["target_fig"], t["actual_fig"], t["n_fig"] = t["target"], t["actual_in"], t["n_in"]
    if cumulative.any():
        c = t[cumulative]
        window = aggregate_inside(c.assign(s=c["first_s"], aggregation="sum"), actuals, "actual").set_index("span")
        before = c.assign(s=c["first_s"], e=c["s"] - _ONE_DAY, aggregation="sum")
        earlier = aggregate_inside(before, figures[figures["target"].notna()], "target").set_index("span")
        spans = c["span"].to_numpy()
        t.loc[cumulative, "actual_fig"] = window.loc[spans, "value"].to_numpy()
        t.loc[cumulative, "n_fig"] = window.loc[spans, "n"].to_numpy()
        t.loc[cumulative, "actual_estimated"] = window.loc[spans, "estimated"].to_numpy()
        t.loc[cumulative, "target_fig"] = c["target"].to_numpy() + np.nan_to_num(earlier.loc[spans, "value"].to_numpy())

    # baseline: latest with year <= the period's start year (cumulative: the first period's);
    # for `sum` indicators only on periods of a year or more
    t["year_ref"] = pd.DatetimeIndex(np.where(cumulative, t["first_s"], t["s"])).year.astype(np.int64)
    applies = ~(t["aggregation"].eq("sum").to_numpy() & ~is_year_or_longer(t["s"].to_numpy(), t["e"].to_numpy()))
    m = t.loc[applies, ["span", "pair", "year_ref"]].merge(baselines, on="pair")
    m = m[m["year"].to_numpy() <= m["year_ref"].to_numpy()].sort_values(["span", "year"]).drop_duplicates("span", keep="last")
    at = m["span"].to_numpy()  # spans are t's row numbers
    baseline, year, estimated = np.full(len(t), np.nan), np.full(len(t), np.nan), np.full(len(t), np.nan, dtype=object)
    baseline[at], year[at] = m["baseline"].to_numpy(dtype=float), m["year"].to_numpy(dtype=float)
    t["baseline"], t["baseline_year"] = baseline, year
    estimated[at] = m["baseline_estimated"].to_numpy(dtype=object)
    t["baseline_estimated"] = pd.Series(estimated, index=t.index, dtype=object)

    origin = origin_of(t["baseline"], ascending=t["ascending"], measure=t["measure"], scale_min=t["scale_min"])
    t["progress"] = distance_travelled(t["actual_fig"], t["target_fig"], origin, ascending=t["ascending"])
    status = status_of(t["progress"].to_numpy(), thresholds)
    status[np.isnan(origin)] = NO_BASELINE
    t["scored_status"] = pd.Series(status, index=t.index, dtype=object)
    t["estimated"] = (t["target_estimated"].astype(bool) | t["actual_estimated"].astype(bool)
                      | t["baseline_estimated"].fillna(False).astype(bool))
    return t


def score_pairs(
    values: pd.DataFrame,
    indicators: pd.DataFrame | None = None,
    baselines: pd.DataFrame | None = None,
    *,
    as_of: date,
    start: date | None = None,
    thresholds: Thresholds | None = None,
    year_start_month: int = 1,
    reported: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per (indicator, partner) with values: PAIR_COLUMNS, sorted by indicator, partner.
    `reported`: reports received whose figures wait for review: counted in `reports_received`,
    never scored.

    `as_of`: see periods.as_of; `start`: `--from`; `thresholds`: defaults 1.0 / 0.75 / 0.5.
    The period columns are the scored period (for cumulative indicators the running total's
    span), or for `in progress`, `not due` and `no target` the period concerned.
    """
    th = thresholds or Thresholds()
    day = np.datetime64(as_of, "D")
    v = values_frame(values, start)
    ind = indicators_frame(indicators)
    if v.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PAIR_COLUMNS})
    v["pair"], pairs = _pair_numbers(v)
    info = with_indicators(pairs, ind)
    figures, _ = period_figures(v, ind)
    numeric = info[info["measure"].ne("qualitative")]
    base = baseline_figures(baselines_frame(baselines), ind).merge(info[[*PAIR, "pair"]], on=PAIR)
    numeric_pair = np.zeros(len(info), dtype=bool)
    numeric_pair[numeric["pair"].to_numpy()] = True
    used = figures[["pair", "start", "end", "target", "target_estimated", "actual", "actual_estimated"]]
    on_numeric = numeric_pair[used["pair"].to_numpy()]
    t = _target_periods(used if on_numeric.all() else used[on_numeric],
                        info[["pair", "measure", "ascending", "cumulative", "scale_min", "aggregation"]], day,
                        base.drop(columns=PAIR), th)

    out = info[[*PAIR, "pair", "measure", "cumulative", "aggregation", "months"]].copy()
    out["status"], out["so_far"] = None, False
    rows = []  # (pairs' chosen target periods, status); first assignment wins

    ended, has_in = t["ended"].to_numpy(), t["n_in"].to_numpy() > 0
    scored = _first(t, ["e", "length"], [False, True], ended)
    has_actual = scored["n_in"].to_numpy() > 0
    rows.append((scored[has_actual], scored.loc[has_actual, "scored_status"].to_numpy(), False))
    rows.append((scored[~has_actual], NO_DATA, False))
    # last scored figure beside `no data`: the latest ended period with an actual, not around the scored one
    at = pd.Index(scored["pair"]).get_indexer(t["pair"])  # the pair's scored period; -1: none has ended
    opened = at < 0
    around = np.zeros(len(t), dtype=bool)
    if len(scored):
        got = np.flatnonzero(~opened)
        around[got] = ((t["s"].to_numpy()[got] <= scored["s"].to_numpy()[at[got]])
                       & (t["e"].to_numpy()[got] >= scored["e"].to_numpy()[at[got]]))
    last = _first(t, ["e", "length"], [False, True], ended & has_in & ~around)
    rows.append((_first(t, ["e", "length"], [True, True], opened & has_in), IN_PROGRESS, True))
    rows.append((_first(t, ["e", "length"], [True, True], opened), NOT_DUE, False))

    chosen = pd.concat([frame.assign(status=status, so_far=so_far) for frame, status, so_far in rows],
                       ignore_index=True).drop_duplicates("pair")
    out = out.drop(columns=["status", "so_far"]).merge(
        chosen[["pair", "span", "s", "e", "first_s", "first_e", "target_fig", "actual_fig", "n_fig", "baseline",
                "baseline_year", "progress", "estimated", "status", "so_far"]], on="pair", how="left")
    missing = out["status"].eq(NO_DATA).to_numpy()
    out.loc[missing, "actual_fig"] = np.nan
    out.loc[missing, "n_fig"] = 0
    scored_ok = out["status"].isin([*SCORED, NO_BASELINE]).to_numpy()
    out["progress"] = np.where(scored_ok, out["progress"], np.nan)
    out.loc[out["status"].eq(NO_BASELINE), "progress"] = np.nan

    # no target: the latest actual figure that has ended
    no_target = out["status"].isna().to_numpy() & out["measure"].ne("qualitative").to_numpy()
    nt_pairs = out.loc[no_target, "pair"].to_numpy()
    acts = figures[figures["actual"].notna().to_numpy() & (figures["end"].to_numpy() <= day)
                   & np.isin(figures["pair"].to_numpy(), nt_pairs)].assign(length=lambda f: f["end"] - f["start"])
    latest_act = _first(acts, ["end", "length"], [False, True]).set_index("pair")
    found = latest_act.reindex(nt_pairs)
    out.loc[no_target, "status"] = NO_TARGET
    out.loc[no_target, "s"] = found["start"].to_numpy()
    out.loc[no_target, "e"] = found["end"].to_numpy()
    out.loc[no_target, "actual_fig"] = found["actual"].to_numpy()
    out.loc[no_target, "estimated"] = found["actual_estimated"].fillna(False).to_numpy()
    out.loc[no_target, "n_fig"] = np.where(found["actual"].notna(), 1, 0)

    out = _qualitative(out, v, day)
    out = _last_and_lop(out, last, t, year_start_month)
    return _finish(out, v, day, year_start_month, actual_periods(v, reported, start, distinct=False))


def _qualitative(out: pd.DataFrame, v: pd.DataFrame, day) -> pd.DataFrame:
    """Qualitative pairs: the latest actual text that has ended (total row first) and its period's target text."""
    out["text"], out["target_text"] = None, None
    q = out["measure"].eq("qualitative").to_numpy()
    if not q.any():
        return out
    rows = v[v["pair"].isin(out.loc[q, "pair"])]
    texts = rows[rows["has_actual_text"] & (rows["end"].to_numpy() <= day)].assign(total=lambda f: f["dim"].eq(""))
    latest = texts.sort_values(["pair", "end", "start", "total"], kind="stable").drop_duplicates("pair", keep="last")
    targets = rows[rows["has_target_text"]].assign(total=lambda f: f["dim"].eq(""))
    targets = targets.sort_values(["pair", "end", "start", "total"], kind="stable").drop_duplicates(["pair", "start", "end"], keep="last")
    latest = latest.merge(targets[["pair", "start", "end", "target_text"]], on=["pair", "start", "end"], how="left",
                          suffixes=("_actual", ""))
    found = latest.set_index("pair").reindex(out.loc[q, "pair"].to_numpy())
    out.loc[q, "status"] = QUALITATIVE
    out.loc[q, "s"] = found["start"].to_numpy()
    out.loc[q, "e"] = found["end"].to_numpy()
    out.loc[q, "text"] = found["actual_text"].astype(object).where(found["actual_text"].notna(), None).to_numpy()
    out.loc[q, "target_text"] = found["target_text"].astype(object).where(found["target_text"].notna(), None).to_numpy()
    for column in ("target_fig", "actual_fig", "baseline", "baseline_year", "progress"):
        out.loc[q, column] = np.nan
    return out


def _last_and_lop(out: pd.DataFrame, last: pd.DataFrame, t: pd.DataFrame, year_start_month: int) -> pd.DataFrame:
    """`no data`: the last scored figure's period and status; nested targets: the longest one."""
    last = last.set_index("pair").reindex(out["pair"].to_numpy())
    no_data = out["status"].eq(NO_DATA).to_numpy()
    shown = last["s"].where(no_data)
    out["last_period_label"] = running_labels(last["first_s"], last["first_e"], shown, last["e"],
                                              out["cumulative"].astype(bool), year_start_month)
    has_last = no_data & last["scored_status"].notna().to_numpy()
    out["last_status"] = pd.Series(last["scored_status"].to_numpy(), dtype=object).where(has_last, None).to_numpy()

    longest = _first(t, ["length", "e"], [False, False])
    at = pd.Index(longest["pair"]).get_indexer(t["pair"])  # every pair of t has its longest period
    inside = ((t["s"].to_numpy() >= longest["s"].to_numpy()[at]) & (t["e"].to_numpy() <= longest["e"].to_numpy()[at])) \
        if len(t) else np.zeros(0, dtype=bool)
    nested = np.bincount(at[inside], minlength=len(longest))
    lop = longest[nested > 1].set_index("pair").reindex(out["pair"].to_numpy())
    out["lop_period_start"] = lop["s"].to_numpy()
    out["lop_period_end"] = lop["e"].to_numpy()
    out["lop_target"] = lop["target"].to_numpy(dtype=float)
    out["lop_actual"] = lop["actual_in"].to_numpy(dtype=float)
    return out


def _objects(series: pd.Series) -> pd.Series:
    """Text cells as an object array with None (never NaN) where there is none."""
    values = series.astype(object).to_numpy()
    return pd.Series(np.where(pd.isna(values), None, values), dtype=object)


def _finish(out: pd.DataFrame, v: pd.DataFrame, day, year_start_month: int, received: pd.DataFrame) -> pd.DataFrame:
    """Reports received/due, labels, dates and column order."""
    out = out.reset_index(drop=True)
    has_period = out["s"].notna().to_numpy() & ~out["status"].eq(NO_TARGET).to_numpy()
    spans = out.loc[has_period, ["pair", "s", "e", "months"]].assign(span=lambda f: f.index)
    reports = reports_in_spans(spans, received, as_of=day.astype(object), year_start_month=year_start_month)
    reports = reports.set_index("span").reindex(out.index)
    out["reports_due"] = reports["reports_due"].fillna(0).astype(np.int64).to_numpy()
    out["reports_received"] = reports["reports_received"].fillna(0).astype(np.int64).to_numpy()

    cumulative = out["cumulative"].astype(bool).to_numpy() & out["first_s"].notna().to_numpy()
    start = np.where(cumulative, out["first_s"], out["s"]).astype("datetime64[D]")
    end = out["e"].to_numpy(dtype="datetime64[D]")
    labels = running_labels(out["first_s"], out["first_e"], out["s"], out["e"], cumulative, year_start_month)
    no_figure = np.full(len(out), np.datetime64("NaT", "D"))
    progress = out["progress"].astype(float)
    frame = pd.DataFrame({
        "indicator": out["indicator"].astype(str), "partner": out["partner"].astype(str),
        "period_start": to_dates(start), "period_end": to_dates(end), "period_label": pd.Series(labels, dtype=object),
        "baseline": out["baseline"].astype(float), "baseline_year": pd.array(out["baseline_year"], dtype="Int64"),
        "target": out["target_fig"].astype(float), "actual": out["actual_fig"].astype(float),
        "progress": progress, "progress_clamped": progress.clip(0.0, 1.0),
        "status": out["status"].astype(str),
        "reports_received": out["reports_received"], "reports_due": out["reports_due"],
        "estimated": out["estimated"].fillna(False).astype(bool), "aggregation": out["aggregation"].astype(str),
        "n_periods": out["n_fig"].fillna(0).astype(np.int64), "so_far": out["so_far"].fillna(False).astype(bool),
        "text": _objects(out["text"]), "target_text": _objects(out["target_text"]),
        "last_period_label": _objects(out["last_period_label"]), "last_status": _objects(out["last_status"]),
        "lop_period_start": to_dates(out["lop_period_start"].to_numpy(dtype="datetime64[D]")),
        "lop_period_end": to_dates(out["lop_period_end"].to_numpy(dtype="datetime64[D]")),
        "lop_period_label": pd.Series(running_labels(no_figure, no_figure, out["lop_period_start"], out["lop_period_end"],
                                                     np.zeros(len(out), dtype=bool), year_start_month), dtype=object),
        "lop_target": out["lop_target"].astype(float), "lop_actual": out["lop_actual"].astype(float),
    })
    return frame[PAIR_COLUMNS].sort_values(["indicator", "partner"], kind="stable").reset_index(drop=True)


def breakdown_warnings(values: pd.DataFrame, indicators: pd.DataFrame | None = None, *, start: date | None = None) -> pd.DataFrame:
    """Where several breakdowns of one figure disagree: indicator, partner, period_start, period_end, field, message."""
    _, warnings = period_figures(values_frame(values, start), indicators_frame(indicators))
    return warnings.assign(period_start=to_dates(warnings["period_start"].to_numpy(dtype="datetime64[D]")),
                           period_end=to_dates(warnings["period_end"].to_numpy(dtype="datetime64[D]")))


ROLLUP_COLUMNS = ["progress", "n", "status", "counts"]


def rollup(pairs: pd.DataFrame, by, *, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Per group: the unweighted mean of clamped progress over pairs with a scored status.

    `by`: a column of `pairs`, a list of columns, or a frame mapping `indicator` and/or
    `partner` to group columns (a pair may sit in several groups; it counts once in each).
    Returns the group columns, progress, n, status (None when n is 0), counts (a dict
    status -> number, in DESIGN.md's order) and one `n_<status>` column per status.
    """
    th = thresholds or Thresholds()
    if isinstance(by, pd.DataFrame):
        on = [c for c in PAIR if c in by.columns]
        groups = [c for c in by.columns if c not in on]
        frame = pairs.merge(by, on=on)
    else:
        groups = [by] if isinstance(by, str) else list(by)
        frame = pairs
    frame = frame.drop_duplicates([*groups, *PAIR])
    scored = frame["status"].isin(SCORED).to_numpy()
    work = frame[groups].copy()
    work["progress"] = frame["progress_clamped"].astype(float).where(scored)
    count_columns = {s: "n_" + s.replace(" ", "_") for s in STATUSES}
    for status, name in count_columns.items():
        work[name] = frame["status"].eq(status).astype(np.int64).to_numpy()
    grouped = work.groupby(groups, sort=True, dropna=False)
    out = grouped[list(count_columns.values())].sum()
    out["progress"] = grouped["progress"].mean()
    out["n"] = grouped["progress"].count().astype(np.int64)
    out = out.reset_index()
    out["status"] = pd.Series(status_of(out["progress"].to_numpy(dtype=float), th), index=out.index, dtype=object)
    out["counts"] = [{s: int(row[n]) for s, n in count_columns.items() if row[n]} for _, row in out.iterrows()]
    return out[[*groups, *ROLLUP_COLUMNS, *count_columns.values()]]

"""Figures: one number per (pair, period), then aggregated over time (DESIGN.md, "Progress rules").

A figure for one period, for the target and the actual separately: the total row's value
(empty dimension) when that cell is filled; otherwise one dimension's breakdown by the
measure — `unit` adds the values, `percentage` and `ordinal` take their unweighted mean
(marked estimated). Dimension names and values match case-insensitively after trimming
(`inputs.key`); two spellings of one value in the same period count once (their mean).
When several dimensions disagree, a warning says so and the alphabetically first is used.

Over time, `aggregate_inside` makes a longer period's figure from the figures lying fully
inside it: `sum`, `mean` (with n) or `latest` (the one ending last). A figure inside a
longer figure that is itself inside the period is left out (an annual total next to
quarterly breakdowns counts once).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from models.scoring.periods import period_labels

_DECIMALS = 9  # breakdowns "agree" when their figures match to this many decimals
PAIR = ["indicator", "partner"]


def breakdown_figures(rows: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """One figure per `keys` group from `rows` (columns keys, dim, dim_value, measure, `value`).

    Returns keys + [value, `value`_estimated, `value`_dimension, `value`_warning]: the total
    row's value, else the first dimension's breakdown (sum for unit, mean otherwise);
    `_dimension` names the dimension key used ('' for the total); `_warning` lists the
    disagreeing breakdowns (None when they agree or a total was used).
    """
    out_cols = [*keys, value, f"{value}_estimated", f"{value}_dimension", f"{value}_warning"]
    r = rows[rows[value].notna()]
    if r.empty:
        return pd.DataFrame({c: pd.Series(dtype=rows[c].dtype if c in rows else object) for c in out_cols})
    is_total = r["dim"].eq("").to_numpy()
    totals = r[is_total].groupby(keys, sort=False)[value].mean().rename("total").reset_index()

    parts = r[~is_total]
    chosen = None
    if not parts.empty:
        cells = parts.groupby([*keys, "dim", "dim_value"], sort=False).agg(
            cell=(value, "mean"), measure=("measure", "first")).reset_index()
        per_dim = cells.groupby([*keys, "dim"], sort=False).agg(
            added=("cell", "sum"), averaged=("cell", "mean"), measure=("measure", "first")).reset_index()
        per_dim["figure"] = np.where(per_dim["measure"].eq("unit"), per_dim["added"], per_dim["averaged"])
        per_dim = per_dim.sort_values([*keys, "dim"], kind="stable")
        distinct = per_dim.assign(rounded=per_dim["figure"].round(_DECIMALS)).groupby(keys, sort=False)["rounded"].nunique()
        chosen = per_dim.drop_duplicates(keys, keep="first")
        chosen = chosen.merge(distinct.rename("n_distinct").reset_index(), on=keys)
        chosen["warning"] = None
        disagree = chosen["n_distinct"].gt(1).to_numpy()
        if disagree.any():
            chosen.loc[disagree, "warning"] = _disagreement_texts(per_dim, chosen[disagree], keys, value)

    if chosen is None:
        out = totals.assign(figure=np.nan, dim="", measure="unit", warning=None)
    else:
        chosen = chosen[[*keys, "figure", "dim", "measure", "warning"]]
        out = chosen.assign(total=np.nan) if totals.empty else totals.merge(chosen, on=keys, how="outer")
    has_total = out["total"].notna().to_numpy()
    out[value] = np.where(has_total, out["total"], out["figure"]).astype(float)
    out[f"{value}_estimated"] = ~has_total & out["measure"].isin(["percentage", "ordinal"]).to_numpy()
    out[f"{value}_dimension"] = np.where(has_total, "", out["dim"].astype(object))
    out[f"{value}_warning"] = np.where(has_total, None, out["warning"])
    return out[out_cols]


def _disagreement_texts(per_dim: pd.DataFrame, chosen: pd.DataFrame, keys: list[str], value: str) -> list[str]:
    """'the actual breakdowns disagree (age: 90, sex: 100); age is used' per disagreeing group."""
    detail = per_dim.merge(chosen[keys], on=keys)
    detail["part"] = detail["dim"] + ": " + detail["figure"].map(lambda x: f"{x:g}")
    joined = detail.groupby(keys, sort=False)["part"].agg(", ".join).reset_index()
    joined = chosen[[*keys, "dim"]].merge(joined, on=keys, how="left")
    return [f"the {value} breakdowns disagree ({p}); {d} is used" for p, d in zip(joined["part"], joined["dim"])]


def period_figures(values: pd.DataFrame, measures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Figures per (pair, start, end) for target and actual, and the warnings.

    `values`: inputs.values_frame output, optionally with an integer `pair` column (then the
    figures are keyed by it, which is faster); `measures`: indicator -> measure. Returns
    (figures, warnings): figures has target, actual, their _estimated and _dimension
    columns; warnings has indicator, partner, period_start, period_end, field, message.
    """
    pair_keys = ["pair"] if "pair" in values.columns else PAIR
    keys = [*pair_keys, "start", "end"]
    alone = _alone_totals(values) if pair_keys == ["pair"] else np.zeros(len(values), dtype=bool)
    rows = values.loc[~alone, [*dict.fromkeys([*pair_keys, *PAIR, "start", "end", "dim", "dim_value", "target", "actual"])]]
    rows = rows.merge(measures[["indicator", "measure"]], on="indicator", how="left")
    rows["measure"] = rows["measure"].fillna("unit")
    rows = rows.drop(columns=[c for c in PAIR if c not in pair_keys])
    target = breakdown_figures(rows, keys, "target")
    actual = breakdown_figures(rows, keys, "actual")
    figures = target.merge(actual, on=keys, how="outer")
    if alone.any():  # their own values: what the groups of one total row give (the mean of one value is it)
        at = np.flatnonzero(alone & (values["target"].notna().to_numpy() | values["actual"].notna().to_numpy()))
        pair, start, end = (values[c].to_numpy()[at] for c in ("pair", "start", "end"))
        if rows.empty:  # these are all the figures: made in key order
            order = order_by(pair.astype(np.int64), start.astype(np.int64), end.astype(np.int64))
            at, pair, start, end = at[order], pair[order], start[order], end[order]
        own = pd.DataFrame({
            "pair": pair, "start": start, "end": end,
            **{c: v for field in ("target", "actual") for c, v in (
                (field, values[field].to_numpy(dtype=float)[at]), (f"{field}_estimated", False),
                (f"{field}_dimension", ""), (f"{field}_warning", None))},
        })
        figures = own if rows.empty else pd.concat([figures, own], ignore_index=True)
    for field in ("target", "actual"):
        figures[f"{field}_estimated"] = figures[f"{field}_estimated"].fillna(False).astype(bool)
        figures[f"{field}_dimension"] = figures[f"{field}_dimension"].fillna("").astype(str)
    warned = []
    for field in ("target", "actual"):
        w = figures[figures[f"{field}_warning"].notna()]
        if len(w) and pair_keys == ["pair"]:
            w = w.merge(values[["pair", *PAIR]].drop_duplicates("pair"), on="pair")
        if len(w):
            labels = period_labels(w["start"].to_numpy(), w["end"].to_numpy())
            warned.append(pd.DataFrame({
                "indicator": w["indicator"].to_numpy(), "partner": w["partner"].to_numpy(),
                "period_start": w["start"].to_numpy(), "period_end": w["end"].to_numpy(), "field": field,
                "message": [f"{i} {p or '(programme)'} {lab}: {m}" for i, p, lab, m in
                            zip(w["indicator"], w["partner"], labels, w[f"{field}_warning"])],
            }))
    warnings = pd.concat(warned, ignore_index=True) if warned else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("indicator", "partner", "period_start", "period_end", "field", "message")})
    figures = figures.drop(columns=["target_warning", "actual_warning"])
    if pair_keys == ["pair"]:  # one row per key: the order of the integer keys
        columns = [figures[c].to_numpy().astype(np.int64) for c in keys]
        if not _increasing(*columns):
            figures = figures.take(order_by(*columns))
        return figures.reset_index(drop=True), warnings
    return figures.sort_values(keys, kind="stable").reset_index(drop=True), warnings


def _alone_totals(values: pd.DataFrame) -> np.ndarray:
    """Rows that are a total row (no dimension) and the only row of their (pair, start, end):
    each is its own figure. Keys are the integer `pair` and the periods."""
    pair = values["pair"].to_numpy().astype(np.int64)
    start, end = (values[c].to_numpy().astype("datetime64[D]") for c in ("start", "end"))
    ok = ~(np.isnat(start) | np.isnat(end))
    start, end = start.astype(np.int64), end.astype(np.int64)
    if _increasing(pair, start):  # no two rows share a pair and start
        return ok & values["dim"].eq("").to_numpy()
    order = order_by(pair, start, end)
    p, s, e = pair[order], start[order], end[order]
    same = (p[1:] == p[:-1]) & (s[1:] == s[:-1]) & (e[1:] == e[:-1])
    alone = np.empty(len(order), dtype=bool)
    alone[order] = ~(np.r_[False, same] | np.r_[same, False])
    return alone & ok & values["dim"].eq("").to_numpy()


def order_by(*columns: np.ndarray) -> np.ndarray:
    """A stable order of the rows by the integer columns in turn (np.lexsort's, last key
    first): one argsort of one key made of them when their ranges allow."""
    key = one_key(list(columns))
    return np.lexsort(columns[::-1]) if key is None else np.argsort(key, kind="stable")


def one_key(numbers: list[np.ndarray]) -> np.ndarray | None:
    """Integer columns as one int64 ordering rows as the columns do in turn; None when
    their ranges are too wide for one int64."""
    key, width = np.zeros(len(numbers[0]) if numbers else 0, dtype=np.int64), 1
    for n in numbers:
        n = np.asarray(n, dtype=np.int64)
        low, high = (int(n.min()), int(n.max())) if len(n) else (0, 0)
        width *= high - low + 1
        if width >= 1 << 62:
            return None
        key = key * (high - low + 1) + (n - low)
    return key


def _increasing(*columns: np.ndarray) -> bool:
    """Whether the rows' keys (the columns in turn) strictly increase row after row."""
    later, tied = np.zeros(len(columns[0]) - 1 if len(columns[0]) else 0, dtype=bool), None
    for c in columns:
        step_up, same = c[1:] > c[:-1], c[1:] == c[:-1]
        later |= step_up if tied is None else tied & step_up
        tied = same if tied is None else tied & same
    return bool(later.all())


def aggregate_inside(spans: pd.DataFrame, figures: pd.DataFrame, value: str) -> pd.DataFrame:
    """Each span's figure from the `value` figures lying fully inside it.

    `spans`: pair (an integer code), span (a unique id), s, e, aggregation (sum|mean|latest).
    `figures`: pair, start, end, `value`, `value`_estimated.
    Returns span, value, n (figures used), estimated (any used was), last_end (the latest
    end among them) — one row per span, NaN / 0 where none lies inside.
    """
    f = figures[figures[value].notna().to_numpy()]
    which, at, f = _inside(spans, f)
    start, end = _day_numbers(f["start"])[at], _day_numbers(f["end"])[at]
    # leave out a figure lying inside a longer one in the same span: sorted by start, then
    # longest first, a figure is inside an earlier one when an earlier end reaches its end
    order = order_by(which, start, -end)
    which, at, end = which[order], at[order], end[order]
    n = len(spans)
    if len(which):
        first_in_span = np.r_[True, which[1:] != which[:-1]]
        in_span = which.astype(np.int64) * (np.int64(1) << 32) + end  # ends, made to grow span after span
        reach = np.maximum.accumulate(in_span)  # the latest end so far in the span
        keep = first_in_span | (np.r_[reach[:1], reach[:-1]] < in_span)
        which, at, end = which[keep], at[keep], end[keep]
    values = f[value].to_numpy(dtype=float)[at]
    count = np.bincount(which, minlength=n).astype(np.int64)
    estimated = np.bincount(which, weights=f[f"{value}_estimated"].to_numpy(dtype=bool)[at], minlength=n) > 0
    total, mean, latest = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    if len(which):
        single = count[which] == 1  # pandas' sum and mean of one value are that value
        total[which[single]], mean[which[single]] = values[single], values[single]
        if not single.all():  # pandas' sums and means, as before
            grouped = pd.Series(values[~single]).groupby(which[~single])
            sums, means = grouped.sum(), grouped.mean()
            total[sums.index.to_numpy()], mean[means.index.to_numpy()] = sums.to_numpy(), means.to_numpy()
        # latest: of the figures ending last in a span, the last in the order above
        starts = np.flatnonzero(np.r_[True, which[1:] != which[:-1]])
        last_end = np.repeat(np.maximum.reduceat(end, starts), np.diff(np.r_[starts, len(which)]))
        ending = np.flatnonzero(end == last_end)
        chosen = ending[np.r_[which[ending][1:] != which[ending][:-1], True]]
        latest[which[chosen]] = values[chosen]
    how = spans["aggregation"].to_numpy()
    return pd.DataFrame({
        "span": spans["span"].to_numpy(),
        "value": np.select([how == "sum", how == "mean"], [total, mean], latest).astype(float),
        "n": count,
        "estimated": estimated,
    })


_DAY_OFFSET = np.int64(1) << 31  # days since 1970 made non-negative, below 2**32


def _day_numbers(values) -> np.ndarray:
    return np.asarray(values).astype("datetime64[D]").astype(np.int64) + _DAY_OFFSET


def _inside(spans: pd.DataFrame, figures: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Every (span, figure) of the same pair with the figure lying fully inside the span: the
    spans' positions, the figures' positions and the figures (in the order the positions
    refer to, by pair and start; matches in span order, then figure order). The figures of a pair sorted by start,
    those starting inside a span are one run found by binary search; of them, those ending
    inside it are kept — work in proportion to the matches, not to spans x figures per pair."""
    shift = np.int64(1) << 32
    f_key = figures["pair"].to_numpy(dtype=np.int64) * shift + _day_numbers(figures["start"])
    if len(f_key) > 1 and not (f_key[1:] >= f_key[:-1]).all():  # by pair, then start
        order = np.argsort(f_key, kind="stable")
        figures, f_key = figures.take(order), f_key[order]
    f = figures.reset_index(drop=True)
    s_pair = spans["pair"].to_numpy(dtype=np.int64) * shift
    s_start, s_end = _day_numbers(spans["s"]), _day_numbers(spans["e"])
    lo = np.searchsorted(f_key, s_pair + s_start, side="left")
    hi = np.searchsorted(f_key, s_pair + s_end, side="right")
    counts = np.maximum(hi - lo, 0)
    which = np.repeat(np.arange(len(spans)), counts)
    # lo[i], lo[i] + 1, …, hi[i] - 1 for every span i, in one array
    at = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(lo, counts)
    keep = _day_numbers(f["end"])[at] <= s_end[which]
    return which[keep], at[keep], f


def baseline_figures(baselines: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """One baseline per (indicator, partner, year): the total, else one breakdown (as figures)."""
    rows = baselines.merge(measures[["indicator", "measure"]], on="indicator", how="left")
    rows["measure"] = rows["measure"].fillna("unit")
    out = breakdown_figures(rows, [*PAIR, "year"], "value")
    return out.rename(columns={"value": "baseline", "value_estimated": "baseline_estimated"})[
        [*PAIR, "year", "baseline", "baseline_estimated"]]

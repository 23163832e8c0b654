"""A results file's rows read and checked: references, scope, periods, measure-aware
values and the rules a row must meet, before anything is written."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select

from models.cells import parse_number, parse_text
from models.formats import RESULTS_VALUE_COLUMNS
from models.importing.checks import column, no_issues, require, resolve, unless_cleared
from models.importing.context import ImportContext
from models.importing.results_periods import PERIOD_COLUMNS, missing_period_column, parse_periods
from models.issues import WARNING, Issue
from models.tables import PROGRAMME_PARTNER_CODE, Indicator, Partner
from models.writes import read_frame

NUMERIC_MEASURES = ("unit", "percentage", "ordinal")


@dataclass
class ResultRows:
    """Per-row parsed cells of a results file (index = spreadsheet row)."""

    frame: pd.DataFrame
    ok: pd.Series  # no problem so far
    indicator_id: pd.Series
    partner_id: pd.Series
    qualitative: np.ndarray
    start: pd.Series
    end: pd.Series
    values: dict  # target / actual / baseline -> (number, cleared, text)
    comment: pd.Series
    has_value: pd.Series  # a target or an actual
    has_baseline: pd.Series
    baseline_year: pd.Series
    dimension: pd.Series
    dimension_value: pd.Series

    @property
    def wants_value(self) -> pd.Series:
        """Rows that write an indicator value: a target, an actual, or a comment without a baseline."""
        return self.has_value | (column(self.frame, "comment").ne("") & ~self.has_baseline)


BLANK_COLUMNS = ("target", "actual", "baseline", "comment")
ROWS_NAMED = 20  # the skipped rows a warning names (the count is always given)


def skip_blank_rows(ctx: ImportContext, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows that give a target, an actual, a baseline or a comment. The others (a
    reporting workbook's rows left blank) are skipped — they change nothing — with one
    warning giving their count; they keep their row numbers, so later rows are named as the
    spreadsheet shows them."""
    blank = pd.Series(True, index=frame.index)
    for c in BLANK_COLUMNS:
        blank &= column(frame, c).eq("")
    if not blank.any():
        return frame
    rows = [int(r) for r in frame.index[blank.to_numpy()]]
    named = ", ".join(map(str, rows[:ROWS_NAMED])) + (", …" if len(rows) > ROWS_NAMED else "")
    n = len(rows)
    ctx.add([Issue(0, "actual", "blank-rows", str(n),
                   f"{n} {'row' if n == 1 else 'rows'} with no target, actual, baseline or comment "
                   f"{'was' if n == 1 else 'were'} skipped (row{'' if n == 1 else 's'} {named}): nothing to store; "
                   "fill in actual (or comment) to report a figure", WARNING)])
    return frame[~blank.to_numpy()]


def read_rows(ctx: ImportContext, frame: pd.DataFrame) -> ResultRows:
    idx = frame.index
    ok = require(ctx, frame, ["indicator"])
    indicator_id = resolve(ctx, unless_cleared(frame["indicator"]), "indicator", Indicator, "indicator")
    partner_raw = column(frame, "partner")
    partner_id = resolve(ctx, partner_raw, "partner", Partner, "partner")
    partner_id = partner_id.where(partner_raw.ne(""), ctx.codes(Partner).get(PROGRAMME_PARTNER_CODE))
    ok &= indicator_id.notna() & partner_id.notna()
    issues = _scope_issues(ctx, frame, partner_id)
    measure, smin, smax = _indicator_properties(ctx, indicator_id)
    # each row's measure as masks, compared once (not once per value column)
    codes, names = pd.factorize(measure)
    kinds = {m: codes == (list(names).index(m) if m in list(names) else -2) for m in (*NUMERIC_MEASURES, "qualitative")}
    start, end = parse_periods(frame, issues)
    values = {c: _parse_value(ctx, column(frame, c), c, kinds, smin, smax, issues) for c in RESULTS_VALUE_COLUMNS}
    byear_raw = column(frame, "baseline_year")
    byear, _cleared, iss = parse_number(byear_raw, "baseline_year", integer=True); issues += iss
    rows = ResultRows(
        frame, ok, indicator_id, partner_id, kinds["qualitative"], start, end, values,
        parse_text(column(frame, "comment"), "comment")[0],
        column(frame, "target").ne("") | column(frame, "actual").ne(""), column(frame, "baseline").ne(""),
        byear, column(frame, "dimension"), column(frame, "dimension_value"),
    )
    issues += _row_rules(rows, byear_raw, issues)
    ctx.add(issues)
    rows.ok &= no_issues(idx, issues)
    return rows


def _scope_issues(ctx: ImportContext, frame: pd.DataFrame, partner_id: pd.Series) -> list[Issue]:
    """A partner coordinator uploads its own actuals and comments only."""
    issues: list[Issue] = []
    if not ctx.partner_scoped:
        return issues
    own = ctx.codes(Partner).get(ctx.own_partner.lower())
    for row in frame.index[partner_id.ne(own).to_numpy()]:
        issues.append(Issue(int(row), "partner", "not-permitted", column(frame, "partner").loc[row],
                            f"you may upload values for your own administration ({ctx.own_partner}) only"))
    for c in ("target", "baseline", "baseline_year"):
        for row in frame.index[column(frame, c).ne("").to_numpy()]:
            issues.append(Issue(int(row), c, "not-permitted", frame.loc[row, c],
                                f"{c} values are agreed with donors; a partner coordinator uploads actual and comment only"))
    return issues


def _indicator_properties(ctx: ImportContext, indicator_id: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Each row's indicator measure and scale."""
    ind = read_frame(ctx.conn, select(Indicator.id, Indicator.measure, Indicator.scale_min, Indicator.scale_max)).set_index("id")
    if ind.empty:
        return (pd.Series(None, index=indicator_id.index), pd.Series(np.nan, index=indicator_id.index),
                pd.Series(np.nan, index=indicator_id.index))
    return indicator_id.map(ind["measure"]), indicator_id.map(ind["scale_min"]), indicator_id.map(ind["scale_max"])


def _parse_value(ctx: ImportContext, raw: pd.Series, name: str, kinds: dict, smin: pd.Series, smax: pd.Series,
                 issues: list[Issue]) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(number, cleared, text): numbers for numeric measures (percentages 0-100, ordinals within
    the scale), text for qualitative indicators; `kinds`: measure -> the rows of that measure."""
    idx = raw.index
    number = pd.Series(np.nan, index=idx)
    cleared = pd.Series(False, index=idx)
    given = raw.ne("").to_numpy()
    for m in NUMERIC_MEASURES:
        sel = kinds[m] & given
        if not sel.any():
            continue
        n, cl, iss = parse_number(raw[sel], name, decimal_comma=ctx.decimal_comma, percent=(m == "percentage"))
        issues += iss
        number[sel] = n
        cleared[sel] = cl
        if m == "percentage":
            out = n.notna() & ((n < 0) | (n > 100))
            issues += [Issue(int(r), name, "out-of-range", raw.loc[r], "a percentage must be between 0 and 100") for r in n.index[out.to_numpy()]]
        elif m == "ordinal":
            lo, hi = smin[sel], smax[sel]
            out = n.notna() & ((n < lo) | (n > hi))
            issues += [Issue(int(r), name, "out-of-range", raw.loc[r], f"must be within the indicator's scale {lo.loc[r]:g} to {hi.loc[r]:g}")
                       for r in n.index[out.to_numpy()]]
    text = raw.where(kinds["qualitative"] & given, None)
    return number, cleared, text


def _row_rules(rows: ResultRows, byear_raw: pd.Series, found: list[Issue]) -> list[Issue]:
    """Something to store, a period for values, a year for baselines, both halves of a disaggregation."""
    frame, idx, issues = rows.frame, rows.frame.index, []
    comment = column(frame, "comment")
    nothing = ~rows.has_value & ~rows.has_baseline & comment.eq("")
    for row in idx[nothing.to_numpy()]:
        issues.append(Issue(int(row), "actual", "missing-cell", "", "give at least one of target, actual or baseline"))
    no_period = (rows.has_value | comment.ne("") & ~rows.has_baseline) & (rows.start.isna() | rows.end.isna())
    for row in idx[no_period.to_numpy()]:
        if not any(i.row == row and i.column in PERIOD_COLUMNS for i in found + issues):
            issues.append(Issue(int(row), missing_period_column(frame, rows.start.isna().loc[row]), "missing-cell", "",
                                "a target or actual needs its period: period_start and period_end, or period (2024, 2024-Q1, 2024-H1, 2024-03)"))
    byear = rows.baseline_year
    bad_year = byear.notna() & ((byear < 1900) | (byear > 2100))
    issues += [Issue(int(r), "baseline_year", "out-of-range", byear_raw.loc[r], "baseline_year must be a year such as 2019") for r in idx[bad_year.to_numpy()]]
    for row in idx[(rows.has_baseline & byear_raw.eq("")).to_numpy()]:
        issues.append(Issue(int(row), "baseline_year", "missing-cell", "", "a baseline needs its baseline_year"))
    dim, dval = rows.dimension, rows.dimension_value
    for row in idx[(dim.ne("") & dval.eq("")).to_numpy()]:
        issues.append(Issue(int(row), "dimension_value", "missing-cell", "", f"dimension '{dim.loc[row]}' needs a dimension_value (e.g. customs officers)"))
    for row in idx[(dim.eq("") & dval.ne("")).to_numpy()]:
        issues.append(Issue(int(row), "dimension", "missing-cell", "", f"dimension_value '{dval.loc[row]}' needs its dimension (e.g. respondent)"))
    return issues

"""The results framework (results and their parent links) and its indicators, with the
rules that tie them: levels agree, no cycles, stored values still fit a changed indicator."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from models import locking
from models.cells import CLEAR, is_clear_token, parse_bool, parse_choice, parse_number, parse_text
from models.formats import (
    AGGREGATIONS,
    ALLOWED_AGGREGATIONS,
    CLEAR_TOKEN,
    DEFAULT_AGGREGATION,
    FREQUENCIES,
    LEVELS,
    MEASURES,
)
from models.importing.checks import (
    admin_kind,
    code_rows,
    column,
    did_you_mean,
    key_factor_hint,
    key_factor_number,
    no_issues,
    resolve_clearable,
    with_clear,
)
from models.importing.context import ImportContext
from models.importing.store import kind_key, stored, upsert, upsert_by_code
from models.issues import ERROR, Issue
from models.reading import Table
from models.tables import Baseline, Indicator, Result, Value
from models.upsert import UPDATED, combine_actions
from models.writes import read_frame


@admin_kind
def import_framework(ctx: ImportContext, t: Table) -> pd.Series:
    """First the results themselves, then their parent links (parents may be defined in the
    same file); a result's prior state (title, level and parent) is kept once, by whichever
    step changes it first."""
    frame, ok, parsed = code_rows(ctx, t, ["title", "level"])
    parsed["title"], _ = parse_text(frame["title"], "title")
    parsed["level"], iss = parse_choice(frame["level"], "level", LEVELS, label="level")
    ctx.add(iss)
    ok &= no_issues(frame.index, iss) & _known_parents(ctx, frame)
    before = read_frame(ctx.conn, select(Result.id, Result.title, Result.level, Result.parent_id, Result.batch_id)).set_index("id")
    before["parent_id"] = _int_or_none(before["parent_id"])
    actions, ids = upsert_by_code(ctx, "framework", Result, parsed, ["title", "level"], ok, keep=before[["parent_id"]])
    relevelled = pd.DataFrame({"id": ids, "level": parsed["level"]}, index=frame.index).dropna()
    relevelled = relevelled[relevelled["id"].isin(before.index).to_numpy()]
    relevelled = relevelled[(relevelled["level"] != relevelled["id"].map(before["level"])).to_numpy()]
    if not relevelled.empty:
        ctx.final_checks.append(lambda file=ctx.file, changed=relevelled: _check_result_levels(ctx, file, changed))
    return _link_parents(ctx, frame, ok, actions, before)


def _known_parents(ctx: ImportContext, frame: pd.DataFrame) -> pd.Series:
    """Parents are stored results or results of this file, never the result itself."""
    parent = column(frame, "parent")
    known = set(ctx.codes(Result)) | set(frame["code"].str.lower())
    unknown = parent.ne("") & ~is_clear_token(parent) & ~parent.str.lower().isin(known)
    choices = sorted(known)
    for row in frame.index[unknown.to_numpy()]:
        value = parent.loc[row]
        ctx.issue(row, "parent", "unknown-reference", value, f"unknown result '{value}'{did_you_mean(value, choices, str.upper)}")
    selfref = parent.str.lower().eq(frame["code"].str.lower()) & parent.ne("")
    for row in frame.index[selfref.to_numpy()]:
        ctx.issue(row, "parent", "out-of-range", parent.loc[row], "a result cannot be its own parent")
    return ~unknown & ~selfref


def _link_parents(ctx: ImportContext, frame: pd.DataFrame, ok: pd.Series, actions: pd.Series, before: pd.DataFrame) -> pd.Series:
    parent = column(frame, "parent")
    links = frame.loc[ok.to_numpy() & parent.ne("").to_numpy(), ["code"]]
    if links.empty:
        return actions
    raw = parent.loc[links.index]
    codes = ctx.codes(Result)
    links["parent_id"] = with_clear(_int_or_none(raw.str.lower().map(codes)), is_clear_token(raw))
    stored_rows = stored(ctx, Result, ["code", "parent_id"])
    stored_rows["parent_id"] = _int_or_none(stored_rows["parent_id"])
    current = {k.lower(): v for k, v in zip(stored_rows["code"], stored_rows["id"])}
    planned = links.assign(id=links["code"].str.lower().map(current))
    parents = dict(zip(before.index, before["parent_id"]))
    changed = planned[_differs(planned["parent_id"], planned["id"].map(parents))]
    if changed.empty:
        return actions
    parents |= {int(i): (None if p is CLEAR else p) for i, p in zip(changed["id"], changed["parent_id"])}
    _check_cycles(ctx, parents, changed.assign(raw=raw), codes)
    plan = upsert(ctx, Result, links, kind_key("framework", Result), ["parent_id"], stored_rows=stored_rows,
                  keep=before[["title", "level"]])
    actions = actions.copy()
    actions.loc[plan.actions.index] = combine_actions(actions.loc[plan.actions.index], plan.actions)
    return actions


def _differs(new: pd.Series, old: pd.Series) -> pd.Series:
    new = new.map(lambda v: None if v is CLEAR else v)
    return new.fillna(-1).ne(old.fillna(-1)).to_numpy()


def _check_result_levels(ctx: ImportContext, file: str, changed: pd.DataFrame) -> list[Issue]:
    """A result whose level changed must still agree with its indicators' levels once every
    file of the call is applied (an indicators file in the same upload may change them too)."""
    ids = [int(i) for i in changed["id"]]
    found = read_frame(ctx.conn, select(Indicator.code, Indicator.level, Indicator.result_id)
                       .where(Indicator.result_id.in_(ids)).order_by(Indicator.code))
    issues = []
    for row, rid, level in zip(changed.index, changed["id"].astype("int64"), changed["level"]):
        differ = found[(found["result_id"] == rid).to_numpy() & (found["level"] != level).to_numpy()]
        if differ.empty:
            continue
        names = ", ".join(f"{c} ({lv})" for c, lv in zip(differ["code"], differ["level"]))
        issues.append(Issue(int(row), "level", "out-of-range", str(level),
                            f"this result's indicators have another level: {names}; an indicator's level agrees with its "
                            "result's, so change them in the same upload (an indicators file) or keep this level",
                            ERROR, file))
    return issues


def _int_or_none(values: pd.Series) -> pd.Series:
    return values.astype(object).map(lambda v: None if pd.isna(v) else int(v))


def _check_cycles(ctx: ImportContext, parents: dict, changed: pd.DataFrame, codes: dict) -> None:
    code_of = {v: k for k, v in codes.items()}
    for row, rid in zip(changed.index, changed["id"]):
        seen, node = set(), int(rid)
        while node is not None and node not in seen:
            seen.add(node)
            node = parents.get(node)
        if node is not None:
            ctx.issue(row, "parent", "out-of-range", changed.loc[row, "raw"],
                      f"this parent would make a cycle in the results framework (through {code_of.get(node, node).upper()})")


INDICATOR_COLUMNS = ["name", "level", "measure", "ascending", "cumulative", "frequency", "aggregation", "unit", "key_factor",
                     "result_id", "description", "scale_min", "scale_max"]


@admin_kind
def import_indicators(ctx: ImportContext, t: Table) -> pd.Series:
    frame, ok, parsed = code_rows(ctx, t, ["name", "level", "measure", "ascending"])
    issues: list[Issue] = []
    parsed["name"], _ = parse_text(frame["name"], "name")
    parsed["level"], iss = parse_choice(frame["level"], "level", LEVELS, label="level"); issues += iss
    parsed["measure"], iss = parse_choice(frame["measure"], "measure", MEASURES, label="measure"); issues += iss
    parsed["ascending"], iss = parse_bool(frame["ascending"], "ascending"); issues += iss
    parsed["cumulative"], iss = parse_bool(column(frame, "cumulative"), "cumulative"); issues += iss
    parsed["frequency"], iss = parse_choice(column(frame, "frequency"), "frequency", FREQUENCIES, label="frequency"); issues += iss
    parsed["aggregation"], iss = parse_choice(column(frame, "aggregation"), "aggregation", AGGREGATIONS, label="aggregation")
    issues += iss
    parsed["unit"], _ = parse_text(column(frame, "unit"), "unit")
    parsed["description"], _ = parse_text(column(frame, "description"), "description")
    parsed["key_factor"], iss = _key_factors(column(frame, "key_factor")); issues += iss
    parsed["result_id"], result_ok = resolve_clearable(ctx, column(frame, "result"), "result", Result, "result")
    smin, cmin, iss = parse_number(column(frame, "scale_min"), "scale_min", decimal_comma=ctx.decimal_comma); issues += iss
    smax, cmax, iss = parse_number(column(frame, "scale_max"), "scale_max", decimal_comma=ctx.decimal_comma); issues += iss
    issues += _measure_rules(ctx, frame, parsed, (smin, cmin), (smax, cmax))
    parsed["scale_min"] = with_clear(smin, cmin)
    parsed["scale_max"] = with_clear(smax, cmax)
    ctx.add(issues)
    ok &= no_issues(frame.index, issues) & result_ok
    before = locking.scoring_before(ctx.conn)
    actions, ids = upsert_by_code(ctx, "indicators", Indicator, parsed, INDICATOR_COLUMNS, ok)
    _recheck_values(ctx, frame, ids[actions.eq(UPDATED).to_numpy()])
    ctx.add(locking.indicator_issues(ctx.conn, before, ids[actions.eq(UPDATED).to_numpy()], frame))
    return actions


def _key_factors(raw: pd.Series) -> tuple[pd.Series, list[Issue]]:
    """key_factor cells: a number 1-10 or a key factor's name (the parser activities use);
    empty -> None, the clear token -> CLEAR."""
    cleared = is_clear_token(raw)
    given = raw.ne("") & ~cleared
    numbers = raw.where(given, "").map(lambda v: key_factor_number(v) if v else None).astype(object)
    issues = []
    for row in raw.index[(given & numbers.isna()).to_numpy()]:
        value = raw.loc[row]
        number = value.strip().lstrip("+-").isdigit()
        check, what, hint = ("out-of-range", "number", "") if number else ("unknown-reference", "name", key_factor_hint(value))
        issues.append(Issue(int(row), "key_factor", check, value,
                            f"'{value}' is not a Revised Arusha Declaration key factor {what}: give its number, 1 to 10, "
                            f"or its name (e.g. 'Automation'){hint}"))
    return with_clear(numbers.where(numbers.notna(), None), cleared), issues


def _measure_rules(ctx: ImportContext, frame: pd.DataFrame, parsed: pd.DataFrame, scale_min, scale_max) -> list[Issue]:
    """Measure, scale, aggregation and level rules, against the merged (stored + incoming)
    state of each row; `parsed["aggregation"]` becomes the value to write (see _aggregation_rules)."""
    (smin, cmin), (smax, cmax) = scale_min, scale_max
    issues: list[Issue] = []
    old_rows = stored(ctx, Indicator, ["code", "measure", "scale_min", "scale_max", "level", "result_id", "ascending",
                                       "aggregation", "cumulative"])
    stored_by = {c.lower(): r for c, r in zip(old_rows["code"], old_rows.to_dict("records"))} if not old_rows.empty else {}
    levels = dict(ctx.conn.execute(select(Result.id, Result.level)).all())
    for row in frame.index:
        old = stored_by.get(frame.loc[row, "code"].lower(), {})
        measure = parsed.loc[row, "measure"] or old.get("measure")
        lo = smin.loc[row] if pd.notna(smin.loc[row]) else (None if cmin.loc[row] else old.get("scale_min"))
        hi = smax.loc[row] if pd.notna(smax.loc[row]) else (None if cmax.loc[row] else old.get("scale_max"))
        lo = None if lo is None or pd.isna(lo) else lo
        hi = None if hi is None or pd.isna(hi) else hi
        if measure == "ordinal":
            if lo is None or hi is None:
                issues.append(Issue(int(row), "scale_min" if lo is None else "scale_max", "missing-cell", "", "an ordinal indicator needs scale_min and scale_max (e.g. 1 and 5)"))
            elif lo >= hi:
                issues.append(Issue(int(row), "scale_max", "out-of-range", frame.loc[row, "scale_max"] if "scale_max" in frame else "", "scale_max must be greater than scale_min"))
        elif measure in MEASURES.values():
            for c, given, kept in (("scale_min", smin.loc[row], lo), ("scale_max", smax.loc[row], hi)):
                if pd.notna(given):
                    issues.append(Issue(int(row), c, "out-of-range", frame.loc[row, c], f"{c} applies to ordinal indicators only; leave it empty for a {measure} indicator"))
                elif kept is not None:
                    issues.append(Issue(int(row), c, "out-of-range", "", f"the stored {c} {kept:g} applies to ordinal indicators only; clear it with {CLEAR_TOKEN} when the measure becomes {measure}"))
        found, aggregation = _aggregation_rules(row, frame, parsed, old, measure)
        issues += found
        parsed.at[row, "aggregation"] = aggregation
        rid = parsed.loc[row, "result_id"]
        rid = old.get("result_id") if rid is None else rid
        level = parsed.loc[row, "level"] or old.get("level")
        if rid is not None and rid is not CLEAR and pd.notna(rid) and level and levels.get(int(rid)) and levels[int(rid)] != level:
            issues.append(Issue(int(row), "level", "out-of-range", str(level), f"the indicator's level '{level}' differs from its result's level '{levels[int(rid)]}'; they must agree"))
    return issues


# What each aggregation does to the values of shorter periods (for the refusals).
_AGGREGATION_DOES = {"sum": "adds up", "mean": "averages", "latest": "keeps the latest of"}


def _merged(given, stored_value, cleared_to=None):
    """A row's value once applied: the given cell, else (empty cell) the stored value; CLEAR -> `cleared_to`."""
    if given is CLEAR:
        return cleared_to
    if given is None or (not isinstance(given, str) and pd.isna(given)):
        return None if stored_value is None or (not isinstance(stored_value, str) and pd.isna(stored_value)) else stored_value
    return given


def _aggregation_rules(row, frame: pd.DataFrame, parsed: pd.DataFrame, old: dict, measure) -> tuple[list[Issue], object]:
    """The aggregation fits the measure (`sum` never for percentages and scores); `cumulative`
    only with `sum` — both on the row's state once applied (given cells over stored ones).

    Returns (issues, the aggregation to write): stored resolved, so an empty cell on a new
    row, the clear token, or — when the measure changes — a stored aggregation that the new
    measure does not allow or that was the old measure's default becomes the new measure's
    default; None keeps the stored one."""
    if measure not in ALLOWED_AGGREGATIONS:
        return [], None
    given = parsed.loc[row, "aggregation"]
    allowed, default = ALLOWED_AGGREGATIONS[measure], DEFAULT_AGGREGATION[measure]
    if given is not None and given is not CLEAR and given not in allowed:
        return [Issue(int(row), "aggregation", "out-of-range", frame.loc[row, "aggregation"],
                      f"aggregation '{given}' {_AGGREGATION_DOES[given]} the values of shorter periods, which makes no sense "
                      f"for a {measure} indicator; use {' or '.join(allowed)}, or leave it empty for the default, {default}")], None
    kept = _merged(None, old.get("aggregation"))
    was_default = old.get("measure") not in (None, measure) and kept == DEFAULT_AGGREGATION.get(old.get("measure"))
    if given is None and kept in allowed and not was_default:
        aggregation, write = kept, None
    else:
        aggregation = given if given is not None and given is not CLEAR else default
        write = aggregation
    cumulative = _merged(parsed.loc[row, "cumulative"], old.get("cumulative"), cleared_to=False)
    if cumulative and aggregation != "sum":
        return [Issue(int(row), "cumulative", "out-of-range", frame.loc[row, "cumulative"] if "cumulative" in frame else "",
                      f"a cumulative indicator's values are increments added into running totals, so it needs aggregation "
                      f"sum; this {measure} indicator's aggregation is {aggregation}" +
                      ("" if "sum" in allowed else f" (a {measure} indicator cannot be cumulative)"))], None
    return [], write


def _recheck_values(ctx: ImportContext, frame: pd.DataFrame, ids: pd.Series) -> None:
    """An indicator whose measure or scale changed must still fit its stored values."""
    for row, iid in ids.items():
        ind = ctx.conn.execute(select(Indicator).where(Indicator.id == int(iid))).mappings().one()
        vals = read_frame(ctx.conn, select(Value.target, Value.actual, Value.target_text, Value.actual_text).where(Value.indicator_id == int(iid)))
        base = read_frame(ctx.conn, select(Baseline.value, Baseline.value_text).where(Baseline.indicator_id == int(iid)))
        numbers = pd.concat([vals["target"], vals["actual"], base["value"]]).dropna()
        texts = pd.concat([vals["target_text"], vals["actual_text"], base["value_text"]]).dropna()
        problem, name = None, "measure"
        if ind["measure"] == "qualitative" and len(numbers):
            problem = f"{len(numbers)} stored numeric values"
        elif ind["measure"] != "qualitative" and len(texts):
            problem = f"{len(texts)} stored text values"
        elif ind["measure"] == "percentage" and ((numbers < 0) | (numbers > 100)).any():
            problem = "stored values outside 0–100"
        elif ind["measure"] == "ordinal" and ((numbers < ind["scale_min"]) | (numbers > ind["scale_max"])).any():
            problem = f"stored values outside the scale {ind['scale_min']:g}–{ind['scale_max']:g}"
            name = "scale_min" if (numbers < ind["scale_min"]).any() else "scale_max"
        if problem:
            ctx.issue(row, name, "out-of-range", frame.loc[row, name] if name in frame else "",
                      f"indicator {ind['code']} has {problem} that would no longer fit; correct or remove those values first")

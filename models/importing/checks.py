"""Checks every kind shares: required cells, codes resolved to ids, keys unique within a
file, end not before start, and who may upload what."""
from __future__ import annotations

import difflib
import functools

import numpy as np
import pandas as pd

from models import reference
from models.cells import CLEAR, is_clear_token
from models.formats import CLEAR_TOKEN
from models.importing.context import ImportContext
from models.wording import article
from models.issues import ERROR, Issue
from models.reading import Table
from models.upsert import REJECTED


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of the file, or empty cells when the file has no such column."""
    return frame[name] if name in frame else empty_cells(frame.index)


_last_empty: list = []  # [(index, empty cells)]: the file's missing columns are asked for again and again


def empty_cells(index: pd.Index) -> pd.Series:
    """Empty text cells on `index`: one column made per index and handed out as shallow copies
    (copy-on-write: a change to one never reaches another), not a million cells made again for
    each column the file lacks."""
    entry = _last_empty[0] if _last_empty else None
    if entry is None or entry[0] is not index:
        entry = (index, pd.Series("", index=index, dtype="str"))
        _last_empty[:] = [entry]
    return entry[1].copy(deep=False)


def did_you_mean(value: str, choices, shown=lambda choice: choice) -> str:
    """"; did you mean 'X'?" for the closest choice (lower-case compared), or ""."""
    hint = difflib.get_close_matches(value.lower(), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{shown(hint[0])}'?" if hint else ""


def lookup_codes(raw: pd.Series, codes: dict) -> pd.Series:
    """`raw.str.lower().map(codes)`, each distinct cell looked up once (a million cells naming
    a thousand codes: a thousand lookups, mapped back by position in C). int64 when every cell
    is found, else float64 with NaN, as `Series.map` gives."""
    positions, uniques = pd.factorize(raw, use_na_sentinel=True)
    found = np.array([codes.get(u.lower(), np.nan) if isinstance(u, str) else np.nan for u in uniques] + [np.nan],
                     dtype="float64")
    values = found[positions]
    if len(values) and not np.isnan(values).any():
        return pd.Series(values.astype("int64"), index=raw.index, copy=False)
    return pd.Series(values, index=raw.index, dtype="float64", copy=False)


def resolve(ctx: ImportContext, raw: pd.Series, name: str, model, label: str, *, allow_empty: bool = False) -> pd.Series:
    """Codes -> ids, case-insensitive; unknown codes refused with a did-you-mean."""
    ids = lookup_codes(raw, ctx.codes(model))
    unknown = raw.ne("") & ids.isna()
    if allow_empty:
        ids = ids.where(raw.ne(""), np.nan)
    if unknown.any():
        spelled = ctx.spelled(model)
        choices = [k for k in spelled if k]
        for value in pd.unique(raw[unknown]):
            dym = did_you_mean(value, choices, spelled.get)
            message = f"unknown {label} '{value}'{dym or '.'} Add it with {article(label)} {label}s upload first, or correct the code"
            for row in raw.index[(raw == value).to_numpy()]:
                ctx.issue(row, name, "unknown-reference", value, message)
    return ids


def key_factor_number(item: str) -> int | None:
    """A key factor given by number (`4`) or by name (`Automation`, any case) -> its number;
    None for anything else."""
    text = " ".join(str(item).split())
    try:
        number = int(text)
    except ValueError:
        low = text.lower()
        return next((k for k, name in reference.KEY_FACTORS.items() if name.lower() == low), None)
    return number if number in reference.KEY_FACTORS else None


KEY_FACTOR_CHOICES = [str(k) for k in reference.KEY_FACTORS] + [n.lower() for n in reference.KEY_FACTORS.values()]


def key_factor_hint(item: str) -> str:
    """"; did you mean '8 Human Resource Management'?" for the closest number or name, or ""."""
    names = {n.lower(): k for k, n in reference.KEY_FACTORS.items()} | {str(k): k for k in reference.KEY_FACTORS}
    return did_you_mean(item, KEY_FACTOR_CHOICES, lambda choice: f"{names[choice]} {reference.KEY_FACTORS[names[choice]]}")


def resolve_clearable(ctx: ImportContext, raw: pd.Series, name: str, model, label: str) -> tuple[pd.Series, pd.Series]:
    """An optional reference that the clear token may clear: (ids with CLEAR, or None when
    empty; whether the cell is fine: empty, cleared or a known code)."""
    cleared = is_clear_token(raw)
    ids = resolve(ctx, raw.where(~cleared, ""), name, model, label)
    out = with_clear(ids.astype(object).where(ids.notna(), None), cleared)
    return out, raw.eq("") | cleared | ids.notna()


def require(ctx: ImportContext, frame: pd.DataFrame, columns) -> pd.Series:
    """missing-cell for empty required cells; returns the mask of rows that have all of them."""
    ok = pd.Series(True, index=frame.index)
    for c in columns:
        if c not in frame:
            continue
        cleared = is_clear_token(frame[c])
        empty = frame[c].eq("") | cleared
        for row in frame.index[empty.to_numpy()]:
            if cleared.loc[row]:
                ctx.issue(row, c, "missing-cell", CLEAR_TOKEN, f"'{c}' is required; it cannot be cleared")
            else:
                ctx.issue(row, c, "missing-cell", "", f"'{c}' is required")
        ok &= ~empty
    return ok


def unless_cleared(raw: pd.Series) -> pd.Series:
    """A required reference column with the clear token blanked (`require` reports it)."""
    return raw.where(~is_clear_token(raw), "")


def with_clear(values: pd.Series, cleared: pd.Series) -> pd.Series:
    """Parsed values with CLEAR where the cell held the clear token."""
    if not cleared.any():
        return values
    out = values.astype(object)
    out[cleared.to_numpy()] = CLEAR
    return out


def duplicates(ctx: ImportContext, keys: pd.DataFrame, name: str, label: str, raw_value: pd.Series | None = None) -> pd.Series:
    """duplicate-key for rows sharing a key, naming the first row; returns mask of duplicates."""
    dup = keys.duplicated(keep=False)
    if not dup.any():
        return pd.Series(False, index=keys.index)
    rows = pd.Series(keys.index, index=keys.index)
    first_row = rows.groupby([keys[c] for c in keys.columns], dropna=False).transform("min")
    later = dup & (rows != first_row)
    for row in keys.index[later.to_numpy()]:
        value = raw_value.loc[row] if raw_value is not None else ""
        ctx.issue(row, name, "duplicate-key", value, f"the same {label} as row {int(first_row.loc[row])}; keep one of the two rows")
    return later


def code_rows(ctx: ImportContext, t: Table, required: list[str]) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Checks common to code-keyed kinds: code and the `required` cells given, codes unique
    within the file. Returns (the file's frame, rows that pass, parsed frame holding the code)."""
    frame = t.frame
    code = column(frame, "code")
    ok = require(ctx, frame, ["code"])
    dup = duplicates(ctx, code.str.lower().to_frame("code"), "code", "code", code)
    ok = ok & ~dup & require(ctx, frame, required)
    return frame, ok, pd.DataFrame({"code": frame["code"]}, index=frame.index)


def no_issues(index: pd.Index, issues: list[Issue]) -> pd.Series:
    """True for the rows none of `issues` refuses."""
    bad = {i.row for i in issues if i.severity == ERROR}
    return pd.Series(~index.isin(list(bad)), index=index)


def end_before_start(parsed: pd.DataFrame, start: str, end: str) -> list[Issue]:
    """end-before-start where both dates are given (as text, not cleared) and the end comes
    first. Each distinct date is looked at once: the rows compare the dates' ranks, in C."""
    s, e = parsed[start], parsed[end]
    s_rank, e_rank = _text_ranks(s, e)
    bad = (s_rank >= 0) & (e_rank >= 0) & (e_rank < s_rank)
    return [
        Issue(int(r), end, "end-before-start", str(e.loc[r]), f"{end} {e.loc[r]} is before {start} {s.loc[r]}")
        for r in parsed.index[bad]
    ]


def _text_ranks(*columns: pd.Series) -> list[np.ndarray]:
    """Per column, each cell's rank among the text cells of all `columns` (ordered as Python
    orders strings); -1 for a cell holding no text (None, NaN, CLEAR)."""
    factorized = [pd.factorize(c, use_na_sentinel=True) for c in columns]
    texts = sorted({u for _codes, uniques in factorized for u in uniques if isinstance(u, str)})
    rank = {u: i for i, u in enumerate(texts)}
    out = []
    for codes, uniques in factorized:
        ranks = np.array([rank[u] if isinstance(u, str) else -1 for u in uniques] + [-1], dtype="int64")
        out.append(ranks[codes])
    return out


def admin_kind(handler):
    """For the handler of a kind a partner coordinator may not upload (all but results): their
    file is refused whole, each row rejected."""
    @functools.wraps(handler)
    def checked(ctx: ImportContext, t: Table) -> pd.Series:
        if ctx.partner_scoped:
            ctx.issue(0, "", "not-permitted", t.kind, f"a partner coordinator can upload results only, not {t.kind}")
            return pd.Series(REJECTED, index=t.frame.index)
        return handler(ctx, t)

    return checked

"""Vectorised cell parsers for the import engine.

Every parser takes a Series of trimmed strings indexed by spreadsheet row number and returns
(parsed Series, issues). Empty cells parse to missing (None / NaN); the clear token parses
to `CLEAR`. Distinct values are parsed once and mapped, so a million-row column with a
handful of distinct dates costs a handful of parses.
"""
from __future__ import annotations

import difflib
import re
from datetime import date
from typing import Callable

import numpy as np
import pandas as pd

from models.formats import BOOLEANS, CLEAR_TOKEN
from models.issues import ERROR, Issue
from models.scoring.periods import shorthand_bounds


class _Clear:
    """Sentinel: the user asked to clear an optional value."""

    def __repr__(self) -> str:
        return "CLEAR"


CLEAR = _Clear()

# A number written with a decimal comma (12,5): read with --decimal-comma, refused (with
# advice) without it; models.reading looks for it to suggest the option.
DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,\u00a0 '.]\d{3})+([.,]\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD_LOOSE = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")


def is_clear_token(raw: pd.Series) -> pd.Series:
    """Cells holding the clear token (exactly: `formats.CLEAR_TOKEN`)."""
    return raw.eq(CLEAR_TOKEN)


def issues_for(mask: pd.Series, raw: pd.Series, column: str, check: str, message, file: str = "") -> list[Issue]:
    """Issues for the rows where `mask` is true; `message` is a str or a function of the raw value."""
    rows = raw.index[mask.to_numpy()]
    values = raw.to_numpy()[mask.to_numpy()]
    make = message if callable(message) else (lambda _v, m=message: m)
    return [Issue(int(r), column, check, str(v), make(v), ERROR, file) for r, v in zip(rows, values)]


def _uniques(raw: pd.Series) -> tuple[np.ndarray, list]:
    """(code of each cell, the distinct values): a million cells with a few hundred distinct
    values are parsed a few hundred times, and mapped back by their codes in C."""
    codes, uniques = pd.factorize(raw if isinstance(raw, pd.Series) else raw.to_numpy(dtype=object), use_na_sentinel=True)
    return codes, list(uniques)


def _parse_unique(raw: pd.Series, parse: Callable[[str], tuple[object, str | None, str | None]], column: str, file: str,
                  empty=None) -> tuple[pd.Series, list[Issue]]:
    """parse(value) -> (parsed, check, message), once per distinct non-empty value; empty
    cells and refused ones -> `empty`, the clear token -> CLEAR."""
    codes, values, issues = _parse_codes(raw, parse, column, file, empty)
    return pd.Series(values[codes], index=raw.index, dtype=object, copy=False), issues


def _parse_codes(raw: pd.Series, parse, column: str, file: str, empty=None) -> tuple[np.ndarray, np.ndarray, list[Issue]]:
    """(code per cell, parsed value per code, issues) for `_parse_unique`."""
    codes, uniques = _uniques(raw)
    values = np.empty(len(uniques) + 1, dtype=object)  # the last: a missing cell (code -1)
    values[:] = [empty] * len(values)
    errors: dict[int, tuple[str, str]] = {}
    for k, u in enumerate(uniques):
        if u == "":
            continue
        if u == CLEAR_TOKEN:
            values[k] = CLEAR
            continue
        value, check, message = parse(u)
        if check:
            errors[k] = (check, message)
        elif value is not None and not (isinstance(value, float) and value != value):
            values[k] = value
    issues: list[Issue] = []
    if errors:
        bad = np.zeros(len(values), dtype=bool)
        bad[list(errors)] = True
        rows = np.flatnonzero(bad[codes])
        for r, code, value in zip(raw.index[rows], codes[rows], raw.to_numpy(dtype=object)[rows]):
            check, message = errors[int(code)]
            issues.append(Issue(int(r), column, check, value, message, ERROR, file))
    return codes, values, issues


def parse_text(raw: pd.Series, column: str, file: str = ""):
    """Text: empty -> None, clear token -> CLEAR, anything else as it is."""
    out = raw.astype(object).where(raw != "", None)
    out = out.where(~is_clear_token(raw), CLEAR)
    return out, []


def number_problem(text: str, decimal_comma: bool) -> tuple[str, str]:
    """Why a cell is not a number: (check, message)."""
    low = text.lower().lstrip("+-")
    if low in ("nan", "inf", "infinity", "-inf", "n/a", "na"):
        return "type-error", f"'{text}' is not a finite number; leave the cell empty if there is no value"
    if not decimal_comma and DECIMAL_COMMA.match(text):
        return "type-error", (
            f"'{text}' uses a decimal comma; write {text.replace(',', '.')} or import with --decimal-comma"
        )
    if _THOUSANDS.match(text):
        digits = re.sub(r"[^\d.,+-]", "", text).replace(",", "")
        return "type-error", f"'{text}' has thousands separators; write it without them, e.g. {digits}"
    return "type-error", f"'{text}' is not a number; use digits with '.' for decimals"


def parse_number(
    raw: pd.Series,
    column: str,
    *,
    decimal_comma: bool = False,
    percent: bool = False,
    integer: bool = False,
    minimum: float | None = None,
    file: str = "",
):
    """Numbers with '.' decimals (',' when decimal_comma). Returns a float Series (NaN empty)
    plus an object Series marking CLEAR cells, and issues. Each distinct cell is checked
    once (`_uniques`), the result mapped back to the rows by code."""
    codes, uniques = _uniques(raw)
    u_raw = pd.Series(np.array([*uniques, ""], dtype=object), dtype=object)  # the last: a missing cell
    u_values, u_cleared, u_bad = _number_cells(u_raw, decimal_comma, percent)
    values = pd.Series(u_values[codes], index=raw.index, dtype=float)
    cleared = pd.Series(u_cleared[codes], index=raw.index, dtype=bool)
    bad = u_bad[codes]
    issues: list[Issue] = []
    if bad.any():
        cache: dict[str, tuple[str, str]] = {}
        for row, v in zip(raw.index[bad], raw.to_numpy(dtype=object)[bad]):
            if v not in cache:
                cache[v] = number_problem(v, decimal_comma)
            check, message = cache[v]
            issues.append(Issue(int(row), column, check, v, message, ERROR, file))
    return _number_rules(raw, values, cleared, issues, column, integer, minimum, file)


def _number_cells(raw: pd.Series, decimal_comma: bool, percent: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(float value, cleared, not a number) of each cell."""
    text = raw
    if percent:
        text = text.str.replace(r"\s*%$", "", regex=True)
    if decimal_comma:
        text = text.where(~text.str.match(DECIMAL_COMMA), text.str.replace(",", ".", regex=False))
    cleared = is_clear_token(raw)
    nonempty = raw.ne("") & ~cleared
    plain = text.str.match(_PLAIN_NUMBER) & nonempty
    values = pd.to_numeric(text.where(plain, None), errors="coerce").astype(float)
    bad = nonempty & ~plain
    return values.to_numpy(dtype=float), cleared.to_numpy(dtype=bool), bad.to_numpy(dtype=bool)


def _number_rules(raw: pd.Series, values: pd.Series, cleared: pd.Series, issues: list[Issue], column: str, integer: bool,
                  minimum: float | None, file: str):
    finite = np.isfinite(values.to_numpy()) | values.isna().to_numpy()
    if not finite.all():
        mask = pd.Series(~finite, index=raw.index)
        issues += issues_for(mask, raw, column, "type-error", "not a finite number", file)
        values = values.where(finite)
    if integer:
        frac = values.notna() & (values != values.round())
        if frac.any():
            issues += issues_for(frac, raw, column, "type-error", lambda v: f"'{v}' is not a whole number", file)
            values = values.where(~frac)
    if minimum is not None:
        low = values < minimum
        if low.any():
            issues += issues_for(low, raw, column, "out-of-range", f"must be {minimum:g} or more", file)
            values = values.where(~low)
    return values, cleared, issues


def _date_problem(text: str) -> str:
    m = _DMY.match(text)
    if m:
        d, mth, y = (int(x) for x in m.groups())
        guess = _safe_date(y, mth, d) or _safe_date(y, d, mth)
        if guess:
            return f"'{text}' is not an ISO date; write it as YYYY-MM-DD, e.g. {guess.isoformat()}"
    m = _YMD_LOOSE.match(text)
    if m:
        y, mth, d = (int(x) for x in m.groups())
        guess = _safe_date(y, mth, d)
        if guess:
            return f"'{text}' is not an ISO date; write it as YYYY-MM-DD, e.g. {guess.isoformat()}"
    if _ISO_DATE.match(text):
        return f"'{text}' is not a real calendar date"
    return f"'{text}' is not a date; write it as YYYY-MM-DD"


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _parse_iso_date(text: str):
    if _ISO_DATE.match(text):
        y, m, d = int(text[:4]), int(text[5:7]), int(text[8:10])
        if _safe_date(y, m, d):
            return text, None, None
    return None, "invalid-date", _date_problem(text)


def parse_date(raw: pd.Series, column: str, file: str = ""):
    """ISO YYYY-MM-DD dates, kept as ISO strings (compared and stored as such)."""
    return _parse_unique(raw, _parse_iso_date, column, file)


def period_bounds(text: str) -> tuple[str, str] | None:
    """'2024' -> whole year; '2024-Q1'; '2024-H1'; '2024-03' -> (start, end) ISO strings."""
    bounds = shorthand_bounds(text)
    return None if bounds is None else (bounds[0].isoformat(), bounds[1].isoformat())


def parse_period(raw: pd.Series, column: str = "period", file: str = ""):
    """Period shorthands -> two Series (start, end) of ISO strings."""

    def one(text: str):
        bounds = period_bounds(text)
        if bounds is None:
            return None, "invalid-date", (
                f"'{text}' is not a period; write 2024, 2024-Q1, 2024-H1 or 2024-03, "
                "or give period_start and period_end"
            )
        return bounds, None, None

    codes, bounds, issues = _parse_codes(raw, one, column, file)
    starts, ends = (np.array([b[i] if isinstance(b, tuple) else None for b in bounds], dtype=object) for i in (0, 1))
    return (pd.Series(starts[codes], index=raw.index, dtype=object), pd.Series(ends[codes], index=raw.index, dtype=object),
            issues)


def parse_choice(raw: pd.Series, column: str, allowed, file: str = "", *, label: str | None = None):
    """A value from a vocabulary (a dict of spelling -> canonical, or a sequence), case-insensitive."""
    mapping = dict(allowed) if isinstance(allowed, dict) else {a: a for a in allowed}
    folded = {str(k).lower(): v for k, v in mapping.items()}
    shown = sorted({str(v) for v in mapping.values()}, key=str)

    def one(text: str):
        key = " ".join(text.lower().split())
        if key in folded:
            return folded[key], None, None
        hint = difflib.get_close_matches(key, list(folded), n=1)
        dym = f" — did you mean '{folded[hint[0]]}'?" if hint else ""
        return None, "type-error", f"'{text}' is not an allowed {label or column}{dym} Allowed: {', '.join(shown)}"

    return _parse_unique(raw, one, column, file)


def parse_bool(raw: pd.Series, column: str, file: str = ""):
    def one(text: str):
        key = text.lower()
        if key in BOOLEANS:
            return BOOLEANS[key], None, None
        return None, "type-error", f"'{text}' is not true/false (also yes/no, 1/0)"

    return _parse_unique(raw, one, column, file)


def split_list(text: str) -> list[str]:
    """A list cell: items separated by ';' or '|', trimmed, empties dropped."""
    return [p.strip() for p in re.split(r"[;|]", text) if p.strip()]

"""Periods: shorthands, "as of", frequency periods and labels (DESIGN.md, "Progress rules").

Shorthands are calendar periods: `2025` (the year), `2025-H1`, `2025-Q3`, `2025-03`, or a
date `2025-03-15` (that one day). As a start a shorthand means its first day, as an end
its last day (`2025-Q3` -> 2025-09-30).

Frequency periods (`annual`, `semiannual`, `quarterly`, `monthly`) are counted from
`year_start_month` (1 = calendar year, 4 = April-March). Dates inside the engine are numpy
`datetime64[D]`; `to_days` / `to_dates` convert from and to `datetime.date`.
"""
from __future__ import annotations

import calendar
import os
import re
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd

TODAY_ENV_VAR = "RESULTSBOARD_TODAY"
FREQUENCIES = {"annual": 12, "semiannual": 6, "quarterly": 3, "monthly": 1}
DEFAULT_FREQUENCY = "annual"
SHORTHAND_HELP = "use 2025, 2025-H1, 2025-Q3, 2025-03 or a date YYYY-MM-DD"

_SHORTHAND = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|\d{2}))?$", re.IGNORECASE)
_ONE_DAY = np.timedelta64(1, "D")


# --- shorthands ---------------------------------------------------------------------------


def shorthand_bounds(text: str) -> tuple[date, date] | None:
    """A period shorthand (`2025`, `2025-H1`, `2025-Q3`, `2025-03`) -> (first day, last day);
    None when the text is not one (a month that does not exist included)."""
    m = _SHORTHAND.match(str(text).strip())
    if not m:
        return None
    year, part = int(m.group(1)), (m.group(2) or "").upper()
    if not part:
        first, last = 1, 12
    elif part[0] == "Q":
        first, last = 3 * int(part[1]) - 2, 3 * int(part[1])
    elif part[0] == "H":
        first, last = 6 * int(part[1]) - 5, 6 * int(part[1])
    else:
        first = last = int(part)
        if not 1 <= first <= 12:
            return None
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def parse_period(text: str) -> tuple[date, date]:
    """A shorthand or a date -> (first day, last day); ValueError for anything else."""
    raw = str(text).strip()
    bounds = shorthand_bounds(raw)
    if bounds is not None:
        return bounds
    if _SHORTHAND.match(raw):
        raise ValueError(f"'{raw}' is not a period: month {int(raw[5:])} does not exist ({SHORTHAND_HELP})")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"'{raw}' is not a period: {SHORTHAND_HELP}") from None
    return day, day


def _bound(value, index: int) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_period(value)[index]


def period_start(value) -> date | None:
    """`--from`: a shorthand's first day, a date as it is; None for nothing."""
    return _bound(value, 0)


def period_end(value) -> date | None:
    """`--to`: a shorthand's last day (`2025-Q3` -> 2025-09-30), a date as it is; None for nothing."""
    return _bound(value, 1)


def as_of(to=None, today: date | None = None) -> date:
    """The "as of" date: `to`'s last day; else RESULTSBOARD_TODAY (YYYY-MM-DD); else today.

    `today` stands in for the clock (today's UTC date) — the environment variable, which
    pins "today" for tests and reproducible reports, still wins over it.
    """
    end = period_end(to)
    if end is not None:
        return end
    pinned = os.environ.get(TODAY_ENV_VAR, "").strip()
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            raise ValueError(f"{TODAY_ENV_VAR}={pinned!r} is not a date YYYY-MM-DD") from None
    if today is not None:
        return period_end(today)
    return datetime.now(timezone.utc).date()


# --- date arrays --------------------------------------------------------------------------


def to_days(values) -> np.ndarray:
    """Dates (date objects, strings, datetimes; None/NaT allowed) -> datetime64[D] array."""
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.to_numpy(dtype="datetime64[D]")
    codes, uniques = pd.factorize(series)
    converted = pd.to_datetime(pd.Index(uniques, dtype=object)).to_numpy(dtype="datetime64[D]")
    return np.append(converted, np.datetime64("NaT", "D"))[codes]


def to_dates(days) -> np.ndarray:
    """datetime64[D] -> object array of datetime.date (None for NaT)."""
    days = np.asarray(days, dtype="datetime64[D]").reshape(-1)
    if not len(days):
        return np.array([], dtype=object)
    codes, uniques = pd.factorize(days.astype(np.int64))  # NaT is one more integer here
    objects = np.array([None if np.isnat(d) else d.astype(object) for d in uniques.astype("datetime64[D]")] + [None],
                       dtype=object)
    return objects[codes]


def _months(days: np.ndarray) -> np.ndarray:
    """Month index (months since 1970-01) of each day."""
    return days.astype("datetime64[M]").astype(np.int64)


def _month_first(months: np.ndarray) -> np.ndarray:
    return months.astype("datetime64[M]").astype("datetime64[D]")


def _month_last(months: np.ndarray) -> np.ndarray:
    return (months + 1).astype("datetime64[M]").astype("datetime64[D]") - _ONE_DAY


def is_year_or_longer(starts, ends) -> np.ndarray:
    """True where the period [start, end] lasts a year or more (2025-01-01..2025-12-31 does)."""
    starts = np.asarray(starts, dtype="datetime64[D]")
    ends = np.asarray(ends, dtype="datetime64[D]")
    if len(starts) > 1000:  # each distinct period once
        codes, first = _pair_codes(starts, ends)
        return is_year_or_longer(starts[first], ends[first])[codes]
    months = _months(starts) + 12
    day_in_month = (starts - starts.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    # the same day one year on, clamped to the month's length (29 Feb -> 28 Feb, then +1)
    year_on = np.minimum(_month_first(months) + day_in_month, _month_last(months) + _ONE_DAY)
    return (ends + _ONE_DAY) >= year_on


# --- frequency periods --------------------------------------------------------------------


def frequency_months(frequency) -> int:
    """Months in one period of a frequency (annual 12 ... monthly 1); None/'' -> annual."""
    key = DEFAULT_FREQUENCY if frequency is None or pd.isna(frequency) or not str(frequency).strip() \
        else str(frequency).strip().lower()
    if key not in FREQUENCIES:
        raise ValueError(f"frequency '{frequency}' is not one of {', '.join(FREQUENCIES)}")
    return FREQUENCIES[key]


def frequency_periods_inside(starts, ends, months, year_start_month: int = 1):
    """The frequency periods lying fully inside each span, set-based.

    `starts`, `ends`: datetime64[D] arrays (one span each); `months`: period length per span
    (12, 6, 3 or 1). Periods start in the months counted from `year_start_month`.
    Returns (span index, period start, period end) arrays, ordered by span then start.
    """
    if not 1 <= int(year_start_month) <= 12:
        raise ValueError(f"year_start_month {year_start_month} is not a month number 1-12")
    starts = np.asarray(starts, dtype="datetime64[D]")
    ends = np.asarray(ends, dtype="datetime64[D]")
    length = np.asarray(months, dtype=np.int64)
    anchor = int(year_start_month) - 1  # month index 0 is January 1970
    first_month = _months(starts) + (starts != _month_first(_months(starts)))  # first whole month
    last_month = _months(ends) - (ends != _month_last(_months(ends)))  # last whole month
    k_first = -((anchor - first_month) // length)  # ceil((first_month - anchor) / length)
    k_last = (last_month + 1 - anchor) // length - 1
    counts = np.maximum(k_last - k_first + 1, 0)
    span = np.repeat(np.arange(len(starts)), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    first = anchor + (np.repeat(k_first, counts) + offset) * np.repeat(length, counts)
    return span, _month_first(first), _month_last(first + np.repeat(length, counts) - 1)


def frequency_periods(start, end, frequency, year_start_month: int = 1) -> list[tuple[date, date]]:
    """The `frequency` periods fully inside [start, end] as (first day, last day) dates."""
    _, first, last = frequency_periods_inside(
        to_days([period_start(start)]), to_days([period_end(end)]), [frequency_months(frequency)], year_start_month)
    return list(zip(to_dates(first), to_dates(last)))


# --- labels -------------------------------------------------------------------------------


def _fiscal(year: int) -> str:
    return f"FY{year}/{(year + 1) % 100:02d}"


def _shorthand_label(start: date, end: date, year_start_month: int) -> str | None:
    """The shorthand naming exactly [start, end], or None."""
    if start.day != 1 or end.day != calendar.monthrange(end.year, end.month)[1] or end < start:
        return None
    first = start.year * 12 + start.month - 1
    n = end.year * 12 + end.month - first
    calendar_aligned = (first % n == 0) if n in (1, 3, 6, 12) else False
    if n == 1:
        return f"{start.year}-{start.month:02d}"
    if calendar_aligned and n == 3:
        return f"{start.year}-Q{(start.month + 2) // 3}"
    if calendar_aligned and n == 6:
        return f"{start.year}-H{(start.month + 5) // 6}"
    if n % 12 == 0 and first % 12 == 0:
        return str(start.year) if n == 12 else f"{start.year}–{end.year}"
    anchor = year_start_month - 1
    if year_start_month != 1 and (first - anchor) % 12 == 0 and n % 12 == 0:
        fy = start.year
        return _fiscal(fy) if n == 12 else f"{_fiscal(fy)}–{_fiscal(fy + n // 12 - 1)}"
    if year_start_month != 1 and n in (3, 6) and (first - anchor) % n == 0:
        fy = (first - anchor) // 12
        part = ((first - anchor) % 12) // n + 1
        return f"{_fiscal(fy)}-{'Q' if n == 3 else 'H'}{part}"
    return None


def period_label(start, end, year_start_month: int = 1) -> str:
    """`2025`, `2025-Q3`, `2025-H1`, `2025-03`, `2021–2025`, `FY2024/25`, else `start – end`."""
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return ""
    start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    label = _shorthand_label(start, end, year_start_month)
    if label:
        return label
    return start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"


def running_label(first_start, first_end, last_start, last_end, year_start_month: int = 1) -> str:
    """A running total from the first period to the last: `2021–2025`, `2025-Q1–2025-Q3`."""
    if pd.isna(first_start) or pd.isna(last_end):
        return ""
    whole = _shorthand_label(pd.Timestamp(first_start).date(), pd.Timestamp(last_end).date(), year_start_month)
    if whole and "–" in whole:
        return whole
    first = _shorthand_label(pd.Timestamp(first_start).date(), pd.Timestamp(first_end).date(), year_start_month)
    last = _shorthand_label(pd.Timestamp(last_start).date(), pd.Timestamp(last_end).date(), year_start_month)
    if first and last:
        return first if (first_start, first_end) == (last_start, last_end) else f"{first}–{last}"
    return period_label(first_start, last_end, year_start_month)


def period_labels(starts, ends, year_start_month: int = 1) -> np.ndarray:
    """period_label for aligned arrays, each distinct (start, end) labelled once."""
    starts, ends = np.asarray(starts, dtype="datetime64[D]"), np.asarray(ends, dtype="datetime64[D]")
    if not len(starts):
        return np.array([], dtype=object)
    codes, first = _pair_codes(starts, ends)
    labels = np.array([period_label(starts[i], ends[i], year_start_month) for i in first], dtype=object)
    return labels[codes]


def _pair_codes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One code per distinct (a, b) (NaT a value like any other), and the position of each
    code's first row: integer factorizing, no tuples built."""
    ca, ua = pd.factorize(a, use_na_sentinel=False)
    cb, _ = pd.factorize(b, use_na_sentinel=False)
    codes, uniques = pd.factorize(ca.astype(np.int64) * (int(cb.max()) + 1) + cb)
    first = np.zeros(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return codes, first


def running_labels(first_starts, first_ends, starts, ends, running, year_start_month: int = 1) -> np.ndarray:
    """Per row: running_label where `running`, else period_label; each distinct row labelled once.

    Missing starts give None."""
    cols = [np.asarray(a, dtype="datetime64[D]") for a in (first_starts, first_ends, starts, ends)]
    running = np.asarray(running, dtype=bool)
    if not len(running):
        return np.array([], dtype=object)
    codes = np.zeros(len(running), dtype=np.int64)
    for column in (*[c.astype(np.int64) for c in cols], running.astype(np.int64)):  # NaT is one more integer
        found, uniques = pd.factorize(column)
        codes, kept = pd.factorize(codes * len(uniques) + found)
    first = np.zeros(len(kept), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # a row of each distinct combination

    def one(i):
        fs, fe, s, e = (pd.Timestamp(c[i]) for c in cols)
        if pd.isna(s):
            return None
        return running_label(fs, fe, s, e, year_start_month) if running[i] else period_label(s, e, year_start_month)

    return np.array([one(i) for i in first], dtype=object)[codes]

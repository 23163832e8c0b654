"""Labels and figures written as the dashboard, exports and tables show them: periods in the
upload format, key factors, indicator directions, partner names, amounts and figures with
their unit."""
from __future__ import annotations

import pandas as pd

from models import reference
from models.cells import period_bounds
from models.queries.snapshot import Snapshot
from models.tables import PROGRAMME_PARTNER_CODE

DIRECTION_LABELS = {True: "higher is better", False: "lower is better"}
NO_MODE = "not set"
NO_DONOR = "no donor"


def text_or_none(value) -> str | None:
    """A cell's text, stripped; None for a missing or blank cell."""
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


def period_labels(frame: pd.DataFrame) -> pd.Series:
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


def partner_names(v: Snapshot, codes: pd.Series) -> pd.Series:
    """Partner codes -> names (the programme level by its name; an unknown code as itself)."""
    names = codes.map(v.partners.set_index("code")["name"])
    return names.where(codes != PROGRAMME_PARTNER_CODE, reference.PROGRAMME_PARTNER_NAME).fillna(codes)


def money(amount: float, currency: str | None) -> str:
    """'CAD 3,496,777': an amount with its currency, never converted."""
    return f"{currency or ''} {amount:,.0f}".strip()


def figure(value, unit) -> str:
    """A number (up to three decimals) with its unit: '12.5 %', '3 days'; empty for none."""
    if value is None or pd.isna(value):
        return ""
    text = f"{float(value):,.3f}".rstrip("0").rstrip(".")
    unit = text_or_none(unit)
    if not unit:
        return text
    return f"{text} %" if unit == "%" else f"{text} {unit}"

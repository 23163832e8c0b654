"""Labels and figures written as the dashboard, exports and tables show them: periods (named
by models.scoring.periods), key factors, indicator directions, partner names, amounts and figures with
their unit."""
from __future__ import annotations

import pandas as pd

from models import progress, reference
from models.scoring import periods
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


def period_labels(frame: pd.DataFrame, year_start_month: int | None = None) -> pd.Series:
    """Each row's period_start..period_end named as models.scoring.periods.period_label names
    it (2025, 2025-Q3, 2021–2025, FY2024/25), each distinct period once; `year_start_month`
    defaults to the config's."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    month = progress.year_start_month() if year_start_month is None else year_start_month
    starts = periods.to_days(pd.Series(frame["period_start"], dtype=object))  # each distinct date converted once
    ends = periods.to_days(pd.Series(frame["period_end"], dtype=object))
    labels = periods.period_labels(starts, ends, month)
    return pd.Series([lab or "" for lab in labels], index=frame.index, dtype=object)


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


FREQUENCY_NOUNS = {"annual": ("year", "years"), "semiannual": ("half-year", "half-years"),
                   "quarterly": ("quarter", "quarters"), "monthly": ("month", "months")}


def _number(value) -> str:
    return f"{float(value):,.3f}".rstrip("0").rstrip(".")


def reports_text(received, due, frequency) -> str:
    """'reports: 2 of 4 quarters reported' (empty unless more than one report is due)."""
    if due is None or pd.isna(due) or int(due) <= 1:
        return ""
    one, many = FREQUENCY_NOUNS.get(str(frequency or "annual"), FREQUENCY_NOUNS["annual"])
    return f"reports: {int(received)} of {int(due)} {many if int(due) != 1 else one} reported"


def pair_note(row) -> str:
    """What a scored row (models.scoring.pairs.PAIR_COLUMNS plus `frequency`) says besides its
    progress: 'so far: 30 of 100' for a target period under way, 'last figure: 2024, achieved'
    beside `no data`, 'mean of 3 quarters', 'reports: 2 of 4 quarters reported',
    'estimated from the breakdown', 'life of programme: 150 of 400 (2024–2026)'."""
    parts = []
    status = row.get("status")
    if bool(row.get("so_far")) and pd.notna(row.get("actual")):
        parts.append(f"so far: {_number(row['actual'])} of {_number(row['target'])}" if pd.notna(row.get("target"))
                     else f"so far: {_number(row['actual'])}")
    if status == "no data":
        last = text_or_none(row.get("last_period_label"))
        parts.append(f"last figure: {last}, {row.get('last_status')}" if last else "no figure reported yet")
    n = row.get("n_periods")
    if row.get("aggregation") == "mean" and n is not None and pd.notna(n) and int(n) > 1 and status not in ("no data", "no target"):
        one, many = FREQUENCY_NOUNS.get(str(row.get("frequency") or "annual"), FREQUENCY_NOUNS["annual"])
        parts.append(f"mean of {int(n)} {many}")
    reports = reports_text(row.get("reports_received"), row.get("reports_due"), row.get("frequency"))
    if reports:
        parts.append(reports)
    if bool(row.get("estimated")):
        parts.append("estimated from the breakdown")
    lop = text_or_none(row.get("lop_period_label"))
    if lop and pd.notna(row.get("lop_target")):
        actual = _number(row["lop_actual"]) if pd.notna(row.get("lop_actual")) else "–"
        parts.append(f"life of programme: {actual} of {_number(row['lop_target'])} ({lop})")
    return "; ".join(parts)


def pair_notes(prog: pd.DataFrame) -> pd.Series:
    """pair_note for every row of a scored frame."""
    if prog.empty:
        return pd.Series([], index=prog.index, dtype=object)
    used = [c for c in _NOTE_COLUMNS if c in prog.columns]  # the records of the columns a note reads only
    return pd.Series([pair_note(r) for r in prog[used].to_dict("records")], index=prog.index, dtype=object)


_NOTE_COLUMNS = ["status", "so_far", "actual", "target", "last_period_label", "last_status", "n_periods", "aggregation",
                 "frequency", "reports_received", "reports_due", "estimated", "lop_period_label", "lop_target", "lop_actual"]


def breakdown_labels(values: pd.Series) -> pd.Series:
    """Dimension values matched as the progress rules match them — trimmed, case ignored — each
    written as its first spelling ('Customs Officers' and 'customs officers ' are one group)."""
    text = values.fillna("").astype(str).str.strip()
    keys = text.str.casefold()
    first = pd.Series(text.to_numpy(), index=keys.to_numpy())
    first = first[~first.index.duplicated(keep="first")]
    return keys.map(first).astype(object)

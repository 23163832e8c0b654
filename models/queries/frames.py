"""Frame shapes the read modules share: an empty frame with named columns, and a roll-up's
progress, counts and status joined onto a summary table."""
from __future__ import annotations

import pandas as pd

from models.scoring.distance import NO_DATA, SCORED, STATUSES

# the count column of each status in a roll-up (models.scoring.pairs.rollup), in DESIGN.md's order
STATUS_COUNT_COLUMNS = {s: "n_" + s.replace(" ", "_") for s in STATUSES}
# the counts a roll-up gives per group (besides progress and status)
ROLLUP_COUNTS = ["n", *STATUS_COUNT_COLUMNS.values()]


def empty_frame(columns: list[str]) -> pd.DataFrame:
    """No rows, the given columns (object dtype)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def unscored_status(counts: pd.DataFrame) -> pd.Series:
    """For groups with no scored pair: the first status its pairs have, in DESIGN.md's order
    (a group of `not due` pairs reads `not due`); `no data` for a group with no pair at all."""
    out = pd.Series(NO_DATA, index=counts.index, dtype=object)
    for status in reversed([s for s in STATUSES if s not in SCORED]):
        column = STATUS_COUNT_COLUMNS[status]
        if column in counts:
            out = out.where(~(pd.to_numeric(counts[column], errors="coerce").fillna(0) > 0), status)
    return out


def with_rollup(out: pd.DataFrame, rolled: pd.DataFrame | None, key: str, counts: list[str] = ROLLUP_COUNTS) -> pd.DataFrame:
    """`out` with the roll-up's progress, `counts` and status joined on `key` (None: no
    roll-up at all): counts 0 where a row has none; where no pair is scored, the status is
    `unscored_status`."""
    columns = [key, "progress", *counts, "status"]
    rolled = empty_frame(columns) if rolled is None else rolled[columns]
    out = out.merge(rolled, on=key, how="left")
    out["progress"] = pd.to_numeric(out["progress"], errors="coerce").astype(float)
    for c in counts:
        out[c] = pd.to_numeric(out[c], errors="coerce").fillna(0).astype(int)
    out["status"] = out["status"].astype(object).where(out["status"].notna(), unscored_status(out))
    return out


def json_value(value):
    """A cell as JSON wants it: None for missing (NaN, NA, NaT), ISO text for dates, plain
    int/float/bool/str for numpy scalars."""
    if value is None:
        return None
    if isinstance(value, (list, tuple, dict)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):
        return value.date().isoformat() if isinstance(value, pd.Timestamp) else value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value

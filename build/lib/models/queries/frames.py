"""Frame shapes the read modules share: an empty frame with named columns, and a roll-up's
progress, counts and status joined onto a summary table."""
from __future__ import annotations

import pandas as pd

# the counts `models.progress.rollup` gives per group (besides progress and status)
ROLLUP_COUNTS = ["n", "n_no_data", "n_qualitative", "achieved", "on_track", "at_risk", "off_track"]


def empty_frame(columns: list[str]) -> pd.DataFrame:
    """No rows, the given columns (object dtype)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def with_rollup(out: pd.DataFrame, rolled: pd.DataFrame | None, key: str, counts: list[str] = ROLLUP_COUNTS) -> pd.DataFrame:
    """`out` with the roll-up's progress, `counts` and status joined on `key` (None: no
    roll-up at all): counts 0 and status 'no data' where a row has none."""
    columns = [key, "progress", *counts, "status"]
    rolled = empty_frame(columns) if rolled is None else rolled[columns]
    out = out.merge(rolled, on=key, how="left")
    out["progress"] = pd.to_numeric(out["progress"], errors="coerce").astype(float)
    for c in counts:
        out[c] = pd.to_numeric(out[c], errors="coerce").fillna(0).astype(int)
    out["status"] = out["status"].astype(object).where(out["status"].notna(), "no data")
    return out

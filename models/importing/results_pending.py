"""A partner coordinator's changes to indicator values, kept for review (models.review):
stored in `pending_value`, apart from the approved values, for the batch being imported."""
from __future__ import annotations

from datetime import date

import pandas as pd

from models.cells import CLEAR
from models.tables import PendingValue
from models.writes import bulk_insert, frame_rows

PENDING_COLUMNS = ["indicator_id", "partner_id", "period_start", "period_end", "dimension", "dimension_value",
                   "actual", "actual_text", "comment", "clears", "file", "row"]


def keep_for_review(ctx, incoming: pd.DataFrame) -> int:
    """Store the rows of `incoming` (key + value columns as the import engine plans them:
    None keeps, CLEAR clears) as pending values of the batch being imported; returns how many."""
    if incoming.empty:
        return 0
    rows = incoming.copy()
    for c in ("period_start", "period_end"):
        rows[c] = rows[c].map(lambda d: d if isinstance(d, date) else date.fromisoformat(str(d)[:10]))
    clears = [[] for _ in range(len(rows))]
    for c, name in (("actual", "actual"), ("actual_text", "actual"), ("comment", "comment")):
        is_clear = rows[c].map(lambda v: v is CLEAR).to_numpy()
        for i in range(len(rows)):
            if is_clear[i] and name not in clears[i]:
                clears[i].append(name)
        rows[c] = rows[c].map(lambda v: None if v is CLEAR else v)
    rows["clears"] = [",".join(c) for c in clears]
    rows["file"] = ctx.file
    rows["row"] = rows.index.astype(int)
    rows["batch_id"] = ctx.batch_id
    bulk_insert(ctx.conn, PendingValue.__table__, [*PENDING_COLUMNS, "batch_id"], frame_rows(rows, [*PENDING_COLUMNS, "batch_id"]))
    return len(rows)

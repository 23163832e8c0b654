"""Plain-text tables for the command line's `progress` and `missing` (without --json): the
same frames the dashboard shows, with a heading that says "as of" and the filters."""
from __future__ import annotations

import pandas as pd

from models.progress import progress_help


def _table(frame: pd.DataFrame, columns: dict) -> str:
    """`frame`'s columns, renamed, as a text table; missing cells read '–'."""
    shown = frame[list(columns)].rename(columns=columns).astype(object)
    return shown.where(shown.notna(), "–").to_string(index=False)


def _pct(x) -> str:
    return "–" if x is None or x != x else f"{x * 100:.1f} %"


def _num(x) -> str:
    return "–" if x is None or x != x else f"{x:,.3f}".rstrip("0").rstrip(".")


def progress_text(v, frame: pd.DataFrame, by: str) -> str:
    """models.queries.rollups.progress_records' frame as text: pairs with their period, figures,
    status, reports and note; or groups with mean progress, n and the pairs by status."""
    lines = [f"Progress as of {v.as_of.isoformat()} · {v.filters.describe()}"]
    if frame.empty:
        return "\n".join([*lines, "No indicator-partner pair in this selection."])
    if by == "pair":
        shown = frame.assign(
            partner=frame["partner"].replace("", "(programme)"), baseline=frame["baseline"].map(_num),
            target=frame["target"].map(_num), actual=frame["actual"].map(_num), progress=frame["progress"].map(_pct),
            reports=[f"{r} of {d}" for r, d in zip(frame["reports_received"], frame["reports_due"])])
        lines.append(_table(shown, {"indicator": "indicator", "partner": "partner", "period": "period", "baseline": "baseline",
                                    "target": "target", "actual": "actual", "progress": "progress", "status": "status",
                                    "reports": "reports", "note": "note"}))
    else:
        column = {"key-factor": "key_factor"}.get(by, by)
        counts = [", ".join(f"{s} {n}" for s, n in c.items()) for c in frame["counts"]]
        shown = frame.assign(progress=frame["progress"].map(_pct), counts=counts)
        lines.append(_table(shown, {column: by, "progress": "mean progress", "n": "n", "status": "status",
                                    "counts": "pairs by status"}))
    return "\n".join([*lines, "", progress_help()])


def missing_text(v, late: pd.DataFrame) -> str:
    """models.queries.reporting.overdue_reports output as text, by partner and oldest first."""
    lines = [f"Overdue reports as of {v.as_of.isoformat()} · {v.filters.describe()}"]
    if late.empty:
        return "\n".join([*lines, "None."])
    shown = late.assign(partner=late["partner"].replace("", "(programme)"))
    lines.append(_table(shown, {"partner": "partner", "partner_name": "administration", "indicator": "indicator",
                                "period": "period", "due_on": "due on"}))
    return "\n".join([*lines, "", f"{len(late)} reports overdue, by administration, oldest first."])

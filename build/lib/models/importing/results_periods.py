"""A results row's period: period_start and period_end, or a period shorthand (2024,
2024-Q1, 2024-H1, 2024-03); both may be given when they agree."""
from __future__ import annotations

import pandas as pd

from models.cells import parse_date, parse_period
from models.importing.checks import column, end_before_start
from models.issues import Issue

PERIOD_COLUMNS = ("period", "period_start", "period_end")


def parse_periods(frame: pd.DataFrame, issues: list[Issue]) -> tuple[pd.Series, pd.Series]:
    """(start, end) per row as ISO text (None where not given or not valid); problems go to `issues`."""
    start, iss = parse_date(column(frame, "period_start"), "period_start"); issues += iss
    end, iss = parse_date(column(frame, "period_end"), "period_end"); issues += iss
    period = column(frame, "period")
    if period.ne("").any():
        p_start, p_end, iss = parse_period(period); issues += iss
        both = period.ne("") & (start.notna() | end.notna())
        disagree = both & ((start.notna() & start.ne(p_start)) | (end.notna() & end.ne(p_end)))
        for row in frame.index[disagree.to_numpy()]:
            issues.append(Issue(int(row), "period", "out-of-range", period.loc[row],
                                f"period {period.loc[row]} disagrees with period_start/period_end; give one or the other"))
        start = start.where(start.notna(), p_start)
        end = end.where(end.notna(), p_end)
    bounds = pd.DataFrame({"period_start": start, "period_end": end}, index=frame.index)
    issues += [Issue(i.row, "period_end", i.check, i.value, i.message) for i in end_before_start(bounds, "period_start", "period_end")]
    return start, end


def missing_period_column(frame: pd.DataFrame, start_missing: bool) -> str:
    """The column a missing period is reported on: period when the file uses it, else the missing end."""
    if "period" in frame and "period_start" not in frame:
        return "period"
    return "period_start" if start_missing else "period_end"


def period_as_given(frame: pd.DataFrame) -> pd.Series:
    """The period cell as the file gives it (for messages on the key's column, period_start)."""
    return frame["period"] if "period" in frame and "period_start" not in frame else column(frame, "period_start")

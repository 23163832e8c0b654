"""Progress with the project's settings: the scoring engine (models.scoring) fed the config
file's status thresholds and reporting calendar (DESIGN.md, "Progress rules").

models.scoring is pure — every setting is a parameter. The read side, the exports and the
command line call these functions instead, so they all use the same thresholds, the same
first month of the reporting year and the same grace days. A config without a
`[reporting]` table means the defaults: calendar years and 30 days of grace.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from models.config import Settings, load_settings
from models.scoring import distance, pairs, reporting
from models.scoring.distance import SCORED, STATUSES  # noqa: F401  (the statuses, in DESIGN.md's order)

def _settings(settings: Settings | None) -> Settings:
    return load_settings() if settings is None else settings


def year_start_month(settings: Settings | None = None) -> int:
    """The first month of the reporting year (config `[reporting] year_start_month`; default 1)."""
    return _settings(settings).reporting.year_start_month


def grace_days(settings: Settings | None = None) -> int:
    """Days after a period's end before its report is overdue (config `[reporting] grace_days`; default 30)."""
    return _settings(settings).reporting.grace_days


def score_pairs(values: pd.DataFrame, indicators: pd.DataFrame | None, baselines: pd.DataFrame | None, *,
                as_of: date, start: date | None = None, settings: Settings | None = None,
                reported: pd.DataFrame | None = None) -> pd.DataFrame:
    """models.scoring.pairs.score_pairs with the project's thresholds and reporting year."""
    s = _settings(settings)
    return pairs.score_pairs(values, indicators, baselines, as_of=as_of, start=start, thresholds=s.thresholds,
                             year_start_month=year_start_month(s), reported=reported)


def rollup(scored: pd.DataFrame, by, *, settings: Settings | None = None) -> pd.DataFrame:
    """models.scoring.pairs.rollup with the project's thresholds."""
    return pairs.rollup(scored, by, thresholds=_settings(settings).thresholds)


def due_reports(values: pd.DataFrame, indicators: pd.DataFrame | None, partners: pd.DataFrame | None, *,
                as_of: date, start: date | None = None, settings: Settings | None = None,
                reported: pd.DataFrame | None = None) -> pd.DataFrame:
    """models.scoring.reporting.due_reports with the project's grace days and reporting year."""
    s = _settings(settings)
    return reporting.due_reports(values, indicators, partners, as_of=as_of, start=start, grace_days=grace_days(s),
                                 year_start_month=year_start_month(s), reported=reported)


def reporting_rate(due: pd.DataFrame, *, settings: Settings | None = None) -> pd.DataFrame:
    """models.scoring.reporting.reporting_rate with the project's reporting year (for the labels)."""
    return reporting.reporting_rate(due, year_start_month(settings))


def progress_help(settings: Settings | None = None) -> str:
    """The formula, the thresholds, n and which period counts, in words (help text and hover)."""
    s = _settings(settings)
    return (distance.progress_help(s.thresholds)
            + " Each figure names its period (2025, 2025-Q3; 2021–2025 for running totals); a target period "
            "still under way shows 'so far: X of Y' without a status. Reports: how many of the reporting "
            "periods inside the scored period hold an actual (one awaiting review counts as received; only "
            f"approved figures are scored). A report is overdue {grace_days(s)} days after "
            "its period ends.")

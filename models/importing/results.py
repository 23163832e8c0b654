"""Results files: indicator values (targets, actuals, comments) and baselines, in steps:
rows read and checked (`results_rows`, periods in `results_periods`), values written
(`results_values`, overlaps in `results_overlaps`), then baselines (`results_baselines`)."""
from __future__ import annotations

import pandas as pd

from models.importing.context import ImportContext
from models.importing.results_baselines import write_baselines
from models.importing.results_rows import read_rows, skip_blank_rows
from models.importing.results_values import write_values
from models.issues import ERROR
from models.reading import Table
from models.upsert import REJECTED


def import_results(ctx: ImportContext, t: Table) -> pd.Series:
    ctx.step("checking rows")
    rows = read_rows(ctx, skip_blank_rows(ctx, t.frame))
    ctx.step("comparing with stored values")
    actions = write_values(ctx, rows)
    actions = write_baselines(ctx, rows, actions)
    bad = {i.row for i in ctx.issues if i.severity == ERROR}
    if bad:
        actions[actions.index.isin(list(bad))] = REJECTED
    return actions

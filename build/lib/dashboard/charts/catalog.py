"""Every named chart: the same figures on the pages, in `resultsboard export chart` and in
the donor pack. Each charts module contributes a CHARTS dict of name -> fn(view, progress)."""
from __future__ import annotations

from dashboard.charts import progress
from dashboard.charts import activities, indicators, key_factors, reporting
from dashboard.charts import breakdowns, maps, partner

MODULES = [progress, indicators, key_factors, activities, reporting, breakdowns, maps, partner]


def all_charts() -> dict:
    out: dict = {}
    for module in MODULES:
        out.update(module.CHARTS)
    return out


def build(name: str, v, prog):
    return all_charts()[name](v, prog)

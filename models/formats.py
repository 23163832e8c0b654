"""The upload contract: kinds, their columns and the allowed vocabularies (DESIGN.md)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from models.scoring.inputs import AGGREGATIONS as _AGGREGATIONS
from models.scoring.periods import DEFAULT_FREQUENCY as _DEFAULT_FREQUENCY, FREQUENCIES as _FREQUENCY_MONTHS


@dataclass(frozen=True)
class Kind:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    key: tuple[str, ...]
    description: str

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


def normalise_header(text: str) -> str:
    """A header as the column name it means: `" Period Start"`, `"period-end"`, `"PERIOD_START"` -> `period_start`."""
    text = str(text).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-_]*[\s\-][\s\-_]*", "_", text)


# Dependency order: every kind may refer only to kinds before it.
KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind("donors", ("code", "name"), ("country", "iati_ref"), ("code",), "Donors funding the programme"),
        Kind(
            "partners",
            ("code", "name", "country", "region"),
            ("joined_on", "status"),
            ("code",),
            "Partner administrations",
        ),
        Kind(
            "funding",
            ("donor",),
            ("phase", "partner", "amount", "currency", "signed_on", "start", "end"),
            ("donor", "partner", "phase"),
            "Agreements (no partner) and the partners each donor funds",
        ),
        Kind("framework", ("code", "title", "level"), ("parent",), ("code",), "The results framework"),
        Kind(
            "indicators",
            ("code", "name", "level", "measure", "ascending"),
            ("unit", "key_factor", "result", "description", "frequency", "aggregation", "cumulative", "scale_min",
             "scale_max"),
            ("code",),
            "Indicators of the results framework",
        ),
        Kind(
            "activities",
            ("code", "title", "type", "start"),
            ("end", "mode", "status", "partners", "donor", "participants", "key_factors", "description"),
            ("code",),
            "Activities (meetings, technical assistance, surveys, e-learning)",
        ),
        Kind(
            "results",
            ("indicator",),
            (
                "partner",
                "period",
                "period_start",
                "period_end",
                "target",
                "actual",
                "baseline",
                "baseline_year",
                "comment",
                "dimension",
                "dimension_value",
            ),
            ("indicator", "partner", "period_start", "period_end", "dimension", "dimension_value"),
            "Indicator values: targets, actuals and baselines",
        ),
    ]
}
KIND_ORDER = list(KINDS)

# A results row may also give a baseline, stored once per this key (file column names).
BASELINE_KEY = ("indicator", "partner", "dimension", "dimension_value", "baseline_year")
# File columns stored under another name (a reference column is stored as <name>_id).
STORED_AS = {"baseline_year": "year"}

# Columns an export adds that an upload ignores silently (computed, never stored).
COMPUTED_COLUMNS = {"results": ("progress", "status", "partner_name", "indicator_name")}
# Reference columns (a reporting workbook's `ref_indicator_name`, `ref_target`, ...): shown
# beside the data for the person filling it in, ignored by every upload without a warning.
REFERENCE_PREFIX = "ref_"

# Results need one of these groups of columns (beyond "indicator").
RESULTS_VALUE_COLUMNS = ("target", "actual", "baseline")

# The measures an indicator may have (the one list), and the spellings an upload accepts:
# the name, or the number the original framework gave it.
MEASURE_NAMES = ("unit", "percentage", "ordinal", "qualitative")
MEASURES = {spelling: name for name, number in zip(MEASURE_NAMES, ("1", "2", "4", "5")) for spelling in (name, number)}
LEVELS = ("impact", "outcome", "output", "other")
ACTIVITY_TYPES = ("meeting", "technical-assistance", "capacity-building", "survey", "e-learning",
                  "diagnostic", "other")
MODES = {"remote": "remote", "in-person": "in-person", "in person": "in-person", "in_person": "in-person",
         "hybrid": "hybrid"}
ACTIVITY_STATUSES = ("planned", "ongoing", "completed", "cancelled")
PARTNER_STATUSES = ("active", "inactive")
BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
LIST_SEPARATORS = ";|"

# A cell holding exactly this token clears an optional value on purpose.
CLEAR_TOKEN = "[clear]"

# Indicator reporting attributes (DESIGN.md, "Progress rules"). The names come from the
# scoring engine, so the upload accepts exactly what the rules know.
FREQUENCIES = tuple(_FREQUENCY_MONTHS)  # annual, semiannual, quarterly, monthly
DEFAULT_FREQUENCY = _DEFAULT_FREQUENCY
AGGREGATIONS = _AGGREGATIONS  # sum, mean, latest (over time)
# An indicator's aggregation when none is set (stored as NULL): flows add up, percentages
# and scores are averaged, text keeps the latest.
DEFAULT_AGGREGATION = {"unit": "sum", "percentage": "mean", "ordinal": "mean", "qualitative": "latest"}
# What each measure allows: a percentage or a score is never added up over time, and a text
# can only be the latest.
ALLOWED_AGGREGATIONS = {"unit": AGGREGATIONS, "percentage": ("mean", "latest"), "ordinal": ("mean", "latest"),
                        "qualitative": ("latest",)}

# Key columns matched case-insensitively (after trimming); a row that matches keeps the
# spelling stored first: codes, and breakdown names and values (`Sex`/`sex`, `Women`/`women`).
CASE_FREE_KEYS = ("code", "dimension", "dimension_value")


def folded_keys(frame, key):
    """A copy of the DataFrame's `key` columns, the case-free ones lower-cased, for matching rows."""
    out = frame[list(key)].copy()
    for c in key:
        if c in CASE_FREE_KEYS:
            out[c] = out[c].str.lower()
    return out

"""The IATI codelists and names Resultsboard reads and writes (IATI Standard 2.03 codelists)."""
from __future__ import annotations

from functools import lru_cache

# IndicatorMeasure: our measure <-> IATI code (3 nominal has no counterpart: read as qualitative)
MEASURE_CODES = {"unit": "1", "percentage": "2", "ordinal": "4", "qualitative": "5"}
MEASURE_FROM_CODE = {"1": "unit", "2": "percentage", "3": "qualitative", "4": "ordinal", "5": "qualitative"}
# ResultType: our framework level <-> IATI code
RESULT_TYPES = {"output": "1", "outcome": "2", "impact": "3", "other": "9"}
LEVEL_FROM_RESULT_TYPE = {v: k for k, v in RESULT_TYPES.items()}
ORGANISATION_ROLES = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}
ACTIVITY_STATUSES = ("1", "2", "3", "4", "5", "6")  # pipeline, implementation, finalisation, closed, cancelled, suspended
ACTIVITY_DATE_TYPES = {"planned-start": "1", "actual-start": "2", "planned-end": "3", "actual-end": "4"}
RELATED_ACTIVITY_TYPES = {"parent": "1", "child": "2"}
ORGANISATION_TYPE_GOVERNMENT = "10"
# IndicatorVocabulary (1-9 published vocabularies, 99 the reporting organisation's own) and
# ResultVocabulary (99 only)
INDICATOR_VOCABULARIES = tuple(str(n) for n in range(1, 10)) + ("99",)
RESULT_VOCABULARIES = ("99",)
OWN_VOCABULARY = "99"
VERSION = "2.03"
# Our own namespace for what IATI has no element for (unit, scale, reporting attributes, a
# value's comment beside a qualitative text); the schema allows extensions in another namespace.
RB_NAMESPACE = "urn:resultsboard:iati:1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (IATI's Country codelist; XK Kosovo included)."""
    import pycountry

    return frozenset({c.alpha_2 for c in pycountry.countries} | {"XK"})


def alpha2(alpha3: str | None) -> str | None:
    """The alpha-2 code IATI uses for a stored alpha-3 code."""
    import pycountry

    if not alpha3:
        return None
    found = pycountry.countries.get(alpha_3=alpha3.upper())
    return found.alpha_2 if found else None

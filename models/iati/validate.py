"""Check an `iati-activities` tree before it is written: the official IATI 2.03 schema
(vendored in `schema/`) and the IATI rules the schema cannot express (dates in order,
codes from the codelists, percentages adding up, actual dates not in the future).
Every problem names the element's path; an empty list means the file may be written."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from lxml import etree

from models.iati import codes

SCHEMA = Path(__file__).resolve().parent / "schema" / "iati-activities-schema.xsd"


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA), parser))


def problems(root: etree._Element, *, today: date | None = None) -> list[str]:
    """Schema errors and rule breaches, each as '<path>: <what is wrong>'."""
    found = []
    xsd = schema()
    if not xsd.validate(etree.ElementTree(root)):
        for e in xsd.error_log:
            found.append(f"{e.path or 'line ' + str(e.line)}: {e.message} (IATI 2.03 schema)")
    found += rule_problems(root, today or date.today())
    return found


def _path(el: etree._Element) -> str:
    return el.getroottree().getpath(el)


def _date(el: etree._Element, attr: str = "iso-date") -> date | None:
    try:
        return date.fromisoformat(el.get(attr) or "")
    except ValueError:
        return None  # the schema reports it


def _code(el, attr: str, allowed, what: str, out: list[str]) -> None:
    value = el.get(attr)
    if value is not None and value not in allowed:
        out.append(f"{_path(el)}: @{attr} '{value}' is not an IATI {what} code ({', '.join(sorted(allowed))})")


def rule_problems(root: etree._Element, today: date) -> list[str]:
    out: list[str] = []
    for act in root.iter("iati-activity"):
        _code(act.find("activity-status"), "code", codes.ACTIVITY_STATUSES, "ActivityStatus", out) \
            if act.find("activity-status") is not None else None
        dates = {}
        for d in act.findall("activity-date"):
            _code(d, "type", set(codes.ACTIVITY_DATE_TYPES.values()), "ActivityDateType", out)
            when = _date(d)
            dates[d.get("type")] = when
            if d.get("type") in ("2", "4") and when and when > today:
                out.append(f"{_path(d)}: an actual date may not be in the future ({when})")
        start = dates.get("2") or dates.get("1")
        end = dates.get("4") or dates.get("3")
        if start and end and end < start:
            out.append(f"{_path(act)}: the activity ends ({end}) before it starts ({start})")
        for org in act.findall("participating-org"):
            _code(org, "role", set(codes.ORGANISATION_ROLES.values()), "OrganisationRole", out)
        shares = []
        for c in act.findall("recipient-country"):
            _code(c, "code", codes.country_codes(), "Country", out)
            shares.append(float(c.get("percentage") or 0))
        if len(shares) > 1 and abs(sum(shares) - 100) > 0.01:
            out.append(f"{_path(act)}: recipient-country percentages add up to {sum(shares):g}, not 100")
        identifier = act.findtext("iati-identifier") or ""
        ref = act.find("reporting-org").get("ref", "") if act.find("reporting-org") is not None else ""
        if not identifier.startswith(ref + "-") or any(ch.isspace() for ch in identifier):
            out.append(f"{_path(act)}/iati-identifier: '{identifier}' must start with the reporting-org ref '{ref}-'"
                       " and hold no spaces")
        for res in act.findall("result"):
            _code(res, "type", set(codes.RESULT_TYPES.values()), "ResultType", out)
            for ref_el in res.findall("reference"):
                _code(ref_el, "vocabulary", codes.RESULT_VOCABULARIES, "ResultVocabulary", out)
            for ind in res.findall("indicator"):
                _indicator_rules(ind, out)
    return out


def _indicator_rules(ind: etree._Element, out: list[str]) -> None:
    _code(ind, "measure", set(codes.MEASURE_FROM_CODE), "IndicatorMeasure", out)
    for ref_el in ind.findall("reference"):
        _code(ref_el, "vocabulary", codes.INDICATOR_VOCABULARIES, "IndicatorVocabulary", out)
    qualitative = ind.get("measure") == "5"
    valued = list(ind.findall("baseline")) + [x for p in ind.findall("period") for x in (*p.findall("target"), *p.findall("actual"))]
    for el in valued:
        value = el.get("value")
        if value is None:
            continue
        if qualitative:
            out.append(f"{_path(el)}: a qualitative indicator's value goes in its comment, not @value")
            continue
        try:
            float(value)
        except ValueError:
            out.append(f"{_path(el)}: @value '{value}' is not a number")
    for period in ind.findall("period"):
        start, end = _date(period.find("period-start")), _date(period.find("period-end"))
        if start and end and end < start:
            out.append(f"{_path(period)}: period-end {end} is before period-start {start}")

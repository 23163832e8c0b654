"""A filtered, scoped view as IATI 2.03 `iati-activities` (README, "IATI").

One programme activity (`[iati] activity_prefix`, hierarchy 1) holding the programme-level
results, and one component activity per partner administration in view
(`<prefix>-<partner code>`, hierarchy 2) holding that administration's results: IATI
results belong to an activity, and the partner is the natural component a donor's results
officer follows. Donors are funding organisations (role 1), partners implementing (role 4),
the reporting organisation accountable (role 2). Pure functions: no database, no file.
"""
from __future__ import annotations

import math
from datetime import date, datetime, timezone

import pandas as pd
from lxml import etree

from models.config import Iati
from models.iati import codes
from models.queries.snapshot import Snapshot
from models.tables import PROGRAMME_PARTNER_CODE

E = etree.SubElement
RB = "{%s}" % codes.RB_NAMESPACE


def build_activities(v: Snapshot, cfg: Iati, *, now: datetime | None = None, today: date | None = None) -> etree._Element:
    """The `iati-activities` tree of view `v` (filters and scope already applied)."""
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    today = today or now.date()
    stamp = now.isoformat()
    root = etree.Element("iati-activities", {"version": codes.VERSION, "generated-datetime": stamp},
                         nsmap={"rb": codes.RB_NAMESPACE})
    partners = v.partners.sort_values("code")
    children = [component_identifier(cfg, p) for p in partners["code"]]
    countries = [c for c in (codes.alpha2(x) for x in partners["country"]) if c]
    values = _records(v.values, ["period_start", "period_end", "dimension", "dimension_value"])
    baselines = _records(v.baselines, ["year", "dimension", "dimension_value"])
    _activity(root, v, cfg, stamp, today, identifier=cfg.activity_prefix, partner=PROGRAMME_PARTNER_CODE,
              title=cfg.programme_title, description=f"{cfg.programme_title}: programme-level results.",
              donors=sorted(v.donors["code"]), implementers=list(partners.itertuples()), countries=sorted(set(countries)),
              related=[("child", c) for c in children], hierarchy="1", values=values, baselines=baselines)
    for p in partners.itertuples():
        funders = sorted(set(v.funding.loc[v.funding["partner"] == p.code, "donor"]) & set(v.donors["code"]))
        country = codes.alpha2(p.country)
        _activity(root, v, cfg, stamp, today, identifier=component_identifier(cfg, p.code), partner=p.code,
                  title=f"{cfg.programme_title}: {p.name}",
                  description=f"Results of {p.name} ({p.code}), a partner administration of {cfg.programme_title}.",
                  donors=funders, implementers=[p], countries=[country] if country else [],
                  related=[("parent", cfg.activity_prefix)], hierarchy="2", values=values, baselines=baselines,
                  inactive=p.status == "inactive")
    return root


def component_identifier(cfg: Iati, partner: str) -> str:
    """The iati-identifier of a partner's component activity."""
    return f"{cfg.activity_prefix}-{'-'.join(str(partner).split())}"


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _text(parent: etree._Element, tag: str, text: str, **attrs) -> etree._Element:
    el = E(parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()})
    E(el, "narrative").text = text
    return el


def _activity(root, v: Snapshot, cfg: Iati, stamp: str, today: date, *, identifier: str, partner: str, title: str,
              description: str, donors: list[str], implementers: list, countries: list[str], related: list,
              hierarchy: str, values: dict, baselines: dict, inactive: bool = False) -> None:
    act = E(root, "iati-activity", {codes.XML_LANG: cfg.language, "last-updated-datetime": stamp, "hierarchy": hierarchy})
    E(act, "iati-identifier").text = identifier
    _text(act, "reporting-org", cfg.reporting_org_name, ref=cfg.reporting_org_ref, type=cfg.reporting_org_type)
    _text(act, "title", title)
    _text(act, "description", description, type="1")
    names = dict(zip(v.donors["code"], v.donors["name"]))
    refs = {c: r for c, r in zip(v.donors["code"], v.donors["iati_ref"]) if isinstance(r, str) and r}
    for code in donors:
        _text(act, "participating-org", names.get(code) or code, role=codes.ORGANISATION_ROLES["funding"],
              **({"ref": refs[code]} if code in refs else {}))
    _text(act, "participating-org", cfg.reporting_org_name, ref=cfg.reporting_org_ref, type=cfg.reporting_org_type,
          role=codes.ORGANISATION_ROLES["accountable"])
    for p in implementers:
        _text(act, "participating-org", p.name, type=codes.ORGANISATION_TYPE_GOVERNMENT,
              role=codes.ORGANISATION_ROLES["implementing"])
    start, end = _span(v, partner, v.values[v.values["partner"] == partner])
    status = "6" if inactive else ("2" if end is None or end >= today else "3")
    E(act, "activity-status", code=status)
    started = start is not None and start <= today
    E(act, "activity-date", type=codes.ACTIVITY_DATE_TYPES["actual-start" if started else "planned-start"],
      **{"iso-date": (start or today).isoformat()})
    if end is not None:
        E(act, "activity-date", type=codes.ACTIVITY_DATE_TYPES["planned-end"], **{"iso-date": end.isoformat()})
    for code, share in zip(countries, _shares(len(countries))):
        E(act, "recipient-country", code=code, percentage=share)
    if cfg.sector:
        E(act, "sector", vocabulary="1", code=cfg.sector, percentage="100")
    for kind, ref in related:
        E(act, "related-activity", ref=ref, type=codes.RELATED_ACTIVITY_TYPES[kind])
    _results(act, v, values, baselines, partner)


def _span(v: Snapshot, partner: str, values: pd.DataFrame) -> tuple[date | None, date | None]:
    """The activity's start and end: its values' periods (the programme: also its agreements)."""
    starts = list(values["period_start"].dropna())
    ends = list(values["period_end"].dropna())
    if partner == PROGRAMME_PARTNER_CODE:
        starts += list(v.agreements["start"].dropna())
        ends += list(v.agreements["end"].dropna())
    else:
        joined = v.partners.loc[v.partners["code"] == partner, "joined_on"].dropna()
        starts += list(joined)
    starts = [pd.Timestamp(d).date() for d in starts]
    ends = [pd.Timestamp(d).date() for d in ends]
    return (min(starts) if starts else None), (max(ends) if ends else None)


def _shares(n: int) -> list[str]:
    """n percentages with two decimals adding up to exactly 100."""
    if n == 0:
        return []
    cents = [10000 // n] * n
    cents[-1] += 10000 - sum(cents)
    return [f"{c / 100:.2f}" for c in cents]


def _records(frame: pd.DataFrame, order: list[str]) -> dict[tuple, list[dict]]:
    """(partner, indicator) -> the frame's rows as dicts, in `order` (plain Python: fast)."""
    out: dict[tuple, list[dict]] = {}
    for r in frame.sort_values(order).to_dict("records"):
        out.setdefault((r["partner"], r["indicator"]), []).append(r)
    return out


def _results(act, v: Snapshot, values: dict, baselines: dict, partner: str) -> None:
    """One `result` per framework result with indicators holding data here; indicators with
    no framework result get one result each, typed from their level."""
    framework = {r["code"]: r for r in v.framework.to_dict("records")}
    groups: dict[tuple, list] = {}
    for ind in v.indicators.sort_values("code").to_dict("records"):
        if (partner, ind["code"]) not in values and (partner, ind["code"]) not in baselines:
            continue
        result = ind["result"] if isinstance(ind["result"], str) and ind["result"] in framework else None
        groups.setdefault(("r", result) if result else ("i", ind["code"]), []).append(ind)
    for (kind, code), members in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if kind == "r":
            title, level = framework[code]["title"], framework[code]["level"]
        else:
            title, level, code = members[0]["name"], members[0]["level"], None
        res = E(act, "result", type=codes.RESULT_TYPES.get(level, "9"))
        _text(res, "title", title)
        if code:
            E(res, "reference", vocabulary=codes.OWN_VOCABULARY, code=code)
        for ind in members:
            key = (partner, ind["code"])
            _indicator(res, ind, values.get(key, []), baselines.get(key, []))


def _indicator(res, ind: dict, values: list[dict], baselines: list[dict]) -> None:
    qualitative = ind["measure"] == "qualitative"
    attrs = {"measure": codes.MEASURE_CODES[ind["measure"]]}
    if not qualitative:
        attrs["ascending"] = "1" if ind["ascending"] else "0"
    el = E(res, "indicator", attrs)
    _text(el, "title", ind["name"])
    if _filled(ind["description"]):
        _text(el, "description", ind["description"])
    E(el, "reference", vocabulary=codes.OWN_VOCABULARY, code=ind["code"])
    for b in baselines:
        base = E(el, "baseline", year=str(int(b["year"])))
        number = None if qualitative else _number(b["value"])
        if number is not None:
            base.set("value", number)
        _dimension(base, b["dimension"], b["dimension_value"])
        text = b["value_text"] if qualitative else b["comment"]
        if _filled(text):
            _text(base, "comment", text)
        if qualitative and _filled(b["comment"]):
            E(base, RB + "comment").text = b["comment"]
    periods: dict[tuple, list[dict]] = {}
    for r in values:
        periods.setdefault((r["period_start"], r["period_end"]), []).append(r)
    for (start, end), rows in periods.items():
        _period(el, start, end, rows, qualitative)
    definition = {"unit": ind["unit"], "scale-min": _number(ind["scale_min"]), "scale-max": _number(ind["scale_max"]),
                  "frequency": ind["frequency"], "aggregation": ind["aggregation"],
                  "cumulative": "true" if ind["cumulative"] else None,
                  "key-factor": None if pd.isna(ind["key_factor"]) else str(int(ind["key_factor"])), "level": ind["level"]}
    E(el, RB + "definition", {k: str(x) for k, x in definition.items() if _filled(x)})


def _period(el, start, end, rows: list[dict], qualitative: bool) -> None:
    period = E(el, "period")
    E(period, "period-start", {"iso-date": pd.Timestamp(start).date().isoformat()})
    E(period, "period-end", {"iso-date": pd.Timestamp(end).date().isoformat()})
    targets, actuals = [], []
    for r in rows:
        t = r["target_text"] if qualitative else _number(r["target"])
        a = r["actual_text"] if qualitative else _number(r["actual"])
        comment = r["comment"] if _filled(r["comment"]) else None
        if _filled(t):
            targets.append((r, t, comment if not qualitative and not _filled(a) else None))
        if _filled(a) or (comment and (qualitative or not _filled(t))):
            actuals.append((r, a if _filled(a) else None, comment))
    for tag, entries in (("target", targets), ("actual", actuals)):
        for r, value, comment in entries:
            node = E(period, tag)
            if value is not None and not qualitative:
                node.set("value", value)
            _dimension(node, r["dimension"], r["dimension_value"])
            if qualitative and value is not None:
                _text(node, "comment", value)
            elif not qualitative and comment:
                _text(node, "comment", comment)
            if qualitative and comment and tag == "actual":
                E(node, RB + "comment").text = comment


def _dimension(node, name: str, value: str) -> None:
    """A breakdown as IATI dimensions; a combined breakdown `sex × age` = `female × 20-29` as one per part."""
    if not name:
        return
    names, values = str(name).split(" × "), str(value).split(" × ")
    if len(names) != len(values):
        names, values = [name], [value]
    for n, x in zip(names, values):
        E(node, "dimension", name=n, value=x)


def _filled(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and str(x).strip() != "" and x is not pd.NA


def _number(x) -> str | None:
    """A number as IATI text (shortest exact form; 190.0 -> '190'), None when absent."""
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    f = float(x)
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)


def export_iati(v: Snapshot, cfg: Iati, *, now: datetime | None = None) -> tuple[bytes | None, list[str], dict[str, int]]:
    """(the file's bytes, or None when it would not validate; the problems; element counts)."""
    from models.iati.validate import problems

    root = build_activities(v, cfg, now=now)
    found = problems(root, today=(now or datetime.now(timezone.utc)).date())
    return (None if found else to_bytes(root)), found, element_counts(root)


COUNTED = ("iati-activity", "result", "indicator", "baseline", "period", "target", "actual")


def element_counts(root: etree._Element) -> dict[str, int]:
    """How many of each IATI element the tree holds (activities, results, ..., actuals)."""
    return {tag: sum(1 for _ in root.iter(tag)) for tag in COUNTED}

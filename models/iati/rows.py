"""IATI `result` elements as framework, indicators and results rows (strings, one row
number each, with the path of the element each cell came from). See `models.iati.reading`."""
from __future__ import annotations

import math
import re

import pandas as pd

from models.iati import codes
from models.issues import ERROR, WARNING, Issue

FRAMEWORK = ["code", "title", "level"]
INDICATORS = ["code", "name", "level", "measure", "ascending", "result", "description", "unit", "scale_min",
              "scale_max", "frequency", "aggregation", "cumulative", "key_factor"]
RESULTS = ["indicator", "partner", "period_start", "period_end", "target", "actual", "baseline", "baseline_year",
           "comment", "dimension", "dimension_value"]
DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:T[\d:.]+)?(?:Z|[+-]\d{2}:\d{2})?\s*$")
# IATI values are xsd:decimal, yet publishers write thousands separators ("1,300.00", "61,199"): a
# value of this exact shape is a plain number (a decimal comma such as "12,5" is left to be refused)
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?$")
JOIN = " × "  # a combined breakdown: `sex × age` = `female × 20-29`
RB = "{%s}" % codes.RB_NAMESPACE


class Paths:
    """Each element's path as lxml's `getpath` writes it (`/iati-activities/iati-activity[3]/result[2]`),
    built once per parent and tag from those siblings alone: `getpath` counts siblings on every
    call, which over the rows of a file of hundreds of activities cost more than reading it."""

    def __init__(self):
        self._known: dict = {}

    def __call__(self, el) -> str:
        found = self._known.get(el)
        if found is not None:
            return found
        parent, tag = el.getparent(), el.tag
        if parent is None or not isinstance(tag, str) or tag.startswith("{"):
            return el.getroottree().getpath(el)
        base = self(parent)
        same = list(parent.iterchildren(tag))
        if len(same) == 1:
            self._known[el] = f"{base}/{tag}"
        else:
            self._known.update((child, f"{base}/{tag}[{n}]") for n, child in enumerate(same, start=1))
        return self._known[el]


def narrative(el, child: str | None = None) -> str:
    """The first narrative's text (of `child`, when given); '' when none."""
    holder = el.find(child) if child else el
    if holder is None:
        return ""
    for n in holder.iterchildren("narrative"):
        if (n.text or "").strip():
            return " ".join(n.text.split())
    return ""


def plain(text: str) -> str:
    """A value without its thousands separators when it has that exact shape ("1,300.00" -> "1300.00")."""
    return text.replace(",", "") if THOUSANDS.match(text) else text


def _number(text: str) -> bool:
    try:
        return math.isfinite(float(plain(text.strip()).rstrip("%")))
    except ValueError:
        return False


class IatiRows:
    """Collects one file's results (`activity` per iati-activity), then `tables`."""

    def __init__(self, file: str, iati_map: dict[str, str]):
        self.file = file
        self.map = iati_map
        self.issues: list[Issue] = []
        self.results: list[dict] = []  # one per result element
        self.indicators: list[dict] = []  # one per indicator element
        self.baselines_seen = 0
        self.paths: dict[int, dict[str, str]] = {}
        self._path = Paths()
        self._row = 1
        self._separated: list = []  # value elements whose thousands separators were dropped
        self._redated: list = []  # baselines whose year was taken from their iso-date

    def issue(self, el, check: str, value: str, message: str, severity: str = ERROR, row: int = 0, column: str = "") -> None:
        self.issues.append(Issue(row, column, check, str(value), f"{message} (element {self._path(el)})", severity, self.file))

    def _next(self, el, **columns) -> int:
        self._row += 1
        self.paths[self._row] = {"": self._path(el), **{c: self._path(e) for c, e in columns.items() if e is not None}}
        return self._row

    # --- pass 1: what the file holds -----------------------------------------------------

    def activity(self, act) -> None:
        ident = (act.findtext("iati-identifier") or "").strip()
        if not ident:
            self.issue(act, "missing-cell", "", "an iati-activity without an iati-identifier cannot be mapped; "
                                                "give every activity its identifier")
            return
        partner = self.map.get(ident.lower(), "")
        for r_pos, res in enumerate(act.iterchildren("result"), start=1):
            rtype = (res.get("type") or "").strip()
            level = codes.LEVEL_FROM_RESULT_TYPE.get(rtype)
            if level is None:
                self.issue(res, "type-error", rtype, f"result type '{rtype}' is not an IATI ResultType code "
                                                     "(1 output, 2 outcome, 3 impact, 9 other)")
                continue
            own = [r.get("code", "").strip() for r in res.iterchildren("reference") if r.get("vocabulary") == codes.OWN_VOCABULARY]
            result = {"el": res, "ident": ident, "pos": r_pos, "level": level, "own": own[0] if own and own[0] else None,
                      "title": narrative(res, "title") or f"{ident} result {r_pos}"}
            self.results.append(result)
            for i_pos, ind in enumerate(res.iterchildren("indicator"), start=1):
                self._indicator(result, ind, i_pos, partner)
            if res.find("indicator") is None:
                self.issue(res, "missing-cell", "", "a result without an indicator holds no values; it was not imported",
                           WARNING)

    def _indicator(self, result: dict, ind, i_pos: int, partner: str) -> None:
        refs = [(r.get("vocabulary", "").strip(), r.get("code", "").strip()) for r in ind.iterchildren("reference")]
        own = [c for v, c in refs if v == codes.OWN_VOCABULARY and c]
        others = [f"vocabulary {v} code {c}" for v, c in refs if not (v == codes.OWN_VOCABULARY and c == (own[0] if own else None))]
        description = narrative(ind, "description")
        if others:
            description = (description + " " if description else "") + "Other references: " + "; ".join(others) + "."
        definition = ind.find(RB + "definition")
        self.baselines_seen += len(ind.findall("baseline"))
        self.indicators.append({
            "el": ind, "result": result, "pos": i_pos, "partner": partner, "own": own[0] if own else None,
            "title": narrative(ind, "title"), "measure": (ind.get("measure") or "").strip(),
            "ascending": (ind.get("ascending") or "").strip(), "description": description,
            "definition": dict(definition.attrib) if definition is not None else {},
        })

    # --- pass 2: codes, measures, rows ---------------------------------------------------

    def _codes(self) -> None:
        """Keep a vocabulary-99 code where it names one thing in the file (README, "IATI")."""
        by_result: dict[str, set] = {}
        for r in self.results:
            if r["own"]:
                by_result.setdefault(r["own"].lower(), set()).add((r["title"].lower(), r["level"]))
        for r in self.results:
            keep = r["own"] and len(by_result[r["own"].lower()]) == 1
            r["code"] = r["own"] if keep else f"{r['ident']}/{r['pos']}"
        by_ind: dict[str, list] = {}
        for i in self.indicators:
            if i["own"]:
                by_ind.setdefault(i["own"].lower(), []).append(i)
        for i in self.indicators:
            same = by_ind.get(i["own"].lower(), []) if i["own"] else []
            unique = same and len({(x["title"].lower(), x["measure"], x["result"]["level"]) for x in same}) == 1 \
                and len({x["partner"].lower() for x in same}) == len(same)
            i["code"] = i["own"] if unique else f"{i['result']['ident']}/{i['result']['pos']}/{i['pos']}"

    def tables(self, make) -> list:
        self._codes()
        framework, indicators, results = [], [], []
        seen_results: set[str] = set()
        with_indicator = {id(i["result"]) for i in self.indicators}
        for r in self.results:
            if r["code"].lower() not in seen_results and id(r) in with_indicator:
                seen_results.add(r["code"].lower())
                framework.append((self._next(r["el"]), {"code": r["code"], "title": r["title"], "level": r["level"]}))
        groups: dict[str, list] = {}
        for i in self.indicators:
            groups.setdefault(i["code"].lower(), []).append(i)
        for members in groups.values():
            measure, scale = self._measure(members)
            first = members[0]
            row = self._next(first["el"])
            indicators.append((row, self._definition(first, measure, scale, row)))
            for i in members:
                results += self._values(i, measure)
        bare = [i["el"] for i in self.indicators if i["el"].find("baseline") is None and i["el"].find("period") is None]
        if bare:
            self.issue(bare[0], "missing-cell", "", f"{len(bare)} indicator(s) carry no baseline and no period: imported "
                                                    "as definitions without values", WARNING)
        if self._redated:
            el, year, iso = self._redated[0]
            self.issue(el, "type-error", year, f"{len(self._redated)} baseline(s) with a year other than their iso-date's: "
                                               f"the iso-date's year was used, e.g. {iso[:4]} for year '{year}' beside "
                                               f"iso-date {iso}", WARNING)
        if self._separated:
            el, raw, number = self._separated[0]
            self.issue(el, "type-error", raw, f"{len(self._separated)} value(s) written with thousands separators were read as "
                                              f"plain numbers, e.g. '{raw}' as {number}", WARNING)
        if any(i.severity == ERROR for i in self.issues):  # what cannot be read refuses the file, element named
            return [make(file=self.file, kind=None, frame=pd.DataFrame(index=pd.Index([], name="row")),
                         issues=self.issues, paths=self.paths)]
        out = []
        for kind, columns, rows in (("framework", FRAMEWORK, framework), ("indicators", INDICATORS, indicators),
                                    ("results", RESULTS, results)):
            if rows:
                frame = pd.DataFrame([r for _n, r in rows], columns=columns, index=pd.Index([n for n, _r in rows], name="row"),
                                     dtype=object)
                out.append(make(file=self.file, kind=kind, frame=frame.fillna("").astype(str), paths=self.paths))
        if out:
            out[0].issues = self.issues
        else:
            out.append(make(file=self.file, kind=None, frame=pd.DataFrame(index=pd.Index([], name="row")),
                            issues=self.issues, paths=self.paths))
        return out

    def _raw_values(self, members: list) -> list[str]:
        return [x.get("value").strip() for i in members for x in i["el"].iter("baseline", "target", "actual")
                if (x.get("value") or "").strip()]

    def _measure(self, members: list) -> tuple[str, tuple[str, str] | None]:
        """The indicator's measure (IATI code translated; missing or text-only: inferred) and an ordinal's scale."""
        first = members[0]
        raw = first["measure"]
        values = self._raw_values(members)
        numbers = [float(plain(v).rstrip("%")) for v in values if _number(v)]
        if not raw:
            measure = "unit" if numbers or not values else "qualitative"
            self.issue(first["el"], "missing-cell", "", f"indicator without a measure: read as {measure} from its values",
                       WARNING)
        elif raw not in codes.MEASURE_FROM_CODE:
            return raw, None  # refused by the indicators check, naming the allowed measures
        else:
            measure = codes.MEASURE_FROM_CODE[raw]
            if measure != "qualitative" and values and not numbers:
                self.issue(first["el"], "type-error", raw, f"measure {raw} but every value is text: read as qualitative",
                           WARNING)
                measure = "qualitative"
        scale = None
        if measure == "ordinal":
            d = first["definition"]
            if d.get("scale-min") and d.get("scale-max"):
                scale = (d["scale-min"], d["scale-max"])
            else:
                lo, hi = (math.floor(min(numbers)), math.ceil(max(numbers))) if numbers else (1, 5)
                hi = hi if hi > lo else lo + 1
                scale = (str(lo), str(hi))
                self.issue(first["el"], "missing-cell", "", f"an ordinal indicator carries no scale in IATI: scale set "
                                                            f"to {lo}–{hi} from its values; correct it with an indicators upload",
                           WARNING)
        return measure, scale

    def _definition(self, i: dict, measure: str, scale, row: int) -> dict:
        d = i["definition"]
        name = i["title"]
        if not name:
            name = i["code"]
            self.issue(i["el"], "missing-cell", "", f"indicator without a title: named {name}", WARNING, row, "name")
        ascending = {"1": "true", "true": "true", "0": "false", "false": "false", "": "true"}.get(i["ascending"].lower(),
                                                                                                 i["ascending"])
        return {"code": i["code"], "name": name, "level": i["result"]["level"], "measure": measure,
                "ascending": ascending, "result": i["result"]["code"], "description": i["description"],
                "unit": d.get("unit", ""), "scale_min": scale[0] if scale else "", "scale_max": scale[1] if scale else "",
                "frequency": d.get("frequency", ""), "aggregation": d.get("aggregation", ""),
                "cumulative": d.get("cumulative", ""), "key_factor": d.get("key-factor", "")}

    def _dims(self, el, row_el) -> tuple[str, str]:
        names, values = [], []
        for d in el.iterchildren("dimension"):
            n, v = (d.get("name") or "").strip(), (d.get("value") or "").strip()
            if not n or not v:
                self.issue(d, "missing-cell", n or v, "a dimension needs both a name and a value")
                continue
            names.append(n)
            values.append(v)
        return JOIN.join(names), JOIN.join(values)

    def _text_and_comment(self, el, qualitative: bool) -> tuple[str, str]:
        value = (el.get("value") or "").strip()
        comment = narrative(el, "comment")
        ours = " ".join((el.findtext(RB + "comment") or "").split())
        if qualitative:
            return (value, comment or ours) if value else (comment, ours)
        if value != (number := plain(value)):
            self._separated.append((el, value, number))
            value = number
        return value, comment or ours

    def _values(self, i: dict, measure: str) -> list[tuple[int, dict]]:
        qualitative = measure == "qualitative"
        base = {"indicator": i["code"], "partner": i["partner"]}
        rows = []
        for b in i["el"].iterchildren("baseline"):
            value, comment = self._text_and_comment(b, qualitative)
            if not value:
                self.issue(b, "missing-cell", "", "a baseline without a value was not imported", WARNING)
                continue
            dim, dim_value = self._dims(b, b)
            year = (b.get("year") or "").strip()
            dated = DATE.match(b.get("iso-date") or "")
            if dated and year != dated.group(1)[:4]:  # CAF's placeholder year="1900" beside the real iso-date
                self._redated.append((b, year, dated.group(1)))
                year = dated.group(1)[:4]
            rows.append((self._next(b), {**base, "baseline": value, "baseline_year": year,
                                         "comment": comment, "dimension": dim, "dimension_value": dim_value}))
        for p in i["el"].iterchildren("period"):
            start_el, end_el = p.find("period-start"), p.find("period-end")
            start, end = self._date(start_el), self._date(end_el)
            open_rows: dict[tuple, tuple[int, dict]] = {}
            made: list[tuple[int, dict]] = []
            last: dict[int, object] = {}  # row -> the last target/actual element read into it
            for tag in ("target", "actual"):
                for el in p.iterchildren(tag):
                    value, comment = self._text_and_comment(el, qualitative)
                    key = self._dims(el, el)
                    found = open_rows.get(key)
                    if found is None or found[1][tag] != "" or (tag == "target" and found[1]["actual"] != ""):
                        row = self._next(p, period_start=start_el, period_end=end_el)
                        found = (row, {**base, "period_start": start, "period_end": end, "target": "", "actual": "",
                                       "comment": "", "dimension": key[0], "dimension_value": key[1]})
                        open_rows[key] = found
                        made.append(found)
                    self.paths[found[0]][tag] = self._path(el)
                    last[found[0]] = el
                    found[1][tag] = value
                    if comment and comment not in found[1]["comment"]:
                        found[1]["comment"] = f"{found[1]['comment']} / {comment}" if found[1]["comment"] else comment
            kept = [r for r in made if r[1]["target"] or r[1]["actual"] or r[1]["comment"]]
            if not kept:  # nothing to store: say so at the period, not as an anonymous blank row
                self.issue(p, "missing-cell", "", "a period without a target or actual value was not imported", WARNING)
            else:
                for n, _r in made:
                    if all(n != k for k, _ in kept):
                        what = "an actual" if last[n].tag == "actual" else "a target"
                        self.issue(last[n], "missing-cell", "", f"{what} without a value was not imported", WARNING)
            rows += kept
        return rows

    @staticmethod
    def _date(el) -> str:
        raw = (el.get("iso-date") or "") if el is not None else ""
        m = DATE.match(raw)
        return m.group(1) if m else raw.strip()

"""IATI `result` elements as framework, indicators and results rows (strings, one row
number each, with the path of the element each cell came from). See `models.iati.reading`."""
from __future__ import annotations

import math
import re

import pandas as pd
from lxml import etree

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


def narrative(el, child: str | None = None, lang: str = "") -> str:
    """The text of the narrative (of `child`, when given) in the activity's language `lang` — one
    without `xml:lang` is in that language — else the first with text; '' when none."""
    holder = el.find(child) if child else el
    if holder is None:
        return ""
    first = ""
    for n in holder.iterchildren("narrative"):
        text = " ".join("".join(n.itertext()).split())  # text around an extension's element too
        if not text:
            continue
        if (n.get(codes.XML_LANG) or lang).strip().lower() == lang:
            return text
        first = first or text
    return first


def _results_bytes(act) -> bytes:
    return b"".join(etree.tostring(r, with_tail=False) for r in act.iterchildren("result"))


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

    def __init__(self, file: str, iati_map: dict[str, str], lang: str = ""):
        self.file = file
        self.map = iati_map
        self.lang = lang.strip().lower()  # the file's default language (iati-activities/@xml:lang)
        self._pending: list[tuple] = []  # issues, their element paths taken once the whole file is read
        self._issues: list[Issue] = []
        self.results: list[dict] = []  # one per result element
        self.indicators: list[dict] = []  # one per indicator element
        # the elements read, as the XML holds them (README, "IATI": the counts a dry run is checked against)
        self.counts = dict.fromkeys(("iati-activity", "result", "indicator", "baseline", "period", "target", "actual"), 0)
        self.paths: dict[int, dict[str, str]] = {}
        self._path = Paths()
        self._row = 1
        self._separated: list = []  # value elements whose thousands separators were dropped
        self._redated: list = []  # baselines whose year was taken from their iso-date
        self._repeated: list = []  # (element, first element) read once: the same value and breakdown twice
        self._untyped: list = []  # results without a type, read as "other"
        self._activities: dict[str, object] = {}  # identifier (lower case) -> its first iati-activity

    def issue(self, el, check: str, value: str, message: str, severity: str = ERROR, row: int = 0, column: str = "",
              also=None) -> None:
        """An issue about `el` (and `also`, named where the message says `{also}`); the paths are
        written when the issues are read, after the whole file: an activity's position among its
        siblings is known only then."""
        self._pending.append((el, check, str(value), message, severity, row, column, also))

    @property
    def issues(self) -> list[Issue]:
        for el, check, value, message, severity, row, column, also in self._pending:
            if also is not None:
                message = message.replace("{also}", self._path(also))
            self._issues.append(Issue(row, column, check, value, f"{message} (element {self._path(el)})", severity,
                                      self.file))
        self._pending.clear()
        return self._issues

    def has_errors(self) -> bool:
        return any(p[4] == ERROR for p in self._pending) or any(i.severity == ERROR for i in self._issues)

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
        first = self._activities.get(ident.lower())
        if first is not None:  # IATI: an identifier names one activity
            if _results_bytes(first) == _results_bytes(act):
                self.issue(act, "duplicate-key", ident, f"a second iati-activity {ident} with the same results as "
                                                        "{also}; its results were read once", WARNING, also=first)
            else:
                self.issue(act, "duplicate-key", ident, f"the iati-identifier {ident} is also that of {{also}}, "
                                                        "with other results; an identifier names one activity",
                           also=first)
            return
        self._activities[ident.lower()] = act
        self.counts["iati-activity"] += 1
        lang = (act.get(codes.XML_LANG) or self.lang).strip().lower()
        partner = self.map.get(ident.lower(), "")
        for r_pos, res in enumerate(act.iterchildren("result"), start=1):
            rtype = (res.get("type") or "").strip()
            level = codes.LEVEL_FROM_RESULT_TYPE.get(rtype)
            if not rtype:  # the schema requires a type; without one, the result is neither output nor outcome
                level = "other"
                self._untyped.append(res)
            elif level is None:
                self.issue(res, "type-error", rtype, f"result type '{rtype}' is not an IATI ResultType code "
                                                     "(1 output, 2 outcome, 3 impact, 9 other)")
                continue
            own = [(r.get("code") or "").strip() for r in res.iterchildren("reference")
                   if (r.get("vocabulary") or "").strip() == codes.OWN_VOCABULARY]
            result = {"el": res, "ident": ident, "pos": r_pos, "level": level, "own": own[0] if own and own[0] else None,
                      "title": narrative(res, "title", lang) or narrative(res, "description", lang)
                      or f"{ident} result {r_pos}"}
            self.results.append(result)
            self.counts["result"] += 1
            for i_pos, ind in enumerate(res.iterchildren("indicator"), start=1):
                self._indicator(result, ind, i_pos, partner, lang)
            if res.find("indicator") is None:
                self.issue(res, "missing-cell", "", "a result without an indicator holds no values; it was not imported",
                           WARNING)

    def _indicator(self, result: dict, ind, i_pos: int, partner: str, lang: str) -> None:
        refs = [((r.get("vocabulary") or "").strip(), (r.get("code") or "").strip()) for r in ind.iterchildren("reference")]
        own = [c for v, c in refs if v == codes.OWN_VOCABULARY and c]
        others = [f"vocabulary {v} code {c}" if v else f"code {c}" for v, c in refs
                  if c and not (v == codes.OWN_VOCABULARY and c == (own[0] if own else None))]
        description = narrative(ind, "description", lang)
        if others:
            description = (description + " " if description else "") + "Other references: " + "; ".join(others) + "."
        definition = ind.find(RB + "definition")
        for tag in ("baseline", "period"):
            self.counts[tag] += sum(1 for _ in ind.iterchildren(tag))
        for tag in ("target", "actual"):
            self.counts[tag] += sum(1 for _ in ind.iterfind(f"period/{tag}"))
        self.counts["indicator"] += 1
        self.indicators.append({
            "el": ind, "result": result, "pos": i_pos, "partner": partner, "own": own[0] if own else None,
            "lang": lang, "order": {}, "spelling": {},  # breakdowns' names: order and spelling as first met here
            "title": narrative(ind, "title", lang), "measure": (ind.get("measure") or "").strip(),
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
        if self._untyped:
            self.issue(self._untyped[0], "missing-cell", "", f"{len(self._untyped)} result(s) without a type (1 output, "
                                                             "2 outcome, 3 impact, 9 other) were read as other", WARNING)
        if self._repeated:
            el, first = self._repeated[0]
            self.issue(el, "duplicate-key", el.get("value") or "", f"{len(self._repeated)} value(s) repeated with the same "
                                                                   f"breakdown were read once, e.g. the one beside "
                                                                   f"{self._path(first)}", WARNING)
        if self._separated:
            el, raw, number = self._separated[0]
            self.issue(el, "type-error", raw, f"{len(self._separated)} value(s) written with thousands separators were read as "
                                              f"plain numbers, e.g. '{raw}' as {number}", WARNING)
        if any(i.severity == ERROR for i in self.issues):  # what cannot be read refuses the file, element named
            return [make(file=self.file, kind=None, frame=pd.DataFrame(index=pd.Index([], name="row")),
                         issues=self.issues, paths=self.paths, counts=self.counts)]
        out = []
        for kind, columns, rows in (("framework", FRAMEWORK, framework), ("indicators", INDICATORS, indicators),
                                    ("results", RESULTS, results)):
            if rows:
                frame = pd.DataFrame([r for _n, r in rows], columns=columns, index=pd.Index([n for n, _r in rows], name="row"),
                                     dtype=object)
                out.append(make(file=self.file, kind=kind, frame=frame.fillna("").astype(str), paths=self.paths,
                                counts=self.counts))
        if out:
            out[0].issues = self.issues
        else:
            out.append(make(file=self.file, kind=None, frame=pd.DataFrame(index=pd.Index([], name="row")),
                            issues=self.issues, paths=self.paths, counts=self.counts))
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
            if raw == "3":  # nominal: named categories, which Resultsboard keeps as texts
                self.issue(first["el"], "type-error", raw, "measure 3 (nominal) read as qualitative: its values are "
                                                           "kept as texts", WARNING)
            elif measure != "qualitative" and values and not numbers:
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
            name = narrative(i["el"], "description", i["lang"]) or i["code"]
            how = "after its description" if name != i["code"] else name
            self.issue(i["el"], "missing-cell", "", f"indicator without a title: named {how}", WARNING, row, "name")
        ascending = {"1": "true", "true": "true", "0": "false", "false": "false", "": "true"}.get(i["ascending"].lower(),
                                                                                                 i["ascending"])
        return {"code": i["code"], "name": name, "level": i["result"]["level"], "measure": measure,
                "ascending": ascending, "result": i["result"]["code"], "description": i["description"],
                "unit": d.get("unit", ""), "scale_min": scale[0] if scale else "", "scale_max": scale[1] if scale else "",
                "frequency": d.get("frequency", ""), "aggregation": d.get("aggregation", ""),
                "cumulative": d.get("cumulative", ""), "key_factor": d.get("key-factor", "")}

    def _breakdown(self, i: dict, el) -> tuple[str, str]:
        """A value's breakdown: its `dimension`s and `location`s (by ref) as one combined breakdown
        (`sex × location` = `female × KE-NBO`). IATI's dimensions are unordered: the names keep the
        order (and spelling: case aside, the same) in which this indicator first gave them, so
        `age, sex` and `sex, age` are one breakdown; several locations on one value are one place
        (`L1 + L2`)."""
        pairs: dict[str, list[str]] = {}
        for d in el.iterchildren("dimension", "location"):
            if d.tag == "location":
                n, v = "location", (d.get("ref") or "").strip()
                if not v:
                    self.issue(d, "missing-cell", "", "a location inside a value needs the ref of one of the "
                                                      "activity's locations")
                    continue
            else:
                n, v = (d.get("name") or "").strip(), (d.get("value") or "").strip()
                if not n or not v:
                    self.issue(d, "missing-cell", n or v, "a dimension needs both a name and a value")
                    continue
            # spelt as this indicator first spelt them: `Sex`/`FEMALE` and `sex`/`female` are one breakdown
            n = i["spelling"].setdefault(n.lower(), n)
            v = i["spelling"].setdefault((n, v.lower()), v)
            if v not in pairs.setdefault(n, []):
                pairs[n].append(v)
        if not pairs:
            return "", ""
        names = i["order"].setdefault(tuple(sorted(pairs)), tuple(pairs))
        return JOIN.join(names), JOIN.join(" + ".join(sorted(pairs[n], key=str.lower)) for n in names)

    def _text_and_comment(self, el, qualitative: bool, lang: str) -> tuple[str, str]:
        value = (el.get("value") or "").strip()
        comment = narrative(el, "comment", lang)
        ours = " ".join((el.findtext(RB + "comment") or "").split())
        if qualitative:
            return (value, comment or ours) if value else (comment, ours)
        if value != (number := plain(value)):
            self._separated.append((el, value, number))
            value = number
        return value, comment or ours

    def _once(self, seen: dict, key: tuple, el, content: tuple, what: str) -> bool:
        """Whether `el` is the first value of its kind and breakdown here; the same value twice is read
        once (one warning for the file), two different values are refused, both elements named."""
        first = seen.get(key)
        if first is None:
            seen[key] = (el, content)
            return True
        if first[1] == content:
            self._repeated.append((el, first[0]))
        else:
            where = f" for {key[-1][0]} = {key[-1][1]}" if key[-1][0] else ""
            self.issue(el, "duplicate-key", content[0], f"a second {what}{where} beside {self._path(first[0])} "
                                                        f"('{first[1][0]}' there, '{content[0]}' here); IATI tells "
                                                        "the values of one period apart by dimension or location")
        return False

    def _values(self, i: dict, measure: str) -> list[tuple[int, dict]]:
        qualitative = measure == "qualitative"
        base = {"indicator": i["code"], "partner": i["partner"]}
        rows = []
        seen: dict = {}
        for b in i["el"].iterchildren("baseline"):
            value, comment = self._text_and_comment(b, qualitative, i["lang"])
            if not value:
                self.issue(b, "missing-cell", "", "a baseline without a value was not imported", WARNING)
                continue
            dim, dim_value = self._breakdown(i, b)
            year = (b.get("year") or "").strip()
            dated = DATE.match(b.get("iso-date") or "")
            if dated and year != dated.group(1)[:4]:  # CAF's placeholder year="1900" beside the real iso-date
                if year:
                    self._redated.append((b, year, dated.group(1)))
                year = dated.group(1)[:4]
            if self._once(seen, ("baseline", year, (dim, dim_value)), b, (value, comment), f"baseline of {year}"):
                rows.append((self._next(b), {**base, "baseline": value, "baseline_year": year,
                                             "comment": comment, "dimension": dim, "dimension_value": dim_value}))
        # one row per period and breakdown: a target and an actual with the same breakdown, and two
        # period elements with the same dates (a publisher writing targets and actuals apart), meet in it
        open_rows: dict[tuple, tuple[int, dict]] = {}
        empty: list = []  # (element, row key) of this period's targets and actuals with neither value nor comment
        seen = {}
        for p in i["el"].iterchildren("period"):
            start_el, end_el = p.find("period-start"), p.find("period-end")
            start, end = self._date(start_el), self._date(end_el)
            for tag, el, date in (("period-start", start_el, start), ("period-end", end_el, end)):
                if not date:
                    self.issue(p if el is None else el, "missing-cell", "", f"a period needs its {tag} "
                               "with an iso-date; its values cannot be placed in time")
            read = False
            for tag in ("target", "actual"):
                for el in p.iterchildren(tag):
                    value, comment = self._text_and_comment(el, qualitative, i["lang"])
                    key = (start, end, self._breakdown(i, el))
                    if not value and not comment:
                        empty.append((el, key))
                        continue
                    read = True
                    if not self._once(seen, (tag, *key), el, (value, comment), tag):
                        continue
                    found = open_rows.get(key)
                    if found is None:
                        row = self._next(p, period_start=start_el, period_end=end_el)
                        found = (row, {**base, "period_start": start, "period_end": end, "target": "", "actual": "",
                                       "comment": "", "dimension": key[2][0], "dimension_value": key[2][1]})
                        open_rows[key] = found
                        rows.append(found)
                    self.paths[found[0]][tag] = self._path(el)
                    found[1][tag] = value
                    if comment and comment not in found[1]["comment"]:
                        found[1]["comment"] = f"{found[1]['comment']} / {comment}" if found[1]["comment"] else comment
            if not read:  # nothing to store: say so at the period, not as an anonymous blank row
                self.issue(p, "missing-cell", "", "a period without a target or actual value was not imported", WARNING)
            else:
                for el, key in empty:
                    if key not in open_rows:
                        self.issue(el, "missing-cell", "", f"{'an actual' if el.tag == 'actual' else 'a target'} "
                                                           "without a value was not imported", WARNING)
            empty.clear()
        return rows

    @staticmethod
    def _date(el) -> str:
        raw = (el.get("iso-date") or "") if el is not None else ""
        m = DATE.match(raw)
        return m.group(1) if m else raw.strip()

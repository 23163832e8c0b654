"""Counts of a generated IATI file: ~300 activities and a few thousand periods of mixed shapes
(result types, hierarchy, measures and none, several baselines, targets and actuals by dimension —
in either order — and location, comments in two languages, empty periods and values, the same
value repeated, publishers' extension elements, transactions and budgets). The expected counts
are computed here with the standard library's ElementTree from IATI's own rules, independently
of the reader, and compared with what the reader hands over, the dry run's counts, and the rows
stored."""
from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from helpers import baselines_stored, import_bytes, values_stored
from models.iati.reading import read_iati

EXT = "https://example.org/ext"


def generate(seed: int, activities: int = 300) -> bytes:
    rnd = random.Random(seed)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           f'<iati-activities version="2.03" xml:lang="en" xmlns:ext="{EXT}">']

    def ext() -> str:
        return '<ext:note code="1">publisher note</ext:note>' if rnd.random() < 0.15 else ""

    def numbers(measure: str | None) -> str:
        return str(rnd.randint(0, 100)) if measure == "2" else str(rnd.randint(0, 5000))

    def value(tag: str, measure: str | None, body: str = "") -> str:
        """A target or actual (or baseline) with a value; a qualitative one sometimes as a comment only."""
        note = (f'<comment><narrative xml:lang="fr">note {rnd.randint(1, 9)}</narrative>'
                f'<narrative>note {rnd.randint(1, 9)}</narrative></comment>' if rnd.random() < 0.3 else "")
        if measure == "5":
            if rnd.random() < 0.5:
                return f'<{tag}>{body}<comment><narrative>status {rnd.randint(1, 9)}</narrative></comment></{tag}>'
            return f'<{tag} value="{rnd.choice(["on track", "delayed", "done"])}">{body}{note}</{tag}>'
        return f'<{tag} value="{numbers(measure)}">{body}{note}{ext()}</{tag}>'

    def breakdowns() -> list[str]:
        shapes = [[""], ["", '<dimension name="sex" value="female"/>', '<dimension name="sex" value="male"/>'],
                  ['<location ref="L1"/>', '<location ref="L2"/>'],
                  ['<dimension name="sex" value="female"/><dimension name="age" value="15-24"/>']]
        return rnd.choice(shapes)

    def shuffled(body: str) -> str:
        """Dimensions in a random order (IATI's are unordered)."""
        dims = body.replace("/><", "/>\n<").split("\n") if body else []
        rnd.shuffle(dims)
        return "".join(dims)

    def period(year: int, measure: str | None) -> str:
        body = f'<period-start iso-date="{year}-01-01{rnd.choice(["", "Z", "T00:00:00"])}"/>' \
               f'<period-end iso-date="{year}-12-31"/>'
        shape = rnd.random()
        if shape < 0.08:
            return f"<period>{body}</period>"  # nothing reported
        if shape < 0.14:
            return f'<period>{body}<target value=""/><actual/></period>'  # only empty values
        parts = []
        for b in breakdowns():
            if rnd.random() < 0.8:
                parts.append(("target", value("target", measure, shuffled(b))))
            if rnd.random() < 0.7:
                actual = value("actual", measure, shuffled(b))
                parts.append(("actual", actual))
                if rnd.random() < 0.05:
                    parts.append(("actual", actual))  # the same actual twice: read once
            elif rnd.random() < 0.3:
                parts.append(("actual", f"<actual>{b}</actual>"))  # an actual without a value
        parts.sort(key=lambda p: p[0] != "target")  # targets before actuals, as the schema orders them
        if rnd.random() < 0.1:  # targets and actuals in two period elements of the same dates
            return "".join(f"<period>{body}{''.join(p for t, p in parts if t == tag)}</period>" for tag in ("target", "actual"))
        return f"<period>{body}{''.join(p for _t, p in parts)}{ext()}</period>"

    for a in range(activities):
        out.append(f'<iati-activity hierarchy="{rnd.choice("12")}"><iati-identifier>XM-GEN-{a}</iati-identifier>')
        out.append(f'<title><narrative>Activity {a}</narrative></title>')
        out += ['<transaction><transaction-type code="3"/><value currency="EUR">1000</value></transaction>'] * rnd.randint(0, 4)
        for _r in range(rnd.choice([0, 1, 1, 2, 3])):
            rtype = rnd.choice(["1", "2", "3", "9"])
            out.append(f'<result type="{rtype}" aggregation-status="{rnd.choice("01")}"><title>'
                       f'<narrative xml:lang="es">Resultado</narrative><narrative>Result {a}</narrative></title>{ext()}')
            for _i in range(rnd.choice([0, 1, 1, 2, 3])):
                measure = rnd.choice(["1", "1", "2", "5", None])
                m = f' measure="{measure}"' if measure else ""
                out.append(f'<indicator{m} ascending="{rnd.choice(["1", "0", "true"])}"><title><narrative>Indicator'
                           f'</narrative></title>')
                for k, b in enumerate(rnd.choice([[], [""], ["", '<dimension name="sex" value="female"/>'],
                                                  ['<location ref="L1"/>', '<location ref="L2"/>']])):
                    year = 2015 + k if rnd.random() < 0.5 else 2015
                    out.append(value("baseline", measure, b).replace("<baseline", f'<baseline year="{year}"', 1))
                first = rnd.randint(2016, 2020)
                out += [period(y, measure) for y in range(first, first + rnd.randint(0, 8))]
                out.append("</indicator>")
            out.append("</result>")
        out.append("</iati-activity>")
    out.append("</iati-activities>")
    return "".join(out).encode()


def expected(data: bytes) -> dict[str, int]:
    """What the file holds, by IATI's rules: a result with indicators is a framework entry; each
    indicator a definition; each baseline with a value (or, qualitative, a comment) a baseline of
    its year and breakdown; each period one row per breakdown (its dimensions as a set, its
    locations as a set) that has a target or actual with a value or comment — one row however many
    period elements carry those dates."""
    root = ET.fromstring(data)

    def content(el) -> bool:
        return bool((el.get("value") or "").strip()) or any((n.text or "").strip() for n in el.iterfind("comment/narrative"))

    def key(el) -> tuple:
        return (frozenset((d.get("name"), d.get("value")) for d in el.iterfind("dimension")),
                frozenset(loc.get("ref") for loc in el.iterfind("location")))

    counts = {"framework": 0, "indicators": 0, "baselines": 0, "periods": 0, "period rows": 0, "empty periods": 0,
              "elements": {tag: len(root.findall(path)) for tag, path in (
                  ("iati-activity", "iati-activity"), ("result", "iati-activity/result"),
                  ("indicator", "iati-activity/result/indicator"), ("baseline", "iati-activity/result/indicator/baseline"),
                  ("period", "iati-activity/result/indicator/period"),
                  ("target", "iati-activity/result/indicator/period/target"),
                  ("actual", "iati-activity/result/indicator/period/actual"))}}
    for res in root.iterfind("iati-activity/result"):
        indicators = res.findall("indicator")
        counts["framework"] += bool(indicators)
        counts["indicators"] += len(indicators)
        for ind in indicators:
            counts["baselines"] += len({(b.get("year"), key(b)) for b in ind.iterfind("baseline") if content(b)})
            rows = set()
            for p in ind.iterfind("period"):
                dates = tuple(p.find(d).get("iso-date")[:10] for d in ("period-start", "period-end"))
                found = {(dates, key(v)) for v in [*p.iterfind("target"), *p.iterfind("actual")] if content(v)}
                counts["periods"] += 1
                counts["empty periods"] += not found
                rows |= found
            counts["period rows"] += len(rows)
    return counts


@pytest.fixture(scope="module")
def generated() -> tuple[bytes, dict[str, int]]:
    data = generate(seed=2026)
    return data, expected(data)


def test_the_generated_file_is_of_real_size(generated):
    data, counts = generated
    root = ET.fromstring(data)
    assert len(root.findall("iati-activity")) == 300
    assert counts["periods"] > 2000 and counts["period rows"] > 2000 and counts["empty periods"] > 100
    assert counts["indicators"] > 400 and counts["baselines"] > 200


def test_reader_counts_match_the_xml(generated):
    data, counts = generated
    tables = read_iati(data, "generated.xml")
    frames = {t.kind: t.frame for t in tables if t.kind}
    issues = [i for t in tables for i in t.issues]
    assert [i for i in issues if i.severity == "error"] == []
    results = frames["results"]
    assert (len(frames["framework"]), len(frames["indicators"]), int((results["baseline"] != "").sum()),
            int((results["baseline"] == "").sum())) == (counts["framework"], counts["indicators"], counts["baselines"],
                                                        counts["period rows"])
    empty = [i for i in issues if i.message.startswith("a period without a target or actual value was not imported")]
    assert len(empty) == counts["empty periods"]
    assert all(t.counts == counts["elements"] for t in tables)


def test_dry_run_and_stored_rows_match_the_xml(engine, generated):
    data, counts = generated
    total = counts["framework"] + counts["indicators"] + counts["baselines"] + counts["period rows"]
    dry = import_bytes(engine, "generated.xml", data, dry_run=True)
    assert (dry.status, dry.created, dry.error_count) == ("dry-run", total, 0), dry.issues[:3]
    report = import_bytes(engine, "generated.xml", data)
    assert (report.status, report.created) == ("committed", total), report.issues[:3]
    assert (len(baselines_stored(engine)), len(values_stored(engine))) == (counts["baselines"], counts["period rows"])

"""An IATI activity file's results as the tables the CSV kinds produce (README, "IATI").

`read_iati` streams the XML activity by activity (no network, no entities; each activity's
transactions, budgets and other non-result children dropped once read, so memory follows the
results, not the file) and returns up to three `IatiTable`s — framework, indicators, results —
of trimmed strings, exactly like `models.reading.Table`, so the ordinary handlers check and store
them in one transaction (dry run, problems, batch and revert as for CSV). Each row remembers the
element it came from, and `locate` adds that element's path to every problem about it.
Activities go to the partner `iati_map` names (`iati_identifier,partner`), the others to
programme level. IATI 2.01, 2.02 and 2.03 are read alike (their result elements are the same,
2.03 allowing several baselines, targets and actuals); 1.0x files are refused.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pandas as pd
from lxml import etree

from models.iati.codes import XML_LANG
from models.iati.rows import IatiRows
from models.issues import ERROR, WARNING, Issue
from models.reading import Table

SNIFF = 4096


@dataclass
class IatiTable(Table):
    """A Table read from IATI XML; `paths[row][column or '']` is the element a cell came from;
    `counts` the file's elements read (activities with an identifier, read once; their results
    of a known type; indicators, baselines, periods, targets, actuals), to set beside the rows."""

    paths: dict[int, dict[str, str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def is_iati(data: bytes, filename: str = "") -> bool:
    """Whether the bytes look like an IATI activity file (or are an .xml file to refuse as one)."""
    head = data[:SNIFF]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte order mark
        head = head.decode("utf-16", "ignore").encode("utf-8")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<?xml") or b"<iati-activities" in head or filename.lower().endswith(".xml")


def read_tables(uploads, iati_map: dict[str, str] | None, read_one) -> list[Table]:
    """Every upload as tables: an IATI file as its framework, indicators and results, any
    other through `read_one` (the CSV/XLSX reader)."""
    out: list[Table] = []
    for u in uploads:
        out += read_iati(u.data, u.name, iati_map) if is_iati(u.data, u.name) else [read_one(u)]
    return out


PARSER = dict(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True, remove_pis=True,
              load_dtd=False)
# what an activity's results are read from; its other children (transactions, budgets, locations,
# documents — most of a real file) are dropped as soon as the activity has been read
KEEP = frozenset({"iati-identifier", "result"})


def read_iati(data: bytes, filename: str, iati_map: dict[str, str] | None = None) -> list[Table]:
    """The framework, indicators and results tables of one IATI file (or one table whose issues say why not)."""
    try:
        root = _root(data)
    except etree.XMLSyntaxError as exc:
        return [_refused(filename, _not_well_formed(filename, exc))]
    if root is None:
        return [_refused(filename, f"{filename} holds no XML element; export it again as IATI 2.03 activities")]
    name = etree.QName(root)
    if name.localname != "iati-activities":
        what = (" — an IATI organisation file (budgets and documents of a publisher), which holds no activity results"
                if name.localname == "iati-organisations" else "")
        return [_refused(filename, f"{filename}: the root element is <{name.localname}>, not <iati-activities>{what}; "
                                   "only IATI activity files can be imported")]
    version = (root.get("version") or "").strip()
    rows = IatiRows(filename, {k.strip().lower(): v.strip() for k, v in (iati_map or {}).items()},
                    root.get(XML_LANG) or "")
    if version and not version.startswith("2."):
        rows.issue(root, "not-iati", version, f"IATI version {version} is not supported (IATI 1.0x has no narratives "
                                              "and other result elements); export the file as IATI 2.0x", ERROR)
        return [_with_issues(filename, rows.issues)]
    try:
        for activity in iter_activities(data, rows):
            rows.activity(activity)
    except etree.XMLSyntaxError as exc:
        return [_refused(filename, _not_well_formed(filename, exc))]
    if not rows.indicators and not rows.has_errors():
        bare = [r["el"] for r in rows.results]
        found = (f" ({len(bare)} result(s) without one, e.g. element {bare[0].getroottree().getpath(bare[0])})"
                 if bare else "")
        return [_refused(filename, f"{filename} holds no result with an indicator{found}; nothing to import", "empty-file")]
    return rows.tables(IatiTable)


def _root(data: bytes):
    """The root element alone (its attributes, no children), read without parsing the file."""
    for _event, el in etree.iterparse(io.BytesIO(data), events=("start",), **PARSER):
        return el
    return None


def iter_activities(data: bytes, rows: IatiRows | None = None):
    """Each `iati-activity` of the file as soon as it has been parsed, streamed: once the caller has
    read it, its children other than its identifier and results are dropped, so the tree held is
    the file's results, not its transactions and budgets. A file whose elements sit in a default
    namespace (not IATI's: its elements have none) is read with the namespace set aside, with a
    warning (to `rows`)."""
    events = etree.iterparse(io.BytesIO(data), events=("end",), tag="{*}iati-activity", **PARSER)
    root = default = None
    for _event, act in events:
        parent = act.getparent()
        if parent is None or parent.getparent() is not None:  # an extension's own iati-activity, deeper down
            continue
        if root is None:
            root, default = parent, parent.nsmap.get(None)
            if default and rows is not None:
                rows.issue(root, "not-iati", default, f"the elements are in the namespace {default}, which IATI "
                                                      "does not use; they were read as IATI's", WARNING)
            root.tag = etree.QName(root).localname
        space = etree.QName(act).namespace
        if space != default:
            continue  # an extension's element of that name, not an activity
        if space:
            for el in act.iter():
                if isinstance(el.tag, str) and el.tag.startswith("{%s}" % space):
                    el.tag = el.tag[len(space) + 2:]
        yield act
        for child in list(act):
            if child.tag not in KEEP:
                act.remove(child)


def _not_well_formed(filename: str, exc: etree.XMLSyntaxError) -> str:
    hint = ("; the file is not in the encoding it declares (UTF-8 when it declares none): save it as UTF-8, or declare "
            "its encoding, e.g. <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
            if "encoding" in (exc.msg or "").lower() else "; export it again from its source, as IATI 2.03 activities")
    return f"{filename} is not well-formed XML ({exc.msg}, line {exc.lineno}){hint}"


def _refused(filename: str, message: str, check: str = "not-iati") -> Table:
    return _with_issues(filename, [Issue(0, "", check, filename, message, ERROR, filename)])


def _with_issues(filename: str, issues: list[Issue]) -> Table:
    frame = pd.DataFrame(index=pd.Index([], dtype="int64", name="row"))
    return IatiTable(file=filename, kind=None, frame=frame, issues=issues)


def locate(issues: list[Issue], tables: list[Table]) -> list[Issue]:
    """The issues, each about a row read from IATI XML naming the element it came from."""
    paths = {t.file: t.paths for t in tables if isinstance(t, IatiTable)}
    if not paths:
        return issues
    out = []
    for i in issues:
        where = paths.get(i.file, {}).get(i.row)
        if where and "(element " not in i.message:
            path = where.get(i.column) or where[""]
            i = Issue(i.row, i.column, i.check, i.value, f"{i.message} (element {path})", i.severity, i.file)
        out.append(i)
    return out


def read_map(data: bytes) -> dict[str, str]:
    """`iati_identifier,partner` lines (CSV, UTF-8) as {identifier: partner code}; ValueError says what is wrong."""
    import csv
    import io

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the IATI map is not UTF-8 text; save it as CSV UTF-8") from None
    records = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not records:
        raise ValueError("the IATI map is empty; it needs the header iati_identifier,partner and one line per activity")
    header = [re.sub(r"[\s\-]+", "_", h.strip().lower()) for h in records[0]]
    if "iati_identifier" not in header or "partner" not in header:
        raise ValueError(f"the IATI map needs the columns iati_identifier and partner (found: {', '.join(header)})")
    a, p = header.index("iati_identifier"), header.index("partner")
    out: dict[str, str] = {}
    for n, r in enumerate(records[1:], start=2):
        ident = r[a].strip() if a < len(r) else ""
        if not ident:
            raise ValueError(f"the IATI map's line {n} has no iati_identifier")
        if ident.lower() in {k.lower() for k in out}:
            raise ValueError(f"the IATI map names {ident} twice (line {n}); map each activity to one partner")
        out[ident] = r[p].strip() if p < len(r) else ""
    return out


"""`resultsboard export iati`: the demo's view as IATI 2.03 activities that validate against
the official schema, with exactly the view's results, indicators, periods and baselines;
scope and filters narrow it; dates in order and codes from the codelists; a file that would
not validate is never written."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from conftest import copy_sqlite
from models.access import LOCAL_ADMIN, Scope
from models.config import Iati, load_settings
from models.db import make_engine
from models.iati import codes
from models.iati.export import build_activities, component_identifier, element_counts, export_iati, to_bytes
from models.iati.validate import problems, schema
from models.queries.filters import Filters
from models.queries.snapshot import load_snapshot, view
from models.tables import PROGRAMME_PARTNER_CODE

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=timezone.utc)
CFG = Iati()
SCOPES = {
    "admin": LOCAL_ADMIN,
    "donor CAN": Scope(email="can@example.org", role="donor", donor="CAN"),
    "donor NOR": Scope(email="nor@example.org", role="donor", donor="NOR"),
    "partner GHA": Scope(email="gha@example.org", role="partner", partner="GHA"),
    "viewer": Scope(email="v@example.org", role="viewer"),
}


@pytest.fixture(scope="module")
def demo_snapshot(demo_sqlite_file, tmp_path_factory):
    path = copy_sqlite(demo_sqlite_file, tmp_path_factory.mktemp("iati") / "demo.db")
    eng = make_engine(f"sqlite:///{path}")
    try:
        yield load_snapshot(eng)
    finally:
        eng.dispose()


def _filled(frame: pd.DataFrame, number: str, text: str) -> pd.Series:
    return frame[number].notna() | frame[text].fillna("").ne("")


def expected_counts(v) -> dict[str, int]:
    """What the view holds, counted as the IATI file must hold it."""
    vals, bases = v.values, v.baselines
    pairs = set(zip(vals["partner"], vals["indicator"])) | set(zip(bases["partner"], bases["indicator"]))
    result_of = dict(zip(v.indicators["code"], v.indicators["result"]))
    partners = set(v.partners["code"]) | {PROGRAMME_PARTNER_CODE}
    qualitative = vals["indicator"].map(dict(zip(v.indicators["code"], v.indicators["measure"]))).eq("qualitative")
    target = _filled(vals, "target", "target_text")
    actual = _filled(vals, "actual", "actual_text")
    comment = vals["comment"].fillna("").ne("")
    return {
        "iati-activity": len(v.partners) + 1,
        "result": len({(p, result_of[i]) for p, i in pairs if p in partners}),
        "indicator": len({(p, i) for p, i in pairs if p in partners}),
        "baseline": len(bases),
        "period": len(set(zip(vals["partner"], vals["indicator"], vals["period_start"], vals["period_end"]))),
        "target": int(target.sum()),
        "actual": int((actual | (comment & (qualitative | ~target))).sum()),
    }


@pytest.mark.parametrize("who", list(SCOPES))
def test_export_validates_and_counts_equal_the_view(demo_snapshot, who):
    v = view(demo_snapshot, Filters(), SCOPES[who])
    data, found, counts = export_iati(v, CFG, now=NOW)
    assert found == []
    assert schema().validate(etree.fromstring(data).getroottree())  # the written bytes, parsed again
    assert counts == expected_counts(v)
    assert counts["period"] > 0 and counts["baseline"] > 0


def test_demo_export_has_breakdowns_qualitative_text_and_references(demo_snapshot):
    root = build_activities(view(demo_snapshot, Filters(), LOCAL_ADMIN), CFG, now=NOW)
    dims = {(d.get("name"), d.get("value")) for d in root.iter("dimension")}
    assert {("sex", "women"), ("sex", "men"), ("respondent", "private sector")} <= dims
    qualitative = [i for i in root.iter("indicator") if i.get("measure") == "5"]
    assert qualitative and all(x.get("value") is None for i in qualitative for x in i.iter("baseline", "target", "actual"))
    assert "Draft action plan" in {n.text for i in qualitative for n in i.iterfind("period/target/comment/narrative")}
    refs = {r.get("code") for r in root.iterfind(".//indicator/reference") if r.get("vocabulary") == "99"}
    assert refs == set(demo_snapshot.indicators["code"])


@pytest.mark.parametrize("who, funded_by", [("admin", None), ("donor CAN", "CAN"), ("donor NOR", "NOR"),
                                             ("partner GHA", None)])
def test_scope_narrows_activities_and_funders(demo_snapshot, who, funded_by):
    full = view(demo_snapshot, Filters(), LOCAL_ADMIN)
    v = view(demo_snapshot, Filters(), SCOPES[who])
    root = build_activities(v, CFG, now=NOW)
    ids = [a.findtext("iati-identifier") for a in root.iter("iati-activity")]
    funding = full.funding
    if funded_by:
        partners = set(funding.loc[funding["donor"] == funded_by, "partner"])
    elif who == "partner GHA":
        partners = {"GHA"}
    else:
        partners = set(full.partners["code"])
    assert ids == [CFG.activity_prefix] + [component_identifier(CFG, p) for p in sorted(partners)]
    funders = {o.findtext("narrative") for o in root.iter("participating-org") if o.get("role") == "1"}
    if funded_by:
        assert funders == {dict(zip(full.donors["code"], full.donors["name"]))[funded_by]}
    assert len(root.findall("iati-activity")) < 27 or who == "admin"


def test_partner_filter_leaves_out_the_programme_level(demo_snapshot):
    v = view(demo_snapshot, Filters.from_values(partners=["GHA"]), LOCAL_ADMIN)
    root = build_activities(v, CFG, now=NOW)
    programme, gha = root.findall("iati-activity")
    assert programme.findall("result") == [] and gha.findall("result")
    assert [c.get("code") for c in gha.iter("recipient-country")] == ["GH"]
    assert element_counts(root) == expected_counts(v)


def test_dates_in_order_and_codes_from_codelists(demo_snapshot):
    root = build_activities(view(demo_snapshot, Filters(), LOCAL_ADMIN), CFG, now=NOW)
    for p in root.iter("period"):
        assert p.find("period-start").get("iso-date") <= p.find("period-end").get("iso-date")
    for a in root.iter("iati-activity"):
        dates = {d.get("type"): d.get("iso-date") for d in a.iter("activity-date")}
        assert dates.get("2", dates.get("1")) <= dates["3"]
        assert dates.get("2", "") <= NOW.date().isoformat()
        shares = [float(c.get("percentage")) for c in a.iter("recipient-country")]
        assert round(sum(shares), 2) == 100.0
    assert {i.get("measure") for i in root.iter("indicator")} == {"2", "1", "4", "5"}
    assert {r.get("type") for r in root.iter("result")} == {"1", "2", "3"}
    assert {o.get("role") for o in root.iter("participating-org")} == {"1", "2", "4"}
    assert {c.get("code") for c in root.iter("recipient-country")} <= codes.country_codes()


@pytest.mark.parametrize("breakage, where", [
    ("period end before start", "/period"),
    ("country outside the codelist", "/recipient-country"),
])
def test_problems_name_the_element_and_nothing_is_returned(demo_snapshot, breakage, where):
    v = view(demo_snapshot, Filters(), LOCAL_ADMIN)
    if breakage == "period end before start":
        values = v.values.copy()
        values.loc[values.index[0], "period_end"] = date(2000, 1, 1)
        v = replace(v, values=values)
    else:
        v = replace(v, partners=v.partners.assign(country="XXX"))
        root = build_activities(v, CFG, now=NOW)
        assert not root.findall(".//recipient-country")  # an unknown country is left out, never invented
        return
    data, found, _counts = export_iati(v, CFG, now=NOW)
    assert data is None and found
    assert all(where in p for p in found), found


def test_schema_problem_is_reported_with_its_path(demo_snapshot):
    root = build_activities(view(demo_snapshot, Filters.from_values(partners=["GHA"]), LOCAL_ADMIN), CFG, now=NOW)
    root.find("iati-activity/result/indicator").attrib.pop("measure")
    found = problems(root, today=NOW.date())
    assert any("/iati-activities/iati-activity[2]/result[1]/indicator" in p and "measure" in p for p in found), found


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def demo_url(demo_sqlite_file, tmp_path):
    return f"sqlite:///{copy_sqlite(demo_sqlite_file, tmp_path / 'demo.db')}"


def test_cli_writes_a_valid_file(run_cli, demo_url, tmp_path, fresh_settings):
    out = tmp_path / "iati.xml"
    r = run_cli(demo_url, "export", "iati", "--out", out)
    assert r.returncode == 0, r.stderr
    assert "27 activities" in r.stdout and "validated" in r.stdout
    assert schema().validate(etree.parse(str(out)))
    assert oct(out.stat().st_mode & 0o777) == "0o644"
    assert out.read_bytes().count(b'<sector vocabulary="1" code="15113" percentage="100"/>') == 27  # the project config


def test_import_reports_the_elements_the_export_wrote(run_cli, demo_url, tmp_path, fresh_settings):
    """`export iati` and `import FILE.xml` count the file's elements alike, each as lxml counts them."""
    out = tmp_path / "iati.xml"
    wrote = run_cli(demo_url, "export", "iati", "--out", out)
    tree = etree.parse(str(out))
    counted = {tag: sum(1 for _ in tree.iter(tag))
               for tag in ("iati-activity", "result", "indicator", "baseline", "period", "target", "actual")}
    text = (f"{counted['iati-activity']} activities, {counted['result']} results, {counted['indicator']} indicators, "
            f"{counted['baseline']} baselines, {counted['period']} periods, {counted['target']} targets, "
            f"{counted['actual']} actuals")
    assert wrote.stdout == f"Wrote IATI 2.03 to {out}: {text} (validated against the IATI 2.03 schema)\n"
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    assert run_cli(empty, "init").returncode == 0
    dry = run_cli(empty, "import", out, "--dry-run")
    assert dry.stdout.splitlines()[:4] == [f"{out.name}: framework", f"{out.name}: indicators", f"{out.name}: results",
                                           f"{out.name}: the XML holds {text}"]
    as_json = json.loads(run_cli(empty, "import", out, "--dry-run", "--json").stdout)
    assert [f["elements"] for f in as_json["files"]] == [counted] * 3


@pytest.mark.parametrize("args, code, message", [
    (["--user", "nobody@example.org"], 1, "No user nobody@example.org"),
    (["--partner", "GHA", "--to", "not-a-period"], 2, ""),
])
def test_cli_refusals_write_nothing(run_cli, demo_url, tmp_path, args, code, message):
    out = tmp_path / "iati.xml"
    r = run_cli(demo_url, "export", "iati", "--out", out, *args)
    assert r.returncode == code and message in r.stderr
    assert not out.exists()


def test_cli_never_writes_a_broken_file(run_cli, demo_url, tmp_path, monkeypatch):
    """A view that would not validate: problems on stderr, exit 1, the old file untouched."""
    from models.queries import snapshot

    real = snapshot.load_snapshot

    def broken(engine):
        snap = real(engine)
        values = snap.values.copy()
        values.loc[values.index[0], "period_end"] = date(2000, 1, 1)
        return replace(snap, values=values)

    monkeypatch.setattr(snapshot, "load_snapshot", broken)
    out = tmp_path / "iati.xml"
    out.write_text("previous")
    r = run_cli(demo_url, "export", "iati", "--out", out)
    assert r.returncode == 1
    assert "nothing was written" in r.stderr and "period-end 2000-01-01 is before period-start" in r.stderr
    assert out.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


@pytest.mark.parametrize("toml, message", [
    ('[iati]\nreporting_org_type = "99"\n', "OrganisationType"),
    ('[iati]\nreporting_org_ref = "XM-DAC-1"\n', "must start with iati.reporting_org_ref"),
    ('[iati]\nlanguage = "English"\n', "ISO 639-1"),
    ('[iati]\nreporting_org_name = ""\n', "non-empty"),
    ('[iati]\ncolour = "red"\n', "unknown key iati.colour"),
    ('[iati]\nsector = "1511"\n', "5-digit purpose code"),
])
def test_bad_iati_config_is_refused(run_cli, demo_url, tmp_path, monkeypatch, toml, message):
    from models import config

    path = tmp_path / "rb.toml"
    path.write_text(toml)
    monkeypatch.setenv("RESULTSBOARD_CONFIG", str(path))
    config.clear_settings_cache()
    try:
        with pytest.raises(ValueError, match=message):
            load_settings(path)
        out = tmp_path / "iati.xml"
        r = run_cli(demo_url, "export", "iati", "--out", out)
        assert r.returncode == 1 and message in r.stderr and not out.exists()
    finally:
        config.clear_settings_cache()


def test_config_sets_publisher_and_identifiers(demo_snapshot, tmp_path):
    path = tmp_path / "rb.toml"
    path.write_text('[iati]\nreporting_org_ref = "XM-DAC-47066"\nreporting_org_name = "Example IGO"\n'
                    'reporting_org_type = 40\nactivity_prefix = "XM-DAC-47066-ACIP"\nprogramme_title = "A-CIP"\n'
                    'sector = 15113\n')
    cfg = load_settings(path).iati
    root = build_activities(view(demo_snapshot, Filters.from_values(partners=["GHA"]), LOCAL_ADMIN), cfg, now=NOW)
    assert [a.findtext("iati-identifier") for a in root.iter("iati-activity")] == ["XM-DAC-47066-ACIP", "XM-DAC-47066-ACIP-GHA"]
    assert {(o.get("ref"), o.get("type")) for o in root.iter("reporting-org")} == {("XM-DAC-47066", "40")}
    assert [(s.get("vocabulary"), s.get("code")) for s in root.iter("sector")] == [("1", "15113")] * 2
    assert problems(root, today=NOW.date()) == []


def test_project_config_defaults_validate(fresh_settings):
    assert replace(load_settings().iati, sector="") == Iati()
    assert Path(load_settings().path).name == "resultsboard.toml"
    assert to_bytes(etree.Element("x")).startswith(b"<?xml")

"""The donor pack: `build_pack` and `resultsboard export pack --donor CODE --out FILE.zip`.

Every chart in the catalogue (PNG and SVG) for the partners the donor funds, their data
(a CSV per export and one XLSX workbook) and a self-contained HTML report with a section per
chart and footnotes. Without Chromium the pack still builds, with the charts as HTML.

Packs render every chart twice (PNG, SVG), so each is built once per module and reused:
Canada's through the command line (`main`, in-process), Norway's through `build_pack`.
"""
from __future__ import annotations

import csv
import html
import io
import re
import shutil
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from xml.etree import ElementTree
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import pin_today, skip_or_fail
from dashboard import exports
from dashboard.packs import build_pack
from dashboard.charts.catalog import all_charts
from models.access import LOCAL_ADMIN, Scope
from models.db import engine_for, make_engine
from models.exporting import DATA_EXPORTS
from models.queries.snapshot import load_snapshot

# base64 payloads (PNG images inside SVGs, plotly.js typed arrays) may spell "cdn" by chance
BASE64 = re.compile(r'data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+|"bdata":"[A-Za-z0-9+/=]*"')


def no_cdn(page: str) -> bool:
    return "cdn" not in BASE64.sub("", page).lower()


BOM = b"\xef\xbb\xbf"

# donor -> the partners it funds in the demo (seeds/03_funding.csv)
FUNDED = {
    "CAN": ["ATG", "ECU", "GTM", "GUY", "HND", "JAM", "MEX", "SLV"],
    "NOR": ["AFG", "BFA", "CIV", "ETH", "GHA", "JOR", "LBN", "LBR", "MLI", "MOZ", "MWI", "NER", "NPL", "PSE",
            "SLE", "TUN", "TZA", "UKR"],
}
DONOR_NAMES = {"CAN": "Global Affairs Canada", "NOR": "Norad"}
AS_OF = "2026-06-30"  # "as of" defaults to today: pinned for the module


pinned_today = pin_today(AS_OF)  # "as of" defaults to today: pinned, so the figures stay put


# the demo's indicators: each has its chart in charts/indicators/
INDICATORS = [f"IND{n:02d}" for n in range(1, 12)]


def expected_names(donor: str, chart_formats=("png", "svg")) -> list[str]:
    charts = [f"charts/{name}.{fmt}" for name in all_charts() for fmt in chart_formats]
    charts += [f"charts/indicators/{code.lower()}.{fmt}" for code in INDICATORS for fmt in chart_formats]
    data = [f"data/{name}.csv" for name in DATA_EXPORTS] + [f"data/{donor.lower()}-data.xlsx"]
    return sorted(charts + data + ["report.html"])


# --- the demo and the packs, built once ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_sqlite_file, tmp_path_factory):
    """(url, engine) of this module's copy of the run's demo database."""
    path = tmp_path_factory.mktemp("pack") / "demo.db"
    shutil.copy(demo_sqlite_file, path)
    engine = make_engine(f"sqlite:///{path}")
    yield f"sqlite:///{path}", engine
    engine.dispose()


@pytest.fixture(scope="module")
def cli_pack(demo, tmp_path_factory):
    """`resultsboard export pack --donor CAN --out can-pack.zip`, run once in-process:
    (exit code, stdout, stderr, the zip's path)."""
    from dashboard.cli import main

    if not exports.images_available():
        skip_or_fail("donor pack with images: no Chromium installed")
    out = tmp_path_factory.mktemp("cli-pack") / "can-pack.zip"
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, redirect_stdout(stdout), redirect_stderr(stderr):
        mp.setenv("DATABASE_URL", demo[0])
        engine_for.cache_clear()
        code = main(["export", "pack", "--donor", "CAN", "--out", str(out)])
        engine_for.cache_clear()
    return code, stdout.getvalue(), stderr.getvalue(), out


class Packs(dict):
    """donor -> the pack's bytes: Canada's as the command line wrote it, the others built by
    build_pack on first use."""

    def __init__(self, engine, cli_pack):
        super().__init__()
        self.engine = engine
        self.cli_pack = cli_pack

    def get_zip(self, donor: str) -> zipfile.ZipFile:
        if donor not in self:
            if not exports.images_available():
                skip_or_fail("donor pack with images: no Chromium installed")
            if donor == "CAN":
                code, _, stderr, out = self.cli_pack
                assert code == 0, stderr
                self[donor] = out.read_bytes()
            else:
                self[donor] = build_pack(self.engine, donor, scope=LOCAL_ADMIN)
        return zipfile.ZipFile(io.BytesIO(self[donor]))


@pytest.fixture(scope="module")
def packs(demo, cli_pack):
    return Packs(demo[1], cli_pack)


def _csv_rows(z: zipfile.ZipFile, name: str) -> list[dict]:
    data = z.read(name)
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline="")))


# --- contents ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("donor", list(FUNDED))
def test_pack_holds_every_chart_every_export_and_the_report(packs, donor):
    z = packs.get_zip(donor)
    names = z.namelist()
    assert len(names) == len(set(names))
    assert sorted(names) == expected_names(donor)
    for name in all_charts():
        assert z.read(f"charts/{name}.png")[:8] == b"\x89PNG\r\n\x1a\n", name
        assert ElementTree.fromstring(z.read(f"charts/{name}.svg")).tag == "{http://www.w3.org/2000/svg}svg", name
    for name in DATA_EXPORTS:
        assert z.read(f"data/{name}.csv").startswith(BOM), name
    wb = load_workbook(io.BytesIO(z.read(f"data/{donor.lower()}-data.xlsx")))
    assert wb.sheetnames == list(DATA_EXPORTS)
    assert all(ws.freeze_panes == "A2" for ws in wb.worksheets)


@pytest.mark.parametrize("donor", list(FUNDED))
def test_report_has_a_section_for_every_funded_administration_and_every_indicator(packs, donor, demo):
    report = packs.get_zip(donor).read("report.html").decode("utf-8")
    partners = load_snapshot(demo[1]).partners.set_index("code")["name"]
    sections = re.findall(r"<section id='partner-([A-Z]+)'><h4>(.*?) \(([A-Z]+)\)</h4>(.*?)</section>", report, re.S)
    assert sorted(code for code, _, _, _ in sections) == FUNDED[donor]  # every administration the donor funds
    for code, name, again, body in sections:
        assert (name, again) == (html.escape(partners[code]), code)
        assert body.startswith("<table>") or "No indicator figure recorded" in body, code
        cells = re.findall(r"<tr><td>(IND\d\d)</td><td>(.*?)</td>", body)
        assert {n for _, n in cells} <= {html.escape(partners[code])}, code  # its own rows only
    indicators = re.findall(r"<section id='indicator-(IND\d\d)'><h4>(.*?)</h4>(.*?)</section>", report, re.S)
    assert [code for code, _, _ in indicators] == INDICATORS  # every indicator, with its chart and its table
    for code, _, body in indicators:
        assert body.lstrip().startswith("<svg"), code
        assert {i for i in re.findall(r"<tr><td>(IND\d\d)</td>", body)} <= {code}, code


@pytest.mark.parametrize("donor", list(FUNDED))
def test_pack_files_unpack_readable_by_everyone(packs, donor):
    z = packs.get_zip(donor)
    assert {oct(i.external_attr >> 16) for i in z.infolist()} == {oct(0o100644)}
    # images and the workbook are stored as they are (compressed already); text is deflated
    kinds = {(i.filename.rsplit(".", 1)[-1], i.compress_type) for i in z.infolist()}
    assert kinds == {("png", zipfile.ZIP_STORED), ("xlsx", zipfile.ZIP_STORED), ("svg", zipfile.ZIP_DEFLATED),
                     ("csv", zipfile.ZIP_DEFLATED), ("html", zipfile.ZIP_DEFLATED)}


@pytest.mark.parametrize("donor", list(FUNDED))
def test_pack_data_is_the_donors(packs, donor):
    z = packs.get_zip(donor)
    assert [r["code"] for r in _csv_rows(z, "data/partners.csv")] == FUNDED[donor]
    assert [r["code"] for r in _csv_rows(z, "data/donors.csv")] == [donor]
    funding = _csv_rows(z, "data/funding.csv")
    assert {r["donor"] for r in funding} == {donor}
    assert sorted(r["partner"] for r in funding if r["partner"]) == FUNDED[donor]
    results = _csv_rows(z, "data/results.csv")
    assert {r["partner"] for r in results if r["partner"]} == set(FUNDED[donor])
    # the workbook holds the same tables as the CSV files
    wb = load_workbook(io.BytesIO(z.read(f"data/{donor.lower()}-data.xlsx")))
    for name in DATA_EXPORTS:
        rows = _csv_rows(z, f"data/{name}.csv")
        assert wb[name].max_row == len(rows) + 1, name
    assert [c.value for c in wb["partners"]["A"]][1:] == FUNDED[donor]


@pytest.mark.parametrize("donor", list(FUNDED))
def test_report_has_a_section_per_chart_and_the_footnotes(packs, donor, demo):
    z = packs.get_zip(donor)
    report = z.read("report.html").decode("utf-8")
    charts = all_charts()
    h2 = re.findall(r"<h2>(.*?)</h2>", report)
    assert len(h2) == len(charts) + 2
    assert h2[-2:] == ["Figures", "Footnotes"]
    sections = re.findall(r"<section id='([^']+)'><h2>(\d+)\. .*?</h2>(.*?)</section>", report, re.S)
    assert [s[0] for s in sections] == list(charts)
    assert [int(s[1]) for s in sections] == list(range(1, len(charts) + 1))
    for name, _, body in sections:
        assert body.lstrip().startswith("<svg"), name  # the SVG image, inline
        assert f"Data as of {AS_OF}" in body, name
    assert f"Donor report: {DONOR_NAMES[donor]} ({donor})" in report
    assert "Illustrative demo data" in report
    assert report.count(f"Data as of {AS_OF}") >= len(charts) + 2
    figures = report[report.index("<h2>Figures</h2>"):report.index("<h2>Footnotes</h2>")]
    assert f"As of {AS_OF}" in figures  # the figures the charts show, each with its period
    if donor == "CAN":
        assert ("<td>IND09</td><td>Guatemala Customs</td><td>2025</td><td>1</td><td>6</td><td></td><td></td>"
                "<td>no data</td><td>last figure: 2024, achieved</td>") in figures
    footnotes = report[report.index("<h2>Footnotes</h2>"):]
    assert re.search(rf"Period: \d{{4}}-\d{{2}}-\d{{2}} to {AS_OF}", footnotes)
    assert "Illustrative demo data" in footnotes
    assert "Indicator definitions and baselines" in footnotes
    assert "(actual − baseline) ÷ (target − baseline)" in footnotes
    indicators = load_snapshot(demo[1]).indicators
    for code, name, description in zip(indicators["code"], indicators["name"], indicators["description"]):
        assert f"<tr><td>{code}</td><td>{html.escape(name)}</td>" in footnotes, code
        assert html.escape(description) in footnotes, code
    baselines = {"CAN": "<td>8 partners, 2021; values 2.51 to 3.84</td>", "NOR": "<td>18 partners, 2020–2024; values 2.42 to 3.88</td>"}
    assert baselines[donor] in footnotes  # IND01's baselines
    # self-contained: nothing to fetch
    assert not re.search(r"<script[^>]*\bsrc\s*=", report, re.I)
    assert not re.search(r"<link\b", report, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", report, re.I)
    assert no_cdn(report)


# --- refusals -----------------------------------------------------------------------------------------

REFUSED = [
    # (donor, scope, message)
    ("XXX", LOCAL_ADMIN, "unknown donor 'XXX'; you may see: CAN, NOR"),
    ("", LOCAL_ADMIN, "unknown donor ''"),
    # another donor's pack reads as unknown: neither its data nor its existence is shown
    ("CAN", Scope(email="norad@example.org", role="donor", donor="NOR"), "unknown donor 'CAN'; you may see: NOR"),
]


@pytest.mark.parametrize("donor,scope,message", REFUSED, ids=["unknown", "empty", "other-donors-pack"])
def test_pack_refused(demo, donor, scope, message):
    with pytest.raises(ValueError) as e:
        build_pack(demo[1], donor, scope=scope, with_images=False)
    assert message in str(e.value)


def test_donor_code_is_matched_case_insensitively(demo, monkeypatch):
    few = dict(list(all_charts().items())[:2])
    monkeypatch.setattr("dashboard.charts.catalog.all_charts", lambda: few)
    z = zipfile.ZipFile(io.BytesIO(build_pack(demo[1], " can ", scope=LOCAL_ADMIN, with_images=False)))
    assert "data/can-data.xlsx" in z.namelist()
    assert "Donor report: Global Affairs Canada (CAN)" in z.read("report.html").decode()


# --- the command line ------------------------------------------------------------------------------------


def test_cli_pack_for_canada(cli_pack, packs):
    code, stdout, stderr, out = cli_pack
    assert code == 0, stderr
    names = zipfile.ZipFile(out).namelist()
    images = len([n for n in names if n.startswith("charts/")])  # PNG and SVG of every chart
    # progress on standard error (a pipe: a line as each step starts and ends, no redraws); the
    # images render while the charts are drawn, so some may be done when the rendering step starts
    lines = stderr.splitlines()
    assert lines[:2] == [f"Drawing the charts: 0/{images // 2}", f"Drawing the charts: {images // 2}/{images // 2}"]
    assert lines[-1] == f"Rendering the chart images: {images}/{images}"
    assert 3 <= len(lines) <= 4 and re.fullmatch(rf"Rendering the chart images: \d+/{images}", lines[2])
    assert sorted(names) == expected_names("CAN")
    assert stdout.strip() == f"Wrote donor pack for CAN to {out}: {len(names)} files"
    assert [r["code"] for r in _csv_rows(zipfile.ZipFile(out), "data/partners.csv")] == FUNDED["CAN"]
    assert packs.get_zip("CAN").namelist() == names  # the pack the content tests below read


@pytest.fixture
def cli(run_cli, demo):
    """The command line in-process on the demo database -> (exit code, stdout, stderr)."""
    return lambda *args: run_cli(demo[0], *args)


CLI_REFUSALS = [
    # (args, exit code, stderr contains)
    (["--donor", "XXX", "--out", "{tmp}/p.zip"], 1, "unknown donor 'XXX'; you may see: CAN, NOR"),
    (["--donor", "CAN", "--donor", "NOR", "--out", "{tmp}/p.zip"], 2, "export pack takes one --donor (given: CAN, NOR)"),
    (["--donor", "CAN", "--out", "{tmp}/missing/p.zip"], 2, "No such folder: {tmp}/missing"),
    (["--donor", "CAN", "--out", "{tmp}/p.zip", "--from", "2024", "--to", "2021"], 2, "--from 2024 is after --to 2021"),
    (["--donor", "CAN", "--out", "{tmp}/p.zip", "--key-factor", "x"], 2, "key factor 'x' is not a number from 1 to 10"),
    (["--out", "{tmp}/p.zip"], 2, "the following arguments are required: --donor"),
]


@pytest.mark.parametrize("args,code,message", CLI_REFUSALS, ids=[f"refusal-{i}" for i in range(len(CLI_REFUSALS))])
def test_cli_pack_refusals(cli, tmp_path, args, code, message):
    rc, out, err = cli("export", "pack", *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert rc == code, err
    assert message.replace("{tmp}", str(tmp_path)) in err
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def cli_starting_chromium_first(cli, monkeypatch):
    """The command line with dashboard.cli_export's `export pack` (Chromium started before the
    database is opened) in place of dashboard.cli's."""
    import dashboard.cli
    from dashboard import cli_export

    monkeypatch.setattr(dashboard.cli, "cmd_export_pack", cli_export.cmd_export_pack)
    return cli


@pytest.mark.parametrize("args,code,message", CLI_REFUSALS, ids=[f"refusal-{i}" for i in range(len(CLI_REFUSALS))])
def test_cli_pack_starting_chromium_first_refuses_the_same(cli_starting_chromium_first, tmp_path, args, code, message):
    test_cli_pack_refusals(cli_starting_chromium_first, tmp_path, args, code, message)


def test_cli_pack_starting_chromium_first_writes_the_same_pack(cli_starting_chromium_first, packs, tmp_path):
    if not exports.images_available():
        skip_or_fail("donor pack with images: no Chromium installed")
    pack = tmp_path / "can.zip"
    rc, out, err = cli_starting_chromium_first("export", "pack", "--donor", "CAN", "--out", str(pack))
    assert rc == 0, err
    z, before = zipfile.ZipFile(pack), packs.get_zip("CAN")
    assert out.strip() == f"Wrote donor pack for CAN to {pack}: {len(z.namelist())} files"
    assert z.namelist() == before.namelist()
    for name in z.namelist():  # the images are the ones kept from the first pack: the same bytes
        if not name.endswith((".xlsx", ".html")):
            assert z.read(name) == before.read(name), name


# --- without Chromium -----------------------------------------------------------------------------------


def test_without_chromium_the_pack_has_html_charts_and_images_are_refused(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "images_available", lambda: False)
    chart = next(iter(all_charts()))

    rc, out, err = cli("export", "chart", chart, "--format", "png", "--out", str(tmp_path / "c.png"))
    assert (rc, out) == (1, "")
    assert err.strip() == exports.NO_CHROMIUM_MESSAGE
    assert not (tmp_path / "c.png").exists()
    with pytest.raises(RuntimeError, match="needs Chromium"):
        exports.figure_image(all_charts()[chart], "svg")

    rc, out, err = cli("export", "chart", chart, "--format", "html", "--out", str(tmp_path / "c.html"))
    assert rc == 0, err
    assert b"<!doctype html>" in (tmp_path / "c.html").read_bytes()[:100].lower()

    pack = tmp_path / "pack.zip"
    rc, out, err = cli("export", "pack", "--donor", "CAN", "--out", str(pack))
    assert rc == 0, err
    assert exports.NO_CHROMIUM_MESSAGE in err
    z = zipfile.ZipFile(pack)
    assert sorted(z.namelist()) == expected_names("CAN", chart_formats=("html",))
    assert out.strip() == f"Wrote donor pack for CAN to {pack}: {len(z.namelist())} files"
    for name in all_charts():
        page = z.read(f"charts/{name}.html").decode()
        assert no_cdn(page) and not re.search(r"<script[^>]*\bsrc\s*=", page, re.I), name
    report = z.read("report.html").decode()
    assert len(re.findall(r"<h2>", report)) == len(all_charts()) + 2  # a section per chart, the figures, the footnotes
    assert report.count("Plotly.newPlot") == len(all_charts()) + len(INDICATORS)  # interactive charts instead of images
    assert report.count("<script>window.PlotlyGeoAssets={topojson:") == 1  # the maps' topojson, inlined once
    assert no_cdn(report) and not re.search(r"<script[^>]*\bsrc\s*=", report, re.I)
    assert "Illustrative demo data" in report


# --- the donors page: built on click with a progress bar, then offered for saving ------------------------


def test_donors_page_builds_the_pack_on_click_then_offers_it(demo, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.helpers import shown

    monkeypatch.setenv("DATABASE_URL", demo[0])
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py"), default_timeout=120)
    at.query_params.update({"donor": "NOR"})
    at.run()
    at.switch_page("views/donors.py").run()
    assert [shown(b.label) for b in at.button if b.label.startswith("Donor pack")] == ["Donor pack for NOR (zip)"]
    assert not [b for b in at.get("download_button") if "donor pack" in b.proto.label.lower()]  # nothing built yet
    at.button(key="pack_NOR").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saves = [b for b in at.get("download_button") if "donor pack" in b.proto.label.lower()]
    assert [shown(b.proto.label) for b in saves] == ["Save donor pack for NOR (zip)"]
    assert saves[0].proto.url.endswith(".zip")


# --- the pack's renderer ---------------------------------------------------------------------------------


def test_a_chart_renders_once_its_png_its_svg_at_twice_the_size():
    """exports.ChartRenderer keeps images by the figure's content (another donor's pack with the
    same chart, the same pack again: not drawn again); the PNG is the SVG painted at 2x."""
    import plotly.graph_objects as go

    if not exports.images_available():
        skip_or_fail("chart images: no Chromium installed")
    def chart():
        return go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout={"height": 300})

    renderer = exports.chart_renderer()
    svg, png = renderer.submit(chart()).result(timeout=120)
    again = renderer.submit(chart())  # the same chart drawn again (another object)
    assert again.done() and again.result() == (svg, png)
    root = ElementTree.fromstring(svg)
    assert (root.get("width"), root.get("height")) == (str(exports.IMAGE_WIDTH), "300")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (2 * exports.IMAGE_WIDTH, 600)
    changed = renderer.submit(chart().update_layout(height=320))
    assert changed.result(timeout=120)[0] != svg  # another figure: drawn


def test_a_chart_submitted_while_the_same_is_being_drawn_is_drawn_once(monkeypatch):
    """Two packs at once (or one chart twice in a pack) ask for the same chart before it is
    drawn: Chromium draws it once, and each caller gets it; a caller that cancels its own
    Future (a pack that failed) stops no other's."""
    import plotly.graph_objects as go

    if not exports.images_available():
        skip_or_fail("chart images: no Chromium installed")
    renderer = exports.chart_renderer()
    drawn = []
    render = renderer._render

    async def counted(key, spec, width, height):
        drawn.append(key)
        return await render(key, spec, width, height)

    monkeypatch.setattr(renderer, "_render", counted)
    def chart():  # a figure no other test draws, so none of it is kept from before
        return go.Figure(go.Bar(x=["only", "here"], y=[3, 1]), layout={"height": 310, "title": {"text": "drawn once"}})

    first, second, third = renderer.submit(chart()), renderer.submit(chart()), renderer.submit(chart())
    assert second.cancel()  # its caller gave up: the others still get the chart
    svg, png = first.result(timeout=120)
    assert third.result(timeout=120) == (svg, png)
    assert len(drawn) == 1
    assert renderer.submit(chart()).result(timeout=1) == (svg, png) and len(drawn) == 1  # kept, not drawn again


def test_report_slots_are_filled_with_each_file_neutralised():
    from dashboard.packs import _Slots

    slots = _Slots()
    page = f"<p>a</p>{slots.slot('x.svg')}<p>b</p>{slots.slot('y.svg')}{slots.slot('x.svg')}"
    files = {"x.svg": b"<svg>https://cdn.plot.ly/un/world.json</svg>", "y.svg": "<svg>é</svg>".encode()}
    assert slots.fill(page, files) == ("<p>a</p><svg>./world.json</svg><p>b</p><svg>é</svg>"
                                       "<svg>./world.json</svg>")
    # text that only looks like a slot (uploaded names are escaped, and the marker is random) stays
    assert slots.fill("<!--slot-0-->", files) == "<!--slot-0-->"


@pytest.mark.parametrize("donor", list(FUNDED))
def test_the_first_indicators_chart_is_the_catalogues_indicator_targets_drawn_once(packs, donor):
    z = packs.get_zip(donor)
    first = INDICATORS[0].lower()
    for fmt in ("svg", "png"):  # one drawing: the same bytes (two drawings' SVGs differ in their random ids)
        assert z.read(f"charts/indicators/{first}.{fmt}") == z.read(f"charts/indicator-targets.{fmt}"), fmt
    assert z.read(f"charts/indicators/{INDICATORS[1].lower()}.svg") != z.read("charts/indicator-targets.svg")

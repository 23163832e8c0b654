"""Chart export: every chart in the catalogue as SVG (its title, its traces, the data note)
and as self-contained HTML; PNG and PDF for a bar chart, a map and a heatmap (size, page,
pixels and text); filtered renders; the `export chart` command line.

The chart list comes from `all_charts()` (it grows as chart modules are added), never from a
fixed list. Each figure is built once per chart and each format rendered once; one kaleido
server serves the whole worker (figure_image starts it once per process). Image tests need
Chromium: without it they skip (fail under CI=true).
"""
from __future__ import annotations

import collections
import html
import io
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path
from xml.etree import ElementTree

import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs_version

from dashboard import chart_data, exports
from dashboard.charts.catalog import all_charts
from dashboard.text import plain_from_plotly
from models.access import LOCAL_ADMIN
from models.db import make_engine
from models.queries.filters import Filters
from models.queries.rollups import progress_table
from models.queries.snapshot import load_snapshot, view
from conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
# base64 payloads (PNG images inside SVGs, plotly.js typed arrays) may spell "cdn" by chance
BASE64 = re.compile(r'data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+|"bdata":"[A-Za-z0-9+/=]*"')


def no_cdn(page: str) -> bool:
    return "cdn" not in BASE64.sub("", page).lower()


CHART_NAMES = list(all_charts())
# PNG and PDF go through the same kaleido call as SVG: checked on one chart of each kind
REPRESENTATIVE = {"bar": "progress-by-region", "map": "partner-map", "heatmap": "key-factor-heatmap"}
SVG_NS = "{http://www.w3.org/2000/svg}svg"
GEO_TYPES = {"choropleth", "scattergeo"}
# the topojson inlined for maps (plotly.js itself also mentions window.PlotlyGeoAssets)
GEO_ASSETS = "<script>window.PlotlyGeoAssets={topojson:"

# Filters as the sidebar / command line build them; `nothing` ones select no value at all.
FILTERS = {
    "region-AME": dict(regions=["AME"]),
    "donor-CAN": dict(donors=["CAN"]),
    "window-2021-2022": dict(period_from="2021", period_to="2022-Q4"),
    "key-factor-8": dict(key_factors=["8"]),
    "partner-JAM-2023": dict(partners=["JAM"], period_from="2023", period_to="2023"),
    "nothing-AME-funded-by-NOR": dict(regions=["AME"], donors=["NOR"]),
    "nothing-before-the-programme": dict(period_from="2000", period_to="2001"),
}
EMPTY_FILTERS = [k for k in FILTERS if k.startswith("nothing")]


def _is_map(fig) -> bool:
    return any(t.type in GEO_TYPES for t in fig.data)


# --- the demo database, built once for this module -------------------------------------------


@pytest.fixture(scope="module")
def demo_db(demo_sqlite_file, tmp_path_factory):
    """(url, engine) of this module's copy of the run's demo database."""
    path = tmp_path_factory.mktemp("charts") / "demo.db"
    shutil.copy(demo_sqlite_file, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


@pytest.fixture(scope="module")
def snapshot(demo_db):
    return load_snapshot(demo_db[1])


@pytest.fixture(scope="module")
def figures(snapshot):
    """name -> Figure, no filter; built once per chart."""
    v = view(snapshot, Filters(), LOCAL_ADMIN)
    prog = progress_table(v)
    return {name: build(v, prog) for name, build in all_charts().items()}


class Rendered(dict):
    """(chart, format) -> bytes, rendered on first use and then reused."""

    def __init__(self, figures):
        super().__init__()
        self.figures = figures

    def get_bytes(self, name: str, fmt: str) -> bytes:
        if (name, fmt) not in self:
            if fmt != "html" and not exports.images_available():
                skip_or_fail("chart image export: no Chromium installed")
            self[name, fmt] = exports.figure_bytes(self.figures[name], fmt)
        return self[name, fmt]


@pytest.fixture(scope="module")
def rendered(figures):
    return Rendered(figures)


# --- the catalogue ---------------------------------------------------------------------------


def test_catalogue_has_at_least_six_uniquely_named_charts():
    charts = all_charts()
    assert len(charts) >= 6
    for name, build in charts.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name
        assert callable(build), name


def test_every_chart_has_a_title_and_the_data_note(figures, snapshot):
    as_of = snapshot.as_of.isoformat()
    for name, fig in figures.items():
        assert fig.layout.title.text, name
        text = fig.to_json()
        assert f"Data as of {as_of}" in text, name
        assert "Illustrative demo data" in text, name


def test_the_map_charts_are_in_the_catalogue(figures):
    assert {"partner-map", "region-map"} <= {n for n, f in figures.items() if _is_map(f)}


# --- every chart as SVG and HTML; PNG and PDF for a few --------------------------------------

SVG_TRACE_TYPES = {"bars": "bar"}  # the SVG's class for a trace type, where it differs


def _svg_traces(root) -> collections.Counter:
    """Trace type -> how many trace groups the SVG draws (`<g class="trace bars">`; a pie's
    group is plain `trace`, a heatmap's `hm`)."""
    drawn = collections.Counter()
    for el in root.iter():
        classes = (el.get("class") or "").split()
        if classes[:1] == ["trace"]:
            drawn[SVG_TRACE_TYPES.get(classes[1], classes[1]) if len(classes) > 1 else "pie"] += 1
        elif classes == ["hm"]:
            drawn["heatmap"] += 1
    return drawn


def _plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text or "")


@pytest.mark.parametrize("name", CHART_NAMES)
def test_every_chart_as_svg(rendered, figures, snapshot, name):
    fig = figures[name]
    root = ElementTree.fromstring(rendered.get_bytes(name, "svg"))
    assert root.tag == SVG_NS
    assert int(float(root.get("width"))) == exports.IMAGE_WIDTH
    assert int(float(root.get("height"))) == (fig.layout.height or exports.IMAGE_HEIGHT)
    assert ["".join(el.itertext()) for el in root.iter() if el.get("class") == "gtitle"] == [_plain(fig.layout.title.text)]
    assert _svg_traces(root) == collections.Counter(t.type for t in fig.data if t.visible in (None, True))
    marks = [el for el in root.iter() if el.get("class") in ("point", "slice", "js-line", "choroplethlocation")
             or (el.tag.endswith("image") and el.get("class") is None)]
    assert marks, "no bar, point, line, slice, cell image or country drawn"
    text = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
    assert f"Data as of {snapshot.as_of.isoformat()}" in text


def _px(value) -> float:
    return float(str(value).rstrip("px"))


def _font_size(el) -> float:
    return _px(re.search(r"font-size: ([\d.]+)px", el.get("style", "")).group(1))


def _text_bottom(el) -> float:
    """The bottom of a multi-line SVG text Plotly drew (lines 1.3 em apart, the first at `y`
    with dy 0.7 em for a title anchored at its top)."""
    size, lines = _font_size(el), max(1, len([t for t in el if t.tag.endswith("tspan")]))
    first = _px(el.get("y")) + (0.7 * size if el.get("dy") == "0.7em" else 0)
    return first + 1.3 * size * (lines - 1) + 0.3 * size


def _translate_y(el) -> float:
    return float(re.search(r"translate\(([-\d.e]+),\s*([-\d.e]+)\)", el.get("transform")).group(2))


def svg_layout(svg: bytes) -> dict:
    """Where the rendered chart put its parts (px from the top): the title's bottom, the
    legend's top and bottom, the plot's top, the x-axis titles' bottom (under the plot) and the
    footnote's top."""
    root = ElementTree.fromstring(svg)
    elements = list(root.iter())
    found = {"title_bottom": max(_text_bottom(el) for el in elements if el.get("class") == "gtitle")}
    plots = [_px(el[0].get("y")) for el in elements
             if el.tag.endswith("clipPath") and el.get("class") == "axesclip" and re.search(r"x\d*y\d*$", el.get("id"))]
    plot_top = min(plots) if plots else None
    found["plot_top"] = plot_top
    legends = [el for el in elements if el.get("class") == "legend"]
    if legends and len(legends[0]):
        top = _translate_y(legends[0])
        box = next(el for el in legends[0].iter() if el.get("class") == "bg")
        found["legend"] = (top, top + _px(box.get("height")))
    notes = [el for el in elements if el.get("class") == "annotation-text" and "Data as of" in "".join(el.itertext())]
    note_group = next(g for g in elements if g.get("class") == "cursor-pointer" and notes[0] in list(g))
    found["note_top"] = _translate_y(note_group)
    found["xtitle_bottom"] = max([_text_bottom(el) for el in elements if (el.get("class") or "").startswith("xtitle")
                                  and plot_top is not None and _px(el.get("y")) > plot_top], default=None)
    return found


def _assert_nothing_overlaps(name: str, where: dict) -> None:
    if "legend" in where:  # the legend between the title and the plot, over neither
        legend_top, legend_bottom = where["legend"]
        assert where["title_bottom"] <= legend_top, (name, where)
        if where["plot_top"] is not None:
            assert legend_bottom <= where["plot_top"], (name, where)
    elif where["plot_top"] is not None:
        assert where["title_bottom"] <= where["plot_top"], (name, where)
    if where["xtitle_bottom"] is not None:  # the footnote under the x-axis title
        assert where["xtitle_bottom"] <= where["note_top"], (name, where)


@pytest.mark.parametrize("name", CHART_NAMES)
def test_every_chart_as_svg_has_its_legend_under_its_title(rendered, name):
    """In the exported image: title, then legend, then plot; the footnote under the axis title."""
    _assert_nothing_overlaps(name, svg_layout(rendered.get_bytes(name, "svg")))


NARROW = ["indicator-targets", "status-by-region", "funding-by-donor", "reporting-by-period", "progress-by-region"]


@pytest.mark.parametrize("name", NARROW)
def test_half_width_charts_keep_legend_title_and_footnote_apart(figures, name):
    """At 480 px (a chart in one of two columns at 1440 px) long legends wrap to several rows."""
    if not exports.images_available():
        skip_or_fail("chart image export: no Chromium installed")
    _assert_nothing_overlaps(name, svg_layout(exports.figure_image(figures[name], "svg", width=480)))


def test_the_layout_check_sees_a_legend_over_the_title(figures):
    """The check above fails on the old layout (legend anchored above the plot, under a two-line title)."""
    if not exports.images_available():
        skip_or_fail("chart image export: no Chromium installed")
    fig = go.Figure(figures["indicator-targets"])
    fig.update_layout(legend={"yref": "paper", "y": 1.01, "yanchor": "bottom"}, margin={"t": 80})
    with pytest.raises(AssertionError):
        _assert_nothing_overlaps("old", svg_layout(exports.figure_image(fig, "svg", width=480)))


@pytest.mark.parametrize("name", CHART_NAMES)
def test_every_chart_as_html(rendered, figures, name):
    _check_self_contained_html(rendered.get_bytes(name, "html").decode("utf-8"), figures[name])


def _png_pixels(data: bytes) -> tuple[int, int, int]:
    """(width, height) from the IHDR chunk, and how many colours the image holds."""
    from PIL import Image

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (width, height)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    return width, height, len(colours)


@pytest.mark.parametrize("kind,name", REPRESENTATIVE.items(), ids=list(REPRESENTATIVE))
def test_png_of_a_representative_chart(rendered, figures, kind, name):
    data = rendered.get_bytes(name, "png")
    width, height, colours = _png_pixels(data)
    assert (width, height) == (exports.IMAGE_WIDTH * 2, (figures[name].layout.height or exports.IMAGE_HEIGHT) * 2)  # scale 2
    assert len(data) > 50_000, "a chart of the demo programme is not a near-empty image"
    assert colours > 100, "a blank or single-colour image"


def _pdf_text(data: bytes) -> str:
    """The text a PDF shows, in drawing order (kaleido's Chromium writes each run of glyphs as
    `<hex> Tj`, decoded through the fonts' ToUnicode maps); spaces may be missing."""
    streams = []
    for m in re.finditer(rb"(?<!end)stream\r?\n", data):
        try:
            streams.append(zlib.decompress(data[m.end():data.index(b"endstream", m.end())]))
        except zlib.error:
            pass
    glyphs = {}
    for s in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", s, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                glyphs[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", s, re.S):
            for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                first = int(dst, 16)
                glyphs.update({code: chr(first + i) for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1))})
    shown = [h.decode() for s in streams for h in re.findall(rb"<([0-9A-Fa-f]+)>\s*Tj", s)]
    return "".join(glyphs.get(int(h[i:i + 4], 16), "\ufffd") for h in shown for i in range(0, len(h), 4))


@pytest.mark.parametrize("kind,name", REPRESENTATIVE.items(), ids=list(REPRESENTATIVE))
def test_pdf_of_a_representative_chart(rendered, figures, snapshot, kind, name):
    data = rendered.get_bytes(name, "pdf")
    fig = figures[name]
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert len(boxes) == 1
    px = 0.75  # CSS pixels to points
    assert float(boxes[0][0]) == pytest.approx(exports.IMAGE_WIDTH * px, abs=1)
    assert float(boxes[0][1]) == pytest.approx((fig.layout.height or exports.IMAGE_HEIGHT) * px, abs=1)
    shown = re.sub(r"\s", "", _pdf_text(data))
    assert re.sub(r"\s", "", _plain(fig.layout.title.text)) in shown
    assert f"Dataasof{snapshot.as_of.isoformat()}" in shown
    assert len(data) > (200_000 if kind == "map" else 10_000)  # the map carries its country shapes


def _check_self_contained_html(page: str, fig) -> None:
    assert page.lower().startswith("<!doctype html") or page.lower().startswith("<html")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I), "a <script src=...>"
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?\s*(https?:)?//", page, re.I), "a <link href=http...>"
    assert no_cdn(page)
    assert not re.search(r"\bimport\s*\(\s*[\"']https?:", page), "a dynamic import of a URL"
    # the whole plotly.js bundle is inlined, of the version plotly.py ships
    assert f"plotly.js v{get_plotlyjs_version()}" in page
    assert len(page) > 3_000_000
    assert "Plotly.newPlot" in page
    assert re.search(r"<head><title>[^<]+</title>", page)
    if _is_map(fig):
        assert page.count(GEO_ASSETS) == 1
        assert '"world_50m":{"type":"Topology"' in page.replace(" ", "")
        assert fig.layout.geo.resolution == 50  # the inlined file is the one the map asks for
    else:
        assert GEO_ASSETS not in page


UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # to_html's div id, new each time


def _html_page_plotly_inlined(fig, title=None) -> bytes:
    """figure_html's page as Plotly makes it with plotly.js inside (to_html(include_plotlyjs=True)),
    then the title and topojson added and the remote addresses neutralised over the whole page."""
    page = fig.to_html(include_plotlyjs=True, full_html=True, config=exports.HTML_CONFIG)
    head = f"<title>{html.escape(title or plain_from_plotly(fig.layout.title.text) or 'Resultsboard chart')}</title>"
    if exports.has_geo(fig):
        head += "<script>window.PlotlyGeoAssets={topojson:{\"world_50m\":" + exports.topojson_text() + "}};</script>"
    page = page.replace("<head>", "<head>" + head, 1)
    for remote, local in exports.NEUTRALISED_URLS:
        page = page.replace(remote, local)
    return page.encode("utf-8")


@pytest.mark.parametrize("case", ["bar", "map", "titled", "remote address in a label", "partner-map", "key-factor-heatmap"])
def test_html_page_is_plotlys_own_with_plotly_js_put_in_once(figures, case):
    """figure_html makes the page around plotly.js (made once) instead of with it: byte for
    byte the page Plotly makes with plotly.js inside (but for the div's random id)."""
    fig, title = {
        "bar": (go.Figure(go.Bar(x=[1, 2], y=[3, 4]), layout={"height": 333}), None),
        "map": (go.Figure(go.Scattergeo(locations=["NOR"])), None),
        "titled": (go.Figure(go.Bar(x=[1], y=[1]), layout={"title": {"text": "A <b>chart</b> &amp; é"}}), "Own title"),
        "remote address in a label": (go.Figure(go.Bar(x=["https://cdn.jsdelivr.net/x", "cartocdn.com"], y=[1, 2])), None),
    }.get(case) or (figures[case], None)
    made = exports.figure_html(fig, title=title)
    assert UUID.sub(b"id", made) == UUID.sub(b"id", _html_page_plotly_inlined(fig, title))
    assert made.count(b"plotly.js v") == _html_page_plotly_inlined(fig, title).count(b"plotly.js v") >= 1


def test_html_page_renders_with_the_network_blocked(rendered, tmp_path):
    """The map page, opened from disk in Chromium with every non-file request aborted, draws
    its countries and asks for nothing."""
    chromium = exports.chromium_path()
    if not chromium:
        skip_or_fail("offline HTML check: no Chromium installed")
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "partner-map.html"
    page_file.write_bytes(rendered.get_bytes("partner-map", "html"))
    outside, errors = [], []

    def route(r, request):
        if request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(request.url)
            r.abort()

    result = {}

    def look():
        # its own thread: the sync API refuses to run where another test's Playwright loop lives
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
            try:
                context = browser.new_context()
                context.route("**/*", route)
                page = context.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(page_file.as_uri())
                page.wait_for_selector("path.choroplethlocation", state="attached", timeout=30_000)
                result["drawn"] = page.locator("path.choroplethlocation").count()
                result["countries"] = page.evaluate(
                    "() => document.querySelectorAll('.geo .layer.countries path, .geo path.countries').length")
            finally:
                browser.close()

    import threading

    worker = threading.Thread(target=look)
    worker.start()
    worker.join(timeout=120)
    drawn, countries = result.get("drawn"), result.get("countries", 0)
    assert outside == []
    assert errors == []
    assert drawn == len(set(rendered.figures["partner-map"].data[0].locations))
    assert countries >= 1


# --- the chart's data as CSV ------------------------------------------------------------------


@pytest.mark.parametrize("name", CHART_NAMES)
def test_chart_data_csv(figures, name):
    """'Data (CSV)' next to each chart: the points of every trace, the same whether the figure
    is used directly or read back from JSON (as the dashboard caches it)."""
    import plotly.io as pio

    from models.exporting import to_csv_bytes

    fig = figures[name]
    direct = to_csv_bytes(chart_data.figure_data(fig))
    via_json = to_csv_bytes(chart_data.figure_data(pio.from_json(fig.to_json())))
    assert direct.startswith(b"\xef\xbb\xbf")
    assert via_json == direct
    lines = direct[3:].decode("utf-8").splitlines()
    assert lines[0].startswith("series,")
    assert len(lines) > 1  # the demo draws something in every chart
    assert '"bdata"' not in direct.decode("utf-8") and ",dtype," not in direct.decode("utf-8")


def _heatmap_np():
    import numpy as np
    import plotly.graph_objects as go

    return go.Figure(go.Heatmap(z=np.array([[1, 2], [3, 4]]), x=np.array(["a", "b"]), y=["r1", "r2"], name="h"))


def _bars_np():
    import numpy as np
    import plotly.graph_objects as go

    return go.Figure(go.Bar(x=["p", "q"], y=np.array([0.5, 1.25]), text="n=2", name="mean"))


def _pie():
    import plotly.graph_objects as go

    return go.Figure(go.Pie(labels=["achieved", "off track"], values=[3, 1]))


def _empty():
    import plotly.graph_objects as go

    return go.Figure()


FIGURE_DATA_CASES = [
    # (figure, records)
    (_heatmap_np, [{"series": "h", "y": "r1", "x": "a", "z": 1}, {"series": "h", "y": "r1", "x": "b", "z": 2},
                   {"series": "h", "y": "r2", "x": "a", "z": 3}, {"series": "h", "y": "r2", "x": "b", "z": 4}]),
    (_bars_np, [{"series": "mean", "x": "p", "y": 0.5, "text": "n=2"}, {"series": "mean", "x": "q", "y": 1.25, "text": "n=2"}]),
    (_pie, [{"series": "pie", "labels": "achieved", "values": 3}, {"series": "pie", "labels": "off track", "values": 1}]),
    (_empty, []),
]


@pytest.mark.parametrize("make,records", FIGURE_DATA_CASES, ids=[c[0].__name__.strip("_") for c in FIGURE_DATA_CASES])
@pytest.mark.parametrize("via_json", [False, True], ids=["figure", "from-json"])
def test_figure_data(make, records, via_json):
    import plotly.io as pio

    fig = make()
    if via_json:
        fig = pio.from_json(fig.to_json())
    assert chart_data.figure_data(fig).to_dict("records") == records


# --- filtered renders ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filtered_views(snapshot):
    out = {}
    for key, kw in FILTERS.items():
        v = view(snapshot, Filters.from_values(**kw), LOCAL_ADMIN)
        out[key] = (v, progress_table(v))
    return out


def test_the_empty_filters_select_nothing_and_the_others_something(filtered_views):
    for key, (v, _) in filtered_views.items():
        assert (len(v.values) == 0) == (key in EMPTY_FILTERS), key


@pytest.mark.parametrize("key", list(FILTERS))
def test_every_chart_renders_with_a_filter(filtered_views, key):
    v, prog = filtered_views[key]
    failures = {}
    traceless_drawn = False
    for name, build in all_charts().items():
        try:
            fig = build(v, prog)
            fig.to_json(validate=True)
            assert fig.layout.title.text
            if key in EMPTY_FILTERS and exports.images_available() and (fig.data or not traceless_drawn):
                # nothing selected: the figure still draws (an image, via Chromium); the
                # "no data" figures without traces are all alike, one of them is drawn
                traceless_drawn = traceless_drawn or not fig.data
                svg = exports.figure_image(fig, "svg")
                assert ElementTree.fromstring(svg).tag == SVG_NS
        except Exception as e:  # collect every chart's failure, not just the first
            failures[name] = f"{type(e).__name__}: {e}"
    assert failures == {}


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def cli(run_cli, demo_db):
    """`resultsboard ARGS` in-process on the demo database -> (exit code, stdout, stderr)."""
    return lambda *args: run_cli(demo_db[0], *args)


def test_cli_list_prints_one_name_per_line(cli):
    code, out, err = cli("export", "chart", "--list")
    assert code == 0, err
    names = out.splitlines()
    assert len(names) >= 6
    assert names == list(all_charts())
    assert all(n and n == n.strip() and " " not in n for n in names)


CLI_CASES = [
    # (chart, format, filter flags, check, how): the PNG through the installed command, in its own process
    ("progress-by-region", "png", ["--region", "AME", "--from", "2021", "--to", "2023"], "png", "subprocess"),
    ("partner-map", "html", ["--donor", "CAN"], "html-map", "in-process"),
]


@pytest.mark.parametrize("name,fmt,flags,check,how", CLI_CASES, ids=[f"{c[0]}-{c[1]}" for c in CLI_CASES])
def test_cli_export_chart(demo_db, cli, tmp_path, name, fmt, flags, check, how):
    assert name in all_charts()
    if fmt != "html" and not exports.images_available():
        skip_or_fail("chart image export: no Chromium installed")
    out = tmp_path / f"{name}.{fmt}"
    args = ["export", "chart", name, "--format", fmt, "--out", str(out), *flags]
    if how == "subprocess":
        r = subprocess.run([sys.executable, "-m", "dashboard.cli", *args], cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ, "DATABASE_URL": demo_db[0]}, timeout=180)
        code, stdout, stderr = r.returncode, r.stdout, r.stderr
    else:
        code, stdout, stderr = cli(*args)
    assert code == 0, stderr
    assert stdout.strip() == f"Wrote {name} ({fmt}) to {out}"
    data = out.read_bytes()
    if check == "png":
        width, height, colours = _png_pixels(data)
        assert width == exports.IMAGE_WIDTH * 2 and colours > 100
    else:
        page = data.decode("utf-8")
        assert f"plotly.js v{get_plotlyjs_version()}" in page
        assert no_cdn(page)
        assert (GEO_ASSETS in page) == (check == "html-map")
    if check == "html-map":  # --donor CAN: exactly the eight partners Canada funds
        assert '"locations":["ATG","ECU","GTM","GUY","HND","JAM","MEX","SLV"]' in page.replace(" ", "")


REFUSALS = [
    # (args, exit code, stderr contains) — run in-process through dashboard.cli.main
    (["no-such-chart", "--format", "png", "--out", "{tmp}/x.png"], 2, "Unknown chart 'no-such-chart'"),
    (["progress-by-region", "--format", "gif", "--out", "{tmp}/x.gif"], 2, "invalid choice: 'gif'"),
    (["progress-by-region", "--format", "html"], 2, "export chart needs NAME, --format and --out (or --list)"),
    (["--format", "html", "--out", "{tmp}/x.html"], 2, "export chart needs NAME, --format and --out (or --list)"),
    (["progress-by-region", "--format", "html", "--out", "{tmp}/missing/x.html"], 2, "No such folder: {tmp}/missing"),
    (["progress-by-region", "--format", "html", "--out", "{tmp}/x.html", "--key-factor", "11"], 2, "key factor 11 is not between 1 and 10"),
    (["progress-by-region", "--format", "html", "--out", "{tmp}/x.html", "--from", "2024", "--to", "2021"], 2, "--from 2024 is after --to 2021"),
]


@pytest.mark.parametrize("args,code,message", REFUSALS, ids=[f"refusal-{i}" for i in range(len(REFUSALS))])
def test_cli_export_chart_refusals(cli, tmp_path, args, code, message):
    rc, out, err = cli("export", "chart", *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert rc == code, err
    assert out == ""
    assert message.replace("{tmp}", str(tmp_path)) in err
    assert list(tmp_path.iterdir()) == []


def test_cli_export_chart_in_process_writes_what_figure_bytes_gives(cli, tmp_path, snapshot):
    """Same figure as the page: the command's HTML equals figure_html of the catalogue's
    figure for the same filters (bar the inlined topojson, none here)."""
    out = tmp_path / "kf.html"
    assert cli("export", "chart", "progress-by-key-factor", "--format", "html", "--out", str(out), "--region", "WCA")[0] == 0
    v = view(snapshot, Filters.from_values(regions=["WCA"]), LOCAL_ADMIN)
    expected = exports.figure_html(all_charts()["progress-by-key-factor"](v, progress_table(v)))
    # plotly gives each page a fresh div id; compare with the ids masked
    mask = lambda b: re.sub(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", b"ID", b)  # noqa: E731
    assert mask(out.read_bytes()) == mask(expected)


def test_cli_render_failure_is_a_message(cli, tmp_path, monkeypatch):
    def broken(fig, fmt):
        raise RuntimeError("the browser went away")

    monkeypatch.setattr(exports, "figure_bytes", broken)
    out = tmp_path / "x.html"
    rc, _, err = cli("export", "chart", "progress-by-region", "--format", "html", "--out", str(out))
    assert rc == 1
    assert err.strip() == "Could not render progress-by-region as HTML: the browser went away"
    assert not out.exists()


def test_image_export_starts_kaleido_again_when_it_has_gone(figures):
    """A long-running dashboard whose kaleido server stopped (its browser died) renders again."""
    if not exports.images_available():
        skip_or_fail("chart image export: no Chromium installed")
    import kaleido

    fig = figures["progress-by-region"]
    assert exports.figure_image(fig, "svg").startswith(b"<svg")
    kaleido.stop_sync_server(silence_warnings=True)
    assert not exports._kaleido_alive()
    assert exports.figure_image(fig, "svg").startswith(b"<svg")
    assert exports._kaleido_alive()

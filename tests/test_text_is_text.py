"""Text is text (issue 14): uploaded names, titles, descriptions, units, comments, breakdown
labels and file names never become Markdown, HTML or Plotly markup — on pages, in charts,
in the donor pack's report.html — and a page never makes a request for, or a link to, an
address planted in them.

One hostile string per field, holding every markup form (Markdown image and link, HTML
<img>, Plotly's <a href>, <script>, a bare address, a hovertemplate `%{x}`), each pointing
at a tiny HTTP server on 127.0.0.1 that counts the requests it gets. They are imported into
a copy of the demo as a donor name, a partner name, an indicator's name, unit and
description, an activity title, a comment, a breakdown (dimension and value), a qualitative
text and target, and a file name. Then: the escaping helpers (exact outputs), the chart builders, the pages through
AppTest, the donor pack, and every page served to Chromium.

Under pytest-xdist the module runs whole on one worker (conftest.py, ONE_WORKER_MODULES):
one server and one browser serve the Chromium tests.
"""
from __future__ import annotations

import csv
import http.server
import io
import json
import re
import threading
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import app_database, checkout_env, copy_sqlite
from servers import served
from test_browser import charts_drawn, no_exception, settle
from dashboard.text import WORD_JOINER as WJ
from dashboard.text import html_text, markdown_text, plain_from_plotly, plotly_frame, plotly_text
from models.access import LOCAL_ADMIN
from models.db import make_engine
from models.importing import Upload, import_files

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
FORMS = {  # every markup form, aimed at the counting server ({base}) and named by field
    "markdown-image": "![x]({base}/{field}-md-img.png)",
    "markdown-link": "[click]({base}/{field}-md-link)",
    "html-img": "<img src={base}/{field}-html-img.png>",
    "plotly-a": '<a href="{base}/{field}-a">a</a>',
    "script": "<script>fetch('{base}/{field}-script')</script>",
    "bare-address": "{base}/{field}-bare",
    "hovertemplate": "%{{x}}",
}
FIELDS = ["donor", "partner", "indicator", "unit", "description", "activity", "comment", "dimension", "value", "file",
          "qualitative", "target-text"]
MARKUP = re.compile(r"<\s*(/?\s*[a-zA-Z][\w-]*)")
BUILDER_TAGS = {"b", "/b", "br", "extra", "/extra"}  # what the chart builders write themselves


def hostile(field: str, base: str) -> str:
    return f"{field}: " + " ".join(form.format(base=base, field=field) for form in FORMS.values())


# --- the escaping helpers: exact outputs ---------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Norad", "Norad"),
    ("Côte d'Ivoire Customs", "Côte d\\'Ivoire Customs"),
    ("![x](http://h/t.png)", f"\\!\\[x\\]\\(http\\:{WJ}\\/\\/h\\/t\\.png\\)"),
    ("[click](http://h/x)", f"\\[click\\]\\(http\\:{WJ}\\/\\/h\\/x\\)"),
    ("<img src=x>", "\\<img src\\=x\\>"),
    ("**b** _i_ `c` ~s~", "\\*\\*b\\*\\* \\_i\\_ \\`c\\` \\~s\\~"),
    ("$x$ :red[r] # h | t", "\\$x\\$ \\:red\\[r\\] \\# h \\| t"),
    ("see www.x.org or a@b.io", f"see www{WJ}\\.x\\.org or a\\@{WJ}b\\.io"),
    ("back\\slash &amp;", "back\\\\slash \\&amp\\;"),
    (None, ""),
    (12.5, "12\\.5"),
])
def test_markdown_text(text, expected):
    assert markdown_text(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Norad", "Norad"),
    ('<a href="http://h">a</a>', '&lt;a href="http://h"&gt;a&lt;/a&gt;'),
    ("AT&T <b>x</b><br>", "AT&amp;T &lt;b&gt;x&lt;/b&gt;&lt;br&gt;"),
    ("%{x} of 50 %", "&#37;{x} of 50 %"),
    (None, ""),
])
def test_plotly_text(text, expected):
    assert plotly_text(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("<script>alert('x')</script>", "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"),
    ('a "b" & c', "a &quot;b&quot; &amp; c"),
    (None, ""),
    (float("nan"), ""),
])
def test_html_text(text, expected):
    assert html_text(text) == expected


@pytest.mark.parametrize("field", FIELDS)
def test_plotly_text_reads_back_as_typed(field):
    text = hostile(field, "http://127.0.0.1:1")
    assert plain_from_plotly(plotly_text(text)) == text
    assert plain_from_plotly("a<br>b <b>c</b> &lt;i&gt;") == "a b c <i>"


def test_plotly_frame_escapes_text_cells_and_list_items_only():
    import pandas as pd

    frame = pd.DataFrame({"name": pd.Series(["<b>x</b>", None], dtype=object), "codes": [["A<1"], []], "n": [1, 2]})
    out = plotly_frame(frame)
    assert out.to_dict("list") == {"name": ["&lt;b&gt;x&lt;/b&gt;", None], "codes": [["A&lt;1"], []], "n": [1, 2]}
    assert frame["name"][0] == "<b>x</b>"  # the input is left as it was


# --- a demo with hostile text, and the server that counts requests --------------------------

class Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        Counter.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def counter():
    """A tiny HTTP server on 127.0.0.1 that records every request: its base URL and hits."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Counter.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}", Counter.hits
    server.shutdown()
    server.server_close()


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    return buf.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def names(counter) -> dict[str, str]:
    return {field: hostile(field, counter[0]) for field in FIELDS}


@pytest.fixture(scope="module")
def hostile_db(demo_sqlite_file, tmp_path_factory, names) -> Path:
    """A copy of the demo with the hostile text imported through the import engine."""
    path = copy_sqlite(demo_sqlite_file, tmp_path_factory.mktemp("hostile") / "hostile.db")
    n = names
    uploads = [
        Upload(n["file"] + ".csv", _csv(["code", "name", "country"], [["CAN", n["donor"], "Canada"]])),
        Upload("partners.csv", _csv(["code", "name", "country", "region", "joined_on", "status"],
                                    [["GTM", n["partner"], "Guatemala", "AME", "2021-05-20", "active"]])),
        Upload("indicators.csv", _csv(
            ["code", "name", "level", "measure", "ascending", "unit", "key_factor", "result", "description", "frequency",
             "aggregation", "cumulative"],
            [["IND04", n["indicator"], "outcome", "percentage", "true", n["unit"], "4", "OC2", n["description"], "quarterly",
              "mean", "false"]])),
        Upload("activities.csv", _csv(
            ["code", "title", "type", "start", "end", "mode", "status", "partners", "donor", "participants", "key_factors"],
            [["ACT-2021-04", n["activity"], "meeting", "2021-05-20", "2021-05-20", "remote", "completed",
              "ATG;ECU;SLV;GTM;GUY;HND;JAM;MEX", "CAN", "40", "1"]])),
        Upload("results.csv", _csv(
            ["indicator", "partner", "period_start", "period_end", "target", "actual", "baseline", "baseline_year", "comment",
             "dimension", "dimension_value"],
            [["IND04", "GTM", "2021-01-01", "2021-12-31", "35.1", "34.8", "31.0", "2020", n["comment"], "", ""],
             ["IND04", "GTM", "2022-01-01", "2022-12-31", "", "20", "", "", n["comment"], n["dimension"], n["value"]],
             ["IND04", "GTM", "2022-01-01", "2022-12-31", "", "19", "", "", "", n["dimension"], "women"],
             ["IND08", "GTM", "2025-01-01", "2025-12-31", n["target-text"], n["qualitative"], "", "", "", "", ""]])),
    ]
    engine = make_engine(f"sqlite:///{path}")
    try:
        report = import_files(engine, uploads, user=n["file"], scope=LOCAL_ADMIN)
        assert report.status == "committed", [(i.row, i.column, i.message) for i in report.issues][:5]
    finally:
        engine.dispose()
    return path


@pytest.fixture(scope="module")
def hostile_url(hostile_db):
    with app_database(f"sqlite:///{hostile_db}") as url:
        yield url


def _view(url):
    from models.queries.filters import Filters
    from models.queries.rollups import progress_table
    from models.queries.snapshot import load_snapshot, view

    engine = make_engine(url)
    try:
        v = view(load_snapshot(engine), Filters(), LOCAL_ADMIN)
    finally:
        engine.dispose()
    return v, progress_table(v)


# --- charts ------------------------------------------------------------------------------

def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _figures(url):
    from dashboard.charts import indicators, partner
    from dashboard.charts.catalog import all_charts
    from models.queries.profiles import partner_baselines, partner_series

    v, prog = _view(url)
    figures = {name: build(v, prog) for name, build in all_charts().items()}
    figures["partner-progress GTM"] = partner.chart_partner_progress(v, prog, "GTM")
    figures["partner-activities GTM"] = partner.chart_partner_activities(v, prog, "GTM")
    figures["indicator-targets IND04"] = indicators.chart_indicator_targets(v, prog, "IND04")
    figures["trend GTM IND04"] = partner.indicator_trend(partner_series(v, "GTM")[lambda s: s["indicator"] == "IND04"],
                                                         title="IND04 trend", note="n", unit="<b>%</b>",
                                                         baselines=partner_baselines(v, "GTM", "IND04"))
    return v, figures


def test_charts_carry_no_markup_from_the_data(hostile_url, names):
    v, figures = _figures(hostile_url)
    seen = set()
    for name, fig in figures.items():
        texts = list(_strings(json.loads(fig.to_json())))
        tags = {m.group(1).replace(" ", "").lower() for t in texts for m in MARKUP.finditer(t)}
        assert tags <= BUILDER_TAGS, (name, tags - BUILDER_TAGS)
        assert not [t for t in texts if "-bare %{x}" in t], name  # no %{...} from the data in a hovertemplate
        seen |= {f for f in FIELDS if any(plotly_text(f"{f}: ![x]") in t for t in texts)}
    assert seen >= {"donor", "partner", "indicator", "activity", "comment", "value"}, seen


def test_chart_titles_legends_and_hovers_read_as_typed(hostile_url, names):
    v, figures = _figures(hostile_url)
    # wrapped at spaces onto lines of the title: the same text
    assert figures["partner-progress GTM"].layout.title.text.replace("<br>", " ") == plotly_text(f"{names['partner']}: progress by indicator")
    trend = figures["trend GTM IND04"]
    assert plotly_text(names["value"]) in [t.name for t in trend.data]
    assert trend.layout.yaxis.title.text == "Value (&lt;b&gt;%&lt;/b&gt;)"
    comments = [c for t in trend.data if t.customdata is not None for c in t.customdata if c]
    assert plotly_text(names["comment"]) in comments
    timeline = figures["partner-activities GTM"]
    assert any(plotly_text(names["activity"]) in h for t in timeline.data for h in (t.hovertext or []))


def test_chart_data_csv_gives_the_names_back_as_typed(hostile_url, names):
    from dashboard.chart_data import figure_data

    v, figures = _figures(hostile_url)
    data = figure_data(figures["partner-progress GTM"])
    assert figures["partner-progress GTM"].layout.title.text != names["partner"]
    funding = figure_data(figures["funding-by-donor"])
    assert any(str(y).startswith(names["donor"]) for y in funding["y"])
    assert not data.empty


# --- pages (AppTest) ----------------------------------------------------------------------

MARKDOWN_ELEMENTS = ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success")


def _open(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(params)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _rendered_markdown(at) -> list[str]:
    out = [e.value for kind in MARKDOWN_ELEMENTS for e in getattr(at, kind)]
    out += [m.label for m in at.metric] + [m.value for m in at.metric]
    out += [b.proto.label for b in at.get("download_button")] + [b.label for b in at.button]
    return out


@pytest.mark.parametrize("page, params, expected", [
    ("views/partner.py", {"p": "GTM"}, [("header", "{partner}"), ("markdown", "**{donor} (phase 1)**")]),
    ("views/donors.py", {"donor": "CAN"}, [("header", "{donor}"), ("button", "Donor pack for CAN (zip)")]),
    ("views/indicators.py", {"indicator": "IND04"}, [("subheader", "IND04 · {indicator}"), ("markdown", "{description}")]),
    ("views/overview.py", {}, []),
    ("views/regions.py", {}, []),
    ("views/key_factors.py", {}, []),
    ("views/activities.py", {}, []),
    ("views/reporting.py", {}, []),
    ("views/history.py", {}, []),
])
def test_pages_show_uploaded_text_as_text(hostile_url, counter, names, page, params, expected):
    at = _open(page, **params)
    rendered = _rendered_markdown(at)
    leaked = [t for t in rendered if counter[0] in t]  # escaped, the address reads 'http\:…\/\/127…'
    assert leaked == []
    for kind, template in expected:  # '**' around a template: bold, what it holds escaped
        bold = template.startswith("**")
        wanted = markdown_text(template.strip("*").format(**names))
        wanted = f"**{wanted}**" if bold else wanted
        shown = [b.label for b in at.button] if kind == "button" else [e.value for e in getattr(at, kind)]
        assert wanted in shown, (kind, wanted)


def test_indicator_facts_escape_the_unit(hostile_url, names):
    at = _open("views/indicators.py", indicator="IND04")
    facts = [m.value for m in at.markdown if m.value.startswith("**Level:**")]
    assert f"**Unit:** {markdown_text(names['unit'])}" in facts[0].split("  \n")


def test_a_crafted_link_code_is_shown_as_text(hostile_url, counter):
    code = f"![x]({counter[0]}/link-code.png)"
    at = _open("views/partner.py", p=code)
    assert [w.value for w in at.warning] == [markdown_text(f"No administration with code {code}: choose an administration below.")]


# --- the donor pack ------------------------------------------------------------------------

def test_donor_pack_report_has_no_live_tag_from_the_data(hostile_db, counter, names):
    from html.parser import HTMLParser

    from dashboard.exports import images_available
    from dashboard.packs import build_pack

    engine = make_engine(f"sqlite:///{hostile_db}")
    try:
        pack = build_pack(engine, "CAN", scope=LOCAL_ADMIN, with_images=images_available())
    finally:
        engine.dispose()
    with zipfile.ZipFile(io.BytesIO(pack)) as z:
        report = z.read("report.html").decode("utf-8")
        pages = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".svg", ".html"))}

    class Tags(HTMLParser):
        found: list = []

        def handle_starttag(self, tag, attrs):
            self.found.append((tag, dict(attrs)))

    for name, text in pages.items():
        parser = Tags()
        parser.found = []
        parser.feed(text)
        pointing = [(t, a) for t, a in parser.found if any(counter[0] in str(v) for v in a.values())]
        assert pointing == [], name
        assert "<script>fetch(" not in text and "<img src=http" not in text, name
    assert f"Donor report: {html_text(names['donor'])} (CAN)" in report
    assert f"<td>{html_text(names['indicator'])}</td>" in report
    assert f"<td>{html_text(names['qualitative'])}</td>" in report


# --- Chromium: every page, nothing requested from the planted address, no link to it ------

@pytest.fixture(scope="module")
def hostile_server(hostile_db):
    with served(hostile_db.parent, checkout_env(DATABASE_URL=f"sqlite:///{hostile_db}")) as port:
        yield f"http://127.0.0.1:{port}"


LINKS_TO = """base => [...document.querySelectorAll('a, img, image, iframe, script, link, source, use')].flatMap(e =>
    ['href', 'src', 'xlink:href', 'srcset', 'action'].map(a => e.getAttribute(a) || '')).filter(v => v.includes(base))"""
PAGES = ["", "regions", "donors?donor=CAN", "partner?p=GTM", "indicators?indicator=IND04", "key-factors", "activities",
         "reporting", "upload", "history"]


def test_pages_in_chromium_make_no_request_and_no_link(rb_browser, hostile_server, counter, names):
    base, hits = counter
    context = rb_browser.new_context(viewport={"width": 1400, "height": 1000})
    requested = []
    context.on("request", lambda r: requested.append(r.url) if r.url.startswith(base) else None)
    page = context.new_page()
    try:
        for path in PAGES:
            page.goto(f"{hostile_server}/{path}", wait_until="domcontentloaded")
            settle(page)
            no_exception(page, path)
            charts_drawn(page, path)
            for chart in page.locator('[data-testid="stPlotlyChart"]').all()[:6]:  # hovers draw their text too
                chart.hover()
            page.wait_for_timeout(300)
            assert page.evaluate(LINKS_TO, base) == [], path
        page.goto(f"{hostile_server}/partner?p=GTM", wait_until="domcontentloaded")
        settle(page)
        shown = page.locator('[data-testid="stMain"]').inner_text().replace(WJ, "")
        assert names["partner"] in shown  # the name reads exactly as typed
        title = page.locator('[data-testid="stPlotlyChart"] .gtitle').first.text_content()
        assert title.startswith(names["partner"][:40])
        svg_texts = page.evaluate("() => [...document.querySelectorAll('.stPlotlyChart svg text, [data-testid=\"stPlotlyChart\"] svg text')]"
                                  ".map(t => t.textContent)")
        assert any("indicator-bare %{x}" in t for t in svg_texts)  # a tick label: '%{x}' shown as typed
        assert [t for t in svg_texts if re.search(r"&(lt|gt|amp|#37);", t)] == []  # entities shown as characters
    finally:
        context.close()
    assert requested == [] and hits == []


# --- the tables' own CSV download is off ---------------------------------------------------

def test_serve_turns_off_the_tables_own_csv_download():
    """Streamlit's table toolbar writes its CSV without the defusing of the project's exports
    (models.exporting): `serve` turns it off; the pages offer defused downloads instead."""
    from dashboard.serve import streamlit_command

    command = streamlit_command(8501)
    assert command[command.index("--client.disableDataExport") + 1] == "true"


def test_tables_in_chromium_offer_no_csv_download(rb_browser, hostile_server):
    context = rb_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{hostile_server}/activities", wait_until="domcontentloaded")
        settle(page)
        page.locator('[data-testid="stDataFrame"]').first.hover()
        page.wait_for_timeout(500)
        toolbar = page.locator('[data-testid="stElementToolbar"]')
        assert toolbar.get_by_role("button", name=re.compile("download", re.IGNORECASE)).count() == 0
    finally:
        context.close()

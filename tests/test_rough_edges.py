"""The rough edges users hit (issue 11, item 4), each with the outcome it now has:

- one chart layout (dashboard.charts.common.finish): the legend in a row of its own under the
  title, titles and axis titles wrapped, automargin on every axis, the footnote under the
  x-axis title (the rendered SVGs are checked in test_export_charts.py);
- metric labels short enough for their column, detail in help; the main tables fit a 1440 px
  window (every column has a width, the widths add up to at most tables.TABLE_WIDTH);
- an empty table cell reads '—', never `None`, through one helper (tables.show_table / MISSING);
- progress bars green, never the theme's red;
- downloads (image, modebar PNG, data CSV) named after the chart, what it shows, the filters
  and the date;
- a chart's data without colour-key rows;
- the key-factor chart's every key factor, with a 'no data' marker (test_charts_key_factors.py);
- `export chart` / `export data` / `export iati`, `progress` and `missing` refuse an unknown --region, --donor or --partner (exit 1,
  naming the codes the user may use), as `export pack` does.

Pages run once each with AppTest (module-scoped); the command line runs in-process.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from conftest import copy_sqlite
from dashboard import tables
from dashboard.charts.catalog import all_charts
from dashboard.charts.common import (
    AXIS_TITLE_LINE, AXIS_TITLE_WIDTH, LEGEND_GAP, NOTE_SHIFT, TITLE_LINE, TITLE_PAD, TITLE_WIDTH, finish, legend_top,
    wrap_plotly,
)
from dashboard.charts.progress import progress_bars
from dashboard.chart_data import chart_file_stem, figure_data
from dashboard.text import plain_from_plotly
from helpers import shown
from models.access import LOCAL_ADMIN
from models.db import make_engine
from models.queries.filters import Filters
from models.queries.rollups import progress_table
from models.queries.snapshot import load_snapshot, view

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
AS_OF = "2026-06-30"
NOTE = "Data as of 2026-06-30. · Illustrative demo data, not official results."


@pytest.fixture(scope="module")
def demo_file(demo_sqlite_file, tmp_path_factory):
    return copy_sqlite(demo_sqlite_file, tmp_path_factory.mktemp("rough") / "demo.db")


@pytest.fixture(scope="module")
def figures(demo_file):
    """Every catalogue chart on the demo programme, no filter."""
    engine = make_engine(f"sqlite:///{demo_file}")
    try:
        v = view(load_snapshot(engine), Filters(), LOCAL_ADMIN)
        prog = progress_table(v)
        return {name: build(v, prog) for name, build in all_charts().items()}
    finally:
        engine.dispose()


# --- the chart layout --------------------------------------------------------------------------


def _shown_lines(text: str) -> list[str]:
    return [plain_from_plotly(line) for line in (text or "").split("<br>")]


def test_every_chart_has_its_legend_under_its_title_and_wrapped_titles(figures):
    for name, fig in figures.items():
        lines = _shown_lines(fig.layout.title.text)
        assert all(len(line) <= TITLE_WIDTH for line in lines), (name, lines)
        assert fig.layout.title.yref == "container" and fig.layout.title.yanchor == "top", name
        # the legend hangs from a line under the title, in container coordinates: Plotly pushes the plot down
        # as far as the legend needs, whatever the number of rows it wraps to, and never draws it over the title
        assert (fig.layout.legend.yref, fig.layout.legend.yanchor) == ("container", "top"), name
        assert legend_top(fig) >= TITLE_PAD + TITLE_LINE * len(lines) + LEGEND_GAP - 1e-6, name


def test_every_chart_is_drawn_on_plotly_white(figures):
    """The template is the module-wide default (charts.common), not given to each figure: every
    chart must still carry it whole, as the pages, exports and packs draw it."""
    import plotly.io as pio

    white = pio.templates["plotly_white"].to_plotly_json()
    assert {name: fig.layout.template.to_plotly_json() == white for name, fig in figures.items()} == \
        {name: True for name in figures}


def test_charts_stay_on_plotly_white_once_streamlit_made_its_template_the_default(demo_file):
    """Streamlit sets its own template as Plotly's default when its chart element is imported —
    after the chart builders, in a process that imported them first (AppTest, a test worker)."""
    import plotly.io as pio
    import streamlit.elements.plotly_chart  # noqa: F401  (registers the 'streamlit' template)

    white = pio.templates["plotly_white"].to_plotly_json()
    engine = make_engine(f"sqlite:///{demo_file}")
    try:
        v = view(load_snapshot(engine), Filters(), LOCAL_ADMIN)
        prog = progress_table(v)
        pio.templates.default = "streamlit"  # as streamlit.elements.plotly_chart does on import
        drawn = {name: build(v, prog).layout.template.to_plotly_json() == white for name, build in all_charts().items()}
        after = pio.templates.default
    finally:
        pio.templates.default = "plotly_white"
        engine.dispose()
    assert drawn == {name: True for name in drawn}
    assert after == "plotly_white"


def test_every_axis_title_is_wrapped_and_has_room(figures):
    for name, fig in figures.items():
        if not any("xaxis" in t for t in fig.data):  # maps and pies have no axes
            continue
        for axis in fig.select_yaxes():
            assert axis.automargin is True, (name, axis.plotly_name)
        for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
            assert all(len(line) <= AXIS_TITLE_WIDTH for line in _shown_lines(axis.title.text)), (name, axis.title.text)
        # the footnote stands under the x-axis title, however many lines it has
        bottom_lines = max([len(_shown_lines(a.title.text)) for a in fig.select_xaxes() if a.title.text and a.side != "top"],
                           default=1)
        assert fig.layout.annotations[-1].yshift <= -(NOTE_SHIFT + AXIS_TITLE_LINE * (bottom_lines - 1)), name


WRAP_CASES = [
    # (text as Plotly text, width, lines)
    ("Mean progress (%, clamped to 0–100)", 46, ["Mean progress (%, clamped to 0–100)"]),
    ("Progress towards target (%, bar clamped to 0–100; label raw)", 46,
     ["Progress towards target (%, bar clamped to", "0–100; label raw)"]),
    ("<b>customs officers</b>: mean score (1 to 5)", 20, ["<b>customs officers</b>:", "mean score (1 to 5)"]),  # tags not counted
    ("A &amp; B &lt;c&gt; d", 7, ["A &amp; B", "&lt;c&gt; d"]),  # an entity is one character, never split
    ("two<br>lines", 46, ["two", "lines"]),
]


@pytest.mark.parametrize("text,width,lines", WRAP_CASES, ids=[f"wrap-{i}" for i in range(len(WRAP_CASES))])
def test_wrap_plotly(text, width, lines):
    assert wrap_plotly(text, width) == lines


def test_a_long_title_wraps_and_pushes_the_legend_down():
    title = "IND01 · Customs Integrity Perception Survey score: perceived integrity: actual against target"
    fig = go.Figure([go.Bar(x=[1], y=["a"], name="actual"), go.Bar(x=[2], y=["b"], name="target")])
    fig.update_xaxes(title="Progress towards target (%, bar clamped to 0–100; label raw)")
    fig = finish(fig, title=title, note=NOTE, height=400)
    assert fig.layout.title.text == ("IND01 · Customs Integrity Perception Survey score: perceived integrity:<br>"
                                     "actual against target")
    assert fig.layout.height == 400 + TITLE_LINE + AXIS_TITLE_LINE  # the plot keeps its height
    assert legend_top(fig) == pytest.approx(TITLE_PAD + 2 * TITLE_LINE + LEGEND_GAP)
    assert fig.layout.xaxis.title.text == "Progress towards target (%, bar clamped to<br>0–100; label raw)"
    assert fig.layout.annotations[-1].text == "Data as of 2026-06-30.<br>Illustrative demo data, not official results."
    assert fig.layout.annotations[-1].yshift == -(NOTE_SHIFT + AXIS_TITLE_LINE)


# --- a chart's data: no colour-key rows ----------------------------------------------------------


def _bars(*statuses):
    return pd.DataFrame({
        "label": ["Europe", "Asia/Pacific"], "progress": [0.8, None], "n": [3, 0], "status": list(statuses),
        "n_achieved": [0, 0], "n_on_track": [3, 0], "n_no_data": [0, 2],
    })


DATA_CASES = [
    # (figure, rows of its data: (series, y, x, text))
    ("progress-bars", lambda: progress_bars(_bars("on track", None), label="label", title="t", note=NOTE),
     [("mean progress", "Asia/Pacific", None, "no data (n=0)"), ("mean progress", "Europe", 80.0, "80 %  (n=3)")]),
    ("legend-only-trace", lambda: go.Figure([go.Bar(x=[1], y=["a"], name="on track"),
                                             go.Bar(x=[None], y=[None], name="at risk")]),
     [("on track", "a", 1, None)]),
    ("line-with-gaps", lambda: go.Figure(go.Scatter(x=[1, 2, None, 3, 4], y=["a", "a", None, "b", "b"], name="change")),
     [("change", "a", 1, None), ("change", "a", 2, None), ("change", "b", 3, None), ("change", "b", 4, None)]),
]


@pytest.mark.parametrize("build,rows", [c[1:] for c in DATA_CASES], ids=[c[0] for c in DATA_CASES])
def test_chart_data_has_no_colour_key_rows(build, rows):
    data = figure_data(build())
    got = [(r["series"], r["y"], None if pd.isna(r["x"]) else r["x"], r.get("text")) for r in data.to_dict("records")]
    assert [(s, y, x, None if isinstance(t, float) else t) for s, y, x, t in got] == rows


# --- file names --------------------------------------------------------------------------------

STEM_CASES = [
    # (name, filters, as of, subject, stem)
    ("progress-by-partner", Filters(), date(2026, 11, 30), {"donor": "NOR"}, "progress-by-partner_donor-NOR_2026-11-30"),
    ("progress-by-partner", Filters(donors=("NOR",)), date(2026, 11, 30), {"donor": "NOR"},
     "progress-by-partner_donor-NOR_2026-11-30"),  # the subject is also the filter: once
    ("progress-by-region", Filters(regions=("AME", "EUR"), key_factors=(3, 8), period_from="2021", period_to="2023"),
     date(2023, 12, 31), None, "progress-by-region_region-AME-EUR_kf-3-8_from-2021_2023-12-31"),
    ("Jamaica Customs Agency: progress by indicator", Filters(), date(2026, 6, 30), None,
     "jamaica-customs-agency-progress-by-indicator_2026-06-30"),  # a title, when the chart has no catalogue name
    ("x", Filters(partners=("../../etc", "a b")), date(2026, 6, 30), {"indicator": "IND/01"},
     "x_indicator-IND-01_partner-etc-a-b_2026-06-30"),  # no path, space or quote gets into a file name
    ("x", Filters(partners=tuple(f"P{i:03d}" for i in range(60))), date(2026, 6, 30), None,
     "x_partner-" + "-".join(f"P{i:03d}" for i in range(60))[:120 - len("x_partner-") - 11] + "_2026-06-30"),
]


@pytest.mark.parametrize("name,filters,as_of,subject,stem", STEM_CASES, ids=[f"stem-{i}" for i in range(len(STEM_CASES))])
def test_chart_file_stem(name, filters, as_of, subject, stem):
    assert chart_file_stem(name, filters, as_of, subject=subject) == stem


# --- the tables ----------------------------------------------------------------------------------

TABLE_SPECS = [
    # (table, its columns, the sum of their widths in px)
    ("partners", lambda: tables.partner_columns(), 902),
    ("partners-in-a-region", lambda: tables.partner_columns(region=False), 777),
    ("partners-a-donor-funds", lambda: tables.partner_columns(phases=True), 960),
    ("regions", lambda: tables.region_columns("help"), 949),
    ("donors", tables.donor_columns, 960),
    ("agreements", tables.agreement_columns, 700),
    ("a-partner's-activities", lambda: tables.activity_columns(), 907),
    ("a-donor's-activities", lambda: tables.activity_columns(donor=False, partners=True), 954),
    ("all-activities", tables.listing_columns, 960),
    ("an-indicator's-figures", lambda: tables.indicator_target_columns("score (1 to 5)"), 945),
    ("an-indicator's-texts", tables.qualitative_columns, 951),
    ("survey-rounds", tables.survey_columns, 830),
    ("a-partner's-indicators", tables.partner_indicator_columns, 960),
]


@pytest.mark.parametrize("columns,width", [c[1:] for c in TABLE_SPECS], ids=[c[0] for c in TABLE_SPECS])
def test_every_column_of_a_main_table_has_a_width_and_they_fit_1440_px(columns, width):
    widths = [c["width"] for c in columns().values()]
    assert all(isinstance(w, int) for w in widths)
    assert sum(widths) == width <= tables.TABLE_WIDTH


def test_progress_column_is_green():
    column = tables.progress_column("Progress")
    assert column["type_config"]["color"] == tables.PROGRESS_COLOUR == "#009E73"
    assert (column["type_config"]["min_value"], column["type_config"]["max_value"]) == (0.0, 1.0)


# --- the pages -----------------------------------------------------------------------------------

PAGES = ["views/overview.py", "views/regions.py", "views/donors.py", "views/indicators.py", "views/key_factors.py",
         "views/activities.py", "views/partner.py", "views/reporting.py", "views/history.py"]


@pytest.fixture(scope="module")
def pages(demo_file):
    """page -> (AppTest after one run, the file names its download buttons offered), today pinned."""
    opened = {}
    with pytest.MonkeyPatch.context() as mp:
        from conftest import clear_streamlit_caches

        mp.setenv("RESULTSBOARD_TODAY", AS_OF)
        mp.setenv("DATABASE_URL", f"sqlite:///{demo_file}")
        clear_streamlit_caches()
        offered: list[str] = []
        original = streamlit.download_button

        def recording(*args, **kwargs):
            offered.append(kwargs.get("file_name"))
            return original(*args, **kwargs)

        mp.setattr(streamlit, "download_button", recording)
        for page in PAGES:
            at = AppTest.from_file(str(APP), default_timeout=90)
            at.run()
            offered.clear()
            at.switch_page(page).run()
            assert not at.exception, (page, [e.value for e in at.exception])
            opened[page] = (at, list(offered))
        clear_streamlit_caches()
    return opened


def _columns(df) -> dict:
    return json.loads(df.proto.columns)


def test_overview_metric_labels_fit_their_columns(pages):
    at, _ = pages["views/overview.py"]
    labels = [shown(m.label) for m in at.metric]
    assert labels[:6] == ["Administrations", "Donors", "Activities", "Indicators", "Committed (CAD)", "Committed (EUR)"]
    assert all(len(label) <= 16 for label in labels), labels  # six to a row at 1440 px: ~16 characters each
    assert shown(at.metric[0].help) == "Partner administrations, in 6 WCO regions"


TABLE_COUNTS = {  # page -> tables on it (the demo, first choices)
    "views/regions.py": 2, "views/donors.py": 4, "views/indicators.py": 1, "views/key_factors.py": 1,
    "views/activities.py": 1, "views/partner.py": 2, "views/history.py": 2,
}
FITTED = ["views/regions.py", "views/donors.py", "views/indicators.py", "views/key_factors.py", "views/activities.py",
          "views/partner.py"]  # pages whose tables are sized to fit 1440 px


@pytest.mark.parametrize("page", list(TABLE_COUNTS))
def test_tables_show_missing_values_as_a_dash(pages, page):
    at, _ = pages[page]
    assert [df.proto.placeholder for df in at.dataframe] == [tables.MISSING] * TABLE_COUNTS[page]


@pytest.mark.parametrize("page", FITTED)
def test_main_tables_fit_1440_px(pages, page):
    at, _ = pages[page]
    for df in at.dataframe:
        columns = _columns(df)
        shown_columns = [c for c in df.value.columns]
        widths = {c: columns.get(c, {}).get("width") for c in shown_columns}
        assert all(isinstance(w, int) for w in widths.values()), widths
        assert sum(widths.values()) <= tables.TABLE_WIDTH, (page, sum(widths.values()))


@pytest.mark.parametrize("page", ["views/regions.py", "views/donors.py", "views/indicators.py", "views/partner.py",
                                  "views/reporting.py"])
def test_progress_bars_are_green(pages, page):
    at, _ = pages[page]
    bars = [c for df in at.dataframe for c in _columns(df).values() if c.get("type_config", {}).get("type") == "progress"]
    assert bars, page
    assert {c["type_config"].get("color") for c in bars} == {tables.PROGRESS_COLOUR}


DONOR_STEMS = ["funding-by-donor_2026-06-30", "progress-by-donor_2026-06-30", "agreements-timeline_2026-06-30",
               "progress-by-partner_donor-CAN_2026-06-30", "activity-timeline_donor-CAN_2026-06-30"]


def test_downloads_are_named_after_chart_subject_filters_and_date(pages):
    at, offered = pages["views/donors.py"]
    # the modebar's "download as PNG"
    assert [json.loads(c.proto.config)["toImageButtonOptions"]["filename"] for c in at.get("plotly_chart")] == DONOR_STEMS
    # the export popover: image, page and data files
    charts = [name for name in offered if not name.startswith("resultsboard-donor-pack")]
    assert charts == [f"{stem}.{ext}" for stem in DONOR_STEMS for ext in ("png", "svg", "pdf", "html", "csv")]


def test_the_key_factor_page_shows_every_key_factor(pages):
    at, _ = pages["views/key_factors.py"]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    labels = spec["data"][0]["y"]
    assert sorted(labels, key=lambda s: int(s.split(".")[0])) == [f"{k}. {n}" for k, n in sorted(
        __import__("models.reference", fromlist=["KEY_FACTORS"]).KEY_FACTORS.items())]


# --- the command line: an unknown code is refused ---------------------------------------------

NOR_PARTNERS = "AFG, BFA, CIV, ETH, GHA, JOR, LBN, LBR, MLI, MOZ, MWI, NER, NPL, PSE, SLE, TUN, TZA, UKR"
ALL_PARTNERS = "AFG, ATG, BFA, CIV, ECU, ETH, GHA, GTM, GUY, HND, JAM, JOR, LBN, LBR, MEX, MLI, MOZ, MWI, NER, NPL, PSE, " \
               "SLE, SLV, TUN, TZA, UKR"
REFUSALS = [
    # (command, flags, user, exit code, stderr)
    ("chart", ["--donor", "XYZ"], None, 1, "unknown donor 'XYZ'; you may see: CAN, NOR\n"),
    ("data", ["--donor", "XYZ"], None, 1, "unknown donor 'XYZ'; you may see: CAN, NOR\n"),
    ("chart", ["--region", "XX", "--partner", "JAM,QQQ"], None, 1,
     "unknown region 'XX'; you may see: AME, AP, ESA, EUR, MENA, WCA\n"
     f"unknown partner 'QQQ'; you may see: {ALL_PARTNERS}\n"),
    ("data", ["--partner", "ZZZ"], None, 1, f"unknown partner 'ZZZ'; you may see: {ALL_PARTNERS}\n"),
    # another donor's code reads as unknown to a donor user (its existence is not confirmed either)
    ("chart", ["--donor", "CAN"], "norad@example.org", 1, "unknown donor 'CAN'; you may see: NOR\n"),
    ("data", ["--partner", "JAM"], "norad@example.org", 1, f"unknown partner 'JAM'; you may see: {NOR_PARTNERS}\n"),
    ("chart", ["--key-factor", "11"], None, 2, "key factor 11 is not between 1 and 10\n"),  # as export pack: a bad flag
    ("chart", ["--donor", "nor", "--region", "wca"], None, 0, ""),  # codes in any case
    ("data", ["--donor", "NOR"], "norad@example.org", 0, ""),
    # the read commands and the IATI export refuse the same way (no "No data" answer, no empty file)
    ("progress", ["--partner", "ZZZ"], None, 1, f"unknown partner 'ZZZ'; you may see: {ALL_PARTNERS}\n"),
    ("missing", ["--donor", "QQQ"], None, 1, "unknown donor 'QQQ'; you may see: CAN, NOR\n"),
    ("missing", ["--partner", "JAM"], "norad@example.org", 1, f"unknown partner 'JAM'; you may see: {NOR_PARTNERS}\n"),
    ("iati", ["--region", "XX"], None, 1, "unknown region 'XX'; you may see: AME, AP, ESA, EUR, MENA, WCA\n"),
    ("iati", ["--donor", "CAN"], "norad@example.org", 1, "unknown donor 'CAN'; you may see: NOR\n"),
]

COMMANDS = {  # command -> (arguments before the flags, the file it writes or None)
    "chart": (["export", "chart", "progress-by-partner", "--format", "html", "--out"], "x.html"),
    "data": (["export", "data", "results", "--format", "csv", "--out"], "x.csv"),
    "iati": (["export", "iati", "--out"], "x.xml"),
    "progress": (["progress"], None),
    "missing": (["missing"], None),
}


@pytest.fixture(scope="module")
def cli_db(demo_sqlite_file, tmp_path_factory):
    """A demo copy with a donor user for Norad."""
    from dashboard.cli import main

    path = copy_sqlite(demo_sqlite_file, tmp_path_factory.mktemp("rough-cli") / "demo.db")
    with pytest.MonkeyPatch.context() as mp:
        from conftest import forget_cli_engine

        mp.setenv("DATABASE_URL", f"sqlite:///{path}")
        forget_cli_engine()
        assert main(["users", "add", "norad@example.org", "--role", "donor", "--donor", "NOR"]) == 0
        forget_cli_engine()
    return f"sqlite:///{path}"


@pytest.mark.parametrize("command,flags,user,code,stderr", REFUSALS, ids=[f"cli-{i}" for i in range(len(REFUSALS))])
def test_commands_refuse_unknown_codes(run_cli, cli_db, tmp_path, command, flags, user, code, stderr):
    before, name = COMMANDS[command]
    out = tmp_path / (name or "unused")
    args = [*before, *([str(out)] if name else []), *flags, *(["--user", user] if user else [])]
    result = run_cli(cli_db, *args)
    assert (result.returncode, result.stderr) == (code, stderr), result
    assert out.exists() == (code == 0 and name is not None)  # refused: nothing written
    if code == 1:
        assert result.stdout == ""  # no heading, no "None." answer for a code that does not exist

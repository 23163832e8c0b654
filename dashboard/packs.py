"""The donor pack: one zip for one donor — every catalogue chart (PNG and SVG; HTML where
Chromium is missing), the data (CSV files and one XLSX workbook) and a self-contained HTML
report: a section per catalogue chart, then the figures for every administration the donor
funds and for every indicator (its chart and its table), then the footnotes."""
from __future__ import annotations

import html
import io
import zipfile
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from dashboard import exports
from dashboard.exports import figure_html, has_geo, neutralised, plotlyjs_block, topojson_text
from dashboard.text import plain_from_plotly
from models.wording import plural

if TYPE_CHECKING:
    import pandas as pd


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text).strip("-").lower()


STORED = (".png", ".xlsx", ".zip")
# Text is deflated at zlib's fastest level: a pack's text is megabytes (the maps' SVG, the report
# with every chart inline; without Chromium, plotly.js inlined in each chart's page), which
# level 6 takes seconds to deflate and level 1 a fraction of that, for a zip about a tenth larger.
COMPRESS_LEVEL = 1


class _ReadableZip(zipfile.ZipFile):
    """A zip whose files unpack readable by everyone (rw-r--r--), not zipfile's default 0600,
    and whose text is deflated at COMPRESS_LEVEL."""

    def __init__(self, file, mode="w"):
        super().__init__(file, mode, zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)

    def writestr(self, name, data, *args, **kwargs):  # noqa: D102 - zipfile.ZipFile.writestr
        if isinstance(name, str):
            name = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
            # PNG and XLSX are compressed already: deflating them again costs seconds and saves nothing
            name.compress_type = zipfile.ZIP_STORED if name.filename.endswith(STORED) else self.compression
            name.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            kwargs.setdefault("compresslevel", self.compresslevel)
        return super().writestr(name, data, *args, **kwargs)


def build_pack(engine, donor: str, *, scope, filters=None, with_images: bool | None = None, progress=None,
               snapshot=None) -> bytes:
    """A zip for one donor: every chart (PNG and SVG; self-contained HTML where Chromium is
    missing), the data (CSV files and one XLSX workbook) and a self-contained HTML report
    with a section per chart and footnotes. progress(done, total, what), if given, is told
    how far the build is: the charts drawn, then their images rendered.

    The charts render while the next ones are drawn and the data files are written: Chromium
    starts first thing (while the charts' code loads, the programme is read and the donor
    checked), and each chart goes to it as soon as it is drawn (exports.ChartRenderer: once
    per chart, its PNG from its SVG; images kept by content).
    snapshot: the programme as read from `engine` (the dashboard's shared one), else read here."""
    tell = progress or (lambda done, total, what: None)
    images = exports.images_available() if with_images is None else with_images
    renderer = exports.chart_renderer() if images else None  # Chromium starts while the programme is read
    from dashboard.charts.catalog import all_charts
    from dashboard.charts.indicators import chart_indicator_targets
    from models.exporting import DATA_EXPORTS, data_frame, to_csv_bytes, to_xlsx_bytes
    from models.queries.filters import Filters
    from models.queries.rollups import progress_table
    from models.queries.snapshot import load_snapshot, view

    snap = snapshot if snapshot is not None else load_snapshot(engine)
    # a donor the scope may not see reads as unknown (its existence is not confirmed either): the
    # donors the sidebar offers, those funding a partner the scope sees (a partner: its own funders)
    codes = {c.lower(): c for c in view(snap, Filters(), scope).donors["code"]}
    if donor.strip().lower() not in codes:
        raise ValueError(f"unknown donor '{donor}'; you may see: {', '.join(sorted(codes.values())) or 'none'}")
    donor = codes[donor.strip().lower()]
    base = filters or Filters()
    f = Filters(base.regions, (donor,), base.partners, base.key_factors, base.period_from, base.period_to)
    v = view(snap, f, scope)
    prog = progress_table(v)
    catalog = all_charts()
    builders = [(name, f"charts/{name}", lambda build=build: build(v, prog)) for name, build in catalog.items()]
    builders += [(code, f"charts/indicators/{_slug(code)}",
                  lambda code=code: chart_indicator_targets(v, prog, indicator=code)) for code in v.indicators["code"]]
    # the catalogue's indicator-targets is the first indicator's chart (its default indicator): drawn once
    targets_at = list(catalog).index("indicator-targets") \
        if catalog.get("indicator-targets") is chart_indicator_targets and len(builders) > len(catalog) else None
    charts, rendering = [], []
    tell(0, len(builders), "Drawing the charts")
    for n, (name, path, build) in enumerate(builders, start=1):
        fig = charts[targets_at][2] if n == len(catalog) + 1 and targets_at is not None else build()
        charts.append((name, path, fig))
        if renderer is not None:
            rendering.append(renderer.submit(fig))
        tell(n, len(builders), "Drawing the charts")
    buf = io.BytesIO()
    with _ReadableZip(buf) as z:
        sheets = {}
        for name in DATA_EXPORTS:  # while the charts render
            frame = data_frame(v, name)
            sheets[name] = frame
            z.writestr(f"data/{name}.csv", to_csv_bytes(frame))
        z.writestr(f"data/{_slug(donor)}-data.xlsx", to_xlsx_bytes(sheets))
        # the report too, each chart's image left as a slot filled in when the images have come
        slots = _Slots() if rendering else None
        shown = [(name, fig, slots.slot(f"{path}.svg") if slots else None) for name, path, fig in charts]
        sections, by_indicator = shown[:len(catalog)], shown[len(catalog):]
        report = _report_html(v, prog, donor, sections, by_indicator)
        files = _chart_files([(path, fig) for _, path, fig in charts], rendering, tell)
        if renderer is not None:
            renderer.refresh()
        for name, data in files.items():
            z.writestr(name, data)
        z.writestr("report.html", (slots.fill(report, files) if slots else report).encode("utf-8"))
    return buf.getvalue()


class _Slots:
    """Places in a page for files not there yet (the charts' SVG while Chromium draws them):
    `slot(name)` marks one, `fill(page, files)` puts each file's text in its place, with the
    remote addresses neutralised as the page's own (_report_html)."""

    def __init__(self):
        import uuid

        self.marker = f"<!--slot-{uuid.uuid4().hex}-"  # nothing uploaded can hold it
        self.names: list[str] = []

    def slot(self, name: str) -> str:
        self.names.append(name)
        return f"{self.marker}{len(self.names) - 1}-->"

    def fill(self, page: str, files: dict[str, bytes]) -> str:
        import re

        parts = re.split(re.escape(self.marker) + r"(\d+)-->", page)
        for n in range(1, len(parts), 2):
            parts[n] = neutralised(files[self.names[int(parts[n])]].decode("utf-8"))
        return "".join(parts)


def _chart_files(charts: list[tuple[str, object]], rendering: list, tell) -> dict[str, bytes]:
    """Each chart as PATH.png and PATH.svg (`rendering`: a Future of (svg, png) per chart), or
    without Chromium as a self-contained PATH.html; progress told as each chart's images come."""
    import concurrent.futures

    if not rendering:
        return {f"{path}.html": figure_html(fig) for path, fig in charts}
    total = 2 * len(charts)
    done = sum(1 for r in rendering if r.done())
    tell(2 * done, total, "Rendering the chart images")
    try:
        for r in concurrent.futures.as_completed([r for r in rendering if not r.done()]):
            r.result()  # a chart that fails stops the pack
            done += 1
            tell(2 * done, total, "Rendering the chart images")
        files: dict[str, bytes] = {}
        for (path, _), r in zip(charts, rendering):
            svg, png = r.result()
            files[f"{path}.png"], files[f"{path}.svg"] = png, svg
    finally:
        for r in rendering:
            r.cancel()
    if done < len(charts):
        tell(total, total, "Rendering the chart images")
    return files


def _t(value) -> str:
    """Text for the report: escaped, '' for missing."""
    return "" if value is None or (isinstance(value, float) and value != value) else html.escape(str(value))


def _period(v) -> tuple[str, str]:
    """The period a view covers: the filter's start, else the first period in the data; to
    the as-of date."""
    start = v.filters.start
    if start is None and len(v.values):
        start = min(v.values["period_start"])
    return (start.isoformat() if start else "no data"), v.as_of.isoformat()


def _baselines_text(rows: pd.DataFrame, measure: str) -> str:
    import pandas as pd

    if rows.empty:
        return "none"
    years = sorted({int(y) for y in rows["year"]})
    span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    text = f"{plural(rows['partner'].nunique(), 'partner')}, {span}"
    numbers = pd.to_numeric(rows["value"], errors="coerce").dropna() if "value" in rows else pd.Series(dtype=float)
    if measure != "qualitative" and len(numbers):
        lo, hi = numbers.min(), numbers.max()
        text += f"; values {lo:g}" if lo == hi else f"; values {lo:g} to {hi:g}"
    return text


def _table(prog: pd.DataFrame) -> str:
    """One row per indicator and administration: the period each figure is for, baseline,
    target, actual, progress, status and its note (so far, last figure, reports received)."""
    def number(x) -> str:
        return "" if x is None or x != x else f"{x:,.3f}".rstrip("0").rstrip(".")

    if prog.empty:
        return "<p class='note'>No indicator figure recorded.</p>"
    rows = ["<table><tr><th>indicator</th><th>administration</th><th>period</th><th>baseline</th><th>target</th>"
            "<th>actual</th><th>progress</th><th>status</th><th>note</th></tr>"]
    for r in prog.sort_values(["indicator", "partner_name"], kind="stable").to_dict("records"):
        progress = "" if r["progress"] != r["progress"] else f"{r['progress'] * 100:.0f} %"
        rows.append(f"<tr><td>{_t(r['indicator'])}</td><td>{_t(r['partner_name'])}</td><td>{_t(r['period'])}</td>"
                    f"<td>{number(r['baseline'])}</td><td>{number(r['target']) or _t(r['target_text'])}</td>"
                    f"<td>{number(r['actual']) or _t(r['text'])}</td><td>{progress}</td><td>{_t(r['status'])}</td>"
                    f"<td>{_t(r['note'])}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _chart(fig, svg) -> str:
    import plotly.io as pio

    if svg:
        return svg.decode("utf-8") if isinstance(svg, bytes) else svg
    return pio.to_html(fig, include_plotlyjs=False, full_html=False,
                       config={"displaylogo": False, "topojsonURL": "./", "responsive": True})


def _figures(v, prog: pd.DataFrame, as_of: str, indicator_charts) -> str:
    """The figures behind the charts: a section for every administration the donor funds
    (and the programme level), then one for every indicator with its chart and its table."""
    parts = ["<section id='figures'><h2>Figures</h2>",
             f"<p class='note'>As of {as_of}: each indicator and administration on its latest target period that "
             "ended by then (a range for running totals), or the one under way.</p>",
             "<h3>By administration</h3>"]
    partners = v.partners.sort_values("name", kind="stable")
    for code, name in zip(partners["code"], partners["name"]):
        parts.append(f"<section id='partner-{_t(code)}'><h4>{_t(name)} ({_t(code)})</h4>"
                     f"{_table(prog[prog['partner'] == code])}</section>")
    programme = prog[prog["partner"] == ""]
    if len(programme):
        parts.append(f"<section id='partner-programme'><h4>Programme level</h4>{_table(programme)}</section>")
    parts.append("<h3>By indicator</h3>")
    names = v.indicators.set_index("code")["name"]
    for code, fig, svg in indicator_charts:
        parts.append(f"<section id='indicator-{_t(code)}'><h4>{_t(code)} — {_t(names.get(code, code))}</h4>"
                     f"{_chart(fig, svg)}{_table(prog[prog['indicator'] == code])}"
                     f"<p class='note'>Chart files: charts/indicators/ in this pack.</p></section>")
    parts.append("</section>")
    return "".join(parts)


def _report_html(v, prog, donor: str, sections, indicator_charts=()) -> str:
    """The donor report: self-contained (inline SVG images; without Chromium, interactive
    charts with plotly.js inlined once), a section per chart, then the footnotes."""
    import pandas as pd

    from models.progress import progress_help

    donor_name = v.donors.set_index("code")["name"].get(donor, donor)
    as_of = v.as_of.isoformat()
    first, last = _period(v)
    partners = ", ".join(f"{_t(n)} ({_t(c)})" for c, n in zip(v.partners["code"], v.partners["name"])) or "none"
    demo_label = "Illustrative demo data: indicator values in this report are generated for demonstration and are not official results."
    demo = f"<p class='demo'><strong>{demo_label}</strong></p>" if v.is_demo else ""
    interactive = any(svg is None for _, _, svg in [*sections, *indicator_charts])
    head_scripts = ""
    if interactive:
        head_scripts = plotlyjs_block().decode("utf-8")
        if any(has_geo(fig) for _, fig, svg in sections if svg is None):
            head_scripts += "<script>window.PlotlyGeoAssets={topojson:{\"world_50m\":" + topojson_text() + "}};</script>"
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Resultsboard — donor report: {html.escape(donor_name)}</title>",
        "<style>body{font-family:Arial,sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em}.note{color:#555;font-size:.9em}"
        ".demo{background:#fff4d6;padding:.6em;border-left:4px solid #E69F00}"
        "table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}"
        "svg{max-width:100%;height:auto}</style>",
        head_scripts,
        "</head><body>",
        f"<h1>Donor report: {html.escape(donor_name)} ({html.escape(donor)})</h1>",
        f"<p class='note'>Partners funded: {len(v.partners)} — {partners}.<br>Filters: {html.escape(v.filters.describe())}"
        f" · Period: {first} to {last} · Data as of {as_of} · Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC</p>",
        demo,
    ]
    for n, (name, fig, svg) in enumerate(sections, start=1):
        title = plain_from_plotly(fig.layout.title.text) or name
        parts.append(f"<section id='{html.escape(name)}'><h2>{n}. {html.escape(title)}</h2>")
        parts.append(_chart(fig, svg))
        parts.append(f"<p class='note'>Data as of {as_of}. Chart <code>{html.escape(name)}</code>; "
                     f"its image files are in charts/ in this pack.</p></section>")
    parts.append(_figures(v, prog, as_of, indicator_charts))
    parts.append("<section id='footnotes'><h2>Footnotes</h2>")
    parts.append("<h3>Period and data</h3><ul class='note'>"
                 f"<li>Period: {first} to {last}; each indicator and administration is scored on its latest target "
                 "period that ended on or before the as-of date, named beside each figure.</li>"
                 f"<li>Data as of {as_of} (the end of the period filter, else the day the pack was made).</li>"
                 f"<li>Partners: the {plural(len(v.partners), 'partner administration')} {html.escape(donor_name)} funds; "
                 "programme-level values (no partner) are included where shown.</li>"
                 f"<li>{demo_label if v.is_demo else 'Data as imported into Resultsboard (not illustrative demo data).'}</li>"
                 "</ul>")
    parts.append("<h3>How progress is computed</h3>")
    parts.append(f"<p class='note'>{html.escape(progress_help())}</p>")
    parts.append("<h3>Indicator definitions and baselines</h3><table><tr><th>code</th><th>indicator</th><th>measure</th>"
                 "<th>direction</th><th>unit</th><th>key factor</th><th>baselines (partners, years, values)</th><th>definition</th></tr>")
    for r in v.indicators.to_dict("records"):
        btxt = _baselines_text(v.baselines[v.baselines["indicator"] == r["code"]], r["measure"])
        parts.append(
            f"<tr><td>{_t(r['code'])}</td><td>{_t(r['name'])}</td><td>{_t(r['measure'])}</td>"
            f"<td>{'higher is better' if r['ascending'] else 'lower is better'}</td><td>{_t(r['unit'])}</td>"
            f"<td>{'' if pd.isna(r['key_factor']) else int(r['key_factor'])}</td><td>{_t(btxt)}</td>"
            f"<td>{_t(r['description'])}</td></tr>")
    parts.append("</table>")
    parts.append(f"<p class='note'>Data as of {as_of}. {'Illustrative demo data, not official results.' if v.is_demo else ''}</p>")
    parts.append("</section></body></html>")
    return neutralised("\n".join(parts))

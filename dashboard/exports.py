"""Chart export (PNG, SVG, PDF via kaleido and the system Chromium; self-contained HTML),
a chart's own data as a table, and the donor pack: a library for the dashboard's download
buttons and the command line (which owns the flags, exit codes and the user's scope).

Offline by construction: kaleido gets a local plotly.js, no MathJax, the vendored world
topojson and a proxy that points nowhere, so Chromium cannot reach out; HTML inlines
plotly.js and, for maps, the topojson (`window.PlotlyGeoAssets`).
"""
from __future__ import annotations

import base64
import html
import io
import shutil
import threading
import zipfile
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.text import plain_from_plotly

if TYPE_CHECKING:  # plotly and pandas load when a chart is drawn, not on import
    import pandas as pd
    import plotly.graph_objects as go

STATIC = Path(__file__).resolve().parent / "static"
TOPOJSON_FILE = STATIC / "world_50m.json"
IMAGE_FORMATS = ("png", "svg", "pdf")
CHART_FORMATS = (*IMAGE_FORMATS, "html")
MIME = {
    "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html",
    "csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
NO_NETWORK_PROXY = "http://127.0.0.1:9"  # Chromium's own requests go nowhere
IMAGE_WIDTH, IMAGE_HEIGHT = 1100, 650
# Default remote addresses inside the inlined plotly.js bundle (the default topojson location
# and tile-map styles, which Resultsboard never uses) are pointed at nothing, so an exported
# page carries no CDN address a browser could try.
NEUTRALISED_URLS = (
    ("https://cdn.plot.ly/un/", "./"),
    ("https://cdn.jsdelivr.net/", "./"),
    ("cartocdn.com", "invalid"),
)

_kaleido_lock = threading.Lock()
_kaleido_started = False


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def images_available() -> bool:
    return chromium_path() is not None


NO_CHROMIUM_MESSAGE = (
    "Image export (PNG, SVG, PDF) needs Chromium, which is not installed on this server "
    "(Debian: apt-get install chromium). HTML and CSV exports still work."
)


def _local_plotlyjs() -> Path:
    """plotly.py's own plotly.min.js: kaleido would otherwise fall back to a CDN copy."""
    import plotly

    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise RuntimeError(f"plotly.js is missing from the plotly package ({path}); reinstall plotly")
    return path


def _kaleido_alive() -> bool:
    """The sync server's thread dies with its browser; a call to a dead server would wait forever."""
    import kaleido

    server = getattr(kaleido, "_global_server", None)
    if server is None or not server.is_running():
        return False
    thread = getattr(server, "_thread", None)
    return thread is None or thread.is_alive()


def _ensure_kaleido() -> None:
    """Start one long-lived kaleido/Chromium for this process (first image ~seconds, then
    ~0.2 s); start it again if its browser has gone. Call with _kaleido_lock held."""
    global _kaleido_started
    import kaleido

    if _kaleido_started and _kaleido_alive():
        return
    if _kaleido_started:
        _stop_kaleido()
    kaleido.start_sync_server(
        path=chromium_path(), plotlyjs=str(_local_plotlyjs()), mathjax=False, proxy_server=NO_NETWORK_PROXY,
        silence_warnings=True,
    )
    _kaleido_started = True


def _stop_kaleido() -> None:
    global _kaleido_started
    import kaleido

    try:
        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:  # noqa: BLE001 - a dead server may not stop cleanly; a new one replaces it
        pass
    _kaleido_started = False


def figure_image(fig: go.Figure, fmt: str, *, width: int = IMAGE_WIDTH, height: int | None = None) -> bytes:
    """PNG, SVG or PDF bytes of a figure."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"image format must be one of {', '.join(IMAGE_FORMATS)}")
    if not images_available():
        raise RuntimeError(NO_CHROMIUM_MESSAGE)
    import kaleido

    opts = {"format": fmt, "width": width, "height": height or fig.layout.height or IMAGE_HEIGHT}
    if fmt == "png":
        opts["scale"] = 2
    with _kaleido_lock:
        _ensure_kaleido()
        try:
            return kaleido.calc_fig_sync(fig, opts=opts, topojson=STATIC.as_uri() + "/")
        except Exception:
            if _kaleido_alive():
                raise  # the figure's fault, not the browser's
            _ensure_kaleido()  # the browser went away: one more try on a fresh one
            return kaleido.calc_fig_sync(fig, opts=opts, topojson=STATIC.as_uri() + "/")


@lru_cache(maxsize=1)
def _topojson_text() -> str:
    return TOPOJSON_FILE.read_text(encoding="utf-8")


def _has_geo(fig: go.Figure) -> bool:
    return any(getattr(t, "geo", None) is not None or t.type in ("choropleth", "scattergeo") for t in fig.data)


def figure_html(fig: go.Figure, *, title: str | None = None) -> bytes:
    """A self-contained HTML page: plotly.js inlined, maps' topojson inlined, no external URL."""
    page = fig.to_html(
        include_plotlyjs=True, full_html=True,
        config={"displaylogo": False, "topojsonURL": "./", "responsive": True},
    )
    head = f"<title>{html.escape(title or plain_from_plotly(fig.layout.title.text) or 'Resultsboard chart')}</title>"
    if _has_geo(fig):
        head += "<script>window.PlotlyGeoAssets={topojson:{\"world_50m\":" + _topojson_text() + "}};</script>"
    page = page.replace("<head>", "<head>" + head, 1)
    for remote, local in NEUTRALISED_URLS:
        page = page.replace(remote, local)
    return page.encode("utf-8")


def figure_bytes(fig: go.Figure, fmt: str) -> bytes:
    return figure_html(fig) if fmt == "html" else figure_image(fig, fmt)


# plotly.js typed-array codes (what fig.to_json() makes of numpy arrays) -> numpy dtypes
TYPED_ARRAY_DTYPES = {"f8": "float64", "f4": "float32", "i1": "int8", "u1": "uint8", "u1c": "uint8",
                      "i2": "int16", "u2": "uint16", "i4": "int32", "u4": "uint32"}


def _decode_typed_array(value):
    """A figure read back from JSON (the dashboard caches figures as JSON) carries numpy
    arrays as {"dtype": "f8", "bdata": base64, "shape": "2, 3"}; give the numbers back."""
    import numpy as np

    if not (isinstance(value, dict) and "bdata" in value and "dtype" in value):
        return value
    arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=TYPED_ARRAY_DTYPES.get(value["dtype"], value["dtype"]))
    if value.get("shape"):
        arr = arr.reshape(tuple(int(n) for n in str(value["shape"]).split(",")))
    return arr


def _values(value) -> list:
    """A trace attribute as a flat list of plain Python values (tuples, lists, numpy arrays
    and plotly.js typed arrays alike; a single string or number is one value)."""
    import pandas as pd

    value = _decode_typed_array(value)
    if isinstance(value, (str, bytes, int, float)):
        return [value]
    if getattr(value, "ndim", None) == 1:  # numpy: plain floats, ints, Timestamps
        return pd.Series(value).tolist()
    return list(value)


def _is_grid(value) -> bool:
    return value is not None and len(value) > 0 and all(
        isinstance(row, (list, tuple)) or getattr(row, "ndim", 0) == 1 for row in value)


def _plain(value):
    """A chart's value as data: text the chart builders escaped for Plotly (dashboard.text.plotly_text) as typed."""
    return html.unescape(value) if isinstance(value, str) else value


def figure_data(fig: go.Figure) -> pd.DataFrame:
    """The numbers behind a chart, one row per point of each trace (for 'data as CSV')."""
    import pandas as pd

    frames = []
    for trace in fig.data:
        cols = {}
        z = _decode_typed_array(getattr(trace, "z", None))
        if _is_grid(z):  # heatmaps: one row per cell
            rows = [_values(row) for row in z]
            x, y = getattr(trace, "x", None), getattr(trace, "y", None)
            xs = [_plain(v) for v in _values(x)] if x is not None else list(range(max(len(r) for r in rows)))
            ys = [_plain(v) for v in _values(y)] if y is not None else list(range(len(rows)))
            cols = {
                "y": [ys[i] if i < len(ys) else i for i, row in enumerate(rows) for _ in row],
                "x": [xs[j] if j < len(xs) else j for row in rows for j in range(len(row))],
                "z": [v for row in rows for v in row],
            }
        else:
            for attr in ("locations", "labels", "x", "y", "z", "values", "base", "text", "r", "theta"):
                value = getattr(trace, attr, None)
                if value is not None:
                    cols[attr] = [_plain(v) for v in _values(value)]
        cols = {k: v for k, v in cols.items() if len(v)}
        if not cols:
            continue
        n = max(len(v) for v in cols.values())
        frame = pd.DataFrame({k: (v if len(v) == n else (v * n if len(v) == 1 else v + [None] * (n - len(v)))) for k, v in cols.items()})
        frame.insert(0, "series", html.unescape(trace.name or trace.type))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["series"])


# --------------------------------------------------------------------------------------
# the donor pack


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text).strip("-").lower()


class _ReadableZip(zipfile.ZipFile):
    """A zip whose files unpack readable by everyone (rw-r--r--), not zipfile's default 0600."""

    def writestr(self, name, data, *args, **kwargs):  # noqa: D102 - zipfile.ZipFile.writestr
        if isinstance(name, str):
            name = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
            name.compress_type = self.compression
            name.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
        return super().writestr(name, data, *args, **kwargs)


def build_pack(engine, donor: str, *, scope, filters=None, with_images: bool | None = None) -> bytes:
    """A zip for one donor: every chart (PNG and SVG; self-contained HTML where Chromium is
    missing), the data (CSV files and one XLSX workbook) and a self-contained HTML report
    with a section per chart and footnotes."""
    from dashboard.charts.catalog import all_charts
    from models.exporting import DATA_EXPORTS, data_frame, to_csv_bytes, to_xlsx_bytes
    from models.queries.filters import Filters
    from models.queries.rollups import progress_table
    from models.queries.snapshot import load_snapshot, view

    snap = load_snapshot(engine)
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
    images = images_available() if with_images is None else with_images
    buf = io.BytesIO()
    sections = []
    with _ReadableZip(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, build in all_charts().items():
            fig = build(v, prog)
            svg = None
            if images:
                svg = figure_image(fig, "svg")
                z.writestr(f"charts/{name}.png", figure_image(fig, "png"))
                z.writestr(f"charts/{name}.svg", svg)
            else:
                z.writestr(f"charts/{name}.html", figure_html(fig))
            sections.append((name, fig, svg))
        sheets = {}
        for name in DATA_EXPORTS:
            frame = data_frame(v, name)
            sheets[name] = frame
            z.writestr(f"data/{name}.csv", to_csv_bytes(frame))
        z.writestr(f"data/{_slug(donor)}-data.xlsx", to_xlsx_bytes(sheets))
        z.writestr("report.html", _report_html(v, prog, donor, sections).encode("utf-8"))
    return buf.getvalue()


def _t(value) -> str:
    """Text for the report: escaped, '' for missing."""
    return "" if value is None or (isinstance(value, float) and value != value) else html.escape(str(value))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


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
    text = f"{_plural(rows['partner'].nunique(), 'partner')}, {span}"
    numbers = pd.to_numeric(rows["value"], errors="coerce").dropna() if "value" in rows else pd.Series(dtype=float)
    if measure != "qualitative" and len(numbers):
        lo, hi = numbers.min(), numbers.max()
        text += f"; values {lo:g}" if lo == hi else f"; values {lo:g} to {hi:g}"
    return text


def _figures_table(prog: pd.DataFrame, as_of: str) -> str:
    """The figures behind the charts, one row per indicator and administration: the period
    each is for, baseline, target, actual, progress, status and its note (so far, last
    figure, reports received)."""
    def number(x) -> str:
        return "" if x is None or x != x else f"{x:,.3f}".rstrip("0").rstrip(".")

    rows = [f"<p class='note'>As of {as_of}: each indicator and administration on its latest target period that "
            "ended by then (a range for running totals), or the one under way.</p>",
            "<table><tr><th>indicator</th><th>administration</th><th>period</th><th>baseline</th><th>target</th>"
            "<th>actual</th><th>progress</th><th>status</th><th>note</th></tr>"]
    for r in prog.sort_values(["indicator", "partner_name"], kind="stable").to_dict("records"):
        progress = "" if r["progress"] != r["progress"] else f"{r['progress'] * 100:.0f} %"
        rows.append(f"<tr><td>{_t(r['indicator'])}</td><td>{_t(r['partner_name'])}</td><td>{_t(r['period'])}</td>"
                    f"<td>{number(r['baseline'])}</td><td>{number(r['target']) or _t(r['target_text'])}</td>"
                    f"<td>{number(r['actual']) or _t(r['text'])}</td><td>{progress}</td><td>{_t(r['status'])}</td>"
                    f"<td>{_t(r['note'])}</td></tr>")
    rows.append("</table>")
    return "<section id='figures'><h2>Figures</h2>" + "".join(rows) + "</section>"


def _report_html(v, prog, donor: str, sections) -> str:
    """The donor report: self-contained (inline SVG images; without Chromium, interactive
    charts with plotly.js inlined once), a section per chart, then the footnotes."""
    import pandas as pd
    import plotly.io as pio

    from models.progress import progress_help

    donor_name = v.donors.set_index("code")["name"].get(donor, donor)
    as_of = v.as_of.isoformat()
    first, last = _period(v)
    partners = ", ".join(f"{_t(n)} ({_t(c)})" for c, n in zip(v.partners["code"], v.partners["name"])) or "none"
    demo_label = "Illustrative demo data: indicator values in this report are generated for demonstration and are not official results."
    demo = f"<p class='demo'><strong>{demo_label}</strong></p>" if v.is_demo else ""
    interactive = any(svg is None for _, _, svg in sections)
    head_scripts = ""
    if interactive:
        from plotly.offline import get_plotlyjs

        js = get_plotlyjs()
        for remote, local in NEUTRALISED_URLS:
            js = js.replace(remote, local)
        head_scripts = f"<script>{js}</script>"
        if any(_has_geo(fig) for _, fig, svg in sections if svg is None):
            head_scripts += "<script>window.PlotlyGeoAssets={topojson:{\"world_50m\":" + _topojson_text() + "}};</script>"
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
        if svg:
            parts.append(svg.decode("utf-8") if isinstance(svg, bytes) else svg)
        else:
            parts.append(pio.to_html(fig, include_plotlyjs=False, full_html=False,
                                     config={"displaylogo": False, "topojsonURL": "./", "responsive": True}))
        parts.append(f"<p class='note'>Data as of {as_of}. Chart <code>{html.escape(name)}</code>; "
                     f"its image files are in charts/ in this pack.</p></section>")
    parts.append(_figures_table(prog, as_of))
    parts.append("<section id='footnotes'><h2>Footnotes</h2>")
    parts.append("<h3>Period and data</h3><ul class='note'>"
                 f"<li>Period: {first} to {last}; each indicator and administration is scored on its latest target "
                 "period that ended on or before the as-of date, named beside each figure.</li>"
                 f"<li>Data as of {as_of} (the end of the period filter, else the day the pack was made).</li>"
                 f"<li>Partners: the {_plural(len(v.partners), 'partner administration')} {html.escape(donor_name)} funds; "
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
    page = "\n".join(parts)
    for remote, local in NEUTRALISED_URLS:
        page = page.replace(remote, local)
    return page

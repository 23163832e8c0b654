"""Chart export (PNG, SVG, PDF via kaleido and the system Chromium; self-contained HTML): a
library for the dashboard's download buttons, the donor pack (dashboard/packs.py) and the
command line (which owns the flags, exit codes and scope). A chart's own data as a table and
its download names live in dashboard/chart_data.py.

Offline by construction: kaleido gets a local plotly.js, no MathJax, the vendored world
topojson and a proxy that points nowhere, so Chromium cannot reach out; HTML inlines
plotly.js and, for maps, the topojson (`window.PlotlyGeoAssets`).

One image (a download button, `export chart`) goes through kaleido's own sync server; many
(the donor pack) through ChartRenderer: its own kaleido Chromium, started early, drawing each
chart once as SVG and PNG while the caller goes on, and keeping the images by content.
"""
from __future__ import annotations

import base64
import html
import shutil
import threading
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
RENDER_TABS = 2  # Chromium tabs rendering at once: a donor pack's charts render two by two


def _kaleido_options() -> dict:
    """How every kaleido Chromium is started (single images and packs alike): the system
    Chromium, the local plotly.js, no MathJax and no network."""
    return {"n": RENDER_TABS, "path": chromium_path(), "plotlyjs": str(_local_plotlyjs()), "mathjax": False,
            "proxy_server": NO_NETWORK_PROXY}
# Default remote addresses inside the inlined plotly.js bundle (the default topojson location
# and tile-map styles, which Resultsboard never uses) are pointed at nothing, so an exported
# page carries no CDN address a browser could try.
NEUTRALISED_URLS = (
    ("https://cdn.plot.ly/un/", "./"),
    ("https://cdn.jsdelivr.net/", "./"),
    ("cartocdn.com", "invalid"),
)


def neutralised(text: str) -> str:
    """`text` with NEUTRALISED_URLS' remote addresses pointed at nothing."""
    for remote, local in NEUTRALISED_URLS:
        text = text.replace(remote, local)
    return text

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
    kaleido.start_sync_server(**_kaleido_options(), silence_warnings=True)
    _kaleido_started = True


def _stop_kaleido() -> None:
    global _kaleido_started
    import kaleido

    try:
        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:  # noqa: BLE001 - a dead server may not stop cleanly; a new one replaces it
        pass
    _kaleido_started = False


def _image_opts(fig: go.Figure, fmt: str, width: int, height: int | None) -> dict:
    """kaleido's options for one image (the format checked first, then that Chromium is here)."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"image format must be one of {', '.join(IMAGE_FORMATS)}")
    if not images_available():
        raise RuntimeError(NO_CHROMIUM_MESSAGE)
    opts = {"format": fmt, "width": width, "height": height or fig.layout.height or IMAGE_HEIGHT}
    if fmt == "png":
        opts["scale"] = 2
    return opts


def _with_kaleido(render):
    """Run render() on the process's kaleido server, started (or restarted) as needed; a
    failure on a browser that went away is tried once more on a fresh one."""
    if not images_available():
        raise RuntimeError(NO_CHROMIUM_MESSAGE)
    with _kaleido_lock:
        _ensure_kaleido()
        try:
            return render()
        except Exception:
            if _kaleido_alive():
                raise  # the figure's fault, not the browser's
            _ensure_kaleido()  # the browser went away: one more try on a fresh one
            return render()


def figure_image(fig: go.Figure, fmt: str, *, width: int = IMAGE_WIDTH, height: int | None = None) -> bytes:
    """PNG, SVG or PDF bytes of a figure."""
    import kaleido

    opts = _image_opts(fig, fmt, width, height)
    return _with_kaleido(lambda: kaleido.calc_fig_sync(fig, opts=opts, topojson=STATIC.as_uri() + "/"))


# --------------------------------------------------------------------------------------
# many charts at once (the donor pack): one Chromium, each chart drawn once

# One call per chart in a tab that stays loaded (kaleido reloads its page, and so parses
# plotly.js again, after every image): the chart is drawn once as SVG, and its PNG is that SVG
# painted on a canvas at PNG_SCALE (what plotly.js's own PNG export does after drawing the
# same SVG again). The tab's plotly.js and kaleido's page are kaleido's, as for figure_image.
_CHART_JS = """async (fig, width, height, scale, topojsonURL) => {
  const config = Object.assign({mapboxAccessToken: null, plotGlPixelRatio: scale * 2, topojsonURL}, fig.config || {});
  const svg = await Plotly.toImage({data: fig.data, layout: fig.layout, config},
                                   {format: 'svg', width, height, scale: 1, imageDataOnly: true, setBackground: ''});
  const png = await Plotly.Snapshot.svgToImg({format: 'png', width, height, scale, promise: true,
                                              canvas: document.createElement('canvas'),
                                              svg: svg.replace(/ viewBox="[^"]*"/, '')});
  return {svg, png: png.slice(png.indexOf(',') + 1)};
}"""
PNG_SCALE = 2  # a chart's PNG is twice its size in pixels, as figure_image's
CHART_TIMEOUT = 90  # seconds for one chart, as kaleido's own
CACHE_BYTES = 96 * 1024 * 1024  # chart images kept by content (about ten donor packs)


class ChartRenderer:
    """One kaleido Chromium with RENDER_TABS tabs on its own event loop thread, drawing
    charts as SVG and PNG: `submit(fig)` returns at once (a Future of (svg, png) bytes), so
    charts render while the caller draws the next ones and writes the rest of its files.
    Images are kept by the figure's content: the same chart again (another donor's pack with
    the same figure, the same pack again, or a chart submitted while the same one is being
    drawn) is not drawn again."""

    def __init__(self):
        import asyncio
        import concurrent.futures
        from collections import OrderedDict

        self._asyncio = asyncio
        self._cache: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
        self._cache_size = 0
        self._cache_lock = threading.Lock()
        self._drawing: dict[str, concurrent.futures.Future] = {}  # key -> the render under way
        self._generation = 0  # refresh() counts up; a tab loaded before the last refresh is reloaded when next used
        self._tab_generation: dict[int, int] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="resultsboard-charts", daemon=True)
        self._thread.start()
        self._browser: concurrent.futures.Future = asyncio.run_coroutine_threadsafe(self._open(), self._loop)

    async def _open(self):
        import kaleido

        browser = kaleido.Kaleido(**_kaleido_options())
        await browser.open()
        return browser

    def alive(self) -> bool:
        """The browser started (or is starting) and has not gone away."""
        if not self._thread.is_alive():
            return False
        if not self._browser.done():
            return True
        if self._browser.exception() is not None:
            return False
        process = getattr(self._browser.result(), "subprocess", None)
        return process is not None and process.poll() is None

    def submit(self, fig: go.Figure, *, width: int = IMAGE_WIDTH, height: int | None = None):
        """A Future of the chart's (SVG bytes, PNG bytes), rendered at `width` x `height`
        (default: the figure's height) — the same images as figure_image's SVG and PNG."""
        import concurrent.futures
        import hashlib

        if not images_available():
            raise RuntimeError(NO_CHROMIUM_MESSAGE)
        height = height or fig.layout.height or IMAGE_HEIGHT
        spec = fig.to_json()
        key = hashlib.sha256(f"{width}x{height}@{PNG_SCALE}:{spec}".encode()).hexdigest()
        mine: concurrent.futures.Future = concurrent.futures.Future()
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                mine.set_result(self._cache[key])
                return mine
            drawing = self._drawing.get(key)
            if drawing is None:  # not being drawn: draw it (the same chart submitted meanwhile waits for this)
                drawing = self._asyncio.run_coroutine_threadsafe(self._render(key, spec, width, height), self._loop)
                self._drawing[key] = drawing
                drawing.add_done_callback(lambda _, key=key: self._forget(key))
        # each caller its own Future: one cancelling its own (a pack that failed) stops no other's
        drawing.add_done_callback(lambda done: _pass_on(done, mine))
        return mine

    def _forget(self, key: str) -> None:
        with self._cache_lock:
            self._drawing.pop(key, None)

    async def _render(self, key: str, spec: str, width: int, height: int) -> tuple[bytes, bytes]:
        import json

        browser = await self._asyncio.wrap_future(self._browser)
        tab = await browser.tabs_ready.get()
        try:
            if self._tab_generation.setdefault(id(tab), 0) != self._generation:  # refreshed since it last drew
                await tab.reload()
                self._tab_generation[id(tab)] = self._generation
            args = ", ".join(json.dumps(a) for a in (width, height, PNG_SCALE, STATIC.as_uri() + "/"))
            response = await self._asyncio.wait_for(tab.tab.send_command("Runtime.evaluate", params={
                # the figure as a JSON string for JSON.parse: V8 reads that faster than the same object as code
                "expression": f"({_CHART_JS})(JSON.parse({json.dumps(spec)}), {args})", "awaitPromise": True,
                "returnByValue": True,
            }), CHART_TIMEOUT)
        finally:
            browser.tabs_ready.put_nowait(tab)
        result = response.get("result", {})
        if "error" in response or "exceptionDetails" in result:
            details = response.get("error") or result["exceptionDetails"]
            raise RuntimeError(f"Chart image failed: {details.get('exception', {}).get('description') or details}")
        value = result["result"]["value"]
        images = (value["svg"].encode("utf-8"), base64.b64decode(value["png"]))
        with self._cache_lock:
            if key not in self._cache:
                self._cache[key] = images
                self._cache_size += sum(len(b) for b in images)
            while self._cache_size > CACHE_BYTES and len(self._cache) > 1:
                _, dropped = self._cache.popitem(last=False)
                self._cache_size -= sum(len(b) for b in dropped)
        return images

    def refresh(self) -> None:
        """The tabs' page loaded afresh before each draws again (after a pack: a long-running
        server's next pack starts on clean tabs). A tab reloads when it is next used, not now: a
        command that exits after its pack reloads nothing, and a server's reload overlaps the
        next pack's first charts being drawn."""
        def later():
            self._generation += 1

        self._loop.call_soon_threadsafe(later)

    def close(self) -> None:
        if not self._thread.is_alive():  # closed already
            return

        async def close():
            try:  # a browser still starting (a pack refused at once) is waited for, then closed: never left running
                browser = await self._asyncio.wait_for(self._asyncio.wrap_future(self._browser), 15)
            except Exception:  # noqa: BLE001 - it never started, or went away
                return
            await browser.close()

        try:
            self._asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=15)
        except Exception:  # noqa: BLE001 - a browser that went away may not close cleanly
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


def _pass_on(done, to) -> None:
    """`done`'s outcome given to the Future `to` (unless its caller cancelled it)."""
    import concurrent.futures

    try:
        if done.cancelled():
            to.cancel()
        elif done.exception() is not None:
            to.set_exception(done.exception())
        else:
            to.set_result(done.result())
    except concurrent.futures.InvalidStateError:  # cancelled by its caller meanwhile
        pass


_renderer: ChartRenderer | None = None
_renderer_lock = threading.Lock()


def chart_renderer() -> ChartRenderer:
    """The process's ChartRenderer, started on first use (Chromium starts in the background:
    call this early, before the charts are drawn) and again if its browser has gone."""
    global _renderer
    import atexit

    with _renderer_lock:
        if _renderer is not None and not _renderer.alive():
            _renderer.close()
            _renderer = None
        if _renderer is None:
            if not images_available():
                raise RuntimeError(NO_CHROMIUM_MESSAGE)
            if not _renderer_atexit:
                atexit.register(_close_renderer)
                _renderer_atexit.append(True)
            _renderer = ChartRenderer()
        return _renderer


_renderer_atexit: list = []


def _close_renderer() -> None:
    global _renderer
    with _renderer_lock:
        if _renderer is not None:
            _renderer.close()
            _renderer = None


@lru_cache(maxsize=1)
def topojson_text() -> str:
    return TOPOJSON_FILE.read_text(encoding="utf-8")


def has_geo(fig: go.Figure) -> bool:
    return any(getattr(t, "geo", None) is not None or t.type in ("choropleth", "scattergeo") for t in fig.data)


HTML_CONFIG = {"displaylogo": False, "topojsonURL": "./", "responsive": True}
_PLOTLYJS_SLOT = "resultsboard-plotly-js-9f61c2d0.js"  # where plotly.js goes in a page (to_html's own <script src>)


@lru_cache(maxsize=1)
def plotlyjs_block() -> bytes:
    """plotly.js as to_html(include_plotlyjs=True) inlines it, its remote addresses neutralised,
    as UTF-8: made once, not for every page (4.6 MB of text each time)."""
    from plotly.offline import get_plotlyjs

    return f"<script>{neutralised(get_plotlyjs())}</script>".encode("utf-8")


def figure_html(fig: go.Figure, *, title: str | None = None) -> bytes:
    """A self-contained HTML page: plotly.js inlined, maps' topojson inlined, no external URL.

    The page is Plotly's own (to_html with plotly.js inlined); it is made around plotly.js rather
    than with it inside: to_html writes a <script src> where plotly.js goes, which the
    neutralised plotly.js made once (plotlyjs_block) then takes the place of."""
    page = fig.to_html(include_plotlyjs=_PLOTLYJS_SLOT, full_html=True, config=HTML_CONFIG)
    head = f"<title>{html.escape(title or plain_from_plotly(fig.layout.title.text) or 'Resultsboard chart')}</title>"
    if has_geo(fig):
        head += "<script>window.PlotlyGeoAssets={topojson:{\"world_50m\":" + topojson_text() + "}};</script>"
    page = page.replace("<head>", "<head>" + head, 1)
    slot = f'<script charset="utf-8" src="{_PLOTLYJS_SLOT}"></script>'
    before, found, after = page.partition(slot)
    slotted = bool(found) and slot not in after
    if not slotted:  # not the page this expects (another plotly): plotly.js inlined by to_html itself
        page = fig.to_html(include_plotlyjs=True, full_html=True, config=HTML_CONFIG).replace("<head>", "<head>" + head, 1)
        before, after = page, ""
    before, after = (neutralised(part).encode("utf-8") for part in (before, after))
    return before + (plotlyjs_block() if slotted else b"") + after


def figure_bytes(fig: go.Figure, fmt: str) -> bytes:
    return figure_html(fig) if fmt == "html" else figure_image(fig, fmt)


# --------------------------------------------------------------------------------------
# the donor pack

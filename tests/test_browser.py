"""Browser tests: the real `resultsboard serve` on a demo database, driven by Chromium.

Journeys 1, 2, 4 and 5 end to end, as a person sees them: every page opens and draws its
charts, the offline map draws the partner countries, the filters survive a page switch and
a shared link, an upload goes through the browser into the database and the history, and
an export button delivers a file. Every request the browser makes is checked: anything not
addressed to this machine is aborted and recorded, and each test asserts none was made.

Uses the system Chromium (`playwright install` cannot download here); without it the
module skips (fails under CI=true). Screenshots of failing tests go to
<tmp>/resultsboard-screenshots/.

Under pytest-xdist the module's tests run on one worker (conftest.py, ONE_WORKER_MODULES),
so one server and one browser serve them all; no test relies on another having run before
it.
"""
from __future__ import annotations

import csv
import io
import itertools
import re
import socket
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import SEEDS, WORKER, checkout_env, copy_sqlite, skip_or_fail
from servers import served

SCREENSHOTS = Path(tempfile.gettempdir()) / "resultsboard-screenshots"

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]
# A foreign host name that resolves to this machine, for the DNS-rebinding test: the worker's
# one Chromium (conftest.rb_browser) is started with this rule (a .test name is never real).
REBIND_HOST = "rebind.test"
REBIND_RULE = f"--host-resolver-rules=MAP {REBIND_HOST} 127.0.0.1"
# Pages of the router (url paths; the default page, the overview, is served at the root "").
EXPECTED_PAGES = ["", "regions", "donors", "partner", "indicators", "key-factors", "activities",
                  "reporting", "upload", "history"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

RENDER_TIMEOUT = 60_000  # ms: a first render (cold caches, first snapshot) can take several seconds
CHART_TIMEOUT = 30_000

# --- screenshots of failing tests -----------------------------------------------------


class _Reports:
    """Keeps each phase's report on the test item (pytest-playwright does the same), so the
    page fixture can tell in its teardown whether the test failed."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        rep = outcome.get_result()
        setattr(item, f"_rb_rep_{rep.when}", rep)


def _test_failed(node) -> bool:
    rep = getattr(node, "_rb_rep_call", None) or getattr(node, "rep_call", None)
    return rep is None or rep.failed


# --- database and server ------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, demo_sqlite_file):
    """A copy of the demo database in a temporary folder of its own."""
    return copy_sqlite(demo_sqlite_file, tmp_path_factory.mktemp("browser") / "demo.db")


@pytest.fixture(scope="session")
def server(demo_db):
    """`resultsboard serve` on a free port, run from a folder outside the checkout (with
    this checkout first on the path: the code under test, whatever else is installed)."""
    with served(demo_db.parent, checkout_env(DATABASE_URL=f"sqlite:///{demo_db}")) as port:
        yield f"http://127.0.0.1:{port}"


# --- browser, with the network guard --------------------------------------------------


def _closed_port() -> socket.socket:
    """A TCP port on 127.0.0.1 that is bound and never listens: a connection to it is refused
    at once. Held for the whole process, so no other program can take it."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    return s


# The guarded contexts' proxy: every request not addressed to this machine goes to it and fails
# (connection refused); local ones bypass it.
DEAD_PROXY = _closed_port()
GUARD_PROXY = {"server": f"http://127.0.0.1:{DEAD_PROXY.getsockname()[1]}", "bypass": "127.0.0.1,localhost,[::1]"}


class Guard:
    """Opens browser pages whose every request is checked: local ones go through, anything
    else is recorded and fails ("no request leaves the machine").

    The blocking is the context's proxy (GUARD_PROXY: a port that refuses every connection,
    bypassed by 127.0.0.1 and localhost only), not a Playwright route: a route would take
    each request through this process and turn off the browser's HTTP cache, so that every
    page load fetched Streamlit's scripts anew. Every request is still seen (the context's
    "request" event) and recorded when it is addressed elsewhere."""

    def __init__(self, browser, name: str):
        self.browser = browser
        self.name = name
        self.leaks: list[str] = []
        self.responses: list[tuple[str, int]] = []
        self.contexts = []
        self.pages = []

    def _local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob") or (parts.hostname or "") in LOCAL_HOSTS

    def _request(self, request) -> None:
        if not self._local(request.url):
            self._leak(request.url)

    def _leak(self, url: str) -> None:
        self.leaks.append(url)

    def _websocket(self, ws):
        if (urlsplit(ws.url).hostname or "") not in LOCAL_HOSTS:
            self._leak(ws.url)

    def new_page(self):
        context = self.browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True,
                                           proxy=GUARD_PROXY)
        context.set_default_timeout(RENDER_TIMEOUT)
        context.on("request", self._request)
        page = context.new_page()
        page.on("websocket", self._websocket)
        page.on("response", lambda r: self.responses.append((r.url, r.status)))
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def assert_offline(self) -> None:
        assert self.leaks == [], f"requests tried to leave the machine: {self.leaks}"

    def close(self, failed: bool) -> None:
        for i, page in enumerate(self.pages):
            if failed:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                shot = SCREENSHOTS / f"{WORKER}-{self.name}-{i}.png"
                try:
                    page.screenshot(path=str(shot), full_page=True)
                    print(f"screenshot: {shot} ({page.url})")
                except Exception as exc:  # a closed or crashed page: nothing to show
                    print(f"no screenshot for page {i}: {exc}")
        for context in self.contexts:
            try:
                context.close()
            except Exception:
                pass


@pytest.fixture
def guard(rb_browser, request):
    """The test's guarded pages; after the test (whatever it asserted, and including requests
    made after its last assertion) no request may have tried to leave the machine."""
    g = Guard(rb_browser, request.node.name)
    yield g
    g.close(_test_failed(request.node))
    g.assert_offline()


# --- helpers: waiting for Streamlit, reading the page --------------------------------------


# In the page, every 100 ms: the script not running and no spinner, three times in a row
# (a rerun can follow a rerun). The count lives on `window` under a name of this call's own.
_QUIET = """key => {
    const app = document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]');
    const busy = !app || document.querySelector('[data-testid="stSpinner"], [data-testid="stSkeleton"]');
    window[key] = busy ? 0 : (window[key] || 0) + 1;
    return window[key] >= 3;
}"""


def settle(page, timeout: int = RENDER_TIMEOUT) -> None:
    """Wait until the app is connected, the script has finished and no spinner shows, steady
    for three looks 100 ms apart (~0.3 s). The looks are taken in the page, not one round
    trip to the browser each."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=timeout)
    try:
        page.wait_for_function(_QUIET, arg=f"__rbQuiet{next(_SETTLES)}", polling=100, timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"the page did not settle in {timeout / 1000:.0f} s: {page.url}") from None


_SETTLES = itertools.count()


def open_app(page, base: str, path: str):
    page.goto(f"{base}/{path}", wait_until="domcontentloaded")
    settle(page)
    return page


def goto_by_nav(page, path: str) -> None:
    """Switch page as a person does: click the page in the sidebar navigation."""
    if urlsplit(page.url).path.strip("/") == path:
        return
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]') if path else \
        page.locator('[data-testid="stSidebarNav"] a').first
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    arrived = lambda url: urlsplit(url).path.strip("/") == path  # noqa: E731
    link.first.click()
    try:
        page.wait_for_url(arrived, timeout=20_000)
    except PlaywrightTimeout:  # a click lost while the app was busy (seen once on a loaded machine): as a person would, click again
        link.first.click()
        page.wait_for_url(arrived, timeout=40_000)
    settle(page)


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def no_exception(page, where: str) -> None:
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        raise AssertionError(f"{where}: Streamlit exception on the page:\n{boxes.first.inner_text()[:1500]}")


def charts_drawn(page, where: str) -> int:
    """Wait until every Plotly chart on the page has drawn its SVG; return how many did."""
    charts = page.locator('[data-testid="stPlotlyChart"]')
    try:
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                     .every(c => c.querySelector('svg.main-svg'))""",
            timeout=CHART_TIMEOUT,
        )
    except Exception:
        pass
    total = charts.count()
    drawn = page.locator('[data-testid="stPlotlyChart"]:has(svg.main-svg)').count()
    assert drawn == total, f"{where}: {total - drawn} of {total} charts did not draw"
    return drawn


def nav_paths(page) -> list[str]:
    """The url paths of the sidebar navigation (expanding "View more" if it is collapsed)."""
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    if more.count() and "more" in more.inner_text().lower():
        more.click()
    links = page.locator('[data-testid="stSidebarNav"] a')
    links.first.wait_for()
    paths = []
    for href in links.evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        path = urlsplit(href or "").path.strip("/").split("/")[-1]
        paths.append(path)
    return paths


def sidebar_multiselect(page, label: str):
    sidebar = page.locator('[data-testid="stSidebar"]')
    return sidebar.locator('[data-testid="stMultiSelect"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    )


def demo_row(indicator: str, partner: str) -> dict:
    """A real demo results row with an actual, to update from the browser."""
    with open(SEEDS / "07_results.csv", newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["indicator"] == indicator and row["partner"] == partner and row["actual"] and not row["dimension"]:
                return row
    raise AssertionError(f"no demo row for {indicator}/{partner}")


def stored_actual(db: Path, indicator: str, partner: str, start: str, end: str):
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            """SELECT v.actual FROM result_value v
               JOIN indicator i ON i.id = v.indicator_id JOIN partner p ON p.id = v.partner_id
               WHERE i.code = ? AND p.code = ? AND v.period_start = ? AND v.period_end = ?
                 AND v.dimension = '' AND v.dimension_value = ''""",
            (indicator, partner, start, end),
        ).fetchall()
    assert len(rows) == 1, rows
    return rows[0][0]


# --- the tests ----------------------------------------------------------------------------


def test_network_guard_catches_outside_requests(rb_browser, server):
    """The guard is not vacuous: a request to a CDN (by name or by address) is recorded and
    stopped at the guard's proxy (not merely unanswered: this machine may have no network),
    a local one goes through."""
    g = Guard(rb_browser, "control")
    try:
        page = g.new_page()
        failed = []
        page.on("requestfailed", lambda r: failed.append((r.url, r.failure)))
        page.goto(f"{server}/_stcore/health")
        assert "ok" in page.content()
        outside = ["https://cdn.plot.ly/world_50m.json", "http://151.101.1.229/world_50m.json"]
        for url in outside:
            outcome = page.evaluate("url => fetch(url).then(() => 'fetched', () => 'blocked')", url)
            assert outcome == "blocked", url
        assert g.leaks == outside, g.leaks
        for _ in range(100):  # the failure events reach this process after the fetches' answers
            if len(failed) >= len(outside):
                break
            page.wait_for_timeout(50)
        assert failed == [(url, "net::ERR_PROXY_CONNECTION_FAILED") for url in outside], failed
    finally:
        g.close(failed=False)


def test_every_page_opens_and_draws_its_charts(server, guard):
    """Journey 1: every page of the navigation opens without an exception; charts draw;
    the region and donor views are there."""
    page = guard.new_page()
    t0 = time.monotonic()
    open_app(page, server, "")
    print(f"first render: {time.monotonic() - t0:.1f} s")
    overview = main_text(page)
    paths = nav_paths(page)
    missing = [p for p in EXPECTED_PAGES if p not in paths]
    assert not missing, f"pages missing from the navigation: {missing} (nav: {paths})"

    per_page = {}
    for path in paths:
        t0 = time.monotonic()
        goto_by_nav(page, path)
        t1 = time.monotonic()
        assert urlsplit(page.url).path.strip("/") == path, (path, page.url)
        assert page.get_by_text("Page not found").count() == 0, f"/{path}: page not found"
        no_exception(page, f"/{path}")
        per_page[path] = charts_drawn(page, f"/{path}")
        print(f"/{path}: {per_page[path]} charts drawn in {time.monotonic() - t0:.1f} s (settled {t1 - t0:.1f})")

    assert len(per_page) >= 5, per_page
    assert sum(per_page.values()) >= 6, f"charts drawn per page: {per_page}"
    for view in ("", "regions", "donors"):
        assert per_page.get(view, 0) >= 1, f"/{view} draws no chart: {per_page}"
    assert re.search(r"region", overview, re.I) and re.search(r"donor", overview, re.I), overview[:500]
    guard.assert_offline()


MAP_PAGES = ["regions", "", "donors", "partner"]  # where a map may live, likeliest first


def test_map_draws_partner_countries_offline(server, guard, demo_db):
    """The choropleth draws the demo's partner countries from the vendored topojson, with
    no request to a CDN."""
    page = guard.new_page()
    found = None
    for path in MAP_PAGES:
        open_app(page, server, path)
        charts_drawn(page, f"/{path}")
        if page.locator('[data-testid="stPlotlyChart"] .geolayer, [data-testid="stPlotlyChart"] .choroplethlocation').count():
            found = path
            break
    assert found, f"no map on any of {MAP_PAGES}"
    countries = page.locator('[data-testid="stPlotlyChart"] path.choroplethlocation')
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] path.choroplethlocation').length >= 15",
        timeout=CHART_TIMEOUT,
    )
    with closing(sqlite3.connect(demo_db)) as conn:
        wanted = conn.execute("SELECT COUNT(DISTINCT country) FROM partner WHERE code != ''").fetchone()[0]
    drawn = countries.count()
    assert drawn >= 15, f"/{found}: only {drawn} countries drawn (demo: 26 partners)"
    assert drawn >= wanted, f"/{found}: {drawn} countries drawn, the partners are in {wanted}"
    topo = [(u, s) for u, s in guard.responses if u.endswith(".json") and "/app/static/" in u]
    assert topo and all(s == 200 for _, s in topo), f"topojson not served locally: {topo}"
    no_exception(page, f"/{found}")
    guard.assert_offline()


FILTERED_AME = re.compile(r"\bregion: AME\b", re.I)  # the pages' caption: Filters.describe()


def test_filters_survive_page_switch_and_shared_link(server, guard):
    """Journey 4: a filtered view keeps its filter on a page switch, and the link opens the
    same filtered view in a fresh session."""
    page = guard.new_page()
    open_app(page, server, "?region=AME")  # the overview is the default page, at the root
    region = sidebar_multiselect(page, "Region")
    assert region.count() == 1, "no Region filter in the sidebar"
    assert "Americas" in region.inner_text(), f"Region filter does not show the Americas: {region.inner_text()!r}"
    assert FILTERED_AME.search(main_text(page)), "the overview does not say it is filtered to AME"

    page.locator('[data-testid="stSidebarNav"] a[href$="/regions"]').click()
    page.wait_for_url(re.compile(r"/regions(\?|$)"))
    settle(page)
    page.wait_for_function("() => location.search.includes('region=AME')", timeout=10_000)
    assert parse_qs(urlsplit(page.url).query).get("region") == ["AME"], page.url
    assert "Americas" in sidebar_multiselect(page, "Region").inner_text()
    assert FILTERED_AME.search(main_text(page)), "/regions does not say it is filtered to AME"
    no_exception(page, "/regions?region=AME")
    shared = page.url

    fresh = guard.new_page()  # another browser context: a colleague opening the link
    fresh.goto(shared, wait_until="domcontentloaded")
    settle(fresh)
    assert urlsplit(fresh.url).path.rstrip("/").endswith("/regions"), fresh.url
    assert parse_qs(urlsplit(fresh.url).query).get("region") == ["AME"], fresh.url
    assert "Americas" in sidebar_multiselect(fresh, "Region").inner_text()
    assert FILTERED_AME.search(main_text(fresh)), "the shared link's page does not say it is filtered to AME"
    no_exception(fresh, "shared link")
    guard.assert_offline()


def test_export_buttons_deliver_files(server, guard):
    """Journey 5: the chart's Export popover delivers the chart's data as CSV and a
    standalone HTML chart that needs no network."""
    page = guard.new_page()
    open_app(page, server, "")
    assert charts_drawn(page, "/ (overview)") >= 1
    page.locator('[data-testid="stPopover"] button').first.click()
    body = page.locator('[data-testid="stPopoverBody"]')
    body.wait_for()

    with page.expect_download(timeout=RENDER_TIMEOUT) as dl:
        body.get_by_role("button", name="Data (CSV)").click()
    download = dl.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), data[:20]  # UTF-8 with BOM, as the contract says
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) >= 2 and len(rows[0]) >= 2, rows[:3]

    with page.expect_download(timeout=RENDER_TIMEOUT) as dl:
        body.get_by_role("button", name="HTML").click()
    download = dl.value
    assert download.suggested_filename.endswith(".html"), download.suggested_filename
    html = Path(download.path()).read_text(encoding="utf-8")
    assert html.lstrip()[:200].lower().startswith(("<html", "<!doctype html")), html[:200]
    assert "plotly" in html.lower()
    assert not re.search(r"""<script[^>]+src=["']https?:""", html, re.I), "the HTML export loads a script from the network"
    no_exception(page, "/overview after export")
    guard.assert_offline()


def test_upload_in_the_browser(server, guard, demo_db):
    """Journey 2: upload a results file, see the dry run, confirm; the value is stored and
    the history lists the batch with source upload."""
    row = demo_row("IND05", "AFG")
    old = float(row["actual"])
    new = round(old + 2.5, 1)
    assert stored_actual(demo_db, "IND05", "AFG", row["period_start"], row["period_end"]) == pytest.approx(old)
    content = (
        "indicator,partner,period_start,period_end,actual\n"
        f"IND05,AFG,{row['period_start']},{row['period_end']},{new}\n"
    ).encode()
    name = "browser-update-IND05-AFG.csv"

    page = guard.new_page()
    open_app(page, server, "upload")
    no_exception(page, "/upload")

    # the results template first, as a partner does
    page.get_by_text("Blank templates", exact=False).first.click()
    with page.expect_download(timeout=RENDER_TIMEOUT) as dl:
        page.locator('[data-testid="stDownloadButton"]').filter(has=page.get_by_text("results", exact=True)) \
            .locator("button").first.click()
    template = Path(dl.value.path()).read_bytes().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(template)))
    assert dl.value.suggested_filename.endswith(".csv") and header[0] == "indicator", (dl.value.suggested_filename, header)
    assert {"period_start", "period_end", "target", "actual", "partner"} <= set(header), header

    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    assert uploader.count() >= 1, "no file uploader on /upload"
    uploader.first.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    confirm = page.get_by_role("button", name=re.compile(r"confirm", re.I))
    confirm.first.wait_for(timeout=RENDER_TIMEOUT)
    settle(page)
    no_exception(page, "/upload dry run")
    text = main_text(page)
    assert re.search(r"results", text, re.I), "the detected kind (results) is not shown"
    assert re.search(r"\b1\s+(changed|updated)\b|\b(changed|updated)\b\s*:?\s*\n?\s*1\b", text, re.I), \
        f"the dry run does not show 1 changed:\n{text[:2000]}"
    # still nothing written
    assert stored_actual(demo_db, "IND05", "AFG", row["period_start"], row["period_end"]) == pytest.approx(old)

    confirm.first.click()
    deadline = time.monotonic() + 30
    while stored_actual(demo_db, "IND05", "AFG", row["period_start"], row["period_end"]) != pytest.approx(new):
        assert time.monotonic() < deadline, "the confirmed upload did not store the value"
        time.sleep(0.25)
    settle(page)
    no_exception(page, "/upload after confirm")
    with closing(sqlite3.connect(demo_db)) as conn:
        batch = conn.execute("SELECT id, source, updated, files FROM import_batch ORDER BY id DESC LIMIT 1").fetchone()
    assert batch[1] == "upload" and batch[2] == 1 and name in batch[3], batch

    goto_by_nav(page, "history")
    no_exception(page, "/history")
    cells = history_row(page, name)
    assert any(name in c for c in cells), f"/history does not list the upload {name}: {cells}"
    assert "upload" in {c.strip().lower() for c in cells}, f"/history: the batch's row shows no source 'upload': {cells}"
    guard.assert_offline()


def history_row(page, name: str) -> list[str]:
    """The cells of the history table's row for the batch whose files include `name`. The
    table is a canvas grid with an accessible table of the cells in view, so the grid is
    scrolled right and the row's cells seen on the way are collected."""
    main = page.locator('[data-testid="stMain"]')
    page.wait_for_function(
        """name => [...document.querySelectorAll('[data-testid="stMain"] [role=row], [data-testid="stMain"] tr')]
                   .some(r => r.textContent.includes(name))""",
        arg=name, timeout=CHART_TIMEOUT,
    )
    row = main.locator('[role="row"], tr').filter(has_text=name).first
    cell = '[role="gridcell"], td'
    cells = row.locator(cell).all_inner_texts()
    index = row.get_attribute("aria-rowindex")
    if index is None:
        return cells
    main.locator('[data-testid="stDataFrame"]').filter(has_text=name).first.hover()
    for _ in range(4):
        page.mouse.wheel(800, 0)
        page.wait_for_timeout(200)
        same = main.locator(f'[role="row"][aria-rowindex="{index}"]')
        if same.count():
            cells += same.first.locator(cell).all_inner_texts()
    return cells


def test_overview_has_its_own_address(server, guard):
    """A link to /overview (as the page list names it) opens the overview without a
    'Page not found' dialog, keeping its filters."""
    page = guard.new_page()
    open_app(page, server, "overview?region=AME")
    assert "Americas" in sidebar_multiselect(page, "Region").inner_text()
    guard.assert_offline()
    assert page.get_by_text("Page not found").count() == 0, f"/overview: 'Page not found' ({page.url})"


@pytest.mark.parametrize("path", ["", "upload", "partner?p=SLE", "history"])
def test_local_mode_refuses_a_page_served_under_another_host_name(server, rb_browser, path):
    """DNS rebinding: a page at http://rebind.test:PORT whose name resolves to 127.0.0.1 talks
    to the local-mode server (admin) from a foreign origin. Local mode answers 127.0.0.1 and
    localhost only: that page gets a refusal, no data and no uploader."""
    port = urlsplit(server).port
    # the worker's Chromium maps the foreign name to this machine (conftest.rb_browser,
    # REBIND_RULE); a context of its own without the guard's proxy, which would refuse the name
    context = rb_browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"http://{REBIND_HOST}:{port}/{path}", wait_until="domcontentloaded")
        settle(page)
        assert urlsplit(page.url).hostname == REBIND_HOST, page.url
        text = page.locator('[data-testid="stApp"]').inner_text().replace("\u2060", "")
        uploaders = page.locator('[data-testid="stFileUploader"]').count()
        tables = page.locator('[data-testid="stDataFrame"]').count()
    finally:
        context.close()
    assert "Not available at this address" in text, text[:500]
    assert "answers only http://127.0.0.1" in text
    assert (uploaders, tables) == (0, 0)
    for code in ("SLE", "GTM", "NOR", "Sierra Leone"):
        assert code not in text, f"{code} shown under a foreign host name"

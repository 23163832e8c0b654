"""What every page shares: the cached engine, the cached snapshot (per data version), the
filters bound to the URL, and the user's scope. No SQL here: models/ does the reading."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import astuple
from datetime import date

import pandas as pd
import streamlit as st

from dashboard.text import markdown_text
from models.access import LOCAL_ADMIN, Scope
from models.config import database_url
from models.db import data_version, init_database, make_engine
from models.queries.filters import Filters, checked_filters
from models.queries.rollups import progress_table
from models.queries.memo import Memo, memo
from models.queries.snapshot import Snapshot, load_snapshot, view
from models.scoring import periods

FILTER_KEYS = {  # widget key -> URL parameter
    "f_region": "region",
    "f_donor": "donor",
    "f_partner": "partner",
    "f_key_factor": "key_factor",
    "f_from": "from",
    "f_to": "to",
}
LINK_PROBLEMS = "_filter_link_problems"  # session key: (filters as bound, problems)
TOPOJSON_URL = "/app/static/"  # dashboard/static/world_50m.json, served by Streamlit
PLOTLY_CONFIG = {"displaylogo": False, "topojsonURL": TOPOJSON_URL}


@st.cache_resource(max_entries=4)
def get_engine(url: str):
    """One engine per database URL for the whole server process."""
    engine = make_engine(url)
    init_database(engine)
    return engine


def engine():
    return get_engine(database_url())


# The programme as read, one per data version, shared by every session and never copied: it
# and the views below are read-only (their frames are pandas' copy-on-write; models.queries
# derives from them without changing them). Results derived from them are kept on them
# (Snapshot.memo), so each is computed once per data version, filters, scope and day.
@st.cache_resource(max_entries=2, ttl=3600, show_spinner="Reading the programme…")
def _snapshot(url: str, version: tuple[int, int]) -> Snapshot:
    return load_snapshot(get_engine(url))


@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def _view(url: str, version: tuple[int, int], day: date, filters: tuple, scope: tuple) -> Snapshot:
    """The snapshot narrowed to `filters` and `scope`, one per day too: "as of" is today
    unless the filters say otherwise, and a result kept on the view is "as of" its day."""
    return view(_snapshot(url, version), Filters(*filters), Scope(*scope))


_runs = {"running": 0, "ended": 0.0}  # page runs under way in this server, and when the last ended
_runs_lock = threading.Lock()


@contextmanager
def page_run():
    """Around each run of the router (a page being built for a visitor): the server's
    start-up work that no page is waiting for waits for quiet (`wait_for_quiet`)."""
    with _runs_lock:
        _runs["running"] += 1
    try:
        yield
    finally:
        with _runs_lock:
            _runs["running"] -= 1
            _runs["ended"] = time.monotonic()


def wait_for_quiet(quiet_s: float = 0.3, at_most_s: float = 30.0) -> None:
    """Return once no page has been running for `quiet_s` (or after `at_most_s`): work done
    ahead of need (warming a cache no page is waiting for) then never slows a page being built."""
    deadline = time.monotonic() + at_most_s
    while time.monotonic() < deadline:
        with _runs_lock:
            quiet = _runs["running"] == 0 and time.monotonic() - _runs["ended"] >= quiet_s
        if quiet:
            return
        time.sleep(0.05)


_when_quiet: set[str] = set()  # work already handed to when_quiet, by name


def when_quiet(name: str, work) -> None:
    """Run `work()` once per server, in the background, once no page is being built
    (`wait_for_quiet`): ahead-of-need work (starting Chromium for a donor pack) never takes the
    CPU from the page that asked for it."""
    with _runs_lock:
        if name in _when_quiet:
            return
        _when_quiet.add(name)

    def run() -> None:
        wait_for_quiet()
        try:
            work()
        except Exception:  # noqa: BLE001 - ahead of need only: whoever needs it does it and says what is wrong
            with _runs_lock:
                _when_quiet.discard(name)

    threading.Thread(target=run, name=f"resultsboard-{name}", daemon=True).start()


def refresh_version() -> tuple[int, int]:
    """Read the data version (the router does it once per rerun, so an import from the
    command line or another replica shows at once)."""
    version = data_version(engine())
    st.session_state["_data_version"] = version
    return version


def current_version() -> tuple[int, int]:
    return st.session_state.get("_data_version") or refresh_version()


def snapshot() -> Snapshot:
    return _snapshot(database_url(), current_version())


class NotSignedIn(Exception):
    """Sign-in is configured and the visitor has not signed in: only the sign-in page shows."""


class HostRefused(Exception):
    """Local mode, asked under a host name other than 127.0.0.1 or localhost."""


def sign_in_settings() -> dict | None:
    """The `[auth]` sign-in settings, or None in local mode (SignInConfigError: unreadable)."""
    from dashboard.signin import read_auth, streamlit_secrets_files

    return read_auth(streamlit_secrets_files())


def current_scope() -> Scope:
    """Who is asking, resolved on every run (a role change applies at once). Fails closed:
    local mode is LOCAL_ADMIN for 127.0.0.1/localhost only (HostRefused otherwise); with
    sign-in, NotSignedIn before it, NoAccess for an identity that matches no user (unknown,
    unverified, another account), AccessError for a user row that names nothing."""
    from dashboard.signin import local_host_refusal
    from models.config import load_settings
    from models.users import Identity, record_sign_in, scope_for_identity

    if sign_in_settings() is None:
        refusal = local_host_refusal(st.context.headers)
        if refusal:
            raise HostRefused(refusal)
        return LOCAL_ADMIN
    if not st.user.is_logged_in:
        raise NotSignedIn()
    identity = Identity.from_claims(st.user.to_dict())
    scope = scope_for_identity(engine(), identity, load_settings().access.trusted_issuers)
    if st.session_state.get("_signed_in_as") != identity:
        record_sign_in(engine(), scope)
        st.session_state["_signed_in_as"] = identity
    return scope


def closed_unless(allowed: bool, why: str) -> None:
    """The rest of the page only when `allowed` (a models.access answer); else one line saying
    why it is closed, and the run stops."""
    if not allowed:
        st.info(why, icon=":material/lock:")
        st.stop()


def _sidebar_filters() -> tuple[Filters, list[str]]:
    s = st.session_state
    return checked_filters(
        regions=s.get("f_region"), donors=s.get("f_donor"), partners=s.get("f_partner"),
        key_factors=s.get("f_key_factor"), period_from=s.get("f_from") or None, period_to=s.get("f_to") or None,
    )


def current_filters() -> Filters:
    """The sidebar's filters, less what cannot be used ('From' after 'To' drops the period);
    `filter_problems` says what was left out."""
    return _sidebar_filters()[0]


def remember_link_problems(problems: list[str]) -> None:
    """What the page address asked for and the router left out (unknown codes, unreadable
    periods): shown until the filters change."""
    st.session_state[LINK_PROBLEMS] = (astuple(current_filters()), list(problems))


def filter_problems() -> list[str]:
    """One sentence per part of the filters the view leaves out: from the page address while
    the filters are still the ones it set, and from the sidebar as it stands."""
    bound, problems = st.session_state.get(LINK_PROBLEMS, ((), []))
    filters, now = _sidebar_filters()
    shown = list(problems) if bound == astuple(filters) else []
    return shown + [p for p in now if p not in shown]


def scoped_view(filters: Filters, scope: Scope) -> Snapshot:
    """The shared view for `filters` and `scope` (cached; read-only)."""
    return _view(database_url(), current_version(), periods.as_of(), astuple(filters), astuple(scope))


def current_view() -> Snapshot:
    return scoped_view(current_filters(), current_scope())


def current_progress() -> pd.DataFrame:
    """Progress per (indicator, partner) for the current filters and scope (computed once per
    data version, period and day for the whole programme; see models.queries.snapshot.per_pair)."""
    return progress_table(current_view())


def data_note(v: Snapshot) -> str:
    from dashboard.charts.common import data_note as note

    return note(v)


@st.cache_data(ttl=3600, max_entries=64, show_spinner="Rendering…")
def _figure_bytes(fig_json: str, fmt: str) -> bytes:
    """One export, cached by the figure itself (so by chart, filters and data version)."""
    import plotly.io as pio

    from dashboard.exports import figure_bytes

    return figure_bytes(pio.from_json(fig_json), fmt)


def _figure_csv(fig_json: str) -> bytes:
    import plotly.io as pio

    from dashboard.chart_data import figure_data
    from models.exporting import to_csv_bytes

    return to_csv_bytes(figure_data(pio.from_json(fig_json)))


def _export_bytes(fig, fmt: str) -> bytes:
    return _figure_bytes(fig.to_json(), fmt)


def _export_csv(fig) -> bytes:
    return _figure_csv(fig.to_json())


def export_controls(fig, key: str, stem: str | None = None) -> None:
    """Downloads next to a chart: PNG, SVG, PDF, HTML and the chart's data as CSV — each
    generated only when clicked (a callable: nothing, not even the figure's JSON, is made
    on a rerun), then cached; files named `stem` (chart_stem)."""
    from functools import partial

    from dashboard.exports import MIME, NO_CHROMIUM_MESSAGE, images_available

    images = images_available()
    with st.popover("Export", icon=":material/download:"):
        for fmt in ("png", "svg", "pdf", "html"):
            st.download_button(
                fmt.upper(), data=partial(_export_bytes, fig, fmt), file_name=f"{stem or key}.{fmt}", mime=MIME[fmt],
                key=f"dl_{key}_{fmt}", on_click="ignore", disabled=fmt != "html" and not images, width="stretch",
            )
        st.download_button("Data (CSV)", data=partial(_export_csv, fig), file_name=f"{stem or key}.csv", mime=MIME["csv"],
                           key=f"dl_{key}_csv", on_click="ignore", width="stretch")
        if not images:
            st.caption(NO_CHROMIUM_MESSAGE)


def chart_stem(fig, name: str | None = None, subject: dict | None = None) -> str:
    """The file name (no extension) of a chart's downloads: its name (default: its title), what
    it shows, the filters and the as-of date (dashboard.chart_data.chart_file_stem)."""
    from dashboard.chart_data import chart_file_stem
    from dashboard.text import plain_from_plotly

    filters = current_filters()
    return chart_file_stem(name or plain_from_plotly(fig.layout.title.text), filters, periods.as_of(filters.end),
                           subject=subject)


def kept_figure(key: tuple, build):
    """The figure `build()` makes, built once per view (data version, filters, scope, day) and
    `key` — which must name everything else the figure depends on (a partner, an indicator) —
    and shared by every session: read-only. For charts that cost to build (many traces or cells)."""
    return memo(current_view(), ("figure", *key), build)


def show_chart(fig, *, key: str, name: str | None = None, subject: dict | None = None) -> None:
    """A chart with its export popover; the modebar's PNG and the popover's files are named
    after the chart (`name`, else its title), `subject` (e.g. {"donor": "NOR"}), the filters and the date."""
    stem = chart_stem(fig, name, subject)
    st.plotly_chart(fig, width="stretch", config={**PLOTLY_CONFIG, "toImageButtonOptions": {"filename": stem}}, key=key)
    export_controls(fig, key, stem)


PACKS_KEPT = 8  # donor packs kept for saving, across all sessions (a few MB each)


@st.cache_resource
def _packs() -> Memo:
    """Built donor packs, (url, data version, donor, filters, scope) -> zip bytes, shared by
    every session (least recently used dropped; sessions asking at once wait for one build).
    Not st.cache_data: its replay of elements would refuse the progress bar drawn while a
    pack is built."""
    return Memo(max_entries=PACKS_KEPT)


def _donor_pack(url: str, version: tuple[int, int], donor: str, filters: tuple, scope: tuple, progress=None) -> bytes:
    from dashboard.packs import build_pack

    return _packs().get((url, version, donor, filters, scope), lambda: build_pack(
        get_engine(url), donor, filters=Filters(*filters), scope=Scope(*scope), progress=progress,
        snapshot=_snapshot(url, version)))  # the pages' programme, read and scored once per data version


def donor_pack_button(donor: str) -> None:
    """The donor pack (charts PNG/SVG, data CSV/XLSX, HTML report) as one zip: built on
    click with a progress bar (the charts' images take seconds), then offered for saving.
    Built once per (data version, donor, filters, scope) and shared by all sessions."""
    from dashboard.exports import MIME, NO_CHROMIUM_MESSAGE, images_available

    args = (database_url(), current_version(), donor, astuple(current_filters()), astuple(current_scope()))
    built = st.session_state.setdefault("_donor_packs_built", set())
    if st.button(markdown_text(f"Donor pack for {donor} (zip)"), icon=":material/folder_zip:", key=f"pack_{donor}",
                 help="Every chart for the partners this donor funds (PNG and SVG), their data (CSV and one XLSX "
                      "workbook) and a report with footnotes, for the current filters."):
        bar = st.progress(0.0, text="Building the donor pack…")
        _donor_pack(*args, progress=lambda done, total, what: bar.progress(
            min(done / total, 1.0), text=f"{what}: {done} of {total}" if total > 1 else f"{what}…"))
        bar.empty()
        built.add(args)
    data = _packs().peek(args) if args in built else None
    if data is not None:
        st.download_button(
            markdown_text(f"Save donor pack for {donor} (zip)"), icon=":material/download:",
            data=data, file_name=f"resultsboard-donor-pack-{donor.lower()}-{date.today().isoformat()}.zip",
            mime=MIME["zip"], key=f"dl_pack_{donor}", on_click="ignore", type="primary",
        )
    if not images_available():
        st.caption(NO_CHROMIUM_MESSAGE + " The pack then holds the charts as HTML.")

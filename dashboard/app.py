"""The dashboard's router: page config, the shared filters (bound to the URL), navigation."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import state
from dashboard.text import markdown_text
from models import reference
from models.queries.filters import checked_filters

HERE = Path(__file__).resolve().parent
VIEWS = HERE / "views"

st.set_page_config(page_title="Resultsboard", page_icon=":bar_chart:", layout="wide")
state.refresh_version()

PAGES = {
    "Programme": [
        st.Page(VIEWS / "overview.py", title="Overview", icon=":material/dashboard:", default=True, url_path="home"),
        # the overview also answers at /overview (a hand-typed or documented address)
        st.Page(VIEWS / "overview.py", title="Overview", url_path="overview", visibility="hidden"),
        st.Page(VIEWS / "regions.py", title="Regions", icon=":material/public:", url_path="regions"),
        st.Page(VIEWS / "donors.py", title="Donors", icon=":material/volunteer_activism:", url_path="donors"),
        st.Page(VIEWS / "partner.py", title="Partner profile", icon=":material/account_balance:", url_path="partner"),
        st.Page(VIEWS / "indicators.py", title="Indicators", icon=":material/monitoring:", url_path="indicators"),
        st.Page(VIEWS / "key_factors.py", title="Key factors", icon=":material/hub:", url_path="key-factors"),
        st.Page(VIEWS / "activities.py", title="Activities", icon=":material/event:", url_path="activities"),
        st.Page(VIEWS / "reporting.py", title="Reporting", icon=":material/assignment_late:", url_path="reporting"),
    ],
    "Data": [
        st.Page(VIEWS / "upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
        st.Page(VIEWS / "history.py", title="Import history", icon=":material/history:", url_path="history"),
    ],
}


def _options(snap):
    periods = sorted({d.year for d in snap.values["period_end"]} | {d.year for d in snap.values["period_start"]}) if len(snap.values) else []
    return {
        "f_region": sorted(reference.REGIONS),
        "f_donor": list(snap.donors["code"]),
        "f_partner": list(snap.partners["code"]),
        "f_key_factor": [str(k) for k in reference.KEY_FACTORS],
        "f_from": [""] + [str(y) for y in periods],
        "f_to": [""] + [str(y) for y in periods],
    }


def _bind_filters_to_url(options) -> None:
    """First run (or a shared link): widgets start from the URL, less what it names that does
    not exist (remembered, to be shown as warnings); later, the URL follows them."""
    params = st.query_params
    unbound = [key for key in state.FILTER_KEYS if key not in st.session_state]
    if unbound:
        asked = {key: [v for v in params.get_all(param) for v in v.split(",") if v] for key, param in state.FILTER_KEYS.items()}
        filters, problems = checked_filters(
            regions=asked["f_region"], donors=asked["f_donor"], partners=asked["f_partner"],
            key_factors=asked["f_key_factor"], period_from=params.get("from"), period_to=params.get("to"),
            known_donors=options["f_donor"], known_partners=options["f_partner"])
        kept = {"f_region": filters.regions, "f_donor": filters.donors, "f_partner": filters.partners,
                "f_key_factor": [str(k) for k in filters.key_factors]}
        for key in unbound:
            if key in ("f_from", "f_to"):  # kept unless unreadable ('From' after 'To' stays, with a warning)
                value = params.get(state.FILTER_KEYS[key], "")
                st.session_state[key] = value if checked_filters(period_from=value)[0].period_from else ""
            else:
                wanted = {w.lower() for w in kept[key]}
                st.session_state[key] = [v for v in options[key] if v.lower() in wanted]
        state.remember_link_problems(problems)
    for key in ("f_from", "f_to"):  # a period typed into the address (2021-Q3) stays selectable
        value = st.session_state.get(key)
        if value and value not in options[key]:
            options[key].append(value)


def _write_url() -> None:
    for key, param in state.FILTER_KEYS.items():
        value = st.session_state.get(key)
        if value:
            st.query_params[param] = value if isinstance(value, str) else list(value)
        elif param in st.query_params:
            del st.query_params[param]


def sidebar(snap) -> None:
    options = _options(snap)
    _bind_filters_to_url(options)
    names = {
        "f_region": lambda c: f"{c} — {reference.REGIONS.get(c, c)}",
        "f_donor": lambda c: f"{c} — {snap.donors.set_index('code')['name'].get(c, c)}",
        "f_partner": lambda c: f"{c} — {snap.partners.set_index('code')['name'].get(c, c)}",
        "f_key_factor": lambda c: f"{c}. {reference.KEY_FACTORS.get(int(c), c)}",
    }
    with st.sidebar:
        st.subheader("Filters")
        st.multiselect("Region", options["f_region"], key="f_region", format_func=names["f_region"])
        st.multiselect("Donor", options["f_donor"], key="f_donor", format_func=names["f_donor"])
        st.multiselect("Partner", options["f_partner"], key="f_partner", format_func=names["f_partner"])
        st.multiselect("Arusha key factor", options["f_key_factor"], key="f_key_factor", format_func=names["f_key_factor"])
        c1, c2 = st.columns(2)
        c1.selectbox("From", options["f_from"], key="f_from", format_func=lambda y: y or "start")
        c2.selectbox("To (as of)", options["f_to"], key="f_to", format_func=lambda y: y or "today",
                     help="\"As of\": the end of this period (2025 = 2025-12-31), else today. Figures whose period ends "
                          "after it are not scored.")
        st.caption("The filters are part of the page address: copy it to share this view.")
        scope = state.current_scope()
        if state.auth_configured():
            if getattr(st.user, "is_logged_in", False):
                st.caption(markdown_text(f"Signed in: {scope.label}"))
                st.button("Sign out", on_click=st.logout)
            else:
                st.button("Sign in", on_click=st.login)
        else:
            st.caption("Local mode: single user on this computer, full access (admin).")
        if snap.is_demo:
            st.info("Demo programme: indicator values are illustrative, not official results.", icon=":material/info:")
    _write_url()


snap = state.snapshot()
sidebar(snap)
for problem in state.filter_problems():  # above the page, so a link never narrows or widens the view silently
    st.warning(markdown_text(problem), icon=":material/filter_alt_off:")
page = st.navigation(PAGES)
page.run()

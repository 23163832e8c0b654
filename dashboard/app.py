"""The dashboard's router: page config, the shared filters (bound to the URL), navigation."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import state
from dashboard.signin import SignInConfigError
from dashboard.text import markdown_text
from models import reference
from models.access import AccessError, can_manage_users, can_review
from models.queries.filters import Filters, checked_filters
from models.queries.snapshot import period_years
from models.users import NoAccess

HERE = Path(__file__).resolve().parent
VIEWS = HERE / "views"

st.set_page_config(page_title="Resultsboard", page_icon=":bar_chart:", layout="wide")

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
REVIEW_PAGE = st.Page(VIEWS / "review.py", title="Review", icon=":material/fact_check:", url_path="review")
ADMIN_PAGES = [st.Page(VIEWS / "users.py", title="Users", icon=":material/group:", url_path="users"),
               st.Page(VIEWS / "audit.py", title="Audit trail", icon=":material/policy:", url_path="audit")]
# every address of the app: a gate page (sign in, no access) answers at each of them
URL_PATHS = sorted({page.url_path for pages in [*PAGES.values(), ADMIN_PAGES] for page in pages if page.url_path} | {"home"})


def _sign_in_page() -> None:
    st.title("Sign in")
    st.write("Resultsboard holds partner administrations' results and integrity-survey data. Sign in with your "
             "organisation's account to see what your role allows.")
    st.button("Sign in", type="primary", on_click=st.login, icon=":material/login:")


def _gate_page(title: str, message: str, *, sign_out: bool) -> None:
    st.title(title)
    st.markdown(markdown_text(message))  # it quotes an e-mail and a file path: text, never markup
    if sign_out:
        st.button("Sign out", on_click=st.logout, icon=":material/logout:")


def _only(page_fn, title: str) -> None:
    """Show one page in place of the app (no sidebar, no data) and stop the run — at every
    address of the app, so a deep link shows it too (no 'Page not found' over it)."""
    pages = [st.Page(page_fn, title=title, default=True, url_path="home")]
    pages += [st.Page(page_fn, title=title, url_path=path) for path in URL_PATHS if path != "home"]
    st.navigation(pages, position="hidden").run()
    st.stop()


def gate():
    """The scope of whoever is asking, or one page saying why there is none (fails closed)."""
    try:
        return state.current_scope()
    except SignInConfigError as e:
        _only(lambda: _gate_page("Sign-in is misconfigured", str(e), sign_out=False), "Sign-in is misconfigured")
    except state.HostRefused as e:
        _only(lambda: _gate_page("Not available at this address", str(e), sign_out=False), "Not available")
    except state.NotSignedIn:
        _only(_sign_in_page, "Sign in")
    except NoAccess as e:
        email = st.user.get("email") or "this account"
        _only(lambda: _gate_page("No access", f"You are signed in as {email}, but you have no access to Resultsboard: "
                                 f"{e} Ask the programme secretariat to add your account.", sign_out=True), "No access")
    except AccessError as e:
        _only(lambda: _gate_page("No access", f"Your account cannot be used as it stands: {e}.", sign_out=True), "No access")


def _options(snap):
    """What the sidebar offers: only what the user may see (`snap` is already scoped)."""
    periods = period_years(snap)
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


def sidebar(snap, scope) -> None:
    options = _options(snap)
    _bind_filters_to_url(options)
    donor_names = dict(zip(snap.donors["code"], snap.donors["name"]))  # looked up once per option, not searched
    partner_names = dict(zip(snap.partners["code"], snap.partners["name"]))
    names = {
        "f_region": lambda c: f"{c} — {reference.REGIONS.get(c, c)}",
        "f_donor": lambda c: f"{c} — {donor_names.get(c, c)}",
        "f_partner": lambda c: f"{c} — {partner_names.get(c, c)}",
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
        if scope.local:
            st.caption("Local mode: single user on this computer, full access (admin).")
        else:
            st.caption(markdown_text(f"Signed in: {scope.label}"))
            st.button("Sign out", on_click=st.logout, icon=":material/logout:")
        if snap.is_demo:
            st.info("Demo programme: indicator values are illustrative, not official results.", icon=":material/info:")
    _write_url()


with state.page_run():
    scope = gate()
    state.refresh_version()
    snap = state.scoped_view(Filters(), scope)  # the sidebar offers only what this user may see
    sidebar(snap, scope)
    for problem in state.filter_problems():  # above the page, so a link never narrows or widens the view silently
        st.warning(markdown_text(problem), icon=":material/filter_alt_off:")
    pages = {**PAGES, "Data": [*PAGES["Data"], REVIEW_PAGE]} if can_review(scope) else PAGES
    page = st.navigation({**pages, "Administration": ADMIN_PAGES} if can_manage_users(scope) else pages)
    page.run()

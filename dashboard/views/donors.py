"""Donors: what each donor committed (agreements: amount, currency, signed, period), the
progress of the administrations it funds, and the activities it funds — with a drill-down
to one donor and from there to a partner profile."""
from __future__ import annotations

import streamlit as st

from dashboard import links, state, tables
from dashboard.charts import breakdowns
from dashboard.charts.common import pct
from dashboard.charts.activities import activity_timeline
from dashboard.exports import chart_renderer, images_available
from dashboard.charts.progress import progress_bars
from dashboard.text import markdown_text
from models.money import converted, totals_by_currency
from models.progress import progress_help
from models.queries.activities import donor_activities
from models.queries.rollups import progress_by_donor
from models.queries.summaries import donor_agreements, donor_partners, donor_summary, funding_summary

v = state.current_view()
prog = state.current_progress()
note = state.data_note(v)

st.title("Donors")
described = v.filters.describe()
st.caption(markdown_text(f"{described[:1].upper()}{described[1:]} · {note}"))

donors = donor_summary(v, prog)
if donors.empty:
    st.info("No donor funds an administration in this selection: widen the filters in the sidebar.")
    st.stop()

left, right = st.columns(2)
with left:
    state.show_chart(breakdowns.funding_bars(funding_summary(v), title="Funding committed by donor", note=note), key="don_funding",
                     name="funding-by-donor")
with right:
    by_donor = progress_by_donor(v, prog)
    state.show_chart(progress_bars(by_donor, label="donor_name", title="Progress by donor", note=note), key="don_progress",
                     name="progress-by-donor")
tables.show_table(donors, tables.donor_columns(), key="don_table")
state.show_chart(breakdowns.agreement_timeline(donor_agreements(v), title="Donor agreements over time", note=note),
                 key="don_agreements_timeline", name="agreements-timeline")
with st.expander("How progress is computed"):
    st.write(progress_help())

# --- drill-down: one donor -------------------------------------------------------------------
st.divider()
codes = list(donors["donor"])
names = dict(zip(donors["donor"], donors["donor_name"]))
if st.session_state.get("don_donor") not in codes:
    chosen = [c for c in codes if c.lower() in {d.lower() for d in v.filters.donors}]
    st.session_state["don_donor"] = chosen[0] if chosen else codes[0]
donor = st.selectbox("Donor", codes, key="don_donor", format_func=lambda d: f"{names.get(d, d)} ({d})")
row = donors[donors["donor"] == donor].iloc[0]
st.header(markdown_text(row["donor_name"]))

if images_available():  # Chromium starts in the background once this page is built: a first "Donor pack" click does not wait for it
    state.when_quiet("chart renderer", chart_renderer)
state.donor_pack_button(donor)

c = st.columns(4)
c[0].metric("Administrations funded", int(row["partners"]))
c[1].metric("Committed", markdown_text(row["committed"] or "–"), help="Sum of the donor's agreements per currency (not converted).")
c[2].metric("Mean progress", pct(row["progress"]), help=f"n = {row['n']} indicator–partner pairs. " + progress_help())
c[3].metric("Activities funded", int(row["activities"]), help=f"{row['participants']:,} participants")
conversion = converted(totals_by_currency(v.agreements[v.agreements["donor"] == donor]))
if conversion is not None:
    st.caption(markdown_text(f"Committed: {conversion.label()}."))

st.subheader("Agreements")
agreements = donor_agreements(v, donor)
tables.show_table(agreements, tables.agreement_columns(), key="don_agreements")
st.caption("Agreements are public totals; they are not split by administration.")

st.subheader("Administrations funded")
funded = donor_partners(v, prog, donor)
state.show_chart(progress_bars(funded, label="partner_name", title=f"{row['donor_name']}: progress of the administrations it funds",
                               note=note), key="don_drill_progress", name="progress-by-partner", subject={"donor": donor})
tables.show_table(funded, tables.partner_columns(phases=True), key="don_partners")
pick, go_to = st.columns([3, 1], vertical_alignment="bottom")
partner_names = dict(zip(funded["partner"], funded["partner_name"]))
if st.session_state.get("don_partner") not in partner_names:
    st.session_state.pop("don_partner", None)
chosen = pick.selectbox("Administration", list(funded["partner"]), key="don_partner", format_func=lambda p: partner_names.get(p, p))
if go_to.button("Open profile", icon=":material/account_balance:", key="don_open", disabled=chosen is None):
    links.open_partner_profile(chosen)

st.subheader("Activities funded")
acts = donor_activities(v, donor)
state.show_chart(activity_timeline(acts, title=f"Activities funded by {row['donor_name']}", note=note), key="don_timeline",
                 name="activity-timeline", subject={"donor": donor})
if len(acts):
    tables.show_table(acts, tables.activity_columns(donor=False, partners=True), key="don_activities")

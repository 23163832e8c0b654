"""Regions: progress, funding and activity by WCO region, the partner countries on a map,
and a drill-down to one region's administrations (and from there to a partner profile)."""
from __future__ import annotations

import streamlit as st

from dashboard import links, state, tables
from dashboard.charts import breakdowns, maps
from dashboard.charts.progress import progress_bars
from dashboard.text import markdown_text
from models.progress import progress_help
from models.queries.summaries import funded_partners_by_region, partner_summary, region_summary

v = state.current_view()
prog = state.current_progress()
note = state.data_note(v)

st.title("Regions")
described = v.filters.describe()
st.caption(markdown_text(f"{described[:1].upper()}{described[1:]} · {note}"))

regions = region_summary(v, prog)
partners = partner_summary(v, prog)
if regions.empty:
    st.info("No partner administration in this selection: widen the filters in the sidebar.")
    st.stop()

behind = partners[partners["status"].isin(["at risk", "off track"])]
c = st.columns(4)
c[0].metric("WCO regions", len(regions))
c[1].metric("Partner administrations", len(partners))
c[2].metric("Administrations behind", len(behind), help="Mean progress at risk or off track. " + progress_help())
c[3].metric("Indicator–partner pairs", int(regions["n"].sum()), help="Pairs with a scored status (n), all regions.")

colour = st.radio("Map colour", ["Mean progress status", "WCO region"], horizontal=True, key="reg_map_colour")
if colour == "WCO region":
    fig, map_name = maps.partner_map(partners, color="region", title="Partner administrations by WCO region", note=note), "region-map"
else:
    fig, map_name = maps.partner_map(partners, color="status", title="Partner administrations: mean progress", note=note), "partner-map"
state.show_chart(fig, key="reg_map", name=map_name)

left, right = st.columns(2)
with left:
    state.show_chart(progress_bars(regions, label="region_name", title="Progress by region", note=note), key="reg_progress",
                     name="progress-by-region")
with right:
    state.show_chart(breakdowns.region_status_mix(regions, title="Indicator–partner pairs by status and region", note=note),
                     key="reg_status", name="status-by-region")
left, right = st.columns(2)
with left:
    state.show_chart(breakdowns.activity_bars(regions, label="region_name", title="Activities by WCO region",
                                              note=note + " · " + breakdowns.REGION_ACTIVITY_NOTE,
                                              hover_note=breakdowns.REGION_ACTIVITY_NOTE), key="reg_activities",
                     name="activities-by-region")
with right:
    state.show_chart(breakdowns.funded_partners_bars(funded_partners_by_region(v),
                                                     title="Partner administrations funded, by region and donor", note=note),
                     key="reg_funding", name="funded-partners-by-region")
    st.caption("Donor agreements are public totals, not split by administration: amounts are on the Donors page.")

tables.show_table(regions, tables.region_columns(breakdowns.REGION_ACTIVITY_NOTE), key="reg_table")
with st.expander("How progress is computed"):
    st.write(progress_help())

# --- drill-down: one region's administrations --------------------------------------------
st.subheader("Administrations in one region")
codes = list(regions["region"])
names = dict(zip(regions["region"], regions["region_name"]))
if st.session_state.get("reg_region") not in codes:
    chosen = [r for r in v.filters.regions if r in codes]
    st.session_state["reg_region"] = chosen[0] if chosen else codes[0]
region = st.selectbox("Region", codes, key="reg_region", format_func=lambda r: f"{names.get(r, r)} ({r})")

in_region = partner_summary(v, prog, region=region)
state.show_chart(progress_bars(in_region, label="partner_name", title=f"{names.get(region, region)}: progress by administration",
                               note=note), key="reg_drill_progress", name="progress-by-partner", subject={"region": region})
tables.show_table(in_region, tables.partner_columns(region=False), key="reg_drill_table")

pick, go_to = st.columns([3, 1], vertical_alignment="bottom")
partner_names = dict(zip(in_region["partner"], in_region["partner_name"]))
if st.session_state.get("reg_partner") not in partner_names:
    st.session_state.pop("reg_partner", None)
chosen = pick.selectbox("Administration", list(in_region["partner"]), key="reg_partner",
                        format_func=lambda p: partner_names.get(p, p))
if go_to.button("Open profile", icon=":material/account_balance:", key="reg_open", disabled=chosen is None):
    links.open_partner_profile(chosen)

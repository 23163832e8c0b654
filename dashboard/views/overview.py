"""Overview: where the programme stands against its targets, by region and by donor."""
from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.charts.progress import progress_bars, status_donut
from models.progress import progress_help
from models.queries import headline, progress_by_donor, progress_by_region

v = state.current_view()
prog = state.current_progress()
h = headline(v, prog)
note = state.data_note(v)

st.title("Programme overview")
st.caption(f"{v.filters.describe().capitalize()} · {note}")

c = st.columns(6)
c[0].metric("Partner administrations", h["partners"], help=f"in {h['regions']} WCO regions")
c[1].metric("Donors", h["donors"])
c[2].metric("Committed funding", " · ".join(f"{cur} {amt / 1e6:,.2f}m" for cur, amt in h["committed"].items()) or "–",
            help="Sum of donor agreements by currency (no conversion between currencies).")
c[3].metric("Activities", h["activities"], help=f"in the selected period; {h['participants']:,} participants in all")
c[4].metric("Indicators", h["indicators"], help=f"{h['pairs']} indicator–partner pairs")
c[5].metric("Data as of", h["as_of"].isoformat() if h["as_of"] else "–", help="The period filter's end, else the latest period in the data.")

s = h["status"]
cols = st.columns(5)
for col, name in zip(cols, ["achieved", "on track", "at risk", "off track", "no data"]):
    extra = s["no baseline"] if name == "no data" else 0
    col.metric(name.capitalize(), s[name] + extra, help=progress_help())

left, right = st.columns(2)
with left:
    by_region = progress_by_region(v, prog)
    state.show_chart(progress_bars(by_region.assign(label=by_region["region_name"]), label="label",
                                   title="Progress by region", note=note), key="ov_region")
with right:
    by_donor = progress_by_donor(v, prog)
    state.show_chart(progress_bars(by_donor.assign(label=by_donor["donor_name"]), label="label",
                                   title="Progress by donor", note=note), key="ov_donor")
state.show_chart(status_donut(s, title="Indicator–partner pairs by status", note=note), key="ov_status")
with st.expander("How progress is computed"):
    st.write(progress_help())

"""Overview: where the programme stands against its targets, by region and by donor."""
from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.charts.progress import progress_bars, status_donut
from models.progress import progress_help
from models.queries.rollups import headline, progress_by_donor, progress_by_region

v = state.current_view()
prog = state.current_progress()
h = headline(v, prog)
note = state.data_note(v)

st.title("Programme overview")
st.caption(f"{v.filters.describe()} · {note}")

committed = h["committed"] or {"–": None}
c = st.columns(4 + len(committed))
c[0].metric("Partner administrations", h["partners"], help=f"in {h['regions']} WCO regions")
c[1].metric("Donors", h["donors"])
c[2].metric("Activities", h["activities"], help=f"in the selected period; {h['participants']:,} participants in all")
c[3].metric("Indicators", h["indicators"], help=f"{h['pairs']} indicator–partner pairs")
for col, (currency, amount) in zip(c[4:], committed.items()):
    col.metric(f"Committed ({currency})", f"{amount / 1e6:,.2f} m" if amount else "–",
               help="Sum of donor agreements in this currency (no conversion between currencies).")

s = h["status"]
st.caption(f"Indicator–partner pairs by status, as of {h['as_of'].isoformat() if h['as_of'] else '–'} "
           "(the period filter's end, else the latest period in the data):")
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

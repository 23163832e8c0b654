"""Overview: where the programme stands against its targets, by region and by donor."""
from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.charts.progress import progress_bars, status_donut
from dashboard.text import markdown_text
from models.money import converted
from models.progress import progress_help
from models.queries.rollups import headline, progress_by_donor, progress_by_region

v = state.current_view()
prog = state.current_progress()
h = headline(v, prog)
note = state.data_note(v)

st.title("Programme overview")
st.caption(markdown_text(f"{v.filters.describe()} · {note}"))

committed = h["committed"] or {"–": None}
conversion = converted(h["committed"])  # only where [currency] names a reporting currency
c = st.columns(4 + len(committed) + (conversion is not None))
c[0].metric("Administrations", h["partners"], help=f"Partner administrations, in {h['regions']} WCO regions")
c[1].metric("Donors", h["donors"])
c[2].metric("Activities", h["activities"], help=f"in the selected period; {h['participants']:,} participants in all")
c[3].metric("Indicators", h["indicators"], help=f"{h['pairs']} indicator–partner pairs")
for col, (currency, amount) in zip(c[4:], committed.items()):
    col.metric(markdown_text(f"Committed ({currency})"), f"{amount / 1e6:,.2f} m" if amount else "–",
               help="Sum of donor agreements in this currency (no conversion between currencies).")
if conversion is not None:
    c[-1].metric(f"Converted ({conversion.currency})",
                 f"≈ {conversion.amount / 1e6:,.2f} m" if conversion.amount is not None else "–",
                 help=f"Committed, all agreements converted to {conversion.currency} at {conversion.rates_text()}; the "
                      "totals per currency beside are the amounts as recorded." if conversion.amount is not None
                 else conversion.label())

s = h["status"]
st.caption(f"Indicator–partner pairs by status, as of {h['as_of'].isoformat()} "
           "(the period filter's 'To', else today), each scored on its latest target period that has ended:")
cols = st.columns(5)
for col, name in zip(cols, ["achieved", "on track", "at risk", "off track", "no data"]):
    col.metric(name.capitalize(), s[name], help=progress_help())
others = [f"{name} {s[name]}" for name in ("no baseline", "in progress", "not due", "no target", "qualitative") if s[name]]
if others:
    st.caption("Not scored: " + " · ".join(others) + ". In progress: a target period still under way "
               "(so far, no status); not due: nothing has ended yet; no target: actuals no target period covers.")

left, right = st.columns(2)
with left:
    by_region = progress_by_region(v, prog)
    state.show_chart(progress_bars(by_region.assign(label=by_region["region_name"]), label="label",
                                   title="Progress by region", note=note), key="ov_region", name="progress-by-region")
with right:
    by_donor = progress_by_donor(v, prog)
    state.show_chart(progress_bars(by_donor.assign(label=by_donor["donor_name"]), label="label",
                                   title="Progress by donor", note=note), key="ov_donor", name="progress-by-donor")
state.show_chart(status_donut(s, title="Indicator–partner pairs by status", note=note), key="ov_status", name="status-overview")
with st.expander("How progress is computed"):
    st.write(progress_help())

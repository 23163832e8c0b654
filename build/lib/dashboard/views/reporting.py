"""Reporting: who has not reported for which period. A (partner, indicator, period) report is
due when it has a target and its period ended on or before "as of"; missing when it has no
actual. "As of" comes from the data (or the period filter), never from today's date."""
from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.charts import reporting as charts
from models.exporting import to_csv_bytes
from models.queries.reporting import (
    completeness_by_partner_period,
    completeness_by_period,
    latest_period_missing,
    missing_reports,
)

v = state.current_view()
note = state.data_note(v)
as_of = v.as_of.isoformat() if v.as_of else "–"
periods = completeness_by_period(v)
missing = missing_reports(v)
due = int(periods["due"].sum()) if len(periods) else 0
reported = int(periods["reported"].sum()) if len(periods) else 0

st.title("Who has not reported?")
st.caption(f"{v.filters.describe()} · {note}")

c = st.columns(4)
c[0].metric("As of", as_of, help="The period filter's end ('To'), else the latest period end in the data — never today's date.")
c[1].metric("Reports due", due, help=charts.RULE)
c[2].metric("Missing", len(missing), help=charts.RULE)
c[3].metric("Received", f"{reported / due:.0%}" if due else "–", help="Reports received as a share of reports due.")

st.subheader("Latest period")
latest = latest_period_missing(v)
if len(periods) == 0:
    st.info("No report is due in this selection.")
elif latest.empty:
    st.success(f"Every administration has reported for the latest period ({periods['period'].iloc[-1]}).")
else:
    st.write(f"**{len(latest)} administrations** have not reported everything for **{latest['period'].iloc[0]}** "
             f"(the latest period due by {as_of}):")
    st.dataframe(
        latest[["partner", "partner_name", "missing", "due", "indicators", "indicator_names"]], hide_index=True, width="stretch",
        column_config={
            "partner": "Code", "partner_name": "Administration",
            "missing": st.column_config.NumberColumn("Missing", format="%d"),
            "due": st.column_config.NumberColumn("Due", format="%d"),
            "indicators": st.column_config.ListColumn("Indicators not reported"),
            "indicator_names": st.column_config.TextColumn("Indicator names", width="large"),
        },
    )

state.show_chart(charts.completeness_heatmap(completeness_by_partner_period(v), note=note), key="rep_heatmap")
state.show_chart(charts.completeness_by_period_chart(periods, note=note), key="rep_periods")

st.subheader("All missing reports")
if missing.empty:
    st.write("None.")
else:
    st.dataframe(
        missing[["partner", "partner_name", "indicator", "indicator_name", "period"]],
        hide_index=True, width="stretch",
        column_config={
            "partner": "Code", "partner_name": "Administration", "indicator": "Indicator",
            "indicator_name": st.column_config.TextColumn("Indicator name", width="large"), "period": "Period",
        },
    )
    st.download_button(
        "Download the missing reports (CSV)", data=lambda: to_csv_bytes(missing),
        file_name=f"missing-reports-as-of-{as_of}.csv", mime="text/csv", key="rep_download",
        on_click="ignore", icon=":material/download:",
    )
st.caption(charts.RULE)

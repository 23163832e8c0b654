"""Activities: when they ran (timeline by type), how they were delivered, who funded them,
how many people took part, and the full list."""
from __future__ import annotations

import streamlit as st

from dashboard import state, tables
from dashboard.charts import activities as charts
from dashboard.text import markdown_text
from models.queries.activities import activities_listing, activity_counts

v = state.current_view()
note = state.data_note(v)
acts = activities_listing(v)

st.title("Activities")
st.caption(markdown_text(f"{v.filters.describe()} · {note}"))

c = st.columns(4)
c[0].metric("Activities", len(acts))
c[1].metric("Participants", f"{int(acts['participants'].fillna(0).sum()):,}", help="Sum of the participants reported per activity.")
c[2].metric("Completed", int((acts["status"] == "completed").sum()))
c[3].metric("Planned or ongoing", int(acts["status"].isin(["planned", "ongoing"]).sum()))

state.show_chart(charts.activity_timeline(acts, note=note), key="act_timeline", name="activity-timeline")
left, right = st.columns(2)
with left:
    state.show_chart(charts.activities_by_mode_chart(activity_counts(v, "mode"), note=note), key="act_mode",
                     name="activities-by-mode")
with right:
    state.show_chart(charts.activities_by_donor_chart(activity_counts(v, ["donor", "mode"]), note=note,
                                                      donor_names=dict(zip(v.donors["code"], v.donors["name"]))), key="act_donor",
                     name="activities-by-donor")
state.show_chart(charts.participants_by_year_chart(activity_counts(v, ["year", "type"]), note=note), key="act_participants",
                 name="activity-participants")

st.subheader("All activities")
tables.show_table(acts, tables.listing_columns(), key="act_table")

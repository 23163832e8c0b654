"""Partner profile: one administration — who funds it, each indicator's baseline, target,
actual and progress, target against actual over the periods, and its activities.

The administration comes from the page address (`?p=GTM`, so a profile can be shared and the
regions and donors pages can open one), else the sidebar's partner filter, else the first.
A link to an administration that is not in the view shows a warning that names the code and
no profile at all (never another administration's), until one is chosen."""
from __future__ import annotations

import streamlit as st

from dashboard import state, tables
from dashboard.charts import partner as charts
from dashboard.charts.activities import activity_timeline
from dashboard.charts.common import pct
from dashboard.text import markdown_text
from models.progress import progress_help
from models.queries.activities import partner_activities
from models.queries.profiles import (
    awaiting_review,
    indicator_definition,
    partner_baselines,
    partner_indicators,
    partner_profile,
    partner_series,
)
from models.queries.rollups import breakdown_disagreements
from models.queries.snapshot import partner_link_problem
from models.queries.summaries import partner_summary

v = state.current_view()
prog = state.current_progress()
note = state.data_note(v)

st.title("Partner profile")
described = v.filters.describe()
st.caption(markdown_text(f"{described[:1].upper()}{described[1:]} · {note}"))

summary = partner_summary(v, prog)
codes = list(summary["partner"])
if not codes:
    st.info("No partner administration in this selection: widen the filters in the sidebar.")
    st.stop()

names = dict(zip(summary["partner"], summary["partner_name"]))
wanted = st.query_params.get("p", "")
match = next((c for c in codes if c.lower() == wanted.lower()), None)
new_link = wanted != st.session_state.get("pp_seen_p")
problem = None
if wanted and not match and (new_link or st.session_state.get("pp_partner") is None):
    # a link to an administration not in this view: say so, and show no other one in its place
    problem = partner_link_problem(state.snapshot(), v, state.current_scope(), wanted)
    st.session_state["pp_partner"] = None
elif match and (new_link or st.session_state.get("pp_partner") not in codes):
    st.session_state["pp_partner"] = match
elif st.session_state.get("pp_partner") not in codes:
    filtered = [c for c in codes if c.lower() in {f.lower() for f in v.filters.partners}]
    st.session_state["pp_partner"] = filtered[0] if filtered else codes[0]
st.session_state["pp_seen_p"] = wanted
code = st.selectbox("Administration", codes, key="pp_partner", format_func=lambda c: f"{names.get(c, c)} ({c})",
                    placeholder="Choose an administration")
if problem:
    st.warning(markdown_text(problem), icon=":material/person_off:")
    st.stop()
st.query_params["p"] = code
st.session_state["pp_seen_p"] = code

profile = partner_profile(v, code)
row = summary[summary["partner"] == code].iloc[0]
st.header(markdown_text(profile["name"]))
facts = {
    "Country": f"{profile['country_name']} ({profile['country']})",
    "WCO region": profile["region_name"],
    "Funded by": profile["donors_text"] or "–",
    "Joined": profile["joined_on"].isoformat() if profile["joined_on"] else "–",
    "Status": profile["status"] or "–",
}
for col, (label, value) in zip(st.columns([2, 3, 3, 2, 2]), facts.items()):
    col.caption(label)
    col.markdown(f"**{markdown_text(value)}**")

c = st.columns(4)
c[0].metric("Mean progress", pct(row["progress"]), help=progress_help())
c[1].metric("Status", row["status"], help=f"n = {row['n']} indicator–partner pairs with a scored status, as of {v.as_of}")
c[2].metric("Indicators behind", int(row["n_at_risk"] + row["n_off_track"]), help="At risk or off track.")
c[3].metric("Activities", int(row["activities"]), help="Activities this administration took part in, in the selected period.")

# --- the reporting workbook (dashboard/workbooks.py): built when clicked --------------------
from dashboard.workbooks import partner_workbook_button  # noqa: E402

partner_workbook_button(code, v.as_of)

# --- indicators --------------------------------------------------------------------------
st.subheader("Indicators")
disagreements = breakdown_disagreements(v, code)
if disagreements:  # shown as a table: the labels are uploaded text, never markup
    st.warning("Some figures have breakdowns that add up differently: the first dimension (alphabetically) is used.",
               icon=":material/call_split:")
    st.dataframe({"Breakdowns that disagree": disagreements}, hide_index=True, key="pp_disagreements")
rows = partner_indicators(v, prog, code)
if rows.empty:
    st.info("No indicator value for this administration in the selected period.")
else:
    tables.show_table(rows, tables.partner_indicator_columns(), key="pp_indicators")
    state.show_chart(charts.indicator_progress(rows, title=f"{profile['name']}: progress by indicator", note=note),
                     key="pp_progress", name="partner-progress", subject={"partner": code})
with st.expander("How progress is computed"):
    st.write(progress_help())

# --- values waiting for review (the secretariat's and the partner's own view only) ------------
waiting = awaiting_review(v, code)
if len(waiting):
    st.subheader("Awaiting review")
    st.caption("Values this administration submitted that an editor has not yet approved: figures, charts, donors and "
               "exports use the approved value until then.")
    st.dataframe(waiting, hide_index=True, width="stretch", key="pp_awaiting",
                 column_config={"approved": "Approved (shown to donors)", "submitted": "Submitted",
                                "batch": st.column_config.NumberColumn("Batch", format="%d"), "uploaded_by": "Uploaded by",
                                "uploaded_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm")})

# --- trends ------------------------------------------------------------------------------
st.subheader("Target against actual over time")
series = partner_series(v, code)
indicators = list(dict.fromkeys(series["indicator"]))
if not indicators:
    st.info("No numeric indicator value for this administration in the selected period.")
else:
    st.caption("Solid line: actual · dashed: target · dotted: baseline. Disaggregated values (for example survey "
               "respondent groups) are separate lines, never averaged together.")
    shown = indicators[tables.shown_part(
        len(indicators), tables.TRENDS_SHOWN, key="pp_trend_part", label="Indicators shown",
        describe=lambda first, last: f"{indicators[first - 1]} to {indicators[last - 1]} ({first}–{last} of {len(indicators)})",
        help=f"{tables.TRENDS_SHOWN} charts at a time; the table above lists every indicator.")]
    grid = st.columns(2)
    for i, ind in enumerate(shown):
        d = indicator_definition(v, ind)
        scale = (d["scale_min"], d["scale_max"]) if d["scale_min"] is not None and d["scale_max"] is not None else None
        fig = state.kept_figure(("pp_trend", code, ind), lambda: charts.indicator_trend(
            series[series["indicator"] == ind], title=f"{ind} · {d['name']}", note=note, unit=d["unit"],
            baselines=partner_baselines(v, code, ind), scale=scale))
        with grid[i % 2]:
            state.show_chart(fig, key=f"pp_trend_{ind}", name="indicator-trend", subject={"partner": code, "indicator": ind})

# --- activities --------------------------------------------------------------------------
st.subheader("Activities")
acts = partner_activities(v, code)
state.show_chart(activity_timeline(acts, title=f"{profile['name']}: activities", note=note), key="pp_timeline",
                 name="partner-activities", subject={"partner": code})
if len(acts):
    tables.show_table(acts, tables.activity_columns(), key="pp_activities")

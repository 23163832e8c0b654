"""Arusha key factors: progress per key factor and per partner × key factor, activities per
key factor, and the Customs Integrity Perception Survey rounds compared."""
from __future__ import annotations

import streamlit as st

from dashboard import state, tables
from dashboard.charts import key_factors as charts
from dashboard.text import markdown_text
from models.progress import progress_help
from models.queries.activities import activities_by_key_factor
from models.queries.profiles import indicator_definition
from models.queries.rollups import key_factor_cells, progress_by_key_factor
from models.queries.surveys import survey_change_by_key_factor, survey_comparison

v = state.current_view()
prog = state.current_progress()
note = state.data_note(v)

st.title("Revised Arusha Declaration key factors")
st.caption(markdown_text(f"{v.filters.describe()} · {note}"))

state.show_chart(charts.key_factor_progress_bars(progress_by_key_factor(v, prog), note=note, key_factors=v.filters.key_factors),
                 key="kf_progress", name="progress-by-key-factor")
cells, part = tables.partners_part(key_factor_cells(v, prog), key="kf_heatmap_part")
state.show_chart(state.kept_figure(("kf_heatmap", part), lambda: charts.key_factor_heatmap(cells, note=note)),
                 key="kf_heatmap", name="key-factor-heatmap")
state.show_chart(charts.activities_by_key_factor_chart(activities_by_key_factor(v), note=note), key="kf_activities",
                 name="activities-by-key-factor")
with st.expander("How progress is computed"):
    st.write(progress_help())

st.header("Customs Integrity Perception Survey: rounds compared")
survey_codes = charts.survey_indicators(v)
if not survey_codes:
    st.info("No survey (ordinal) indicator in this selection.")
    st.stop()
names = dict(zip(v.indicators["code"], v.indicators["name"]))
code = st.selectbox("Survey indicator", survey_codes, key="kf_survey_indicator", format_func=lambda c: f"{c} — {names.get(c, c)}")
d = indicator_definition(v, code)
scale = (d["scale_min"], d["scale_max"]) if d["scale_min"] is not None and d["scale_max"] is not None else None
comparison = survey_comparison(v, code)
shown, part = tables.partners_part(comparison, key="kf_survey_part")
state.show_chart(state.kept_figure(("kf_survey", code, part), lambda: charts.survey_dumbbell(
                     shown, note=note, scale=scale, title=f"{code} · {d['name']}: first round against latest round")),
                 key="kf_survey",
                 name="survey-waves", subject={"indicator": code})
state.show_chart(charts.survey_key_factor_bars(survey_change_by_key_factor(v), note=note), key="kf_survey_by_factor",
                 name="survey-by-key-factor")
tables.show_table(comparison, tables.survey_columns(), key="kf_survey_table")
st.caption("An administration with one survey round so far has no latest score or change (—).")

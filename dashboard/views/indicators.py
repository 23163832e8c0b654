"""Indicators: one indicator across partners — its definition, actual against target and
baseline per administration, and the figures behind each progress percentage."""
from __future__ import annotations

import streamlit as st

from dashboard import state, tables
from dashboard.charts.indicators import indicator_targets_chart
from dashboard.text import markdown_text
from models.progress import progress_help
from models.queries.profiles import indicator_definition, indicator_targets

v = state.current_view()
prog = state.current_progress()
note = state.data_note(v)

st.title("Indicators")
st.caption(markdown_text(f"{v.filters.describe()} · {note}"))

codes = list(v.indicators["code"])
if not codes:
    st.info("No indicator in this selection (check the key factor filter).")
    st.stop()

names = dict(zip(v.indicators["code"], v.indicators["name"]))
wanted = st.query_params.get("indicator", "")
if st.session_state.get("ind_indicator") not in codes:
    match = next((c for c in codes if c.lower() == wanted.lower()), None)
    if wanted and not match:
        st.warning(markdown_text(f"No indicator with code {wanted} in this selection: the first one, {codes[0]}, is shown instead."),
                   icon=":material/search_off:")
    st.session_state["ind_indicator"] = match or codes[0]
code = st.selectbox("Indicator", codes, key="ind_indicator", format_func=lambda c: f"{c} — {names.get(c, c)}")
st.query_params["indicator"] = code

d = indicator_definition(v, code)
st.subheader(markdown_text(f"{d['code']} · {d['name']}"))
if d["description"]:
    st.markdown(markdown_text(d["description"]))
facts = {
    "Level": d["level"] or "–",
    "Result": f"{d['result']} — {d['result_title']}" if d["result"] else "–",
    "Measure": d["measure"],
    "Unit": d["unit"] or "–",
    "Direction": d["direction"],
    "Reported": d["frequency"],
    "Over time": d["aggregation_text"] or "–",
    "Cumulative": "yes: values are increments, judged on running totals" if d["cumulative"]
                  else "no: the latest target period that has ended counts",
    "Scale": d["scale"] or "–",
    "Arusha key factor": f"{d['key_factor']}. {d['key_factor_name']}" if d["key_factor"] else "–",
}
st.markdown("  \n".join(f"**{k}:** {markdown_text(val)}" for k, val in facts.items()))

rows = indicator_targets(v, prog, code)
if d["measure"] == "qualitative":
    tables.show_table(rows, tables.qualitative_columns(), key="ind_table")
else:
    shown, _ = tables.partners_part(rows, key="ind_targets_part")
    state.show_chart(indicator_targets_chart(shown, definition=d, note=note), key="ind_targets", name="indicator-targets",
                     subject={"indicator": code})
    tables.show_table(rows, tables.indicator_target_columns(d["unit"]), key="ind_table")
in_unit = f" Actual, target and baseline in {d['unit']}." if d["unit"] and d["measure"] != "qualitative" else ""
st.caption(markdown_text(f"One row per administration with figures for this indicator, as of {v.as_of.isoformat()}: each on "
                         f"its latest target period that has ended (or, so far, the one under way).{in_unit}"))
with st.expander("How progress is computed"):
    st.write(progress_help())

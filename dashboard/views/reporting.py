"""Reporting: who owes which report. A report is due for each of an indicator's reporting
periods (its frequency) inside a pair's target periods, once the period's end plus the
grace days is before "as of" — the 'To' filter, else today; it is received when an actual
of the pair covers part of the period. The reporting rate per period is received ÷ due; the
overdue reports are listed by administration, oldest first."""
from __future__ import annotations

import streamlit as st

from dashboard import state, tables
from dashboard.charts import reporting as charts
from dashboard.text import markdown_text
from models import progress
from models.exporting import to_csv_bytes
from models.queries.reporting import overdue_by_partner, overdue_reports, reporting_by_partner_period, reporting_rate_by_period

v = state.current_view()
note = state.data_note(v)
as_of = v.as_of.isoformat()
rates = reporting_rate_by_period(v)
overdue = overdue_reports(v)
due = int(rates["due"].sum()) if len(rates) else 0
received = int(rates["received"].sum()) if len(rates) else 0
rule = charts.rule_text(progress.grace_days())

st.title("Who has not reported?")
st.caption(markdown_text(f"{v.filters.describe()} · {note}"))

c = st.columns(4)
c[0].metric("As of", as_of, help="The period filter's end ('To'), else today's date. An upload never moves it.")
c[1].metric("Reports due", due, help=rule)
c[2].metric("Overdue", len(overdue), help=rule)
c[3].metric("Reporting rate", f"{received / due:.0%}" if due else "–", help="Reports received ÷ reports due, all periods.")

st.subheader("Reporting rate per period")
if rates.empty:
    st.info(f"No report is due in this selection as of {as_of}.")
else:
    st.write(f"As of {as_of}: reports received ÷ reports due, per reporting period.")
    st.dataframe(
        rates[["period", "due", "received", "missing", "rate", "partners"]], hide_index=True, width="stretch", key="rep_rates",
        column_config={
            "period": "Period",
            "due": st.column_config.NumberColumn("Due", format="%d"),
            "received": st.column_config.NumberColumn("Received", format="%d"),
            "missing": st.column_config.NumberColumn("Overdue", format="%d"),
            "rate": tables.progress_column("Reporting rate", help="Received ÷ due"),
            "partners": st.column_config.NumberColumn("Administrations owing", format="%d"),
        },
    )

st.subheader("Overdue reports by administration")
if overdue.empty:
    if len(rates):
        st.success(f"No report is overdue as of {as_of}.")
else:
    by_partner = overdue_by_partner(v, overdue)
    st.write(f"As of {as_of}, **{len(by_partner)} administrations** owe **{len(overdue)} reports** "
             "(the one owing the oldest first):")
    st.dataframe(
        by_partner, hide_index=True, width="stretch", key="rep_by_partner",
        column_config={
            "partner": "Code", "partner_name": "Administration",
            "overdue": st.column_config.NumberColumn("Overdue", format="%d"),
            "oldest": "Oldest period", "oldest_due_on": st.column_config.DateColumn("Due on", format="YYYY-MM-DD"),
            "indicators": st.column_config.ListColumn("Indicators"),
        },
    )
    # --- a reporting workbook per administration owing reports (dashboard/workbooks.py) ---
    from dashboard.workbooks import reporting_zip_button

    reporting_zip_button(v, overdue)

cells, part = tables.partners_part(reporting_by_partner_period(v), key="rep_heatmap_part")
state.show_chart(state.kept_figure(("rep_heatmap", part), lambda: charts.completeness_heatmap(cells, note=note)),
                 key="rep_heatmap", name="reporting-completeness")
state.show_chart(charts.completeness_by_period_chart(rates, note=note), key="rep_periods", name="reporting-by-period")

st.subheader("All overdue reports")
if overdue.empty:
    st.write("None.")
else:
    rows = overdue.iloc[tables.shown_part(
        len(overdue), tables.OVERDUE_ROWS_SHOWN, key="rep_overdue_part", label="Reports shown",
        describe=lambda first, last: f"{first:,}–{last:,} of {len(overdue):,}",
        help=f"{tables.OVERDUE_ROWS_SHOWN:,} reports at a time, in the order above; the download has them all.")]
    st.dataframe(
        rows[["partner", "partner_name", "indicator", "indicator_name", "period", "due_on"]],
        hide_index=True, width="stretch", key="rep_overdue",
        column_config={
            "partner": "Code", "partner_name": "Administration", "indicator": "Indicator",
            "indicator_name": st.column_config.TextColumn("Indicator name", width="large"), "period": "Period",
            "due_on": st.column_config.DateColumn("Due on", format="YYYY-MM-DD"),
        },
    )
    st.download_button(
        "Download the overdue reports (CSV)", data=lambda: to_csv_bytes(overdue),
        file_name=f"overdue-reports-as-of-{as_of}.csv", mime="text/csv", key="rep_download",
        on_click="ignore", icon=":material/download:",
    )
st.caption(rule)

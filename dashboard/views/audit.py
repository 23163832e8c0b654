"""Audit trail (Administration): who did what, when — the same as `resultsboard audit`,
through models.audit (read only; each write path records its own events)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import state, tables
from models.access import can_see_audit
from models.audit import ACTION_HELP, AUDIT_COLUMNS, audit_events, describe

scope = state.current_scope()
st.title("Audit trail")
state.closed_unless(can_see_audit(scope),
                    "The audit trail names people and their acts: it is open to the programme's secretariat.")
st.caption("Every import (files and their SHA-256), revert, period lock, user and role change and sign-in: who, when "
           "and what, newest first. Nothing here can be edited.")

events = pd.DataFrame(audit_events(state.engine()), columns=AUDIT_COLUMNS)
if events.empty:
    st.info("No audit events yet.")
    st.stop()
actions = sorted(events["action"].unique())
chosen = st.multiselect("Actions", actions, key="audit_actions", placeholder="All actions",
                        format_func=lambda a: f"{a} — {ACTION_HELP[a]}" if a in ACTION_HELP else a)
shown = events[events["action"].isin(chosen)] if chosen else events
st.dataframe(
    shown.assign(at=pd.to_datetime(shown["at"]), detail=shown["detail"].map(describe)),
    hide_index=True, width="stretch", placeholder=tables.MISSING,
    column_config={
        "id": st.column_config.NumberColumn("Event", format="%d"),
        "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "user": "Who",
        "action": "Action",
        "batch_id": st.column_config.NumberColumn("Batch", format="%d"),
        "detail": st.column_config.TextColumn("What", width="large"),
    },
)
st.caption(f"{len(shown)} of {len(events)} events.")

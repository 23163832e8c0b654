"""Review (Data, for the secretariat): the batches partner coordinators submitted, each
with its values beside the approved ones donors see meanwhile; approve (applied as a batch
of its own, every import check run again) or return with a reason — the same as
`resultsboard review`, through models.review."""
from __future__ import annotations

import streamlit as st

from dashboard import state, tables
from models.access import can_review, recorded_as
from models.issues import issues_frame
from models.review import APPROVED, approve_batch, batch_changes, return_batch, submitted_batches

scope = state.current_scope()
st.title("Review")
state.closed_unless(can_review(scope), "Reviewing partner uploads is the secretariat's: editors and administrators.")
st.caption("A partner coordinator's upload waits here: donors, viewers, exports and packs show the approved values until "
           "an editor approves it. Approving applies the values as a batch of its own (revertible in the import history); "
           "returning discards them, and the partner sees the reason in its import history.")
done = st.session_state.pop("rev_done", None)
if done:
    st.success(done, icon=":material/check_circle:")

batches = submitted_batches(state.engine())
if batches.empty:
    st.info("No upload is waiting for review.")
    st.stop()
labels = {int(r.id): f"Batch {r.id} — {', '.join(r.files)} ({r.user}, {r.at:%Y-%m-%d %H:%M}, {r.rows} values)"
          for r in batches.itertuples()}
chosen = st.selectbox("Batch", list(labels), format_func=labels.get, key="rev_batch")
st.dataframe(batch_changes(state.engine(), chosen), hide_index=True, width="stretch", key="rev_changes", placeholder=tables.MISSING,
             column_config={"approved": "Approved (shown to donors)", "submitted": "Submitted",
                            "row": st.column_config.NumberColumn("Row", format="%d")})

left, right = st.columns(2)
report = None
if left.button(f"Approve batch {chosen}", type="primary", key="rev_approve", icon=":material/done_all:"):
    report = approve_batch(state.engine(), chosen, scope=scope, user=recorded_as(scope))
reason = right.text_input("Why it is returned (the partner sees this)", key="rev_reason")
if right.button(f"Return batch {chosen}", key="rev_return", icon=":material/undo:", disabled=not reason.strip()):
    report = return_batch(state.engine(), chosen, reason, scope=scope, user=recorded_as(scope))
if report is not None:
    if report.status == "refused":
        st.error(report.summary() if not report.issues or report.issues[0].row == 0 else
                 f"Batch {chosen} cannot be approved now: nothing was written. Return it, or ask for the problems below "
                 "to be fixed.", icon=":material/error:")
        st.dataframe(issues_frame(report.issues), hide_index=True, width="stretch", key="rev_issues")
    else:
        state.refresh_version()
        st.session_state["rev_done"] = report.summary() + (" (see the import history to revert it)" if report.status == APPROVED else "")
        st.session_state.pop("rev_batch", None)
        st.rerun()

"""Import history: every batch (who, when, which files, what it did), newest first; one
batch's rows, before → after; and an exact revert of one batch, asked twice. History, the
batch's rows and revert live in models.batches (rows as a table: models.row_changes)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import state, tables
from dashboard.text import markdown_text
from models.access import can_revert, can_see_history, recorded_as, visible_batches
from models.batches import batch_detail, history, revert_batch
from models.row_changes import changes_frame
from models.wording import plural

CHANGE_CONFIG = {
    "file": "File", "row": st.column_config.NumberColumn("Row", format="%d"), "action": "Action",
    "indicator": "Indicator", "partner": "Partner", "period": "Period", "breakdown": "Breakdown", "record": "Record",
    "field": "Field", "old": st.column_config.TextColumn("Before", width="medium"),
    "new": st.column_config.TextColumn("After", width="medium"),
}


def batch_label(r) -> str:
    return f"Batch {r.id} — {', '.join(r.files)} ({r.source}, {r.user}, {r.at:%Y-%m-%d %H:%M})"


def show_batch(batch_id: int) -> None:
    """One batch: who and when, what it did, and its rows before → after."""
    detail = batch_detail(state.engine(), batch_id, scope)
    if detail is None:  # not one the user may see (the selectbox offers only those)
        st.info("This batch is not one you may see.")
        return
    when = (detail["at"] or "")[:16].replace("T", " ")
    if detail["source"] == "revert":
        what = (f"reverts batch {detail['reverts']}: {plural(detail['updated'], 'row')} restored, "
                f"{plural(detail['deleted'], 'row')} removed")
    else:
        what = f"{detail['created']} new, {detail['updated']} changed, {detail['unchanged']} unchanged"
    st.caption(markdown_text(f"Batch {detail['id']} by {detail['user']}, {when} UTC ({detail['source']}, {detail['status']}): "
                             f"{what}. Files: {', '.join(detail['files'])}."))
    if detail["status"] == "approved":
        st.caption(markdown_text(f"Approved by {detail['reviewer']}; its values were applied as batch {detail['applied_as']}, "
                                 "whose rows are shown."))
    if detail["status"] == "returned":
        st.caption(markdown_text(f"Returned by {detail['reviewer']}: {detail['reason']}. Its values were discarded."))
    frame = changes_frame(detail["rows"])
    if frame.empty:
        st.info("No rows to show for this batch.")
        return
    st.dataframe(frame, hide_index=True, width="stretch", key="hist_rows", placeholder=tables.MISSING,
                 column_config={c: CHANGE_CONFIG[c] for c in frame.columns})
    if detail["rows_total"] > len(detail["rows"]):
        st.caption(f"The first {len(detail['rows']):,} of {detail['rows_total']:,} rows are listed.")


scope = state.current_scope()
st.title("Import history")
st.caption("Every batch that created or changed data: uploads, command-line imports, the demo seeds and reverts. "
           "A revert restores every row the batch changed exactly as it was and removes the rows it created.")

last = st.session_state.pop("hist_last", None)
if last is not None:
    if last.status == "reverted":
        st.success(last.summary(), icon=":material/undo:")
    else:
        st.error(f"Batch {last.batch_id} was not reverted:", icon=":material/block:")
        for issue in last.issues:
            st.markdown(f"- `{issue.check}` {markdown_text(issue.message)}")

state.closed_unless(can_see_history(scope), "The import history names people and files: it is open to the "
                    "secretariat, and to partner coordinators for their own uploads.")
batches = visible_batches(scope, history(state.engine()))
if batches.empty:
    st.info("No batch yet: files saved from the Upload page (or imported from the command line) appear here.")
    st.stop()

table = batches.assign(
    files=batches["files"].map(", ".join),
    kinds=batches["kinds"].map(lambda k: ", ".join(x for x in (k or "").split(",") if x)),
    # empty cells, never a literal None: no batch reverted, not reviewed
    reverts=pd.array([None if pd.isna(r) else int(r) for r in batches["reverts"]], dtype="Int64"),
    reviewer=batches["reviewer"].map(lambda v: "" if v is None or pd.isna(v) else str(v)),
    reason=batches["reason"].map(lambda v: "" if v is None or pd.isna(v) else str(v)),
)
# at 1440 px the table fits without scrolling sideways: columns sized, and those about reverts
# and review shown only when some batch has them
columns = ["id", "user", "at", "files", "kinds", "created", "updated", "unchanged", "deleted", "status", "source",
           "reverts", "reviewer", "reason"]
unused = {"deleted": not table["deleted"].fillna(0).astype(bool).any(), "reverts": table["reverts"].isna().all(),
          "reviewer": not table["reviewer"].astype(bool).any(), "reason": not table["reason"].astype(bool).any()}
st.dataframe(
    table[columns], hide_index=True, width="stretch", placeholder=tables.MISSING,
    column_order=[c for c in columns if not unused.get(c, False)],
    column_config={
        "id": st.column_config.NumberColumn("Batch", format="%d", width=52),
        "user": st.column_config.TextColumn("Who", width=150),
        "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm", width=120),
        "files": st.column_config.TextColumn("Files", width=140),
        "kinds": st.column_config.TextColumn("Kinds", width=90),
        "created": st.column_config.NumberColumn("Created", format="%d", width=62),
        "updated": st.column_config.NumberColumn("Updated", format="%d", width=64, help="For a revert: rows restored"),
        "unchanged": st.column_config.NumberColumn("Unchanged", format="%d", width=76),
        "deleted": st.column_config.NumberColumn("Deleted", format="%d", width=60, help="Rows a revert removed"),
        "status": st.column_config.TextColumn("Status", width=80),
        "source": st.column_config.TextColumn("Source", width=64),
        "reverts": st.column_config.NumberColumn("Reverts batch", format="%d", width=64),
        "reviewer": st.column_config.TextColumn("Reviewed by", width=120,
                                                help="A partner's upload is submitted for review: approved or returned by an editor"),
        "reason": st.column_config.TextColumn("Returned because", width=150),
    },
)

st.subheader("Rows of a batch")
labels = {int(r.id): batch_label(r) for r in batches.itertuples()}
shown_batch = st.selectbox("Batch", list(labels), format_func=labels.get, key="hist_detail",
                           help="What the batch created or changed, each field before → after (a revert: what it "
                                "restored or removed; a batch awaiting review: the values it proposes).")
show_batch(shown_batch)

if not can_revert(scope):
    st.stop()

st.subheader("Revert a batch")
revertible = batches[(batches["status"] == "committed") & (batches["source"] != "revert")]
if revertible.empty:
    st.write("No batch can be reverted.")
    st.stop()
labels = {int(r.id): batch_label(r) for r in revertible.itertuples()}
chosen = st.selectbox("Batch to revert", list(labels), format_func=labels.get, key="hist_batch",
                      help="Reverting refuses, naming them, when later batches changed the same rows or depend on rows this one created.")
pending = st.session_state.get("hist_pending")
if pending != chosen:
    if st.button(f"Revert batch {chosen}", key="hist_revert", icon=":material/undo:"):
        st.session_state["hist_pending"] = chosen
        st.rerun()
else:
    row = revertible.set_index("id").loc[chosen]
    with st.container(border=True):
        st.warning(f"Revert batch {chosen}? The rows it changed go back to what they were ({int(row['updated'])}) and the "
                   f"rows it created are removed ({int(row['created'])}). The revert is recorded as a batch of its own.",
                   icon=":material/warning:")
        yes, no = st.columns(2)
        if yes.button(f"Yes, revert batch {chosen}", type="primary", key="hist_confirm"):
            st.session_state["hist_last"] = revert_batch(state.engine(), chosen, user=recorded_as(scope))
            st.session_state.pop("hist_pending", None)
            state.refresh_version()
            st.rerun()
        if no.button("Cancel", key="hist_cancel"):
            st.session_state.pop("hist_pending", None)
            st.rerun()

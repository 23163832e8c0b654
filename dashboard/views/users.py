"""Users (admin only): who may sign in, with which role and scope — the same as
`resultsboard users add|set|list|remove`, through models.users (every change audited)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import state, tables
from dashboard.text import markdown_text
from models.access import ROLE_HELP, ROLES, can_manage_users, recorded_as
from models.users import UserError, list_users, remove_user, save_user

scope = state.current_scope()
st.title("Users")
state.closed_unless(can_manage_users(scope), "Users and roles are managed by the programme's administrators.")
st.caption("Who may sign in and what they see. A user is matched on an e-mail the identity provider has verified "
           "(or from a trusted issuer); the first sign-in binds the account, and later sign-ins must match it.")
if scope.local:
    st.info("Local mode: sign-in is not configured, so these users apply once it is (README, \"Sign-in and "
            "deployment\"), and to `--user` on the command line.", icon=":material/info:")

done = st.session_state.pop("users_done", None)
if done:
    st.success(markdown_text(done), icon=":material/check_circle:")

users = pd.DataFrame(list_users(state.engine()), columns=["email", "role", "donor", "partner", "signed_in"])
st.dataframe(users, hide_index=True, width="stretch", placeholder=tables.MISSING,
             column_config={"email": "E-mail", "role": "Role", "donor": "Donor", "partner": "Administration",
                            "signed_in": st.column_config.CheckboxColumn("Bound to a sign-in")})

snap = state.snapshot()
st.subheader("Add or change a user")
with st.form("users_form", clear_on_submit=False):
    email = st.text_input("E-mail", key="users_email")
    role = st.selectbox("Role", ROLES, key="users_role", format_func=lambda r: f"{r} — {ROLE_HELP[r]}")
    c1, c2 = st.columns(2)
    donor = c1.selectbox("Donor (donor role)", [""] + list(snap.donors["code"]), key="users_donor")
    partner = c2.selectbox("Administration (partner role)", [""] + list(snap.partners["code"]), key="users_partner")
    submitted = st.form_submit_button("Save user", type="primary")
if submitted:
    exists = email.strip().lower() in set(users["email"])
    try:
        save_user(state.engine(), email, role, donor=donor or None, partner=partner or None,
                  by=recorded_as(scope), create=not exists)
    except UserError as e:
        st.error(markdown_text(str(e)), icon=":material/block:")
    else:
        st.session_state["users_done"] = f"{email.strip().lower()} saved as {role}."
        st.rerun()

if len(users):
    st.subheader("Remove a user")
    gone = st.selectbox("User", list(users["email"]), key="users_remove")
    if st.session_state.get("users_pending") != gone:
        if st.button(markdown_text(f"Remove {gone}"), key="users_remove_ask", icon=":material/person_remove:"):
            st.session_state["users_pending"] = gone
            st.rerun()
    else:
        st.warning(markdown_text(f"Remove {gone}? They lose all access at their next click."), icon=":material/warning:")
        yes, no = st.columns(2)
        if yes.button(markdown_text(f"Yes, remove {gone}"), type="primary", key="users_remove_yes"):
            st.session_state.pop("users_pending", None)
            try:
                remove_user(state.engine(), gone, by=recorded_as(scope))
            except UserError as e:
                st.error(markdown_text(str(e)), icon=":material/block:")
            else:
                st.session_state["users_done"] = f"{gone} removed."
                st.rerun()
        if no.button("Cancel", key="users_remove_no"):
            st.session_state.pop("users_pending", None)
            st.rerun()

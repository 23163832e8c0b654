"""Column settings for the tables several pages show (partners, activities), so a partner
list reads the same on the regions, donors and partner pages."""
from __future__ import annotations

import streamlit as st

from models.progress import progress_help

PARTNER_TABLE = ["partner_name", "country_name", "region_name", "donor_names", "partner_status", "progress", "n", "status", "activities"]
REGION_PARTNER_TABLE = [c for c in PARTNER_TABLE if c != "region_name"]
ACTIVITY_TABLE = ["code", "title", "type", "mode", "status", "start", "end", "participants", "partner_names", "key_factors"]


def partner_columns() -> dict:
    """st.dataframe column_config for models.queries.summaries.partner_summary output."""
    return {
        "partner_name": st.column_config.TextColumn("Administration", width="medium"),
        "country_name": "Country",
        "region_name": "WCO region",
        "donor_names": "Funded by",
        "partner_status": "Partnership",
        "progress": st.column_config.ProgressColumn(
            "Mean progress", format="percent", min_value=0.0, max_value=1.0,
            help="Unweighted mean of clamped progress over the administration's indicators. " + progress_help()),
        "n": st.column_config.NumberColumn("n", help="Indicator–partner pairs with a progress figure", format="%d"),
        "status": "Status",
        "activities": st.column_config.NumberColumn("Activities", format="%d"),
        "phases": "Phases",
    }


def activity_columns() -> dict:
    """st.dataframe column_config for models.queries.activities.partner_activities / donor_activities output."""
    return {
        "code": "Code",
        "title": st.column_config.TextColumn("Activity", width="large"),
        "type": "Type",
        "mode": "Mode",
        "status": "Status",
        "start": st.column_config.DateColumn("Start", format="YYYY-MM-DD"),
        "end": st.column_config.DateColumn("End", format="YYYY-MM-DD"),
        "participants": st.column_config.NumberColumn("Participants", format="%d"),
        "partner_names": "Administrations",
        "key_factors": st.column_config.ListColumn("Key factors"),
        "donor": "Donor",
    }

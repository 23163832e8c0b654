"""Links between pages that carry the sidebar filters along."""
from __future__ import annotations

import streamlit as st

PARTNER_PAGE = "views/partner.py"


def open_partner_profile(code: str) -> None:
    """Switch to the partner profile of `code` (query parameter `p`), keeping the filters.

    st.switch_page drops every widget's state, the sidebar filters included; the router then
    reads them back from the page address, so the current address goes along."""
    params = {name: st.query_params.get_all(name) for name in st.query_params if name != "p"}
    st.switch_page(PARTNER_PAGE, query_params={**params, "p": code})

"""The framework's own cost, for bench_pages.py: a bare Streamlit page drawing one Plotly chart
(served with the same flags as `resultsboard serve`)."""
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="Bare page", layout="wide")
st.title("Bare page")
fig = go.Figure(go.Bar(x=["achieved", "on track", "at risk", "off track"], y=[12, 7, 4, 2]))
st.plotly_chart(fig, width="stretch", key="bare")

"""Pure chart builders: DataFrame in, plotly Figure out. No streamlit, no database."""

"""Plotly figures: pure functions from records to figures (no Streamlit here)."""

"""Streamlit glue: page setup, lecture mode, URL-bound controls, the player, the arithmetic panel."""

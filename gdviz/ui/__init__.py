"""Streamlit glue: page setup, lecture mode, URL-bound controls, the player, the arithmetic panel."""

# Before any page code: the imports other sessions' threads could find half done (see warm.py).
from gdviz.ui import warm  # noqa: E402,F401

"""Everything a page may import lazily, imported once per server process before any page runs.

Why: Plotly's validators ask ``sys.modules`` for pandas without importing it
(``get_module("pandas", should_load=False)``). While the first session to open F3 made
Streamlit import pandas, other sessions' threads found the half-imported module there and
failed with ``AttributeError: partially initialized module 'pandas'`` (16–23 of ~270 slider
moves from 10 sessions at a class's start). The import lock does not help them: they never
import pandas, they only look it up.

How: every page imports :mod:`gdviz.ui` first (``gdviz/ui/__init__.py`` imports this module)
and so does ``app.py``. The first session's thread runs the imports below; any other
session's thread that reaches ``import gdviz.ui`` meanwhile waits on that import's module
lock until they are complete, so no page code runs beside a half-imported pandas.
``tests/test_warm.py`` shows the race without this module and its absence with it.

It also installs :mod:`gdviz.ui.guard` (hostile component values and log floods).
"""

from __future__ import annotations

import time

_started = time.perf_counter()

import pandas  # noqa: E402,F401  (Streamlit's dataframe paths and Plotly's validators)
import plotly.graph_objects as go  # noqa: E402
import plotly.io  # noqa: E402,F401
import PIL.Image  # noqa: E402
import PIL.PngImagePlugin  # noqa: E402,F401
import streamlit.elements.arrow  # noqa: E402,F401
import streamlit.dataframe_util  # noqa: E402,F401
import streamlit.elements.lib.column_config_utils  # noqa: E402,F401
import streamlit.elements.table  # noqa: E402,F401
import streamlit.elements.plotly_chart  # noqa: E402,F401

from gdviz.ui import guard  # noqa: E402

# Touch the paths that import more on first use: a validated figure with a NumPy array (the
# validators look for pandas and numpy), its JSON (plotly.io's engines), a table as Arrow (what
# st.dataframe does), Pillow's plugin list.
go.Figure(go.Scatter(x=[0.0, 1.0], y=pandas.Series([1.0, 2.0]).to_numpy())).to_json()
streamlit.dataframe_util.convert_pandas_df_to_arrow_bytes(pandas.DataFrame({"a": [0.0]}))  # F3's table: pyarrow
PIL.Image.init()
guard.install()

SECONDS = time.perf_counter() - _started

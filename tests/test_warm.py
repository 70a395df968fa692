"""A class starting at once: no session may see a half-imported pandas (gdviz.ui.warm).

Plotly's validators look pandas up in ``sys.modules`` without importing it; while another
session's thread was importing it they got the partial module and raised ``AttributeError:
partially initialized module 'pandas'``. Each case runs in a fresh interpreter (pandas not yet
imported) with pandas' import slowed down, one thread importing it, another validating a
figure meanwhile.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from gdviz.ui.nav import ROOT

RACE = textwrap.dedent("""
    import importlib.abc, sys, threading, time
    import numpy as np
    import plotly.graph_objects as go

    midway = threading.Event()

    class Slow(importlib.abc.MetaPathFinder):  # pandas' import takes a while, as on a busy server
        def find_spec(self, name, path, target=None):
            if name == "pandas.core.arrays":  # pandas has no Series yet
                midway.set()
                time.sleep(1.0)
            return None

    sys.meta_path.insert(0, Slow())
    assert "pandas" not in sys.modules

    def first_session():
        {first}

    errors = []

    def second_session():
        midway.wait(10)
        try:
            {second}
            go.Scatter(x=[0.0, 1.0, 2.0], y=np.arange(3.0))  # Plotly validates the data
        except Exception as e:
            errors.append(f"{{type(e).__name__}}: {{e}}")

    a = threading.Thread(target=first_session)
    b = threading.Thread(target=second_session)
    a.start(); b.start(); a.join(); b.join()
    print("ERRORS", errors)
""")


def race(first: str, second: str) -> str:
    code = RACE.format(first=first, second=second)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_the_race_without_the_warm_up():
    """The defect itself: a page importing pandas (Streamlit's dataframe path) beside a page
    validating a figure. This is what a class saw; the check must catch it."""
    out = race("import pandas", "pass")
    assert "partially initialized module 'pandas'" in out, out


def test_pages_wait_for_the_warm_up():
    """Every page imports gdviz.ui first; the first session then imports pandas (as F3's table
    makes Streamlit do); the second waits in its own ``import gdviz.ui`` until pandas (and the
    rest of gdviz.ui.warm) is complete, then validates without error."""
    out = race("import gdviz.ui; import pandas", "import gdviz.ui")
    assert "ERRORS []" in out, out

"""Old name of :mod:`gdviz.core.streetlights`, kept only while ``pages/C1_streetlights.py``
still imports it (that page is being rebuilt; it should import the experiments layer
instead). Import :mod:`gdviz.core.streetlights`; delete this file once nothing uses it."""

from gdviz.core.streetlights import *  # noqa: F401,F403
from gdviz.core.streetlights import BOOK_WEIGHTS, MODES, STREETLIGHTS, WALK_VS_STOP, pressure  # noqa: F401

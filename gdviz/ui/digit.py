"""Which digit to show a network: one of the MNIST test images, or one the student draws.

The drawing is prepared the way MNIST's digits were (see :mod:`gdviz.core.drawing`), so the
network sees it in the form it learned from. The canvas is a component that works offline
(``streamlit-drawable-canvas``); without it, drawing is simply not offered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from gdviz.core import drawing

try:  # the canvas is optional: the page works without it
    from streamlit_drawable_canvas import st_canvas
except Exception:  # pragma: no cover - depends on the installation
    st_canvas = None

TEST, DRAW = "MNIST test image", "draw your own"
CANVAS = 196


@dataclass(frozen=True)
class Digit:
    """784 pixels in the /255 scale, the label when known, and a few words saying what it is."""

    pixels: np.ndarray
    label: int | None
    what: str


def choose(key: str, images, labels, index: int) -> Digit | None:
    """A switch between test image ``index`` and a drawing canvas; None while the canvas is empty."""
    options = [TEST, DRAW] if st_canvas is not None else [TEST]
    source = st.radio("digit to score", options, key=f"{key}_digit_source", horizontal=True,
                      label_visibility="collapsed")
    if source == TEST:
        return Digit(images[index], int(labels[index]), f"test image {index}")
    st.caption("Draw one digit, large, in the middle (light ink on dark, like MNIST). "
               "The bin icon under the canvas clears it.")
    result = st_canvas(stroke_width=16, stroke_color="#FFFFFF", background_color="#000000",
                       height=CANVAS, width=CANVAS, drawing_mode="freedraw", return_image_data=True,
                       key=f"{key}_canvas")
    data = getattr(result, "image_data", None) if result is not None else None
    try:
        pixels = drawing.to_mnist(data) if data is not None else None
    except ValueError:
        pixels = None
    if pixels is None:
        st.info("Nothing drawn yet: the scores appear when there is ink on the canvas.")
        return None
    return Digit(pixels, None, "your drawing")

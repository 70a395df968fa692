"""Which digit to show a network: one of the MNIST test images, or one the student draws.

The drawing is prepared the way MNIST's digits were (see :mod:`gdviz.core.drawing`), so the
network sees it in the form it learned from. The canvas is a component that works offline
(``streamlit-drawable-canvas``); without it, drawing is simply not offered.
"""

from __future__ import annotations

import base64
import binascii
import io
import struct
import threading
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import streamlit as st

from gdviz.core import drawing
from gdviz.ui import guard

st_canvas = None


def _load_canvas():
    """The canvas component, or None. Optional: the page works without it. Imported on first
    use, inside a page run: the component registers itself with the running app (imported
    outside one, e.g. by a test collecting this module, it fails)."""
    global st_canvas
    if st_canvas is None:
        try:
            from streamlit_drawable_canvas import st_canvas as canvas  # noqa: PLC0415
        except Exception:  # pragma: no cover - depends on the installation
            return None
        st_canvas = canvas
    return st_canvas

TEST, DRAW = "MNIST test image", "draw your own"
CANVAS = 196
UNREADABLE = "That drawing could not be read"

# The canvas's value comes from the browser, so anything can arrive; it is checked before
# anything is decoded. A 196×196 canvas gives a PNG of a few kB (at most ~210 kB as a data
# URL even for noise), so these caps leave room and refuse the gigabyte images (an
# 8000×8000 PNG is 345 kB sent, 2 GB decoded to floats).
PREFIX = "data:image/png;base64,"
MAX_URL = 400_000
MAX_SIDE = 1024
_PNG = b"\x89PNG\r\n\x1a\n"
# Chunks whose content Pillow decompresses besides the pixels (text, colour profile): refused.
_COMPRESSED = {b"zTXt", b"iTXt", b"iCCP"}
_PIL_LOCK = threading.Lock()


@dataclass(frozen=True)
class Digit:
    """784 pixels in the /255 scale, the label when known, and a few words saying what it is."""

    pixels: np.ndarray
    label: int | None
    what: str


def choose(key: str, images, labels, index: int) -> Digit | None:
    """A switch between test image ``index`` and a drawing canvas; None while the canvas is empty."""
    canvas = _load_canvas()
    options = [TEST, DRAW] if canvas is not None else [TEST]
    source = st.radio("digit to score", options, key=f"{key}_digit_source", horizontal=True,
                      label_visibility="collapsed")
    if source == TEST:
        return Digit(images[index], int(labels[index]), f"test image {index}")
    st.caption("Draw one digit, large, in the middle (light ink on dark, like MNIST). "
               "The bin icon under the canvas clears it.")
    try:
        result = canvas(stroke_width=16, stroke_color="#FFFFFF", background_color="#000000",
                           height=CANVAS, width=CANVAS, drawing_mode="freedraw", return_image_data=True,
                           key=f"{key}_canvas")
    except Exception:  # a malformed value the component itself trips over
        result = None
    try:
        data, problem = read_drawing(st.session_state.get(f"{key}_canvas"))
    except Exception:  # noqa: BLE001 - whatever else a hostile value finds
        data, problem = None, "the canvas's value is malformed"
    if result is None and problem is None:
        problem = "the canvas's value is malformed"
    pixels = None
    if data is not None:
        try:
            pixels = drawing.to_mnist(data)
        except ValueError as e:
            problem = str(e)
    if problem is not None:
        st.warning(f"{UNREADABLE} ({problem}). Clear the canvas with its bin icon and draw again.",
                   icon="✏️")
        return None
    if pixels is None:
        st.info("Nothing drawn yet: the scores appear when there is ink on the canvas.")
        return None
    return Digit(pixels, None, "your drawing")


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (IHDR, the first chunk), without decoding pixels;
    ValueError when it is no PNG or carries a chunk Pillow would decompress besides pixels."""
    if len(png) < 33 or not png.startswith(_PNG) or png[12:16] != b"IHDR":
        raise ValueError("it is not a PNG image")
    width, height = struct.unpack(">II", png[16:24])
    at = 8
    while at + 8 <= len(png):  # walk the chunks: length, type, data, CRC
        length, kind = struct.unpack(">I", png[at:at + 4])[0], png[at + 4:at + 8]
        if kind in _COMPRESSED:
            raise ValueError(f"its PNG carries a compressed {kind.decode('latin-1')} chunk")
        if kind == b"IEND":
            break
        at += 12 + length
    return width, height


def read_drawing(state) -> tuple[np.ndarray | None, str | None]:
    """The canvas image as an (h, w, 4) uint8 array from the component's value, checked first.

    Returns ``(image, None)``, ``(None, None)`` when nothing is drawn, or ``(None, why)`` when
    the value cannot be read: not a mapping, ``drawing`` not a mapping, its data not a string,
    longer than ``MAX_URL``, not a base64 PNG data URL, a PNG over ``MAX_SIDE`` pixels a side
    (read from its header, before any pixel is decoded), or not decodable. Pillow's pixel
    limit is lowered to the same size while it decodes.
    """
    if state is None:
        return None, None
    if not isinstance(state, Mapping) and not hasattr(state, "keys"):  # Streamlit's view of it
        return None, "the canvas's value is not a mapping"
    keys = set(state.keys())
    if guard.UNREADABLE in keys:
        return None, f"the canvas's value is {state[guard.UNREADABLE]}"
    d = state["drawing"] if "drawing" in keys else None
    if d is None:
        return None, None
    if not isinstance(d, Mapping):
        return None, "its 'drawing' is not a mapping"
    url = d.get("data")
    if url is None:
        return None, None
    if not isinstance(url, str):
        return None, "its image is not a data URL"
    if len(url) > MAX_URL:
        return None, f"its image is longer than {MAX_URL:,} characters"
    if not url.startswith(PREFIX):
        return None, "its image is not a PNG data URL"
    try:
        png = base64.b64decode(url[len(PREFIX):], validate=True)
        width, height = _png_size(png)
    except (binascii.Error, ValueError) as e:
        return None, str(e) if isinstance(e, ValueError) and str(e).startswith("it") else "its image is not valid base64"
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        return None, f"its image is {width}×{height} pixels (at most {MAX_SIDE}×{MAX_SIDE})"
    try:
        image = _decode_png(png)
    except Exception:  # noqa: BLE001 - anything Pillow says about a corrupt PNG
        return None, "its PNG image is corrupt"
    return image, None


def _decode_png(png: bytes) -> np.ndarray:
    from PIL import Image  # noqa: PLC0415

    with _PIL_LOCK:  # the limit is a module global: lowered for this decode only
        before = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE
        try:
            with Image.open(io.BytesIO(png), formats=["PNG"]) as img:
                if img.size[0] > MAX_SIDE or img.size[1] > MAX_SIDE:
                    raise ValueError("too large")
                return np.asarray(img.convert("RGBA"))
        finally:
            Image.MAX_IMAGE_PIXELS = before

"""The drawing canvas's value (B5, D1) comes from the browser: it is checked before decoding.

Before: the data URL went straight to Pillow and the whole image to float64, so an 8000×8000
PNG (345 kB sent) took 2 GB; any of Pillow's formats was opened; a malformed value (not a
data URL, ``drawing`` not a mapping, JSON nested too deeply) raised and broke the page.
Now anything but a small PNG gets "That drawing could not be read" and the page keeps working.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import tracemalloc
import zlib

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from gdviz.ui import digit, guard

PAGE = """
import numpy as np
import streamlit as st
from gdviz.ui import digit
images, labels = np.zeros((1, 784)), np.array([7])
d = digit.choose("t", images, labels, 0)
st.write("scored" if d is not None else "no digit")
"""


def png_url(img: Image.Image) -> str:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return digit.PREFIX + base64.b64encode(buf.getvalue()).decode()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def forged_png(width: int, height: int, extra: bytes = b"") -> bytes:
    """A PNG header claiming ``width``×``height`` RGBA pixels, with a token of pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return digit._PNG + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")


def drawn() -> Image.Image:
    img = Image.new("RGBA", (digit.CANVAS, digit.CANVAS), (0, 0, 0, 255))
    img.paste((255, 255, 255, 255), (80, 40, 110, 160))  # a "1"
    return img


def state(url) -> dict:
    return {"drawing": {"raw": {"objects": []}, "data": url}, "backgroundFit": None}


def test_a_canvas_drawing_is_read():
    image, problem = digit.read_drawing(state(png_url(drawn())))
    assert problem is None and image.shape == (digit.CANVAS, digit.CANVAS, 4) and image.dtype == np.uint8
    assert image[100, 95, 0] == 255 and image[10, 10, 0] == 0


def test_nothing_drawn_is_no_notice():
    assert digit.read_drawing(None) == (None, None)
    assert digit.read_drawing({"drawing": {"raw": {}, "data": None}}) == (None, None)
    assert digit.read_drawing({"backgroundFit": None}) == (None, None)


BAD = {
    "not a mapping": [1, 2],
    "drawing not a mapping": {"drawing": 5},
    "drawing a list": {"drawing": ["data:image/png;base64,"]},
    "data not text": state(12345),
    "data a dict": state({"a": 1}),
    "not a data URL": state("https://example.com/x.png"),
    "a GIF": state("data:image/gif;base64," + base64.b64encode(b"GIF89a" + b"\0" * 20).decode()),
    "EPS": state("data:application/postscript;base64," + base64.b64encode(b"%!PS-Adobe-3.0 EPSF").decode()),
    "JPEG called PNG": state(digit.PREFIX + base64.b64encode(b"\xff\xd8\xff\xe0" + b"\0" * 40).decode()),
    "not base64": state(digit.PREFIX + "!!!not base64!!!"),
    "empty": state(digit.PREFIX),
    "too long": state(digit.PREFIX + "A" * (digit.MAX_URL + 4)),
    "8000×8000": state(digit.PREFIX + base64.b64encode(forged_png(8000, 8000)).decode()),
    "wide": state(digit.PREFIX + base64.b64encode(forged_png(100_000, 1)).decode()),
    "zero": state(digit.PREFIX + base64.b64encode(forged_png(0, 10)).decode()),
    "text bomb": state(digit.PREFIX + base64.b64encode(
        forged_png(196, 196, chunk(b"zTXt", b"k\0\0" + zlib.compress(b"x" * 10_000_000)))).decode()),
    "corrupt": state(digit.PREFIX + base64.b64encode(forged_png(196, 196)[:60]).decode()),
    "guard's marker": {guard.UNREADABLE: "nested too deeply"},
}


@pytest.mark.parametrize("name", BAD)
def test_a_bad_value_is_refused_before_any_big_decode(name, monkeypatch):
    calls = []
    real = digit._decode_png
    monkeypatch.setattr(digit, "_decode_png", lambda png: calls.append(len(png)) or real(png))
    tracemalloc.start()
    try:
        image, problem = digit.read_drawing(BAD[name])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert image is None and problem, name
    assert peak < 4 * digit.MAX_URL, f"{name}: {peak:,} bytes"
    if name not in ("corrupt",):
        assert not calls, f"{name}: Pillow was asked to decode it"


def test_pillow_limit_is_lowered_only_for_the_decode():
    before = Image.MAX_IMAGE_PIXELS
    digit.read_drawing(state(png_url(drawn())))
    assert Image.MAX_IMAGE_PIXELS == before


def test_the_guard_parses_component_values_safely():
    assert guard.safe_json('{"a": [1, 2]}') == {"a": [1, 2]}
    assert guard.UNREADABLE in guard.safe_json("[" * 100_000 + "]" * 100_000)
    assert guard.UNREADABLE in guard.safe_json("{not json")
    assert guard.UNREADABLE in guard.safe_json("0" * (guard.MAX_JSON + 1))


def _canvas_page() -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60).run()
    at.radio(key="t_digit_source").set_value(digit.DRAW).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _send(at: AppTest, json_text: str) -> AppTest:
    """What a client sends when its canvas changes: the component's value as JSON text."""
    cid = at.get("bidi_component")[0].proto.id
    widgets = at._tree.get_widget_states()
    w = widgets.widgets.add()
    w.id = cid
    w.json_value = json_text
    return at._run(widget_state=widgets)


HOSTILE = {
    "deeply nested": "[" * 50_000 + "]" * 50_000,
    "not JSON": "{'drawing': nope",
    "drawing a number": json.dumps({"drawing": 5}),
    "a GIF": json.dumps(BAD["a GIF"]),
    "8000×8000": json.dumps(BAD["8000×8000"]),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_the_page_says_so_and_keeps_working(name):
    guard.install()  # as the server does at start (gdviz.ui.warm)
    at = _canvas_page()
    _send(at, HOSTILE[name])
    assert not at.exception, f"{name}: {[e.value for e in at.exception]}"
    assert any(digit.UNREADABLE in w.value for w in at.warning), f"{name}: no notice"
    assert "no digit" in [m.value for m in at.markdown]
    _send(at, json.dumps(state(png_url(drawn()))))  # then the student draws
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning and "scored" in [m.value for m in at.markdown]

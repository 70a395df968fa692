"""Widget values as the browser first sends them, and as the link writes them."""

from __future__ import annotations

from streamlit.proto.Slider_pb2 import Slider


def wire_value(kind: str, p) -> object:
    """A widget's value as the browser would first send it."""
    if kind == "slider":
        return list(p.value) if p.set_value else list(p.default)
    if kind == "select_slider":
        return list(p.raw_value) if p.set_value else [p.options[int(i)] for i in p.default]
    if kind in ("checkbox", "toggle"):
        return bool(p.value) if p.set_value else bool(p.default)
    if kind in ("radio", "selectbox"):
        if p.set_value and p.HasField("raw_value"):
            return p.raw_value
        return p.options[p.default] if p.HasField("default") and p.options else None
    return None

def url_text(w: Widget, value) -> str:
    if w.kind == "slider":
        x = value[0]
        return str(int(x)) if w.proto.data_type == Slider.INT else repr(float(x))
    if w.kind == "select_slider":
        return str(value[0])
    if w.kind in ("checkbox", "toggle"):
        return "true" if value else "false"
    return str(value)

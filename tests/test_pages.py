"""The shared page harness: every page under Streamlit's AppTest, found by itself.

For each page: it runs with its defaults; every slider, select slider, checkbox and toggle is
moved to its edges, every radio and select box through its options, and each move must change
what the page shows (its elements or its link); every button is pressed; garbage in the link is
refused with a visible notice. No exception may reach the page. A control or button the page
showed must be there to be used: when an earlier move hid it (a page waiting for a background
run shows only its settings), it is used on a freshly opened page, never skipped.
New pages need no code here.
"""

from __future__ import annotations

import json

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Widget

from gdviz.ui.nav import ROOT, lesson_pages

PAGES = ["app.py"] + [p.relpath for p in lesson_pages()]
TIMEOUT = 120
GARBAGE = ["abc", "nan", "inf", "-1e999", "1e308", "<script>alert(1)</script>", ""]


def load(path: str = "app.py", query: dict | None = None) -> AppTest:
    """Open ``path`` as a user following a link would: the app, then that page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if path != "app.py":
        at.run()
        at.switch_page(path)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    return at


def no_exception(at: AppTest, what: str) -> None:
    assert not at.exception, f"{what}: {[e.value for e in at.exception]}"


def figures(at: AppTest) -> list[dict]:
    """The page's charts: its Plotly charts and those its lesson instrument draws."""
    out = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    for c in at.get("bidi_component"):
        text = c.proto.json
        head = json.loads(text) if text.startswith('"') else text
        if c.proto.component_name == "gdviz_instrument":
            from gdviz.ui import instrument  # noqa: PLC0415

            out += [chart["figure"] for chart in instrument.resolve(head).get("charts", [])]
    return out


def bound_keys(at: AppTest) -> list[str]:
    keys = []
    for kind in ("slider", "select_slider", "toggle", "checkbox", "number_input", "selectbox"):
        for w in getattr(at, kind):
            if w.key and not w.key.startswith("_") and not w.key.endswith("_iteration"):
                keys.append(w.key)
    return keys


@pytest.mark.parametrize("path", PAGES)
def test_page_runs_with_defaults(path):
    at = load(path)
    no_exception(at, "defaults")
    if path != "app.py":
        assert at.title, "a lesson page has a title"
        assert figures(at), "a lesson page draws at least one chart"


def ids(at: AppTest, kind: str) -> list[str]:
    return [w.key or w.label for w in getattr(at, kind)]


def widget(at: AppTest, kind: str, name: str):
    """The page's ``kind`` widget with this key (or label) now, or None."""
    return next((w for w in getattr(at, kind) if (w.key or w.label) == name), None)


def _no_ids(d):
    if isinstance(d, dict):
        return {k: _no_ids(v) for k, v in d.items() if k != "id"}
    if isinstance(d, list):
        return [_no_ids(v) for v in d]
    return d


def shown(at: AppTest, but=None) -> tuple:
    """What the page shows, for comparing two runs: every element (a widget by its value, a chart
    by its figure, anything else by its content without Streamlit's ids), the moved widget ``but``
    itself left out, and the link (a bound control's job is also to put its value there)."""
    items = []

    def walk(node) -> None:
        for child in node.children.values():
            if isinstance(child, Block):
                walk(child)
            elif but is not None and child.type == but.type and (child.key or child.label) == (but.key or but.label):
                continue
            elif isinstance(child, Widget):
                try:
                    value = repr(child.value)
                except Exception:  # noqa: BLE001 - a widget AppTest cannot read: its content instead
                    value = _no_ids(MessageToDict(child.proto))
                items.append((child.type, child.key or getattr(child, "label", None), value))
            elif child.type == "plotly_chart":
                items.append((child.type, json.loads(child.proto.spec)))
            else:
                items.append((child.type, _no_ids(MessageToDict(child.proto))))

    walk(at.main)
    walk(at.sidebar)
    return items, sorted((k, str(v)) for k, v in at.query_params.items())


class Harness:
    """One page under test: finds a control the page showed, on a fresh page when a move hid it."""

    def __init__(self, path: str):
        self.path = path
        self.at = load(path)

    def find(self, kind: str, name: str):
        w = widget(self.at, kind, name)
        if w is None:  # an earlier move hid it: it must be there on the page as it opens
            self.at = load(self.path)
            w = widget(self.at, kind, name)
        assert w is not None, f"{self.path}: the {kind} {name!r} it showed is gone, even on a fresh page"
        return w

    def move(self, kind: str, name: str, value, what: str) -> None:
        """Set the control to ``value``; the page must answer without an exception and, when the
        value changed, show something else than before."""
        w = self.find(kind, name)
        before, changes = shown(self.at, but=w), label(w, w.value) != label(w, value)
        w.set_value(value).run()
        no_exception(self.at, what)
        if changes:
            assert shown(self.at, but=widget(self.at, kind, name) or w) != before, f"{what}: the page shows nothing new"


def label(w, value):
    """``value`` as the control shows it: a choice by its option's text (a test may set either)."""
    if w.type not in ("select_slider", "radio", "selectbox"):
        return value
    if isinstance(value, str) and value in w.options:
        return value
    return str(w.format_func(value))


@pytest.mark.parametrize("path", PAGES)
def test_every_control_to_its_edges(path):
    h = Harness(path)
    for label_ in ids(h.at, "slider"):
        for end in ("min", "max"):
            h.move("slider", label_, getattr(h.find("slider", label_), end), f"slider {label_!r} at its {end}")
    for label_ in ids(h.at, "select_slider"):
        for end in (0, -1):
            v = h.find("select_slider", label_).options[end]
            h.move("select_slider", label_, v, f"select slider {label_!r} = {v}")
    for kind in ("checkbox", "toggle"):
        for label_ in ids(h.at, kind):
            h.move(kind, label_, not h.find(kind, label_).value, f"{kind} {label_!r}")
    for kind in ("radio", "selectbox"):
        for label_ in ids(h.at, kind):
            for v in list(h.find(kind, label_).options)[::-1]:
                h.move(kind, label_, v, f"{kind} {label_!r} = {v}")


@pytest.mark.parametrize("path", PAGES)
def test_every_button(path):
    h = Harness(path)
    labels = [b.label for b in h.at.button]
    for label in labels:
        matches = [b for b in h.at.button if b.label == label]
        if not matches:  # an earlier press hid it (Train became Pause): press it on a fresh page
            h.at = load(path)
            matches = [b for b in h.at.button if b.label == label]
        assert matches, f"{path}: the button {label!r} it showed is gone, even on a fresh page"
        enabled = [b for b in matches if not b.disabled]  # as a user can
        if enabled:
            enabled[0].click().run()
            no_exception(h.at, f"button {label!r}")


@pytest.mark.parametrize("path", PAGES)
def test_garbage_in_the_link_is_refused_with_a_notice(path):
    keys = bound_keys(load(path)) + ["lecture", "no_such_setting"]
    for i, junk in enumerate(GARBAGE):
        at = load(path, {k: junk for k in keys})
        no_exception(at, f"link values {junk!r}")
        notices = " ".join(w.value for w in at.warning)
        if junk:  # an empty value is simply no value
            assert "ignored" in notices, f"no notice for {junk!r}: {notices!r}"
        if path != "app.py":
            assert figures(at), "the page still draws its charts"

"""The shared page harness: every page under Streamlit's AppTest, found by itself.

For each page: it runs with its defaults; every slider, select slider, checkbox and toggle can
be moved to its edges, every radio and select box through its options; every button can be
pressed; garbage in the link is refused with a visible notice. No exception may reach the page.
New pages need no code here.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

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
        data = json.loads(json.loads(text) if text.startswith('"') else text)
        out += [chart["figure"] for chart in data.get("charts", [])]
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
    """The page's ``kind`` widget with this key (or label) now, or None: a control may be gone
    for a while (a page waiting for a background run shows only its settings)."""
    return next((w for w in getattr(at, kind) if (w.key or w.label) == name), None)


@pytest.mark.parametrize("path", PAGES)
def test_every_control_to_its_edges(path):
    at = load(path)
    for label in ids(at, "slider"):
        for end in ("min", "max"):
            s = widget(at, "slider", label)
            if s is not None:
                s.set_value(getattr(s, end)).run()
                no_exception(at, f"slider {label!r} at its {end}")
    for label in ids(at, "select_slider"):
        for end in (0, -1):
            s = widget(at, "select_slider", label)
            if s is not None:
                s.set_value(s.options[end]).run()
                no_exception(at, f"select slider {label!r} = {s.options[end]}")
    for kind in ("checkbox", "toggle"):
        for label in ids(at, kind):
            w = widget(at, kind, label)
            if w is not None:
                w.set_value(not w.value).run()
                no_exception(at, f"{kind} {label!r}")
    for kind in ("radio", "selectbox"):
        for label in ids(at, kind):
            for v in list(getattr(widget(at, kind, label), "options", ()))[::-1]:
                w = widget(at, kind, label)
                if w is not None:
                    w.set_value(v).run()
                    no_exception(at, f"{kind} {label!r} = {v}")


@pytest.mark.parametrize("path", PAGES)
def test_every_button(path):
    at = load(path)
    labels = [b.label for b in at.button]
    for label in labels:
        matches = [b for b in at.button if b.label == label and not b.disabled]  # as a user can
        if matches:
            matches[0].click().run()
            no_exception(at, f"button {label!r}")


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

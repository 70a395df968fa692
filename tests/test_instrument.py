"""The lesson instrument's payload, for every page that has one (found by itself), under AppTest.

What the browser draws while a slider is dragged is a *preview*: a run computed for that slider
value in a batch (NumPy over the grid, for some lessons). After release the page commits the
value and draws the *committed* run, computed by the scalar core. These tests check that the two
agree number for number (metrics, arithmetic, moving traces) for values across every live
slider's grid, that the payload is JSON the browser can parse (no NaN), and that the link
round-trips settings and the iteration.
"""

from __future__ import annotations

import json
import math

import pytest
from streamlit.testing.v1 import AppTest

from gdviz.figures import live
from gdviz.ui import instrument
from gdviz.ui.nav import ROOT, lesson_pages

INSTRUMENT_PAGES = [p.relpath for p in lesson_pages() if "instrument.show(" in (ROOT / p.relpath).read_text()]
TIMEOUT = 120


def load(path: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(path)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def payload(at: AppTest) -> dict:
    comps = at.get("bidi_component")
    assert len(comps) == 1, "one instrument per page"
    raw = comps[0].proto.json
    text = json.loads(raw) if raw.startswith('"') else raw
    data = instrument.resolve(text)  # the head and the parts it names, as the browser puts them together
    assert "NaN" not in json.dumps(data) and "Infinity" not in json.dumps(data)
    return data


def test_every_stepped_lesson_has_an_instrument():
    stepped = {"A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3", "E1", "E2", "F1", "F2"}
    have = {p.split("/")[-1][:2] for p in INSTRUMENT_PAGES}
    assert have == stepped, f"missing: {sorted(stepped - have)}"


def _frame(view: dict, i: int) -> dict:
    frames = view["frames"]
    key = str(i) if str(i) in frames else min(frames, key=lambda k: abs(int(k) - i))
    return frames[key]


def _close(a, b) -> bool:
    """Trace numbers travel at 6 significant digits; a batch's square may differ in the last bit."""
    a, b = live.dec(a), live.dec(b)
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if (x is None) != (y is None):
            return False
        if x is not None and not math.isclose(x, y, rel_tol=2e-5, abs_tol=1e-12):
            return False
    return True


@pytest.mark.parametrize("path", INSTRUMENT_PAGES)
def test_previews_are_the_committed_runs(path):
    """For values across each live slider's grid: the preview the browser shows while dragging
    equals what the page shows once that value is committed (computed afresh by the core)."""
    at = load(path)
    p = payload(at)
    assert p["iteration"] == 1 and p["base"]["n"] >= 1
    for s in p["live"]:
        n = len(s["values"])
        picks = sorted({0, n // 3, (2 * n) // 3, n - 1} - {s["index"]})
        for j in picks:
            preview = p["grids"][s["name"]][j]
            if preview is None:
                continue
            committed = payload(load(path, {s["name"]: s["values"][j]}))
            assert committed["live"][[x["name"] for x in committed["live"]].index(s["name"])]["index"] == j
            base = committed["base"]
            assert preview["n"] == base["n"], (s["name"], s["values"][j])
            a, b = _frame(preview, 0), _frame(base, 0)
            assert a.get("metrics") == b.get("metrics"), (s["name"], s["values"][j])
            assert a.get("arith") == b.get("arith"), (s["name"], s["values"][j])
            assert a.get("notes", []) == b.get("notes", [])
            for chart, traces in a.get("traces", {}).items():
                for idx, t in traces.items():
                    u = b["traces"][chart][idx]
                    for k in ("x", "y"):
                        if k in t:
                            assert _close(t[k], u[k]), (s["name"], s["values"][j], chart, idx, k)
            assert preview.get("notice", "") == base.get("notice", "")


@pytest.mark.parametrize("path", INSTRUMENT_PAGES)
def test_templates_carry_the_committed_run(path):
    """Each chart's template, as the browser first paints it, is the committed run's first
    frame: the view applied by the browser's rules (gdviz.figures.live.apply)."""
    p = payload(load(path))
    ids = {c["id"] for c in p["charts"]}
    placed = {item for row in p["rows"] for col in row["columns"] for item in col}
    assert ids <= placed, f"charts not in the layout: {ids - placed}"
    for c in p["charts"]:
        again = live.apply(c["figure"], p["base"], c["id"], 0)
        for t, u in zip(c["figure"]["data"], again["data"]):
            for k in ("x", "y"):
                if isinstance(t.get(k), list):
                    assert t[k] == u[k]


def test_the_link_round_trips_settings_and_iteration():
    at = load("pages/A2_gradient_descent.py", {"weight": "2.25", "iteration": "7"})
    p = payload(at)
    w = next(s for s in p["live"] if s["name"] == "weight")
    assert w["values"][w["index"]] == "2.25"
    assert p["iteration"] == 7
    assert p["base"]["frames"]["6"]["arith"]["title"] == "The arithmetic of iteration 7"


def test_bad_link_values_get_a_notice_and_change_nothing():
    at = load("pages/A2_gradient_descent.py", {"weight": "0.123", "iteration": "-3", "alpha": "nan"})
    text = " ".join(w.value for w in at.warning)
    assert "weight" in text and "iteration" in text and "alpha" in text
    p = payload(at)
    w = next(s for s in p["live"] if s["name"] == "weight")
    assert w["values"][w["index"]] == "0.5" and p["iteration"] == 1


def test_pages_do_not_share_settings():
    """A2's weight in the session does not reach A3: every lesson opens with its own defaults."""
    at = load("pages/A2_gradient_descent.py", {"input": "0.5", "iterations": "50"})
    at.query_params.clear()
    at.switch_page("pages/A3_divergence_and_alpha.py")
    at.run()
    p = payload(at)
    x = next(s for s in p["live"] if s["name"] == "input")
    assert x["values"][x["index"]] == "2.0"
    assert p["base"]["n"] == 20


@pytest.mark.parametrize("msg, ok", [
    ({"name": "weight", "index": 55, "iteration": 3}, True),
    ({"name": "weight", "index": 10 ** 9}, False),
    ({"name": "weight", "index": -1}, False),
    ({"name": "weight", "index": 2.5}, False),
    ({"name": "weight", "index": True}, False),
    ({"name": "__proto__", "index": 1}, False),
    ({"name": ["weight"], "index": 1}, False),
    ("weight=3", False),
    (None, False),
])
def test_values_sent_by_the_browser_are_checked(msg, ok):
    from gdviz.experiments import one_weight as A  # noqa: PLC0415

    lives = (instrument.live(A.WEIGHT), instrument.live(A.ALPHA))
    if ok:
        name, text, it = instrument.check_commit(msg, lives)
        assert (name, text, it) == ("weight", "-0.25", 3)
    else:
        with pytest.raises(ValueError):
            instrument.check_commit(msg, lives)


@pytest.mark.parametrize("alpha, iterations", [(10.0, 200), (5.0, 200), (3.0, 200), (-1.0, 200), (1.0, 20)])
def test_views_of_diverging_runs_are_drawable(alpha, iterations):
    """A run that overflows (error up to 1e308 before inf) gives a view, not an exception, and
    the view's JSON has no NaN or Infinity for the browser's JSON.parse."""
    from gdviz import experiments  # noqa: PLC0415
    from gdviz.figures import one_weight as figs  # noqa: PLC0415

    exp = experiments.get("divergence")
    run = exp.simulate(exp.settings(alpha=alpha), iterations)
    for at in (None, 0, iterations - 1):
        view = figs.gd_view(run, at)
        json.dumps(view, allow_nan=False)
        lay = view["layout"]["errors"].get("yaxis", {}).get("range")
        assert lay is None or all(math.isfinite(v) for v in lay)


@pytest.mark.parametrize("query", [{}, {"iterations": "50"}], ids=["fresh", "iterations-50"])
def test_a_preset_with_the_default_run_length_leaves_iterations_out_of_the_link(query):
    """A preset whose run length is the page's default writes no ``iterations`` (as the
    iterations slider moved back to its default does): the link of A2's "stopping" preset is
    the same whether or not the link said 50 before, and a follower in a room then sees a change
    of live settings only (its instrument's fragment follows it, no whole-page run)."""
    at = load("pages/A2_gradient_descent.py", query)
    at.button(key="preset_stopping").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "iterations" not in at.query_params, dict(at.query_params)
    assert at.query_params["input"] == "0.0"
    assert at.slider(key="A2.iterations").value == 20
    assert payload(at)["base"]["n"] == 20

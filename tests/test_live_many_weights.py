"""B1–B3 on the lesson instrument: the views carry the core's numbers, every book value is on a
live slider's grid, the page-scoped controls read the link and leak nowhere."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gdviz import experiments
from gdviz.core import many_weights as mw
from gdviz.experiments import many_weights as B
from gdviz.figures import live
from gdviz.figures import many_weights as figs
from gdviz.figures.theme import num
from tests.test_pages import load

B_PRESETS = ("multi-input", "multi-input-diverge", "freeze", "freeze-then-unfreeze", "multi-output", "multi-in-out")


def _run(name, iterations=None, **over):
    e = experiments.get(name)
    return e.simulate(e.settings(**over), e.check_iterations(iterations))


@pytest.mark.parametrize("name", B_PRESETS)
def test_every_book_value_is_on_a_live_grid(name):
    e = experiments.get(name)
    s = e.settings()
    assert s["alpha"] in B.ALPHA.grid()
    params = B.start_weights(e)
    assert len(params) == len(s["weights"])
    for p, w in zip(params, s["weights"]):
        assert w in p.grid() and len(p.grid()) <= 61, p.name
    assert B.joined(e, B.named(e, s)) == s  # named weights round-trip to the experiment's settings


def test_slice_lines_are_the_cores_slices_and_slopes():
    run = _run("freeze", 6)
    windows = figs.weight_windows(run.records)
    for r in run.records:
        G, E, slopes = figs.slice_lines(r, windows, 17)
        s = figs.state(r)
        for i in range(3):
            assert np.allclose(E[i], mw.slice_curve(s, i, G[i]), rtol=1e-12, atol=1e-15)
            assert slopes[i] == pytest.approx(mw.slope(s, i), rel=1e-12)
        # drawn where the curve is on the chart: every point at most 1.1² × the top
        G2, E2, _ = figs.slice_lines(r, windows, 17, top=0.01)
        assert E2.max() <= 0.01 * 1.21 + 1e-12 or np.all(G2[:, 0] >= np.array(windows)[:, 0])


@pytest.mark.parametrize("i,j", [(0, 1), (0, 2), (1, 2)])
def test_surface_is_drawn_from_pred_minus_true_whose_square_is_the_cores_surface(i, j):
    run = _run("freeze", 4)
    for r in run.records:
        gi, gj = np.linspace(-1, 1, 5), np.linspace(-0.5, 0.7, 4)
        u = figs.surface_u(r, i, j, gi, gj)
        assert np.allclose(u ** 2, mw.slice_surface(figs.state(r), i, j, gi, gj), rtol=1e-12, atol=1e-15)


def _views():
    yield "B1", _run("multi-input"), figs.multi_input_view, figs.multi_input_charts
    for surface in ((0, 1, False), (1, 2, True)):
        run = _run("freeze-then-unfreeze")
        yield ("B2", run, lambda rr, at=None, s=surface: figs.multi_input_view(rr, at, history=True, surface=s),
               lambda rr, lecture=False, s=surface: figs.freeze_charts(rr, lecture=lecture, pair=s[:2], three_d=s[2]))
    for name in ("multi-output", "multi-in-out"):
        yield "B3", _run(name, 10), figs.network_view, figs.network_charts


@pytest.mark.parametrize("case", list(_views()), ids=lambda c: c[0] if isinstance(c, str) else "")
def test_views_are_json_and_a_trace_is_moved_from_one_place(case):
    _, run, view, charts = case
    v = view(run)
    json.dumps(v, allow_nan=False)
    templates = charts(run)
    for chart, fig in templates.items():
        # a trace's data is either the run's or the frame's: the browser moves each trace once
        run_ids = set(v["run"].get(chart, {}))
        for f in v["frames"].values():
            assert not run_ids & set(f["traces"].get(chart, {})), chart
            for idx in f["traces"].get(chart, {}):
                assert int(idx) < len(fig["data"])
    assert len(v["frames"]) == v["n"] == len(run.records)
    one = view(run, 2)
    assert list(one["frames"]) == [2] and one["frames"][2] == v["frames"][2]


def test_b1_frames_carry_the_books_numbers():
    run = _run("multi-input")
    v = figs.multi_input_view(run)
    fig = figs.multi_input_charts(run)["slices"]
    book_pred = (0.8600000000000001, 0.9637574999999999, 0.9906177228125002)
    for k, r in enumerate(run.records):
        assert r["pred"] == book_pred[k]
        f = v["frames"][k]
        assert dict(f["metrics"])["pred"] == num(book_pred[k])
        assert f["arith"]["rows"] == [[ln.phase, ln.name, ln.formula, ln.numbers, ln.value]
                                      for ln in B.multi_input_arithmetic(r)]
        drawn = live.apply(fig, v, "slices", k)["data"]
        for i in range(3):
            now = drawn[figs.slice_trace(i, "now")]
            assert now["x"] == [pytest.approx(float(r["weights"][i]), rel=1e-5)]
            assert now["y"] == [pytest.approx(r["total_error"], rel=1e-5)]
            path = drawn[figs.slice_trace(i, "path")]
            assert len(path["x"]) == k + 1  # the path so far
    # alpha 0.1 diverges and a moves furthest every iteration
    run = _run("multi-input-diverge")
    v = figs.multi_input_view(run)
    assert all(dict(f["metrics"])["moves furthest"] == "weight a" for f in v["frames"].values())
    json.dumps(v, allow_nan=False)


def test_b3_matrices_are_the_books_update():
    run = _run("multi-output")
    v = figs.network_view(run)
    drawn = live.apply(figs.network_charts(run)["new_weights"], v, "new_weights", 0)["data"][0]
    assert [row[0] for row in drawn["text"]] == [num(w, 6) for w in (0.293825, 0.25655, 0.868475)]
    run = _run("multi-in-out")
    v = figs.network_view(run)
    err = live.apply(figs.network_charts(run)["errors"], v, "errors", 0)["data"][0]
    pred = np.array([0.555, 0.98, 0.965])
    assert err["y"] == pytest.approx(list((pred - np.array([0.1, 1.0, 0.1])) ** 2), rel=1e-5)


def _payload(at):
    bc = at.get("bidi_component")
    assert bc, [e.value for e in at.error]
    from gdviz.ui import instrument  # noqa: PLC0415

    text = bc[0].proto.json
    return instrument.resolve(json.loads(text) if text.startswith('"') else text)


def test_b2_controls_say_what_they_do_and_are_read_from_the_link():
    at = load("pages/B2_freezing_weights.py", {"frozen_b": "true", "unfreeze_at": "0"})
    assert [t.label for t in at.toggle][:3] == ["freeze weight a", "freeze weight b", "freeze weight c"]
    assert [t.value for t in at.toggle][:3] == [True, True, False]
    unfreeze = next(s for s in at.select_slider if s.key == "B2.unfreeze_at")
    assert unfreeze.format_func(0) == "never" and unfreeze.value == 0
    frame = _payload(at)["base"]["frames"]["0"]
    assert dict(frame["metrics"])["frozen"] == "weight a, weight b"
    assert not at.warning
    at = load("pages/B2_freezing_weights.py", {"frozen_b": "maybe"})
    assert "ignored" in " ".join(w.value for w in at.warning)
    assert [t.value for t in at.toggle][:3] == [True, False, False]


def test_b3_network_choice_is_page_scoped_and_drops_the_other_networks_weights():
    at = load("pages/B3_many_outputs.py", {"network": "multi-output", "weight_win": "0.5"})
    assert not at.warning
    d = _payload(at)
    assert [p["name"] for p in d["live"]] == ["alpha", "weight_hurt", "weight_win", "weight_sad"]
    assert d["live"][2]["values"][d["live"][2]["index"]] == "0.5"
    assert "B3.network" in at.session_state and "network" not in at.session_state

"""Part B figures: the numbers drawn are the run's numbers, and axes never move while stepping."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz import experiments
from gdviz.core import many_weights as mw
from gdviz.experiments import many_weights as B
from gdviz.figures import many_weights as figs
from tests.helpers import assert_all_finite


def _traces(fig, name):
    return [t for t in fig.data if t.name == name]


def _ranges(fig):
    lay = fig.layout
    return [tuple(lay[k].range) for k in sorted(lay.to_plotly_json()) if k.startswith(("xaxis", "yaxis"))
            and lay[k].range is not None]


@pytest.fixture(scope="module")
def book():
    return experiments.get("multi-input").run()


def test_dots_sit_at_the_current_weights_and_tangents_have_slope_2_weight_delta(book):
    for k, r in enumerate(book.records):
        fig = figs.slices(book.records, k)
        dots = _traces(fig, "current weight")
        tangents = _traces(fig, "slope (tangent)")
        assert len(dots) == len(tangents) == 3
        for i in range(3):
            assert dots[i].x[0] == pytest.approx(r["weights"][i])
            assert dots[i].y[0] == pytest.approx(r["total_error"])
            (x0, x1), (y0, y1) = tangents[i].x, tangents[i].y
            assert (y1 - y0) / (x1 - x0) == pytest.approx(2 * r["weight_deltas"][i], rel=1e-9)
    # the book's first slope of a: 2 × −1.19
    t = _traces(figs.slices(book.records, 0), "slope (tangent)")[0]
    assert (t.y[1] - t.y[0]) / (t.x[1] - t.x[0]) == pytest.approx(-2.38)


def test_curve_is_the_exact_slice(book):
    fig = figs.slices(book.records, 1)
    curve = _traces(fig, "error, other weights held")[0]
    s = mw.MultiInput(book.records[1]["weights"], (8.5, 0.65, 1.2), 1.0, 0.01)
    xs = np.array(curve.x)
    assert np.allclose(np.array(curve.y), np.minimum(mw.slice_curve(s, 0, xs), 10 * figs.error_top(book.records)))  # clipped far above the view
    i = int(np.argmin(np.abs(xs - mw.slice_minimum(s, 0))))
    assert curve.y[i] == pytest.approx(0.0, abs=1e-3)
    assert min(curve.y) < figs.error_top(book.records)  # the bottom is inside the view  # its bottom is where a would make pred = true


def test_axis_ranges_are_fixed_across_iterations(book):
    for name in ("multi-input", "multi-input-diverge", "freeze", "freeze-then-unfreeze"):
        run = experiments.get(name).run()
        for make in (lambda k: figs.slices(run.records, k, history=True),
                     lambda k: figs.step_sizes(run.records, k),
                     lambda k: figs.error_surface(run.records, k, 0, 1)):
            first = _ranges(make(0))
            assert first
            for k in sorted({1, len(run) // 2, len(run) - 1}):
                assert _ranges(make(k)) == first, (name, k)


def test_frozen_weight_dot_never_moves_while_its_curve_slides():
    run = experiments.get("freeze").run(iterations=30)
    xs, bottoms = set(), []
    for k in (0, 1, 2, 5, 10, 29):
        fig = figs.slices(run.records, k, history=True)
        xs.add(_traces(fig, "current weight")[0].x[0])
        curve = _traces(fig, "error, other weights held")[0]
        bottoms.append(curve.x[int(np.argmin(curve.y))])
        if k:
            assert len(_traces(fig, "earlier slices (faded)")) >= 3  # one per panel at least
    assert xs == {0.1}
    assert bottoms[0] > 0.11 and abs(bottoms[-1] - 0.1) < 0.005  # the bottom slid under the dot


def test_frozen_label_does_not_claim_slope_is_2_weight_delta():
    run = experiments.get("freeze").run()
    texts = [a.text for a in figs.slices(run.records, 0).layout.annotations]
    assert any("frozen: weight_delta 0" in t for t in texts)
    assert sum("2 × weight_delta" in t for t in texts) == 2


def test_divergence_is_drawn_without_non_finite_values_and_blames_a():
    run = experiments.get("multi-input-diverge").run(iterations=200)
    assert run.diverged_at  # long enough to overflow
    for k in (0, 3, len(run) - 1):
        for fig in (figs.slices(run.records, k), figs.step_sizes(run.records, k),
                    figs.error_surface(run.records, k, 0, 1), figs.error_surface(run.records, k, 0, 2, three_d=True)):
            assert_all_finite(fig)
    for r in run.records[:-1]:
        assert figs.biggest_step(r)[0] == "a"
    # the step of a: alpha × weight_delta a at iteration 1 = 0.1 × 1.19
    bars = figs.step_sizes(run.records, 0).data[0]
    assert list(bars.y)[0] == pytest.approx(0.119)


def test_surface_path_follows_the_weights():
    run = experiments.get("freeze").run()
    fig = figs.error_surface(run.records, 2, 0, 1)
    path = _traces(fig, "path of the weights")[0]
    assert list(path.x) == [0.1, 0.1, 0.1]
    assert list(path.y) == pytest.approx([0.2, 0.2273, 0.239346125])
    cont = fig.data[0]
    Z = np.array(cont.z)
    s = figs.state(run.records[2])
    # z is laid out rows = weight b, columns = weight a
    assert Z[5, 7] == pytest.approx(min(mw.slice_surface(s, 0, 1, [cont.x[7]], [cont.y[5]])[0, 0], Z.max()))


def test_heatmaps_and_network_show_the_book_update():
    run = experiments.get("multi-output").run()
    hm = figs.heatmap(run.records, 0, "new_weights")
    assert [row[0] for row in hm.data[0].text] == ["0.293825", "0.25655", "0.868475"]
    assert hm.data[0].zmid == 0 and hm.data[0].zmin == -hm.data[0].zmax
    run = experiments.get("multi-in-out").run(iterations=5)
    net = figs.network(run.records, 0)
    outputs = [t for t in net.data if t.name == "outputs"][0]
    assert list(outputs.text) == ["0.555", "0.98", "0.965"]
    edges = [t for t in net.data if t.mode == "lines"]
    assert len(edges) == 9
    widths = [e.line.width for e in edges]
    assert widths[7] == max(widths)  # sad? ← wlrec, weight 1.3, is the thickest
    zmax = {figs.heatmap(run.records, k, "weights").data[0].zmax for k in range(5)}
    assert len(zmax) == 1  # the colour scale is fixed over the run
    err = {tuple(figs.output_errors(run.records, k).layout.yaxis.range) for k in range(5)}
    assert len(err) == 1


def test_arithmetic_builders_carry_the_books_numbers():
    r = experiments.get("multi-input").run().records[0]
    lines = B.multi_input_arithmetic(r)
    assert lines[0].value == "0.86" and lines[2].value == "−0.14"
    assert [ln.value for ln in lines if ln.name.startswith("weight_delta")] == ["−1.19", "−0.091", "−0.168"]
    r = experiments.get("multi-output").run().records[0]
    moves = [ln.value for ln in B.matrix_arithmetic(r) if ln.phase == "move"]
    assert moves == ["[0.293825]", "[0.25655]", "[0.868475]"]

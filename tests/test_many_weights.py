"""Part B (many weights): the book's numbers, slices against finite differences, freezing,
divergence, bad input and the CLI logs."""

import numpy as np
import pytest

from gdviz import cli, experiments
from gdviz.core import many_weights as mw
from gdviz.core.run import run

INPUT = [8.5, 0.65, 1.2]  # toes[0], wlrec[0], nfans[0]
WEIGHTS = [0.1, 0.2, -0.1]
MATRIX = [[0.1, 0.1, -0.3], [0.1, 0.2, 0.0], [0.0, 1.3, 0.1]]
TRUE3 = [0.1, 1.0, 0.1]  # hurt[0], win[0], sad[0]


def b1(alpha=0.01, frozen=None):
    return mw.MultiInput(WEIGHTS, INPUT, 1, alpha, frozen=frozen)


def b3(alpha=0.1, frozen=None):
    return mw.MultiOutput([0.3, 0.2, 0.9], 0.65, TRUE3, alpha, frozen=frozen)


def b4(alpha=0.01, frozen=None):
    return mw.MultiInOut(MATRIX, INPUT, TRUE3, alpha, frozen=frozen)


# ---- the book's numbers (docs/LESSONS.md B1–B4) --------------------------------------------

B1_TABLE = [
    (0.8600000000000001, 0.01959999999999997, [0.1, 0.2, -0.1],
     [-1.189999999999999, -0.09099999999999994, -0.16799999999999987]),
    (0.9637574999999999, 0.0013135188062500048, [0.1119, 0.20091, -0.09832],
     [-0.30806125000000056, -0.023557625000000044, -0.04349100000000008]),
    (0.9906177228125002, 8.802712522307997e-05, [0.11498061250000001, 0.20114557625, -0.09788509000000001],
     [-0.07974935609374867, -0.006098480171874899, -0.011258732624999811]),
]

B2_TABLE = [
    (0.8600000000000001, 0.01959999999999997, [0.1, 0.2, -0.1]),
    (0.9382250000000001, 0.003816150624999989, [0.1, 0.2273, -0.04960000000000005]),
    (0.97274178125, 0.000743010489422852, [0.1, 0.239346125, -0.02736100000000008]),
]


def test_b1_multiple_inputs_three_iterations_exact():
    result = run(mw.step, b1(), 3)
    assert result.diverged_at is None
    for r, (pred, error, before, deltas) in zip(result.records, B1_TABLE, strict=True):
        assert r["pred"] == pred
        assert r["error"] == error
        assert r["total_error"] == error
        assert r["delta"] == pred - 1
        assert r["weights"].tolist() == before
        assert r["weight_deltas"].tolist() == deltas
    # each iteration starts where the last one ended
    for a, b in zip(result.records, result.records[1:]):
        assert a["new_weights"].tolist() == b["weights"].tolist()


def test_b2_freezing_weight_a_three_iterations_exact():
    result = run(mw.step, b1(alpha=0.3, frozen=(0,)), 3)
    for r, (pred, error, before) in zip(result.records, B2_TABLE, strict=True):
        assert r["pred"] == pred
        assert r["error"] == error
        assert r["weights"].tolist() == before
        assert r["weight_deltas"][0] == 0
        assert r["weight_deltas"][1:].tolist() == [r["delta"] * 0.65, r["delta"] * 1.2]
        assert r["frozen"].tolist() == [True, False, False]
    assert result.records[-1]["new_weights"][0] == 0.1


def test_b3_multiple_outputs_one_update():
    new, r = mw.step(b3())
    assert r["new_weights"].tolist() == [0.293825, 0.25655, 0.868475]
    assert new.weights.tolist() == [0.293825, 0.25655, 0.868475]
    assert r["weight_deltas"].tolist() == [0.061750000000000006, -0.5655, 0.3152500000000001]
    np.testing.assert_array_equal(r["delta"], r["pred"] - np.array(TRUE3))
    np.testing.assert_array_equal(r["error"], r["delta"] ** 2)
    assert r["total_error"] == pytest.approx(float(r["error"].sum()), rel=1e-15)


def test_b4_multiple_inputs_and_outputs():
    new, r = mw.step(b4())
    # docs/LESSONS.md prints [0.555, 0.98, 0.965]; the book's left-to-right sums end one ulp above
    # for the last two, which is what a plain-Python loop gives too
    np.testing.assert_allclose(r["pred"], [0.555, 0.98, 0.965], rtol=1e-15, atol=0)
    book_loop = [sum((a * b for a, b in zip(INPUT, row)), 0) for row in MATRIX]
    assert r["pred"].tolist() == book_loop
    delta = np.array(book_loop) - np.array(TRUE3)
    np.testing.assert_array_equal(r["weight_deltas"], np.outer(delta, INPUT))
    # the matrix the book shows after the update
    book = [["0.061324999999999998", "0.097042500000000004", "-0.30546000000000001"],
            ["0.1017", "0.20013", "0.00023999999999999887"],
            ["-0.073525000000000007", "1.2943775", "0.089620000000000005"]]
    assert new.weights.tolist() == [[float(v) for v in row] for row in book]


# ---- slices of the error surface ------------------------------------------------------------


def networks():
    return [b1(), b1(alpha=0.3, frozen=(0,)), b3(), b4(), b4(frozen=[[True, False, False]] * 3)]


def _rebuilt(s, k, value):
    """An independent network with weight k (row by row) set to ``value``."""
    w = np.array(s.weights, dtype=float)
    w.flat[k] = value
    return type(s)(w, s.input, s.true, s.alpha)


@pytest.mark.parametrize("s", networks())
def test_slope_is_twice_weight_delta_and_matches_finite_differences(s):
    _, r = mw.step(mw.with_frozen(s, None))  # the unfrozen weight_deltas
    h = 1e-6
    for k in range(s.weights.size):
        w = float(s.weights.flat[k])
        left, right = mw.slice_curve(s, k, [w - h, w + h])
        numeric = (right - left) / (2 * h)
        assert mw.slope(s, k) == pytest.approx(2 * r["weight_deltas"].flat[k], rel=1e-12, abs=1e-15)
        assert numeric == pytest.approx(mw.slope(s, k), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("s", networks())
def test_slice_curve_is_the_error_with_one_weight_changed(s):
    for k in range(s.weights.size):
        w = float(s.weights.flat[k])
        grid = np.linspace(w - 1, w + 1, 7)
        curve = mw.slice_curve(s, k, grid)
        expected = [mw.total_error(_rebuilt(s, k, g)) for g in grid]
        np.testing.assert_allclose(curve, expected, rtol=1e-12, atol=1e-14)
        # the dot (the current weight) sits exactly on its curve
        assert mw.slice_curve(s, k, [w])[0] == mw.total_error(s) == mw.step(s)[1]["total_error"]


@pytest.mark.parametrize("s", networks())
def test_slice_surface_matches_curves_and_rebuilt_networks(s):
    n = s.weights.size
    for i, j in [(0, 1), (1, 0), (0, n - 1)]:
        wi, wj = float(s.weights.flat[i]), float(s.weights.flat[j])
        gi, gj = np.linspace(wi - 1, wi + 1, 5), np.linspace(wj - 0.5, wj + 0.5, 4)
        z = mw.slice_surface(s, i, j, gi, gj)
        assert z.shape == (5, 4)
        for a, b in [(0, 0), (4, 3), (2, 1)]:
            both = _rebuilt(_rebuilt(s, i, gi[a]), j, gj[b])
            assert z[a, b] == pytest.approx(mw.total_error(both), rel=1e-12, abs=1e-14)
        # along weight i, with weight j at its current value, the surface is the curve
        np.testing.assert_allclose(mw.slice_surface(s, i, j, gi, [wj])[:, 0], mw.slice_curve(s, i, gi),
                                   rtol=1e-14, atol=0)


def test_slice_surface_in_a_matrix_across_two_outputs():
    s = b4()
    z = mw.slice_surface(s, (0, 0), (2, 1), [0.0, 0.1], [1.0, 1.3])
    assert z[1, 1] == mw.total_error(s)
    assert z[0, 0] == pytest.approx(mw.total_error(_rebuilt(_rebuilt(s, 0, 0.0), 7, 1.0)), rel=1e-12)


def test_the_frozen_weights_slice_slides_under_it_until_the_dot_is_at_the_bottom():
    s = b1(alpha=0.3, frozen=(0,))
    grid = np.linspace(-0.2, 0.3, 5001)
    bottoms = []
    for _ in range(60):
        bottoms.append(mw.slice_minimum(s, 0))
        assert grid[np.argmin(mw.slice_curve(s, 0, grid))] == pytest.approx(bottoms[-1], abs=1e-4)
        s, _ = mw.step(s)
    assert s.weights[0] == 0.1  # the dot never moved
    assert bottoms[0] != bottoms[1] != bottoms[2]  # but the bottom of its curve did
    assert bottoms[0] > 0.1 + 0.01
    assert bottoms[-1] == pytest.approx(0.1, abs=1e-12)  # until the dot sat at the bottom
    assert mw.slope(s, 0) == 0.0  # error 0: a has nothing left to learn


def test_slice_minimum_is_none_for_a_zero_input():
    s = mw.MultiInput(WEIGHTS, [8.5, 0.0, 1.2], 1, 0.01)
    assert mw.slice_minimum(s, 1) is None
    assert np.ptp(mw.slice_curve(s, 1, [-5, 0, 5])) == 0


# ---- freezing and unfreezing ----------------------------------------------------------------


@pytest.mark.parametrize("frozen", [(0,), (1,), (2,), (0, 2), (1, 2)])
def test_any_subset_of_multi_input_weights_can_be_frozen(frozen):
    s = start = b1(alpha=0.01, frozen=frozen)
    for _ in range(100):
        s, r = mw.step(s)
    for k in range(3):
        if k in frozen:
            assert s.weights[k] == start.weights[k]
        else:
            assert abs(s.weights[k] - start.weights[k]) > 1e-4
    assert r["total_error"] < 0.0196


def test_any_matrix_entries_can_be_frozen_for_100_steps():
    mask = np.array([[True, False, False], [False, False, True], [False, True, False]])
    s = start = b4(frozen=mask)
    for _ in range(100):
        s, _ = mw.step(s)
    np.testing.assert_array_equal(s.weights[mask], start.weights[mask])
    assert np.all(np.abs(s.weights - start.weights)[~mask] > 1e-4)
    assert mw.total_error(s) < mw.total_error(start)


def test_unfreezing_resumes_learning():
    s = b1(alpha=0.01, frozen=(0,))
    for _ in range(5):
        s, _ = mw.step(s)
    assert s.weights[0] == 0.1 and mw.total_error(s) > 1e-3
    s = mw.with_frozen(s, None)
    assert not s.frozen.any()
    s2, r = mw.step(s)
    assert r["weight_deltas"][0] != 0 and s2.weights[0] != 0.1
    for _ in range(100):
        s2, _ = mw.step(s2)
    assert mw.total_error(s2) < 1e-12


def test_freeze_then_unfreeze_preset_a_never_moves_after_error_reaches_0():
    result = experiments.get("freeze-then-unfreeze").run()
    after = result.records[50:]
    assert result.records[49]["error"] == 0.0
    assert all(not r["frozen"].any() for r in after)
    assert all(r["weights"][0] == 0.1 and r["weight_deltas"][0] == 0.0 for r in after)
    # unfreezing early (error not yet 0) with alpha 0.3 is too big a step for weight a
    early = experiments.get("freeze-then-unfreeze").run(iterations=400, unfreeze_at=5)
    assert early.diverged_at is not None


def test_step_never_mutates_its_inputs():
    weights = [0.1, 0.2, -0.1]
    s = mw.MultiInput(weights, INPUT, 1, 0.01, frozen=(1,))
    before = s.weights.copy()
    new, r = mw.step(s)
    assert weights == [0.1, 0.2, -0.1]
    np.testing.assert_array_equal(s.weights, before)
    assert new is not s and new.weights is not s.weights
    with pytest.raises(ValueError):
        r["new_weights"][0] = 5.0  # records are read-only
    assert mw.with_frozen(s, None).frozen.any() == False and s.frozen[1]  # noqa: E712


# ---- divergence -------------------------------------------------------------------------------


def test_alpha_0_1_diverges_and_weight_a_is_the_cause():
    result = experiments.get("multi-input-diverge").run()
    errors = result.column("error")
    assert all(b > a for a, b in zip(errors, errors[1:]))
    assert errors[-1] > 1e20
    for r in result.records:
        # a's input (8.5) makes its weight_delta the biggest, and moving a by it changes
        # pred input² times as much: a's share of each overshoot is ~39 times the others'
        d = np.abs(r["weight_deltas"])
        assert d[0] > 4 * (d[1] + d[2])
        push = d * np.abs(r["input"])  # |change of pred| from each weight's move, / alpha
        assert push[0] > 35 * (push[1] + push[2])
    long = experiments.get("multi-input-diverge").run(iterations=1000)
    assert long.diverged_at is not None and len(long) == long.diverged_at < 1000
    # freezing a, the same alpha converges; freezing b and c instead does not help
    assert experiments.get("multi-input").run(iterations=300, alpha=0.1, frozen=(0,)).records[-1]["error"] < 1e-20
    assert experiments.get("multi-input").run(iterations=1000, alpha=0.1, frozen=(1, 2)).diverged_at is not None


def test_overflow_never_raises():
    with np.errstate(all="raise"):
        for s in (b1(alpha=1e5), b3(alpha=1e5), b4(alpha=1e5)):
            result = run(mw.step, s, 1000)
            assert result.diverged_at is not None
            first = result.records[0]  # the start state's error, before any update overflowed
            want = float(np.sum((np.asarray(first["pred"]) - np.asarray(first["true"])) ** 2))
            assert mw.total_error(s) == pytest.approx(want, rel=1e-12)
            assert mw.total_error(s) == pytest.approx(float(np.sum(first["error"])), rel=1e-12)
    assert mw.total_error(b1()) == 0.01959999999999997  # the book's first multi-input error


# ---- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("make, name", [
    (lambda: mw.MultiInput([0.1, 0.2], INPUT, 1, 0.01), "input"),
    (lambda: mw.MultiInput([[0.1, 0.2, 0.3]], INPUT, 1, 0.01), "weights"),
    (lambda: mw.MultiInput([0.1, np.nan, 0.3], INPUT, 1, 0.01), "weights"),
    (lambda: mw.MultiInput([], [], 1, 0.01), "weights"),
    (lambda: mw.MultiInput(WEIGHTS, [8.5, np.inf, 1.2], 1, 0.01), "input"),
    (lambda: mw.MultiInput(WEIGHTS, INPUT, [1, 0], 0.01), "true"),
    (lambda: mw.MultiInput(WEIGHTS, INPUT, 1, np.nan), "alpha"),
    (lambda: mw.MultiInput(WEIGHTS, INPUT, 1, 0.01, frozen=(3,)), "frozen"),
    (lambda: mw.MultiInput(WEIGHTS, INPUT, 1, 0.01, frozen=(-1,)), "frozen"),
    (lambda: mw.MultiInput(WEIGHTS, INPUT, 1, 0.01, frozen=[True, False]), "frozen"),
    (lambda: mw.MultiInput(WEIGHTS, INPUT, 1, 0.01, frozen=[0.5]), "frozen"),
    (lambda: mw.MultiOutput([0.3, 0.2, 0.9], [0.65], TRUE3, 0.1), "input"),
    (lambda: mw.MultiOutput([0.3, 0.2, 0.9], 0.65, [0.1, 1.0], 0.1), "true"),
    (lambda: mw.MultiInOut([0.1, 0.2, 0.3], INPUT, TRUE3, 0.01), "weights"),
    (lambda: mw.MultiInOut(MATRIX, INPUT[:2], TRUE3, 0.01), "input"),
    (lambda: mw.MultiInOut(MATRIX, INPUT, TRUE3[:2], 0.01), "true"),
    (lambda: mw.MultiInOut(MATRIX, INPUT, TRUE3, 0.01, frozen=(9,)), "frozen"),
    (lambda: mw.with_frozen(b1(), (7,)), "frozen"),
    (lambda: mw.slice_curve(b1(), 3, [0.0]), "index"),
    (lambda: mw.slice_curve(b1(), 0, [0.0, np.nan]), "grid"),
    (lambda: mw.slice_curve(b1(), 0, np.zeros(mw.MAX_GRID + 1)), "grid"),
    (lambda: mw.slice_curve(b4(), (3, 0), [0.0]), "index"),
    (lambda: mw.slice_surface(b1(), 1, 1, [0.0], [0.0]), "j"),
    (lambda: mw.slice_surface(b1(), 0, 1, [[0.0]], [0.0]), "grid_i"),
    (lambda: mw.slope(b3(), 5), "index"),
])
def test_bad_input_names_the_parameter(make, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        make()


def test_bad_settings_name_the_parameter():
    with pytest.raises(ValueError, match="^weights"):
        experiments.get("multi-in-out").run(weights=(0.1, 0.2))
    with pytest.raises(ValueError, match="^frozen"):
        experiments.get("multi-input").run(frozen=(3,))


# ---- the CLI ------------------------------------------------------------------------------


def cli_out(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_multi_input_prints_the_books_log(capsys):
    code, out, err = cli_out(capsys, "run", "multi-input")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[:8] == [
        "Iteration:1",
        "Pred:0.8600000000000001",
        "Error:0.01959999999999997",
        "Delta:-0.1399999999999999",
        "Weights:[0.1, 0.2, -0.1]",
        "Weight_Deltas:",
        "[-1.189999999999999, -0.09099999999999994, -0.16799999999999987]",
        "",
    ]
    assert lines[16:] == [
        "Iteration:3",
        "Pred:0.9906177228125002",
        "Error:8.802712522307997e-05",
        "Delta:-0.009382277187499843",
        "Weights:[0.11498061250000001, 0.20114557625, -0.09788509000000001]",
        "Weight_Deltas:",
        "[-0.07974935609374867, -0.006098480171874899, -0.011258732624999811]",
        "",
    ]


def test_cli_freeze_prints_a_plain_0_for_the_frozen_weight(capsys):
    code, out, _ = cli_out(capsys, "run", "freeze")
    assert code == 0
    lines = out.splitlines()
    assert lines[8:16] == [
        "Iteration:2",
        "Pred:0.9382250000000001",
        "Error:0.003816150624999989",
        "Delta:-0.06177499999999991",
        "Weights:[0.1, 0.2273, -0.04960000000000005]",
        "Weight_Deltas:",
        "[0, -0.040153749999999946, -0.07412999999999989]",
        "",
    ]


def test_cli_multi_output_and_multi_in_out(capsys):
    assert cli_out(capsys, "run", "multi-output")[:2] == (0, (
        "Weights:[0.293825, 0.25655, 0.868475]\n"
        "Weight Deltas:[0.061750000000000006, -0.5655, 0.3152500000000001]\n"))
    code, out, _ = cli_out(capsys, "run", "multi-in-out")
    assert code == 0
    assert out == ("[[0.061325, 0.0970425, -0.30546], [0.1017, 0.20013, 0.00023999999999999887], "
                   "[-0.07352500000000001, 1.2943775, 0.08962]]\n")


def test_cli_settings_and_divergence(capsys):
    code, out, _ = cli_out(capsys, "run", "multi-input", "--set", "frozen=0,2", "--iterations", "2")
    assert code == 0 and "[0, -0.09099999999999994, 0]" in out.splitlines()
    code, out, _ = cli_out(capsys, "run", "multi-input-diverge", "--iterations", "1000")
    assert code == 0
    assert out.splitlines()[-1].startswith("Diverged at iteration ")


@pytest.mark.parametrize("argv, name", [
    (["--set", "frozen=5"], "frozen"),
    (["--set", "frozen=-1"], "frozen"),
    (["--set", "weights=0.1,0.2"], "input"),
    (["--set", "alpha=nan"], "alpha"),
    (["--set", "input=8.5,x,1.2"], "input"),
])
def test_cli_bad_settings_exit_2_naming_the_setting(capsys, argv, name):
    code, out, err = cli_out(capsys, "run", "multi-input", *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"gdviz: {name}") and len(err.splitlines()) == 1


def test_cli_bad_matrix_weights_exit_2(capsys):
    code, _, err = cli_out(capsys, "run", "multi-in-out", "--set", "weights=1,2,3")
    assert code == 2 and err.startswith("gdviz: weights must have 3×3 = 9 numbers")


def test_every_preset_has_a_button_and_slider_ranges():
    for name in ("multi-input", "multi-input-diverge", "freeze", "freeze-then-unfreeze",
                 "multi-output", "multi-in-out"):
        e = experiments.get(name)
        assert e.button and e.lesson.startswith("B")
        assert [p.name for p in e.params] == ["alpha", "weights", "input", "true", "frozen", "unfreeze_at"]
        assert all(p.ui is not None for p in e.params)
        assert e.run().records  # the defaults run

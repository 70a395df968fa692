"""The instrument's frames built at once (per example, NumPy over a run's edges, each number
written once) are exactly what the straightforward one-frame-at-a-time builders give."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdviz import experiments
from gdviz.experiments import formatting
from gdviz.experiments import streetlights as S
from gdviz.experiments.base import Line, fmt, fmt_value
from gdviz.figures import one_weight as ow_figs
from gdviz.figures import streetlights as figs


def _c3_runs():
    exp = experiments.get("backprop")
    yield exp.simulate(exp.settings(), 8)  # relu, hidden 4
    yield exp.simulate(exp.settings(activation="linear", hidden_size=3, seed=5, alpha=1.0), 8)


def _examples(run):
    return [ex for rec in run.records for ex in rec["examples"]]


def _with_bad_weights(r):
    """An example whose weights overflowed (inf, nan, -0.0): drawn, never an error."""
    bad = dict(r)
    w = np.array(r["weights_0_1"], dtype=float)
    w.flat[0], w.flat[1], w.flat[2] = math.inf, math.nan, -0.0
    bad["weights_0_1"] = bad["new_weights_0_1"] = w
    return bad


def test_network_phases_equal_network_frame_for_every_phase_of_every_example():
    for run in _c3_runs():
        s = run.records[0]["examples"][0]
        inputs, hidden = np.shape(s["weights_0_1"])
        scale = figs._net_scale(S.Runs("relu", {"relu": run}, {}))
        rs = _examples(run) + [_with_bad_weights(_examples(run)[3])]
        pre, post = figs._edge_table(rs, False, scale), figs._edge_table(rs, True, scale)
        texts = formatting.Texts()  # shared by every example, as in backprop_view
        for k, r in enumerate(rs):
            got = figs._network_phases(r, inputs, hidden, tuple(t[k] for t in pre), tuple(t[k] for t in post), texts)
            assert list(got) == list(S.PHASES)
            for phase in S.PHASES:
                want = figs.network_frame(r, phase, scale, inputs, hidden)
                assert got[phase] == want, (k, phase)
                assert [list(v) for v in got[phase].values()] == [list(v) for v in want.values()]  # key order too


def _reference_arithmetic(r, phase):
    """backprop_arithmetic as it was written first: every number through fmt / fmt_value."""
    def vec(values, digits):
        return "[" + ", ".join(fmt_value(v, digits) for v in np.ravel(values)) + "]"

    def dot(a, b, digits):
        return " + ".join(f"{fmt(x, digits)}×{fmt(w, digits)}" for x, w in zip(np.ravel(a), np.ravel(b)))

    layer_0, layer_1 = np.ravel(r["layer_0"]) + 0.0, np.ravel(r["layer_1"]) + 0.0
    w01, w12 = np.asarray(r["weights_0_1"]), np.asarray(r["weights_1_2"])
    act = "relu" if r["activation"] == "relu" else "linear"
    d2 = float(np.ravel(r["layer_2_delta"])[0])
    d1 = np.ravel(r["layer_1_delta"])
    if phase == "forward":
        return [Line("forward", f"layer_1[{j}]", f"{act}(layer_0 · weights_0_1[:,{j}])",
                     f"{act}({dot(layer_0, w01[:, j], 3)})", fmt_value(layer_1[j])) for j in range(w01.shape[1])] + \
               [Line("forward", "layer_2", "layer_1 · weights_1_2", dot(layer_1, w12[:, 0], 3), fmt_value(r["pred"]))]
    if phase == "compare":
        return [Line("compare", "layer_2_delta", "layer_2 − goal_pred", f"{fmt(r['pred'])} − {fmt(r['goal_pred'])}",
                     fmt_value(d2)),
                Line("compare", "error", "(layer_2 − goal_pred)²", f"{fmt(d2)}²", fmt_value(r["error"]))]
    if phase == "backward":
        return [Line("backward", f"layer_1_delta[{j}]", f"layer_2_delta × weights_1_2[{j}] × {act}'",
                     f"{fmt(d2)} × {fmt(w12[j, 0])} × {fmt(1.0 if act == 'linear' else float(layer_1[j] > 0), 1)}",
                     fmt_value(d1[j])) for j in range(w12.shape[0])]
    n12, n01, alpha = np.asarray(r["new_weights_1_2"]), np.asarray(r["new_weights_0_1"]), r["alpha"]
    return [Line("update", f"weights_1_2[{j}]", "w − alpha × layer_1 × layer_2_delta",
                 f"{fmt(w12[j, 0])} − {fmt(alpha)} × {fmt(layer_1[j])} × {fmt(d2)}", fmt_value(n12[j, 0]))
            for j in range(w12.shape[0])] + \
           [Line("update", f"weights_0_1[:,{j}]", f"w − alpha × layer_0 × layer_1_delta[{j}]",
                 f"{vec(w01[:, j], 3)} − {fmt(alpha)} × {vec(layer_0, 2)} × {fmt(d1[j], 4)}", vec(n01[:, j], 3))
            for j in range(w01.shape[1])]


def test_backprop_arithmetic_with_shared_texts_equals_the_reference():
    for run in _c3_runs():
        texts = formatting.Texts()
        for r in _examples(run)[:12] + [_with_bad_weights(_examples(run)[3])]:
            for phase in S.PHASES:
                assert S.backprop_arithmetic(r, phase, texts) == _reference_arithmetic(r, phase), phase
                assert S.backprop_arithmetic(r, phase) == _reference_arithmetic(r, phase), phase
            rows = S.backprop_rows(r, texts)  # what the view sends: the same lines as rows
            assert rows == {phase: figs._rows(_reference_arithmetic(r, phase)) for phase in S.PHASES}


@pytest.mark.parametrize("name", ["hot-cold-overshoot", "hot-cold-stuck"])
def test_hot_cold_points_equal_hot_cold_frame(name):
    exp = experiments.get(name)
    run = exp.simulate(exp.settings(), exp.iterations)
    _, _, box = ow_figs.bowl_run(run)
    lo, hi, yr = box
    off = 0
    for r in run.records:
        got = ow_figs._hot_cold_points(r, lo, hi, yr[1])
        assert got == ow_figs.hot_cold_frame(r, box)
        off += sum(v["x"] == "" for v in got.values())
    narrow = (lo, (lo + hi) / 2, yr)  # half the chart: some probes fall off it and are not drawn
    for r in run.records:
        got = ow_figs._hot_cold_points(r, narrow[0], narrow[1], yr[1])
        assert got == ow_figs.hot_cold_frame(r, narrow)
        off += sum(v["x"] == "" for v in got.values())
    assert off > 0


def test_texts_write_what_num_writes_and_keep_zero_signs_apart():
    values = [0.0, -0.0, 1e-05, -1e-05, 0.5, -0.5, 123456.789, -2.5e300, math.inf, -math.inf, math.nan, None,
              np.float64(-0.25), 0.0, -0.0, 1e-05, -0.5, np.float64(0.5), True]
    texts = formatting.Texts()
    for digits in (1, 3, 4, 6):
        for bracket in (False, True):
            for ascii_exponent in (False, True):
                f = texts.fn(digits, bracket_negative=bracket, ascii_exponent=ascii_exponent)
                for _ in range(2):  # the second time from the memo
                    for x in values:
                        want = formatting.num(x, digits, bracket_negative=bracket, ascii_exponent=ascii_exponent)
                        assert f(x) == want, (x, digits, bracket, ascii_exponent)
    f = texts.fn(4)
    assert (f(0.0), f(-0.0), f(0.0)) == ("0", "−0", "0")


def _reference_hot_cold(r):
    """hot_cold_arithmetic as it was written first: every number through fmt / fmt_value."""
    move = {"up": "weight + step_amount", "down": "weight − step_amount", "stay": "weight (a tie: no move)"}[r["move"]]
    sign = {"up": "+", "down": "−", "stay": "+ 0 ×"}[r["move"]]
    return [
        Line("predict", "pred", "input × weight", f"{fmt(r['input'])} × {fmt(r['weight'])}", fmt_value(r["pred"])),
        Line("compare", "error", "(pred − goal_pred)²", f"({fmt(r['pred'])} − {fmt(r['goal_pred'])})²",
             fmt_value(r["error"])),
        Line("predict", "up_pred", "input × (weight + step_amount)",
             f"{fmt(r['input'])} × ({fmt(r['weight'])} + {fmt(r['step_amount'])})", fmt_value(r["up_pred"])),
        Line("compare", "up_error", "(goal_pred − up_pred)²", f"({fmt(r['goal_pred'])} − {fmt(r['up_pred'])})²",
             fmt_value(r["up_error"])),
        Line("predict", "down_pred", "input × (weight − step_amount)",
             f"{fmt(r['input'])} × ({fmt(r['weight'])} − {fmt(r['step_amount'])})", fmt_value(r["down_pred"])),
        Line("compare", "down_error", "(goal_pred − down_pred)²",
             f"({fmt(r['goal_pred'])} − {fmt(r['down_pred'])})²", fmt_value(r["down_error"])),
        Line("learn", "weight", move, f"{fmt(r['weight'])} {sign} {fmt(r['step_amount'])}", fmt_value(r["new_weight"])),
    ]


def test_hot_cold_arithmetic_with_shared_texts_equals_the_reference():
    from gdviz.experiments import one_weight as A

    moves = set()
    for name, changes in (("hot-cold", {}), ("hot-cold-overshoot", {}), ("hot-cold-stuck", {}),
                          ("hot-cold", {"input": -0.5, "weight": 0.0, "goal_pred": -0.8})):
        exp = experiments.get(name)
        run = exp.simulate(exp.settings(**changes), min(exp.iterations, 60))
        texts = formatting.Texts()
        for r in run.records:
            assert A.hot_cold_arithmetic(r, texts) == _reference_hot_cold(r)
            assert A.hot_cold_rows(r, texts) == ow_figs._rows(_reference_hot_cold(r))
            moves.add(r["move"])
    assert moves >= {"up", "down"}


def _awkward_values():
    rng = np.random.default_rng(16)
    xs = np.concatenate([rng.standard_normal(3000), rng.standard_normal(500) * 1e-7, rng.standard_normal(500) * 1e9,
                         [0.0, -0.0, math.inf, -math.inf, math.nan, -math.nan, 5e-324, -5e-324, 1e308, 0.99995,
                          -0.99995, 9.9995, 1e-05, -1e-05, 0.5, -0.5]])
    return xs.tolist()


def test_nums_write_what_num_writes_for_every_option():
    xs = _awkward_values()
    for digits in (1, 2, 3, 4, 6):
        for bracket in (False, True):
            for ascii_exponent in (False, True):
                want = [formatting.num(x, digits, bracket_negative=bracket, ascii_exponent=ascii_exponent) for x in xs]
                assert formatting.nums(xs, digits, bracket_negative=bracket, ascii_exponent=ascii_exponent) == want
    assert formatting.nums([]) == []
    assert formatting.nums([-1e-05, -0.0, -math.nan], 3, bracket_negative=True) == ["(−1e−05)", "(−0)", "nan"]


def test_record_texts_are_each_records_numbers_as_num_writes_them():
    run = next(_c3_runs())
    rs = _examples(run) + [_with_bad_weights(_examples(run)[3])]
    ex = formatting.RecordTexts(rs)
    for name in ("weights_0_1", "layer_1", "layer_1_delta", "pred", "error"):
        for plus_zero in (False, True):
            got = ex.get(name, 4, bracket_negative=True, plus_zero=plus_zero)
            assert got is ex.get(name, 4, bracket_negative=True, plus_zero=plus_zero)  # written once
            want = [[formatting.num(float(v) + 0.0 if plus_zero else float(v), 4, bracket_negative=True)
                     for v in np.ravel(r[name])] for r in rs]
            assert got == want, (name, plus_zero)
    assert ex.get("weights_0_1", 3)[-1][:3] == ["inf", "nan", "−0"]


def _widths():
    """Widths as the network draws them and awkward ones: near halves of a hundredth, exact halves."""
    rng = np.random.default_rng(5)
    a = np.concatenate([rng.uniform(1.0, 9.6, 20000), np.arange(100, 960) / 100 + 0.005, np.arange(8, 77) / 8,
                        [1.0, 6.0, 9.6, 0.125, 2.675, 1.005, 1.015, 1.025]])
    return a.reshape(-1, 7)


def test_round2_is_pythons_round_to_hundredths():
    a = _widths()
    want = [[round(x, 2) for x in row] for row in a.tolist()]
    got = figs._round2(a)
    assert got == want
    assert all(type(x) is float for x in got[0])
    naive = (np.rint(a * 100.0) / 100.0).tolist()  # what the guard is for: NumPy alone differs here
    assert naive != want


def test_edge_table_equals_edge_looks_per_example():
    run = next(_c3_runs())
    rs = _examples(run) + [_with_bad_weights(_examples(run)[3])]
    scale = figs._net_scale(S.Runs("relu", {"relu": run}, {}))
    for upd in (False, True):
        colors, thin, bold = figs._edge_table(rs, upd, scale)
        for k, r in enumerate(rs):
            w = np.concatenate([np.ravel(r["new_weights_0_1" if upd else "weights_0_1"]),
                                np.ravel(r["new_weights_1_2" if upd else "weights_1_2"])]).tolist()
            assert colors[k] == [figs.weight_color(x, scale) for x in w], (upd, k)
            widths = [look[1] for look in figs._edge_looks(r, upd, scale)]
            assert thin[k] == [round(x, 2) for x in widths] and bold[k] == [round(x * 1.6, 2) for x in widths]


def _reference_net_scale(run):
    vals = []
    for rec in run.passes:
        for key in ("weights_0_1", "weights_1_2", "new_weights_0_1", "new_weights_1_2"):
            a = np.abs(np.asarray(rec[key], dtype=float))
            a = a[np.isfinite(a)]
            if a.size:
                vals.append(float(a.max()))
    return max(vals) if vals else 1.0


def test_net_scale_is_the_largest_finite_weight_of_any_pass():
    exp = experiments.get("backprop")
    for s in (exp.settings(), exp.settings(alpha=40.0, hidden_size=3), exp.settings(activation="linear", alpha=2.5)):
        run = S.Runs("relu", {"relu": exp.simulate(s, 25)}, {})
        assert figs._net_scale(run) == _reference_net_scale(run)
    bad = [dict(rec, **{k: np.full_like(np.asarray(rec[k], dtype=float), math.nan)
                        for k in ("weights_0_1", "weights_1_2", "new_weights_0_1", "new_weights_1_2")})
           for rec in run.passes]

    class _Passes:
        passes = bad

    assert figs._net_scale(_Passes) == 1.0
    w = np.full_like(bad[1]["weights_1_2"], 2.0)
    w[0, 0], w[1, 0] = math.inf, -7.5
    bad[1]["weights_1_2"] = w
    assert figs._net_scale(_Passes) == 7.5 == _reference_net_scale(_Passes)

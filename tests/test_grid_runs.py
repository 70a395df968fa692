"""Parts E and F: many runs at once (a leading grid axis) equal the runs stepped one by one, bit
for bit — the previews a live slider shows while dragged are the runs the page commits."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz import experiments
from gdviz.core import gates
from gdviz.core import sigmoid_unit as su
from gdviz.core.run import run
from gdviz.experiments import sigmoid as E
from gdviz.ui import runs


def _same(a, b) -> bool:
    return np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)


def test_unit_grid_is_the_single_runs():
    rng = np.random.RandomState(3)
    x, w = rng.uniform(-1, 1, (12, 2)), rng.uniform(-2, 2, (12, 2))
    y, lr = rng.uniform(0, 1, 12), rng.uniform(0.1, 5, 12)
    out = su.unit_grid(x, y, w, lr, 25)
    for g in range(12):
        for k, r in enumerate(run(su.step, su.SigmoidUnit(x[g], y[g], w[g], lr[g]), 25).records):
            for key in ("h", "y_hat", "error", "f_prime", "delta", "E", "w", "new_w", "delta_w"):
                assert _same(r[key], out[key][k, g]), (g, k, key)


def test_backprop_grid_is_the_single_runs_and_the_deck_numbers():
    rng = np.random.RandomState(4)
    x, w = rng.uniform(-1, 1, (10, 2)), rng.uniform(-2, 2, (10, 2))
    x[0], w[0] = (0.1, 0.3), (0.4, -0.2)
    W, y, lr = rng.uniform(-2, 2, 10), rng.uniform(0, 1, 10), np.full(10, 0.5)
    W[0], y[0] = 0.1, 1.0
    out = su.backprop_grid(x, y, w, W, lr, 20)
    assert out["y_hat"][0, 0] == pytest.approx(0.5123725, abs=5e-8)
    assert out["delta_W"][0, 0] == pytest.approx(0.0301535, abs=5e-8)
    for g in range(10):
        for k, r in enumerate(run(su.backprop_step, su.TwoOneOne(x[g], y[g], w[g], W[g], lr[g]), 20).records):
            for key in ("h", "a", "h_output", "y_hat", "error", "delta_output", "delta_hidden", "delta_W",
                        "E", "w", "W", "new_w", "new_W", "delta_w"):
                assert _same(r[key], out[key][k, g]), (g, k, key)


@pytest.mark.parametrize("gate", ["and", "xor"])
def test_gate_grids_are_the_single_runs(gate):
    rng = np.random.RandomState(5)
    w, b = rng.normal(0, 2, (8, 2)), rng.normal(0, 2, 8)
    out = gates.unit_grid(gate, w, b, np.full(8, 5.0), 200)
    for g in range(8):
        for k, r in enumerate(run(gates.unit_step, gates.GateUnit(gate, w[g], b[g], 5.0), 200).records):
            for key in ("w", "b", "y_hat", "E", "accuracy", "new_w", "new_b"):
                assert _same(r[key], out[key][k, g]), (g, k, key)
    W1, b1 = rng.normal(0, 2, (8, 2, 2)), rng.normal(0, 1, (8, 2))
    W2, b2 = rng.normal(0, 2, (8, 1, 2)), rng.normal(0, 1, (8, 1))
    out = gates.net_grid(gate, W1, b1, W2, b2, np.full(8, 5.0), 200)
    for g in range(8):
        for k, r in enumerate(run(gates.net_step, gates.GateNet(gate, W1[g], b1[g], W2[g], b2[g], 5.0), 200).records):
            for key in ("W1", "b1", "W2", "b2", "y_hat", "E", "accuracy", "new_W1", "new_b2"):
                assert _same(r[key], out[key][k, g]), (g, k, key)


def test_grid_runs_read_like_the_core_runs():
    flat = {"x1": 0.1, "x2": 0.3, "w1": -0.8, "w2": 0.5, "y": 0.2, "learn_rate": 0.5}
    grid = E.unit_runs([flat, {**flat, "w1": 1.5}], 30)
    exp = experiments.get("sigmoid-unit")
    core = exp.simulate(E.unit_settings(flat), 30)
    assert len(grid[0]) == 30 and grid[0].diverged_at is None
    for a, b in zip(grid[0].records, core.records):
        assert set(a) == set(b)
        for k in a:
            assert _same(a[k], b[k]), k
    assert grid[0].records[0]["y_hat"] == pytest.approx(0.517493, abs=1e-6)
    assert grid[0].column("E") == core.column("E")


def test_a_grid_run_stops_where_the_single_run_diverges():
    flat = {"x1": 1000.0, "x2": 0.0, "w1": 0.0, "w2": 0.0, "W": 2.0, "y": 1.0, "learn_rate": 1e308}
    [g] = E.backprop_runs([flat], 10)
    core = experiments.get("backprop-worked").simulate(E.backprop_settings(flat), 10)
    assert core.diverged_at is not None
    assert (len(g), g.diverged_at) == (len(core), core.diverged_at)


def test_cached_many_computes_each_batch_once():
    calls = []

    def kernel(members, n):
        calls.append(len(members))
        return E.unit_runs(members, n)

    many = runs.cached_many(kernel)
    flat = {"x1": 0.1, "x2": 0.3, "w1": -0.8, "w2": 0.5, "y": 0.2, "learn_rate": 0.123}
    first = many([flat, {**flat, "w1": 0.0}], 5)
    again = many([dict(flat), {**flat, "w1": 0.0}], 5)  # the next cursor step: the same grid
    assert calls == [2] and again == first and again[0] is first[0]
    many([flat, {**flat, "w1": 1.0}], 5)  # another grid
    many([flat, {**flat, "w1": 0.0}], 6)  # another length
    assert calls == [2, 2, 2]

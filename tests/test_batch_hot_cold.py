"""A1's batch kernel (``core.one_weight.hot_cold_many``: every grid value's run at once) gives
exactly the runs of the plain ``hot_cold_step`` loop, also where it stops stepping because every
run has settled into repeating its last two iterations."""

from __future__ import annotations

import math

import numpy as np

from gdviz.core import one_weight as ow
from gdviz.core.run import run

# (weight, input, goal_pred, step_amount): the book's, overshooting, stuck, a tie that stays, a
# zero input, a signed zero weight, an overflow, a step too small to move a big weight
SETTINGS = [(0.5, 0.5, 0.8, 0.001), (0.5, 0.5, 0.8, 0.3), (0.5, 0.5, 0.8, 2.0), (0.5, 0.5, 0.8, 0.0),
            (0.5, 0.0, 0.8, 0.1), (-0.0, 2.0, 0.0, 0.5), (0.0, 2.0, 0.0, 0.25), (1e308, 1e10, 0.8, 1e308),
            (1e17, 0.5, 0.8, 0.001), (-3.0, -1.5, 0.7, 0.07), (0.1, 8.0, -4.0, 0.01)]


def assert_runs(want, got):
    """The same records, key for key, each value of the same type and text (-0.0 is not 0.0)."""
    assert got.diverged_at == want.diverged_at
    assert len(got.records) == len(want.records)
    for i, (a, b) in enumerate(zip(want.records, list(got.records))):
        assert list(a) == list(b), i
        assert [(type(v), repr(v)) for v in a.values()] == [(type(v), repr(v)) for v in b.values()], i


def _reference(w, x, g, s, iterations):
    return run(ow.hot_cold_step, ow.HotCold(w, x, g, s), iterations)


def test_the_batch_is_the_reference_on_settings_that_settle_early_late_or_never():
    for iterations in (1, 2, 3, 9, 40, 301):
        got = ow.hot_cold_many(*zip(*SETTINGS), iterations)
        for setting, g in zip(SETTINGS, got):
            assert_runs(_reference(*setting, iterations), g)


def test_runs_settled_alike_and_apart_and_one_that_keeps_moving():
    # all settle within a few iterations: the kernel stops early and repeats their cycles
    quick = [(0.5, 0.5, 0.8, st) for st in (0.3, 0.5, 0.7, 2.0)] + [(-0.0, 1.0, 0.0, 0.5)]
    got = ow.hot_cold_many(*zip(*quick), 1001)
    for setting, g in zip(quick, got):
        assert_runs(_reference(*setting, 1001), g)
    assert [g.records[-1]["move"] for g in got][:1] in (["up"], ["down"])
    # one run still walking toward the goal keeps every other run stepping too
    slow = quick + [(0.5, 0.5, 0.8, 0.0005)]
    got = ow.hot_cold_many(*zip(*slow), 1001)
    for setting, g in zip(slow, got):
        assert_runs(_reference(*setting, 1001), g)


def test_a_signed_zero_is_not_the_same_weight():
    # a weight of -0.0 that stays: its predictions keep their sign to the end (records compared by repr)
    got = ow.hot_cold_many([-0.0], [3.0], [0.0], [0.0], 20)[0]
    want = _reference(-0.0, 3.0, 0.0, 0.0, 20)
    assert_runs(want, got)
    assert math.copysign(1.0, got.records[-1]["pred"]) == -1.0
    assert np.all(np.signbit(got.array("weight")))

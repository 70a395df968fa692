"""Experiment.shared_run: each run computed once per server, handed out read-only."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gdviz import experiments
from gdviz.experiments import base


def counting(name: str):
    """The experiment ``name`` under a fresh name, counting its simulations."""
    exp = experiments.get(name)
    calls = []

    def simulate(settings, iterations):
        calls.append((dict(settings), iterations))
        return exp.simulate(settings, iterations)

    return dataclasses.replace(exp, name=f"{name}-counted-{id(calls)}", simulate=simulate), calls


def test_the_same_settings_are_computed_once_and_give_the_plain_runs_numbers():
    exp, calls = counting("streetlights")
    settings = exp.settings(alpha=0.2)
    a = exp.shared_run(settings, 30)
    b = exp.shared_run(exp.settings(alpha=0.2), 30)
    assert a is b and len(calls) == 1
    plain = experiments.get("streetlights").simulate(settings, 30)
    assert [r["error"] for r in a.records] == [r["error"] for r in plain.records]
    np.testing.assert_array_equal(a.records[-1]["new_weights"], plain.records[-1]["new_weights"])
    exp.shared_run(exp.settings(alpha=0.3), 30)
    exp.shared_run(settings, 31)
    assert len(calls) == 3  # another alpha, another length: other runs


def test_list_valued_settings_are_part_of_the_key():
    exp, calls = counting("streetlights")
    one = exp.settings()
    other = exp.settings(walk_vs_stop=[1, 1, 0, 0, 1, 0][::-1])
    assert exp.shared_run(one, 5) is not exp.shared_run(other, 5)
    assert len(calls) == 2


def test_nobody_can_change_a_shared_run():
    exp, _ = counting("backprop")
    run = exp.shared_run(exp.settings(), 3)
    r = run.records[0]
    with pytest.raises(TypeError):
        r["error"] = 0.0
    with pytest.raises(TypeError):
        del r["error"]
    examples = r["examples"]
    assert isinstance(examples, tuple)
    with pytest.raises(TypeError):
        examples[0]["pred"] = 1.0
    arrays = [v for e in examples for v in e.values() if isinstance(v, np.ndarray)]
    assert arrays
    for a in arrays:
        with pytest.raises(ValueError):
            a[...] = 0
        with pytest.raises(ValueError):
            a.setflags(write=True)
    # the next session gets the same, unchanged numbers
    assert exp.shared_run(exp.settings(), 3).records[0]["error"] == exp.simulate(exp.settings(), 3).records[0]["error"]


def test_only_the_most_recently_used_runs_are_kept():
    exp, calls = counting("gradient-descent")
    first = exp.settings(alpha=0.01)
    exp.shared_run(first, 3)
    for k in range(base.SHARED_RUNS):
        exp.shared_run(exp.settings(alpha=0.02 + k * 0.001), 3)
    assert len(base._SHARED) <= base.SHARED_RUNS
    exp.shared_run(first, 3)
    assert len(calls) == base.SHARED_RUNS + 2  # the first was dropped and is computed again


def test_a_diverging_run_is_shared_with_its_divergence():
    exp, _ = counting("divergence")
    run = exp.shared_run(exp.settings(), 1000)  # the error triples each iteration: inf by ~650
    assert run.diverged_at is not None and len(run) == run.diverged_at < 1000

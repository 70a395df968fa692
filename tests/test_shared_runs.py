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


# --- the pages' background runs (gdviz.ui.trainer.SharedRuns) -----------------------------------

import threading  # noqa: E402
import time  # noqa: E402

from gdviz.core import one_weight  # noqa: E402
from gdviz.ui import trainer  # noqa: E402


def gd_start(calls, delay=0.0, weight=0.5):
    """A one-weight gradient descent run, counting its starts, each step ``delay`` s slow."""
    def start():
        calls.append(weight)

        def step(s):
            time.sleep(delay)
            return one_weight.gd_step(s)
        return step, one_weight.OneWeight(weight, 2.0, 0.8, 0.1)
    return start


def test_a_small_run_is_answered_at_once_and_computed_once():
    shared, calls = trainer.SharedRuns(4), []
    a = shared.get("k", gd_start(calls), 20, wait=5.0)
    b = shared.get("k", gd_start(calls), 20, wait=5.0)
    assert isinstance(a, base.Run) and a is b and len(calls) == 1 and len(a) == 20
    with pytest.raises(TypeError):
        a.records[0]["error"] = 0.0  # shared, so read-only


def test_a_long_run_is_a_job_with_progress_then_the_run():
    shared, calls = trainer.SharedRuns(4), []
    job = shared.get("slow", gd_start(calls, delay=0.01), 30, wait=0.0)
    assert isinstance(job, trainer.Job) and job.n == 30
    again = shared.get("slow", gd_start(calls, delay=0.01), 30, wait=0.0)
    assert again is job  # a second session joins the same job
    seen = job.done
    job.future.result(timeout=10)
    assert 0 <= seen <= 30 and job.done == 30 and len(calls) == 1
    run = shared.get("slow", gd_start(calls), 30, wait=0.0)
    assert run is job.result and len(run) == 30


def test_waiting_runs_are_bounded_and_a_dropped_one_is_asked_again():
    shared, calls = trainer.SharedRuns(64), []
    gate = threading.Event()

    def blocker():
        gate.wait(10)
        return gd_start(calls)()
    shared.get("first", blocker, 5, wait=0.0)  # holds the one worker
    jobs = [shared.get(("k", w), gd_start(calls, weight=w), 5, wait=0.0) for w in range(trainer.MAX_WAITING + 5)]
    assert sum(j.future.cancelled() for j in jobs) == 5  # the oldest waiting ones were dropped
    assert len(shared._jobs) == trainer.MAX_WAITING + 1
    gate.set()
    again = shared.get(("k", 0), gd_start(calls, weight=0), 5, wait=10.0)
    assert isinstance(again, base.Run)


def test_a_failing_start_is_reported_and_not_kept():
    shared = trainer.SharedRuns(4)

    def broken():
        raise ValueError("alpha must be a number")
    job = shared.get("bad", broken, 5, wait=5.0)
    assert isinstance(job, trainer.Job) and "alpha must be a number" in job.error
    assert "bad" not in shared._runs

"""gdviz.ui.runs.shared_run: each run computed once per server, handed out read-only."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest

from gdviz import experiments
from gdviz.core.run import Run
from gdviz.ui import runs


def counting(name: str, simulate=None):
    """The experiment ``name`` under a fresh name (its own cache entries), counting its
    simulations; ``simulate(exp, settings, iterations)`` replaces the plain one."""
    exp = experiments.get(name)
    calls = []

    def counted(settings, iterations):
        calls.append((dict(settings), iterations))
        if simulate is not None:
            return simulate(exp, settings, iterations)
        return exp.simulate(settings, iterations)

    return dataclasses.replace(exp, name=f"{name}-counted-{id(calls)}", simulate=counted), calls


def test_the_same_settings_are_computed_once_and_give_the_plain_runs_numbers():
    exp, calls = counting("streetlights")
    settings = exp.settings(alpha=0.2)
    a = runs.shared_run(exp, settings, 30)
    b = runs.shared_run(exp, exp.settings(alpha=0.2), 30)
    assert a is b and len(calls) == 1
    plain = experiments.get("streetlights").simulate(settings, 30)
    assert [r["error"] for r in a.records] == [r["error"] for r in plain.records]
    np.testing.assert_array_equal(a.records[-1]["new_weights"], plain.records[-1]["new_weights"])
    runs.shared_run(exp, exp.settings(alpha=0.3), 30)
    runs.shared_run(exp, settings, 31)
    assert len(calls) == 3  # another alpha, another length: other runs
    assert runs.simulate(exp)(settings, 30) is a and len(calls) == 3  # the helper pages hand on


def test_list_valued_settings_are_part_of_the_key():
    exp, calls = counting("streetlights")
    one = exp.settings()
    other = exp.settings(walk_vs_stop=[1, 1, 0, 0, 1, 0][::-1])
    a, b = runs.shared_run(exp, one, 5), runs.shared_run(exp, other, 5)
    assert a is not b and len(calls) == 2
    assert [r["error"] for r in b.records] == [r["error"] for r in exp.simulate(other, 5).records]


def test_minus_zero_is_its_own_setting():
    exp, calls = counting("hot-cold")
    plus, minus = runs.shared_run(exp, exp.settings(weight=0.0), 3), runs.shared_run(exp, exp.settings(weight=-0.0), 3)
    assert plus is not minus and len(calls) == 2
    assert str(minus.records[0]["weight"]) == "-0.0" and str(plus.records[0]["weight"]) == "0.0"


def test_nobody_can_change_a_shared_run():
    exp, _ = counting("backprop")
    run = runs.shared_run(exp, exp.settings(), 3)
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
    again = runs.shared_run(exp, exp.settings(), 3)
    assert again.records[0]["error"] == exp.simulate(exp.settings(), 3).records[0]["error"]


def test_only_the_most_recently_used_runs_are_kept():
    exp, calls = counting("gradient-descent")
    first = exp.settings(alpha=0.01)
    runs.shared_run(exp, first, 3)
    others = [exp.settings(alpha=0.02 + k * 0.001) for k in range(runs.SHARED_RUNS)]
    made = [runs.shared_run(exp, s, 3) for s in others]
    assert runs.shared_run(exp, others[-1], 3) is made[-1] and len(calls) == runs.SHARED_RUNS + 1  # recent: kept
    runs.shared_run(exp, first, 3)
    assert len(calls) == runs.SHARED_RUNS + 2  # the first was dropped and is computed again


def _size(exp, settings, iterations) -> int:
    return runs.frozen_run(exp.simulate(settings, iterations), sized=True)[1]


def test_a_large_run_is_kept_in_the_few_places_for_large_runs():
    exp, calls = counting("hot-cold")
    long = [exp.settings(weight=0.1 + k / 100) for k in range(runs.LARGE_RUNS + 1)]
    # the premise: A1's default run is a small one, a run four times as long a large one
    assert _size(exp, exp.settings(), 1101) <= runs.KEPT_RUN_BYTES
    assert runs.KEPT_RUN_BYTES < _size(exp, long[0], 4400) <= runs.LARGE_RUN_BYTES
    calls.clear()
    made = [runs.shared_run(exp, s, 4400) for s in long[:runs.LARGE_RUNS]]
    assert [runs.shared_run(exp, s, 4400) for s in long[:runs.LARGE_RUNS]] == made  # the same objects
    assert len(calls) == runs.LARGE_RUNS  # each computed once
    runs.shared_run(exp, long[-1], 4400)  # one more large run pushes the oldest out ...
    assert runs.shared_run(exp, long[0], 4400) is not made[0] and len(calls) == runs.LARGE_RUNS + 2
    assert runs.shared_run(exp, long[-2], 4400) is made[-1]  # ... not the recent ones
    assert runs.SHARED_BYTES <= 256 * 2**20


def test_a_run_too_big_to_keep_is_handed_out_but_not_kept():
    exp, calls = counting("hot-cold")
    small, big = exp.settings(), exp.settings(weight=0.4)
    assert _size(exp, big, 20000) > runs.LARGE_RUN_BYTES  # the premise
    calls.clear()
    kept = runs.shared_run(exp, small, 1101)
    assert runs.shared_run(exp, small, 1101) is kept and len(calls) == 1
    run = runs.shared_run(exp, big, 20000)
    assert len(run) == 20000 and run.records[-1]["error"] == exp.simulate(big, 20000).records[-1]["error"]
    calls.clear()
    assert runs.shared_run(exp, big, 20000) is run and not calls  # shared while a session still holds it ...
    del run
    again = runs.shared_run(exp, big, 20000)
    assert len(calls) == 1 and len(again) == 20000  # ... then gone: computed again, not kept
    with pytest.raises(TypeError):
        again.records[0]["error"] = 0.0  # read-only like every shared run


class _Arriving(dict):
    """Settings that note which threads have asked with them (shared_run reads them to make its
    key before it looks for the run), so a test knows every session has asked, without sleeping."""

    def __init__(self, settings, arrived: set, changed: threading.Condition):
        super().__init__(settings)
        self.arrived, self.changed = arrived, changed

    def items(self):
        with self.changed:
            self.arrived.add(threading.get_ident())
            self.changed.notify_all()
        return super().items()


def _asked_at_once(finish, sessions: int):
    """``sessions`` threads ask for one run together; its first computation is held until every
    one of them has asked, then ``finish(exp, settings, iterations)`` ends it. A cache that let
    each session compute would compute ``sessions`` times. Returns (the experiment, its
    computations, each session's answer or error)."""
    arrived, changed = set(), threading.Condition()

    def held(exp, settings, iterations):
        with changed:
            assert changed.wait_for(lambda: len(arrived) == sessions, timeout=10), "not every session asked"
        return finish(exp, settings, iterations)
    exp, calls = counting("gradient-descent", held)
    settings, answers, start = exp.settings(), [], threading.Barrier(sessions)

    def ask():
        start.wait(10)
        try:
            answers.append(runs.shared_run(exp, _Arriving(settings, arrived, changed), 5))
        except ValueError as err:
            answers.append(err)
    threads = [threading.Thread(target=ask) for _ in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return exp, calls, answers


def test_sessions_asking_at_once_share_one_computation():
    exp, calls, got = _asked_at_once(lambda exp, settings, iterations: exp.simulate(settings, iterations), 5)
    assert len(calls) == 1 and len(got) == 5 and all(r is got[0] for r in got)
    assert got[0].column("error") == experiments.get("gradient-descent").simulate(exp.settings(), 5).column("error")


def test_a_bad_setting_gives_everyone_the_same_error_and_is_not_kept():
    def broken(exp, settings, iterations):
        raise ValueError("alpha must be a number")
    exp, calls, errors = _asked_at_once(broken, 4)
    assert [str(e) for e in errors] == ["alpha must be a number"] * 4
    n = len(calls)
    with pytest.raises(ValueError, match="alpha must be a number"):
        runs.shared_run(exp, exp.settings(), 5)
    assert len(calls) == n + 1  # a failure is not kept: asked again, tried again


def test_a_diverging_run_is_shared_with_its_divergence():
    exp, _ = counting("divergence")
    run = runs.shared_run(exp, exp.settings(), 1000)  # the error triples each iteration: inf by ~650
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
    assert isinstance(a, Run) and a is b and len(calls) == 1 and len(a) == 20
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


def _hold_the_worker(shared, calls):
    gate = threading.Event()

    def blocker():
        gate.wait(10)
        return gd_start(calls)()
    shared.get("first", blocker, 5, wait=0.0)
    return gate


def test_waiting_runs_are_bounded_and_nobody_elses_is_dropped():
    shared, calls = trainer.SharedRuns(64), []
    gate = _hold_the_worker(shared, calls)
    jobs = [shared.get(("k", w), gd_start(calls, weight=w), 5, wait=0.0, owner=f"session {w}")
            for w in range(trainer.MAX_WAITING + 5)]
    queued, busy = jobs[:trainer.MAX_WAITING], jobs[trainer.MAX_WAITING:]
    assert not any(j.future.cancelled() for j in queued)  # the first come keep their place
    assert len(busy) == 5 and all(j.busy and j.future is None for j in busy)
    gate.set()
    assert isinstance(shared.get(("k", 0), gd_start(calls), 5, wait=10.0), Run)
    late = shared.get(("k", trainer.MAX_WAITING), gd_start(calls, weight=99), 5, wait=10.0)
    assert isinstance(late, Run)  # a busy answer is asked again later, and then it runs


def test_a_session_has_one_queued_run_and_a_shared_one_stays():
    shared, calls = trainer.SharedRuns(64), []
    gate = _hold_the_worker(shared, calls)
    first = shared.get("a", gd_start(calls), 5, wait=0.0, owner="s1")
    second = shared.get("b", gd_start(calls), 5, wait=0.0, owner="s1")  # s1 moved its slider on
    assert first.future.cancelled() and not second.future.cancelled()
    assert shared.get("a", gd_start(calls), 5, wait=0.0) is not first  # left the queue: asked again, a new job
    both = shared.get("c", gd_start(calls), 5, wait=0.0, owner="s1")
    assert second.future.cancelled()
    assert shared.get("c", gd_start(calls), 5, wait=0.0, owner="s2") is both
    shared.get("d", gd_start(calls), 5, wait=0.0, owner="s1")  # s1 leaves c, s2 still waits for it
    assert not both.future.cancelled() and shared.get("c", gd_start(calls), 5, wait=0.0, owner="s2") is both
    gate.set()
    assert isinstance(shared.get("c", gd_start(calls), 5, wait=10.0), Run)


def test_an_inline_run_needs_no_worker_and_is_shared():
    shared, calls = trainer.SharedRuns(64), []
    gate = _hold_the_worker(shared, calls)  # a long queue does not hold up a small run
    run = shared.get("small", gd_start(calls), 20, wait=0.0, owner="s1", inline=True)
    assert isinstance(run, Run) and len(run) == 20
    assert shared.get("small", gd_start(calls), 20, wait=0.0, owner="s2") is run
    gate.set()


def test_a_failing_start_is_reported_and_remembered_not_kept(monkeypatch):
    shared, tries = trainer.SharedRuns(4), []

    def broken():
        tries.append(1)
        raise ValueError("alpha must be a number")
    job = shared.get("bad", broken, 5, wait=5.0)
    assert isinstance(job, trainer.Job) and "alpha must be a number" in job.error and job.future.done()
    assert shared.get("bad", broken, 5, wait=5.0) is job and len(tries) == 1  # not retried on every rerun
    monkeypatch.setattr(trainer, "FAILED_SECONDS", 0.0)  # as if the minute had passed
    assert shared.get("bad", broken, 5, wait=5.0) is not job and len(tries) == 2  # then it is


def test_an_abandoned_queued_run_leaves_even_when_the_new_answer_is_busy_or_kept():
    shared, calls = trainer.SharedRuns(64), []
    done = shared.get("kept", gd_start(calls), 5, wait=10.0)
    assert isinstance(done, Run)
    gate = _hold_the_worker(shared, calls)
    mine = shared.get("mine", gd_start(calls), 5, wait=0.0, owner="s1")
    assert shared.get("kept", gd_start(calls), 5, wait=0.0, owner="s1") is done
    assert mine.future.cancelled()
    assert shared.get("mine", gd_start(calls), 5, wait=0.0, owner="s2") is not mine  # not left in the queue
    others = [shared.get(("k", w), gd_start(calls), 5, wait=0.0, owner=f"o{w}") for w in range(trainer.MAX_WAITING)]
    queued = shared.get("again", gd_start(calls), 5, wait=0.0, owner="o0")  # o0 moves on: its place frees
    assert others[0].future.cancelled() and not queued.busy
    gate.set()


def test_one_inline_run_per_session_at_a_time():
    shared, calls, threads_seen = trainer.SharedRuns(64), [], []
    started, gate = threading.Event(), threading.Event()

    def slow():
        threads_seen.append(threading.current_thread().name)
        started.set()
        gate.wait(10)
        return gd_start(calls)()

    def where():
        threads_seen.append(threading.current_thread().name)
        return gd_start(calls)()
    first = threading.Thread(target=lambda: shared.get("a", slow, 5, owner="s1", inline=True), name="session s1")
    first.start()
    assert started.wait(10)  # s1's first run is computing in s1's own thread
    assert threads_seen == ["session s1"]
    second = shared.get("b", where, 5, wait=10.0, owner="s1", inline=True)  # s1 dragged on
    assert isinstance(second, Run) and threads_seen[1].startswith("gdviz-shared-runs")  # the worker's
    gate.set()
    first.join(10)
    assert isinstance(shared.get("a", slow, 5), Run)
    third = shared.get("c", where, 5, owner="s1", inline=True)  # s1's inline run is over: its own thread again
    assert isinstance(third, Run) and threads_seen[-1] == threading.current_thread().name


class _Interrupted(BaseException):
    pass


def test_an_interrupted_run_leaves_no_job_that_looks_alive():
    shared = trainer.SharedRuns(4)

    def interrupted():
        raise _Interrupted()
    job = shared.get("x", interrupted, 5, wait=5.0)
    assert job.future.done() and job.error.startswith("interrupted")
    assert shared.get("x", interrupted, 5, wait=0.0) is job  # remembered as failed, not a job still queued
    with pytest.raises(_Interrupted):
        shared.get("y", interrupted, 5, inline=True, owner="s1")
    joined = shared.get("y", interrupted, 5, wait=0.0, owner="s2")
    assert joined.future.done() and joined.error.startswith("interrupted")  # nobody is left waiting
    seen = []
    run_ = shared.get("z", lambda: (seen.append(threading.current_thread().name), gd_start([])())[1], 5,
                      owner="s1", inline=True)
    assert isinstance(run_, Run) and seen == [threading.current_thread().name]  # s1 may compute inline again

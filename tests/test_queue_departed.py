"""B5's shared queue: a run queued by a session that has left is cancelled, and the work
waiting is bounded in total, not only in count (gdviz.ui.trainer.SharedRuns).

Before: 36 short-lived sessions queued runs nobody would see, and another student's big
setting waited 41.9 s behind them.
"""

from __future__ import annotations

import threading
from unittest import mock

from gdviz.experiments import base
from gdviz.ui import trainer
from tests.test_shared_runs import gd_start


class Room:
    """Who is still connected (stands in for Streamlit's session manager)."""

    def __init__(self):
        self.present = set()

    def alive(self, owner) -> bool:
        return owner in self.present


def hold_the_worker(shared, calls):
    gate = threading.Event()

    def blocker():
        gate.wait(10)
        return gd_start(calls)()
    shared.get("first", blocker, 5, wait=0.0)  # owned by nobody: never cancelled
    return gate


def make():
    room = Room()
    try:
        shared = trainer.SharedRuns(64, alive=room.alive)
    except TypeError:  # before the fix: no way to know who left; every owner counts as present
        shared = trainer.SharedRuns(64)
    return shared, room


def test_a_departed_sessions_queued_run_is_cancelled():
    shared, room = make()
    calls = []
    gate = hold_the_worker(shared, calls)
    room.present |= {"gone", "stays"}
    gone = shared.get("gone's", gd_start(calls, weight=1.0), 5, wait=0.0, owner="gone")
    stays = shared.get("stays'", gd_start(calls, weight=2.0), 5, wait=0.0, owner="stays")
    room.present.discard("gone")  # the tab was closed
    gate.set()
    assert isinstance(shared.get("stays'", gd_start(calls), 5, wait=10.0, owner="stays"), base.Run)
    gone.future.result(timeout=10) if not gone.future.cancelled() else None
    assert 1.0 not in calls, "the departed session's run was computed"
    assert gone.result is None and "gone's" not in shared._jobs
    assert stays.result is not None and 2.0 in calls


def test_departed_sessions_free_the_queue_for_those_present():
    shared, room = make()
    calls = []
    gate = hold_the_worker(shared, calls)
    short_lived = [f"visitor {i}" for i in range(trainer.MAX_WAITING)]
    room.present |= set(short_lived)
    for i, who in enumerate(short_lived):
        shared.get(("k", i), gd_start(calls, weight=i), 5, wait=0.0, owner=who)
    room.present.clear()  # they all left
    room.present.add("student")
    mine = shared.get("big", gd_start(calls, weight=99.0), 5, wait=0.0, owner="student")
    assert not mine.busy, "the queue was still full of runs nobody will see"
    gate.set()
    assert isinstance(shared.get("big", gd_start(calls), 5, wait=10.0, owner="student"), base.Run)
    assert calls[-1] == 99.0 and set(calls) <= {0.5, 99.0}, calls  # only the blocker and the student's


def test_a_session_still_waiting_keeps_a_shared_run():
    shared, room = make()
    calls = []
    gate = hold_the_worker(shared, calls)
    room.present |= {"a", "b"}
    job = shared.get("same", gd_start(calls, weight=3.0), 5, wait=0.0, owner="a")
    assert shared.get("same", gd_start(calls, weight=3.0), 5, wait=0.0, owner="b") is job
    room.present.discard("a")
    gate.set()
    assert isinstance(shared.get("same", gd_start(calls), 5, wait=10.0, owner="b"), base.Run)
    assert 3.0 in calls


def test_the_waiting_work_is_bounded_not_just_the_count():
    shared, room = make()
    calls = []
    gate = hold_the_worker(shared, calls)
    room.present |= {f"s{i}" for i in range(4)}
    big = trainer.MAX_WAITING_WORK // 2
    first = shared.get("w0", gd_start(calls), 5, wait=0.0, owner="s0", work=big)
    second = shared.get("w1", gd_start(calls), 5, wait=0.0, owner="s1", work=big)
    third = shared.get("w2", gd_start(calls), 5, wait=0.0, owner="s2", work=big)
    assert not first.busy and not second.busy
    assert third.busy, "a third half-of-the-bound run was queued"
    small = shared.get("w3", gd_start(calls), 5, wait=0.0, owner="s3", work=1)
    assert small.busy  # the bound is full: even a small one waits for room
    gate.set()
    assert isinstance(shared.get("w1", gd_start(calls), 5, wait=10.0, owner="s1"), base.Run)
    assert isinstance(shared.get("w2", gd_start(calls), 5, wait=10.0, owner="s2", work=big), base.Run)


def test_one_run_bigger_than_the_bound_is_still_accepted_alone():
    shared, room = make()
    room.present.add("s")
    run = shared.get("huge", gd_start([]), 5, wait=10.0, owner="s", work=10 * trainer.MAX_WAITING_WORK)
    assert isinstance(run, base.Run)


def test_session_alive_asks_streamlits_runtime():
    fake = mock.Mock()
    fake.is_active_session.side_effect = lambda sid: sid == "here"
    with mock.patch("streamlit.runtime.exists", return_value=True), \
         mock.patch("streamlit.runtime.get_instance", return_value=fake):
        assert trainer.session_alive("here") and not trainer.session_alive("left")
    with mock.patch("streamlit.runtime.exists", return_value=False):
        assert trainer.session_alive("anyone")  # tests, the CLI: nobody is cancelled

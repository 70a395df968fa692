"""A room's timers and a follower's instrument fragment survive Streamlit's queue race (the 'Bad delta path index' that dropped
followers' connections with 4+ followers).

The race, as the followers' websocket frames showed it: a follower's timer (a ``run_every``
fragment) fires while a full run of the page is in flight; the server queues that fragment rerun
and starts it as soon as the full run ends. Starting it clears the session's unsent messages that
belong to the fragment (``ForwardMsgQueue.clear(..., fragment_ids_this_run=[id])``) — among them
the fragment's own container from the full run — while the page's later elements stay. When the
server had not flushed the queue in between (a busy server), the browser got main-body element
``[0, k+1]`` with no ``[0, k]`` and threw "Bad delta path index", which closes its connection.

Here each page run's real messages (AppTest) go through Streamlit's own queue and that clear, for
every timer the run starts, and the messages left must still build a tree the browser accepts.
"""

from __future__ import annotations

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
from streamlit.testing.v1 import app_test, local_script_runner

from gdviz import rooms
from gdviz.ui import room
from tests.test_pages import load

A2 = "pages/A2_gradient_descent.py"


@pytest.fixture(autouse=True)
def memory_rooms(monkeypatch):
    monkeypatch.setenv(rooms.ENV, "memory")
    monkeypatch.setattr(rooms, "_stores", {})


@pytest.fixture
def sent(monkeypatch):
    """The messages of each AppTest run, as the server would queue them for the browser."""
    runs: list[list[ForwardMsg]] = []

    class Recording(local_script_runner.LocalScriptRunner):
        def run(self, *args, **kwargs):
            tree = super().run(*args, **kwargs)
            runs.append([m for m in self.forward_msgs()])
            return tree

    monkeypatch.setattr(app_test, "LocalScriptRunner", Recording)
    return runs


def browser_accepts(msgs: list[ForwardMsg]) -> str | None:
    """None if the browser can place every delta, else what it would throw (its own check:
    an element's index may be at most its parent's number of children)."""
    children = {(r,): 0 for r in range(4)}  # main, sidebar, event, bottom
    for m in msgs:
        if m.WhichOneof("type") != "delta":
            continue
        path = tuple(m.metadata.delta_path)
        parent, i = path[:-1], path[-1]
        if parent not in children:
            return f"Bad delta path: no block {list(parent)} for {list(path)}"
        if i > children[parent]:
            return f"Bad delta path index {i} (should be between [0, {children[parent]}]) at {list(path)}"
        children[parent] = max(children[parent], i + 1)
        if m.delta.WhichOneof("type") == "add_block":
            children[path] = 0
    return None


def after_queued_timer(msgs: list[ForwardMsg], fragment_id: str) -> list[ForwardMsg]:
    """What is left to send when the timer's queued rerun starts before the queue was flushed."""
    q = ForwardMsgQueue()
    for m in msgs:
        copy = ForwardMsg()
        copy.CopyFrom(m)
        q.enqueue(copy)
    q.clear(retain_lifecycle_msgs=True, fragment_ids_this_run=[fragment_id])
    return q.flush()


def timers(msgs: list[ForwardMsg]) -> list[str]:
    return [m.auto_rerun.fragment_id for m in msgs if m.WhichOneof("type") == "auto_rerun"]


def fragments(msgs: list[ForwardMsg]) -> list[str]:
    """Every fragment the run draws: timers, and a follower's instrument (which the server reruns
    alone when the room changes, and whose rerun may be queued behind a full run the same way)."""
    drawn = [m.delta.fragment_id for m in msgs if m.WhichOneof("type") == "delta" and m.delta.fragment_id]
    return list(dict.fromkeys(timers(msgs) + drawn))


def check(msgs: list[ForwardMsg], who: str) -> None:
    ids = fragments(msgs)
    assert ids, f"{who}: the run draws no fragment (nothing to check)"
    assert browser_accepts(msgs) is None, f"{who}: the run itself: {browser_accepts(msgs)}"
    for fid in ids:
        problem = browser_accepts(after_queued_timer(msgs, fid))
        assert problem is None, f"{who}: a timer queued during the run breaks the browser: {problem}"


def test_a_followers_timer_queued_during_a_page_switch_leaves_a_tree_the_browser_accepts(sent):
    teacher = load(A2)
    [button] = [b for b in teacher.sidebar.button if b.label == "Present to the room"]
    button.click().run()
    code = teacher.session_state[room.PRESENT]["code"]
    del sent[:]
    student = load("app.py", {"room": code})  # joins and switches to the teacher's page
    assert not student.exception
    assert student.session_state[room.FOLLOW]["following"]
    assert not timers(sent[-1])  # the server looks at the room for its followers: no timer
    assert len(fragments(sent[-1])) == 1  # the instrument
    check(sent[-1], "follower after its page switch")


def test_the_presenters_timer_queued_during_a_rerun_leaves_a_tree_the_browser_accepts(sent):
    teacher = load(A2)
    [button] = [b for b in teacher.sidebar.button if b.label == "Present to the room"]
    button.click().run()
    assert room.PRESENT in teacher.session_state
    check(sent[-1], "presenter")


def test_the_model_of_the_browser_catches_a_gap():
    """The checker itself: a main-body element after a missing one is refused."""
    def delta(path, block=False):
        m = ForwardMsg()
        m.metadata.delta_path[:] = path
        if block:
            m.delta.add_block.SetInParent()
        else:
            m.delta.new_element.markdown.body = "x"
        return m
    assert browser_accepts([delta([0, 0]), delta([0, 1], True), delta([0, 1, 0]), delta([0, 2])]) is None
    assert "Bad delta path index 2" in browser_accepts([delta([0, 0]), delta([0, 2])])

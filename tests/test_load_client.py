"""The load client moves a stepped lesson's live sliders as the browser does (``make load``'s
students must exercise the lesson instrument's commit, not only the few Streamlit widgets left)."""

from __future__ import annotations

import asyncio

from benchmarks.loadkit import client
from benchmarks.loadkit import server

A2 = "A2_gradient_descent"


async def _commit_and_refuse(url: str) -> dict:
    s = client.WsSession(url, "student")
    await s.connect()
    try:
        await s.open(A2)
        live = {w.label: w for w in s.movable() if w.kind == "live"}
        weight = live["weight"]
        start = weight.proto.index
        to = 0 if start else len(weight.proto.values) - 1
        moved = await s.set(weight, to)
        after = {w.label: w for w in s.movable() if w.kind == "live"}["weight"]
        query_after_move = list(s.query)
        # a crafted commit: an index past the slider's end
        refused = await s.set(after, len(after.proto.values) + 5)
        return {"names": sorted(live), "start": start, "to": to, "value": weight.proto.values[to],
                "moved": moved, "index_after": after.proto.index, "query": query_after_move,
                "refused": refused, "query_after_refusal": list(s.query), "closed": s.closed}
    finally:
        await s.close()


def test_the_load_client_commits_a_live_slider_and_a_bad_one_is_refused():
    with server.streamlit_server() as (url, log):
        r = asyncio.run(_commit_and_refuse(url))
        errors = log.errors()
    assert r["names"] == ["alpha", "goal_pred", "input", "weight"]
    assert r["to"] != r["start"]
    assert r["moved"].exceptions == [] and r["moved"].charts == 1
    assert ("weight", r["value"]) in r["query"]       # the server wrote the released value into the link
    assert r["index_after"] == r["to"]                 # and drew the instrument at it
    assert any("ignored" in w for w in r["refused"].warnings)
    assert r["query_after_refusal"] == r["query"]      # nothing else changed
    assert not r["closed"] and errors == []


async def _previews_after_a_release(url: str) -> dict:
    s = client.WsSession(url, "student")
    await s.connect()
    try:
        await s.open(A2)
        first = {w.label: w.proto.has_grid for w in s.movable() if w.kind == "live"}
        weight = next(w for w in s.movable() if w.label == "weight")
        await s.set(weight, 0)
        after = {w.label: w.proto.has_grid for w in s.movable() if w.kind == "live"}
        query = list(s.query)
        alpha = next(w for w in s.movable() if w.label == "alpha")
        asked = await s.want(alpha)
        then = {w.label: w.proto.has_grid for w in s.movable() if w.kind == "live"}
        query_then = list(s.query)
        alpha = next(w for w in s.movable() if w.label == "alpha")
        await s.set(alpha, 0)
        last = {w.label: w.proto.has_grid for w in s.movable() if w.kind == "live"}
        return {"first": first, "after": after, "then": then, "asked": asked, "query": query,
                "query_then": query_then, "last": last}
    finally:
        await s.close()


def test_after_a_release_previews_come_for_the_sliders_being_moved():
    """The first run carries every slider's previews; after a release only the released slider's,
    and asking for another's adds it (one rerun, no setting changed)."""
    with server.streamlit_server() as (url, log):
        r = asyncio.run(_previews_after_a_release(url))
        errors = log.errors()
    assert all(r["first"].values())
    assert r["after"] == {"weight": True, "input": False, "goal_pred": False, "alpha": False}
    assert r["asked"].exceptions == [] and r["asked"].charts == 1
    assert r["then"] == {"weight": True, "input": False, "goal_pred": False, "alpha": True}
    assert r["query_then"] == r["query"] and errors == []
    # releasing alpha: its own previews only (they were made for the others' values, which did not
    # change); weight's would have to be made afresh for the new alpha, for a slider maybe never
    # moved again: it is asked for when the pointer comes back to it
    assert r["last"] == {"weight": False, "input": False, "goal_pred": False, "alpha": True}


async def _previews_after_another_control(url: str) -> dict:
    s = client.WsSession(url, "student")
    await s.connect()
    try:
        await s.open(A2)
        iterations = next(w for w in s.movable() if w.label == "iterations")
        await s.set(iterations, [35.0])
        return {w.label: w.proto.has_grid for w in s.movable() if w.kind == "live"}
    finally:
        await s.close()


def test_a_rerun_for_another_control_brings_no_previews_nobody_asked_for():
    """Only the page's first run carries every slider's previews: moving a control that is not
    live (the run's length) reruns the page without computing grids no slider is being moved on."""
    with server.streamlit_server() as (url, log):
        r = asyncio.run(_previews_after_another_control(url))
    assert r == {"weight": False, "input": False, "goal_pred": False, "alpha": False}

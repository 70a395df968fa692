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

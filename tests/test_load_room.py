"""``benchmarks.load --room``: a teacher's change a follower never showed is a miss, a follower
fetches the instrument's parts of the pages the room shows it (as the browser does), and the
issue's line reports the class's p95 without and with the room and the change in percent."""

from __future__ import annotations

import asyncio
import random
import time

from benchmarks.loadkit import room, server
from benchmarks.loadkit.follower import Follower, join
from gdviz import experiments


def test_a_change_is_applied_only_when_shown_after_it_with_the_whole_link():
    c1 = room.Change(10.0, room.PAGE, {"weight": "0.55"})
    c2 = room.Change(13.0, room.PAGE, {"weight": "0.55", "alpha": "0.1"})
    keys = {"weight", "alpha"}
    shown = [(9.0, room.PAGE, {"weight": "0.55"}),                  # before the change: not it
             (10.4, room.PAGE, {"weight": "0.55", "alpha": "0.1"})]  # a later state, not c1's
    assert room.applied(c1, keys, shown) is None
    assert abs(room.applied(c1, keys, shown + [(10.6, room.PAGE, {"weight": "0.55"})]) - 0.6) < 1e-9
    assert room.applied(c2, keys, shown) is None  # shown before c2 was made
    assert room.applied(c2, keys, [(13.5, "A3_divergence_and_alpha", c2.query)]) is None  # other page
    s = room.score([c1, c2], {"f0": [(10.5, room.PAGE, c1.query), (13.2, room.PAGE, c2.query)],
                              "f1": [(10.5, room.PAGE, c1.query)], "f2": []})
    assert s["applied"] == {"f0": 2, "f1": 1, "f2": 0}
    assert s["misses"] == 3 and s["changes"] == 2
    assert s["follow"]["n"] == 3


def test_the_issues_line_has_both_p95s_and_the_change_in_percent():
    text, pct = room.line({"p95": 0.400}, {"p95": 0.460}, 30, 2)
    assert text == ("class slider p95 400 ms without a room, 460 ms with a room of 30 followers (+15%), "
                    "follow misses 2")
    assert abs(pct - 15.0) < 1e-9
    text, pct = room.line({"p95": 0.500}, {"p95": 0.450}, 4, 0)
    assert "(-10%)" in text and pct < 0


async def _follow(url: str) -> dict:
    t = await room.present(url)
    follower = await join(url, t.code, "f0")
    explorer = await join(url, t.code, "f1")
    try:
        await explorer.click(explorer.find("Explore on my own", "button"))  # stops following
        await asyncio.sleep(1.0)
        before = set(t.parts)
        at = time.monotonic()
        await room.change(t, random.Random(1), set())
        change = room.Change(at, room.PAGE, room._link(t))
        new_parts = set(t.parts) - before  # what the teacher's browser fetched for the new state
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and room.applied(change, set(change.query), follower.shown) is None:
            await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)  # the explorer's chance to (wrongly) follow
        return {"change": change, "new_parts": new_parts, "follower_parts": set(follower.parts),
                "score": room.score([change], {"f0": follower.shown, "f1": explorer.shown}),
                "errors": follower.part_errors + follower.exceptions + explorer.exceptions,
                "closed": follower.closed or explorer.closed}
    finally:
        await asyncio.gather(follower.close(), explorer.close(), t.close())


def test_a_follower_follows_with_the_pages_parts_and_one_exploring_misses_the_change():
    with server.streamlit_server() as (url, log):
        r = asyncio.run(_follow(url))
        errors = log.errors()
    assert r["change"].query  # the teacher's release wrote its link
    assert r["score"]["applied"] == {"f0": 1, "f1": 0}
    assert r["score"]["misses"] == 1
    assert r["new_parts"] and r["new_parts"] <= r["follower_parts"]  # fetched as the browser does
    assert r["errors"] == [] and not r["closed"] and errors == []


def _run(p95: float, errors: list[str]) -> dict:
    lat = {"n": 20, "p50": p95 / 2, "p95": p95, "max": p95}
    return {"latency": lat, "errors": errors, "server_cpu_seconds": 10.0, "wall_seconds": 20.0,
            "load_average": ((1.0, 1.0, 1.0), (1.2, 1.0, 1.0))}


def test_the_room_report_prints_the_line_and_fails_on_a_miss_or_an_error(capsys):
    from benchmarks.load import report_room

    r = {"applied": {"f00": 5, "f01": 5}, "follow": {"n": 10, "p50": 0.5, "p95": 0.8}, "misses": 0,
         "changes": 5, "joined": 2, "teacher": {"n": 5, "p50": 0.2}, "errors": [], "part_bytes": 0}
    assert report_room(_run(0.400, []), _run(0.500, []), r, 2) == 0  # errors 0, misses 0: passes
    out = capsys.readouterr().out
    assert ("class slider p95 400 ms without a room, 500 ms with a room of 2 followers (+25%), "
            "follow misses 0") in out.splitlines()
    assert "→ +25.0%: NOT met" in out
    assert report_room(_run(0.400, []), _run(0.420, []), r, 2) == 0
    assert "→ +5.0%: met" in capsys.readouterr().out
    assert report_room(_run(0.400, []), _run(0.420, []), {**r, "misses": 1}, 2) == 1
    assert report_room(_run(0.400, []), _run(0.420, ["follower f01: dropped"]), r, 2) == 1
    assert report_room(_run(0.400, []), _run(0.420, []), {**r, "changes": 0}, 2) == 1


class _NeverLooks(Follower):
    """A follower whose browser never runs the room's timer: it can only follow if the server
    reruns it when the room changes."""

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        self.timers_refused = getattr(self, "timers_refused", 0) + 1

    def _handle(self, msg) -> None:
        if msg.WhichOneof("type") == "script_finished":  # which runs the server started, in order
            self.runs = [*getattr(self, "runs", []), "fragment" if msg.metadata.run.fragment_ids else "page"]
        super()._handle(msg)


def _sliders(s) -> dict:
    """What a session's instrument sliders show: {label: step}."""
    return {w.label: s.values[w.id] for w in s.widgets.values() if w.kind == "live"}


async def _with_follower(url: str, act) -> dict:
    """A teacher presenting A2 and one quiet follower; ``act(teacher, follower)`` after a second,
    with the follower's runs counted from then on."""
    t = await room.present(url)
    f = _NeverLooks(url, "quiet")
    await f.connect()
    await f.open("", [("room", t.code)])
    try:
        await asyncio.sleep(1.0)
        f.runs = []
        return await act(t, f)
    finally:
        await asyncio.gather(f.close(), t.close())


async def _until(done, seconds: float = 15.0, after: float = 0.5) -> None:
    """Wait until ``done()`` (or ``seconds``), then ``after`` more for any later run."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not done():
        await asyncio.sleep(0.05)
    await asyncio.sleep(after)


async def _pushed(t, f) -> dict:
    at = time.monotonic()
    await room.change(t, random.Random(2), set())
    change = room.Change(at, room.PAGE, room._link(t))
    await _until(lambda: room.applied(change, set(change.query), f.shown) is not None)
    return {"change": change, "seconds": room.applied(change, set(change.query), f.shown),
            "refused": getattr(f, "timers_refused", 0), "errors": f.part_errors + f.exceptions,
            "runs": f.runs, "sliders": (_sliders(t), _sliders(f))}


async def _pushed_then_preset(t, f) -> tuple[dict, dict]:
    """:func:`_pushed`, then the teacher's click on A2's "stopping" preset (its run length is the
    page's default, so the room's link changes by live settings only)."""
    first = await _pushed(t, f)
    f.runs = []
    await t.click(t.find(experiments.get("stopping").button, "button"))
    await _until(lambda: dict(room._link(f)).get("input") == "0.0" and bool(f.runs))
    return first, {"runs": f.runs, "links": (room._link(t), room._link(f)), "errors": f.part_errors + f.exceptions}


def test_the_server_reruns_a_follower_when_its_room_changes():
    """Push, not polling: a follower shows the teacher's release, with the page's new parts, soon
    after it, and its browser runs no timer (the server looks at the room for it)."""
    with server.streamlit_server() as (url, log):
        r, preset = asyncio.run(_with_follower(url, _pushed_then_preset))
        errors = log.errors()
    assert r["refused"] == 0  # no timer in the browser: each tick was a run of the whole fragment
    assert r["change"].query and r["seconds"] is not None, "the follower never showed the teacher's change"
    assert r["errors"] == [] and errors == []
    # A live slider's release reruns only the follower's instrument (its fragment), whose sliders
    # then stand where the teacher's do: not the whole page.
    assert r["runs"] == ["fragment"]
    teacher, follower = r["sliders"]
    assert teacher and follower == teacher
    # A preset of live settings with the default run length: the fragment follows it too
    teacher, follower = preset["links"]
    assert teacher.get("input") == "0.0" and "iterations" not in teacher and follower == teacher
    assert preset["runs"] == ["fragment"] and preset["errors"] == []


async def _switched(t, f) -> dict:
    await t.open("A3_divergence_and_alpha", [("weight", "0.25")])
    await _until(lambda: f.path == "A3_divergence_and_alpha", after=0.8)
    return {"path": f.path, "runs": f.runs, "links": (room._link(t), room._link(f)),
            "room": dict(f.query).get("room"), "code": t.code, "errors": f.part_errors + f.exceptions}


def test_a_follower_opens_the_teachers_new_page_in_one_run_and_its_address_follows():
    """The teacher opens another page: the server's rerun of the follower runs that page with the
    teacher's link at once (not a run of the old page that switches), and the follower's address
    shows the page's link with its room."""
    with server.streamlit_server() as (url, log):
        r = asyncio.run(_with_follower(url, _switched))
        errors = log.errors()
    assert r["path"] == "A3_divergence_and_alpha"
    assert r["runs"] == ["page"]
    teacher, follower = r["links"]
    assert teacher.get("weight") == "0.25" and follower == teacher
    assert r["room"] == r["code"]
    assert r["errors"] == [] and errors == []

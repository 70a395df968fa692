"""A room during a class (``benchmarks.load --room F``): one teacher presents A2 and changes its
settings every few seconds while ``F`` websocket followers follow; what each follower applied.

The teacher is a websocket session (``client.WsSession``) that opens A2, presses **Present to the
room** in the sidebar (as ``benchmarks.rooms``'s Chromium teacher does), reads the room's code
from the sidebar, and keeps the presenter's timer ticking like a browser. Every ``every`` seconds
of the class's working window it lets one of A2's live sliders go at a new step (a ``commit``, as
a student's release), choosing steps so that no state of the four sliders comes twice: each
change's link is then different from every other's, and a follower that shows it has followed
*that* change. The followers (``follower.Follower``) answer the server's reruns (a page, or only
the instrument's fragment) and fetch the instrument's parts of every page they are shown.

A follower applied a change when, after the teacher's release, it showed A2 with the teacher's
link (every key the teacher's link ever had, same value or both absent) and had that page's parts;
a change it never showed is a *miss*. After the window the followers get ``GRACE_S`` to show the
last change. Errors: a follower that could not join or was dropped, an exception on its page, a
part it was not served, a teacher's change that failed.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass, field

from benchmarks.loadkit.client import RunResult, SessionError, WsSession
from benchmarks.loadkit.follower import OWN_KEYS, join
from benchmarks.loadkit.report import summary

PAGE = "A2_gradient_descent"
PRESENT = "Present to the room"
#: Seconds between the teacher's changes.
EVERY_S = 3.0
#: Seconds the followers get after the window to show the teacher's last change.
GRACE_S = 10.0
#: Seconds the teacher's link gets to show a release.
LINK_S = 15.0


class Teacher(WsSession):
    """A websocket session that reads the room's code from its sidebar once it presents."""

    code = ""

    def _delta(self, msg) -> None:
        super()._delta(msg)
        el = msg.delta.new_element if msg.delta.WhichOneof("type") == "new_element" else None
        if el is not None and el.WhichOneof("type") == "markdown" and "Presenting · room" in el.markdown.body:
            self.code = el.markdown.body.split("room", 1)[1].strip(" *")


@dataclass
class Change:
    at: float    # time.monotonic() when the teacher let the slider go
    path: str
    query: dict  # the teacher's link after the change (without OWN_KEYS)


@dataclass
class RoomRun:
    followers: int
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    teacher_seconds: list[float] = field(default_factory=list)


def applied(change: Change, keys: set[str], shown: list[tuple[float, str, dict]]) -> float | None:
    """Seconds from ``change`` until the follower first showed it (``shown``: its (time, path,
    link) states), or None for a miss. ``keys``: every key the teacher's link had in the run."""
    for t, path, q in shown:
        if t > change.at and path == change.path and all(q.get(k) == change.query.get(k) for k in keys):
            return t - change.at
    return None


def score(changes: list[Change], followers: dict[str, list[tuple[float, str, dict]]]) -> dict:
    """Per follower: how many of the teacher's changes it applied; the misses; follow latency."""
    keys = {k for c in changes for k in c.query}
    per, misses, lat = {}, 0, []
    for name, shown in followers.items():
        got = [applied(c, keys, shown) for c in changes]
        per[name] = sum(x is not None for x in got)
        misses += sum(x is None for x in got)
        lat += [x for x in got if x is not None]
    return {"changes": len(changes), "applied": per, "misses": misses, "follow": summary(lat)}


async def present(url: str) -> Teacher:
    t = Teacher(url, "teacher")
    await t.connect()
    r = await t.open(PAGE)
    if r.exceptions:
        raise SessionError(f"the teacher's A2: {r.exceptions[0]}")
    button = t.find(PRESENT, "button")
    if button is None:
        raise SessionError(f"no {PRESENT!r} button in the teacher's sidebar")
    await t.click(button)
    if not t.code:
        raise SessionError("the teacher pressed Present to the room but no room code was shown")
    return t


def _link(s: WsSession) -> dict:
    return {k: v for k, v in s.query if k not in OWN_KEYS}


async def change(t: Teacher, rng: random.Random, seen: set[tuple]) -> RunResult:
    """Let one live slider go at a step that makes a state of the sliders not seen before."""
    lives = sorted((w for w in t.widgets.values() if w.kind == "live"), key=lambda w: w.label)
    now = tuple(t.values[w.id] for w in lives)
    seen.add(now)
    moves = [(i, k) for i, w in enumerate(lives) for k in range(len(w.proto.values))
             if now[:i] + (k,) + now[i + 1:] not in seen]
    if not moves:
        raise SessionError("the teacher ran out of new states of A2's sliders")
    i, k = rng.choice(moves)
    w = lives[i]
    if not w.proto.has_grid:  # as a browser: previews first when the pointer reaches it
        await t.want(w)
        w = t.widgets.get(w.id, w)
    seen.add(now[:i] + (k,) + now[i + 1:])
    before = _link(t)
    r = await t.set(w, k)
    # The presenter's timer ticks 4 times a second: the run that finished may have been a tick,
    # with the release's run (which writes the link) still to come. The change is its new link.
    end = time.monotonic() + LINK_S
    while _link(t) == before and time.monotonic() < end and not t.closed:
        await asyncio.sleep(0.02)
    if _link(t) == before:
        raise SessionError(f"the teacher let {w.label!r} go at step {k} but its link did not change "
                           f"within {LINK_S:g} s")
    return r


def during(n: int, every: float = EVERY_S, seed: int = 0):
    """``scenario(during=…)``: the room alongside the class. Opens one of the window's slots (the
    class's clock starts once the teacher presents and every follower follows); returns the
    room's figures. The room joins the class's server (``window.url``)."""
    async def room(window) -> dict:
        url = window.url
        run = RoomRun(n)
        t, fs = None, []
        rng = random.Random(seed)
        try:
            try:
                t = await present(url)
                got = await asyncio.gather(*(join(url, t.code, f"f{i:02d}") for i in range(n)),
                                           return_exceptions=True)
                for i, g in enumerate(got):
                    if isinstance(g, BaseException):
                        run.errors.append(f"follower f{i:02d} could not join: {type(g).__name__}: {g}")
                    else:
                        fs.append(g)
            finally:
                window.opened()
            until = await window.begin()
            seen: set[tuple] = set()
            nxt = time.monotonic() + every / 2
            while t is not None and nxt < until:
                await asyncio.sleep(max(0.0, nxt - time.monotonic()))
                at = time.monotonic()
                try:
                    r = await change(t, rng, seen)
                except SessionError as err:
                    run.errors.append(f"teacher: {err}")
                    break
                run.teacher_seconds.append(time.monotonic() - at)  # release → the teacher's link shows it
                if r.exceptions:
                    run.errors.append(f"teacher: exception on the page: {r.exceptions[0]}")
                run.changes.append(Change(at, PAGE, _link(t)))
                nxt += every
            end = time.monotonic() + GRACE_S
            while run.changes and time.monotonic() < end:  # the last change, shown by everyone
                if all(applied(run.changes[-1], {k for c in run.changes for k in c.query}, f.shown) is not None
                       for f in fs if not f.closed):
                    break
                await asyncio.sleep(0.1)
        except Exception as err:  # noqa: BLE001  (the room's failure is an error of the run)
            run.errors.append(f"room: {type(err).__name__}: {err}")
        finally:
            for f in fs:
                if f.closed:
                    run.errors.append(f"follower {f.name}: dropped ({f.close_reason or 'websocket closed'})")
                run.errors += [f"follower {f.name}: exception on the page: {e}" for e in dict.fromkeys(f.exceptions)]
                run.errors += [f"follower {f.name}: {e}" for e in f.part_errors]
            if t is not None and t.closed:
                run.errors.append(f"teacher: dropped ({t.close_reason or 'websocket closed'})")
            await asyncio.gather(*(s.close() for s in [*fs, *([t] if t else [])]), return_exceptions=True)
        if not run.changes and not run.errors:
            run.errors.append("room: the teacher made no change (the window is shorter than "
                              f"{every / 2:g} s)")
        # a follower that never joined showed none of the changes: each is a miss
        shown = {f.name: f.shown for f in fs} | {f"unjoined{i}": [] for i in range(n - len(fs))}
        if os.environ.get("GDVIZ_BENCH_DEBUG"):  # as benchmarks.rooms: what was set, what each showed
            print("room changes:", [(round(c.at, 2), c.query) for c in run.changes], file=sys.stderr)
            for f in fs:
                print(f"room {f.name} showed:", [(round(x, 2), p, q) for x, p, q in f.shown], file=sys.stderr)
        return {**score(run.changes, shown), "followers": n, "joined": len(fs),
                "errors": run.errors, "teacher": summary(run.teacher_seconds),
                "part_bytes": sum(f.part_bytes for f in fs)}
    room.opens = 1
    return room


def line(without: dict, with_: dict, followers: int, misses: int) -> tuple[str, float]:
    """The issue's line and the change in percent (``without``/``with_``: the runs' ``latency``)."""
    a, b = without["p95"] * 1e3, with_["p95"] * 1e3
    pct = (b - a) / a * 100 if a > 0 else float("nan")
    return (f"class slider p95 {a:.0f} ms without a room, {b:.0f} ms with a room of {followers} followers "
            f"({pct:+.0f}%), follow misses {misses}", pct)

"""A room's follower over a websocket (``benchmarks.rooms``, ``benchmarks.load --room``): a real
Streamlit session that opens the room's join link and does what a follower's browser does — keeps
the room's timer ticking (the client's ``auto_rerun`` support), answers the page-switch trigger
(``gdviz_room_go``) at once, follows page switches, and fetches the lesson instrument's parts of
every page it is shown (``/media/…gz``, as ``instrument.js`` does: the runs the room's timer starts
are nobody's click, so the client's own fetch after a click does not see them) — and notes when
its page and link first show what the teacher set (``seen_at``, at the run's end) and every state
it showed with its parts in (``shown``: what a browser had drawn). A follower's instrument is a
fragment the server reruns alone when the teacher moves a live slider, steps or plays: its run
counts like a full one.
"""

from __future__ import annotations

import asyncio
import json
import time

from benchmarks.loadkit import live
from benchmarks.loadkit.client import FINISHED_EARLY, SessionError, WsSession

#: Keys of a follower's link that are its own, not the teacher's.
OWN_KEYS = ("room", "lecture")


class Follower(WsSession):
    def __init__(self, base_url: str, name: str) -> None:
        super().__init__(base_url, name)
        self.paths: dict[str, str] = {}  # page script hash -> url path
        self.want: dict | None = None    # {"path", "query", "absent"}: what the teacher set
        self.seen_at: float | None = None  # ms since the epoch when this session first showed it
        #: (time.monotonic(), path, link without OWN_KEYS) of every full run, once its parts were in
        self.shown: list[tuple[float, str, dict]] = []
        self.part_errors: list[str] = []  # parts of a followed page that were not served
        self._go = ""                    # the page-switch token answered last
        self._trigger: tuple[str, str] | None = None
        self._unasked: list[str] = []    # parts named by the run in flight that nobody clicked for
        self._fetches: set[asyncio.Task] = set()

    @property
    def path(self) -> str:
        """The page's path as the browser's address shows it (``A2_gradient_descent``)."""
        return self.paths.get(self.page_hash, "").replace(" ", "_")

    def _handle(self, msg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            for p in msg.new_session.app_pages:
                self.paths[p.page_script_hash] = p.url_pathname
        elif kind == "navigation":
            for p in msg.navigation.app_pages:
                self.paths[p.page_script_hash] = p.url_pathname
        asked = self._run is not None  # a run this client started: _rerun fetches its parts
        super()._handle(msg)
        if kind != "script_finished" or msg.script_finished == FINISHED_EARLY:
            return
        parts, self._unasked = self._unasked, []
        fragment = bool(msg.metadata.run.fragment_ids)
        # a full run, or the followed instrument's fragment (it brings parts); not the room's timer
        if (not fragment or parts) and self.want and self.seen_at is None:
            q = dict(self.query)
            w = self.want
            if (self.path == w["path"] and all(q.get(k) == v for k, v in w["query"].items())
                    and not any(k in q for k in w["absent"])):
                self.seen_at = time.time() * 1000
        state = (self.path, {k: v for k, v in self.query if k not in OWN_KEYS})
        if fragment:
            if parts and not asked:  # the instrument's fragment: shown once its parts are in
                self._spawn(self._fetch_unasked(parts, state))
            return
        if asked:  # _rerun fetches this run's parts; shown once the click's answer is in
            self.shown.append((time.monotonic(), *state))
        else:
            self._spawn(self._fetch_unasked(parts, state))

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._fetches.add(task)
        task.add_done_callback(self._fetches.discard)

    async def _fetch_unasked(self, parts: list[str], state: tuple[str, dict] | None) -> None:
        run = {"parts": parts, "exceptions": []}
        await self._fetch_parts(run)  # the client's own fetch: what this "browser" lacks
        self.part_errors += run["exceptions"]
        if state is not None and not run["exceptions"]:
            self.shown.append((time.monotonic(), *state))

    def _delta(self, msg) -> None:
        super()._delta(msg)
        el = msg.delta.new_element if msg.delta.WhichOneof("type") == "new_element" else None
        if el is None or el.WhichOneof("type") != "bidi_component":
            return
        if self._run is None:  # a run of the room's timer: this client fetches its parts itself
            self._unasked += live.parts(el.bidi_component)
        if el.bidi_component.component_name != "gdviz_room_go":
            return
        p = el.bidi_component
        token = (json.loads(p.json) if p.json else {}).get("go") or ""
        if token and token != self._go:  # the browser answers the trigger at once, from this page
            self._go = token
            self._trigger = (p.id, token)
            asyncio.get_running_loop().create_task(self._send())

    def _widget_states(self, trigger: str | None = None):
        states = super()._widget_states(trigger)
        if self._trigger is not None:
            live.event(states, self._trigger[0], "go", self._trigger[1])
            self._trigger = None
        return states

    async def close(self) -> None:
        for task in list(self._fetches):
            task.cancel()
        await super().close()


#: What the page says when a client tried to join too often (the store's per-client limit).
REFUSED = "Too many attempts to join a room from here"


async def join(url: str, code: str, name: str) -> Follower:
    """A follower of room ``code``; SessionError when the page refused the join. (Through nginx
    every follower of a benchmark comes from this machine's one address, so past the per-client
    limit of joins a minute the rest are refused, as they should be.)"""
    f = Follower(url, name)
    await f.connect()
    r = await f.open("", [("room", code)])
    refused = next((w for w in r.warnings if REFUSED in w), None)
    if refused is not None:
        await f.close()
        raise SessionError(f"the join was refused: {refused}")
    return f

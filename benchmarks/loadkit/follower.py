"""A room's follower over a websocket (``benchmarks.rooms``): a real Streamlit session that opens the
room's join link and does what a follower's browser does — keeps the room's timer ticking (the
client's ``auto_rerun`` support), answers the page-switch trigger (``gdviz_room_go``) at once, and
follows page switches — and notes when its page and link first show what the teacher set.
"""

from __future__ import annotations

import asyncio
import json
import time

from benchmarks.loadkit import live
from benchmarks.loadkit.client import WsSession


class Follower(WsSession):
    def __init__(self, base_url: str, name: str) -> None:
        super().__init__(base_url, name)
        self.paths: dict[str, str] = {}  # page script hash -> url path
        self.want: dict | None = None    # {"path", "query", "absent"}: what the teacher set
        self.seen_at: float | None = None  # ms since the epoch when this session first showed it
        self._go = ""                    # the page-switch token answered last
        self._trigger: tuple[str, str] | None = None

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
        super()._handle(msg)
        if kind == "script_finished" and not msg.metadata.run.fragment_ids and self.want and self.seen_at is None:
            q = dict(self.query)
            w = self.want
            if (self.path == w["path"] and all(q.get(k) == v for k, v in w["query"].items())
                    and not any(k in q for k in w["absent"])):
                self.seen_at = time.time() * 1000

    def _delta(self, msg) -> None:
        super()._delta(msg)
        el = msg.delta.new_element if msg.delta.WhichOneof("type") == "new_element" else None
        if el is None or el.WhichOneof("type") != "bidi_component" or el.bidi_component.component_name != "gdviz_room_go":
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


async def join(url: str, code: str, name: str) -> Follower:
    f = Follower(url, name)
    await f.connect()
    await f.open("", [("room", code)])
    return f

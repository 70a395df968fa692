"""A small Streamlit client: one real session over ``/_stcore/stream``, speaking the browser's protocol.

It sends and reads the ``BackMsg``/``ForwardMsg`` protobufs of ``streamlit.proto``, which is
Streamlit's *private* wire format: it changes between releases without notice. So this module
refuses to load on any Streamlit other than the one it was written and tested against
(``TESTED``); after an upgrade, check it against the new protocol and change ``TESTED``.

To the server each ``WsSession`` is a real session with its own session state, widget ids and
fragments. A widget change is a ``rerun_script`` carrying every widget's state (bound widgets
also in the query string), finished at the server's ``script_finished``; fragment timers
(``auto_rerun``) run like the browser's ``setInterval``, which keeps a training going.

Behind a balancer (``make serve``) the session first asks ``/_stcore/health`` for the sticky
cookie, as a browser gets it with the page, and sends it with the websocket; ``worker`` is
the ``X-GDVIZ-Worker`` header of the websocket's handshake (or the server's address without one).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import streamlit

#: The Streamlit release line this client was checked against (the protocol is private).
TESTED = "1.67."


def version_problem(version: str = streamlit.__version__) -> str | None:
    """Why this client cannot talk to this Streamlit, or None."""
    if version.startswith(TESTED):
        return None
    return (f"benchmarks/loadkit/client.py speaks Streamlit's private protocol (streamlit.proto) as of "
            f"{TESTED}x, but Streamlit {version} is installed; check the client against the new "
            f"protocol, then change TESTED in benchmarks/loadkit/client.py")


if version_problem():
    raise ImportError(version_problem())

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.Checkbox_pb2 import Checkbox  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.Slider_pb2 import Slider  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetStates  # noqa: E402

from benchmarks.loadkit import live as instrument  # noqa: E402
from benchmarks.loadkit.values import url_text, wire_value  # noqa: E402

#: A run that has not finished after this long counts as an error.
RUN_TIMEOUT = 60.0
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_WITH_COMPILE_ERROR")
WIDGET_KINDS = ("slider", "checkbox", "button", "radio", "selectbox")
WORKER_HEADER = "X-GDVIZ-Worker"
#: How many instrument parts a browser keeps (instrument.js ``PARTS_KEPT``).
PARTS_KEPT = 24


def sticky_cookie(base_url: str, cookie: str = "", timeout: float = 10.0) -> tuple[str, str]:
    """(Cookie header, worker) after one request with ``cookie``, as a browser keeps its cookies."""
    req = urllib.request.Request(f"{base_url}/_stcore/health", headers={"Cookie": cookie} if cookie else {})
    jar = dict(c.strip().split("=", 1) for c in cookie.split(";") if "=" in c)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        for c in r.headers.get_all("Set-Cookie") or []:
            name, _, value = c.split(";", 1)[0].partition("=")
            if not name.strip().startswith("_streamlit"):  # the XSRF cookie asks for a token we do not send
                jar[name.strip()] = value
        return "; ".join(f"{k}={v}" for k, v in jar.items()), r.headers.get(WORKER_HEADER, "")


@dataclass
class Widget:
    id: str
    kind: str          # slider, select_slider, checkbox, toggle, button, radio, selectbox
    label: str
    proto: object
    fragment_id: str
    query_key: str | None


@dataclass
class RunResult:
    seconds: float
    status: int
    charts: int
    exceptions: list[str]
    warnings: list[str]
    markdown: list[str]
    plotly: int = 0  # of the charts, Plotly charts drawn by Streamlit (the rest: the lesson instrument)


class SessionError(Exception):
    pass



class WsSession:
    """One real Streamlit session held over a websocket, speaking the browser's protocol."""

    def __init__(self, base_url: str, name: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.ws = None
        self.cookie = ""
        self.worker = ""  # who holds this session: the balancer's X-GDVIZ-Worker, else the address
        self.query: list[tuple[str, str]] = []
        self.page_name = ""
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}
        self.values: dict[str, object] = {}
        self.closed = False
        self.closed_at = 0.0
        self.close_reason = ""
        self.fragment_runs = 0
        self.progress_text = ""
        self.progress_max = 0
        self.exceptions: list[str] = []  # every exception element this session was sent
        self.running = False
        self._live: set[str] | None = None
        self._run: dict | None = None
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}
        self._reader: asyncio.Task | None = None
        self.parts: dict[str, int] = {}  # the instrument's parts this "browser" has, by address
        self.part_bytes = 0  # bytes of parts fetched

    # connection
    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.cookie, _ = await asyncio.to_thread(sticky_cookie, self.base_url, self.cookie)
        ws_url = self.base_url.replace("http://", "ws://") + "/_stcore/stream"
        headers = {"Cookie": self.cookie} if self.cookie else None
        self.ws = await connect(ws_url, subprotocols=["streamlit"], origin=self.base_url,
                                additional_headers=headers, max_size=None, open_timeout=30, ping_interval=None)
        self.worker = self.ws.response.headers.get(WORKER_HEADER) or urllib.parse.urlsplit(self.base_url).netloc
        self._reader = asyncio.create_task(self._read(), name=f"read-{self.name}")

    async def close(self) -> None:
        for _, task in self._timers.values():
            task.cancel()
        self._timers.clear()
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for data in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
        except ConnectionClosed as err:
            self.close_reason = f"websocket closed: {err}"
        except Exception as err:  # a bug in this client must not hide as a hang
            self.close_reason = f"client error: {err!r}"
        finally:
            self.closed, self.closed_at = True, time.monotonic()
            if self._run and not self._run["done"].done():
                done = self._run["done"]
                done.set_exception(SessionError(self.close_reason or "websocket closed"))
                done.add_done_callback(lambda f: f.exception())  # a run given up on waits no more

    # what the server says
    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            if msg.new_session.page_script_hash:
                self.page_hash = msg.new_session.page_script_hash
            if not msg.metadata.run.fragment_ids:  # a full run: the browser forgets its timers
                self._cancel_timers()
                self._live = set()
        elif kind == "session_status_changed":
            self.running = msg.session_status_changed.script_is_running
        elif kind == "delta":
            self._delta(msg)
        elif kind == "script_finished":
            if msg.metadata.run.fragment_ids:
                # A fragment run that ends while the next timer request already waits is
                # reported as "early for rerun"; it did complete (fragment runs are not
                # preempted by fragment reruns), so it counts as a tick.
                self.fragment_runs += 1
            if msg.script_finished == FINISHED_EARLY:
                return
            if not msg.metadata.run.fragment_ids and self._live is not None:
                # widgets this full run did not draw are gone (the browser drops their state)
                self.widgets = {k: w for k, w in self.widgets.items() if k in self._live}
                self._live = None
            if self._run and not self._run["done"].done():
                self._run["done"].set_result(msg.script_finished)
        elif kind == "navigation":  # which page this run is (the browser keeps it for its reruns)
            if msg.navigation.page_script_hash:
                self.page_hash = msg.navigation.page_script_hash
        elif kind == "auto_rerun":
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self._cancel_timers(fid)
        elif kind == "page_info_changed":  # the script changed st.query_params: the URL follows
            self.query = urllib.parse.parse_qsl(msg.page_info_changed.query_string, keep_blank_values=True)
        elif kind == "page_not_found":
            self._note_run("exceptions", f"page not found: {msg.page_not_found.page_name}")
        elif kind == "session_event":
            event = msg.session_event.WhichOneof("type")
            if event and event != "script_changed_on_disk":
                self._note_run("exceptions", f"session event {event}")

    def _note_run(self, what: str, text: str) -> None:
        if self._run is not None:
            self._run[what].append(text)

    def _delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind is None:
            return
        p = getattr(el, kind)
        if kind == "exception":
            self.exceptions.append(f"{p.type}: {p.message}"[:300])
            self._note_run("exceptions", self.exceptions[-1])
        elif kind == "alert":
            if p.format == 2:
                self._note_run("warnings", p.body)
        elif kind in ("plotly_chart", "bidi_component"):  # a Plotly chart, or the lesson instrument
            if self._run is not None:
                self._run["charts"] += 1
                self._run["plotly"] += kind == "plotly_chart"
            if kind == "bidi_component" and self._run is not None:  # its parts, fetched after the run
                self._run["parts"] += instrument.parts(p)
            for ls in instrument.sliders(p) if kind == "bidi_component" else ():  # the instrument's sliders
                wid = f"{p.id}::{ls.name}"
                self.widgets[wid], self.values[wid] = Widget(wid, "live", ls.name, ls, delta.fragment_id, ls.name), ls.index
                if self._live is not None:
                    self._live.add(wid)
        elif kind == "progress":
            self.progress_text = p.text
            m = re.search(r"(\d[\d,]*) of (\d[\d,]*)", p.text)
            if m:
                self.progress_max = max(self.progress_max, int(m.group(1).replace(",", "")))
        elif kind in ("markdown", "html"):
            self._note_run("markdown", p.body if kind == "html" or p.allow_html else "")
        if kind in WIDGET_KINDS and getattr(p, "id", ""):
            if self._live is not None:
                self._live.add(p.id)
            wkind = kind
            if kind == "slider" and p.type == Slider.SELECT_SLIDER:
                wkind = "select_slider"
            elif kind == "checkbox" and p.type == Checkbox.TOGGLE:
                wkind = "toggle"
            qkey = p.query_param_key if hasattr(p, "query_param_key") and p.HasField("query_param_key") else None
            w = Widget(p.id, wkind, p.label, p, delta.fragment_id, qkey)
            self.widgets[p.id] = w
            if wkind != "button" and (p.id not in self.values or getattr(p, "set_value", False)):
                self.values[p.id] = wire_value(wkind, p)

    # timers: the browser's setInterval per fragment
    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if not fragment_id:
            return
        old = self._timers.get(fragment_id)
        if old and old[0] == interval:
            return
        self._cancel_timers(fragment_id)

        async def tick() -> None:
            while not self.closed:
                await asyncio.sleep(interval)
                await self._send(fragment_id=fragment_id, auto=True)
        self._timers[fragment_id] = (interval, asyncio.create_task(tick(), name=f"tick-{self.name}"))

    def _cancel_timers(self, fragment_id: str | None = None) -> None:
        for fid in [fragment_id] if fragment_id else list(self._timers):
            entry = self._timers.pop(fid, None)
            if entry:
                entry[1].cancel()

    @property
    def playing(self) -> bool:
        return bool(self._timers)

    # what the client says
    def _widget_states(self, trigger: str | None = None):
        states = WidgetStates()
        live = {w.id for w in self.widgets.values()}
        for wid in live:
            w = self.widgets[wid]
            s = None
            if w.kind == "live":
                if wid == trigger:
                    instrument.commit(states, w.proto, self.values[wid])
                elif trigger == f"want:{wid}":
                    instrument.want(states, w.proto)
                continue
            if w.kind == "button":
                if wid == trigger:
                    s = states.widgets.add()
                    s.id = wid
                    s.trigger_value = True
                continue
            v = self.values.get(wid)
            if v is None:
                continue
            s = states.widgets.add()
            s.id = wid
            if w.kind == "slider":
                s.double_array_value.data.extend(v)
            elif w.kind == "select_slider":
                s.string_array_value.data.extend(v)
            elif w.kind in ("checkbox", "toggle"):
                s.bool_value = bool(v)
            else:
                s.string_value = str(v)
        return states

    async def _send(self, *, fragment_id: str = "", auto: bool = False, trigger: str | None = None) -> None:
        if self.closed:
            return
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = urllib.parse.urlencode(self.query)
        rs.page_script_hash = self.page_hash
        rs.page_name = "" if self.page_hash else self.page_name
        rs.widget_states.CopyFrom(self._widget_states(trigger))
        if fragment_id:
            rs.fragment_id = fragment_id
        rs.is_auto_rerun = auto
        with contextlib.suppress(Exception):
            await self.ws.send(msg.SerializeToString())

    async def _rerun(self, *, fragment_id: str = "", trigger: str | None = None) -> RunResult:
        if self.closed:
            raise SessionError(self.close_reason or "websocket closed")
        loop = asyncio.get_running_loop()
        self._run = {"done": loop.create_future(), "charts": 0, "plotly": 0, "exceptions": [], "warnings": [],
                     "markdown": [], "parts": []}
        run = self._run
        t0 = time.perf_counter()
        await self._send(fragment_id=fragment_id, trigger=trigger)
        try:
            status = await asyncio.wait_for(asyncio.shield(run["done"]), RUN_TIMEOUT)
        except asyncio.TimeoutError:
            raise SessionError(f"no script_finished within {RUN_TIMEOUT:.0f} s") from None
        self._run = None
        await self._fetch_parts(run)  # the browser draws once it has them
        seconds = time.perf_counter() - t0
        return RunResult(seconds, status, run["charts"], run["exceptions"], run["warnings"], run["markdown"],
                         run["plotly"])

    async def _fetch_parts(self, run: dict) -> None:
        """GET the instrument's parts this session does not have yet (the browser keeps its last
        ``PARTS_KEPT``); one it cannot get is an exception of the run, as the page would fail."""
        new = [u for u in dict.fromkeys(run["parts"]) if u not in self.parts]
        got = await asyncio.gather(*(asyncio.to_thread(self._get, u) for u in new), return_exceptions=True)
        for url, r in zip(new, got):
            if isinstance(r, BaseException):
                run["exceptions"].append(f"the instrument's part {url} was not served: {r}")
            else:
                self.parts[url] = r
                self.part_bytes += r
        for url in run["parts"]:  # most recently used last
            if url in self.parts:
                self.parts[url] = self.parts.pop(url)
        while len(self.parts) > PARTS_KEPT:
            del self.parts[next(iter(self.parts))]

    def _get(self, url: str) -> int:
        req = urllib.request.Request(self.base_url + url, headers={"Cookie": self.cookie} if self.cookie else {})
        for k in range(4):  # as instrument.js: a rerun may be putting it back
            try:
                with urllib.request.urlopen(req, timeout=RUN_TIMEOUT) as r:
                    return len(r.read())
            except urllib.error.HTTPError:
                if k == 3:
                    raise
                time.sleep(0.15 * (k + 1))
        return 0

    async def open(self, page_name: str, query: list[tuple[str, str]] | None = None) -> RunResult:
        """Open a page as a link does: the first run, with the link's query string."""
        self.page_name, self.page_hash = page_name, ""
        self.query = list(query or [])
        self.widgets, self.values = {}, {}
        return await self._rerun()

    async def idle(self, until: float) -> None:
        """Wait while a fragment timer runs (a training plays) and until the script is idle."""
        quiet = 0
        while time.monotonic() < until and not self.closed and quiet < 3:
            quiet = 0 if (self.playing or self.running) else quiet + 1
            await asyncio.sleep(0.1)

    def find(self, label: str, kind: str | None = None) -> Widget | None:
        for w in self.widgets.values():
            if w.label == label and (kind is None or w.kind == kind):
                return w
        return None

    def movable(self) -> list[Widget]:
        return [w for w in self.widgets.values()
                if w.kind in ("slider", "select_slider", "checkbox", "toggle", "live") and not w.proto.disabled
                and not w.label.startswith("Lecture mode")]

    async def set(self, w: Widget, value) -> RunResult:
        """Change one widget as the browser does (the URL follows a bound widget)."""
        self.values[w.id] = value
        if w.kind == "live":  # the server writes the link
            return await self._rerun(fragment_id=w.fragment_id, trigger=w.id)
        if w.query_key:
            text = url_text(w, value)
            self.query = [(k, v) for k, v in self.query if k != w.query_key] + [(w.query_key, text)]
        return await self._rerun(fragment_id=w.fragment_id)

    async def want(self, w: Widget) -> RunResult:
        """A live slider's previews asked for, as the browser does when the pointer reaches it."""
        return await self._rerun(fragment_id=w.fragment_id, trigger=f"want:{w.id}")

    async def click(self, w: Widget) -> RunResult:
        return await self._rerun(fragment_id=w.fragment_id, trigger=w.id)


"""`make load`: a classroom against one server, measured.

    .venv/bin/python -m benchmarks.load [--sessions N] [--browsers K] [--seconds S] [--think A,B]
                                         [--trainers T] [--hostile H] [--pages A2,B1] [--profile FILE]

The real app is started on loopback (``tests.server.streamlit_server``). ``N`` sessions open
their pages at once, as a class does when the link goes up, then work for ``S`` seconds from
the moment the last page is open:

* ``K`` of them are headless Chromium pages (each in its own browser context): they change a
  slider with the keyboard and are timed, by the page's own clock, from the key press until
  the app is idle again and its charts have been redrawn;
* the others are *websocket sessions*: a small Python client that speaks Streamlit's own
  protocol on ``/_stcore/stream`` — the ``BackMsg``/``ForwardMsg`` protobufs the browser
  sends and receives — so to the server each one is a real session with its own session
  state, widget ids and fragments. A slider change is a ``rerun_script`` carrying every
  widget's state (as the browser sends them, bound widgets also in the query string), timed
  until the server's ``script_finished``. Fragment timers (``auto_rerun``) are honoured like
  the browser does (a ``setInterval`` per fragment, cleared by each full run), which is what
  keeps a training running. Far cheaper than a browser: 28 of them cost the client ~2 CPU-s
  a minute, so on a 2-core machine they leave the cores to the server.

Roles: ``T`` websocket sessions (default 1) train on a training page — found by its "Train ▶"
button, never by name — from Train ▶ until the run ends, then Reset ⟲ and Train ▶ again;
``H`` (default 2) open their page through a hostile link (not-numbers, inf/nan, huge values,
script text, unknown and repeated keys) and must see the "ignored" notice on every run; the
rest — and the browsers — move sliders and toggles on the lesson pages of parts A–C (one
weight, many weights, streetlights; the MNIST pages are left to the trainer), looking at the
result for a think time between moves.

Reported: slider change → page updated latency per kind of session and per page
(p50/p95/max), the training's progress, sessions held to the end, the offered load, the
server's CPU, and every error: an exception on a page, a run that does not finish, a dropped
session, a missing notice, script text rendered as HTML, or a traceback in the server's log.
``--profile FILE`` samples the server with py-spy (``pip install py-spy``; not a requirement of
the app) and says where its Python time goes. Server settings can be tried through
Streamlit's environment variables, e.g. ``STREAMLIT_RUNNER_POST_SCRIPT_GC=false``.

Latencies are wall-clock on this machine, where the server, the clients and Chromium share
the same cores (on a real classroom the browsers run on the students' machines).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

# One BLAS thread per process, as `make` sets it (threaded BLAS stalls on a shared 2-core box).
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.Checkbox_pb2 import Checkbox  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.Slider_pb2 import Slider  # noqa: E402

from gdviz.ui.nav import lesson_pages  # noqa: E402
from tests import server as test_server  # noqa: E402

TRAIN = "Train ▶"
RESET = "Reset ⟲"
#: The parts whose pages the slider sessions use: one weight, many weights, streetlights.
SLIDER_PARTS = ("A", "B", "C")
#: Seconds a student looks at the result before the next move (uniform between the two). A
#: slider sends its value when it is let go, so a move is one drag or one key press.
THINK = (2.0, 6.0)
#: A run that has not finished after this long counts as an error.
RUN_TIMEOUT = 60.0
HOSTILE_QUERIES = [
    [("weight", "nan"), ("alpha", "<script>alert(1)</script>"), ("input", "1e999"),
     ("iterations", "99999999999999999999"), ("zzz", '"><img src=x onerror=alert(1)>'),
     ("lecture", "maybe")],
    [("alpha", "inf"), ("alpha", "-1e999"), ("weight", "ünïcødé ✓"), ("goal_pred", "x" * 3000),
     ("batch_size", "-1"), ("hidden", "0x10"), ("<b>key</b>", "1")],
]
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_WITH_COMPILE_ERROR")
WIDGET_KINDS = ("slider", "checkbox", "button", "radio", "selectbox")


# --- the server -----------------------------------------------------------------------------

class ServerLog:
    """The server's stderr, read as it comes (so the pipe never fills), with its tracebacks."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.pid: int | None = None
        self._lock = threading.Lock()

    def attach(self, proc: subprocess.Popen) -> None:
        self.pid = proc.pid
        def pump() -> None:
            for raw in iter(proc.stderr.readline, b""):
                with self._lock:
                    self.lines.append(raw.decode("utf-8", "replace").rstrip())
        threading.Thread(target=pump, daemon=True, name="streamlit-stderr").start()

    def errors(self) -> list[str]:
        with self._lock:
            lines = list(self.lines)
        return [ln for ln in lines if re.search(r"Traceback|\bERROR\b|Exception", ln)]


@contextlib.contextmanager
def serve():
    """``tests.server.streamlit_server()`` as is, with its stderr drained into a ``ServerLog``."""
    log = ServerLog()
    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        proc = real_popen(*args, **kwargs)
        if kwargs.get("stderr") == subprocess.PIPE:
            log.attach(proc)
        return proc

    cm = test_server.streamlit_server()
    with mock.patch.object(test_server.subprocess, "Popen", popen):
        url = cm.__enter__()
    try:
        yield url, log
    finally:
        cm.__exit__(None, None, None)


# --- a websocket session --------------------------------------------------------------------

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


class SessionError(Exception):
    pass


def _wire_value(kind: str, p) -> object:
    """A widget's value as the browser would first send it."""
    if kind == "slider":
        return list(p.value) if p.set_value else list(p.default)
    if kind == "select_slider":
        return list(p.raw_value) if p.set_value else [p.options[int(i)] for i in p.default]
    if kind in ("checkbox", "toggle"):
        return bool(p.value) if p.set_value else bool(p.default)
    if kind in ("radio", "selectbox"):
        if p.set_value and p.HasField("raw_value"):
            return p.raw_value
        return p.options[p.default] if p.HasField("default") and p.options else None
    return None


class WsSession:
    """One real Streamlit session held over a websocket, speaking the browser's protocol."""

    def __init__(self, base_url: str, name: str) -> None:
        self.base_url = base_url
        self.name = name
        self.ws = None
        self.query: list[tuple[str, str]] = []
        self.page_name = ""
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}
        self.values: dict[str, object] = {}
        self.closed = False
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

    # connection
    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        ws_url = self.base_url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await connect(ws_url, subprotocols=["streamlit"], origin=self.base_url,
                                max_size=None, open_timeout=30, ping_interval=None)
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
            self.closed = True
            if self._run and not self._run["done"].done():
                self._run["done"].set_exception(SessionError(self.close_reason or "websocket closed"))

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
        elif kind == "plotly_chart":
            if self._run is not None:
                self._run["charts"] += 1
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
                self.values[p.id] = _wire_value(wkind, p)

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
        from streamlit.proto.WidgetStates_pb2 import WidgetStates

        states = WidgetStates()
        live = {w.id for w in self.widgets.values()}
        for wid in live:
            w = self.widgets[wid]
            s = None
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
        self._run = {"done": loop.create_future(), "charts": 0, "exceptions": [], "warnings": [],
                     "markdown": []}
        run = self._run
        t0 = time.perf_counter()
        await self._send(fragment_id=fragment_id, trigger=trigger)
        try:
            status = await asyncio.wait_for(asyncio.shield(run["done"]), RUN_TIMEOUT)
        except asyncio.TimeoutError:
            raise SessionError(f"no script_finished within {RUN_TIMEOUT:.0f} s") from None
        seconds = time.perf_counter() - t0
        self._run = None
        return RunResult(seconds, status, run["charts"], run["exceptions"], run["warnings"], run["markdown"])

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
                if w.kind in ("slider", "select_slider", "checkbox", "toggle") and not w.proto.disabled
                and not w.label.startswith("Lecture mode")]

    async def set(self, w: Widget, value) -> RunResult:
        """Change one widget as the browser does (the URL follows a bound widget)."""
        self.values[w.id] = value
        if w.query_key:
            text = _url_text(w, value)
            self.query = [(k, v) for k, v in self.query if k != w.query_key] + [(w.query_key, text)]
        return await self._rerun(fragment_id=w.fragment_id)

    async def click(self, w: Widget) -> RunResult:
        return await self._rerun(fragment_id=w.fragment_id, trigger=w.id)


def _url_text(w: Widget, value) -> str:
    if w.kind == "slider":
        x = value[0]
        return str(int(x)) if w.proto.data_type == Slider.INT else repr(float(x))
    if w.kind == "select_slider":
        return str(value[0])
    if w.kind in ("checkbox", "toggle"):
        return "true" if value else "false"
    return str(value)


def new_value(w: Widget, current, rng: random.Random):
    """A random value for ``w`` other than ``current``, as a user could pick it."""
    p = w.proto
    if w.kind == "slider":
        n = max(1, round((p.max - p.min) / p.step)) if p.step else 1
        for _ in range(10):
            x = p.min + rng.randint(0, n) * p.step
            x = float(int(round(x))) if p.data_type == Slider.INT else round(x, 10)
            x = min(max(x, p.min), p.max)
            if current is None or [x] != list(current):
                break
        return [x]
    if w.kind == "select_slider":
        options = [o for o in p.options if [o] != list(current or [])] or list(p.options)
        return [rng.choice(options)]
    return not bool(current)


# --- the sessions ---------------------------------------------------------------------------

@dataclass
class Stats:
    name: str
    kind: str           # ws or browser
    role: str           # slider, hostile, trainer
    page: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    held: bool = False
    extra: str = ""
    open_seconds: float = 0.0
    ticks: int = 0
    trained: int = 0
    #: browsers: seconds from the key press until the server started the run (the slider's own
    #: wait before it sends a value, and the trip to the server), part of each latency
    before_run: list[float] = field(default_factory=list)
    unpainted: int = 0  # browsers: moves whose run was too short for the page to paint "running"

    def error(self, text: str) -> None:
        self.errors.append(f"{self.name} [{self.page}]: {text}")


def check_run(stats: Stats, r: RunResult, what: str, *, hostile: bool = False, charts: bool = True) -> None:
    for e in r.exceptions:
        stats.error(f"{what}: exception on the page: {e}")
    if r.status == COMPILE_ERROR:
        stats.error(f"{what}: the script did not compile")
    if charts and r.charts == 0:
        stats.error(f"{what}: no chart was drawn")
    if hostile and not any("ignored" in w for w in r.warnings):
        stats.error(f"{what}: the hostile link got no 'ignored' notice")
    for body in r.markdown:
        if re.search(r"<script|<img[^>]+onerror", body, re.I):
            stats.error(f"{what}: raw script/HTML from the link rendered as HTML: {body[:120]!r}")


class Window:
    """The class's working time: every session first opens its page (all at once, as a class
    does when the link goes up), then all work for ``seconds`` from the moment the last page is
    open — so a slow start (Chromium) does not eat into anyone's time."""

    def __init__(self, sessions: int, seconds: float) -> None:
        self.pending, self.seconds = sessions, seconds
        self.start = self.until = 0.0
        self._open = asyncio.Event()

    def opened(self) -> None:
        """Called once by every session, whether its page opened or not."""
        self.pending -= 1
        if self.pending <= 0 and not self._open.is_set():
            self.start = time.monotonic()
            self.until = self.start + self.seconds
            self._open.set()

    async def begin(self) -> float:
        await self._open.wait()
        return self.until


async def slider_session(url: str, stats: Stats, page: str, query, window: Window, rng: random.Random,
                         think: tuple[float, float]) -> None:
    s = WsSession(url, stats.name)
    hostile = stats.role == "hostile"
    opened = False
    try:
        await s.connect()
        r = await s.open(page, query)
        stats.open_seconds = r.seconds
        check_run(stats, r, "open", hostile=hostile)
        window.opened()
        opened = True
        until = await window.begin()
        while time.monotonic() < until and not s.closed:
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= until:
                break
            options = s.movable()
            if not options:
                stats.error("no control to move")
                break
            w = rng.choice(options)
            r = await s.set(w, new_value(w, s.values.get(w.id), rng))
            stats.latencies.append(r.seconds)
            check_run(stats, r, f"{w.kind} {w.label!r}", hostile=hostile and not w.fragment_id,
                      charts=True)
        stats.held = not s.closed
        if s.closed:
            stats.error(s.close_reason or "websocket closed")
    except SessionError as err:
        stats.error(str(err))
    except Exception as err:  # noqa: BLE001  (every failure is a reported error, never a crash)
        stats.error(f"{type(err).__name__}: {err}")
    finally:
        if not opened:
            window.opened()
        await s.close()


async def trainer_session(url: str, stats: Stats, page: str, window: Window) -> None:
    """Train ▶ on a training page; when the run is done, Reset ⟲ and Train ▶ again."""
    s = WsSession(url, stats.name)
    trainings = 0
    opened = False
    try:
        await s.connect()
        r = await s.open(page)
        stats.open_seconds = r.seconds
        check_run(stats, r, "open")
        window.opened()
        opened = True
        until = await window.begin()
        while time.monotonic() < until and not s.closed:
            train = s.find(TRAIN, "button")
            if train is None or train.proto.disabled:
                reset = s.find(RESET, "button")
                if reset is None:
                    stats.error("no Train ▶ and no Reset ⟲ button")
                    break
                r = await s.click(reset)
                check_run(stats, r, "Reset ⟲", charts=False)
                continue
            r = await s.click(train)
            stats.latencies.append(r.seconds)
            check_run(stats, r, "Train ▶", charts=False)
            trainings += 1
            await s.idle(until)
        stats.held = not s.closed
        if s.closed:
            stats.error(s.close_reason or "websocket closed")
    except SessionError as err:
        stats.error(str(err))
    except Exception as err:  # noqa: BLE001
        stats.error(f"{type(err).__name__}: {err}")
    finally:
        if not opened:
            window.opened()
        for e in dict.fromkeys(s.exceptions):  # the ticks' too, which no click waited for
            if not any(e in x for x in stats.errors):
                stats.error(f"exception on the page while training: {e}")
        seconds = time.monotonic() - (window.start or time.monotonic())
        stats.ticks, stats.trained = s.fragment_runs, s.progress_max
        stats.extra = (f"{s.fragment_runs} ticks in {seconds:.0f} s, {trainings} Train ▶; "
                       f"last: {s.progress_text or '—'}")
        await s.close()


# --- browser sessions -----------------------------------------------------------------------

#: In the page: when the key went down, when the script started and stopped running, when a
#: chart last changed — timed by the page's own clock, so polling from here adds nothing.
_WATCH = """() => {
  if (window.__gd) return;
  const app = document.querySelector('[data-testid="stApp"]');
  const w = window.__gd = {key: 0, running: 0, idle: 0, chart: 0, drawn: 0};
  document.addEventListener('keydown', () => {
    w.key = performance.now(); w.running = 0; w.idle = 0; w.chart = 0; w.drawn = 0;
  }, true);
  new MutationObserver(ms => {
    const now = performance.now();
    // A batch may hold several changes of the script state: replay them in order (each
    // record knows the value before it; the value after it is the next one's, or the current).
    const states = ms.filter(m => m.type === 'attributes' && m.target === app);
    states.forEach((m, i) => {
      const before = m.oldValue;
      const after = i + 1 < states.length ? states[i + 1].oldValue : app.getAttribute('data-test-script-state');
      if (after === 'running' && before !== 'running' && w.key && !w.running) w.running = now;
      else if (before === 'running' && after !== 'running' && w.running) w.idle = now;
    });
    if (w.key && ms.some(m => m.target.closest && m.target.closest('[data-testid="stPlotlyChart"]'))) {
      w.drawn = now;  // any chart change since the key (see _DONE)
      if (w.running) w.chart = now;
    }
  }).observe(document.body, {attributes: true, attributeFilter: ['data-test-script-state'],
                             attributeOldValue: true, childList: true, subtree: true});
}"""
#: Done: the script ran and is idle again, a chart was redrawn, nothing is left to paint, and no
#: chart has changed for 150 ms. Returns [key, running, idle, last chart change] (ms).
#: A fragment's run (the timeline slider reruns only the player's fragment) can be so short that
#: the page never paints its "running" state: then the charts redrawn after the key, and the app
#: quiet for 500 ms, mark the end, and ``running`` comes back as null.
_DONE = """() => {
  const w = window.__gd, app = document.querySelector('[data-testid="stApp"]');
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return null;
  if (document.querySelector('[data-testid="stSkeleton"]')) return null;
  const now = performance.now();
  if (w.running && w.idle && w.chart) {
    if (now - Math.max(w.idle, w.chart) < 150) return null;
    return [w.key, w.running, w.idle, w.chart];
  }
  if (!w.running && w.drawn && now - w.drawn >= 500) return [w.key, null, w.drawn, w.drawn];
  return null;
}"""


async def browser_session(browser, url: str, stats: Stats, page_name: str, window: Window,
                          rng: random.Random, think: tuple[float, float]) -> None:
    """A student in Chromium: a slider moved with the keyboard, timed until the page is redrawn."""
    opened = False
    context = page = None
    try:
        context = await browser.new_context(viewport={"width": 1280, "height": 800})
        page = await context.new_page()
        t0 = time.perf_counter()
        await page.goto(f"{url}/{page_name}", timeout=RUN_TIMEOUT * 1000)
        await page.wait_for_selector(test_server.READY, timeout=RUN_TIMEOUT * 1000)
        await page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=RUN_TIMEOUT * 1000)
        stats.open_seconds = time.perf_counter() - t0
        await page.evaluate(_WATCH)
        window.opened()
        opened = True
        until = await window.begin()
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= until:
                break
            sliders = page.locator("[data-testid='stMain'] [data-testid='stSlider'] input[type='range']")
            n = await sliders.count()
            if not n:
                stats.error("no slider on the page")
                break
            thumb = sliders.nth(rng.randrange(n))
            now, hi, lo = await thumb.evaluate("e => [e.value, e.max, e.min]")
            key = "ArrowLeft" if now == hi else "ArrowRight" if now == lo else rng.choice(["ArrowLeft", "ArrowRight"])
            await thumb.focus()
            await thumb.press(key)
            if await thumb.evaluate("e => e.value") == now:
                continue  # the thumb did not move (at an end, or disabled): no change was sent
            try:
                marks = await page.wait_for_function(_DONE, timeout=RUN_TIMEOUT * 1000, polling=100)
                key_ms, running_ms, idle_ms, chart_ms = await marks.json_value()
            except Exception:  # noqa: BLE001
                seen = await page.evaluate("""() => [window.__gd, document.querySelector(
                    '[data-testid="stApp"]').getAttribute('data-test-script-state')]""")
                label = await thumb.evaluate(
                    "e => (e.closest('[data-testid=stSlider]') || e).innerText.split('\\n')[0]")
                stats.error(f"{key} on the slider {label!r} ({now} → {await thumb.evaluate('e => e.value')}): "
                            f"the page was not redrawn within {RUN_TIMEOUT:.0f} s (seen {seen})")
                continue
            stats.latencies.append((max(idle_ms, chart_ms) - key_ms) / 1000)
            if running_ms is not None:
                stats.before_run.append((running_ms - key_ms) / 1000)
            else:
                stats.unpainted += 1
            if await page.locator("[data-testid='stException']").count():
                stats.error("an exception is shown on the page")
        if await page.locator("[data-testid='stException']").count():
            stats.error("an exception is shown on the page")
        state = await page.locator("[data-testid='stApp']").get_attribute("data-test-connection-state")
        stats.held = state == "CONNECTED"
        if not stats.held:
            stats.error(f"the page lost its session (connection state {state})")
    except Exception as err:  # noqa: BLE001
        stats.error(f"{type(err).__name__}: {str(err).splitlines()[0]}")
    finally:
        if not opened:
            window.opened()
        if context is not None:
            await context.close()


# --- discovery and the whole run ------------------------------------------------------------

@dataclass
class PageInfo:
    url_path: str
    part: str
    first_seconds: float
    training: bool
    controls: int
    mnist: bool


async def discover(url: str) -> tuple[list[PageInfo], list[str]]:
    """Open every lesson page once (this also warms the server): which has a Train ▶ button,
    which has controls to move. A page that fails is reported and left out."""
    out, errors = [], []
    s = WsSession(url, "discover")
    await s.connect()
    try:
        for lp in lesson_pages():
            r = await s.open(lp.url_path)
            if r.exceptions:
                errors.append(f"discovery: {lp.url_path} shows an exception on its first run: {r.exceptions[0][:200]}")
                continue
            source = lp.path.read_text(encoding="utf-8").lower()
            out.append(PageInfo(lp.url_path, lp.part, r.seconds, s.find(TRAIN, "button") is not None,
                                len(s.movable()), "mnist" in source))
    finally:
        await s.close()
    return out, errors


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    f = int(k)
    c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)


def _cpu_seconds(pid: int | None) -> float | None:
    """CPU seconds (user + system) the process ``pid`` used so far (Linux), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return None


def _summary(xs: list[float]) -> dict:
    return {"n": len(xs), "p50": percentile(xs, 0.5), "p95": percentile(xs, 0.95),
            "max": max(xs) if xs else float("nan")}


async def _scenario(url: str, sessions: int, browsers: int, seconds: float, think, seed: int,
                    log: ServerLog, trainers: int = 1, hostile: int = 2,
                    pages_filter: tuple[str, ...] = ()) -> dict:
    rng = random.Random(seed)
    t0 = time.monotonic()
    pages, discovery_errors = await discover(url)
    discover_s = time.monotonic() - t0
    training = [p for p in pages if p.training]
    if pages_filter:
        sliding = [p for p in pages if p.controls and any(p.url_path.startswith(f) for f in pages_filter)]
    else:
        sliding = [p for p in pages if p.part in SLIDER_PARTS and not p.training and not p.mnist and p.controls]
    if not sliding:
        raise RuntimeError("no lesson page with controls to move (parts " + ", ".join(SLIDER_PARTS) + ")")
    browsers = max(0, min(browsers, sessions))
    ws_count = sessions - browsers
    roles: list[str] = []
    roles += ["trainer"] * (min(trainers, ws_count) if training else 0)
    roles += ["hostile"] * min(hostile, max(0, ws_count - len(roles) - 1))
    roles += ["slider"] * (ws_count - len(roles))

    cpu0, wall0, load0 = _cpu_seconds(log.pid), time.monotonic(), os.getloadavg()
    own0 = time.process_time()
    window = Window(len(roles) + browsers, seconds)
    stats: list[Stats] = []
    tasks = []
    k = 0
    for i, role in enumerate(roles):
        if role == "trainer":
            st_ = Stats(f"ws{i:02d}", "ws", role, training[(i) % len(training)].url_path)
            tasks.append(trainer_session(url, st_, st_.page, window))
        else:
            page = sliding[k % len(sliding)].url_path
            k += 1
            st_ = Stats(f"ws{i:02d}", "ws", role, page)
            query = HOSTILE_QUERIES[i % len(HOSTILE_QUERIES)] if role == "hostile" else None
            tasks.append(slider_session(url, st_, page, query, window, random.Random(rng.random()), think))
        stats.append(st_)
    pw_cm = browser = None
    try:
        if browsers:
            from playwright.async_api import async_playwright

            pw_cm = async_playwright()
            pw = await pw_cm.__aenter__()
            browser = await test_server.launch_browser(pw)
            for j in range(browsers):
                page = sliding[k % len(sliding)].url_path
                k += 1
                st_ = Stats(f"br{j:02d}", "browser", "slider", page)
                tasks.append(browser_session(browser, url, st_, page, window, random.Random(rng.random()), think))
                stats.append(st_)
        await asyncio.gather(*tasks)
    finally:
        if browser is not None:
            await browser.close()
        if pw_cm is not None:
            await pw_cm.__aexit__(None, None, None)
    wall = time.monotonic() - wall0
    cpu1 = _cpu_seconds(log.pid)
    own = time.process_time() - own0

    errors = (discovery_errors + [e for s in stats for e in s.errors]
              + [f"server log: {ln}" for ln in log.errors()])
    moves = [x for s in stats if s.role != "trainer" for x in s.latencies]
    working = time.monotonic() - window.start if window.start else float("nan")
    groups = {}
    for kind, role in sorted({(s.kind, s.role) for s in stats}):
        group = [s for s in stats if s.kind == kind and s.role == role]
        groups[f"{kind}/{role}"] = {**_summary([x for s in group for x in s.latencies]),
                                    "sessions": len(group), "held": sum(s.held for s in group),
                                    "errors": sum(len(s.errors) for s in group),
                                    "open": _summary([s.open_seconds for s in group if s.open_seconds])}
    by_page = {}
    for p in sorted({s.page for s in stats if s.role != "trainer"}):
        group = [s for s in stats if s.page == p and s.role != "trainer"]
        by_page[p] = {**_summary([x for s in group for x in s.latencies]), "sessions": len(group)}
    return {
        "sessions": len(stats), "browsers": browsers, "websockets": ws_count, "seconds": seconds,
        "think": tuple(think), "held": sum(s.held for s in stats), "errors": errors,
        "latency": _summary(moves), "groups": groups, "by_page": by_page,
        "browser_before_run": _summary([x for s in stats for x in s.before_run]),
        "browser_unpainted": sum(s.unpainted for s in stats),
        "all_open_after": window.start - wall0 if window.start else None,
        "moves_per_second": len(moves) / working if working == working and working > 0 else float("nan"),
        "server_cpu_seconds": None if cpu0 is None or cpu1 is None else cpu1 - cpu0, "wall_seconds": wall,
        "client_cpu_seconds": own,
        "load_average": (load0, os.getloadavg()), "cores": os.cpu_count(),
        "trainer": [f"{s.page}: {s.extra}" for s in stats if s.role == "trainer"],
        "trainers": [{"page": s.page, "ticks": s.ticks, "trained": s.trained, "held": s.held}
                     for s in stats if s.role == "trainer"],
        "pages": [(p.url_path, p.first_seconds, p.training) for p in pages],
        "slider_pages": [p.url_path for p in sliding], "discover_seconds": discover_s,
        "per_session": [(s.name, s.kind, s.role, s.page, _summary(s.latencies), len(s.errors), s.held)
                        for s in stats],
    }


def run_load(sessions: int = 30, browsers: int = 2, seconds: float = 60.0, *,
             think: tuple[float, float] = THINK, seed: int = 0, url: str | None = None,
             trainers: int = 1, hostile: int = 2, pages: tuple[str, ...] = (),
             profile: str | None = None) -> dict:
    """Start the server (unless ``url`` is given), run the classroom, return the figures.

    ``profile``: a file for py-spy's samples of the server during the run (py-spy must be
    installed; it is not a requirement of the app); the result then has a ``profile`` summary.
    """
    if browsers and test_server.chromium_missing_reason():
        raise RuntimeError(test_server.chromium_missing_reason())
    args = (sessions, browsers, seconds, think, seed)
    if url is not None:
        return asyncio.run(_scenario(url, *args, ServerLog(), trainers, hostile, pages))
    with serve() as (base, log):
        spy = _start_profiler(log.pid, profile) if profile else None
        t0 = time.monotonic()
        try:
            result = asyncio.run(_scenario(base, *args, log, trainers, hostile, pages))
        finally:
            if spy is not None:
                spy.send_signal(2)  # SIGINT: py-spy writes what it has
                spy.wait(timeout=60)
        if profile:
            result["profile"] = summarize_profile(profile, time.monotonic() - t0)
        return result


PROFILE_RATE = 100  # samples per second


def _start_profiler(pid: int | None, path: str) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("py-spy")
    if not exe.exists():
        raise RuntimeError("--profile needs py-spy in the venv: .venv/bin/pip install py-spy")
    # --gil: sample only the thread holding the GIL, i.e. what the server's one Python core does.
    return subprocess.Popen([str(exe), "record", "-p", str(pid), "-r", str(PROFILE_RATE), "--gil", "-f", "raw",
                             "-o", path, "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


#: What a sample was doing, by the first frame (from the innermost out) that says so.
_BUCKETS = [
    ("Plotly: building and validating figures (plotly.graph_objects)", re.compile(r"\((plotly|_plotly_utils)/")),
    ("Streamlit: gc.collect(2) after every run (runner.postScriptGC)",
     re.compile(r"^ScriptRunner\._on_script_finished \(.*script_runner\.py:\d+\)$")),
    ("Streamlit: elements, messages, sessions", re.compile(r"\(streamlit/")),
    ("gdviz: lesson code (simulations, records, pages)", re.compile(r"\(gdviz/|\([A-F]\d+_\w+\.py:")),
    ("server: event loop, websockets, HTTP", re.compile(r"\((asyncio|starlette|uvicorn|websockets|anyio)/")),
]


def summarize_profile(path: str, seconds: float | None = None, top: int = 20) -> dict:
    """Where the server's GIL time went: by kind of work, and the busiest functions (inclusive).

    ``seconds``: how long was sampled, to say how busy the GIL was (1.0: the server's Python
    ran flat out on its one core the whole time)."""
    plumbing = re.compile(r"^(Thread\.|ScriptRunner\._run_script|exec_func_with_error_handling|"
                          r"ScriptRunner\._run_script\.<locals>|_run_module_as_main|_run_code|<module> \((streamlit|click)|"
                          r"Command\.|Group\.|Context\.|main_run|_main_run|run \(|Runner\.|BaseEventLoop|"
                          r"_mpa_v1|Page\.run|_fragment\.<locals>\.wrap|gather_metrics)")
    total, inclusive, buckets = 0, {}, {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            stack, _, n = line.rstrip().rpartition(" ")
            if not n.isdigit():
                continue
            n = int(n)
            total += n
            frames = stack.split(";")
            if any(fr.startswith("Training.advance ") for fr in frames):
                kind = "gdviz: training steps (Training.advance in trainer ticks)"
            else:
                kind = next((name for fr in reversed(frames) for name, rx in _BUCKETS if rx.search(fr)), "other")
            buckets[kind] = buckets.get(kind, 0) + n
            for frame in {re.sub(r":\d+\)", ")", fr) for fr in frames}:
                inclusive[frame] = inclusive.get(frame, 0) + n
    if not total:
        return {"samples": 0, "busy": None, "buckets": [], "functions": []}
    return {
        "samples": total,
        "busy": total / (PROFILE_RATE * seconds) if seconds else None,
        "buckets": sorted(((n / total, k) for k, n in buckets.items()), reverse=True),
        "functions": sorted(((n / total, fr) for fr, n in inclusive.items() if not plumbing.match(fr)),
                            reverse=True)[:top],
    }


# --- the table ------------------------------------------------------------------------------

def ms(x: float) -> str:
    return "—" if x != x else f"{x * 1e3:,.0f} ms"


def report(result: dict) -> None:
    from benchmarks.__main__ import table

    lat = result["latency"]
    after = result["all_open_after"]
    print(f"\nClassroom load: {result['sessions']} sessions ({result['websockets']} websocket, "
          f"{result['browsers']} headless Chromium) open their pages at once"
          + (f" (all open after {after:.0f} s)" if after is not None else "")
          + f", then work for {result['seconds']:.0f} s; a student looks "
          f"{result['think'][0]:g}–{result['think'][1]:g} s at the result between moves")
    table("Pages (each opened once first: discovery and warm-up)", ("page", "first run", "training"),
          [(p, ms(t), "Train ▶" if tr else "") for p, t, tr in result["pages"]])
    rows = [(g, str(v["sessions"]), str(v["held"]), ms(v["open"]["p50"]), str(v["n"]), ms(v["p50"]),
             ms(v["p95"]), ms(v["max"]), str(v["errors"])) for g, v in result["groups"].items()]
    rows.append(("all moves", str(result["sessions"]), str(result["held"]), "", str(lat["n"]), ms(lat["p50"]),
                 ms(lat["p95"]), ms(lat["max"]), str(len(result["errors"]))))

    table("Slider change → page updated (trainer: Train ▶ → page updated)",
          ("sessions", "count", "held", "open p50", "moves", "p50", "p95", "max", "errors"), rows)
    before = result.get("browser_before_run")
    if before and before["n"]:
        print(f"Chromium: of each move, key press → the server starts the run (the slider's own wait before "
              f"it sends, and the trip): p50 {ms(before['p50'])}, p95 {ms(before['p95'])}"
              + (f"; {result['browser_unpainted']} moves ran too briefly for the page to show 'running' "
                 "(timed to their last chart change)" if result.get("browser_unpainted") else "") + ".")
    table("By page (slider and hostile sessions)", ("page", "sessions", "moves", "p50", "p95", "max"),
          [(p, str(v["sessions"]), str(v["n"]), ms(v["p50"]), ms(v["p95"]), ms(v["max"]))
           for p, v in result["by_page"].items()])
    for t in result["trainer"]:
        print(f"\nTraining session: {t}")
    cpu = result["server_cpu_seconds"]
    (a0, _, _), (a1, _, _) = result["load_average"]
    print(f"\nOffered: {result['moves_per_second']:.1f} moves/s. Server process: "
          + (f"{cpu:.0f} CPU-s in {result['wall_seconds']:.0f} s ({cpu / result['wall_seconds']:.2f} cores)"
             if cpu is not None else "CPU not measured")
          + f"; this client (websocket sessions, Playwright driver): {result['client_cpu_seconds']:.0f} CPU-s"
          + f". Machine: {result['cores']} cores, load average {a0:.1f} before, {a1:.1f} after.")
    prof = result.get("profile")
    if prof and prof["samples"]:
        busy = f", the GIL was held {prof['busy'] * 100:.0f}% of the time" if prof["busy"] else ""
        table(f"Where the server's Python time goes (py-spy --gil, {prof['samples']:,} samples{busy})",
              ("share", "kind of work"), [(f"{x * 100:.1f}%", k) for x, k in prof["buckets"]])
        table("Busiest functions (inclusive share of the samples)", ("share", "function"),
              [(f"{x * 100:.1f}%", fr[:110]) for x, fr in prof["functions"]])
    met = not result["errors"] and lat["p95"] < 0.5
    print(f"\nGoal: zero errors and p95 < 500 ms → {len(result['errors'])} errors, p95 {ms(lat['p95'])}: "
          + ("met" if met else "NOT met"))
    for e in result["errors"][:30]:
        print("  error:", e)
    if len(result["errors"]) > 30:
        print(f"  … and {len(result['errors']) - 30} more")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30, help="sessions in all (default 30)")
    ap.add_argument("--browsers", type=int, default=2, help="of which headless Chromium pages (default 2)")
    ap.add_argument("--seconds", type=float, default=60, help="how long the class works (default 60)")
    ap.add_argument("--think", default=f"{THINK[0]:g},{THINK[1]:g}",
                    help="seconds between a student's moves, uniform in A,B (default %(default)s)")
    ap.add_argument("--trainers", type=int, default=1, help="sessions training MNIST (default 1)")
    ap.add_argument("--hostile", type=int, default=2, help="sessions opened through a hostile link (default 2)")
    ap.add_argument("--pages", default="",
                    help="comma-separated page names or prefixes (A2,B1) for the slider sessions "
                         "(default: the pages of parts A–C that do not use MNIST)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--url", help="use a server already running at this URL instead of starting one")
    ap.add_argument("--profile", metavar="FILE",
                    help="sample the server with py-spy into FILE and print where its time goes")
    a = ap.parse_args(argv)
    think = tuple(float(x) for x in a.think.split(","))
    if len(think) != 2 or not 0 <= think[0] <= think[1]:
        ap.error("--think needs A,B with 0 <= A <= B")
    if a.browsers and test_server.chromium_missing_reason():
        print(f"no browsers: {test_server.chromium_missing_reason()}", file=sys.stderr)
        a.browsers = 0
    result = run_load(a.sessions, a.browsers, a.seconds, think=think, seed=a.seed, url=a.url,
                      trainers=a.trainers, hostile=a.hostile, profile=a.profile,
                      pages=tuple(x.strip() for x in a.pages.split(",") if x.strip()))
    report(result)
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())

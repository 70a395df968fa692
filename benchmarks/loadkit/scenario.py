"""The classroom: who does what, for how long, and the figures of the whole run.

Sessions open their pages at once, as a class does when the link goes up, then work for
``seconds`` from the moment the last page is open. Roles: trainers (Train ▶ on a training
page found by its button, Reset ⟲, again), hostile links (must see the "ignored" notice on
every run), and slider sessions (websocket or Chromium) that move a control, look at the
result for a think time, and move again.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from dataclasses import dataclass, field

from benchmarks.loadkit.chromium import browser_session, launch
from benchmarks.loadkit.client import COMPILE_ERROR, RunResult, SessionError, Slider, Widget, WsSession
from benchmarks.loadkit.live import new_index
from benchmarks.loadkit.report import summary
from benchmarks.loadkit.server import ServerLog, cpu_seconds
from gdviz.ui.nav import lesson_pages

TRAIN = "Train ▶"
RESET = "Reset ⟲"
#: The parts whose pages the slider sessions use: one weight, many weights, streetlights.
SLIDER_PARTS = ("A", "B", "C")
#: Seconds a student looks at the result before the next move (uniform between the two). A
#: slider sends its value when it is let go, so a move is one drag or one key press.
THINK = (2.0, 6.0)
HOSTILE_QUERIES = [
    [("weight", "nan"), ("alpha", "<script>alert(1)</script>"), ("input", "1e999"),
     ("iterations", "99999999999999999999"), ("zzz", '"><img src=x onerror=alert(1)>'),
     ("lecture", "maybe")],
    [("alpha", "inf"), ("alpha", "-1e999"), ("weight", "ünïcødé ✓"), ("goal_pred", "x" * 3000),
     ("batch_size", "-1"), ("hidden", "0x10"), ("<b>key</b>", "1")],
]


def new_value(w: Widget, current, rng: random.Random):
    """A random value for ``w`` other than ``current``, as a user could pick it."""
    p = w.proto
    if w.kind == "live":  # a lesson instrument's slider: a step of its grid
        return new_index(p, current, rng)
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




@dataclass
class Stats:
    name: str
    kind: str           # ws or browser
    role: str           # slider, hostile, trainer
    page: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    held: bool = False
    worker: str = ""  # who served this session (X-GDVIZ-Worker behind make serve, else the address)
    by_worker: dict = field(default_factory=dict)  # worker → this session's move latencies there
    disconnects: int = 0
    back_after: list[float] = field(default_factory=list)  # seconds from a drop to served again
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

    def __init__(self, sessions: int, seconds: float, url: str = "") -> None:
        self.pending, self.seconds = sessions, seconds
        self.url = url  # the server the class works on (for a ``during`` that joins it)
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
                         think: tuple[float, float], reconnect: bool = False) -> None:
    """Move a control, look, move again. ``reconnect``: a dropped session comes back as the
    browser does (same cookie, the link's query) and is timed until its page is served again."""
    s = WsSession(url, stats.name)
    hostile = stats.role == "hostile"
    opened = False
    try:
        await s.connect()
        stats.worker = s.worker
        r = await s.open(page, query)
        stats.open_seconds = r.seconds
        check_run(stats, r, "open", hostile=hostile)
        window.opened()
        opened = True
        until = await window.begin()
        while time.monotonic() < until:
            if s.closed:
                if not reconnect:
                    break
                s = await _come_back(s, url, stats, page, until)
                continue
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= until or s.closed:
                continue
            options = s.movable()
            if not options:
                stats.error("no control to move")
                break
            w = rng.choice(options)
            try:
                if w.kind == "live" and not w.proto.has_grid:  # the pointer reaches it: previews first
                    check_run(stats, await s.want(w), f"previews for {w.label!r}")
                    w = s.widgets.get(w.id, w)
                r = await s.set(w, new_value(w, s.values.get(w.id), rng))
            except SessionError as err:
                if reconnect and s.closed:
                    stats.error(f"a move was lost with its worker: {err}")
                    continue
                raise
            stats.latencies.append(r.seconds)
            stats.by_worker.setdefault(s.worker, []).append(r.seconds)
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


async def _come_back(old: WsSession, url: str, stats: Stats, page: str, until: float) -> WsSession:
    """A new session for a dropped one, tried every half second (the browser's retry)."""
    stats.disconnects += 1
    await old.close()
    while True:
        s = WsSession(url, stats.name)
        s.cookie = old.cookie
        try:
            await s.connect()
            r = await s.open(page, old.query)
            if not r.exceptions and r.charts:
                stats.back_after.append(time.monotonic() - old.closed_at)
                stats.worker = s.worker
                return s
        except Exception:  # noqa: BLE001  (not back yet)
            pass
        await s.close()
        if time.monotonic() > until:
            stats.error(f"not served again within {time.monotonic() - old.closed_at:.0f} s of the drop")
            s.closed = True
            return s
        await asyncio.sleep(0.5)


async def trainer_session(url: str, stats: Stats, page: str, window: Window) -> None:
    """Train ▶ on a training page; when the run is done, Reset ⟲ and Train ▶ again."""
    s = WsSession(url, stats.name)
    trainings = 0
    opened = False
    try:
        await s.connect()
        stats.worker = s.worker
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



@dataclass
class PageInfo:
    url_path: str
    part: str
    first_seconds: float
    training: bool
    controls: int
    mnist: bool
    plotly: bool = False  # draws Streamlit Plotly charts (what the Chromium student waits for)


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
                                len(s.movable()), "mnist" in source, r.plotly > 0))
    finally:
        await s.close()
    return out, errors



async def scenario(url: str, sessions: int, browsers: int, seconds: float, think, seed: int,
                   log: ServerLog, trainers: int = 1, hostile: int = 2, pages_filter: tuple[str, ...] = (),
                   *, reconnect: bool = False, workers=None, during=None) -> dict:
    """The whole run against ``url``. ``workers()``: {worker: pid} now (for RSS and CPU per
    worker); ``during(window)``: a coroutine run alongside the class (e.g. killing a worker)."""
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

    cpu0, wall0, load0 = cpu_seconds(log.pid), time.monotonic(), os.getloadavg()
    own0 = time.process_time()
    # ``during.opens``: slots of the window that ``during`` fills itself (a room: once it follows)
    window = Window(len(roles) + browsers + getattr(during, "opens", 0), seconds, url)
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
            tasks.append(slider_session(url, st_, page, query, window, random.Random(rng.random()), think,
                                        reconnect))
        stats.append(st_)
    from benchmarks.loadkit.runs import WorkerSampler

    sampler = WorkerSampler(workers or (lambda: {url.split("//")[-1]: log.pid} if log.pid else {}))
    side = [asyncio.create_task(sampler.run())]
    if during is not None:
        side.append(asyncio.create_task(during(window)))
    pw_cm = browser = None
    try:
        if browsers:
            from playwright.async_api import async_playwright

            pw_cm = async_playwright()
            pw = await pw_cm.__aenter__()
            browser = await launch(pw)
            drawn = sliding  # each waits for its charts, Streamlit's or the instrument's
            for j in range(browsers):
                page = drawn[j % len(drawn)].url_path
                st_ = Stats(f"br{j:02d}", "browser", "slider", page)
                tasks.append(browser_session(browser, url, st_, page, window, random.Random(rng.random()), think))
                stats.append(st_)
        await asyncio.gather(*tasks)
    finally:
        if browser is not None:
            await browser.close()
        if pw_cm is not None:
            await pw_cm.__aexit__(None, None, None)
        sampler.stop = True
        await side[0]
        during_result = await side[1] if len(side) > 1 else None
    wall = time.monotonic() - wall0
    cpu1 = cpu_seconds(log.pid)
    own = time.process_time() - own0

    errors = (discovery_errors + [e for s in stats for e in s.errors]
              + [f"server log: {ln}" for ln in log.errors()])
    moves = [x for s in stats if s.role != "trainer" for x in s.latencies]
    working = time.monotonic() - window.start if window.start else float("nan")
    groups = {}
    for kind, role in sorted({(s.kind, s.role) for s in stats}):
        group = [s for s in stats if s.kind == kind and s.role == role]
        groups[f"{kind}/{role}"] = {**summary([x for s in group for x in s.latencies]),
                                    "sessions": len(group), "held": sum(s.held for s in group),
                                    "errors": sum(len(s.errors) for s in group),
                                    "open": summary([s.open_seconds for s in group if s.open_seconds])}
    by_page = {}
    for p in sorted({s.page for s in stats if s.role != "trainer"}):
        group = [s for s in stats if s.page == p and s.role != "trainer"]
        by_page[p] = {**summary([x for s in group for x in s.latencies]), "sessions": len(group)}
    return {
        "sessions": len(stats), "browsers": browsers, "websockets": ws_count, "seconds": seconds,
        "think": tuple(think), "held": sum(s.held for s in stats), "errors": errors,
        "latency": summary(moves), "groups": groups, "by_page": by_page,
        "browser_before_run": summary([x for s in stats for x in s.before_run]),
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
        "per_worker": sampler.figures(stats), "during": during_result,
        "disconnects": sum(s.disconnects for s in stats),
        "back_after": summary([x for s in stats for x in s.back_after]),
        "per_session": [(s.name, s.kind, s.role, s.page, summary(s.latencies), len(s.errors), s.held)
                        for s in stats],
    }

"""Follow latency of a room: teacher's change → each follower's page shows it.

One teacher and N followers against the real app: ``--followers`` headless Chromium contexts and
``--ws-followers`` websocket sessions (``benchmarks/loadkit/follower.py``: real sessions that
answer the server's reruns and fetch the instrument's parts as the browser does, without drawing). The
teacher alternates between the book's presets on A2 (a change of settings) and a move to A3 and
back (a change of page); each follower's page watches, in the browser, for its link to show the
teacher's page and settings with the script finished and the instrument's sliders at the teacher's
values, and notes the time (the same machine's
clock as the teacher's click). Printed for both backends:

    room follow p95 <ms> ms, followers <n>, errors <n>, backend <name>

memory: one server process. redis: a redis-server on a free loopback port and two server
processes, as ``make serve WORKERS=2`` runs them: the teacher on the first, the followers spread
over both (the room's state crosses processes for half of them).
Run with `python -m benchmarks.rooms [--followers 8] [--changes 12] [--backend memory,redis]`.
The browsers share the server's 2 cores here; in a class they run on the students' laptops.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.server import chromium_missing_reason, launch_browser, open_page, redis_server, streamlit_server, wait_idle  # noqa: E402

#: A follower that has not shown a change after this long counts as an error.
TIMEOUT_S = 10.0

# Armed in each follower's page before the teacher acts: polls every 5 ms until the page's path
# and link show ``want``, Streamlit has finished the run and the instrument's sliders show the
# teacher's values (drawn with the new parts), then keeps the time.
WATCH = """(want) => {
  window.__gdSeen = null;
  const t = setInterval(() => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!location.pathname.endsWith("/" + want.path)) return;
    const q = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(want.query)) if (q.get(k) !== v) return;
    for (const k of want.absent) if (q.has(k)) return;
    if (!app || app.dataset.testScriptState !== "notRunning") return;
    // and the instrument's sliders show the teacher's values (its parts are in: drawn)
    for (const [k, v] of Object.entries(want.query)) {
      const s = document.querySelector(`.gdi-slider input[data-name="${k}"]`);
      const out = s && s.closest(".gdi-slider").querySelector("output");
      if (s && (!out || out.textContent !== v)) return;
    }
    window.__gdSeen = Date.now(); clearInterval(t);
  }, 5);
}"""


@contextlib.contextmanager
def env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def query_of(url: str) -> tuple[str, dict]:
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    q = {k: v[-1] for k, v in parse_qs(parts.query).items() if k not in ("room", "lecture")}
    return parts.path.rstrip("/").rsplit("/", 1)[-1], q


def settled(page, quiet_s: float = 1.0, most_s: float = 30.0) -> None:
    """Wait until ``page``'s script is idle and its link has not changed for ``quiet_s`` (a busy
    server answers a click in several runs: the link learnt must be the last one's)."""
    end = time.monotonic() + most_s
    last, since = None, time.monotonic()
    while time.monotonic() < end:
        wait_idle(page)
        if page.url != last:
            last, since = page.url, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.1)


def on_a2(page, timeout_ms: int = 30_000) -> bool:
    try:
        page.wait_for_function("() => location.pathname.endsWith('/A2_gradient_descent')", timeout=timeout_ms)
        return True
    except Exception:  # noqa: BLE001  (playwright's TimeoutError)
        return False


class WsFollowers:
    """``n`` websocket followers of room ``code``, on an event loop of their own (a thread)."""

    def __init__(self, urls: list[str], code: str, n: int) -> None:
        import asyncio
        import threading

        from benchmarks.loadkit.follower import join

        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.sessions = [asyncio.run_coroutine_threadsafe(join(urls[i % len(urls)], code, f"ws{i}"),
                                                          self.loop).result(60) for i in range(n)]

    def arm(self, want: dict) -> None:
        for f in self.sessions:
            f.seen_at, f.want = None, want

    def on(self, path: str) -> list:
        return [f for f in self.sessions if f.path == path and not f.closed]

    def close(self) -> None:
        import asyncio

        for f in self.sessions:
            asyncio.run_coroutine_threadsafe(f.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


def measure(teacher_url: str, follower_urls: list[str], followers: int, changes: int,
            ws_followers: int = 0) -> tuple[list[float], int]:
    from playwright.sync_api import sync_playwright

    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {"preset": [], "page": []}  # the same, by the teacher's action
    errors = 0
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        teacher = open_page(browser, f"{teacher_url}/A2_gradient_descent")
        side = teacher.locator("[data-testid='stSidebar']")
        side.get_by_role("button", name="Present to the room").click()
        label = side.get_by_text("Presenting · room").first
        label.wait_for(timeout=30_000)
        code = label.inner_text().split("room", 1)[1].strip()
        pages = []
        broken = []  # followers whose connection broke (a console error says so)
        for i in range(followers):
            p = open_page(browser, f"{follower_urls[i % len(follower_urls)]}/?room={code}", width=1280, height=800)
            p.on("console", lambda m, b=broken: b.append(m.text) if "disconnected" in m.text
                 or "Bad delta" in m.text else None)
            if os.environ.get("GDVIZ_BENCH_DEBUG"):
                i = len(pages)
                p.on("console", lambda m, i=i: print(f"console {i}: {m.type} {m.text[:200]}", file=sys.stderr))
                p.on("framenavigated", lambda f, i=i: print(f"nav {i}: {f.url[-80:]}", file=sys.stderr) if f.parent_frame is None else None)
            pages.append(p)
        pages = [p for p in pages if on_a2(p)]
        lost = followers - len(pages)  # followers that never arrived count as errors
        ws = WsFollowers(follower_urls, code, ws_followers) if ws_followers else None

        def act(kind: str, what: str) -> None:
            if kind == "preset":
                teacher.locator(f".st-key-preset_{what} button").first.click()
            else:
                side.locator("[data-testid='stPageLink-NavLink']").filter(has_text=what).first.click()

        # the teacher's link after each action, learnt once (presets set several settings)
        plan = [("preset", "stopping"), ("preset", "negative-reversal"), ("page", "A3 ·"),
                ("page", "A2 ·"), ("preset", "scaling"), ("preset", "gradient-descent")]
        wants = []
        for kind, what in plan:
            act(kind, what)
            settled(teacher)
            path, q = query_of(teacher.url)
            wants.append({"path": path, "query": q, "absent": []})
        for i, want in enumerate(wants):  # keys the previous state had and this one has not
            prev = wants[i - 1]["query"]
            want["absent"] = [k for k in prev if k not in want["query"]]
        still = [p for p in pages if on_a2(p)]  # everyone at the plan's last state before timing
        lost += len(pages) - len(still)
        pages = still
        time.sleep(1.5)
        socks = ws.on("A2_gradient_descent") if ws else []
        if ws and os.environ.get("GDVIZ_BENCH_DEBUG"):
            for f in ws.sessions:
                print(f"ws {f.name}: path {f.path!r} query {f.query} closed {f.closed} exceptions {f.exceptions[:1]}",
                      file=sys.stderr)
        lost += ws_followers - len(socks)

        for n in range(changes):
            kind, what = plan[n % len(plan)]
            want = wants[n % len(plan)]
            for p in pages:
                p.evaluate(WATCH, want)
            if ws:
                ws.arm(want)
            t0 = time.time() * 1000
            act(kind, what)
            deadline = time.monotonic() + TIMEOUT_S
            pending, waiting = list(pages), list(socks)
            while (pending or waiting) and time.monotonic() < deadline:
                for p in list(pending):
                    seen = p.evaluate("() => window.__gdSeen")
                    if seen:
                        latencies.append(seen - t0)
                        by_kind[kind].append(seen - t0)
                        pending.remove(p)
                for f in list(waiting):
                    if f.seen_at is not None:
                        latencies.append(f.seen_at - t0)
                        by_kind[kind].append(f.seen_at - t0)
                        waiting.remove(f)
                time.sleep(0.02)
            errors += len(pending) + len(waiting)
            if os.environ.get("GDVIZ_BENCH_DEBUG"):
                mine = sorted(round(x) for x in latencies[len(latencies) - (len(pages) + len(socks) - len(pending) - len(waiting)):])
                print(n, kind, what, want, "latencies", mine, "pending", [p.url for p in pending],
                      [(f.name, f.path, f.query) for f in waiting], file=sys.stderr)
            settled(teacher, quiet_s=0.5)
        browser.close()
        if ws:
            errors += sum(1 for f in socks if f.closed or f.exceptions)
            ws.close()
    if broken:
        print(f"  connection errors in the followers' consoles: {len(broken)}, e.g. {broken[0][:120]}",
              file=sys.stderr)
    if lost:
        print(f"  followers that did not follow before timing: {lost}", file=sys.stderr)
    return latencies, errors + lost * changes + (1 if broken else 0), by_kind


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def run(backend: str, followers: int, changes: int, ws_followers: int = 0) -> str:
    if backend == "memory":
        with env(GDVIZ_ROOMS="memory"), streamlit_server() as url:
            lat, errors, kinds = measure(url, [url], followers, changes, ws_followers)
    else:
        with redis_server() as rurl, env(GDVIZ_ROOMS=rurl), streamlit_server() as a, streamlit_server() as b:
            lat, errors, kinds = measure(a, [b, a], followers, changes, ws_followers)
    med = statistics.median(lat) if lat else float("nan")
    print(f"  ({backend}: {len(lat)} updates, median {med:.0f} ms, max {max(lat, default=float('nan')):.0f} ms; "
          + "; ".join(f"{what} p95 {p95(v):.0f} ms, median {statistics.median(v) if v else float('nan'):.0f} ms ({len(v)})"
                      for what, v in (("after a preset", kinds["preset"]), ("after a page change", kinds["page"])))
          + ")", file=sys.stderr)
    return (f"room follow p95 {p95(lat):.0f} ms, followers {followers + ws_followers}, errors {errors}, "
            f"backend {backend}" + (f" ({followers} Chromium, {ws_followers} websocket)" if ws_followers else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.rooms", description=__doc__.split("\n\n")[0])
    ap.add_argument("--followers", type=int, default=8, help="Chromium followers (default 8)")
    ap.add_argument("--changes", type=int, default=12, help="teacher changes timed (default 12)")
    ap.add_argument("--ws-followers", type=int, default=0, help="websocket followers besides (default 0)")
    ap.add_argument("--backend", default="memory,redis", help="memory, redis or both (default)")
    a = ap.parse_args(argv)
    if not 1 <= a.followers <= 40 or not 1 <= a.changes <= 200 or not 0 <= a.ws_followers <= 200:
        ap.error("--followers must be 1–40, --ws-followers 0–200 and --changes 1–200")
    reason = chromium_missing_reason()
    if reason:
        print(f"room follow: skipped ({reason})")
        return 0
    ok = True
    for backend in [b.strip() for b in a.backend.split(",") if b.strip()]:
        if backend not in ("memory", "redis"):
            ap.error(f"unknown backend {backend!r}")
        try:
            line = run(backend, a.followers, a.changes, a.ws_followers)
        except RuntimeError as e:
            line = f"room follow: backend {backend} skipped ({e})"
        print(line, flush=True)
        ok = ok and "errors 0," in line
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

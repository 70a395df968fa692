"""Follow latency of a room: teacher's change → each follower's page shows it.

One teacher and N followers, each a headless Chromium context, against the real app. The
teacher alternates between the book's presets on A2 (a change of settings) and a move to A3 and
back (a change of page); each follower's page watches, in the browser, for its link to show the
teacher's page and settings with the script finished, and notes the time (the same machine's
clock as the teacher's click). Printed for both backends:

    room follow p95 <ms> ms, followers <n>, errors <n>, backend <name>

memory: one server process. redis: a redis-server on a free loopback port and two server
processes, the teacher on one and the followers on the other (the state crosses processes).
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
# and link show ``want`` and Streamlit has finished the run, then keeps the time.
WATCH = """(want) => {
  window.__gdSeen = null;
  const t = setInterval(() => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!location.pathname.endsWith("/" + want.path)) return;
    const q = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(want.query)) if (q.get(k) !== v) return;
    for (const k of want.absent) if (q.has(k)) return;
    if (!app || app.dataset.testScriptState !== "notRunning") return;
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


def on_a2(page, timeout_ms: int = 30_000) -> bool:
    try:
        page.wait_for_function("() => location.pathname.endsWith('/A2_gradient_descent')", timeout=timeout_ms)
        return True
    except Exception:  # noqa: BLE001  (playwright's TimeoutError)
        return False


def measure(teacher_url: str, follower_url: str, followers: int, changes: int) -> tuple[list[float], int]:
    from playwright.sync_api import sync_playwright

    latencies: list[float] = []
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
        for _ in range(followers):
            p = open_page(browser, f"{follower_url}/?room={code}", width=1280, height=800)
            p.on("console", lambda m, b=broken: b.append(m.text) if "disconnected" in m.text
                 or "Bad delta" in m.text else None)
            if os.environ.get("GDVIZ_BENCH_DEBUG"):
                i = len(pages)
                p.on("console", lambda m, i=i: print(f"console {i}: {m.type} {m.text[:200]}", file=sys.stderr))
                p.on("framenavigated", lambda f, i=i: print(f"nav {i}: {f.url[-80:]}", file=sys.stderr) if f.parent_frame is None else None)
            pages.append(p)
        pages = [p for p in pages if on_a2(p)]
        lost = followers - len(pages)  # followers that never arrived count as errors

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
            teacher.wait_for_timeout(600)
            wait_idle(teacher)
            path, q = query_of(teacher.url)
            wants.append({"path": path, "query": q, "absent": []})
        for i, want in enumerate(wants):  # keys the previous state had and this one has not
            prev = wants[i - 1]["query"]
            want["absent"] = [k for k in prev if k not in want["query"]]
        still = [p for p in pages if on_a2(p)]  # everyone at the plan's last state before timing
        lost += len(pages) - len(still)
        pages = still
        time.sleep(1.5)

        for n in range(changes):
            kind, what = plan[n % len(plan)]
            want = wants[n % len(plan)]
            for p in pages:
                p.evaluate(WATCH, want)
            t0 = time.time() * 1000
            act(kind, what)
            deadline = time.monotonic() + TIMEOUT_S
            pending = list(pages)
            while pending and time.monotonic() < deadline:
                for p in list(pending):
                    seen = p.evaluate("() => window.__gdSeen")
                    if seen:
                        latencies.append(seen - t0)
                        pending.remove(p)
                time.sleep(0.02)
            errors += len(pending)
            if os.environ.get("GDVIZ_BENCH_DEBUG"):
                print(n, kind, what, [round(x) for x in latencies[-len(pages):]],
                      [p.url for p in pending], file=sys.stderr)
            wait_idle(teacher)
            time.sleep(0.3)
        browser.close()
    if broken:
        print(f"  connection errors in the followers' consoles: {len(broken)}, e.g. {broken[0][:120]}",
              file=sys.stderr)
    if lost:
        print(f"  followers that did not follow before timing: {lost}", file=sys.stderr)
    return latencies, errors + lost * changes + (1 if broken else 0)


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def run(backend: str, followers: int, changes: int) -> str:
    if backend == "memory":
        with env(GDVIZ_ROOMS="memory"), streamlit_server() as url:
            lat, errors = measure(url, url, followers, changes)
    else:
        with redis_server() as rurl, env(GDVIZ_ROOMS=rurl), streamlit_server() as a, streamlit_server() as b:
            lat, errors = measure(a, b, followers, changes)
    med = statistics.median(lat) if lat else float("nan")
    print(f"  ({backend}: {len(lat)} updates, median {med:.0f} ms, max {max(lat, default=float('nan')):.0f} ms)",
          file=sys.stderr)
    return f"room follow p95 {p95(lat):.0f} ms, followers {followers}, errors {errors}, backend {backend}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.rooms", description=__doc__.split("\n\n")[0])
    ap.add_argument("--followers", type=int, default=8, help="Chromium followers (default 8)")
    ap.add_argument("--changes", type=int, default=12, help="teacher changes timed (default 12)")
    ap.add_argument("--backend", default="memory,redis", help="memory, redis or both (default)")
    a = ap.parse_args(argv)
    if not 1 <= a.followers <= 40 or not 1 <= a.changes <= 200:
        ap.error("--followers must be 1–40 and --changes 1–200")
    reason = chromium_missing_reason()
    if reason:
        print(f"room follow: skipped ({reason})")
        return 0
    ok = True
    for backend in [b.strip() for b in a.backend.split(",") if b.strip()]:
        if backend not in ("memory", "redis"):
            ap.error(f"unknown backend {backend!r}")
        try:
            line = run(backend, a.followers, a.changes)
        except RuntimeError as e:
            line = f"room follow: backend {backend} skipped ({e})"
        print(line, flush=True)
        ok = ok and "errors 0," in line
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

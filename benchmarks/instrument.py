"""The lesson instrument in headless Chromium, on each live page's default setting (`make bench`).

* drag → painted frame: a live slider's value set and its ``input`` event sent, 60 times; the
  time until the second animation frame after it (the browser has painted by then);
* Play at 60 frames a second: painted frames per second, blank frames (a chart with no data),
  server reruns during Play and during a drag, reruns per release;
* payload per page (gzip, as websocket compression sends it) and its computation (the committed
  run and the grid previews, each computed afresh);
* before/after: the app before the instrument (``BEFORE``, checked out into a temporary
  worktree): release → chart latency and Play frames per second.

Goals (issue 13): drag p95 ≤ 33 ms on A2 and ≤ 50 ms on the heaviest page, Play ≥ 50 fps with 0
blank frames and 0 reruns, 1 rerun per release, ≤ 300 KB gzipped, grid ≤ 50 ms per rerun.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: The last commit before the lesson instrument (Play on a server timer, sliders on release).
BEFORE = "0526205"

DRAG = """async (n) => {
  const s = document.querySelector('.gdi-slider input'); const max = Number(s.max);
  const start = Number(s.value); const out = [];
  for (let k = 1; k <= n; k++) {
    const v = (start + k) % (max + 1);
    const t0 = performance.now();
    s.value = v; s.dispatchEvent(new Event('input', {bubbles: true}));
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    out.push(performance.now() - t0);
  }
  s.value = start; s.dispatchEvent(new Event('input', {bubbles: true}));
  return out; }"""

PLAY = """async (seconds) => {
  const r = document.querySelector('.gdi'); const sel = r.querySelector('.gdi-speed');
  sel.value = '60'; sel.dispatchEvent(new Event('change'));
  r.querySelector('.gdi-btn.gdi-primary').click();
  let painted = 0, blank = 0, last = r.getAttribute('data-frame'); const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 && r.getAttribute('data-playing') === 'true') {
    await new Promise(res => requestAnimationFrame(res));
    const f = r.getAttribute('data-frame');
    if (f !== last) { painted++; last = f; }
    for (const gd of r.querySelectorAll('.gdi-chart'))
      if (!gd.data || !gd.data.some(t => (t.x && t.x.length) || (t.z && t.z.length))) blank++;
  }
  const dt = (performance.now() - t0) / 1000;
  if (r.getAttribute('data-playing') === 'true') r.querySelector('.gdi-btn.gdi-primary').click();
  return {fps: painted / dt, painted, blank, seconds: dt}; }"""


def pct(v: list[float], q: float) -> float:
    v = sorted(v)
    k = (len(v) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def live_pages():
    from gdviz.ui.nav import lesson_pages  # noqa: PLC0415

    return [p for p in lesson_pages() if "instrument.show(" in (ROOT / p.relpath).read_text()]


def payload_rows() -> list[tuple[str, ...]]:
    """Each live page's payload under AppTest: gzip size, and its parts computed afresh."""
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415

    from gdviz.ui import instrument  # noqa: PLC0415

    rows = []
    timings = {}
    real = instrument._base_json, instrument._grids_json

    def timed(name, fn):
        def wrap(*a, **k):
            t = time.perf_counter()
            out = fn(*a, **k)
            timings[name] = (time.perf_counter() - t) * 1e3
            return out
        return wrap

    instrument._base_json, instrument._grids_json = timed("base", real[0]), timed("grids", real[1])
    try:
        for lp in live_pages():
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.run()
            at.switch_page(lp.relpath).run()
            comps = at.get("bidi_component")
            if not comps:
                rows.append((lp.url_path, "no instrument", "", "", ""))
                continue
            raw = comps[0].proto.json
            text = json.loads(raw) if raw.startswith('"') else raw
            gz = len(gzip.compress(text.encode(), 6)) / 1024
            g = timings.get("grids", float("nan"))
            rows.append((lp.url_path, f"{len(text) / 1024:,.0f} KB", f"{gz:,.0f} KB" + (" (over 300)" if gz > 300 else ""),
                         f"{timings.get('base', float('nan')):,.0f} ms", f"{g:,.0f} ms" + (" (over 50)" if g > 50 else "")))
            timings.clear()
    finally:
        instrument._base_json, instrument._grids_json = real
    return rows


def browser_rows(url: str, browser) -> list[tuple[str, ...]]:
    from tests.server import open_page  # noqa: PLC0415

    rows = []
    for lp in live_pages():
        page = open_page(browser, f"{url}/{lp.url_path}", width=1600, height=1000)
        try:
            page.evaluate("""() => { window.__gdRuns = 0; const app = document.querySelector('[data-testid="stApp"]');
              new MutationObserver(() => { if (app.getAttribute('data-test-script-state') === 'running') window.__gdRuns++; })
                .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }""")
            drag = page.evaluate(DRAG, 60)
            runs_drag = page.evaluate("() => window.__gdRuns")
            play = page.evaluate(PLAY, 3)
            runs_play = page.evaluate("() => window.__gdRuns") - runs_drag
            rows.append((lp.url_path, f"p50 {statistics.median(drag):.1f} ms, p95 {pct(drag, 95):.1f} ms",
                         f"{play['fps']:.0f} fps ({play['painted']} frames)", str(play["blank"]),
                         f"{runs_drag} / {runs_play}"))
        finally:
            page.context.close()
    return rows


def release_rows(url: str, browser, before: bool) -> list[tuple[str, ...]]:
    """A2: release → the chart redrawn (ms), and Play's frames per second."""
    from tests.server import open_page, wait_idle  # noqa: PLC0415

    page = open_page(browser, f"{url}/A2_gradient_descent", width=1600, height=1000)
    try:
        lat = []
        for k in range(6):
            if before:  # the old page: Streamlit's own slider, the chart a server rerun later
                thumb = page.locator("[data-testid='stSlider'] [role='slider']").first
                thumb.focus()
                t0 = page.evaluate("() => { window.__svg = document.querySelector('[data-testid=stPlotlyChart] .main-svg').outerHTML.length; return performance.now(); }")
                page.keyboard.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
                page.wait_for_function("() => document.querySelector('[data-testid=stPlotlyChart] .main-svg').outerHTML.length !== window.__svg", timeout=15000)
                lat.append(page.evaluate("() => performance.now()") - t0)
            else:
                s = page.locator(".gdi-slider input").first
                s.focus()
                t0 = page.evaluate("() => performance.now()")
                page.keyboard.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
                page.wait_for_function("() => document.querySelector('.gdi').getAttribute('data-variant') !== 'base'",
                                       polling="raf", timeout=5000)
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                lat.append(page.evaluate("() => performance.now()") - t0)
            wait_idle(page)
        if before:
            page.get_by_role("button", name="Play ▶").click()
            t0 = time.perf_counter()
            seen = set()
            while time.perf_counter() - t0 < 4:
                seen.add(page.evaluate("() => [...document.querySelectorAll('[data-testid=stSliderThumbValue]')].map(e => e.innerText).join()"))
                page.wait_for_timeout(16)
            fps = len(seen) / (time.perf_counter() - t0)
        else:
            fps = page.evaluate(PLAY, 3)["fps"]
        return [("before (server reruns)" if before else "now (lesson instrument)",
                 f"p50 {statistics.median(lat):.0f} ms, max {max(lat):.0f} ms", f"{fps:.1f} fps")]
    finally:
        page.context.close()


@contextlib.contextmanager
def before_checkout():
    """The app at :data:`BEFORE` in a temporary worktree (its own files, this venv)."""
    tmp = Path(tempfile.mkdtemp(prefix="gdviz-before-"))
    try:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tmp / "wt"), BEFORE],
                       check=True, capture_output=True)
        yield tmp / "wt"
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tmp / "wt")], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def server_at(root: Path):
    from tests.server import free_port  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(root / "app.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    from benchmarks import table  # noqa: PLC0415
    from tests.server import chromium_missing_reason, launch_browser  # noqa: PLC0415

    table("Lesson instrument: payload per live page (AppTest; computed afresh)",
          ("page", "JSON", "gzipped (goal ≤ 300 KB)", "committed run", "grid previews (goal ≤ 50 ms)"), payload_rows())
    reason = chromium_missing_reason()
    if reason:
        print(f"\n(browser figures skipped: {reason})")
        return
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        with server_at(ROOT) as url:
            table("Lesson instrument in Chromium (1600×1000, default setting)",
                  ("page", "drag → painted (60 input events)", "Play at 60/s", "blank frames", "reruns drag / Play"),
                  browser_rows(url, browser))
            now = release_rows(url, browser, before=False)
        rows = []
        try:
            with before_checkout() as old, server_at(old) as url_old:
                rows = release_rows(url_old, browser, before=True)
        except Exception as err:  # noqa: BLE001  (the old checkout is a comparison, not the point)
            rows = [("before", f"could not be measured: {err}", "")]
        table("A2 before and after: a slider change → the chart, and Play",
              ("app", "key press on a slider → chart redrawn", "Play"), rows + now)
        browser.close()


if __name__ == "__main__":
    main()

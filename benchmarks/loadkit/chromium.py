"""A student in headless Chromium (Playwright, Debian's /usr/bin/chromium): a slider moved with the
keyboard, timed by the page's own clock from the key press until the page is redrawn.

On a stepped lesson the slider is one of the lesson instrument's live sliders: the charts follow it
in the browser at once, and the time measured is until the released value has been run by the
server (one rerun) and the instrument drawn from it."""

from __future__ import annotations

import asyncio
import random
import time
from typing import TYPE_CHECKING

from benchmarks.loadkit.client import RUN_TIMEOUT
from tests.server import CHROMIUM, CHROMIUM_ARGS, READY, chromium_missing_reason  # noqa: F401 (one definition)

if TYPE_CHECKING:
    from benchmarks.loadkit.scenario import Stats, Window


async def launch(playwright):
    return await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


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
    if (w.key && ms.some(m => m.target.closest && m.target.closest('[data-testid="stPlotlyChart"], .gdi'))) {
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
  if (w.running && w.idle && (w.chart || document.querySelector('.gdi'))) {  // the instrument may not change
    if (now - Math.max(w.idle, w.chart) < 150) return null;
    return [w.key, w.running, w.idle, w.chart];
  }
  if (!w.running && w.drawn && now - w.drawn >= 500) return [w.key, null, w.drawn, w.drawn];
  return null;
}"""


#: The sliders a student moves: the lesson instrument's live ones where the page has them.
SLIDERS = ("[data-testid='stMain'] .gdi-slider input[type='range'], "
           "[data-testid='stMain'] [data-testid='stSlider'] input[type='range']")


async def browser_session(browser, url: str, stats: Stats, page_name: str, window: Window,
                          rng: random.Random, think: tuple[float, float]) -> None:
    """A student in Chromium: a slider moved with the keyboard, timed until the page is redrawn."""
    opened = False
    context = page = None
    try:
        context = await browser.new_context(viewport={"width": 1280, "height": 800})
        page = await context.new_page()
        t0 = time.perf_counter()
        response = await page.goto(f"{url}/{page_name}", timeout=RUN_TIMEOUT * 1000)
        stats.worker = (response.headers.get("x-gdviz-worker") if response else None) or url.split("//")[-1]
        await page.wait_for_selector(READY, timeout=RUN_TIMEOUT * 1000)
        await page.wait_for_selector("[data-testid='stMain'] .main-svg", timeout=RUN_TIMEOUT * 1000)
        stats.open_seconds = time.perf_counter() - t0
        await page.evaluate(_WATCH)
        window.opened()
        opened = True
        until = await window.begin()
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= until:
                break
            sliders = page.locator(SLIDERS)
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
                    "e => (e.closest('[data-testid=stSlider], .gdi-slider') || e).innerText.split('\\n')[0]")
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



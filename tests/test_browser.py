"""Every page in headless Chromium against the real server: it loads, draws its charts, shows
no exception and no "page not found"; a screenshot of each is saved (normal and lecture mode)
under artifacts/screenshots. Skips with a reason only where Chromium is absent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fixtures import browser, server  # noqa: F401 (fixtures)
from tests.server import chromium_missing_reason, open_page, wait_idle

reason = chromium_missing_reason()
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")

from gdviz.ui.nav import ROOT, lesson_pages  # noqa: E402

SHOTS = ROOT / "artifacts" / "screenshots"
PAGES = [""] + [p.url_path for p in lesson_pages()]


@pytest.mark.parametrize("mode", ["normal", "lecture"])
@pytest.mark.parametrize("path", PAGES)
def test_page_loads_in_chromium(server, browser, path, mode):
    lecture = mode == "lecture"
    size = (1920, 1080) if lecture else (1440, 900)
    page = open_page(browser, f"{server}/{path}{'?lecture=true' if lecture else ''}", width=size[0], height=size[1])
    try:
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_text("Page not found").count() == 0
        assert page.locator("[data-testid='stSidebar']").get_by_text("Lecture mode").count() == 1
        if path:
            assert page.locator("[data-testid='stPlotlyChart'] .main-svg, .gdi-chart .main-svg").count() >= 1
        if lecture:
            assert page.locator("[data-testid='stSidebar'] input[type='checkbox']").first.is_checked()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{path or 'home'}-{mode}.png"))
    finally:
        page.context.close()


INSTRUMENT_PAGES = [p.url_path for p in lesson_pages() if "instrument.show(" in (ROOT / p.relpath).read_text()]

#: Counts the page's script runs from now on (Streamlit marks each on the app's element).
COUNT_RERUNS = """() => { window.__gdRuns = 0; const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => { if (app.getAttribute('data-test-script-state') === 'running') window.__gdRuns++; })
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""

#: What the first chart draws: the data of every trace (to see it change) and whether any has points.
CHART_DATA = """() => { const gd = document.querySelector('.gdi-chart');
  return JSON.stringify(gd.data.map(t => [t.x, t.y, t.z])); }"""


def _state(page) -> dict:
    return page.evaluate("""() => { const r = document.querySelector('.gdi');
      return {frame: Number(r.getAttribute('data-frame')), variant: r.getAttribute('data-variant'),
              playing: r.getAttribute('data-playing') === 'true',
              arith: (document.querySelector('.gdi-arith') || {}).innerText || '',
              metrics: [...document.querySelectorAll('.gdi-metric-value')].map(e => e.textContent).join('|')}; }""")


def _drag_slider(page, k: int = 0, to: float = 0.85):
    """Press on live slider ``k``'s thumb and drag it toward ``to`` of its width (or 0.15 when
    the thumb is already near ``to``), mouse still down."""
    s = page.locator(".gdi-slider input").nth(k)
    box = s.bounding_box()
    lo, hi = float(s.get_attribute("min")), float(s.get_attribute("max"))
    at = (float(s.input_value()) - lo) / ((hi - lo) or 1)
    y = box["y"] + box["height"] / 2
    x0 = box["x"] + 8 + (box["width"] - 16) * at
    page.mouse.move(x0, y)
    page.mouse.down()
    target = to if abs(to - at) > 0.2 else 0.15
    for j in range(1, 9):
        page.mouse.move(x0 + (box["x"] + box["width"] * target - x0) * j / 8, y)
        page.wait_for_timeout(30)
    return s


def _drag_first_slider(page, to: float = 0.85):
    return _drag_slider(page, 0, to)


@pytest.mark.parametrize("path", INSTRUMENT_PAGES)
def test_a_drag_redraws_before_release_and_commits_once(server, browser, path):
    """Mid-drag the charts, metrics and arithmetic already show the dragged value's run, with
    no server rerun; releasing commits it: exactly one rerun, and the value is in the link."""
    page = open_page(browser, f"{server}/{path}", width=1600, height=1000)
    try:
        before, data0 = _state(page), page.evaluate(CHART_DATA)
        page.evaluate(COUNT_RERUNS)
        s = _drag_first_slider(page)
        mid, data1 = _state(page), page.evaluate(CHART_DATA)
        assert mid["variant"] != "base", "the dragged value's run is shown"
        assert data1 != data0 or mid["metrics"] != before["metrics"] or mid["arith"] != before["arith"]
        assert page.evaluate("() => window.__gdRuns") == 0, "no rerun while dragging"
        assert s.get_attribute("data-name") not in page.url
        page.mouse.up()
        name = s.get_attribute("data-name")
        page.wait_for_function("n => location.search.includes(n + '=')", arg=name, timeout=15_000)
        wait_idle(page)
        page.wait_for_timeout(600)
        assert page.evaluate("() => window.__gdRuns") == 1, "exactly one rerun per release"
        after = _state(page)
        assert after["variant"] == "base" and after["metrics"] == mid["metrics"] and after["arith"] == mid["arith"]
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        page.context.close()


def test_after_a_release_another_slider_gets_its_previews_when_the_pointer_reaches_it(server, browser):
    """Once a slider has been let go, the payload carries previews for the sliders being moved
    only: the pointer reaching another slider asks for its previews (one rerun, nothing changed),
    and a drag already under way when they arrive goes on, now with the dragged value's run."""
    page = open_page(browser, f"{server}/A2_gradient_descent", width=1600, height=1000)
    try:
        _drag_slider(page, 0, 0.8)
        page.mouse.up()
        page.wait_for_function("() => location.search.includes('weight=')", timeout=15_000)
        wait_idle(page)
        url = page.url
        page.evaluate(COUNT_RERUNS)
        # pressed and dragged at once: the previews arrive while the drag goes on
        s = _drag_slider(page, 2, 0.2)
        dragged = s.input_value()
        page.wait_for_function("() => window.__gdRuns >= 1", timeout=15_000)
        page.wait_for_function("() => document.querySelector('.gdi').getAttribute('data-variant') !== 'base'",
                               timeout=15_000)
        assert s.input_value() == dragged, "the answer did not move the slider under the finger"
        assert page.url == url, "asking for previews changed no setting"
        mid = _state(page)
        page.mouse.up()
        page.wait_for_function("() => location.search.includes('goal_pred=')", timeout=15_000)
        wait_idle(page)
        page.wait_for_timeout(600)
        after = _state(page)
        assert after["variant"] == "base" and after["metrics"] == mid["metrics"] and after["arith"] == mid["arith"]
        assert page.evaluate("() => window.__gdRuns") == 2, "one rerun for the previews, one for the release"
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        page.context.close()


@pytest.mark.parametrize("path", INSTRUMENT_PAGES)
def test_play_runs_in_the_browser_without_a_blank_frame(server, browser, path):
    """Play advances frame by frame with no server rerun, and no frame shows a chart without data."""
    page = open_page(browser, f"{server}/{path}", width=1600, height=1000)
    try:
        page.evaluate(COUNT_RERUNS)
        page.evaluate("""() => { window.__gdBlank = 0; window.__gdFrames = new Set(); const tick = () => {
            const r = document.querySelector('.gdi'); if (!r) return;
            window.__gdFrames.add(r.getAttribute('data-frame'));
            for (const gd of document.querySelectorAll('.gdi-chart'))
              if (!gd.data || !gd.data.some(t => (t.x && t.x.length) || (t.z && t.z.length) || (t.values && t.values.length)))
                window.__gdBlank++;
            if (r.getAttribute('data-playing') === 'true' || !window.__gdStarted) requestAnimationFrame(tick); };
          requestAnimationFrame(tick); }""")
        page.locator(".gdi-btn.gdi-primary").click()
        page.evaluate("() => { window.__gdStarted = true; }")
        page.wait_for_function("() => document.querySelectorAll('.gdi')[0].getAttribute('data-frame') >= 3", timeout=15_000)
        page.wait_for_timeout(500)
        assert page.evaluate("() => window.__gdRuns") == 0, "Play reruns nothing on the server"
        assert page.evaluate("() => window.__gdBlank") == 0, "no blank frame"
        assert page.evaluate("() => window.__gdFrames.size") >= 3
    finally:
        page.context.close()


def test_keys_drive_the_player_and_the_link_keeps_the_iteration(server, browser):
    """Space plays and pauses, → and ← step; the iteration under the cursor goes into the link,
    and that link opens at that iteration with the same numbers."""
    page = open_page(browser, f"{server}/A2_gradient_descent?weight=0.0&input=1.1", width=1600, height=1000)
    try:
        page.locator("h2, h1").first.click()
        assert _state(page)["frame"] == 1
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowRight")
        assert _state(page)["frame"] == 3
        page.wait_for_function("() => location.search.includes('iteration=3')", timeout=10_000)
        wait_idle(page)
        arith = _state(page)["arith"]
        page.keyboard.press(" ")
        page.wait_for_function("() => document.querySelector('.gdi').getAttribute('data-playing') === 'true'")
        page.wait_for_timeout(600)
        page.keyboard.press(" ")
        assert not _state(page)["playing"] and _state(page)["frame"] > 3
        url = page.url.replace(re.search(r"iteration=\d+", page.url).group(0), "iteration=3")
        again = open_page(browser, url, width=1600, height=1000)
        try:
            assert _state(again)["frame"] == 3 and _state(again)["arith"] == arith
        finally:
            again.context.close()
    finally:
        page.context.close()


def test_pictures_and_animations_for_slides(server, browser, tmp_path):
    """Each chart's toolbar saves a PNG of the chart's size (twice the pixels, for a slide);
    the run downloads as an animated GIF with one frame per iteration, first and last different."""
    from PIL import Image, ImageChops  # noqa: PLC0415

    page = open_page(browser, f"{server}/A2_gradient_descent?lecture=true", width=1600, height=1000)
    try:
        chart = page.locator(".gdi-chart").first
        box = chart.bounding_box()
        chart.hover()
        with page.expect_download(timeout=60_000) as dl:
            chart.locator(".modebar-btn[data-title='Save as PNG (for a slide)']").click()
        png = Image.open(dl.value.path())
        assert png.format == "PNG" and abs(png.size[0] - 2 * box["width"]) <= 4 and abs(png.size[1] - 2 * box["height"]) <= 4
        with page.expect_download(timeout=60_000) as dl:
            chart.locator(".modebar-btn[data-title='Save as SVG (for a slide)']").click()
        assert "<svg" in Path(dl.value.path()).read_text()[:400]
        with page.expect_download(timeout=180_000) as dl:
            page.locator(".gdi-gif").click()
        gif = Image.open(dl.value.path())
        assert gif.format == "GIF" and gif.size == (960, 540) and gif.n_frames == 20
        gif.seek(0)
        first = gif.convert("RGB")
        gif.seek(gif.n_frames - 1)
        assert ImageChops.difference(first, gif.convert("RGB")).getbbox() is not None
    finally:
        page.context.close()


def test_another_lesson_opens_with_its_own_settings(server, browser):
    """Move A2's sliders, then open A3 from the sidebar: A3 has its own defaults (input 2, so it
    diverges as its title promises); Back returns to A2 with A2's moved setting."""
    page = open_page(browser, f"{server}/A2_gradient_descent", width=1600, height=1000)
    try:
        page.locator(".gdi-slider input[data-name='input']").focus()
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => location.search.includes('input=')", timeout=10_000)
        wait_idle(page)
        moved = page.url
        page.locator("[data-testid='stSidebar']").get_by_text("A3 · Divergence").click()
        page.wait_for_url(re.compile(r".*/A3_divergence_and_alpha.*"))
        wait_idle(page)
        value = page.locator(".gdi-slider input[data-name='input']").evaluate("e => e.closest('.gdi-slider').querySelector('output').textContent")
        assert value == "2.0"
        assert "input=" not in page.url
        page.go_back()
        page.wait_for_url(moved)
        wait_idle(page)
        assert page.locator(".gdi-slider input[data-name='input']").evaluate("e => e.closest('.gdi-slider').querySelector('output').textContent") == "0.45"
    finally:
        page.context.close()


def test_a_shared_link_opens_the_exact_setting_and_bad_values_get_a_notice(server, browser):
    page = open_page(browser, f"{server}/A3_divergence_and_alpha?input=2&alpha=0.1&weight=zzz")
    try:
        body = page.locator("[data-testid='stMain']").inner_text()
        assert "weight" in body and "ignored" in body
        assert "Diverged" not in body
        page.get_by_role("button", name="Book: input 2, alpha 1").click()
        wait_idle(page)
        page.wait_for_function("() => location.search.includes('alpha') === false || location.search.includes('alpha=1')")
    finally:
        page.context.close()


def test_lecture_mode_follows_to_another_page(server, browser):
    """A lecture link opens with the sidebar closed (the lesson fills the projector); opened by
    hand, its lesson links keep lecture mode, and the next lesson opens closed and large again."""
    page = open_page(browser, f"{server}/A1_hot_and_cold?lecture=true")
    try:
        assert page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "true"
        page.locator("[data-testid='stExpandSidebarButton']").click()
        page.locator("[data-testid='stSidebar']").get_by_text("A2 · Gradient descent").click()
        page.wait_for_url(re.compile(r".*/A2_gradient_descent.*lecture=true.*"))
        wait_idle(page)
        assert page.locator("[data-testid='stSidebar'] input[type='checkbox']").first.is_checked()
        heading = page.locator("[data-testid='stMain'] h2").first
        assert "A2" in heading.inner_text()
        assert heading.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") > 30
    finally:
        page.context.close()


def test_a_drawn_digit_is_scored(server, browser):
    """Draw a "1" on B5's canvas with the mouse: the page prepares it like MNIST and scores it."""
    page = open_page(browser, f"{server}/B5_what_the_weights_learn", height=1600)
    try:
        page.get_by_text("draw your own").click()
        wait_idle(page)
        canvas = page.locator("canvas.upper-canvas").first
        canvas.wait_for(timeout=30_000)
        canvas.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)  # the canvas wires its mouse handlers after it is drawn
        box = canvas.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + 30
        page.mouse.move(x, y)
        page.wait_for_timeout(200)
        page.mouse.down()
        for k in range(1, 21):
            page.mouse.move(x + k * 0.5, y + k * (box["height"] - 60) / 20, steps=2)
        page.mouse.up()
        page.wait_for_timeout(2000)
        wait_idle(page)
        assert page.get_by_text("your drawing").count() >= 1, "the drawing was scored"
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_text("ten scores").count() >= 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "B5-drawn-digit.png"), full_page=True)
    finally:
        page.context.close()


TRAINING_PAGES = [p.url_path for p in lesson_pages() if "trainer.trainer(" in (ROOT / p.relpath).read_text()]


def _progress(page) -> str:
    return page.locator("[data-testid='stProgress']").first.inner_text()


@pytest.mark.parametrize("path", TRAINING_PAGES)
def test_training_grows_live_pauses_and_resumes(server, browser, path):
    """Train ▶ trains in the background of the page: the progress text moves on while the
    page stays interactive; Pause stops it where it is."""
    page = open_page(browser, f"{server}/{path}")
    try:
        assert "press Train" in _progress(page)
        page.get_by_role("button", name="Train ▶").click()
        page.get_by_role("button", name="Pause ❚❚").wait_for(timeout=30_000)
        page.wait_for_function(
            """() => { const t = document.querySelector('[data-testid="stProgress"]').innerText;
                       const m = t.match(/(\\d+) of/); return m && Number(m[1]) >= 2; }""", timeout=60_000)
        page.get_by_role("button", name="Pause ❚❚").click()
        page.get_by_role("button", name="Train ▶").wait_for(timeout=30_000)
        wait_idle(page)
        paused = _progress(page)
        page.wait_for_timeout(1500)
        assert _progress(page) == paused, "Pause stops the training"
        assert "paused" in paused
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("[data-testid='stPlotlyChart'] .main-svg").count() >= 1
    finally:
        page.context.close()

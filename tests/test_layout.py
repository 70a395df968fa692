"""Every page at the sizes it is used at, in headless Chromium (the shared harness finds the pages):
a 1280×720 projector in lecture mode, a 1280×800 laptop, a 390×844 phone and a 1600×1000 screen.

On each: no text in the main area is cut (an element wider than its box that hides the rest or
ends in "…"), nothing overflows the main area or the arithmetic sideways, no two pieces of chart
text (titles, axis titles, tick labels, annotations, legend entries) overlap, the sidebar is
closed in lecture mode and on the phone, and on the projector a chart starts within the first
screen. Screenshots of each go to artifacts/screenshots/layout/ to be looked at.
"""

from __future__ import annotations

import pytest

from tests.fixtures import browser, server  # noqa: F401 (fixtures)
from tests.server import chromium_missing_reason, open_page

reason = chromium_missing_reason()
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")

from gdviz.ui.nav import ROOT, lesson_pages  # noqa: E402

SHOTS = ROOT / "artifacts" / "screenshots" / "layout"
PAGES = [""] + [p.url_path for p in lesson_pages()]
SIZES = {"projector": (1280, 720, True), "laptop": (1280, 800, False), "phone": (390, 844, False),
         "desktop": (1600, 1000, False)}

#: Text cut off: an element whose content is wider than its box and that hides the rest.
TRUNCATED = """() => {
  const main = document.querySelector('[data-testid="stMain"]'); const out = [];
  for (const e of main.querySelectorAll('*')) {
    if (e.closest('svg, .modebar, [data-testid="stCode"], pre, code, .js-plotly-plot .plot-container') ) continue;
    if (!e.childNodes.length || ![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    const hides = cs.overflowX === 'hidden' || cs.overflow === 'hidden' || cs.textOverflow === 'ellipsis';
    if (hides && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0) out.push(e.textContent.trim().slice(0, 60));
  }
  return out; }"""

#: Content wider than the main area or the arithmetic panel (a sideways scroll nobody sees).
OVERFLOW = """() => {
  const out = []; const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  if (main && main.scrollWidth > main.clientWidth + 2) out.push('main area: ' + main.scrollWidth + ' > ' + main.clientWidth);
  if (document.documentElement.scrollWidth > window.innerWidth + 2) out.push('page: ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
  for (const a of document.querySelectorAll('.gdi-arith-box, .gd-arith-wrap'))
    if (a.scrollWidth > a.clientWidth + 2) out.push('arithmetic: ' + a.scrollWidth + ' > ' + a.clientWidth);
  return out; }"""

#: Pairs of chart texts whose boxes overlap (by more than a sliver), per chart.
OVERLAPS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
    const sel = '.gtitle, .xtitle, .ytitle, .annotation-text, .legendtext, .xtick text, .ytick text, .g-gtitle text, .colorbar .cbtitle text, .colorbar .ticks text, .textpoint text';
    const boxes = [...svg.querySelectorAll(sel)].filter(t => t.textContent.trim()).map(t => {
      const r = t.getBoundingClientRect(); return {t: t.textContent.trim().slice(0, 30), r, cls: t.getAttribute('class') || t.parentNode.getAttribute('class') || ''}; })
      .filter(b => b.r.width > 0 && b.r.height > 0);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 2 && h > 2) out.push(boxes[i].t + ' ⟷ ' + boxes[j].t);
    }
  }
  return out.slice(0, 12); }"""


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("path", PAGES)
def test_page_reads_well_at_every_size(server, browser, path, size):
    w, h, lecture = SIZES[size]
    page = open_page(browser, f"{server}/{path}{'?lecture=true' if lecture else ''}", width=w, height=h)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{path or 'home'}-{size}.png"), full_page=True)
        problems = []
        if lecture or size == "phone":
            collapsed = page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed")
            if collapsed != "true":
                problems.append(f"the sidebar is open (data-collapsed={collapsed})")
        cut = page.evaluate(TRUNCATED)
        if cut:
            problems.append(f"cut text: {cut[:6]}")
        wide = page.evaluate(OVERFLOW)
        if wide:
            problems.append(f"overflow: {wide}")
        clash = page.evaluate(OVERLAPS)
        if clash:
            problems.append(f"overlapping chart text: {clash}")
        if lecture and path:
            top = page.evaluate("""() => { const c = document.querySelector('.gdi-chart, [data-testid="stPlotlyChart"]');
                                           return c ? c.getBoundingClientRect().top + window.scrollY : null; }""")
            if top is None or top > h - 60:
                problems.append(f"no chart in the first {h} px of the projector (first chart at {top})")
        assert not problems, f"{path or 'home'} at {size} ({w}×{h}{', lecture' if lecture else ''}): " + "; ".join(problems)
    finally:
        page.context.close()

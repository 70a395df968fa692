"""Take screenshots of every page, normal and lecture mode: `python scripts/screenshots.py [OUT] [URL_PATH...]`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from gdviz.ui.nav import lesson_pages  # noqa: E402
from tests.server import launch_browser, open_page, streamlit_server  # noqa: E402

out = Path(sys.argv[1] if len(sys.argv) > 1 else "artifacts/screenshots")
only = sys.argv[2:]
out.mkdir(parents=True, exist_ok=True)
paths = [""] + [p.url_path for p in lesson_pages()]
with streamlit_server() as url, sync_playwright() as pw:
    browser = launch_browser(pw)
    for path in paths:
        if only and path not in only:
            continue
        for mode, query, size in (("normal", "", (1440, 900)), ("lecture", "?lecture=true", (1920, 1080))):
            page = open_page(browser, f"{url}/{path}{query}", width=size[0], height=size[1])
            name = out / f"{path or 'home'}-{mode}.png"
            page.screenshot(path=str(name))  # what a laptop or a projector shows first
            page.set_viewport_size({"width": size[0], "height": 2600})
            page.wait_for_timeout(800)
            page.screenshot(path=str(out / f"{path or 'home'}-{mode}-full.png"))
            errors = page.locator("[data-testid='stException']").count()
            print(name, "exceptions:", errors)
            page.context.close()
    browser.close()

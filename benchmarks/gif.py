"""GIF export of a stepped lesson's run, in headless Chromium: frames, size and seconds.

    .venv/bin/python -m benchmarks.gif [A2_gradient_descent C3_backpropagation ...]

The "⤓ GIF of the run" button makes the animation in the browser from the charts the page shows
(no server work), at most 240 frames (a longer run takes every k-th frame, the last always), at
the default slide size (960×540). Printed per page:

    gif <page>: <frames> frames, <w>×<h>, <KB> KB, <s> s

The browser shares this machine's cores with the server; on a teacher's laptop it has them alone.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.server import chromium_missing_reason, launch_browser, open_page, streamlit_server  # noqa: E402

PAGES = ("A2_gradient_descent", "C3_backpropagation")


def main(argv: list[str] | None = None) -> int:
    pages = tuple(argv if argv is not None else sys.argv[1:]) or PAGES
    reason = chromium_missing_reason()
    if reason:
        print(f"gif: skipped ({reason})")
        return 0
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with streamlit_server() as url, sync_playwright() as pw:
        browser = launch_browser(pw)
        for name in pages:
            page = open_page(browser, f"{url}/{name}", width=1600, height=1000)
            try:
                t0 = time.perf_counter()
                with page.expect_download(timeout=900_000) as dl:
                    page.locator(".gdi-gif").click()
                seconds = time.perf_counter() - t0
                path = Path(dl.value.path())
                gif = Image.open(path)
                print(f"gif {name}: {gif.n_frames} frames, {gif.size[0]}×{gif.size[1]}, "
                      f"{path.stat().st_size / 1024:,.0f} KB, {seconds:.1f} s", flush=True)
            finally:
                page.context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

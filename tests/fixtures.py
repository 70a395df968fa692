"""Fixtures the browser tests share: one app server and one headless Chromium per test module.
A test module takes them with ``from tests.fixtures import browser, server``."""

from __future__ import annotations

import pytest

from tests.server import launch_browser, streamlit_server


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_browser(pw)
        yield b
        b.close()

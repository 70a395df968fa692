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


@pytest.fixture(autouse=True)
def mnist_bundle_only(monkeypatch):
    """A developer's $GDVIZ_MNIST_DIR must not change what the MNIST tests read (the bundled
    subset only). Autouse in each module that imports it."""
    from gdviz.core import mnist  # noqa: PLC0415

    monkeypatch.delenv(mnist.ENV, raising=False)

"""The real server's limits (issue 19), on a free loopback port: the Host allow-list (DNS
rebinding), the size of what a client may send, and hostile requests logged in one line.

Before: any Host was accepted (``Host: rebind.example`` with a matching Origin opened a
session), a client could send 25 MB frames (a 24 MB query string cost ~48 MB per session),
and every websocket text frame wrote a 47-line traceback to the log.
"""

from __future__ import annotations

import re
import asyncio
import base64
import os
import socket
import time
import tomllib

import pytest

from benchmarks.loadkit.client import WsSession
from benchmarks.loadkit.server import streamlit_server
from gdviz.ui import guard
from gdviz.ui.nav import ROOT


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as (url, log):
        yield url, log


def handshake(url: str, host: str) -> str:
    """The status line the server answers a websocket upgrade with, for this Host header."""
    port = int(url.rsplit(":", 1)[1])
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Protocol: streamlit\r\nOrigin: http://{host}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        return s.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_the_config_sizes_the_server_for_this_app():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert cfg["maxMessageSize"] <= 32 and cfg["maxWidgetStateSize"] <= 4
    assert cfg["allowedHosts"] and "*" not in cfg["allowedHosts"]


def test_a_rebound_host_name_is_refused(server):
    url, _ = server
    assert " 101 " in handshake(url, url.split("//")[1]), "the app's own address must work"
    assert " 101 " in handshake(url, "localhost:8501")
    assert " 101 " not in handshake(url, "rebind.example"), "a foreign Host opened a session"


def test_a_client_message_over_the_limit_closes_that_connection(server):
    url, _ = server

    async def go():
        s = WsSession(url, "big")
        await s.connect()
        try:
            await s.open("")
            s.query = [("x", "y" * 3_000_000)]  # a 3 MB query string
            with pytest.raises(Exception):
                await s._rerun()
            return s.close_reason
        finally:
            await s.close()
    assert "1009" in asyncio.run(go())


def test_hostile_frames_are_logged_in_a_line_not_a_traceback_each(server):
    url, log = server

    async def go():
        from websockets.asyncio.client import connect

        s = WsSession(url, "first")  # a page has run: the guard is installed (gdviz.ui.warm)
        await s.connect()
        await s.open("")
        await s.close()
        n0 = len(log.lines)
        for _ in range(8):
            ws = await connect(url.replace("http", "ws") + "/_stcore/stream", subprotocols=["streamlit"], origin=url)
            await ws.send("a text frame")
            try:
                await asyncio.wait_for(ws.recv(), 2)
            except Exception:  # noqa: BLE001 - the server closes it
                pass
            await ws.close()
        time.sleep(0.5)
        return log.lines[n0:]
    lines = asyncio.run(go())
    assert not any("Traceback" in ln for ln in lines), "\n".join(lines[:20])
    assert len(lines) <= 4, "\n".join(lines)


def test_the_log_filter_keeps_one_line_per_kind_and_counts_the_rest():
    import logging

    f = guard.OneLine(every=60)
    rec = lambda: logging.LogRecord("uvicorn.error", 40, __file__, 1, "Exception in ASGI application", None,  # noqa: E731
                                    (KeyError, KeyError("bytes"), None))
    first = rec()
    assert f.filter(first) and first.exc_info is None and "KeyError" in first.getMessage()
    assert not any(f.filter(rec()) for _ in range(50))
    plain = logging.LogRecord("gdviz", 20, __file__, 1, "hello", None, None)
    assert f.filter(plain) and plain.getMessage() == "hello"


def test_the_app_builds_no_python_ast_while_serving():
    """CPython 3.11 before 3.11.8 can fail ``ast.parse`` when two threads build ASTs at once
    ("SystemError: AST constructor recursion depth mismatch"): a page opened by a class on a cold
    worker showed it under make load, from the sidebar's reading of the pages' docstrings while
    Streamlit parsed another page. Nothing under gdviz/ parses Python into an AST any more."""
    from gdviz.ui.nav import ROOT

    users = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "gdviz").rglob("*.py"))
             if re.search(r"\bast\.(parse|literal_eval|get_docstring)\(", p.read_text(encoding="utf-8"))]
    assert users == []

"""Server-side guards against hostile clients, installed once per process (by :mod:`gdviz.ui.warm`).

1. A component's value arrives from the browser as JSON text that Streamlit parses *before*
   the page's script runs (``json.loads`` in its session state). Text that is not JSON, or is
   nested deeper than Python's recursion limit, raised there on every later rerun: the
   session's page was broken until a reload, and no page code could catch it. The guard parses
   it with a size cap and catches the failure; the component then receives ``UNREADABLE``, a
   small mapping its page can recognise (``gdviz.ui.digit`` says "that drawing could not be
   read").
2. Hostile requests (a path traversal on the components endpoint, a websocket text frame)
   logged a full traceback each: a client could flood the log. A filter keeps one line per
   kind of failure and at most one such line per ``LOG_EVERY`` seconds.

Both touch Streamlit 1.67 internals; ``tests/test_hardening.py`` fails if they stop applying.
"""

from __future__ import annotations

import json
import logging
import threading
import time

# The canvas's value is a PNG data URL (≤ gdviz.ui.digit.MAX_URL) plus the strokes as JSON.
MAX_JSON = 2_000_000
UNREADABLE = "_gdviz_unreadable"
LOG_EVERY = 10.0
HOSTILE_LOGGERS = ("streamlit.web", "streamlit.runtime.app_session", "streamlit.components", "tornado",
                   "uvicorn", "starlette", "websockets")

_installed = False
_lock = threading.Lock()


def safe_json(text):
    """``json.loads(text)``, or ``{UNREADABLE: why}`` for text too long, not JSON, or too deep."""
    if not isinstance(text, (str, bytes, bytearray)):
        return {UNREADABLE: "not text"}
    if len(text) > MAX_JSON:
        return {UNREADABLE: f"longer than {MAX_JSON:,} characters"}
    try:
        return json.loads(text)
    except RecursionError:
        return {UNREADABLE: "nested too deeply"}
    except ValueError:  # JSONDecodeError, bad UTF-8
        return {UNREADABLE: "not JSON"}


def _guard_widget_values() -> None:
    from streamlit.runtime.state import common, session_state  # noqa: PLC0415

    original = common.unpack_widget_state_value
    if getattr(original, "_gdviz_guarded", False):
        return

    def unpack_widget_state_value(widget_state):
        if widget_state.WhichOneof("value") == "json_value":
            return safe_json(widget_state.json_value)
        return original(widget_state)

    unpack_widget_state_value._gdviz_guarded = True
    common.unpack_widget_state_value = unpack_widget_state_value
    session_state.unpack_widget_state_value = unpack_widget_state_value


class OneLine(logging.Filter):
    """Hostile-request log records shortened to one line, at most one per ``every`` seconds.

    A record counts as hostile when it comes from Streamlit's web server (``streamlit.web.*``)
    and carries a traceback; its text is kept (with the exception's type and message), the
    traceback dropped. How many were held back is said in the next line let through."""

    def __init__(self, every: float = LOG_EVERY) -> None:
        super().__init__()
        self.every = every
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(HOSTILE_LOGGERS) or not record.exc_info:
            return True
        etype, evalue, _ = record.exc_info
        kind = f"{record.name}:{getattr(etype, '__name__', etype)}"
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(kind, -1e9) < self.every:
                self._held[kind] = self._held.get(kind, 0) + 1
                return False
            self._last[kind] = now
            held = self._held.pop(kind, 0)
        text = record.getMessage()
        record.msg = f"{text} [{getattr(etype, '__name__', etype)}: {str(evalue)[:200]}]" + (
            f" ({held} more like it in the last {self.every:g} s not logged)" if held else "")
        record.args = None
        record.exc_info = None
        record.exc_text = None
        return True


_FILTER = OneLine()


def _quiet_hostile_logs() -> None:
    """Attach the filter to the web server's loggers. Streamlit's loggers do not propagate and
    get their handlers replaced when the config loads, so the filter goes on each logger; the
    server's modules (and so their loggers) exist once the server runs a page."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith(HOSTILE_LOGGERS):
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)


def install() -> None:
    global _installed
    with _lock:
        _guard_widget_values()
        _quiet_hostile_logs()
        _installed = True

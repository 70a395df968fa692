"""Rooms: a teacher presents, the class follows (the store only; the Streamlit part is gdviz.ui.room).

One setting chooses where rooms live: ``GDVIZ_ROOMS`` unset (or ``memory``) keeps them in this
process (nothing to install; one server process), ``GDVIZ_ROOMS=redis://127.0.0.1:6379/0`` keeps
them in Redis, shared by every process and machine of the server. Both stores have the same
methods: ``create``, ``publish``, ``heartbeat``, ``close``, ``read``, ``revision``, ``count``,
``allow_join``, and ``on_change(callback)``: ``callback(code)`` after each change of a room, in
every process that asked (so a server can tell its followers at once instead of their polling).
"""

from __future__ import annotations

import os
import threading

from gdviz.rooms.base import (CODE_SPACE, DEFAULT_STATE, JOINS_PER_MINUTE, MAX_ROOMS, TTL_SECONDS,  # noqa: F401
                              BadState, Refused, RoomError, RoomsFull, Unavailable, normalize_code,
                              validate_state)
from gdviz.rooms.memory import MemoryStore

ENV = "GDVIZ_ROOMS"

_lock = threading.Lock()
_stores: dict[str, object] = {}


def open_store(setting: str | None, **kwargs):
    """The store a ``GDVIZ_ROOMS`` value names; :class:`RoomError` for a value it does not know."""
    setting = (setting or "").strip()
    if setting in ("", "memory"):
        return MemoryStore(**kwargs)
    if setting.startswith(("redis://", "rediss://", "unix://")):
        from gdviz.rooms.redis_store import RedisStore  # noqa: PLC0415  (only when asked for)

        return RedisStore(setting, **kwargs)
    raise RoomError(f"{ENV} must be 'memory' or a redis:// URL, not {setting[:60]!r}")


def store():
    """This process's store, as ``GDVIZ_ROOMS`` chooses it (made once per setting)."""
    setting = os.environ.get(ENV, "")
    with _lock:
        if setting not in _stores:
            _stores[setting] = open_store(setting)
        return _stores[setting]

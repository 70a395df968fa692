"""Rooms in this process's memory: nothing to install; one server process only."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from gdviz.rooms import base

#: Clients whose join attempts are remembered at once (the least recently seen are forgotten).
MAX_CLIENTS = 10_000


@dataclass
class _Room:
    secret_hash: str
    state: dict
    encoded: str
    revision: int
    updated_at: float
    expires_at: float


class MemoryStore:
    name = "memory"

    def __init__(self, *, ttl: float = base.TTL_SECONDS, max_rooms: int = base.MAX_ROOMS,
                 joins_per_minute: int = base.JOINS_PER_MINUTE, clock=time.time):
        self.ttl = float(ttl)
        self.max_rooms = int(max_rooms)
        self.joins_per_minute = int(joins_per_minute)
        self._clock = clock
        self._lock = threading.Lock()
        self._rooms: dict[str, _Room] = {}
        self._joins: OrderedDict[str, deque] = OrderedDict()
        self._listeners: list = []

    # -- changes -------------------------------------------------------------------------------
    def on_change(self, callback) -> None:
        """Call ``callback(code)`` after each change of a room in this process (a new state, the
        room's end), outside the store's lock; a callback that raises is ignored."""
        with self._lock:
            if callback not in self._listeners:
                self._listeners.append(callback)


    # -- rooms ---------------------------------------------------------------------------------
    def _live(self, code, now: float) -> _Room | None:
        room = self._rooms.get(code) if isinstance(code, str) else None
        if room is not None and room.expires_at <= now:
            del self._rooms[code]
            return None
        return room

    def _purge(self, now: float) -> None:
        for code in [c for c, r in self._rooms.items() if r.expires_at <= now]:
            del self._rooms[code]

    def create(self, state: dict | None = None) -> tuple[str, str]:
        """A new room: ``(code, secret)``; :class:`RoomsFull` when ``max_rooms`` are open."""
        state = base.validate_state(state if state is not None else base.DEFAULT_STATE)
        secret = base.new_secret()
        with self._lock:
            now = self._clock()
            self._purge(now)
            if len(self._rooms) >= self.max_rooms:
                raise base.RoomsFull(f"{self.max_rooms} rooms are open on this server; try again later")
            while True:
                code = base.new_code()
                if code not in self._rooms:
                    break
            self._rooms[code] = _Room(base.secret_hash(secret), state, base.encode(state), 1, now,
                                      now + self.ttl)
        return code, secret

    def _owned(self, code, secret, now: float) -> _Room:
        room = self._live(code, now)
        if room is None:
            raise base.Refused("this room has closed")
        if not base.secret_matches(room.secret_hash, secret):
            raise base.Refused("only the room's presenter can change it")
        return room

    def publish(self, code, secret, state) -> int:
        """Set the room's state (presenter only); returns its revision (unchanged when equal)."""
        clean = base.validate_state(state)
        encoded = base.encode(clean)
        with self._lock:
            now = self._clock()
            room = self._owned(code, secret, now)
            changed = encoded != room.encoded
            if changed:
                room.state, room.encoded = clean, encoded
                room.revision += 1
                room.updated_at = now
            room.expires_at = now + self.ttl
            revision = room.revision
        if changed:
            base.tell(self._listeners, code)
        return revision

    def heartbeat(self, code, secret) -> None:
        with self._lock:
            now = self._clock()
            self._owned(code, secret, now).expires_at = now + self.ttl

    def close(self, code, secret) -> None:
        with self._lock:
            self._owned(code, secret, self._clock())
            del self._rooms[code]
        base.tell(self._listeners, code)

    def read(self, code) -> dict | None:
        """The room's state with ``revision`` and ``updated_at``; None when closed or unknown."""
        with self._lock:
            room = self._live(code, self._clock())
            if room is None:
                return None
            return {**room.state, "query": dict(room.state["query"]), "revision": room.revision,
                    "updated_at": room.updated_at}

    def revision(self, code) -> int | None:
        with self._lock:
            room = self._live(code, self._clock())
            return None if room is None else room.revision

    def count(self) -> int:
        with self._lock:
            self._purge(self._clock())
            return len(self._rooms)

    # -- joins ---------------------------------------------------------------------------------
    def allow_join(self, client) -> bool:
        """Count one join attempt by ``client``; False beyond ``joins_per_minute`` in a minute."""
        key = base.client_key(client)
        with self._lock:
            now = self._clock()
            times = self._joins.get(key)
            if times is None:
                times = self._joins[key] = deque()
                while len(self._joins) > MAX_CLIENTS:
                    self._joins.popitem(last=False)
            self._joins.move_to_end(key)
            while times and times[0] <= now - base.JOIN_WINDOW_SECONDS:
                times.popleft()
            if len(times) >= self.joins_per_minute:
                return False
            times.append(now)
            return True

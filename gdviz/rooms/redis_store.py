"""Rooms in Redis: shared by every server process and machine that points at the same Redis.

Keys (all under ``gdviz:``): ``room:<code>`` a hash (``secret`` as its SHA-256, ``state`` as JSON,
``revision``, ``updated_at``) that expires with the room's TTL; ``rooms`` a sorted set of open
codes scored by when they expire (to count them); ``join:<client>:<minute>`` join counters.
Each change is one Lua script, so two processes never interleave halves of an update.
"""

from __future__ import annotations

import json
import threading
import time

import redis

from gdviz.rooms import base

PREFIX = "gdviz:"
INDEX = PREFIX + "rooms"
#: Every change of a room (a new state, its end) is announced here with its code, by the store's
#: scripts, for the processes whose students follow it.
CHANGES = PREFIX + "changed"

_CREATE = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return -1 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'secret', ARGV[2], 'state', ARGV[7], 'revision', 1, 'updated_at', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
return 1
"""

# ARGV: secret hash, state JSON ('' for a heartbeat), now, ttl ms, code, expires at, changes channel
_PUBLISH = """
local s = redis.call('HGET', KEYS[1], 'secret')
if (not s) or s ~= ARGV[1] then return -1 end
local rev = tonumber(redis.call('HGET', KEYS[1], 'revision'))
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'state') ~= ARGV[2] then
  rev = redis.call('HINCRBY', KEYS[1], 'revision', 1)
  redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updated_at', ARGV[3])
  redis.call('PUBLISH', ARGV[7], ARGV[5])
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
return rev
"""

_CLOSE = """
local s = redis.call('HGET', KEYS[1], 'secret')
if (not s) or s ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 1
"""

_JOIN = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


def _key(code: str) -> str:
    return PREFIX + "room:" + code


class RedisStore:
    name = "redis"

    def __init__(self, url: str, *, ttl: float = base.TTL_SECONDS, max_rooms: int = base.MAX_ROOMS,
                 joins_per_minute: int = base.JOINS_PER_MINUTE, clock=time.time,
                 timeout: float = 2.0):
        self.ttl = float(ttl)
        self.max_rooms = int(max_rooms)
        self.joins_per_minute = int(joins_per_minute)
        self._clock = clock
        self._r = redis.Redis.from_url(url, decode_responses=True, socket_timeout=timeout,
                                       socket_connect_timeout=timeout, health_check_interval=30)
        self._url, self._timeout = url, timeout
        self._listeners: list = []
        self._listening = threading.Lock()
        self._listener: threading.Thread | None = None
        self._create = self._r.register_script(_CREATE)
        self._publish = self._r.register_script(_PUBLISH)
        self._close = self._r.register_script(_CLOSE)
        self._join = self._r.register_script(_JOIN)

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except redis.RedisError as e:
            raise base.Unavailable(f"the room server (Redis) cannot be reached: {type(e).__name__}") from e

    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl * 1000))

    def create(self, state: dict | None = None) -> tuple[str, str]:
        state = base.validate_state(state if state is not None else base.DEFAULT_STATE)
        secret = base.new_secret()
        for _ in range(20):
            code = base.new_code()
            now = self._clock()
            got = self._call(self._create, keys=[_key(code), INDEX],
                             args=[code, base.secret_hash(secret), repr(now), self._ttl_ms(),
                                   self.max_rooms, repr(now + self.ttl), base.encode(state)])
            if got == -1:
                raise base.RoomsFull(f"{self.max_rooms} rooms are open on this server; try again later")
            if got == 1:
                return code, secret
        raise base.RoomError("no free room code was found; try again")  # pragma: no cover

    def _check_secret(self, code, secret) -> str:
        if not isinstance(code, str) or base.normalize_code(code) != code:
            raise base.Refused("this room has closed")
        stored = self._call(self._r.hget, _key(code), "secret")
        if stored is None:
            raise base.Refused("this room has closed")
        if not base.secret_matches(stored, secret):
            raise base.Refused("only the room's presenter can change it")
        return stored

    def publish(self, code, secret, state) -> int:
        clean = base.validate_state(state)
        stored = self._check_secret(code, secret)
        now = self._clock()
        rev = self._call(self._publish, keys=[_key(code), INDEX],
                         args=[stored, base.encode(clean), repr(now), self._ttl_ms(), code,
                               repr(now + self.ttl), CHANGES])
        if rev == -1:
            raise base.Refused("this room has closed")
        return int(rev)

    def heartbeat(self, code, secret) -> None:
        stored = self._check_secret(code, secret)
        now = self._clock()
        if self._call(self._publish, keys=[_key(code), INDEX],
                      args=[stored, "", repr(now), self._ttl_ms(), code, repr(now + self.ttl), CHANGES]) == -1:
            raise base.Refused("this room has closed")

    def close(self, code, secret) -> None:
        stored = self._check_secret(code, secret)
        self._call(self._close, keys=[_key(code), INDEX], args=[stored, code, CHANGES])

    # -- changes -------------------------------------------------------------------------------
    def on_change(self, callback) -> None:
        """Call ``callback(code)`` in this process after each change of a room made by any process
        sharing the store (Redis publish/subscribe, heard by one thread per process)."""
        with self._listening:
            if callback not in self._listeners:
                self._listeners.append(callback)
            if self._listener is None:
                self._listener = threading.Thread(target=self._listen, name="gdviz-rooms-listen", daemon=True)
                self._listener.start()

    def _listen(self) -> None:
        while True:
            try:
                r = redis.Redis.from_url(self._url, decode_responses=True, socket_connect_timeout=self._timeout,
                                         socket_timeout=None, health_check_interval=30)
                ps = r.pubsub(ignore_subscribe_messages=True)
                ps.subscribe(CHANGES)
                while True:
                    msg = ps.get_message(timeout=30.0)
                    if msg and msg.get("type") == "message" and isinstance(msg.get("data"), str):
                        base.tell(self._listeners, msg["data"])
            except redis.RedisError:
                time.sleep(1.0)  # the room server is away: listen again shortly

    def read(self, code) -> dict | None:
        if not isinstance(code, str) or base.normalize_code(code) != code:
            return None
        state, rev, updated = self._call(self._r.hmget, _key(code), ["state", "revision", "updated_at"])
        if state is None or rev is None:
            return None
        return {**json.loads(state), "revision": int(rev), "updated_at": float(updated)}

    def revision(self, code) -> int | None:
        if not isinstance(code, str) or base.normalize_code(code) != code:
            return None
        rev = self._call(self._r.hget, _key(code), "revision")
        return None if rev is None else int(rev)

    def count(self) -> int:
        self._call(self._r.zremrangebyscore, INDEX, "-inf", repr(self._clock()))
        return int(self._call(self._r.zcard, INDEX))

    def allow_join(self, client) -> bool:
        """Fixed one-minute windows: at most ``joins_per_minute`` attempts in each."""
        window = int(self._clock() // base.JOIN_WINDOW_SECONDS)
        key = f"{PREFIX}join:{base.client_key(client)}:{window}"
        n = self._call(self._join, keys=[key], args=[2 * base.JOIN_WINDOW_SECONDS])
        return int(n) <= self.joins_per_minute

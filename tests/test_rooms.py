"""The room store: the same tests against both backends (memory, and a real redis-server).

The Redis backend runs against a ``redis-server`` these tests start on a free loopback port
(no disk, no persistence) and is skipped with a reason where redis-server or the client is absent.
"""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from gdviz import rooms
from gdviz.rooms import base
from gdviz.rooms.memory import MemoryStore
from tests.server import free_port, redis_server

REDIS_SERVER = shutil.which("redis-server")


def redis_missing_reason() -> str | None:
    if REDIS_SERVER is None:
        return "redis-server not found (apt-get install redis-server; .ci/run installs it)"
    try:
        import redis  # noqa: F401
    except ImportError:
        return "the redis client is not installed (make test installs requirements.txt)"
    return None


@pytest.fixture(scope="session")
def redis_url():
    """A throwaway redis-server on 127.0.0.1:<free port>; its URL."""
    reason = redis_missing_reason()
    if reason:
        pytest.skip(reason)
    with redis_server() as url:
        yield url


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture(params=["memory", "redis"])
def backend(request):
    """``make(**kwargs)`` builds a fresh store of this backend; ``expire(store)`` lets its TTL pass."""
    if request.param == "memory":
        clock = Clock()

        def make(**kwargs):
            return MemoryStore(clock=kwargs.pop("clock", clock), **kwargs)

        def expire(store):
            clock.advance(store.ttl + 1)

        return request.param, make, expire, clock
    url = request.getfixturevalue("redis_url")
    import redis

    redis.Redis.from_url(url).flushdb()
    clock = Clock(time.time())

    def make(**kwargs):
        return rooms.open_store(url, clock=kwargs.pop("clock", time.time), **kwargs)

    def expire(store):
        time.sleep(store.ttl + 0.25)

    return request.param, make, expire, clock


STATE = {"page": "pages/A2_gradient_descent.py", "query": {"alpha": "0.1", "iteration": "7"},
         "playing": False, "speed": 1.0}


class TestStore:
    def test_create_gives_a_readable_code_and_a_secret(self, backend):
        _, make, _, _ = backend
        store = make()
        code, secret = store.create()
        assert base.normalize_code(code) == code and code.startswith("GD-") and len(code) == 12
        assert len(secret) >= 32
        state = store.read(code)
        assert state["page"] == "app.py" and state["query"] == {} and state["revision"] == 1
        codes = {store.create()[0] for _ in range(20)}
        assert len(codes) == 20

    def test_the_presenter_publishes_and_followers_read(self, backend):
        _, make, _, _ = backend
        store = make()
        code, secret = store.create()
        assert store.publish(code, secret, STATE) == 2
        got = store.read(code)
        assert {k: got[k] for k in STATE} == STATE
        assert got["revision"] == 2 and got["updated_at"] > 0
        assert store.revision(code) == 2
        # the same state again is no change: followers polling the revision do nothing
        assert store.publish(code, secret, dict(STATE)) == 2
        assert store.publish(code, secret, {**STATE, "playing": True, "speed": 2.5}) == 3
        assert store.read(code)["playing"] is True and store.read(code)["speed"] == 2.5

    @pytest.mark.parametrize("secret", [None, "", "wrong", 123, "x" * 5000])
    def test_publish_without_the_secret_is_refused_and_changes_nothing(self, backend, secret):
        _, make, _, _ = backend
        store = make()
        code, right = store.create()
        store.publish(code, right, STATE)
        with pytest.raises(base.Refused, match="only the room's presenter"):
            store.publish(code, secret, {**STATE, "page": "app.py"})
        with pytest.raises(base.Refused):
            store.heartbeat(code, secret)
        with pytest.raises(base.Refused):
            store.close(code, secret)
        assert store.read(code)["page"] == STATE["page"] and store.revision(code) == 2

    def test_another_rooms_secret_is_refused(self, backend):
        _, make, _, _ = backend
        store = make()
        a, secret_a = store.create()
        b, _ = store.create()
        with pytest.raises(base.Refused):
            store.publish(b, secret_a, STATE)

    @pytest.mark.parametrize("code", ["GD-XXXX-0000", "nope", "", None, 7, "GD-" + "A" * 500])
    def test_unknown_rooms_read_as_none(self, backend, code):
        _, make, _, _ = backend
        store = make()
        store.create()
        assert store.read(code) is None and store.revision(code) is None
        with pytest.raises(base.Refused, match="closed"):
            store.publish(code, "secret", STATE)

    @pytest.mark.parametrize("bad, why", [
        ("not a dict", "must be a dict"),
        ({"page": ""}, "page"),
        ({"page": "p" * 201}, "page"),
        ({"query": {"k": 1}}, "text"),
        ({"query": {"k": "v" * 201}}, "text"),
        ({"query": {f"k{i}": "1" for i in range(41)}}, "at most 40"),
        ({"query": {"bad key!": "1"}}, "name"),
        ({"playing": "yes"}, "playing"),
        ({"speed": float("nan")}, "speed"),
        ({"speed": 0}, "speed"),
        ({"speed": 1e9}, "speed"),
        ({"secret": "x"}, "no field"),
        ({"query": {f"k{i:02d}": "v" * 150 for i in range(30)}}, "larger than"),
    ])
    def test_bad_or_big_states_are_refused_and_change_nothing(self, backend, bad, why):
        _, make, _, _ = backend
        store = make()
        code, secret = store.create()
        store.publish(code, secret, STATE)
        with pytest.raises(base.BadState, match=why):
            store.publish(code, secret, bad)
        assert store.revision(code) == 2 and store.read(code)["query"] == STATE["query"]

    def test_a_room_without_its_presenter_closes_after_its_ttl(self, backend):
        name, make, expire, _ = backend
        store = make(ttl=0.6 if name == "redis" else 7200)
        code, secret = store.create()
        other, other_secret = store.create()
        store.publish(code, secret, STATE)
        # a heartbeat keeps a room open; the other room gets none and closes
        if name == "memory":
            backend[3].advance(store.ttl * 0.6)
        else:
            time.sleep(store.ttl * 0.6)
        store.heartbeat(code, secret)
        if name == "memory":
            backend[3].advance(store.ttl * 0.6)
        else:
            time.sleep(store.ttl * 0.6)
        assert store.read(code) is not None, "the heartbeat kept it open"
        assert store.read(other) is None and store.revision(other) is None
        with pytest.raises(base.Refused, match="closed"):
            store.publish(other, other_secret, STATE)
        expire(store)
        assert store.read(code) is None and store.count() == 0

    def test_close(self, backend):
        _, make, _, _ = backend
        store = make()
        code, secret = store.create()
        store.close(code, secret)
        assert store.read(code) is None and store.count() == 0

    def test_at_most_max_rooms(self, backend):
        name, make, expire, _ = backend
        store = make(max_rooms=3, ttl=0.6 if name == "redis" else 7200)
        made = [store.create() for _ in range(3)]
        with pytest.raises(base.RoomsFull, match="3 rooms are open"):
            store.create()
        store.close(*made[0])
        store.create()
        expire(store)
        store.create()  # closed rooms no longer count
        assert store.count() == 1

    def test_joins_are_rate_limited_per_client(self, backend):
        _, make, _, clock = backend
        store = make(clock=clock)
        assert all(store.allow_join("10.0.0.1") for _ in range(base.JOINS_PER_MINUTE))
        assert not store.allow_join("10.0.0.1")
        assert store.allow_join("10.0.0.2"), "another client is not limited"
        clock.advance(base.JOIN_WINDOW_SECONDS + 1)
        assert store.allow_join("10.0.0.1"), "a minute later the client may try again"

    def test_publishers_in_threads_never_lose_a_revision(self, backend):
        _, make, _, _ = backend
        store = make()
        code, secret = store.create()
        revs = []

        def work(i):
            for j in range(10):
                revs.append(store.publish(code, secret, {**STATE, "query": {"i": f"{i}-{j}"}}))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(revs) == list(range(2, 42)) and store.revision(code) == 41


    def test_every_process_that_asks_hears_of_each_change_and_only_of_changes(self, backend):
        """on_change: a new state and the room's end are told to every listener (with Redis, to a
        second store standing for another server process); a heartbeat or the same state again is not."""
        _, make, _, _ = backend
        store, other = make(), make()
        heard, heard_other = [], []
        store.on_change(heard.append)
        other.on_change(heard_other.append)
        if other is not store and not isinstance(other, MemoryStore):
            time.sleep(0.3)  # the listener's subscription is in place
        code, secret = store.create()
        store.publish(code, secret, STATE)
        store.publish(code, secret, STATE)  # the same state: no change
        store.heartbeat(code, secret)
        store.publish(code, secret, {**STATE, "playing": True})
        store.close(code, secret)
        expected = [code, code, code]
        listeners = [heard] + ([heard_other] if not isinstance(other, MemoryStore) else [])
        deadline = time.monotonic() + 5
        while any(len(h) < 3 for h in listeners) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # nothing more arrives
        assert heard == expected
        if not isinstance(other, MemoryStore):
            assert heard_other == expected  # another process sharing the Redis store hears it too


def test_codes_cover_the_space_the_readme_names():
    assert base.CODE_SPACE == 835_210_000
    assert base.normalize_code("gd kmrt 4821") == "GD-KMRT-4821"
    assert base.normalize_code("GDKMRT4821") == "GD-KMRT-4821"
    assert base.normalize_code("GD-KMRO-4821") is None  # O is not in the alphabet (0 is)
    assert base.normalize_code("GD-KMRT-482") is None


def test_the_setting_chooses_the_backend(monkeypatch):
    assert isinstance(rooms.open_store(""), MemoryStore)
    assert isinstance(rooms.open_store("memory"), MemoryStore)
    with pytest.raises(base.RoomError, match="GDVIZ_ROOMS must be"):
        rooms.open_store("mysql://x")
    monkeypatch.setenv(rooms.ENV, "memory")
    assert rooms.store() is rooms.store()


def test_an_unreachable_redis_is_a_clear_error():
    if redis_missing_reason():
        pytest.skip(redis_missing_reason())
    store = rooms.open_store(f"redis://127.0.0.1:{free_port()}/0", timeout=0.3)
    with pytest.raises(base.Unavailable, match="cannot be reached"):
        store.create()

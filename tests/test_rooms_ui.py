"""Rooms in the app, under AppTest: a teacher starts a room, a follower joins, cannot publish,
and unknown, mistyped or closed rooms are notices (never an exception)."""

from __future__ import annotations

import html
import urllib.parse

import pytest
from streamlit.testing.v1 import AppTest

from gdviz import rooms
from gdviz.ui import room
from tests.test_pages import load  # the app, then the page, as a link opens it

A2 = "pages/A2_gradient_descent.py"


@pytest.fixture(autouse=True)
def memory_rooms(monkeypatch):
    """A fresh in-memory store per test (AppTest's sessions all count as one client)."""
    monkeypatch.setenv(rooms.ENV, "memory")
    monkeypatch.setattr(rooms, "_stores", {})


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def start(at: AppTest) -> tuple[str, str]:
    [button] = [b for b in at.sidebar.button if b.label == "Present to the room"]
    button.click().run()
    no_exception(at)
    p = at.session_state[room.PRESENT]
    return p["code"], p["secret"]


def warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def test_a_teacher_starts_a_room_that_shows_the_page():
    at = load(A2)
    code, secret = start(at)
    assert rooms.normalize_code(code) == code
    assert any(f"room **{code}**" in m.value for m in at.sidebar.markdown)
    assert any(f"?room={code}" in c.value for c in at.sidebar.caption)
    state = rooms.store().read(code)
    assert state["page"] == A2 and state["playing"] is False
    assert [b.label for b in at.sidebar.button if b.label == "End the room"]


def test_lecture_mode_shows_the_join_link_as_a_qr_code():
    at = load(A2, {"lecture": "true"})
    code, _ = start(at)
    corner = [h for h in at.get("html") if "gd-room-corner" in h.proto.body]
    assert len(corner) == 1 and code in corner[0].proto.body
    body = corner[0].proto.body
    assert '<img src="data:image/svg+xml' in body and "<svg" not in body  # inline SVG is sanitised away
    uri = html.unescape(body.split('src="', 1)[1].split('"', 1)[0])
    svg = urllib.parse.unquote(uri.split(",", 1)[1])
    assert svg.startswith("<svg") and "class='segno'" in svg  # the QR code of the join link
    at.sidebar.toggle(key=room.SHOW_LINK).set_value(False).run()
    assert not [h for h in at.get("html") if "gd-room-corner" in h.proto.body], "the toggle hides it"


def test_a_follower_joins_and_cannot_change_the_room():
    teacher = load(A2)
    code, secret = start(teacher)
    rev = rooms.store().revision(code)
    student = load("app.py", {"room": code})
    no_exception(student)
    follow = student.session_state[room.FOLLOW]
    assert follow["code"] == code and follow["following"] and follow["rev"] == rev
    assert room.PRESENT not in student.session_state, "a follower holds no secret"
    assert "no setting by that name" not in warnings(student)
    # a crafted publish carrying the code but not the secret is refused, and changes nothing
    for crafted in (None, "", "GD", code):
        with pytest.raises(rooms.Refused):
            rooms.store().publish(code, crafted, {"page": "app.py"})
    assert rooms.store().revision(code) == rev and rooms.store().read(code)["page"] == A2


def test_an_unknown_room_is_a_notice():
    at = load("app.py", {"room": "GD-XXXX-0000"})
    no_exception(at)
    assert "There is no open room GD-XXXX-0000" in warnings(at)
    assert room.FOLLOW not in at.session_state


@pytest.mark.parametrize("junk", ["abc", "<script>alert(1)</script>", "GD-" + "9" * 300])
def test_a_mistyped_room_is_a_notice(junk):
    at = load(A2, {"room": junk})
    no_exception(at)
    assert "is not a room code" in warnings(at)


def test_joins_are_rate_limited():
    at = load("app.py", {"room": "GD-XXXX-0000"})
    for i in range(1, rooms.JOINS_PER_MINUTE):
        at.query_params["room"] = f"GD-XXXX-{i:04d}"
        at.run()
    assert "There is no open room" in warnings(at)
    at.query_params["room"] = "GD-XXXX-9999"
    at.run()
    no_exception(at)
    assert "Too many attempts to join a room" in warnings(at)


def test_a_closed_room_is_a_notice_for_the_follower():
    teacher = load(A2)
    code, secret = start(teacher)
    student = load("app.py", {"room": code})
    rooms.store().close(code, secret)
    student.run()  # the follower's look at the room (its fragment) finds it closed
    no_exception(student)
    assert f"The room {code} has closed" in warnings(student)


def test_the_teacher_is_told_when_its_room_closed():
    teacher = load(A2)
    code, secret = start(teacher)
    rooms.store().close(code, secret)
    teacher.switch_page("app.py").run()
    no_exception(teacher)
    assert f"The room {code} had closed" in warnings(teacher)
    assert room.PRESENT not in teacher.session_state


def test_a_too_big_link_is_not_sent_and_the_teacher_is_told():
    teacher = load(A2)
    code, _ = start(teacher)
    rev = rooms.store().revision(code)
    for i in range(rooms.base.MAX_QUERY_KEYS + 5):
        teacher.query_params[f"k{i}"] = "1"
    teacher.run()
    no_exception(teacher)
    assert any("were not sent to the room" in w.value for w in teacher.sidebar.warning)
    assert rooms.store().revision(code) == rev and rooms.store().read(code)["page"] == A2


def test_the_servers_look_finds_the_followers_whose_last_run_is_behind_their_room(monkeypatch):
    """The fallback for a push lost on its way (or a room that expired): every few seconds the
    server compares each follower's last shown revision with its room's, and reruns those behind."""
    store = rooms.MemoryStore()
    code, secret = store.create()
    store.publish(code, secret, {"page": "app.py", "query": {}, "playing": False, "speed": 1.0})
    rev = store.revision(code)
    monkeypatch.setattr(room, "_FOLLOWERS", {code: {"a", "b", "c"}, "GD-GONE-0000": {"d"}})
    monkeypatch.setattr(room, "_SEEN", {"a": (code, rev), "b": (code, rev - 1), "c": ("GD-XXXX-0000", rev),
                                        "d": ("GD-GONE-0000", 3)})
    assert set(room._lagging(store)) == {("GD-GONE-0000", "d"), (code, "b"), (code, "c")}
    room._SEEN.update(b=(code, rev), c=(code, rev), d=("GD-GONE-0000", None))  # each one's rerun showed it
    assert room._lagging(store) == []
    store.publish(code, secret, {"page": "app.py", "query": {"x": "1"}, "playing": False, "speed": 1.0})
    assert set(room._lagging(store)) == {(code, "a"), (code, "b"), (code, "c")}


def test_a_pushed_rerun_is_the_instruments_fragment_only_for_what_it_can_show(monkeypatch):
    """What the server reruns for a follower: its instrument's fragment for a change of live
    settings on its page; otherwise the room's page with the room's link at once (the follower's
    own keys kept); the whole page once the room has settled; never the browser's one-shot events."""
    from urllib.parse import parse_qsl

    from streamlit.proto.ClientState_pb2 import ClientState

    from gdviz.ui import nav

    a2, a3 = "pages/A2_gradient_descent.py", "pages/A3_divergence_and_alpha.py"

    class Pages:
        def get_pages(self):
            return {"h2": {"script_path": str(nav.ROOT / a2)}, "h3": {"script_path": str(nav.ROOT / a3)}}

    class Session:
        id, _pages_manager = "s1", Pages()

        def has_fragment(self, fid):
            return fid == "frag"

    monkeypatch.setattr(room, "_FRAGMENTS", {"s1": ("frag", a2, {"weight": "0.5"}, ("weight", "alpha"))})
    for name in ("_TARGET",):
        monkeypatch.setattr(room, name, {})
    for name in ("_WHOLE", "_DIRECT"):
        monkeypatch.setattr(room, name, set())
    last = ClientState()
    last.page_script_hash, last.query_string = "h2", "room=GD-AAAA-1111&weight=0.5&lecture=true"
    click = last.widget_states.widgets.add()
    click.id, click.trigger_value = "a_button", True
    kept = last.widget_states.widgets.add()
    kept.id, kept.double_value = "a_slider", 3.0

    def rerun(target, whole=False):
        room._TARGET["s1"] = target
        if whole:
            room._WHOLE.add("s1")
        return room._rerun_state(Session(), last)

    s = rerun({"page": a2, "query": {"weight": "1.5", "iteration": "4"}})
    assert (s.fragment_id, s.page_script_hash) == ("frag", "h2")
    assert [w.id for w in s.widget_states.widgets] == ["a_slider"]  # the click is not replayed
    s = rerun({"page": a2, "query": {"weight": "1.5", "iterations": "30"}})  # a non-live setting
    assert (s.fragment_id, s.page_script_hash) == ("", "h2")
    assert sorted(parse_qsl(s.query_string)) == [("iterations", "30"), ("lecture", "true"),
                                                 ("room", "GD-AAAA-1111"), ("weight", "1.5")]
    s = rerun({"page": a3, "query": {}})  # another page
    assert (s.fragment_id, s.page_script_hash) == ("", "h3")
    assert sorted(parse_qsl(s.query_string)) == [("lecture", "true"), ("room", "GD-AAAA-1111")]
    s = rerun({"page": a2, "query": {"weight": "1.5"}}, whole=True)  # the room settled
    assert (s.fragment_id, s.page_script_hash) == ("", "h2")
    assert room._DIRECT == {"s1"} and not room._WHOLE


def test_a_follower_whose_instrument_alone_followed_is_rerun_whole_once_the_room_settles(monkeypatch):
    monkeypatch.setattr(room, "_FAST_AT", {"a": ("GD-AAAA-1111", 100.0), "b": ("GD-AAAA-1111", 105.0)})
    assert room._settling(100.0 + room.SETTLE_SECONDS - 0.1) == []
    assert room._settling(100.0 + room.SETTLE_SECONDS) == [("GD-AAAA-1111", "a")]
    assert room._settling(200.0) == [("GD-AAAA-1111", "b")]  # each one once
    assert room._settling(300.0) == []


def test_a_run_whose_page_is_unknown_publishes_nothing(monkeypatch):
    """A presenter's run whose page Streamlit cannot name (a timer's tick sent while the browser
    switched pages: an empty page hash) must not tell the room the teacher is on the home page:
    its followers would all go there. ``current_page`` says "" (unknown) and the run publishes
    nothing; the room keeps its last state."""
    from types import SimpleNamespace

    from streamlit.runtime.scriptrunner_utils import script_run_context

    pages = {"h-a2": {"script_path": str(room.nav.ROOT / "pages" / "A2_gradient_descent.py")}}
    ctx = SimpleNamespace(page_script_hash="", pages_manager=SimpleNamespace(get_pages=lambda: pages))
    monkeypatch.setattr(script_run_context, "get_script_run_ctx", lambda *a, **k: ctx)
    assert room.current_page() == ""
    ctx.page_script_hash = "h-a2"
    assert room.current_page() == "pages/A2_gradient_descent.py"

    ctx.page_script_hash = ""
    published = []
    monkeypatch.setattr(room, "_query", lambda: {"weight": "0.5"})
    monkeypatch.setattr(room.rooms, "store", lambda: SimpleNamespace(publish=lambda *a: published.append(a)))
    p = {"code": "GD-TEST0000", "secret": "s", "playing": False, "speed": None, "last": None, "beat": 0.0}
    room._publish(p)
    assert published == [] and p["last"] is None
    ctx.page_script_hash = "h-a2"  # the next run names its page: that is published
    room._publish(p)
    assert [a[2]["page"] for a in published] == ["pages/A2_gradient_descent.py"]

"""Present to the room: the teacher's screen, followed by the class (the Streamlit side of rooms).

The teacher presses **Present to the room** in the sidebar: the server opens a room (its code and
presenter secret, which stays in the teacher's session) and, after every rerun of the teacher's
page and a few times a second, publishes the page, its link's settings and Play's state.
A student who opens ``…/?room=GD-KMRT-4821`` follows: when the room changes, the server reruns
every session of this process that follows it (the store tells each process, Redis by
publish/subscribe), and that run opens the teacher's page with the teacher's settings — or, for a
move of the page's live sliders, a step or Play, reruns only the follower's lesson instrument (a
fragment: :func:`fast_live`). The server also looks at its followers' rooms every few seconds, for
a change lost on its way (where it cannot rerun a session, each follower's browser looks twice a
second instead). **Explore on my own** stops following; **Follow the teacher** jumps back.

For the lesson instrument (Play runs in the browser): on the teacher's side call
``presenter_state(playing=..., speed=...)`` whenever Play starts, stops or changes speed; on a
student's side ``follow_state()`` says whether the teacher is playing, at what speed, since when.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

import streamlit as st

from gdviz import rooms
from gdviz.ui import controls, link, nav

ROOM = "room"  # the join link's key
PRESENT = "_gdviz_room_present"
FOLLOW = "_gdviz_room_follow"
TRIED = "_gdviz_room_tried"
SHOW_LINK = "_gdviz_room_show_link"
#: Seconds between a follower's looks at the room (one revision read each) where the server cannot
#: rerun a session by itself (see :func:`_room_changed`).
POLL_SECONDS = 0.5
#: Where it can, the server reruns a follower the moment its room changes, and the look is only a
#: fallback (a change lost on its way, a room that expired): 30 followers looking twice a second
#: kept a third of the server's one Python core busy with Streamlit's per-run overhead.
PUSHED_POLL_SECONDS = 5.0  # the server's own look then (_watch), not the browser's
#: Seconds between the presenter's checks for a change the rerun made after setup() (a slider's
#: new value reaches the link while the page runs, after this module published).
PRESENTER_SECONDS = 0.25
#: The presenter's heartbeat keeps its room open while the page sits still.
HEARTBEAT_SECONDS = 60.0
_NOT_FOLLOWED = {ROOM, link.LECTURE}
ITERATION = "iteration"  # the instrument's cursor in the link


# -- what the instrument calls ----------------------------------------------------------------
def presenting() -> bool:
    return PRESENT in st.session_state


def following() -> bool:
    f = st.session_state.get(FOLLOW)
    return bool(f and f["following"] and not f["closed"])


def presenter_state(*, playing: bool, speed: float = 1.0) -> bool:
    """Teacher's side: Play's state, published to the room at once with the page and its link.
    Returns True when this session presents a room (False: nothing to do)."""
    p = st.session_state.get(PRESENT)
    if p is None:
        return False
    p["playing"], p["speed"] = bool(playing), float(speed)
    _publish(p)
    return True


def fast_follow() -> bool:
    """Whether this session's lesson instrument follows in a fragment of its own (see
    :func:`gdviz.ui.instrument.show`): it follows a room, and the server can rerun it by itself."""
    return following() and not presenting() and _can_rerun()


def link_now() -> dict:
    """This run's link without the follower's own keys (room, lecture)."""
    return _query()


def in_fragment_run() -> bool:
    """True in a run of a fragment alone (not a full run of the page)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx  # noqa: PLC0415

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def register_fragment(link_then: dict, live_names: Sequence[str]) -> None:
    """The fragment now running is this session's instrument, drawn by a full run whose link was
    ``link_then``: the server reruns just it when the room's change is one :func:`fast_live` can
    show (:func:`_pump`). A full run forgets it (:func:`follow_first`) unless it draws it again."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx  # noqa: PLC0415

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    try:  # Streamlit 1.67 keeps the running fragment in a context variable; earlier, on the context
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState  # noqa: PLC0415

        fid = ThreadState.get().fragment_id
    except (ImportError, RuntimeError, AttributeError):
        fid = getattr(ctx, "current_fragment_id", None)
    if fid:
        with _FOLLOWERS_LOCK:
            _FRAGMENTS[ctx.session_id] = (fid, current_page(), dict(link_then), tuple(live_names))


def fast_live(link_then: dict, live_names: Sequence[str]) -> dict | None:
    """A follower's instrument fragment: the teacher's text for each of ``live_names`` (None for
    a name the teacher's link leaves out), once the room has been looked at and its state is the
    page of ``link_then`` with only these live settings, the iteration or Play changed. The link
    (and the run's snapshot of it) takes them. None when only a full run can show the room's
    state: another page, another setting, a room that closed or stopped being followed."""
    f = st.session_state.get(FOLLOW)
    if not following():
        return None
    with contextlib.suppress(rooms.Unavailable):  # unreachable for a moment: what it said last
        _look(rooms.store(), f)
    state = f["state"]
    if f["closed"] or not f["following"] or not state or state["page"] != current_page():
        return None
    if not _only_live(state, link_then, live_names):
        return None
    query = _followed_query(state)
    raw = st.session_state.setdefault(link.RAW_QUERY, {})
    for k in _changeable(live_names):
        if k in query:
            st.query_params[k] = query[k]
            raw[k] = [query[k]]
        else:
            if k in st.query_params:
                del st.query_params[k]
            raw.pop(k, None)
    if f["applied"] != f["rev"]:
        _fast_at(f)
    f["applied"] = f["rev"]
    _seen(f)
    return {k: query.get(k) for k in live_names}


def _followed_query(state: dict) -> dict:
    """The room's link as a follower takes it (without the follower's own keys)."""
    return {k: v for k, v in state["query"].items() if k not in _NOT_FOLLOWED}


def _changeable(live_names: Sequence[str]) -> set[str]:
    """The link's keys a follower's instrument fragment can change: its live settings, the iteration."""
    return set(live_names) | {ITERATION}


def _only_live(state: dict, link_then: dict, live_names: Sequence[str]) -> bool:
    """Whether the room's ``state`` differs from a page whose full run had ``link_then`` by its
    live settings and iteration only (Play aside): what the instrument's fragment can show."""
    query = _followed_query(state)
    return not any(query.get(k) != link_then.get(k) for k in (set(query) | set(link_then)) - _changeable(live_names))


def follow_state() -> dict | None:
    """Student's side: ``{playing, speed, revision, updated_at, query}`` of the teacher's last
    state while following (``query`` has ``iteration``), else None."""
    f = st.session_state.get(FOLLOW)
    if not following() or not f.get("state"):
        return None
    s = f["state"]
    return {k: s[k] for k in ("playing", "speed", "revision", "updated_at")} | {"query": dict(s["query"])}


# -- page setup -------------------------------------------------------------------------------
def setup() -> None:
    """Called by page.setup() on every page, after the sidebar's lesson list."""
    text = controls.claim(ROOM)
    try:
        store = rooms.store()
    except rooms.RoomError as e:
        with st.sidebar:
            st.caption(f"Rooms are off: {e}")
        return
    if text is not None and not presenting():
        _join_from_link(store, text)
    if presenting():  # first, so the sidebar can say what came of it
        _publish(st.session_state[PRESENT])
    with st.sidebar:
        st.caption("Teaching")
        if presenting():
            _presenter_sidebar(store)
        else:
            st.button("Present to the room", key="_gdviz_room_start", on_click=_start, args=(store,),
                      help="Open a room: students who open its link or scan its QR code follow "
                           "this screen (page, settings, Play) until they choose to explore.")
    p = st.session_state.get(PRESENT)
    if p is not None:
        _timer(_presenter_tick, PRESENTER_SECONDS)
        if link.lecture() and st.session_state.get(SHOW_LINK, True):
            _corner(p["code"])
    elif FOLLOW in st.session_state:
        _follower(store)
    tried = st.session_state.get(TRIED)
    if tried and tried.get("notice"):
        if "text" not in tried:  # about a room this session presented: said once
            st.warning(tried["notice"], icon="🚪")
            del st.session_state[TRIED]
        elif text == tried["text"]:  # about the join link, while the page has it
            st.warning(tried["notice"], icon="🚪")


def _timer(tick, seconds: float | None) -> None:
    """Run ``tick`` every ``seconds`` (a fragment), as the only element of a container of its own.

    Why the container: a timer that fires while a full run of the page is in flight is queued by
    the server and started the moment that run ends, and starting it drops the session's unsent
    messages that belong to the fragment — the fragment's own container from the full run among
    them — while the page's later elements stay. On a busy server (4+ followers) the browser then
    got element ``[0, k+1]`` without ``[0, k]``, threw "Bad delta path index" and closed its
    connection. Alone in a container made outside the fragment, the dropped block is that
    container's last child, so nothing after it is misplaced; the timer's own run sends it again.
    (tests/test_rooms_race.py replays the run's messages through Streamlit's queue and that drop.)
    """
    with st.container():
        st.fragment(tick, run_every=seconds)()


def _start(store) -> None:
    try:
        code, secret = store.create()
    except rooms.RoomError as e:
        st.session_state[TRIED] = {"notice": f"No room was opened: {e}."}
        return
    st.session_state.pop(FOLLOW, None)
    st.session_state[PRESENT] = {"code": code, "secret": secret, "last": None, "beat": 0.0,
                                 "playing": False, "speed": 1.0, "error": None}
    st.session_state.setdefault(SHOW_LINK, True)


def _end(store) -> None:
    p = st.session_state.pop(PRESENT, None)
    if p is not None:
        try:
            store.close(p["code"], p["secret"])
        except rooms.RoomError:
            pass  # closed already


def _presenter_sidebar(store) -> None:
    p = st.session_state[PRESENT]
    st.markdown(f"Presenting · room **{p['code']}**")
    st.caption(f"Join: {short_url(p['code'])}")
    if p.get("error"):
        st.warning(p["error"], icon="📡")
    st.toggle("Show the join link on screen", key=SHOW_LINK,
              help="In lecture mode, the room's QR code and link in a corner of the page.")
    st.button("End the room", key="_gdviz_room_end", on_click=_end, args=(store,),
              help="Close the room: students keep what they see and get a notice.")


# -- presenter --------------------------------------------------------------------------------
def current_page() -> str:
    """This run's page as a path from the project root (``pages/A2_gradient_descent.py``), ""
    when Streamlit cannot name it (a run asked for with an empty page hash, such as a timer's
    tick sent while the browser switched pages): never a guess, which a presenter would publish."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx  # noqa: PLC0415

    ctx = get_script_run_ctx()
    try:
        info = ctx.pages_manager.get_pages()[ctx.page_script_hash]
        from pathlib import Path  # noqa: PLC0415

        return Path(info["script_path"]).resolve().relative_to(nav.ROOT).as_posix()
    except (AttributeError, KeyError, ValueError, TypeError):
        return ""


def known_pages() -> set[str]:
    return {"app.py"} | {lp.relpath for lp in nav.lesson_pages()}


def _query() -> dict:
    return {k: st.query_params[k] for k in st.query_params.keys() if k not in _NOT_FOLLOWED}


def _publish(p: dict) -> None:
    """Publish the page, its link and Play when they changed (and a heartbeat now and then)."""
    state = {"page": current_page(), "query": _query(), "playing": p["playing"], "speed": p["speed"]}
    if not state["page"]:
        return  # a run whose page is unknown: the room keeps its last state (the next run sends it)
    now = time.monotonic()
    if state == p["last"] and now - p["beat"] < HEARTBEAT_SECONDS:
        return
    store = rooms.store()
    try:
        store.publish(p["code"], p["secret"], state)
    except rooms.BadState as e:
        p["error"] = f"This page's settings were not sent to the room: {e}."
        p["last"], p["beat"] = state, now  # said once; the heartbeat below keeps the room open
        with contextlib.suppress(rooms.RoomError):
            store.heartbeat(p["code"], p["secret"])
        return
    except rooms.Refused:
        st.session_state.pop(PRESENT, None)
        st.session_state[TRIED] = {"notice": f"The room {p['code']} had closed; press Present to the "
                                             "room to open a new one."}
        return
    except rooms.Unavailable as e:
        p["error"] = f"{e}; trying again."
        return
    else:
        p["error"] = None
    p["last"], p["beat"] = state, now


def _presenter_tick() -> None:
    p = st.session_state.get(PRESENT)
    if p is not None:
        _publish(p)


def base_url() -> str:
    """The app's address as the browser sees it, without the page's own path."""
    url = st.context.url or ""
    parts = urlsplit(url)
    path = parts.path
    here = current_page()
    stem = here.rsplit("/", 1)[-1].removesuffix(".py")
    if here not in ("", "app.py") and path.rstrip("/").endswith("/" + stem):
        path = path.rstrip("/")[: -len(stem)]
    if not path.endswith("/"):
        path += "/"
    if not parts.netloc:
        return "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def join_url(code: str) -> str:
    return f"{base_url()}?{ROOM}={code}"


def short_url(code: str) -> str:
    return join_url(code).split("://", 1)[-1]


@functools.lru_cache(maxsize=16)
def qr_img(text: str, scale: int = 5) -> str:
    """The QR code of ``text`` as an ``<img>`` (an SVG data URI): Streamlit's HTML sanitiser drops
    inline ``<svg>``, so the picture goes in as an image the browser decodes."""
    import html  # noqa: PLC0415

    import segno  # noqa: PLC0415

    qr = segno.make(text, error="m")
    side = qr.symbol_size(scale=scale)[0]
    uri = qr.svg_data_uri(scale=scale, dark="#000000", light="#ffffff")
    return (f'<img src="{html.escape(uri, quote=True)}" width="{side}" height="{side}" '
            f'alt="{html.escape("QR code of " + text, quote=True)}" style="display:block; margin:0 auto">')


def _corner(code: str) -> None:
    url = join_url(code)
    st.html(
        # top right, beside the lesson's title and its folded sections: at the bottom it covered
        # the run's metrics on a 1280×720 projector
        "<div class='gd-room-corner' data-testid='gd-room-corner' style='position:fixed; right:1rem; "
        "top:3.2rem; z-index:1000001; background:#fff; border:2px solid #000; padding:0.4rem 0.6rem; "
        "text-align:center; font-family:sans-serif'>"
        f"{qr_img(url, scale=4)}<div style='font-size:1.3rem; font-weight:700'>{code}</div>"
        f"<div style='font-size:1rem'>{short_url(code)}</div></div>")


# -- follower ---------------------------------------------------------------------------------
def client_id() -> str:
    """Who counts as one client for the join limit: the connection's IP address; behind a local
    proxy (the connection comes from this machine) the address the proxy says it forwarded."""
    ip = st.context.ip_address
    if isinstance(ip, str) and ip:
        return ip
    try:
        headers = st.context.headers
        forwarded = headers.get("X-Real-Ip") or (headers.get("X-Forwarded-For") or "").split(",")[-1].strip()
    except (AttributeError, TypeError):
        forwarded = None
    if isinstance(forwarded, str) and forwarded:
        return forwarded
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx  # noqa: PLC0415

    ctx = get_script_run_ctx()
    return "local:" + (ctx.session_id if ctx else "")


def _join_from_link(store, text: str) -> None:
    code = rooms.normalize_code(text)
    f = st.session_state.get(FOLLOW)
    if code is not None and f is not None and f["code"] == code:
        return  # joined already
    tried = st.session_state.get(TRIED) or {}
    if tried.get("text") == text:
        return  # this link was answered already: a rerun is not a new attempt
    st.session_state[TRIED] = tried = {"text": text, "notice": None}
    if code is None:
        tried["notice"] = (f"The link's room {controls.literal(text)} is not a room code "
                           "(they look like GD-KMRT-4821).")
        return
    try:
        if not store.allow_join(client_id()):
            tried["notice"] = (f"Too many attempts to join a room from here: wait a minute, "
                               f"then open the link again (at most {rooms.JOINS_PER_MINUTE} a minute).")
            return
        state = store.read(code)
    except rooms.RoomError as e:
        tried["notice"] = f"The room could not be joined: {e}."
        return
    if state is None:
        tried["notice"] = (f"There is no open room {code}: it has ended, or the code is mistyped. "
                           "This page works on its own.")
        return
    st.session_state[FOLLOW] = {"code": code, "following": True, "rev": None, "applied": None,
                                "state": None, "closed": False}


_LOOKED = "_gdviz_room_looked"


def follow_first() -> None:
    """A follower's look at the room, first thing in every run (page.setup calls it before it
    draws anything): when the teacher has moved on, the switch to the teacher's page and link
    happens before this run has drawn the sidebar, so the run it ends costs next to nothing."""
    direct = _forget_fragment()
    f = st.session_state.get(FOLLOW)
    st.session_state[_LOOKED] = f is not None and not presenting()
    if st.session_state[_LOOKED]:
        try:
            _look_and_apply(rooms.store(), f)
        except rooms.RoomError:
            st.session_state[_LOOKED] = False  # setup() says why rooms are off
    if direct and ROOM in st.query_params:  # the server opened this page: the browser's address follows
        st.query_params[ROOM] = st.query_params[ROOM]


def _look_and_apply(store, f: dict) -> None:
    # Did the browser's last full run of this page start the timer? (Its ticks carry this page.)
    f["timer_before"], f["timer"] = f.get("timer", False), False
    if f["following"] and not f["closed"]:
        with contextlib.suppress(rooms.Unavailable):  # unreachable for a moment: the next look
            _look(store, f)
        if not f["closed"] and f["applied"] != f["rev"]:
            _apply(f)  # may switch page: from the page's own run, before it draws anything


def _follower(store) -> None:
    f = st.session_state[FOLLOW]
    if not st.session_state.pop(_LOOKED, False):  # joined in this run: its first look
        _look_and_apply(store, f)
    if f["closed"]:
        _listen(store, None)
        st.warning(f"The room {f['code']} has closed: the teacher ended it (or left it for two "
                   "hours). You keep what you see.", icon="🚪")
        st.button("Dismiss", key="_gdviz_room_dismiss", on_click=lambda: st.session_state.pop(FOLLOW, None))
        return
    if f["following"]:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(f"Following the teacher · room {f['code']}")
            st.button("Explore on my own", key="_gdviz_room_explore", on_click=_explore,
                      help="Stop following: keep this page and its settings, and change them yourself.")
        # The timer only looks: when the room moved it reruns the page, whose run switches.
        if f.get("go"):  # the switch waits for the browser's answer: no ticking meanwhile
            _timer(_follow_tick, None)
            _go_first(f)
        if _listen(store, f["code"]):
            _seen(f)  # the server reruns this session when the room moves (and looks every few s)
        else:  # this server cannot: the browser's timer looks twice a second
            _timer(_follow_tick, POLL_SECONDS)
            f["timer"] = True
    else:
        _listen(store, None)
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(f"Exploring on your own · room {f['code']}")
            st.button("Follow the teacher", key="_gdviz_room_follow_again", on_click=_follow_again)


# -- push: the server reruns the sessions that follow a room when it changes -------------------------
_FOLLOWERS: dict[str, set[str]] = {}  # room code -> this process's sessions following it
_FOLLOWERS_LOCK = threading.Lock()
_HEARD: set[int] = set()  # the stores this process listens to (id)
#: session id -> (its instrument's fragment, page, the link of the full run that drew it, live names)
_FRAGMENTS: dict[str, tuple[str, str, dict, tuple]] = {}
_SEEN: dict[str, tuple[str, int | None]] = {}  # session id -> (room, revision) its last run showed
_TARGET: dict[str, dict | None] = {}  # session id -> its room's state when it was queued


#: Seconds of a quiet room after which a follower whose instrument alone followed the teacher is
#: rerun whole (one run): the page's other parts (the log under its expander) then show the
#: teacher's setting too. A teacher's burst of moves costs each follower one full run, not one per move.
SETTLE_SECONDS = 8.0
_FAST_AT: dict[str, tuple[str, float]] = {}  # session id -> (room, when its fragment last took a change)
_WHOLE: set[str] = set()  # sessions whose next pushed rerun is the whole page


def _session_id() -> str | None:
    """This run's session, None outside a run."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx  # noqa: PLC0415

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _fast_at(f: dict) -> None:
    sid = _session_id()
    if sid is not None:
        with _FOLLOWERS_LOCK:
            _FAST_AT[sid] = (f["code"], time.monotonic())


def _settling(now: float) -> list[tuple[str, str]]:
    """(room, session) of the followers whose instrument took the room's last change alone at
    least SETTLE_SECONDS ago (and whose page has not run whole since); each is said once."""
    with _FOLLOWERS_LOCK:
        due = [(code, sid) for sid, (code, at) in _FAST_AT.items() if now - at >= SETTLE_SECONDS]
        for _, sid in due:
            del _FAST_AT[sid]
    return due


def _seen(f: dict) -> None:
    """This follower's run shows room revision ``f["rev"]`` (for the server's look, :func:`_lagging`)."""
    sid = _session_id()
    if sid is not None:
        with _FOLLOWERS_LOCK:
            _SEEN[sid] = (f["code"], None if f["closed"] else f["rev"])


def _forget_fragment() -> bool:
    """A full run starts: this session's instrument fragment is forgotten until the run draws it.
    True when the run is a push that opened the room's page itself (:func:`_to_page`)."""
    sid = _session_id()
    if sid is None:
        return False
    with _FOLLOWERS_LOCK:
        _FRAGMENTS.pop(sid, None)
        _FAST_AT.pop(sid, None)
        direct = sid in _DIRECT
        _DIRECT.discard(sid)
    return direct


def _listen(store, code: str | None) -> bool:
    """This session hears of room ``code``'s changes at once (None: of no room's). False where the
    server cannot rerun a session by itself (then the follower looks often instead)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx  # noqa: PLC0415

    ctx = get_script_run_ctx()
    on_change = getattr(store, "on_change", None)
    if ctx is None or on_change is None or not _can_rerun():
        return False
    with _FOLLOWERS_LOCK:
        for c in list(_FOLLOWERS):
            if c != code:
                _FOLLOWERS[c].discard(ctx.session_id)
                if not _FOLLOWERS[c]:
                    del _FOLLOWERS[c]
        if code is None:
            return True
        _FOLLOWERS.setdefault(code, set()).add(ctx.session_id)
        heard = id(store) in _HEARD
        _HEARD.add(id(store))
    if not heard:
        on_change(_room_changed)
        threading.Thread(target=_watch, args=(store,), name="gdviz-room-watch", daemon=True).start()
    return True


def _lagging(store) -> list[tuple[str, str]]:
    """(room, session) of this process's followers whose last run showed another revision than
    their room's now (a change whose push was lost, a room that expired)."""
    with _FOLLOWERS_LOCK:
        followed = {code: list(sids) for code, sids in _FOLLOWERS.items()}
        seen = dict(_SEEN)
    out = []
    for code, sids in followed.items():
        try:
            rev = store.revision(code)
        except rooms.RoomError:
            continue  # unreachable for a moment: the next look
        out += [(code, sid) for sid in sids if sid in seen and seen[sid] != (code, rev)]
    return out


def _watch(store) -> None:
    """The server's own look at its followers' rooms every PUSHED_POLL_SECONDS (a thread per
    process): in place of a timer in each follower's browser, whose ticks cost a run each and,
    in flight during a page switch, needed the switch done in two steps (:func:`_go_first`)."""
    while True:
        time.sleep(PUSHED_POLL_SECONDS)
        with contextlib.suppress(Exception):  # the server is stopping, a session is ending
            for whole, due in ((False, _lagging(store)), (True, _settling(time.monotonic()))):
                by_room: dict[str, list[str]] = {}
                for code, sid in due:
                    by_room.setdefault(code, []).append(sid)
                for code, sids in by_room.items():
                    _push(code, sids, whole=whole)


def _can_rerun() -> bool:
    from streamlit import runtime  # noqa: PLC0415
    from streamlit.runtime.app_session import AppSession  # noqa: PLC0415

    return runtime.exists() and hasattr(runtime.get_instance(), "get_app_session") and hasattr(AppSession, "request_rerun")


def _room_changed(code: str) -> None:
    """A room changed (here or in another process): rerun this process's sessions that follow it."""
    with _FOLLOWERS_LOCK:
        sessions = list(_FOLLOWERS.get(code, ()))
    _push(code, sessions)


def _push(code: str, sessions: list[str], whole: bool = False) -> None:
    from streamlit import runtime  # noqa: PLC0415

    if not sessions or not runtime.exists():
        return
    try:  # which page the room shows: a follower on another page reruns whole at once
        state = rooms.store().read(code)
    except rooms.RoomError:
        state = None
    rt = runtime.get_instance()
    for sid in sessions:
        session = rt.get_app_session(sid)
        loop = getattr(session, "_event_loop", None)
        if session is None or loop is None:
            with _FOLLOWERS_LOCK:
                _FOLLOWERS.get(code, set()).discard(sid)
                _FRAGMENTS.pop(sid, None)
                _SEEN.pop(sid, None)
            continue
        try:
            if whole:
                with _FOLLOWERS_LOCK:
                    _WHOLE.add(sid)
            loop.call_soon_threadsafe(_queue, session, loop, state)
        except RuntimeError:  # the server is stopping
            return


#: Followers rerun at once, at most: a class rerun all together shares one Python core 30 ways,
#: the teacher's new run (which the followers' runs wait for) included; a few at a time, the first
#: are there sooner and the last no later.
PUSH_AT_ONCE = 2
_PUSH_QUEUE: list = []   # sessions waiting for their rerun (event loop only)
_PUSHED: list = []       # sessions rerun by the push whose run has not ended yet
_PUMP_SECONDS = 0.01


def _queue(session, loop, state: dict | None = None) -> None:  # on the event loop
    _TARGET[session.id] = state
    if session not in _PUSH_QUEUE and session not in _PUSHED:
        _PUSH_QUEUE.append(session)
    if len(_PUSH_QUEUE) == 1 and not _PUSHED:
        _pump(loop)


def _running(session) -> bool:
    return getattr(session, "_scriptrunner", None) is not None


def _pump(loop) -> None:  # on the event loop
    """Start the next followers' reruns as earlier ones end (one look every few ms while any wait)."""
    _PUSHED[:] = [s for s in _PUSHED if _running(s)]
    waiting = list(_PUSH_QUEUE)
    _PUSH_QUEUE.clear()
    for session in waiting:
        last = getattr(session, "_client_state", None)
        if len(_PUSHED) >= PUSH_AT_ONCE or _running(session):
            _PUSH_QUEUE.append(session)  # busy with a run of its own: rerun once that ends
            continue
        if last is None:
            continue
        session.request_rerun(_rerun_state(session, last))
        _PUSHED.append(session)
    if _PUSH_QUEUE or _PUSHED:
        loop.call_later(_PUMP_SECONDS, _pump, loop)


#: Widget values that are events (a click, a slider's release): the browser sent them once, and a
#: rerun the server starts must not replay them.
_EVENTS = ("trigger_value", "string_trigger_value", "json_trigger_value", "chat_input_value")


def _rerun_state(session, last):
    """What a pushed rerun runs with: the browser's last client state (its page, link and widgets)
    without its one-shot events; only the session's instrument fragment where it has one (the
    fragment can show the room's change), else the whole page."""
    from streamlit.proto.ClientState_pb2 import ClientState  # noqa: PLC0415

    state = ClientState()
    state.CopyFrom(last)
    kept = [w for w in state.widget_states.widgets if w.WhichOneof("value") not in _EVENTS]
    del state.widget_states.widgets[:]
    state.widget_states.widgets.extend(kept)
    with _FOLLOWERS_LOCK:
        fid, page, link_then, live_names = _FRAGMENTS.get(session.id, ("", None, {}, ()))
    has = getattr(session, "has_fragment", None)
    target = _TARGET.pop(session.id, None)
    with _FOLLOWERS_LOCK:
        whole = session.id in _WHOLE
        _WHOLE.discard(session.id)
    fast = not whole and bool(target) and target["page"] == page and _only_live(target, link_then, live_names)
    state.fragment_id = fid if fid and fast and has is not None and has(fid) else ""
    state.is_auto_rerun = False
    if not state.fragment_id and target:
        _to_page(session, state, target)
    return state


_DIRECT: set[str] = set()  # sessions whose pushed run opens the room's page itself (follow_first)


def _to_page(session, state, target: dict) -> None:
    """A pushed rerun of a follower the fragment cannot bring up to date runs the room's page with
    the room's link at once, as the follower's own switch (``st.switch_page``) would: one run
    instead of a run that switches. (gdviz binds its controls to the link by hand, each seeded
    when the link's text for it changes: ``controls._seed``.)"""
    import os  # noqa: PLC0415
    from urllib.parse import parse_qsl, urlencode  # noqa: PLC0415

    if target["page"] not in known_pages():
        return
    want = os.path.realpath(nav.ROOT / target["page"])
    try:
        pages = session._pages_manager.get_pages()  # noqa: SLF001  (no public way from the event loop)
        page_hash = next(h for h, info in pages.items() if os.path.realpath(info["script_path"]) == want)
    except (AttributeError, KeyError, StopIteration, TypeError):
        return
    own = [(k, v) for k, v in parse_qsl(state.query_string, keep_blank_values=True) if k in _NOT_FOLLOWED]
    query = list(_followed_query(target).items())
    state.page_script_hash, state.page_name = page_hash, ""
    state.query_string = urlencode(query + own)
    _DIRECT.add(session.id)


def _look(store, f: dict) -> None:
    """Read the room's revision (and its state when it moved); a closed room marks ``f`` closed."""
    rev = store.revision(f["code"])
    if rev is not None and rev != f["rev"]:
        state = store.read(f["code"])
        rev = None if state is None else state["revision"]
        f["state"], f["rev"] = state, rev
    if rev is None:
        f["closed"], f["following"] = True, False


def _follow_again() -> None:
    f = st.session_state.get(FOLLOW)
    if f is not None:
        f["following"], f["applied"] = True, None


def _explore() -> None:
    f = st.session_state.get(FOLLOW)
    if f is not None:
        f["following"] = False


def _follow_tick() -> None:
    f = st.session_state.get(FOLLOW)
    if f is not None and f.get("go"):
        return  # a tick sent before the browser dropped this timer: the browser's answer switches
    if f is None or not f["following"] or f["closed"]:
        st.rerun(scope="app")  # no longer following: draw the page without the timer
    try:
        _look(rooms.store(), f)
    except rooms.Unavailable:
        return  # the room server is unreachable for a moment: look again at the next tick
    moved = f["applied"] != f["rev"]
    if not f["closed"] and moved and f["state"] and f["state"]["page"] == current_page():
        _apply(f)  # the same page with another link: switched from here, one full run instead of two
    if f["closed"] or moved:
        st.rerun(scope="app")  # (the same link: Play or Pause, which the page's run passes on)


def _apply(f: dict) -> None:
    """Open the teacher's page with the teacher's settings (once per revision)."""
    state = f["state"]
    f["applied"] = f["rev"]
    target = state["page"]
    if target not in known_pages():
        return  # a page this server does not have: stay
    query = {k: v for k, v in state["query"].items() if k not in _NOT_FOLLOWED}
    if target == current_page() and query == _query():
        return
    query[ROOM] = f["code"]
    if link.lecture():
        query[link.LECTURE] = "true"
    answered = f.get("go") is not None and f.get("go_answered") == f["go"]
    f["go"] = f["go_answered"] = None
    if target != current_page() and f.get("timer_before") and not answered:
        # another page while the browser's timer may still tick: the safe way round (_go_first)
        f["applied"] = None  # the answering run applies the revision
        f["go"] = f"{f['code']}:{f['rev']}"
        return
    _open(target, query)


#: A one-shot trigger: the browser answers it at once (a full rerun of the page it is on).
_GO_JS = """const answered = new WeakMap();  // per mounted element: the token it answered
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const token = data && data.go ? String(data.go) : "";
  if (token && answered.get(parentElement) !== token) {
    answered.set(parentElement, token);
    setTriggerValue("go", token);
  }
  return () => {};
}"""
_GO = st.components.v2.component("gdviz_room_go", js=_GO_JS)


def _go_first(f: dict) -> None:
    """Switch page in two steps when the browser's timer may be ticking (never stops the run's
    caller otherwise: this ends the run).

    A tick the browser sent before it heard of a switch carries the page it was on; the server
    queues it and, after the new page's run, runs the timer for *that* page: its new_session
    message takes the browser back to the old page, empties it and breaks the connection ("Bad
    delta path index 1 (should be between [0, 0])"; seen with 6 followers). So: this run draws
    the page without the timer (the browser drops its timers at the start of every full run) and
    a one-shot trigger; the browser answers it from the page it is on, and that run switches.
    Ticks still on their way arrive before the answer: the timer is still there for them (same
    place, no ``run_every``, so the browser starts no new one) and they do nothing."""
    _GO(key="_gdviz_room_go", data={"go": f["go"]}, on_go_change=_go_answered)
    st.stop()


def _go_answered() -> None:
    f = st.session_state.get(FOLLOW)
    if f is not None:
        f["go_answered"] = f.get("go")


def _open(target: str, query: dict) -> None:
    """Switch to ``target`` as if its link had just been opened: its controls take the link's
    values (or their defaults), not the values this session had.

    Streamlit lets a link seed a control only on its first run, and refuses to set a link key that
    a control is bound to: so the bindings are let go and the controls' values forgotten first."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx  # noqa: PLC0415

    ctx = get_script_run_ctx()
    bound: list[str] = []
    try:
        with ctx.session_state.query_params() as qp:
            bindings = dict(qp._bindings_by_param)
            for key, binding in bindings.items():
                qp.unbind_widget(binding.widget_id)
                bound.append(key)
    except AttributeError:  # a Streamlit without these internals: settings may stay behind
        pass
    for key in bound:
        if key in st.session_state:
            del st.session_state[key]
    st.switch_page(str(nav.ROOT / target), query_params=query)



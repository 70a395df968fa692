"""The lesson instrument: a stepped lesson's charts, metrics and arithmetic drawn in the browser.

A Streamlit Custom Component v2 (no iframe) whose JS and CSS are the files beside this module.
Python computes everything it shows:

- the **committed run** (the settings in the page's link) with a frame for every iteration, so
  Play, Step, Step back, Reset and the timeline run in the browser with no server rerun;
- for every **live slider**, one run per value on the slider's own grid (the others held at their
  committed values), each with the frame under the cursor, so dragging redraws on every input
  event; releasing commits the value once (one rerun), which puts it in the link.

A page declares its live settings once, as :class:`~gdviz.experiments.base.Param` s (name,
range, step or choices, help): the sliders, the link and the checks all read them from there.
Values sent back by the browser are checked like link values; a bad one leaves everything as it
was and says so. The browser formats nothing: every number it shows was formatted here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import shutil
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from gdviz.core.run import MAX_ITERATIONS
from gdviz.experiments.base import Experiment, Param
from gdviz.figures import live as live_figs
from gdviz.figures import theme
from gdviz.ui import controls, nav, page, runs

HERE = Path(__file__).resolve().parent
JS = (HERE / "instrument.js").read_text(encoding="utf-8")
CSS = (HERE / "instrument.css").read_text(encoding="utf-8")
_COMPONENT = st.components.v2.component("gdviz_instrument", js=JS, css=CSS, isolate_styles=False)

#: Play speeds offered (frames per second); at most one frame per display frame, so none is skipped.
SPEEDS = (1, 2, 4, 8, 15, 30, 60)
ITERATION = "iteration"
#: A page's payload is cached per setting for the whole server (read-only strings).
CACHE_ENTRIES = 96


def _serve_plotly() -> None:
    """Put the plotly wheel's own plotly.min.js where Streamlit's static serving finds it
    (``static/gdviz/`` beside app.py; ``server.enableStaticServing``): nothing comes from a CDN."""
    import plotly  # noqa: PLC0415

    src = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    dst = nav.ROOT / "static" / "gdviz" / "plotly.min.js"
    try:
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            dst.parent.mkdir(parents=True, exist_ok=True)
            tmp = dst.with_suffix(".tmp")
            shutil.copyfile(src, tmp)
            tmp.replace(dst)
    except OSError:  # read-only install: the file must have been put there beforehand
        pass


_serve_plotly()


# --- live settings -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Live:
    """A live slider: a setting (``param``) and the values it offers (its grid)."""

    param: Param
    values: tuple = field(default=())

    @property
    def name(self) -> str:
        return self.param.name

    def grid(self) -> tuple:
        return self.values or self.param.grid()

    def text(self, value) -> str:
        """A value as the slider and the link write it."""
        return str(int(value)) if self.param.kind == "int" else repr(float(value))


def live(param: Param, values: Sequence | None = None) -> Live:
    return Live(param, tuple(values) if values is not None else ())


#: The live settings' defaults of this run's page (what a link without them means), for a follower
#: whose instrument takes the teacher's live settings without a full run (:func:`show`).
_LIVE_DEFAULTS = "_gdviz_instrument_live_defaults"


def read_settings(lives: Sequence[Live], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Each live setting from the page's link, or the lesson's default; a bad link value is
    refused with a notice (and the default used)."""
    out, used = {}, {}
    for lv in lives:
        used[lv.name] = default = defaults.get(lv.name, lv.param.default)
        out[lv.name] = controls.link_value(lv.param, lv.grid(), default)
    st.session_state[_LIVE_DEFAULTS] = used
    return out


def read_iteration(n_most: int) -> int:
    """The iteration under the cursor, from the link (1 when it says nothing)."""
    text_values = controls.claim_all(ITERATION)
    if not text_values:
        return 1
    p = Param(ITERATION, ITERATION, 1, kind="int", lo=1, hi=MAX_ITERATIONS)
    return controls.link_value(p, None, 1, values=text_values)


# --- the payload -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """What a page shows in its instrument (see :func:`show`)."""

    key: str
    exp: Experiment
    lives: tuple[Live, ...]
    view: Callable  # (run, at) -> view dict (gdviz.figures.live)
    charts: Callable  # (run, lecture=...) -> {chart id: template figure dict}
    columns: tuple  # e.g. (("bowl",), ("metrics", "errors")): one row of columns of chart ids
    widths: tuple = (3, 2)
    #: More rows below the first: ((columns, widths), ...), e.g. (((("errors",), ("metrics",)), (3, 2)),)
    more_rows: tuple = ()
    unit: str = "iteration"
    simulate: Callable | None = None  # (settings, iterations) -> run; default gdviz.ui.runs.simulate(exp)
    simulate_many: Callable | None = None  # (list of settings, iterations) -> runs; default exp.runs
    redraw: frozenset = frozenset()  # charts that need a full redraw per frame (heatmaps, 3-D)
    speed: int | None = None
    title: str = ""  # the caption of an exported GIF (default: the experiment's title)


def _default_speed(n: int) -> int:
    for s in SPEEDS:
        if n / s <= 8:  # a run plays in about 8 s at most, never skipping a frame
            return s
    return SPEEDS[-1]


def _simulate(spec: Spec):
    return spec.simulate or runs.simulate(spec.exp)


def _base_json(spec: Spec, settings: dict, iterations: int, lecture: bool) -> tuple[str, int, str]:
    """The committed run's part of the payload (every frame, the charts) as a JSON object, the
    run's length, and the sliders (``"live":[...]``, for the payload's head). Independent of the
    cursor."""
    run = _simulate(spec)(settings, iterations)
    base = spec.view(run, None)
    # each chart's template carries the committed run's first frame: right at first paint
    charts = {cid: live_figs.apply(fig, base, cid, 0) for cid, fig in spec.charts(run, lecture=lecture).items()}
    live_meta = []
    for lv in spec.lives:
        grid = lv.grid()
        live_meta.append({"name": lv.name, "label": lv.param.label, "help": lv.param.help,
                          "values": [lv.text(v) for v in grid], "index": grid.index(settings[lv.name])})
    templates = _dumps(charts)  # a template changes with a non-live setting (a gate, a learner): draw anew
    body = {
        "shape": hashlib.sha1(repr((spec.key, spec.columns, spec.more_rows, lecture,
                                    [lv.name for lv in spec.lives], templates)).encode()).hexdigest()[:12],
        "lecture": lecture, "unit": spec.unit, "speeds": list(SPEEDS),
        "speed": spec.speed or _default_speed(base["n"]),
        "rows": [{"columns": [list(c) for c in cols], "widths": list(w)}
                 for cols, w in ((spec.columns, spec.widths), *spec.more_rows)],
        "charts": [{"id": cid, "figure": fig, "redraw": cid in spec.redraw} for cid, fig in charts.items()],
        "base": base, "filename": spec.exp.name, "title": spec.title or spec.exp.title,
    }
    return _dumps(body), base["n"], '"live":' + _dumps(live_meta)  # frames, not records: C3 has four phases per record


def _grids_json(spec: Spec, settings: dict, iterations: int, at: int) -> str:
    """Every live slider's grid: one preview per value (the run with that value, the others
    held), at the frame ``at``."""
    return "{" + ",".join(f"{json.dumps(lv.name)}:{_grid_array(_grid(spec, settings, iterations, at, lv))}"
                          for lv in spec.lives) + "}"


def _grid(spec: Spec, settings: dict, iterations: int, at: int, lv: Live) -> tuple:
    """One live slider's previews with the other settings held: each value's view as JSON, None
    where no run can be made. The committed value's preview is made too, so one grid serves
    whatever this slider's committed value is (and every session whose other settings are these):
    moving a slider and letting it go computes the other sliders' grids afresh, never its own (on
    one-slider pages, no grid at all)."""
    made = (spec.simulate_many or spec.exp.runs)([{**settings, lv.name: v} for v in lv.grid()], iterations)
    return tuple(_dumps(_preview(spec.view(rv, at), at)) if rv is not None and len(rv.records) else None
                 for rv in made)


def _grid_array(previews: tuple) -> str:
    return "[" + ",".join("null" if g is None else g for g in previews) + "]"


def _dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False, default=_json_default)


def _body(spec: Spec, settings: dict, iterations: int, cursor: int, lecture: bool) -> str:
    """The payload without its head, computed afresh, as one JSON object: what :func:`resolve`
    makes of a page's payload (for tests and benchmarks; the page uses the caches)."""
    base, n, live_json = _base_json(spec, settings, iterations, lecture)
    return ("{" + live_json + "," + base[1:-1] + ',"grids":'
            + _grids_json(spec, settings, iterations, min(cursor, n - 1)) + "}")


#: A grid run's traces longer than this are thinned for the preview while dragging (the committed
#: run, drawn after release, keeps every point).
PREVIEW_POINTS = 150


def _preview(view: dict, at: int) -> dict:
    """A grid run's view as the browser needs it while dragging: paths cut at the cursor (no
    prefix), long traces thinned to :data:`PREVIEW_POINTS` (always keeping the last point)."""
    from gdviz.figures.live import dec, enc, xlin  # noqa: PLC0415

    for traces in view.get("run", {}).values():
        for idx, t in list(traces.items()):
            k = t.get("prefix")
            if k or any(isinstance(t.get(a), str) and t[a].count(",") >= PREVIEW_POINTS for a in ("x", "y")):
                t = dict(t)
                xs = xlin(t.pop("xlin")) if "xlin" in t else dec(t.get("x", ""))
                ys = dec(t.get("y", ""))
                if k:
                    m = (at + 1) * k
                    xs, ys = xs[:m], ys[:m]
                    del t["prefix"]
                if len(xs) > PREVIEW_POINTS:
                    step = -(-len(xs) // PREVIEW_POINTS)
                    keep = list(range(0, len(xs), step))
                    if keep[-1] != len(xs) - 1:
                        keep.append(len(xs) - 1)
                    xs, ys = [xs[i] for i in keep], [ys[i] for i in keep]
                t["x"], t["y"] = enc(xs), enc(ys)
                traces[idx] = t
    return view


def _json_default(o):
    import numpy as np  # noqa: PLC0415

    if isinstance(o, np.ndarray):
        return [finite(x) for x in o.tolist()]
    if isinstance(o, (np.floating, np.integer)):
        return finite(o.item())
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(f"not JSON: {type(o).__name__}")


def finite(x):
    return x if not isinstance(x, float) or math.isfinite(x) else None


# --- parts: served once per content, over HTTP ---------------------------------------------------
#: A payload's heavy parts (the committed run, each slider's grid) are not sent in the websocket
#: message: each is gzipped once, where it is computed, and served by Streamlit's media route
#: (``/media/<content hash>.gz``; the route does not compress ``application/gzip`` again); the
#: message carries their addresses and the browser fetches what it does not have. A class, a
#: room's followers and every rerun of a session that changed no part (a want, a step of the
#: cursor) share the same bytes, compressed once, where each rerun used to send megabytes
#: through the websocket's compression (C3's payload: ~90 ms of deflate per rerun per session).
PART_TYPE = "application/gzip"
PART_LEVEL = 6
#: The parts handed out last, by address, for :func:`read_part` where the server's media store
#: is out of reach (tests, tools): references to cached bytes, at most this many bytes in all.
_RECENT: dict[str, bytes] = {}
_RECENT_BYTES = 8 * 2**20
_recent_total = 0  # bytes in _RECENT
_LOCK = threading.Lock()


def _gzip(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), compresslevel=PART_LEVEL, mtime=0)


def _serve(gz: bytes, where: str) -> str:
    """The address of the part ``gz`` for this session's page (``where``: its place on the page;
    Streamlit serves it while the session's last full run has it)."""
    from streamlit import runtime  # noqa: PLC0415

    if runtime.exists():
        url = runtime.get_instance().media_file_mgr.add(gz, PART_TYPE, where)
    else:  # no server: an address only read_part() knows
        url = f"/media/{hashlib.sha1(gz).hexdigest()}.gz"
    global _recent_total
    with _LOCK:
        _recent_total += len(gz) - len(_RECENT.pop(url, b""))
        _RECENT[url] = gz
        while len(_RECENT) > 1 and _recent_total > _RECENT_BYTES:
            _recent_total -= len(_RECENT.pop(next(iter(_RECENT))))
    return url


def read_part(url: str):
    """A part by the address a payload gives, decoded (KeyError when it is not at hand)."""
    with _LOCK:
        gz = _RECENT.get(url)
    if gz is None:
        from streamlit import runtime  # noqa: PLC0415

        f = runtime.get_instance().media_file_mgr.read_file(url.rsplit("/", 1)[-1]) if runtime.exists() else None
        if f is None:
            raise KeyError(url)
        gz = f.content
    return json.loads(gzip.decompress(gz))


def resolve(text: str) -> dict:
    """A payload as the browser makes it: its head with the parts it names fetched and put in
    (``base`` and the other committed-run fields, ``grids`` by slider)."""
    head = json.loads(text)
    parts = head.pop("parts")
    return {**head, **read_part(parts["base"]),
            "grids": {name: read_part(url) for name, url in parts["grids"].items()}}


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached_base(_spec: Spec, spec_key: str, settings_key, iterations: int, lecture: bool, _settings: dict):
    """The committed run's part, gzipped, its length and its sliders (:func:`_base_json`)."""
    body, n, live_json = _base_json(_spec, _settings, iterations, lecture)
    return _gzip(body), n, live_json


@st.cache_resource(max_entries=4 * CACHE_ENTRIES, show_spinner=False)
def _cached_grid(_spec: Spec, spec_key: str, name: str, others_key, iterations: int, at: int,
                 _settings: dict) -> bytes:
    """:func:`_grid` as a gzipped part, keyed by the *other* settings (``others_key``), not this
    slider's value: the same part for every value of it."""
    return _gzip(_grid_array(_grid(_spec, _settings, iterations, at,
                                   next(lv for lv in _spec.lives if lv.name == name))))


def payload(spec: Spec, settings: dict, iterations: int, cursor: int, lecture: bool, rev: int,
            play: bool = False, speed: float | None = None, presenting: bool = False,
            grids_for: Sequence[str] | None = None) -> str:
    """The JSON the component gets: this session's cursor and revision, the sliders, and the
    addresses of the parts (cached per setting for the whole server, as read-only bytes: a class
    on one lesson shares them; a step only recomputes the grid previews at the new cursor).
    ``grids_for``: the sliders whose previews it carries (None: every slider's)."""
    # keyed by digests: Streamlit's cache hashes every element of a tuple key (C1's lights)
    key, skey = f"{spec.key}:{spec.exp.name}", runs.digest(settings)
    base, n, live_json = _cached_base(spec, key, skey, iterations, lecture, settings)
    at = min(max(cursor, 0), n - 1)
    lives = [lv for lv in spec.lives if grids_for is None or lv.name in grids_for]
    where = f"gdviz-instrument:{spec.key}"
    grids = ",".join(
        f"{json.dumps(lv.name)}:" + json.dumps(_serve(_cached_grid(
            spec, key, lv.name, runs.digest({k: v for k, v in settings.items() if k != lv.name}), iterations, at,
            settings), f"{where}:grid:{lv.name}")) for lv in lives)
    play = play and at < n - 1
    head = (f'{{"rev":{int(rev)},"iteration":{at + 1},"play":{"true" if play else "false"},'
            f'"presenting":{"true" if presenting else "false"},"gridsFor":{json.dumps([lv.name for lv in lives])},')
    if play and speed:
        head += f'"playSpeed":{float(speed)!r},'
    return (head + live_json + ',"parts":{"base":' + json.dumps(_serve(base, f"{where}:base"))
            + ',"grids":{' + grids + "}}}")


# --- state that belongs to the page --------------------------------------------------------------
def _state_key(spec: Spec) -> str:
    return f"_gdviz_instrument_{spec.key}"


def _sent(spec: Spec, field: str):
    """What the browser sent as ``field`` (commit, iteration, playing), or None."""
    value = st.session_state.get(f"{spec.key}_instrument", {})
    return value.get(field) if isinstance(value, Mapping) else getattr(value, field, None)


def check_commit(msg, lives: Sequence[Live]) -> tuple[str, str, int | None]:
    """What a released slider sent, checked like a link value: ``(name, value as the link writes
    it, iteration or None)``; ValueError naming what is wrong otherwise."""
    if not isinstance(msg, Mapping):
        raise ValueError("not a setting")
    name, index = msg.get("name"), msg.get("index")
    lv = next((x for x in lives if isinstance(name, str) and x.name == name), None)
    if lv is None:
        raise ValueError("no live setting by that name")
    grid = lv.grid()
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(grid):
        raise ValueError("not a step of that slider")
    it = msg.get("iteration")
    ok_it = isinstance(it, int) and not isinstance(it, bool) and 1 <= it <= MAX_ITERATIONS
    return lv.name, lv.text(grid[index]), it if ok_it else None


def _on_commit(spec: Spec, lives: tuple[Live, ...]) -> None:
    """A live slider was released: check what the browser sent, then put it in the link."""
    st.session_state[_ACTED] = True
    msg = _sent(spec, "commit")
    try:
        name, text, it = check_commit(msg, lives)
    except ValueError as err:
        controls.flash(f"A value sent by the browser was ignored ({err}); nothing changed.")
        return
    st.query_params[name] = text
    if it is not None:
        _set_iteration(it)
    _want(spec, name, keep=1)  # dragged once, likely again: its grid (kept for the others' values) stays
    _expect(spec)


#: How many sliders' grids a session's payloads carry once it has moved one: the slider asked for
#: last (the pointer reached it) and the one before, whose grid, made for the same settings, costs
#: nothing to keep. A release keeps the released slider's grid only (made for the others' values,
#: which did not change): keeping another would compute it afresh for the new value on every
#: release, a third of a class's server time (``make load``), for a slider maybe never moved again
#: (the pointer coming back to it asks for it then).
GRIDS_KEPT = 2


def _wanted_key(spec: Spec) -> str:
    return _state_key(spec) + "_wanted"


def _want(spec: Spec, name: str, keep: int = GRIDS_KEPT) -> None:
    """``name``'s grid goes into this session's payloads (first among ``keep``)."""
    names = [n for n in st.session_state.get(_wanted_key(spec), []) if n != name]
    st.session_state[_wanted_key(spec)] = [name, *names][:keep]


def _on_want(spec: Spec) -> None:
    """The pointer or the focus reached a live slider whose previews the browser lacks."""
    st.session_state[_ACTED] = True
    msg = _sent(spec, "want")
    name = msg.get("name") if isinstance(msg, Mapping) else None
    if not any(isinstance(name, str) and lv.name == name for lv in spec.lives):
        controls.flash("A slider asked for by the browser was ignored; nothing changed.")
        return
    _want(spec, name)
    _expect(spec)


def _on_iteration(spec: Spec) -> None:
    st.session_state[_ACTED] = True
    it = _sent(spec, "iteration")
    if isinstance(it, int) and not isinstance(it, bool) and 1 <= it <= MAX_ITERATIONS:
        _set_iteration(it)
        _expect(spec)
    else:
        controls.flash("An iteration sent by the browser was ignored; nothing changed.")


def _on_playing(spec: Spec) -> None:
    """Play started or stopped in the browser: the iteration goes into the link and, when this
    session presents a room, Play's state goes to the room at once (followers play along)."""
    st.session_state[_ACTED] = True
    msg = _sent(spec, "playing")
    if not (isinstance(msg, Mapping) and isinstance(msg.get("playing"), bool)):
        controls.flash("A Play state sent by the browser was ignored; nothing changed.")
        return
    it, speed = msg.get("iteration"), msg.get("speed")
    it = it if isinstance(it, int) and not isinstance(it, bool) and 1 <= it <= MAX_ITERATIONS else None
    speed = float(speed) if isinstance(speed, (int, float)) and not isinstance(speed, bool) and speed in SPEEDS else None
    st.session_state[PLAYING] = {"page": spec.key, "playing": msg["playing"], "iteration": it, "speed": speed}
    if it is not None:
        _set_iteration(it)
        _expect(spec)
    from gdviz.ui import room  # noqa: PLC0415  (rooms sit beside the instrument in ui)

    room.presenter_state(playing=msg["playing"], speed=speed or 1.0)


def _follow(spec: Spec, cursor: int) -> tuple[bool, int | None, int]:
    """A follower's Play: (playing, speed, cursor) from the teacher's last state. A teacher who
    is playing has moved on since: the cursor is put where the teacher's is now."""
    from gdviz.ui import room  # noqa: PLC0415

    f = room.follow_state()
    if not f:
        return False, None, cursor
    k = _state_key(spec) + "_followed"
    marker = (f["revision"], f["playing"])
    if st.session_state.get(k) != marker:  # the teacher pressed Play or Pause: the browser must take it
        st.session_state[k] = marker
        st.session_state[_state_key(spec) + "_rev"] = st.session_state.get(_state_key(spec) + "_rev", 0) + 1
    if not f["playing"]:
        return False, None, cursor
    speed = f["speed"] if f["speed"] in SPEEDS else None
    ahead = int(max(0.0, time.time() - f["updated_at"]) * (speed or 0))
    return True, speed, cursor + ahead
#: What the page's instrument is doing (for "present to the room"): {"page", "playing", "iteration"}.
PLAYING = "_gdviz_instrument_playing"


def _set_iteration(it: int) -> None:
    if it == 1:
        if ITERATION in st.query_params:
            del st.query_params[ITERATION]
    else:
        st.query_params[ITERATION] = str(it)


def _url_state(spec: Spec) -> tuple:
    return tuple((k, tuple(st.query_params.get_all(k))) for k in sorted(st.query_params.keys()) if k != page.LECTURE)


def _expect(spec: Spec) -> None:
    """The link now says what the browser already shows: no jump on the coming rerun."""
    st.session_state[_state_key(spec) + "_expected"] = _url_state(spec)


def revision(spec: Spec) -> int:
    """Goes up whenever the link changes by anything but the instrument itself (a preset, Back,
    a shared link, following a teacher): then the browser takes the link's iteration."""
    k = _state_key(spec)
    now = _url_state(spec)
    if st.session_state.get(k + "_expected") != now:
        st.session_state[k + "_rev"] = st.session_state.get(k + "_rev", 0) + 1
        st.session_state[k + "_expected"] = now
    return st.session_state.get(k + "_rev", 1)


#: Set by the component's callbacks: the browser acted (released a slider, asked for previews...).
_ACTED = "_gdviz_instrument_acted"


def show(spec: Spec, settings: dict, iterations: int) -> dict:
    """Draw the instrument for ``settings`` (the committed ones, from :func:`read_settings` and
    the page's other controls) and ``iterations``. Returns the committed settings.

    A session that follows a teacher's room draws it in a fragment: when the teacher moves one of
    this page's live sliders, steps or plays, the server reruns only that fragment, which takes
    the teacher's live settings and iteration from the room (and puts them in the link) — a few
    milliseconds of the server's one Python core per follower instead of the whole page's run."""
    from gdviz.ui import room  # noqa: PLC0415

    st.session_state.pop(_ACTED, None)
    if room.fast_follow():
        # alone in a container made outside it, as the room's timer is (room._timer says why)
        with st.container():
            st.fragment(_followed)(spec, settings, iterations, room.link_now(),
                                   dict(st.session_state.get(_LIVE_DEFAULTS) or {}))
        return settings
    return _draw(spec, settings, iterations)


def _followed(spec: Spec, settings: dict, iterations: int, link_then: dict, defaults: dict) -> None:
    """The follower's instrument (a fragment; see :func:`show`). ``link_then``: the link of the
    page's last full run, whose other settings this fragment's run keeps."""
    from gdviz.ui import room  # noqa: PLC0415

    if room.in_fragment_run():
        if st.session_state.pop(_ACTED, False):
            st.rerun(scope="app")  # the student moved something: the whole page answers
        texts = room.fast_live(link_then, [lv.name for lv in spec.lives])
        if texts is None:  # another page, another non-live setting, Play, not following: a full run
            st.rerun(scope="app")
        live_now = {}
        for lv in spec.lives:
            text = texts.get(lv.name)
            default = defaults.get(lv.name, settings[lv.name])
            live_now[lv.name] = default if text is None else controls.link_value(lv.param, lv.grid(), default,
                                                                                 values=[text])
        settings = {**settings, **live_now}
    room.register_fragment(link_then, [lv.name for lv in spec.lives])
    _draw(spec, settings, iterations)


def _draw(spec: Spec, settings: dict, iterations: int) -> dict:
    rev = revision(spec)
    cursor = read_iteration(iterations) - 1
    playing, speed, cursor = _follow(spec, cursor)
    rev = st.session_state.get(_state_key(spec) + "_rev", rev)
    controls.show_notices()
    lecture = page.lecture()
    try:
        from gdviz.ui import room  # noqa: PLC0415

        grids_for = st.session_state.get(_wanted_key(spec))
        if grids_for is None:  # the page's first run here: every slider's previews; later, those being moved
            st.session_state[_wanted_key(spec)] = []
        data = payload(spec, settings, iterations, cursor, lecture, rev, play=playing, speed=speed,
                       presenting=room.presenting(), grids_for=grids_for)
    except ValueError as err:
        if theme.VALIDATE:  # under the tests a figure Plotly refuses is a failure, not a notice
            raise
        st.error(f"This setting cannot be run: {err}")
        return settings
    st.html('<span class="gdi-expected" hidden></span>')  # tests and tools wait for the drawing
    _COMPONENT(key=f"{spec.key}_instrument", data=data,
               on_commit_change=lambda: _on_commit(spec, spec.lives),
               on_iteration_change=lambda: _on_iteration(spec),
               on_playing_change=lambda: _on_playing(spec),
               on_want_change=lambda: _on_want(spec))
    return settings

"""Step, Play/Pause, Reset and a timeline over a run's records.

A run is computed whole (it costs microseconds), so stepping is moving a cursor over its
records: stepping back and scrubbing are free. Play is a fragment that reruns on a timer
and moves the cursor; only the fragment (the charts and the arithmetic) is redrawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

from gdviz.ui import controls

#: Seconds between frames while playing; a run plays in about ``FRAMES`` frames at most.
FRAME_SECONDS = 0.3
FRAMES = 60


def _keys(key: str) -> tuple[str, str]:
    return f"{key}_iteration", f"{key}_playing"


def stride(n: int) -> int:
    """Iterations advanced per frame: 1 for short runs, more for long ones (hot and cold's 1101)."""
    return max(1, math.ceil(n / FRAMES))


def reset(key: str) -> None:
    it, playing = _keys(key)
    st.session_state[it] = 1
    st.session_state[playing] = False


def _step(key: str, n: int, by: int) -> None:
    it, playing = _keys(key)
    st.session_state[playing] = False
    st.session_state[it] = min(max(1, st.session_state.get(it, 1) + by), n)


def player(key: str, n: int, render: Callable[[int], None], *, label: str = "iteration") -> None:
    """Draw the controls, then ``render(i)`` for the record index ``i`` (0-based) under the cursor."""
    it, playing = _keys(key)
    n = max(1, int(n))
    st.session_state.setdefault(it, 1)
    st.session_state.setdefault(playing, False)
    if not isinstance(st.session_state[it], int) or not 1 <= st.session_state[it] <= n:
        st.session_state[it] = min(max(1, int(st.session_state[it] or 1)), n)
    is_playing = st.session_state[playing]
    controls.show_notices()  # every control of the page exists by now

    def frame() -> None:
        if st.session_state.get(playing):
            nxt = st.session_state[it] + stride(n)
            if nxt >= n:
                st.session_state[it] = n
                st.session_state[playing] = False
                st.rerun(scope="app")  # stop the timer
            st.session_state[it] = nxt
        cols = st.columns([1.1, 1.25, 1.2, 5.5], vertical_alignment="bottom")
        cols[0].button("Step ▸", key=f"{key}_step", on_click=_step, args=(key, n, 1),
                       width="stretch", help="Advance one iteration.")
        if st.session_state.get(playing):
            if cols[1].button("Pause ❚❚", key=f"{key}_pause", width="stretch", type="primary"):
                st.session_state[playing] = False
                st.rerun(scope="app")
        elif cols[1].button("Play ▶", key=f"{key}_play", width="stretch", type="primary",
                            help="Play the run from here to its end."):
            if st.session_state[it] >= n:
                st.session_state[it] = 1
            st.session_state[playing] = True
            st.rerun(scope="app")
        cols[2].button("Reset ⟲", key=f"{key}_reset", on_click=reset, args=(key,),
                       width="stretch", help="Back to iteration 1.")
        if n > 1:
            cols[3].slider(f"Timeline: {label} (of {n})", 1, n, key=it,
                           help="Drag to travel back and forth through the run.")
        else:
            cols[3].caption(f"{label} 1 of 1")
        render(st.session_state[it] - 1)

    st.fragment(frame, run_every=FRAME_SECONDS if is_playing else None)()

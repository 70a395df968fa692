"""Live training: a run that grows while the student watches.

The one-weight lessons compute a whole run before drawing (microseconds). MNIST runs take
seconds to minutes, so they are trained in the session instead: the current state and the
records so far live in ``st.session_state``, and while playing a fragment on a timer advances
the training by as many steps as fit in a small time budget, then redraws only itself.
Work per rerun is bounded, so the page answers its controls between ticks and the other
sessions of the server keep their turn.

Changing a setting that the training depends on (its *signature*) starts a fresh training;
so does Reset. A finished or diverged training stops by itself.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from gdviz.core.checks import all_finite
from gdviz.core.run import Run, run
from gdviz.ui import controls

#: Seconds between ticks while playing, and the work done per tick at most (one step more may
#: overrun it: a step is never cut in half).
TICK_SECONDS = 0.35
BUDGET_SECONDS = 0.25


@dataclass
class Training:
    """One session's training: where it is, what it has produced, what it is aiming for."""

    signature: Hashable
    state: Any
    target: int
    records: list = field(default_factory=list)
    diverged_at: int | None = None
    playing: bool = False
    seconds: float = 0.0

    @property
    def done(self) -> bool:
        return self.diverged_at is not None or len(self.records) >= self.target

    def advance(self, step: Callable, budget: float | None = None, steps: int | None = None) -> int:
        """Run steps until ``budget`` seconds are spent or ``steps`` are done; return how many."""
        start, k = time.perf_counter(), 0
        while not self.done:
            self.state, record = step(self.state)
            self.records.append(record)
            k += 1
            if not all_finite(record):
                self.diverged_at = len(self.records)
            if steps is not None and k >= steps:
                break
            if budget is not None and time.perf_counter() - start >= budget:
                break
        self.seconds += time.perf_counter() - start
        return k


def _key(key: str) -> str:
    return f"{key}_training"


def current(key: str) -> Training | None:
    return st.session_state.get(_key(key))


def _fresh(key: str, signature: Hashable, start: Callable[[], Any], target: int) -> Training:
    t = Training(signature, start(), target)
    st.session_state[_key(key)] = t
    return t


def trainer(key: str, signature: Hashable, start: Callable[[], Any], step: Callable, target: int,
            render: Callable[[Training], None], *, label: str = "iteration",
            budget: float = BUDGET_SECONDS, step_help: str = "Train one more step.") -> Training:
    """Draw Step / Play / Pause / Reset and a progress bar, then ``render(training)``.

    ``signature``: the settings the training depends on (a hashable tuple); when it changes, the
    training starts again from ``start()``. ``target``: how many steps make a full run; the
    target alone may grow (more iterations) without losing the steps already trained.
    """
    t = current(key)
    if t is None or t.signature != signature:
        t = _fresh(key, signature, start, target)
    elif t.target != target:
        if len(t.records) > target:  # already past the new end: its state cannot be un-trained
            t = _fresh(key, signature, start, target)
        t.target = target
    controls.show_notices()

    def tick() -> None:
        t = current(key)
        if t is None:  # the session was cleared under us; the next full rerun rebuilds it
            return
        if t.playing:
            t.advance(step, budget=budget)
            if t.done:
                t.playing = False
                st.rerun(scope="app")  # stop the timer and redraw everything with the final run
        cols = st.columns([1.1, 1.25, 1.2, 5.5], vertical_alignment="bottom")
        if cols[0].button("Step ▸", key=f"{key}_step", width="stretch", help=step_help,
                          disabled=t.done):
            t.playing = False
            t.advance(step, steps=1)
        if t.playing:
            if cols[1].button("Pause ❚❚", key=f"{key}_pause", width="stretch", type="primary"):
                t.playing = False
                st.rerun(scope="app")
        elif cols[1].button("Train ▶", key=f"{key}_play", width="stretch", type="primary",
                            disabled=t.done, help="Train until the last iteration; Pause stops it."):
            t.playing = True
            st.rerun(scope="app")
        if cols[2].button("Reset ⟲", key=f"{key}_reset", width="stretch",
                          help="Forget this training and start again from the initial weights."):
            _fresh(key, signature, start, target)
            st.rerun(scope="app")
        n = len(t.records)
        with cols[3]:
            if t.diverged_at:
                text = f"diverged at {label} {t.diverged_at}"
            elif t.done:
                text = f"done: {n} of {t.target} {label}s ({t.seconds:.1f} s of training)"
            elif t.playing:
                text = f"training… {label} {n} of {t.target}"
            else:
                text = f"{label} {n} of {t.target}" + (" — paused" if n else " — press Train")
            st.progress(min(1.0, n / max(1, t.target)), text=text)
        render(t)

    st.fragment(tick, run_every=TICK_SECONDS if t.playing else None)()
    return t


# --- a whole run computed once per setting, with a progress bar --------------------------------

def run_with_progress(step: Callable, state: Any, n: int, *, label: str = "pass") -> Run:
    """Step ``n`` times like :func:`gdviz.core.run.run`, showing a progress bar while it works
    (for runs of a few seconds that a page then scrubs through). Stops at the first non-finite
    record, as ``run`` does."""
    bar = st.progress(0.0, text=f"Training: {label} 0 of {n}…")
    def moved(k: int) -> None:
        bar.progress(k / n, text=f"Training: {label} {k} of {n}…")

    result = run(step, state, n, on_record=moved)
    bar.empty()
    return result


class SharedRuns:
    """Finished runs shared by every session, by setting, at most ``size`` of them (the oldest
    go first). Their records must be read-only: every session gets the same objects."""

    def __init__(self, size: int):
        self.size = size
        self._runs: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Run]) -> Run:
        with self._lock:
            if key in self._runs:
                self._runs.move_to_end(key)
                return self._runs[key]
        result = make()  # outside the lock: other settings need not wait
        with self._lock:
            self._runs[key] = result
            while len(self._runs) > self.size:
                self._runs.popitem(last=False)
        return result

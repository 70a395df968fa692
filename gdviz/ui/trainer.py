"""Live training: a run that grows while the student watches.

The one-weight lessons compute a whole run before drawing. An MNIST run is far too long for
one rerun (what a step of each experiment costs: `make bench`), so it is trained in the session
instead: the current state and the records so far live in ``st.session_state``, and while
playing a fragment on a timer advances the training by as many steps as fit in a small time
budget, then redraws only itself.
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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from gdviz.core.checks import all_finite
from gdviz.core.run import Run, run
from gdviz.ui import controls
from gdviz.ui.runs import frozen_run

#: Seconds between ticks while playing, and the work done per tick at most (one step more may
#: overrun it: a step is never cut in half). Chosen with `make load` (30 sessions): a bigger
#: budget gave one training session too much of the server's time and slowed the class's sliders.
TICK_SECONDS = 0.35
BUDGET_SECONDS = 0.15


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


# --- a whole run computed once per setting, in the background ---------------------------------

#: How long a rerun waits for a run it asked for before it shows a progress bar instead.
WAIT_SECONDS = 0.2
#: Runs waiting for the worker at most (each session has one waiting run at most, see
#: :meth:`SharedRuns.get`); beyond that a page is told the server is busy and asks again.
MAX_WAITING = 32
#: The work waiting for the worker at most, in the caller's units (B5: image-passes; what one
#: pass costs is `make bench`'s mnist-weights step). One run is always accepted when the queue is
#: empty, however big; beyond the bound a page is told the server is busy.
MAX_WAITING_WORK = 400_000
#: Small runs computed in the asking session's own thread at once, at most.
MAX_INLINE = 2
#: Seconds a failed setting is answered with its error before it may be tried again.
FAILED_SECONDS = 60.0


@dataclass
class Job:
    """A run being computed for every session that asks for its setting."""

    n: int
    done: int = 0
    result: Run | None = None
    error: str | None = None
    future: Any = None
    busy: bool = False  # not queued: the server had too many runs waiting
    owners: set = field(default_factory=set)
    work: int = 0  # what it costs, in the caller's units (B5: image-passes)
    departed: bool = False  # cancelled: every session that asked for it had left


def session_alive(owner: Hashable) -> bool:
    """Whether ``owner`` (a session id) is still connected to this server. Outside a running
    server (tests, the CLI) every owner counts as present."""
    from streamlit import runtime  # noqa: PLC0415

    if not runtime.exists():
        return True
    try:
        return bool(runtime.get_instance().is_active_session(owner))
    except Exception:  # noqa: BLE001 - an unknown runtime: never cancel on a guess
        return True


class SharedRuns:
    """Runs shared by every session, by setting: the ``size`` most recently used are kept, each
    computed once, by one worker thread in the background (or by the asking session itself,
    for small runs).

    :meth:`get` answers at once: the finished run, or the :class:`Job` computing it (after
    waiting up to :data:`WAIT_SECONDS`, enough for a small run). A page shows a job with
    :func:`wait_for`, which redraws the page when the run is ready. So a rerun never trains
    for seconds, however big the setting, and one worker keeps a core free for the reruns.
    Runs are made read-only (:func:`gdviz.ui.runs.frozen_run`): every session gets the
    same objects.

    Fairness: a session (``owner``) has one queued run at most. When it asks for another
    setting, its previous one leaves the queue unless another session is waiting for it too,
    so a student stepping a slider through ten values queues one run, not ten, and never
    pushes out anyone else's. A queued run whose sessions have all left (closed the tab,
    reloaded) is cancelled: ``alive(owner)`` is asked whenever the queue is counted and again
    before the worker starts a run. The queue holds :data:`MAX_WAITING` runs and
    :data:`MAX_WAITING_WORK` of work at most (``work=`` of :meth:`get`).
    """

    def __init__(self, size: int, alive: Callable[[Hashable], bool] = session_alive):
        self.size = size
        self.alive = alive
        self._runs: OrderedDict = OrderedDict()
        self._jobs: OrderedDict = OrderedDict()
        self._failed: dict = {}  # key -> (time it failed, the job with its error)
        self._owned: OrderedDict = OrderedDict()  # owner -> the key it asked for last
        self._inline: set = set()  # owners whose run is being computed in their own thread
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gdviz-shared-runs")

    def get(self, key: Hashable, start: Callable[[], tuple[Callable, Any]], n: int, *,
            wait: float = WAIT_SECONDS, owner: Hashable | None = None, inline: bool = False,
            work: int | None = None) -> Run | Job:
        """The run of ``n`` steps from ``start()`` (which returns ``(step, state)``) for ``key``.

        ``work``: what the run costs in the units of :data:`MAX_WAITING_WORK` (``n`` when not
        given).

        ``inline``: compute it in the calling thread (a small run: no queue to wait behind),
        unless this owner already has one computing or :data:`MAX_INLINE` are (a slider dragged
        through many values would otherwise start them all at once: a rerun that is replaced
        does not stop its computation); other sessions asking meanwhile wait for it.
        """
        mine = False
        with self._lock:
            if owner is not None:
                self._leave(owner, key)  # whatever the answer, the owner's last setting is behind it
            if key in self._runs:
                self._runs.move_to_end(key)
                return self._runs[key]
            failed = self._failed.get(key)
            if failed is not None:
                if time.monotonic() - failed[0] < FAILED_SECONDS:
                    return failed[1]
                del self._failed[key]
            job = self._jobs.get(key)
            if job is None:
                work = n if work is None else int(work)
                job = Job(n, work=work)
                if inline and len(self._inline) < MAX_INLINE and owner not in self._inline:
                    job.future, mine = Future(), True
                    job.future.set_running_or_notify_cancel()
                    self._inline.add(owner)
                else:
                    self._drop_departed()
                    waiting = [j for j in self._jobs.values() if not j.future.running() and not j.future.done()]
                    if waiting and (len(waiting) >= MAX_WAITING
                                    or sum(j.work for j in waiting) + work > MAX_WAITING_WORK):
                        return Job(n, busy=True, work=work)
                    job.future = self._pool.submit(self._work, key, job, start)
                self._jobs[key] = job
            if owner is not None:
                self._owned[owner] = key
                while len(self._owned) > 10_000:  # sessions long gone
                    self._owned.popitem(last=False)
                job.owners.add(owner)
        if mine:
            try:
                self._work(key, job, start)
            finally:
                with self._lock:
                    self._inline.discard(owner)
                job.future.set_result(None)
        elif wait > 0:
            try:
                job.future.result(timeout=wait)
            except BaseException:  # noqa: BLE001 - still running (timeout), cancelled or failed: the job says
                pass
        return job.result if job.result is not None else job

    def _leave(self, owner: Hashable, key: Hashable) -> None:
        """``owner`` asks for ``key`` now: its previous queued run leaves the queue if no one else
        waits for it. (Called with the lock held.)"""
        previous = self._owned.pop(owner, None)
        if previous is not None and previous != key:
            old = self._jobs.get(previous)
            if old is not None:
                old.owners.discard(owner)
                if not old.owners and old.future.cancel():
                    del self._jobs[previous]

    def _gone(self, job: Job) -> bool:
        """Every session that asked for ``job`` has left (a job nobody owns is kept)."""
        return bool(job.owners) and not any(self.alive(o) for o in list(job.owners))

    def _drop_departed(self) -> None:
        """Cancel the queued runs whose sessions have all left. (Called with the lock held.)"""
        for key, job in list(self._jobs.items()):
            if not job.future.running() and not job.future.done() and self._gone(job) and job.future.cancel():
                job.departed = True
                del self._jobs[key]
                for o in job.owners:
                    if self._owned.get(o) == key:
                        del self._owned[o]

    def _work(self, key: Hashable, job: Job, start: Callable[[], tuple[Callable, Any]]) -> None:
        with self._lock:
            if self._gone(job):  # left while it waited: not computed, not remembered as failed
                job.departed = True
                self._jobs.pop(key, None)
                for o in job.owners:
                    if self._owned.get(o) == key:
                        del self._owned[o]
                return
        result = None
        try:
            step, state = start()
            result = frozen_run(run(step, state, job.n, on_record=lambda k: setattr(job, "done", k)))
        except Exception as err:  # noqa: BLE001 - shown on the page that asked
            job.error = f"{type(err).__name__}: {err}"
        except BaseException as err:  # interrupted: still never leave a job that looks alive
            job.error = f"interrupted ({type(err).__name__})"
            raise
        finally:
            with self._lock:
                if result is not None:
                    self._runs[key] = result
                    while len(self._runs) > self.size:
                        self._runs.popitem(last=False)
                else:
                    self._failed[key] = (time.monotonic(), job)
                    if len(self._failed) > self.size:
                        self._failed.pop(next(iter(self._failed)))
                self._jobs.pop(key, None)
            job.result = result


def session_owner() -> Hashable | None:
    """This session's id (who a queued run is for), or None outside a Streamlit session."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def wait_for(job: Job, *, label: str = "pass") -> None:
    """Show a job's progress, and redraw the whole page when its run is ready (or failed)."""
    if job.error:
        st.error(f"The run could not be computed: {job.error}")
        return
    if job.busy:
        st.info(f"The server's queue of runs for this class is full (at most {MAX_WAITING} runs and "
                f"{MAX_WAITING_WORK:,} image-passes wait); yours is asked for again every moment.")

    first = [True]  # the fragment's first run is inside the page's own run: no rerun loop

    def tick() -> None:
        ready = job.result is not None or (job.future is not None and job.future.done())
        if ready or (job.busy and not first[0]):
            # ready; or failed (the next run shows the error: a failure is remembered, so no
            # loop); or dropped or busy (ask again)
            st.rerun(scope="app")
        first[0] = False
        st.progress(job.done / max(1, job.n),
                    text=f"Training: {label} {job.done} of {job.n}… (the page updates when it is done)")

    st.fragment(tick, run_every=TICK_SECONDS if not job.busy else 1.0)()

"""The server's one run cache: each lesson's run computed once and shared by every session.

A class opens the same lesson with the same settings (the defaults, the book's presets) and
moves sliders back and forth: each of those runs is computed once per server process, not once
per student per rerun. Built on ``st.cache_resource``, which takes a lock per key (sessions
asking for the same run at once wait for one computation), keeps at most :data:`SHARED_RUNS`
entries and does not keep a computation that raised (a bad setting gives everyone the same
error, and is not kept). It works without a running server too (the CLI, scripts, tests).

The byte bound: two tiers, :data:`SHARED_RUNS` runs of at most :data:`KEPT_RUN_BYTES` and
:data:`LARGE_RUNS` of at most :data:`LARGE_RUN_BYTES`; a bigger run is handed out but not kept,
so what is kept is at most :data:`SHARED_BYTES`. While a session still holds such a run, others
asking for it get the same one (a weak reference: it costs no memory of its own).

A run handed out cannot be changed (:func:`frozen_run`): records are read-only mappings, lists
are tuples, arrays sit over immutable memory, so no session can alter what another sees.
"""

from __future__ import annotations

import functools
import hashlib
import weakref
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import streamlit as st

from gdviz.core import checks
from gdviz.core.run import LockedRun, Run

#: The runs kept, in two tiers: the most recently used ``SHARED_RUNS`` runs of at most
#: ``KEPT_RUN_BYTES`` each (estimated: arrays plus Python's objects) ...
SHARED_RUNS = 64
KEPT_RUN_BYTES = 3 * 2**20
#: ... and the ``LARGE_RUNS`` most recently used bigger ones of at most ``LARGE_RUN_BYTES``
#: (F1's 2-2-1 XOR run of 1000 epochs is ~5.5 MB). A run bigger still is never kept.
LARGE_RUNS = 4
LARGE_RUN_BYTES = 16 * 2**20
#: What the kept runs may hold together at most (256 MB).
SHARED_BYTES = SHARED_RUNS * KEPT_RUN_BYTES + LARGE_RUNS * LARGE_RUN_BYTES


def shared_run(exp, settings: Mapping[str, Any], iterations: int) -> Run:
    """``exp.simulate(settings, iterations)``, computed once per server and shared, read-only."""
    try:
        return _kept(exp, settings, exp.name, digest(settings), iterations)
    except _NotHere as elsewhere:
        return elsewhere.run


def shared_many(exp) -> Callable[[list, int], list]:
    """``(list of settings, iterations) -> runs`` through the same cache as :func:`shared_run`:
    the runs already kept are reused and the others made in one call of ``exp.runs`` (the
    experiment's batch kernel, when it has one) and kept; None where a run cannot be made."""
    def many(members: list, iterations: int) -> list:
        out = [_handed(exp, s, iterations) for s in members]
        todo = [k for k, r in enumerate(out) if r is None]
        if todo:
            for k, r in zip(todo, exp.runs([members[k] for k in todo], iterations)):
                if r is not None:
                    out[k] = _handed(exp, members[k], iterations, r)
        return out

    return many


class _Missing(Exception):
    """Raised out of the cache by a look-up that found nothing kept (nothing is stored)."""


class _Hand:
    """An experiment as the cache sees it, whose ``simulate`` hands over a run made elsewhere
    (or, with none, says that nothing is kept)."""

    def __init__(self, name: str, run):
        self.name, self._run = name, run

    def simulate(self, settings, iterations):
        if self._run is None:
            raise _Missing
        return self._run


def _handed(exp, settings, iterations: int, run=None):
    """The run kept for ``settings``; else ``run`` kept in its place (None: nothing is made)."""
    try:
        return shared_run(_Hand(exp.name, run), settings, iterations)
    except _Missing:
        return None


def simulate(exp) -> Callable[[Mapping[str, Any], int], Run]:
    """``(settings, iterations) -> run`` through :func:`shared_run`: what a page hands to an
    experiment helper's ``simulate=`` or to the instrument's ``Spec(simulate=...)``."""
    return functools.partial(shared_run, exp)


class _NotHere(Exception):
    """Raised out of a cached function so that Streamlit does not keep (there) the run it carries."""

    def __init__(self, run: Run):
        super().__init__("run kept elsewhere or not at all")
        self.run = run


class _Small(_NotHere):
    """A run small enough for the first tier (the second does not keep it)."""


#: Runs too big to keep that some session still holds: (name, key, iterations) -> run.
_HELD: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


@st.cache_resource(max_entries=SHARED_RUNS, show_spinner=False)
def _kept(_exp, _settings, name: str, settings_key, iterations: int) -> Run:
    """The first tier: a small run is kept here; a large one is the second tier's."""
    try:
        run = _large(_exp, _settings, name, settings_key, iterations)
    except _Small as small:
        return small.run
    raise _NotHere(run)


@st.cache_resource(max_entries=LARGE_RUNS, show_spinner=False)
def _large(_exp, _settings, name: str, settings_key, iterations: int) -> Run:
    """Computes the run; keeps it when it is too big for the first tier and small enough here."""
    held = _HELD.get((name, settings_key, iterations))
    if held is not None:
        raise _NotHere(held)
    run, size = frozen_run(_exp.simulate(_settings, iterations), sized=True)
    if size <= KEPT_RUN_BYTES:
        raise _Small(run)
    if size > LARGE_RUN_BYTES:
        _HELD[(name, settings_key, iterations)] = run
        raise _NotHere(run)
    return run


def key(value: Any) -> Any:
    """A hashable stand-in for settings: mappings sorted, lists as tuples, arrays by dtype,
    shape and bytes, floats by their bits (0.0 == -0.0, but a run from -0.0 prints -0.0)."""
    if isinstance(value, Mapping):
        return tuple(sorted((k, key(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(key(v) for v in value)
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, float):
        return ("float", value.hex())
    return value


def digest(value: Any) -> str:
    """:func:`key` as a short text (its SHA-1): what the cache hashes for a run's settings. The
    cache hashes every element of a key it is given (C1's lights, every float), ~2 ms a look-up;
    a digest is hashed at once."""
    return hashlib.sha1(repr(key(value)).encode()).hexdigest()


#: Values that cannot change and hold nothing that can.
_PLAIN = frozenset({float, int, bool, str, type(None), np.float64, np.int64, np.bool_})


def frozen_run(run: Run, *, sized: bool = False):
    """``run`` with nothing left to change; with ``sized``, ``(run, estimated bytes)``: the
    arrays' bytes plus a rough cost of Python's objects.

    Records are mostly dicts of floats and small arrays: those exact types are handled in the
    loop over a dict's items (no call per value); anything else goes through ``freeze``."""
    if isinstance(run, LockedRun):  # made read-only where it was made: nothing to copy
        return (run, run.nbytes) if sized else run
    seen: dict[int, Any] = {}
    size = 0
    plain = _PLAIN
    ndarray = np.ndarray

    def array(v: np.ndarray) -> np.ndarray:
        nonlocal size
        got = seen.get(id(v))
        if got is None:  # an array shared by two records stays one array
            got = seen[id(v)] = (v, checks.frozen(v))  # an array already immutable is kept as it is
            size += v.nbytes + 200  # the data, its bytes object and the array's header
        return got[1]

    def mapping(v: Mapping) -> MappingProxyType:
        nonlocal size
        size += 150 + 100 * len(v)  # a dict and its proxy, per entry a slot and a value
        out = {}
        for k, x in v.items():
            t = type(x)
            out[k] = x if t in plain else array(x) if t is ndarray else freeze(x)
        return MappingProxyType(out)

    def freeze(v: Any) -> Any:
        nonlocal size
        t = type(v)
        if t in plain:  # most values of a record: answered before the slower checks below
            return v
        if t is ndarray or isinstance(v, ndarray):
            return array(v)
        if t is dict or isinstance(v, Mapping):
            return mapping(v)
        if isinstance(v, (list, tuple)):
            size += 60 + 40 * len(v)
            return tuple(x if type(x) in plain else freeze(x) for x in v)
        return v

    frozen = Run(tuple(freeze(r) for r in run.records), run.diverged_at)
    return (frozen, size) if sized else frozen


# --- a slider grid's runs, computed as one batch ------------------------------------------------
#: How many batches :func:`cached_many` keeps: one per live slider and setting of the others. The
#: biggest, F1's 25 runs of 2000 epochs, holds ~3.4 MB, so they hold at most ~165 MB together.
GRID_BATCHES = 48


def cached_many(kernel: Callable[[list[dict], int], list]) -> Callable[[list[dict], int], list]:
    """``simulate_many(settings_list, iterations)`` for the instrument's grid previews: the runs
    ``kernel`` computes at once, kept as one batch (the instrument asks for one slider's grid at
    a time, the others held, so the next cursor step asks for the same batch again)."""
    name = f"{kernel.__module__}.{kernel.__qualname__}"

    def simulate_many(members: list[dict], iterations: int) -> list:
        return list(_batch(kernel, name, tuple(key(dict(m)) for m in members), iterations, members))

    return simulate_many


@st.cache_resource(max_entries=GRID_BATCHES, show_spinner=False)
def _batch(_kernel, name: str, members_key, iterations: int, _members) -> tuple:
    return tuple(_kernel([dict(m) for m in _members], iterations))

"""Download a run's log: CSV (one row per iteration) and the book-style text."""

from __future__ import annotations

import csv
import io
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import streamlit as st

from gdviz.ui import runs


def records_csv(records: Sequence[Mapping]) -> str:
    out = io.StringIO()
    scalar_keys = [k for k, v in records[0].items() if not isinstance(v, (np.ndarray, list, tuple, Mapping))] if records else []
    writer = csv.writer(out)
    writer.writerow(["iteration", *scalar_keys])
    for i, r in enumerate(records, 1):
        writer.writerow([i, *(repr(r[k]) if isinstance(r[k], float) else r[k] for k in scalar_keys)])
    return out.getvalue()


def log_buttons(name: str, records: Sequence[Mapping], lines: Iterable[str]) -> None:
    """Both downloads of a log. Each file is made when its button is clicked (a deferred
    download), not on every rerun of the page: a class's reruns (a step, a follower's) made a
    lesson's whole CSV each time, most of A1's rerun."""
    text = "\n".join(lines) + "\n"
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button("Download log (CSV)", lambda: records_csv(records), file_name=f"{name}.csv", mime="text/csv",
                       on_click="ignore", key=f"{name}_csv")
    c2.download_button("Download log (book text)", lambda: text, file_name=f"{name}.txt",
                       mime="text/plain", on_click="ignore", key=f"{name}_txt")


#: The book-style logs written lately, by run (a run's log is the same on every rerun that shows
#: it): ``(id(run), experiment, settings) -> (weak reference to the run, lines)``.
_LOGS: dict = {}
_LOGS_KEPT = 32
_LOCK = threading.Lock()


def log_lines(exp, run, settings: Mapping) -> tuple[str, ...]:
    """``exp.log(run, settings)``, written once per run while the run lives (runs are read-only)."""
    k = (id(run), exp.name, runs.key(dict(settings)))
    with _LOCK:
        hit = _LOGS.get(k)
    if hit is not None and hit[0]() is run:
        return hit[1]
    lines = tuple(exp.log(run, settings))

    def forget(_ref, k=k) -> None:
        with _LOCK:
            _LOGS.pop(k, None)

    with _LOCK:
        _LOGS[k] = (weakref.ref(run, forget), lines)
        while len(_LOGS) > _LOGS_KEPT:
            del _LOGS[next(iter(_LOGS))]
    return lines


def log_expander(title: str, exp, settings: Mapping, iterations: int, *, run=None,
                 shown: Callable[[list[str]], list[str]] | None = None) -> None:
    """A lesson's log under an expander: the book-style text (``shown`` may shorten what is printed)
    and both downloads (always the whole log). ``run`` defaults to the shared run of ``settings``."""
    with st.expander(title):
        if run is None:
            run = runs.shared_run(exp, settings, iterations)
        lines = list(log_lines(exp, run, settings))
        st.code("\n".join(shown(lines) if shown else lines), language=None)
        log_buttons(exp.name, run.records, lines)

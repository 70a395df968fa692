"""Frame data for the lesson instrument (``gdviz.ui.instrument``): what the browser needs to redraw
a lesson's charts, metrics and arithmetic for any iteration of any run, without Python.

A lesson's charts are drawn once from *template* figures; everything that moves is a **view** of
one run, a plain dict:

- ``n``: how many frames the run has (records, or phases of records);
- ``run``: ``{chart: {trace index: trace data}}``, data that holds for the whole run (the error
  curve, the path of the weight). A trace with ``prefix: k`` is cut to its first ``(i + 1) * k``
  points at frame ``i`` (the path so far);
- ``layout``: ``{chart: layout patch}`` for the whole run (fixed axis ranges: frames never jump);
- ``frames``: ``{i: frame}``, each ``{"traces": {chart: {index: data}}, "metrics": [[label, text]],
  "arith": {"title": text, "rows": [[phase, name, formula, numbers, value]]}, "notes": [text],
  "position": text}``: every number in it already formatted in Python;
- ``notice``: a banner for the whole run ("diverged at iteration 7"), or ``""``.

Numbers for *drawing* travel as comma-joined strings (:func:`enc`): 6 significant digits, an
empty item where a value is missing or not finite (the browser's ``JSON.parse`` refuses NaN).
:func:`apply` does in Python exactly what the browser does with a view, so tests can check a
payload against the core's records.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable

import numpy as np

DIGITS = 6


def enc(values: Iterable, digits: int = DIGITS) -> str:
    """Numbers for a trace as ``"0.5,0.25,,1"``: ``digits`` significant digits, '' for None/inf/nan."""
    if isinstance(values, np.ndarray):
        values = values.tolist()
    elif not isinstance(values, list):
        values = list(values)
    fmt = f"{{:.{digits}g}}".format
    try:
        text = ",".join(map(fmt, values))
    except TypeError:  # a None among them
        return ",".join("" if v is None else _one(fmt(v)) for v in values)
    if "n" in text:  # nan, inf: no value for the browser
        return ",".join(_one(t) for t in text.split(","))
    return text


def _one(t: str) -> str:
    return "" if t in ("nan", "inf", "-inf") else t


def linspace(lo: float, hi: float, n: int) -> list:
    """``np.linspace(lo, hi, n)`` as three numbers (``xlin``): the browser spreads the points."""
    return [float(lo), float(hi), int(n)]


def xlin(spec) -> list[float]:
    lo, hi, n = spec
    return np.linspace(lo, hi, int(n)).tolist()


def dec(text) -> list:
    """The inverse of :func:`enc` (what the browser does): floats, None where empty."""
    if not isinstance(text, str):
        return text
    if text == "":
        return []
    return [None if t == "" else float(t) for t in text.split(",")]


def finite_or_none(x):
    """A float for JSON: None when it is not finite."""
    return float(x) if x is not None and math.isfinite(x) else None


def frames_for(n: int, at: int | None) -> range | list[int]:
    """Which frames a view carries: all of them, or only the one under the cursor ``at``."""
    return range(n) if at is None else [min(max(int(at), 0), n - 1)]


def _decoded(trace: dict) -> dict:
    out = {}
    for k, v in trace.items():
        if k == "xlin":
            out["x"] = xlin(v)
        elif k in ("x", "y", "z") and isinstance(v, str):
            out[k] = dec(v)
        elif k == "z" and isinstance(v, list):
            out[k] = [dec(row) for row in v]
        else:
            out[k] = v
    return out


def _merge(target: dict, patch: dict) -> None:
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(target.get(k), dict):
            _merge(target[k], v)
        else:
            target[k] = copy.deepcopy(v)


def apply(figure: dict, view: dict, chart: str, i: int) -> dict:
    """The figure the browser shows for frame ``i`` of ``view``: ``figure`` (a template, as
    ``go.Figure.to_plotly_json()``) with the view's run data, layout patch and frame data put in."""
    fig = {"data": [dict(t) for t in figure["data"]], "layout": copy.deepcopy(figure["layout"])}
    frames = view["frames"]
    key = i if i in frames else min(frames, key=lambda k: abs(int(k) - i))
    i = int(key)
    for idx, trace in view.get("run", {}).get(chart, {}).items():
        t = _decoded(trace)
        k = t.pop("prefix", None)
        if k:
            m = (i + 1) * k
            for a in ("x", "y", "z", "text"):
                if isinstance(t.get(a), list):
                    t[a] = t[a][:m]
        fig["data"][int(idx)].update(t)
    for idx, trace in frames[key].get("traces", {}).get(chart, {}).items():
        fig["data"][int(idx)].update(_decoded(trace))  # on top of the run's data, as the browser does
    _merge(fig["layout"], view.get("layout", {}).get(chart, {}))
    for t in fig["data"]:
        for k in ("x", "y"):
            if isinstance(t.get(k), str):
                t[k] = dec(t[k])
    return fig

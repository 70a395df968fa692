"""Colours, fonts and lecture mode shared by every figure, and :class:`Plain`, how figures are built.

Colours are the Okabe–Ito palette, safe for the common kinds of colour blindness.

Figures are built as plain data
-------------------------------
Plotly checks every property as it is set on a figure object: building a lesson's charts that
way took 25–50 ms of every rerun (a fifth to a half of it), against about 1 ms for the same
figure from plain dicts and lists. So figures are written as plain data with :class:`Plain`
(traces are dicts with a ``type``; axes, shapes and annotations are layout dicts) and turned
into a ``go.Figure`` once, unchecked. The checking is not lost: the test suite sets
``GDVIZ_VALIDATE_FIGURES=1`` and then every figure made in the tests — every page's, through
the page harness — is checked by Plotly as before, so a misspelt property fails a test.
"""

from __future__ import annotations

import copy
import functools
import os

import plotly.colors
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from gdviz.experiments import formatting

#: Plotly checks the figures (slow; the tests turn it on, see the module's notes).
VALIDATE = os.environ.get("GDVIZ_VALIDATE_FIGURES", "") == "1"

COLORS = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#8C8C8C",
}
#: What each role is drawn in, on every page.
CURVE = COLORS["blue"]
CURRENT = COLORS["vermillion"]
PATH = COLORS["orange"]
GOAL = COLORS["green"]
TANGENT = COLORS["purple"]
OTHER = COLORS["sky"]
#: A diverging scale for weights: blue negative, white 0, vermillion positive.
DIVERGING = [[0.0, COLORS["blue"]], [0.5, "#FFFFFF"], [1.0, COLORS["vermillion"]]]
#: Viridis (perceptually even, colour-blind safe) for error surfaces, spelt out as Plotly's
#: checks spell the named scale (figures are built unchecked, see below).
VIRIDIS = [[i / 9, c] for i, c in enumerate(plotly.colors.sequential.Viridis)]


#: Plotly's templates are deep-copied into every figure, which cost more than half of building a
#: lesson's charts (tens of ms per rerun). gdviz sets the look itself (:meth:`Plain.figure`), so
#: figures start from the empty template.
pio.templates.default = "none"
GRID = "#EBF0F8"
COLORWAY = [COLORS[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky", "yellow", "black")]


#: Longer curves are drawn as plain lines: hundreds of markers cost the browser hundreds of
#: ms to draw on every frame, and at that density they merge into a thick line anyway.
MARKERS_UP_TO = 120


def line_mode(points: int) -> str:
    """``"lines+markers"`` for a short curve (each point can be seen and hovered), else ``"lines"``."""
    return "lines+markers" if points <= MARKERS_UP_TO else "lines"


def _scale_for_lecture(data: list[dict], layout: dict) -> None:
    """Lecture mode: thicker lines, bigger markers and bigger annotation text."""
    for trace in data:
        line = trace.get("line")
        if isinstance(line, dict) and isinstance(line.get("width"), (int, float)):
            line["width"] = line["width"] * 1.8
        marker = trace.get("marker")
        if isinstance(marker, dict) and isinstance(marker.get("size"), (int, float)) \
                and not isinstance(marker["size"], bool):
            marker["size"] = marker["size"] * 1.5
    for ann in layout.get("annotations", ()):
        font = ann.setdefault("font", {})
        font["size"] = (font.get("size") or 14) * 1.5


def _look(lecture: bool, height: int | None, axes: list[str], title) -> dict:
    base = 22 if lecture else 14
    axis = dict(title=dict(font=dict(size=base + 2)), tickfont=dict(size=base - 1), gridcolor=GRID,
                showline=True, linecolor="#444", zeroline=True, zerolinecolor="#BBBBBB", automargin=True)
    return dict(
        paper_bgcolor="white", plot_bgcolor="white", colorway=COLORWAY,
        font=dict(size=base, color="#111111", family="DejaVu Sans, Arial, sans-serif"),
        title=dict(font=dict(size=base + 4)),
        height=height or (520 if lecture else 400),
        margin=dict(l=10, r=10, t=60 if title else 30, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.3 if lecture else -0.22, xanchor="left", x=0,
                    font=dict(size=base - 2)),
        hoverlabel=dict(font=dict(size=base)),
        **{k: axis for k in axes},
    )


#: Plotly properties whose own name has an underscore (never read as ``a_b`` = ``{"a": {"b"}}``).
_UNDERSCORED = frozenset({"error_x", "error_y", "error_z", "copy_xstyle", "copy_ystyle", "copy_zstyle",
                          "paper_bgcolor", "plot_bgcolor"})


def _merge(target: dict, changes: dict) -> dict:
    """Deep-update ``target`` with ``changes``, as Plotly's ``update`` does: dicts are merged,
    anything else (lists included) replaced. A ``a_b`` key means ``{"a": {"b": ...}}``, unless
    ``a_b`` is a property's own name (``error_y``). Returns ``target``."""
    for k, v in changes.items():
        if "_" in k and k not in _UNDERSCORED:
            head, rest = k.split("_", 1)
            v, k = {rest: v}, head
        if k == "title" and isinstance(v, str):
            v = {"text": v}
        if v is None:  # as in Plotly: None unsets
            target.pop(k, None)
        elif isinstance(v, dict):
            sub = target.get(k)
            if not isinstance(sub, dict):
                sub = target[k] = {}
            _merge(sub, v)
        else:
            target[k] = v
    return target


@functools.lru_cache(maxsize=64)
def _grid_layout(rows: int, cols: int, options: tuple) -> dict:
    return make_subplots(rows=rows, cols=cols, **dict(options)).to_dict()["layout"]


#: Where add_vline / add_hline put a line's label, by ``annotation_position`` (Plotly's rules).
_VLINE_TEXT = {"top": (1, "top"), "bottom": (0, "bottom")}
_HLINE_TEXT = {"left": (0, "left"), "right": (1, "right")}


class Plain:
    """A figure under construction as plain data (see the module's notes).

    The method names follow Plotly's figure methods, with the same meaning: :meth:`add_trace`
    takes the trace as keyword properties and its ``type``; :meth:`update_xaxes`,
    :meth:`update_yaxes` and :meth:`update_layout` merge properties in (``title_text=...`` is
    ``title=dict(text=...)``, as in Plotly); :meth:`add_vline` / :meth:`add_hline` draw a
    line across the plot with an optional label. :meth:`figure` applies the common look
    (white, light grid, dark axis lines, large fonts; larger in lecture mode) and returns the
    ``go.Figure``.
    """

    def __init__(self, layout: dict | None = None, *, rows: int = 1, cols: int = 1):
        self.data: list[dict] = []
        self.layout: dict = {} if layout is None else layout
        self.rows, self.cols = rows, cols
        self.titles = 0  # how many of the annotations are a grid's subplot titles

    @classmethod
    def of(cls, type: str, **props) -> "Plain":
        """A figure holding one trace (``go.Figure(go.Heatmap(...))``)."""
        fig = cls()
        fig.add_trace(type, **props)
        return fig

    @classmethod
    def grid(cls, rows: int, cols: int, **options) -> "Plain":
        """Subplots as ``make_subplots(rows, cols, **options)`` lays them out (its layout is
        computed once per distinct arguments and copied)."""
        key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))
        layout = copy.deepcopy(_grid_layout(rows, cols, key))
        layout.pop("template", None)
        fig = cls(layout, rows=rows, cols=cols)
        fig.titles = len(layout.get("annotations", ()))
        return fig

    # --- axes of a grid ---------------------------------------------------------------
    def _index(self, row: int | None, col: int | None) -> int | None:
        if row is None and col is None:
            return None
        return ((row or 1) - 1) * self.cols + (col or 1)

    @staticmethod
    def _suffix(index: int) -> str:
        return "" if index == 1 else str(index)

    def _axes(self, letter: str, row, col) -> list[str]:
        index = self._index(row, col)
        if index is not None:
            return [f"{letter}axis{self._suffix(index)}"]
        names = [k for k in self.layout if k.startswith(f"{letter}axis")]
        return names or [f"{letter}axis"]

    # --- the figure methods ----------------------------------------------------------
    def add_trace(self, type: str, *, row: int | None = None, col: int | None = None, **props) -> dict:
        trace = {"type": type}
        _merge(trace, props)  # marker_color=... as marker=dict(color=...), as Plotly reads it
        index = self._index(row, col)
        if index is not None:
            trace["xaxis"], trace["yaxis"] = f"x{self._suffix(index)}", f"y{self._suffix(index)}"
        self.data.append(trace)
        return trace

    def update_xaxes(self, *, row: int | None = None, col: int | None = None, **props) -> "Plain":
        for name in self._axes("x", row, col):
            _merge(self.layout.setdefault(name, {}), props)
        return self

    def update_yaxes(self, *, row: int | None = None, col: int | None = None, **props) -> "Plain":
        for name in self._axes("y", row, col):
            _merge(self.layout.setdefault(name, {}), props)
        return self

    def update_layout(self, **props) -> "Plain":
        _merge(self.layout, props)
        return self

    def add_shape(self, **props) -> dict:
        shape = _merge({}, props)
        self.layout.setdefault("shapes", []).append(shape)
        return shape

    def add_annotation(self, **props) -> dict:
        annotation = _merge({}, props)
        self.layout.setdefault("annotations", []).append(annotation)
        return annotation

    def add_vline(self, x, *, line: dict, annotation_text: str | None = None,
                  annotation_position: str = "top right", annotation_font_color: str | None = None,
                  row: int | None = None, col: int | None = None) -> None:
        index = self._index(row, col) or 1
        xref, yref = f"x{self._suffix(index)}", f"y{self._suffix(index)}"
        self.add_shape(line=line, type="line", x0=x, x1=x, xref=xref, y0=0, y1=1, yref=f"{yref} domain")
        if annotation_text is not None:
            vertical, side = annotation_position.split()
            y, yanchor = _VLINE_TEXT[vertical]
            ann = dict(showarrow=False, text=annotation_text, x=x, xanchor="right" if side == "left" else "left",
                       xref=xref, y=y, yanchor=yanchor, yref=f"{yref} domain")
            if annotation_font_color is not None:
                ann["font"] = {"color": annotation_font_color}
            self.add_annotation(**ann)

    def add_hline(self, y, *, line: dict, annotation_text: str | None = None,
                  annotation_position: str = "top right", annotation_font_color: str | None = None,
                  row: int | None = None, col: int | None = None) -> None:
        index = self._index(row, col) or 1
        xref, yref = f"x{self._suffix(index)}", f"y{self._suffix(index)}"
        self.add_shape(line=line, type="line", x0=0, x1=1, xref=f"{xref} domain", y0=y, y1=y, yref=yref)
        if annotation_text is not None:
            vertical, side = annotation_position.split()
            x, xanchor = _HLINE_TEXT[side]
            ann = dict(showarrow=False, text=annotation_text, x=x, xanchor=xanchor, xref=f"{xref} domain",
                       y=y, yanchor="bottom" if vertical == "top" else "top", yref=yref)
            if annotation_font_color is not None:
                ann["font"] = {"color": annotation_font_color}
            self.add_annotation(**ann)

    def figure(self, *, lecture: bool = False, height: int | None = None,
               title_size: float | None = None) -> go.Figure:
        """The finished ``go.Figure``: the common look under the figure's own settings, lecture
        mode's bigger text and thicker lines, then Plotly's checks only if :data:`VALIDATE`.
        ``title_size`` sets a grid's subplot titles to that size, lecture mode or not."""
        axes = {"xaxis", "yaxis"} | {k for k in self.layout if k.startswith(("xaxis", "yaxis"))}
        title = self.layout.get("title")
        title = title.get("text") if isinstance(title, dict) else title
        _merge_under(self.layout, _look(lecture, height, axes, title))
        if lecture:
            _scale_for_lecture(self.data, self.layout)
        if title_size is not None:
            for ann in self.layout["annotations"][: self.titles]:
                ann.setdefault("font", {})["size"] = title_size
        return go.Figure({"data": self.data, "layout": self.layout}, _validate=VALIDATE)


def _merge_under(target: dict, defaults: dict) -> None:
    """Fill ``target`` with ``defaults`` (recursively) without overriding what it already has."""
    for k, v in defaults.items():
        if isinstance(v, dict):
            sub = target.get(k)
            if not isinstance(sub, dict):
                if sub is not None:
                    continue
                sub = target[k] = {}
            _merge_under(sub, v)
        elif k not in target:
            target[k] = v


def num(x: float, digits: int = 6) -> str:
    """A number for a label: short, and honest about inf/nan (experiments.formatting.num)."""
    return formatting.num(x, digits)

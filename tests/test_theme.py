"""theme.Plain builds figures as plain data: the same figure Plotly's own methods build."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from gdviz import experiments
from gdviz.figures import many_weights, mnist, one_weight, sigmoid, streetlights, theme


def pruned(value):
    """Without empty dicts: ``{"title": {}}`` sets nothing, as no ``title`` does."""
    if isinstance(value, dict):
        kept = {k: pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v != {}}
    if isinstance(value, list):
        return [pruned(v) for v in value]
    return value


def as_json(fig: go.Figure) -> dict:
    spec = json.loads(pio.to_json(fig, validate=False))
    spec["layout"].pop("template", None)
    return pruned(spec)


@pytest.mark.parametrize("position", ["top left", "top right", "bottom left", "bottom right"])
def test_lines_and_their_labels_are_where_plotly_puts_them(position):
    plotly_fig, plain = go.Figure(), theme.Plain()
    for fig in (plotly_fig, plain):
        fig.add_vline(x=1.5, line=dict(color="#444", width=2), annotation_text="v",
                      annotation_position=position, annotation_font_color="#E69F00")
        fig.add_hline(y=0.25, line=dict(color="#444", dash="dot"), annotation_text="h", annotation_position=position)
        fig.add_vline(x=3, line=dict(color="#111"))
    assert as_json(plain.figure())["layout"]["shapes"] == as_json(plotly_fig)["layout"]["shapes"]
    assert as_json(plain.figure())["layout"]["annotations"] == as_json(plotly_fig)["layout"]["annotations"]


def test_a_grid_is_laid_out_and_addressed_as_make_subplots_does():
    plotly_fig = make_subplots(rows=2, cols=3, subplot_titles=list("abcdef"), horizontal_spacing=0.04)
    plain = theme.Plain.grid(rows=2, cols=3, subplot_titles=list("abcdef"), horizontal_spacing=0.04)
    for fig, trace in ((plotly_fig, lambda **kw: go.Scatter(**kw)), (plain, None)):
        for row, col in ((1, 1), (1, 3), (2, 2)):
            props = dict(x=[1, 2], y=[row, col], mode="lines", line=dict(width=2))
            if trace:
                fig.add_trace(trace(**props), row=row, col=col)
            else:
                fig.add_trace("scatter", row=row, col=col, **props)
            fig.add_vline(x=1.5, line=dict(color="#444"), row=row, col=col)
        fig.update_xaxes(range=[0, 3], title_text="x", row=2, col=2)
        fig.update_yaxes(showgrid=False)  # every y axis
    a = as_json(plotly_fig)
    assert as_json(go.Figure({"data": plain.data, "layout": plain.layout})) == a


def test_magic_underscores_title_strings_and_none_mean_what_they_mean_to_plotly():
    plotly_fig, plain = go.Figure(), theme.Plain()
    plotly_fig.add_trace(go.Bar(x=[1], y=[2], marker_color="#000000", marker_line_width=3))
    plain.add_trace("bar", x=[1], y=[2], marker_color="#000000", marker_line_width=3)
    for fig in (plotly_fig, plain):
        fig.update_layout(title="a title", yaxis2=dict(title="right", overlaying="y"), legend_y=-0.3)
        fig.update_xaxes(title_text="x", range=[0, 1])
        fig.update_xaxes(title_text=None)
    assert as_json(go.Figure({"data": plain.data, "layout": plain.layout})) == as_json(plotly_fig)


def test_lecture_mode_scales_lines_markers_and_annotations_once():
    fig = theme.Plain()
    fig.add_trace("scatter", x=[0], y=[0], line=dict(width=2), marker=dict(size=10))
    fig.add_trace("bar", x=[0], y=[1], marker=dict(color="#000000"))
    fig.add_annotation(x=0, y=0, text="a", font=dict(size=12))
    fig.add_annotation(x=0, y=0, text="b")
    out = as_json(fig.figure(lecture=True))
    assert out["data"][0]["line"]["width"] == pytest.approx(3.6)
    assert out["data"][0]["marker"]["size"] == pytest.approx(15)
    assert "size" not in out["data"][1]["marker"]
    assert [a["font"]["size"] for a in out["layout"]["annotations"]] == [18, 21]
    assert out["layout"]["height"] == 520 and out["layout"]["font"]["size"] == 22


def test_the_figures_own_settings_win_over_the_look():
    fig = theme.Plain()
    fig.update_xaxes(showline=False, range=[0, 1])
    fig.update_layout(legend=dict(y=-0.5), height=333)
    out = as_json(fig.figure())
    assert out["layout"]["xaxis"]["showline"] is False and out["layout"]["xaxis"]["linecolor"] == "#444"
    assert out["layout"]["yaxis"]["showline"] is True
    assert out["layout"]["legend"]["y"] == -0.5 and out["layout"]["legend"]["orientation"] == "h"
    assert out["layout"]["height"] == 333


def test_unchecked_figures_are_the_checked_ones(monkeypatch):
    """The app builds figures without Plotly's checks; the same calls with the checks give the
    same JSON (and the checks pass), for a figure of each kind."""
    a2 = experiments.get("divergence").run()
    b2 = experiments.get("freeze").run()
    c1 = experiments.get("streetlights").run()
    calls = [
        lambda: one_weight.bowl_template(len(a2), lecture=True),
        lambda: one_weight.errors_template(["run"], len(a2), log=True),
        lambda: many_weights.slices(b2.records, 3, history=True),
        lambda: many_weights.error_surface(b2.records, 3, 0, 1, three_d=True),
        lambda: many_weights.step_sizes(b2.records, 2, lecture=True),
        lambda: streetlights.lights(np.eye(3), [1, 0, 1], highlight=1, lecture=True),
        lambda: streetlights.error_per_pass([("full", c1.records, None)], 2, len(c1), floor=0.01),
        lambda: mnist.weight_maps(np.zeros((10, 784)), 1.0, lecture=True),
        lambda: mnist.score_bars(np.arange(10) / 10, label=3),
        lambda: sigmoid.cell_products(np.ones((2, 3)), np.arange(3.0), 1),
    ]
    for call in calls:
        monkeypatch.setattr(theme, "VALIDATE", False)
        fast = as_json(call())
        monkeypatch.setattr(theme, "VALIDATE", True)
        assert as_json(call()) == fast


def test_long_curves_are_drawn_without_markers_short_ones_with():
    hot = experiments.get("hot-cold").run()  # the book's 1,101 iterations
    short = experiments.get("gradient-descent").run(iterations=5)
    long_fig = one_weight.errors_template(["hot and cold"], len(hot))
    short_fig = one_weight.errors_template(["gd"], len(short))
    assert len(hot) > theme.MARKERS_UP_TO and long_fig["data"][0]["mode"] == "lines"
    assert short_fig["data"][0]["mode"] == "lines+markers"


def test_underscored_property_names_and_shape_and_annotation_shorthands():
    """``error_y`` is a property's own name (not ``error.y``); shapes and annotations read
    ``font_size=`` as Plotly does, in the app (unchecked) just as in the tests."""
    fig = theme.Plain()
    fig.add_trace("scatter", x=[0, 1], y=[1, 2], error_y=dict(type="data", array=[0.1, 0.2]))
    fig.update_layout(plot_bgcolor="#fafafa")
    fig.add_annotation(x=0, y=1, text="a", showarrow=False, font_size=20)
    fig.add_shape(type="line", x0=0, x1=1, y0=0, y1=1, line_color="#ff0000")
    assert fig.data[0]["error_y"] == {"type": "data", "array": [0.1, 0.2]}
    assert fig.layout["plot_bgcolor"] == "#fafafa"
    assert fig.layout["annotations"][0]["font"] == {"size": 20}
    assert fig.layout["shapes"][0]["line"] == {"color": "#ff0000"}
    checked = go.Figure(fig.data, fig.layout)  # Plotly accepts every one of them
    assert checked.data[0].error_y.array == (0.1, 0.2) and checked.layout.annotations[0].font.size == 20

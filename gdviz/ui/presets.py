"""Preset buttons: one per book experiment (or per set of values a page gives), setting every
control of the page at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from gdviz.experiments.base import Experiment
from gdviz.ui import controls


def row(label: str, exps: Sequence[Experiment], link: Callable[[Experiment], object], *,
        on_click: Callable = controls.set_link, key: str | None = None, text: str | None = None) -> None:
    """One row of preset buttons after a bold ``label``: a button per experiment (its ``button``
    text, widget key ``preset_<name>``, its summary as help) that calls ``on_click(link(e))``
    (by default :func:`controls.set_link`: ``link(e)`` is the values it puts into the link).
    ``key`` and ``text`` name a single preset's button differently."""
    if (key is not None or text is not None) and len(exps) != 1:
        raise ValueError("key and text name the button of a single preset")
    where = st.container(horizontal=True, vertical_alignment="center", gap="small")
    where.markdown(f"**{label}:**")
    for e in exps:
        where.button(text or e.button or e.title, key=key or f"preset_{e.name}", on_click=on_click,
                     args=(link(e),), help=e.summary)


def link_buttons(exps: Sequence[Experiment], *, iterations_key: str | None = "iterations",
                 iterations_default: int | None = None, label: str = "Presets") -> None:
    """Preset buttons for a page on the lesson instrument: a click puts the preset's settings
    (and its iterations) into the link, and the page opens them at iteration 1. A preset's run
    length equal to the page's default (``iterations_default``, that of its iterations control)
    leaves ``iterations`` out of the link."""
    defaults = {iterations_key: iterations_default} if iterations_key and iterations_default is not None else None
    row(label, exps, lambda e: {**e.settings(), **({iterations_key: e.iterations} if iterations_key else {})},
        on_click=lambda values: controls.set_link(values, defaults))

"""Preset buttons: one per book experiment (or per set of values a page gives), setting every
control of the page at once."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from gdviz.experiments.base import Experiment
from gdviz.ui import controls, player


def _apply(values: dict, player_key: str) -> None:
    controls.set_values(values)
    player.reset(player_key)


def buttons(exps: Sequence[Experiment], player_key: str, *, iterations_key: str | None = "iterations",
            label: str = "Presets") -> None:
    """``iterations_key=None``: the page has no iterations control (its params say how long to run)."""
    row(label, player_key, [
        (e.button or e.title, f"preset_{e.name}",
         {**e.settings(), **({iterations_key: e.iterations} if iterations_key else {})}, e.summary)
        for e in exps])


def row(label: str, player_key: str, presets: Sequence[tuple[str, str, dict, str | None]]) -> None:
    """A labelled row of preset buttons, each ``(text, widget key, control values, help)``: a click
    puts the values into the page's controls (keyed by control) and rewinds the player."""
    where = st.container(horizontal=True, vertical_alignment="center", gap="small")
    where.markdown(f"**{label}:**")
    for text, key, values, help in presets:
        where.button(text, key=key, on_click=_apply, args=(values, player_key), help=help)


def link_buttons(exps: Sequence[Experiment], *, iterations_key: str | None = "iterations",
                 label: str = "Presets") -> None:
    """Preset buttons for a page on the lesson instrument: a click puts the preset's settings
    (and its iterations) into the link, and the page opens them at iteration 1."""
    where = st.container(horizontal=True, vertical_alignment="center", gap="small")
    where.markdown(f"**{label}:**")
    for e in exps:
        values = {**e.settings(), **({iterations_key: e.iterations} if iterations_key else {})}
        where.button(e.button or e.title, key=f"preset_{e.name}", on_click=controls.set_link, args=(values,),
                     help=e.summary)

"""Preset buttons: one per book experiment (or per set of values a page gives), setting every
control of the page at once."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from gdviz.experiments.base import Experiment
from gdviz.ui import controls


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

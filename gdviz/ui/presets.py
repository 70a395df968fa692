"""Preset buttons: one per book experiment, setting every control of the page at once."""

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
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.markdown(f"**{label}:**")
    for e in exps:
        values = {**e.settings(), **({iterations_key: e.iterations} if iterations_key else {})}
        row.button(e.button or e.title, key=f"preset_{e.name}", on_click=_apply, args=(values, player_key),
                   help=e.summary)

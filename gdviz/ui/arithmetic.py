"""The arithmetic panel: each formula of the step with the current numbers put in."""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from gdviz.experiments.base import Line


def table_html(lines: Sequence[Line]) -> str:
    rows = []
    last = None
    for ln in lines:
        phase = ln.phase if ln.phase != last else ""
        last = ln.phase
        rows.append(
            f'<tr class="{html.escape(ln.phase)}"><td class="phase">{html.escape(phase)}</td>'
            f"<td>{html.escape(ln.name)}</td><td>= {html.escape(ln.formula)}</td>"
            f"<td class=\"num\">= {html.escape(ln.numbers)}</td><td class=\"val\">= {html.escape(ln.value)}</td></tr>")
    return f'<table class="gd-arith">{"".join(rows)}</table>'


def show(lines: Sequence[Line], *, title: str | None = "The arithmetic of this iteration") -> None:
    """The table, scrolling sideways on a narrow screen rather than spilling past the column.

    ``title=None`` leaves the heading to the caller (e.g. inside an expander)."""
    if title:
        st.markdown(f"**{title}**")
    st.html(f'<div class="gd-arith-wrap">{table_html(lines)}</div>')

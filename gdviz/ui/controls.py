"""Controls bound to the URL, so a shared link opens the exact setting.

Streamlit drops an invalid URL value silently; these controls check what the link said
(``page.RAW_QUERY``, saved before any widget ran) and tell the user which values were
ignored and why, in a notice at the top of the page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import streamlit as st

from gdviz.experiments.base import Param
from gdviz.ui import page

NOTICES = "_gdviz_url_notices"
CLAIMED = "_gdviz_url_keys"
GLOBAL_KEYS = {page.LECTURE}


def start_run() -> None:
    st.session_state[NOTICES] = []
    st.session_state[CLAIMED] = set(GLOBAL_KEYS)


def claim(key: str) -> str | None:
    """What the link said for ``key`` (None when nothing); the key counts as known on this page."""
    st.session_state.setdefault(CLAIMED, set(GLOBAL_KEYS)).add(key)
    values = st.session_state.get(page.RAW_QUERY, {}).get(key)
    return values[-1] if values else None


def literal(text: str, limit: int = 40) -> str:
    """``text`` from a link, shown as code and nothing else: shortened, control characters
    replaced, fenced with more backticks than it contains (so it cannot close the span and
    become a link, an image or a heading)."""
    shown = text if len(text) <= limit else text[:limit - 3] + "…"
    shown = "".join(c if c.isprintable() else "�" for c in shown)
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def ignore(key: str, text: str, why: str, using) -> None:
    st.session_state.setdefault(NOTICES, []).append(
        f"The link's {literal(key, 30)} = {literal(text)} was ignored: {why}. Using {using}.")


def _parse_number(text: str) -> float | None:
    try:
        x = float(text)
    except (TypeError, ValueError):
        return None
    return x


def number_slider(param: Param, *, key: str | None = None, label: str | None = None,
                  ui: tuple[float, float, float] | None = None, default=None, help: str | None = None):
    """A slider for a number setting, bound to the URL under ``key`` (the book's name)."""
    key = key or param.name
    lo, hi, step = ui or param.ui
    integer = param.kind == "int"
    value = param.default if default is None else default
    if integer:
        lo, hi, step, value = int(lo), int(hi), int(step), int(value)
    text = claim(key)
    if text is not None:
        x = _parse_number(text)
        if x is None:
            ignore(key, text, "it is not a number", value)
        elif not math.isfinite(x):
            ignore(key, text, "it is not a finite number", value)
        elif x < lo or x > hi:
            ignore(key, text, f"it is outside {lo:g} … {hi:g}", value)
        elif integer and x != int(x):
            ignore(key, text, "it is not a whole number", value)
    return st.slider(label or param.label, lo, hi, value=value, step=step, key=key,
                     bind="query-params", help=help or param.help or None)


def choice_slider(param: Param, options: Sequence, *, key: str | None = None, label: str | None = None,
                  default=None, help: str | None = None, format_func=None):
    """A slider over a fixed list of values (alpha over several orders of magnitude)."""
    key = key or param.name
    value = param.default if default is None else default
    text = claim(key)
    if text is not None and text not in {str(o) for o in options}:
        x = _parse_number(text)
        match = next((o for o in options if x is not None and isinstance(o, (int, float)) and x == o), None)
        if match is not None and st.session_state.get(key) != match:
            st.session_state[key] = match  # "0.10" means 0.1: take it
        elif match is None:
            ignore(key, text, f"it must be one of {', '.join(map(str, options))}", value)
    return st.select_slider(label or param.label, options=list(options), value=value, key=key,
                            bind="query-params", help=help or param.help or None,
                            format_func=format_func or str)


def toggle(key: str, label: str, *, default: bool = False, help: str | None = None, on_change=None) -> bool:
    text = claim(key)
    if text is not None and text.lower() not in ("true", "false"):
        ignore(key, text, "it must be true or false", default)
    return st.toggle(label, value=default, key=key, bind="query-params", help=help,
                     on_change=on_change or "rerun")


def set_values(values: dict) -> None:
    """Callback for preset buttons: put the preset's values into the controls."""
    for key, value in values.items():
        st.session_state[key] = value


def show_notices() -> None:
    """The notices about ignored link values, plus link keys this page does not know.

    Called once the page's controls exist (the player calls it); drawn in the slot the
    lesson header left at the top of the page.
    """
    where = st.session_state.get(page.NOTICE_SLOT)
    notes = list(st.session_state.get(NOTICES, []))
    claimed = st.session_state.get(CLAIMED, set())
    for key, values in st.session_state.get(page.RAW_QUERY, {}).items():
        if key not in claimed:
            notes.append(f"The link's {literal(key, 30)} was ignored: this page has no setting by that name.")
    if notes:
        (where or st).warning("  \n".join(notes), icon="🔗")


def iterations_slider(default: int, hi: int, *, key: str = "iterations", label: str = "iterations") -> int:
    """How many iterations the run has (the timeline's length)."""
    param = Param(key, label, int(default), kind="int", lo=1, hi=hi, ui=(1, hi, 1),
                  help=f"The length of the run (at most {hi}).")
    return number_slider(param, key=key)

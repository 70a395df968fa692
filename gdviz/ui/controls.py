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
    values = claim_all(key)
    return values[-1] if values else None


def claim_all(key: str) -> list[str]:
    """Every value the link gave for ``key`` (``?w=1&w=2`` gives two); the key counts as known."""
    st.session_state.setdefault(CLAIMED, set(GLOBAL_KEYS)).add(key)
    return list(st.session_state.get(page.RAW_QUERY, {}).get(key) or [])


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


def notice(key: str, text: str, why: str, using) -> str:
    """The sentence shown for a link value that was not used."""
    return f"The link's {literal(key, 30)} = {literal(text)} was ignored: {why}. Using {using}."


def ignore(key: str, text: str, why: str, using) -> None:
    st.session_state.setdefault(NOTICES, []).append(notice(key, text, why, using))


def _parse_number(text: str) -> float | None:
    try:
        x = float(text)
    except (TypeError, ValueError):
        return None
    return x


def _on_grid(x: float, lo: float, step: float) -> bool:
    """``x`` is one of the slider's stops ``lo + k·step`` (up to float rounding: 0.07 is on 0.01's)."""
    k = (x - lo) / step
    return abs(k - round(k)) <= 1e-6


def check_link_value(key: str, texts: Sequence[str], lo=None, hi=None, step=None,
                     options: Sequence | None = None, *, integer: bool = False, default=None):
    """What a link's values for one control mean; pure (no Streamlit), so any control can use it.

    ``texts`` are all the link's values for ``key`` (``?weight=0.1&weight=0.2`` gives two).
    A number control has ``lo``, ``hi``, ``step`` (and ``integer``); a choice control has
    ``options``. Returns ``(value, None)`` when the link's value is used, ``(None, notice)``
    when it is refused (the control shows ``default``, which the notice names) and
    ``(None, None)`` when the link gives no value. Empty values count as none, as Streamlit
    drops them; a key given twice is refused even when both values agree, as Streamlit's
    binding refuses it.
    """
    given = [t for t in texts if t != ""]
    if not given:
        return None, None
    if len(given) > 1:
        return None, notice(key, ", ".join(given), f"the link gives it {len(given)} times", default)
    text = given[0]
    x = _parse_number(text)
    if options is not None:
        for o in options:
            if text == str(o):
                return o, None
        match = next((o for o in options if x is not None and isinstance(o, (int, float))
                      and not isinstance(o, bool) and x == o), None)
        if match is not None:
            return match, None  # "0.10" means 0.1
        return None, notice(key, text, f"it must be one of {', '.join(map(str, options))}", default)
    if x is None:
        why = "it is not a number"
    elif not math.isfinite(x):
        why = "it is not a finite number"
    elif x < lo or x > hi:
        why = f"it is outside {lo:g} … {hi:g}"
    elif integer and x != int(x):
        why = "it is not a whole number"
    elif step and not _on_grid(x, lo, step):
        why = f"it is not on the slider's steps ({lo:g}, {lo + step:g}, … every {step:g})"
    else:
        return (int(x) if integer else x), None
    return None, notice(key, text, why, default)


def _refuse(key: str, note: str, value) -> None:
    """Show ``note`` and make the control use ``value``: Streamlit refuses most bad link values
    by itself, but takes one off the slider's steps as it is (0.125 would reach the maths while
    the slider shows 0.12)."""
    st.session_state.setdefault(NOTICES, []).append(note)
    if key not in st.session_state or st.session_state[key] != value:
        st.session_state[key] = value


def number_slider(param: Param, *, key: str | None = None, label: str | None = None,
                  ui: tuple[float, float, float] | None = None, default=None, help: str | None = None):
    """A slider for a number setting, bound to the URL under ``key`` (the book's name)."""
    key = key or param.name
    lo, hi, step = ui or param.ui
    integer = param.kind == "int"
    value = param.default if default is None else default
    if integer:
        lo, hi, step, value = int(lo), int(hi), int(step), int(value)
    _, note = check_link_value(key, claim_all(key), lo, hi, step, integer=integer, default=value)
    if note:
        _refuse(key, note, value)
    got = st.slider(label or param.label, lo, hi, value=value, step=step, key=key,
                    bind="query-params", help=help or param.help or None)
    if note and got != value:
        # On a page's first run the link seeds the slider before code can set it; the value
        # set by _refuse holds from the next run on, so run again now rather than compute with it.
        st.rerun()
    return got


def choice_slider(param: Param, options: Sequence, *, key: str | None = None, label: str | None = None,
                  default=None, help: str | None = None, format_func=None):
    """A slider over a fixed list of values (alpha over several orders of magnitude)."""
    key = key or param.name
    value = param.default if default is None else default
    texts = claim_all(key)
    match, note = check_link_value(key, texts, options=options, default=value)
    if note:
        _refuse(key, note, value)
    elif match is not None and texts[-1] not in {str(o) for o in options} and st.session_state.get(key) != match:
        st.session_state[key] = match  # "0.10" means 0.1: take it
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

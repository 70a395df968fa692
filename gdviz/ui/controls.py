"""Controls bound to the URL, so a shared link opens the exact setting.

Streamlit drops an invalid URL value silently; these controls check what the link said
(``link.RAW_QUERY``, saved before any widget ran) and tell the user which values were
ignored and why, in a notice at the top of the page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import streamlit as st

from gdviz.experiments.base import Param
from gdviz.ui import link
from gdviz.ui.link import (  # noqa: F401  (the link's state, used as controls.claim … by the pages' glue)
    CLAIMED,
    FLASH,
    GLOBAL_KEYS,
    NOTICES,
    claim,
    claim_all,
    flash,
    ignore,
    literal,
    notice,
    start_run,
)


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


def link_value(param: Param, grid: Sequence | None, default, *, values: Sequence[str] | None = None):
    """The link's value for ``param`` (one of ``grid`` when given), or ``default`` with a notice
    when the link's value is refused; ``default`` when the link says nothing."""
    texts = claim_all(param.name) if values is None else list(values)
    if grid is not None:
        # a grid value matches by number: "2" and "2.0" are the slider's 2.0
        text_ok = [t for t in texts if t != ""]
        if len(text_ok) == 1:
            x = _parse_number(text_ok[0])
            if x is not None and math.isfinite(x):
                match = next((g for g in grid if g == x), None)
                if match is not None:
                    return match
        lo, hi = min(grid), max(grid)
        value, note = check_link_value(param.name, texts, lo, hi, None, integer=param.kind == "int", default=default)
        if note is None and value is not None:
            note = notice(param.name, text_ok[0], "it is not one of the slider's steps", default)
    else:
        value, note = check_link_value(param.name, texts, param.lo, param.hi, None,
                                       integer=param.kind == "int", default=default)
        if note is None and value is not None:
            return value
    if note:
        st.session_state.setdefault(NOTICES, []).append(note)
    return default


def show_notices() -> None:
    """The notices about ignored link values, plus link keys this page does not know.

    Called once the page's controls exist (the player calls it); drawn in the slot the
    lesson header left at the top of the page.
    """
    where = st.session_state.get(link.NOTICE_SLOT)
    notes = list(st.session_state.get(NOTICES, [])) + list(st.session_state.pop(FLASH, []))
    claimed = st.session_state.get(CLAIMED, set())
    for key, values in st.session_state.get(link.RAW_QUERY, {}).items():
        if key not in claimed:
            notes.append(f"The link's {literal(key, 30)} was ignored: this page has no setting by that name.")
    if notes:
        (where or st).warning("  \n".join(notes), icon=":material/link_off:")


def slider_options(param: Param) -> tuple | None:
    """What :func:`page_slider` offers when the page names no ``options``: the Param's own
    ``steps`` (``param.grid()``) or ``choices`` as a select slider; None for a plain slider over
    ``param.ui``."""
    if param.steps:
        return param.grid()
    return tuple(param.choices) or None


def page_slider(param: Param, page_key: str, *, default=None, options: Sequence | None = None,
                label: str | None = None, help: str | None = None, format_func=None):
    """A slider (or a select slider over ``options``, by default the Param's ``steps`` or
    ``choices``: :func:`slider_options`) that belongs to one page: its widget key is the page's
    own (``A2.iterations``), so no other lesson's value leaks in, and it is bound to the link by
    hand under the book's name (``iterations``). The link decides on every run it changes (a
    shared link, Back/Forward, a preset); the default holds when the link says nothing."""
    key = f"{page_key}.{param.name}"
    default = param.default if default is None else default
    if options is None:
        options = slider_options(param)
    texts = tuple(claim_all(param.name))
    if options is not None:
        value, note = check_link_value(param.name, texts, options=options, default=default)
    else:
        lo, hi, step = param.ui
        integer = param.kind == "int"
        value, note = check_link_value(param.name, texts, lo, hi, step, integer=integer, default=default)
    if note:
        st.session_state.setdefault(NOTICES, []).append(note)
    target = default if value is None else value
    synced = _seed(key, texts, target)
    kw = dict(key=key, on_change=_widget_to_link, args=(key, param.name, default, synced, str, None),
              help=help or param.help or None)
    if options is not None:
        return st.select_slider(label or param.label, options=list(options), format_func=format_func or str, **kw)
    lo, hi, step = param.ui
    if param.kind == "int":
        lo, hi, step = int(lo), int(hi), int(step)
    return st.slider(label or param.label, lo, hi, step=step, **kw)


def page_row(page_key: str, *params: Param) -> list:
    """The page's controls for ``params`` side by side, one column each, with their own defaults:
    a ``choice`` Param as :func:`page_choice`, any other as :func:`page_slider`. Their values, in
    order."""
    values = []
    for column, param in zip(st.columns(len(params)), params):
        with column:
            values.append(page_choice(param, page_key) if param.kind == "choice" else page_slider(param, page_key))
    return values


def set_link(values: dict, defaults: dict | None = None) -> None:
    """Put ``values`` (book names) into the page's link: a preset. The page's controls and its
    instrument read the link on the coming run. A value equal to its page control's default
    (``defaults``) leaves the link instead, as that control moved back to its default does: the
    link stays short, and a room's followers see no change of it."""
    for name, value in values.items():
        if defaults and name in defaults and value == defaults[name]:
            if name in st.query_params:
                del st.query_params[name]
            continue
        st.query_params[name] = str(int(value)) if isinstance(value, int) and not isinstance(value, bool) \
            else repr(float(value)) if isinstance(value, float) else str(value)
    if "iteration" in st.query_params:
        del st.query_params["iteration"]



def _seed(key: str, texts: tuple, target) -> str:
    """Put the link's value (``target``) into a page-scoped widget whenever the link changed."""
    synced = key + "._link"
    if key not in st.session_state or st.session_state.get(synced) != texts:
        st.session_state[key] = target
        st.session_state[synced] = texts
    return synced


def _widget_to_link(key: str, name: str, default, synced: str, text, after) -> None:
    value = st.session_state[key]
    if value == default:
        if name in st.query_params:
            del st.query_params[name]
        st.session_state[synced] = ()
    else:
        st.query_params[name] = text(value)
        st.session_state[synced] = (text(value),)
    if after is not None:
        after(value)


def page_toggle(name: str, page_key: str, label: str, *, default: bool = False, help: str | None = None,
                on_change=None) -> bool:
    """A toggle that belongs to one page (widget key ``B2.frozen_a``), bound to the link by hand
    under ``name`` as ``true``/``false``, like :func:`page_slider`. ``on_change(value)`` runs
    after the link is written."""
    key = f"{page_key}.{name}"
    texts = tuple(claim_all(name))
    value, note = check_link_value(name, tuple(t.lower() for t in texts), options=("true", "false"),
                                   default=str(default).lower())
    if note:
        st.session_state.setdefault(NOTICES, []).append(note)
    synced = _seed(key, texts, default if value is None else value == "true")
    return st.toggle(label, key=key, help=help, on_change=_widget_to_link,
                     args=(key, name, default, synced, lambda v: str(bool(v)).lower(), on_change))


def page_choice(param: Param, page_key: str, *, options: Sequence | None = None, default=None,
                label: str | None = None, help: str | None = None, format_func=None, radio: bool = False,
                on_change=None):
    """One of a few ``options`` (default ``param.choices``) as a segmented control (``radio``: a
    horizontal radio) that belongs to one page, bound to the link by hand under ``param.name``
    like :func:`page_slider`; a choice is always made. ``on_change(value)`` runs after the link
    is written."""
    key = f"{page_key}.{param.name}"
    options = tuple(param.choices if options is None else options)
    default = param.default if default is None else default
    texts = tuple(claim_all(param.name))
    value, note = check_link_value(param.name, texts, options=options, default=default)
    if note:
        st.session_state.setdefault(NOTICES, []).append(note)
    synced = _seed(key, texts, default if value is None else value)
    kw = dict(key=key, help=help or param.help or None, format_func=format_func or str, on_change=_widget_to_link,
              args=(key, param.name, default, synced, str, on_change))
    if radio:
        return st.radio(label or param.label, list(options), horizontal=True, **kw)
    got = st.segmented_control(label or param.label, list(options), required=True, **kw)
    return default if got is None else got
